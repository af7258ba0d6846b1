/* il-program.c: a traced program as a run kind: the driver (start, tracer thread, stop, end). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A traced program as a run kind: starts a command in its own process group behind a gate, runs
 * the tracer thread (perf context switches, or /proc sampled every 1 ms) until the program ends
 * or is stopped, and finishes the trace. The jobs it drives live beside it: the process tree,
 * the perf session, the sampled capture, the wait classifier, the CPython reader and the lanes
 * (il-program-private.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-program-private.h"

static void
housekeeping (IlProgram *self, gint64 now, gint64 horizon)
{
  GHashTableIter iter;
  gpointer value;

  /* Commands and names change at exec; /proc has the current ones. */
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;
      char *cmd;

      if (p->exited || p->status == PROC_DROPPED)
        continue;
      /* Read again after an exec the capture saw, and every CMDLINE_EVERY passes for one it did
       * not (and at the end, pass 0): reading every process's cmdline every pass was a third of
       * the tracer thread's CPU in the Python lessons (perf). */
      if ((p->command == NULL || p->exec_ns != p->cmdline_exec_ns ||
           self->housekeep_pass % CMDLINE_EVERY == 0) &&
          (cmd = il_program_read_cmdline (p->pid)) != NULL)
        {
          g_free (p->command);
          p->command = cmd;
          p->cmdline_exec_ns = p->exec_ns;
        }
      if (p->status == PROC_CONFIRMED && p->announced)
        il_program_announce_process (self, p);
    }
  il_program_resolve_processes (self, horizon);

  /* Sampled: a thread names itself after it starts (pthread_setname_np; CPython 3.14 passes on
   * threading's names); the kernel capture hears it as a COMM record. */
  if (self->capture == IL_CAPTURE_SAMPLED)
    {
      g_hash_table_iter_init (&iter, self->threads);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Thread *th = value;
          char comm[16] = "";

          if (th->exited)
            continue;
          il_program_read_comm (th->pid, th->tid, comm);
          if (comm[0] != '\0' && strcmp (comm, th->comm) != 0)
            {
              memcpy (th->comm, comm, sizeof comm);
              if (th->lane >= 0)
                il_program_thread_announce (self, th);
            }
        }
    }

  /* Long open spans go out in pieces so a live view moves. */
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;

      if (th->has_open && th->open.end_ns - th->open.start_ns >= FLUSH_NS + KEEP_OPEN_NS &&
          th->proc->status == PROC_CONFIRMED)
        {
          IlSpan rest = th->open;

          th->open.end_ns = rest.end_ns - KEEP_OPEN_NS;
          il_program_flush_open (self, th);
          th->open = rest;
          th->open.start_ns = rest.end_ns - KEEP_OPEN_NS;
          th->has_open = TRUE;
        }
    }
}

/* Says the tracer runs, then waits until the program is let go (il_program_start); the time. */
static gint64
wait_to_start (IlProgram *self)
{
  if (self->capture == IL_CAPTURE_SAMPLED)
    {
      il_program_sampled_prepare (self);
      il_program_sample_all (self, il_clock_now_ns (), FALSE);
    }
  g_mutex_lock (&self->start_mutex);
  self->tracer_running = TRUE;
  g_cond_broadcast (&self->start_cond);
  while (!self->let_go)
    g_cond_wait (&self->start_cond, &self->start_mutex);
  g_mutex_unlock (&self->start_mutex);
  return il_clock_now_ns ();
}

static gpointer
tracer_thread (gpointer data)
{
  IlProgram *self = data;
  gboolean perf = self->capture == IL_CAPTURE_KERNEL;
  gint64 next = wait_to_start (self);
  gint64 last_drain = next, last_scan = 0, last_house = next, cancel_ns = 0;
  int stop_stage = 0;
  gint64 horizon = self->origin_ns, last_alive = 0, root_done_ns = 0;
  gboolean root_done = FALSE, others_alive = TRUE;

  self->stacks_due = next;
  for (;;)
    {
      gint64 now = il_clock_now_ns ();

      if (!perf && now - last_scan >= SCAN_NS)
        {
          il_program_sampled_scan (self, now);
          last_scan = now;
        }
      else if (!perf && now - self->last_new_proc_ns < CONFIRM_NS)
        il_program_scan_children (self, now);
      if (!perf)
        il_program_scan_tasks_soon (self, now);

      if (perf)
        il_program_perf_sample_reasons (self, now);
      else
        {
          il_program_sample_all (self, now, FALSE);
          horizon = now;
        }

      if (perf && now - last_drain >= PERF_DRAIN_NS)
        {
          horizon = now - PERF_MARGIN_NS;
          il_program_perf_process (self, horizon);
          last_drain = now;
        }
      /* Python stacks every STACK_NS: after the state samples, so a new thread is known. Due on
       * the ticks' schedule, not STACK_NS after the last one's instant: a tick that woke a few
       * µs earlier after its tick than the last one did would wait one tick more. */
      if (now >= self->stacks_due)
        {
          il_program_stacks_sample (self, now);
          self->stacks_due += STACK_NS;
          /* Late by a whole interval (the tracer lost its core): from this tick on. */
          if (self->stacks_due <= now)
            self->stacks_due = now + STACK_NS;
        }
      if (now - last_house >= HOUSEKEEP_NS)
        {
          self->housekeep_pass++;
          housekeeping (self, now, horizon);
          last_house = now;
        }

      /* Stop: SIGINT first, as Ctrl+C in a terminal would, so a Python program's
       * KeyboardInterrupt handlers and finally blocks run; SIGTERM after INT_GRACE_NS, SIGKILL
       * after KILL_GRACE_NS more. */
      if (atomic_load (&self->cancel) && stop_stage == 0)
        {
          cancel_ns = now;
          stop_stage = 1;
          il_program_kill_tree (self, SIGINT);
        }
      else if (stop_stage == 1 && now - cancel_ns > INT_GRACE_NS)
        {
          stop_stage = 2;
          il_program_kill_tree (self, SIGTERM);
        }
      else if (stop_stage == 2 && now - cancel_ns > INT_GRACE_NS + KILL_GRACE_NS)
        {
          stop_stage = 3;
          il_program_kill_tree (self, SIGKILL);
        }

      /* Ended? The watcher says so without reaping it, so its threads' last /proc figures can
       * still be read. */
      root_done = il_program_watch_ended (self);
      /* --wait-all: until its descendants have gone too (looked at every 10 ms: a /proc read
       * per process). */
      if (root_done && self->config->wait_all && !atomic_load (&self->cancel))
        {
          /* Not before the records up to its exit are handled (perf: they wait PERF_MARGIN_NS;
           * sampled: the next scan): a child it forked just before is known only from them. */
          if (root_done_ns == 0)
            root_done_ns = now;
          if (now - root_done_ns < PERF_MARGIN_NS + PERF_DRAIN_NS + SCAN_NS)
            others_alive = TRUE;
          else if (now - last_alive >= HOUSEKEEP_NS)
            {
              others_alive = il_program_mark_alive (self);
              last_alive = now;
            }
          root_done = !others_alive;
        }
      if (root_done)
        break;

      next += perf ? REASON_NS : IL_PROGRAM_SAMPLE_NS;
      if (next < now)
        next = now + (perf ? REASON_NS : IL_PROGRAM_SAMPLE_NS);
      il_program_wait (self, next);
    }

  /* The last figures, then reap the command; its descendants go with it. */
  {
    gint64 now = il_clock_now_ns ();
    GHashTableIter iter;
    gpointer value;

    if (!perf)
      il_program_sample_all (self, now, TRUE);
    self->wait_status = il_program_watch_reap (self);
    if (atomic_load (&self->cancel))
      {
        il_program_kill_tree (self, SIGKILL);
        /* And what left the group unseen (a daemon's grandchild): a stopped run leaves nothing. */
        il_program_watch_kill (self);
      }
    /* Its last words: all it wrote is in the pipes now, what is not read yet is read first. */
    if (self->out != NULL)
      il_program_output_settle (self->out, G_USEC_PER_SEC);
    if (self->err != NULL)
      {
        il_program_output_settle (self->err, G_USEC_PER_SEC);
        self->stderr_tail = il_program_output_get_tail (self->err, IL_PROGRAM_STDERR_LINES);
      }
    now = il_clock_now_ns ();
    self->ending = TRUE;
    /* Up to now, never further: a thread still alive has its state laid out to the run's end
     * (a horizon at the end of time made a wall time of 292 years). */
    if (perf)
      il_program_perf_process (self, now);
    /* Descendants that outlive the command (multiprocessing's resource tracker, a daemon) are
     * left running, not killed: drawn up to now and marked. After the last records: a child
     * forked just before the command exited is known only from them. */
    il_program_mark_alive (self);
    il_program_release_watcher (self, FALSE);
    self->housekeep_pass = 0;
    housekeeping (self, now, now);
    g_hash_table_iter_init (&iter, self->threads);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      il_program_flush_open (self, value);
    il_program_resolve_processes (self, now);
    il_program_drop_late_launcher_helpers (self);
  }

  atomic_store (&self->done, 1);
  /* Not while the owner is being freed (il_program_free joins us): it would revive it. */
  if (atomic_load (&self->notify) && self->done_notify != NULL)
    self->done_notify (self->notify_data);
  return NULL;
}

IlProgram *
il_program_new (const IlRunConfig *config, gint64 origin_ns)
{
  IlProgram *self;

  g_return_val_if_fail (il_run_config_is_program (config), NULL);

  self = g_new0 (IlProgram, 1);
  self->place_fd_sched = -1;
  self->config = il_run_config_copy (config);
  self->origin_ns = origin_ns;
  self->capture = IL_CAPTURE_KERNEL;
  self->root = -1;
  self->wait_status = -1;
  self->watcher = -1;
  self->watch_fd = -1;
  self->status_fd = -1;
  self->gate[0] = self->gate[1] = -1;
  self->events = g_array_new (FALSE, FALSE, sizeof (Event));
  self->procs = g_hash_table_new_full (NULL, NULL, NULL, il_program_proc_free);
  self->proc_order = g_ptr_array_new ();
  self->threads = g_hash_table_new_full (NULL, NULL, NULL, il_program_thread_free);
  self->not_ours = g_hash_table_new (NULL, NULL);
  self->found = g_array_new (FALSE, FALSE, sizeof (long));
  self->elf_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ring = il_ring_new (RING_CAPACITY);
  self->notes = g_array_new (FALSE, FALSE, sizeof (Note));
  self->scratch = g_new (IlSpan, 4096);
  self->drop_pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_mutex_init (&self->note_mutex);
  g_mutex_init (&self->start_mutex);
  g_cond_init (&self->start_cond);
  il_program_stacks_init (self);
  return self;
}

static char *
resolve_program (const IlRunConfig *config, GError **error)
{
  const char *arg0 = config->command[0];

  if (!il_run_config_validate (config, error))
    return NULL;
  if (strchr (arg0, '/') != NULL)
    {
      if (config->cwd != NULL && !g_path_is_absolute (arg0))
        return g_build_filename (config->cwd, arg0, NULL);
      return g_strdup (arg0);
    }
  return g_find_program_in_path (arg0);
}

gboolean
il_program_start (IlProgram *self,
                  void (*done) (gpointer), void (*drain) (gpointer),
                  gpointer data, GError **error)
{
  g_autoptr(GError) perf_error = NULL;
  pid_t child;
  int out[2] = { -1, -1 }, err[2] = { -1, -1 };
  gboolean spawned;
  char go = 'g';

  g_return_val_if_fail (self != NULL && self->root < 0, FALSE);

  self->done_notify = done;
  self->drain_notify = drain;
  atomic_store (&self->notify, done != NULL || drain != NULL);
  self->notify_data = data;

  if ((self->path = resolve_program (self->config, error)) == NULL)
    return FALSE;

  /* The program waits on a pipe until its tracing is set up, so the trace starts at its exec.
   * Its stdout and stderr come to us through two more, to keep what it printed and show it
   * with its run (il-program-output.c). */
  if (pipe2 (self->gate, O_CLOEXEC) != 0 || pipe2 (out, O_CLOEXEC) != 0 || pipe2 (err, O_CLOEXEC) != 0)
    {
      int e = errno;

      for (guint i = 0; i < 2; i++)
        {
          if (out[i] >= 0)
            close (out[i]);
          if (self->gate[i] >= 0)
            close (self->gate[i]);
          self->gate[i] = -1;
        }
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, "%s", g_strerror (e));
      return FALSE;
    }
  spawned = il_program_spawn (self, out[1], err[1], error);
  close (out[1]);
  close (err[1]);
  close (self->gate[0]);
  self->gate[0] = -1;
  if (!spawned)
    {
      close (out[0]);
      close (err[0]);
      return FALSE;
    }
  self->out = il_program_output_new (out[0], STDOUT_FILENO);
  self->err = il_program_output_new (err[0], STDERR_FILENO);
  child = self->root;

  if (self->config->capture == IL_CAPTURE_KERNEL || self->config->capture == IL_CAPTURE_AUTO)
    {
      if (!il_program_perf_setup (self, &perf_error))
        {
          il_program_perf_teardown (self);
          if (self->config->capture == IL_CAPTURE_KERNEL)
            {
              il_program_release_watcher (self, TRUE);
              close (self->gate[1]);
              self->gate[1] = -1;
              g_propagate_error (error, g_steal_pointer (&perf_error));
              return FALSE;
            }
          g_debug ("%s", perf_error->message);
          self->capture = IL_CAPTURE_SAMPLED;
        }
    }
  else
    self->capture = IL_CAPTURE_SAMPLED;

  /* The child has done nothing of its own yet but wait at the gate. */
  self->origin_ns = il_clock_now_ns ();
  {
    Proc *p = il_program_get_proc (self, child, getpid (), self->origin_ns);
    g_autofree char *base = g_path_get_basename (self->path);
    Thread *th;

    g_strlcpy (p->comm, base, sizeof p->comm);
    p->command = g_strjoinv (" ", self->config->command);
    th = il_program_get_thread (self, child, child, self->origin_ns);
    g_strlcpy (th->comm, base, sizeof th->comm);
    th->before_exec = self->capture == IL_CAPTURE_KERNEL;
  }

  /* The tracer first, and running (the sampled capture's first sample taken, of the child at
   * the gate): a new thread waited 100 ms or more for a core on a loaded 2-core machine, and the
   * program, let go before, forked its workers unseen; their first milliseconds were lost and
   * the late scan took them for a launcher's. */
  self->thread = g_thread_new ("il-program", tracer_thread, self);
  g_mutex_lock (&self->start_mutex);
  while (!self->tracer_running)
    g_cond_wait (&self->start_cond, &self->start_mutex);
  g_mutex_unlock (&self->start_mutex);

  /* The program's time starts here, as it is let go: forking took 5-10 ms from the window (its
   * page tables are large) and 1-2 ms from the command line, and that is Interleave's time, not
   * the program's. */
  self->origin_ns = il_clock_now_ns ();
  if (write (self->gate[1], &go, 1) != 1)
    g_debug ("gate: %s", g_strerror (errno));
  close (self->gate[1]);
  self->gate[1] = -1;

  g_mutex_lock (&self->start_mutex);
  self->let_go = TRUE;
  g_cond_broadcast (&self->start_cond);
  g_mutex_unlock (&self->start_mutex);
  return TRUE;
}

gint64
il_program_get_origin_ns (IlProgram *self)
{
  return self->origin_ns;
}

IlCaptureKind
il_program_get_capture (IlProgram *self)
{
  return self->capture;
}

void
il_program_cancel (IlProgram *self)
{
  atomic_store (&self->cancel, 1);
}

gboolean
il_program_is_cancelled (IlProgram *self)
{
  return atomic_load (&self->cancel) != 0;
}

gboolean
il_program_is_done (IlProgram *self)
{
  return self->root < 0 || atomic_load (&self->done) != 0;
}

int
il_program_get_wait_status (IlProgram *self)
{
  return self->wait_status;
}

const char *
il_program_get_stderr_tail (IlProgram *self)
{
  return il_program_is_done (self) ? self->stderr_tail : NULL;
}

void
il_program_mark_helpers (IlRunTrace *trace)
{
  /* A helper never ran a task-like stretch (2 ms on a CPU without waiting in between, split spans
   * and preemption joined) or ran less than 2 % of its life, and did not spend most of its life
   * sleeping on purpose (time.sleep standing in for I/O is work) or waiting on a lock (another
   * thread holds up its work). Helpers: a pool's handler threads, a runtime's timer thread,
   * threads that wait on pipes. */
  for (guint w = 0; w < il_run_trace_get_n_workers (trace); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (trace, w);
      guint n = il_lane_get_n_spans (lane);
      gint64 stretch = 0, best = 0, end = G_MININT64, total = 0, life, slept = 0, locked = 0, ready = 0;

      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *s = il_lane_get_span (lane, i);

          if (s->state == IL_STATE_IO_WAIT &&
              il_run_trace_get_wait (trace, w, s->start_ns) == IL_WAIT_SLEEP)
            slept += s->end_ns - s->start_ns;
          if (s->state == IL_STATE_LOCK_WAIT)
            locked += s->end_ns - s->start_ns;
          if (s->state == IL_STATE_READY)
            ready += s->end_ns - s->start_ns;
          /* Preempted (ready) is still the same stretch: only a wait ends it. */
          if (s->state == IL_STATE_READY && s->start_ns == end)
            {
              end = s->end_ns;
              continue;
            }
          if (s->state != IL_STATE_RUNNING)
            {
              stretch = 0;
              end = G_MININT64;
              continue;
            }
          stretch = s->start_ns == end ? stretch + (s->end_ns - s->start_ns) : s->end_ns - s->start_ns;
          end = s->end_ns;
          best = MAX (best, stretch);
          total += s->end_ns - s->start_ns;
        }
      life = n > 0 ? il_lane_get_span (lane, n - 1)->end_ns - il_lane_get_span (lane, 0)->start_ns : 0;
      /* A thread blocked on a lock for most of its life (what it did not spend waiting for a CPU
       * other programs held) is held up in its work, not a helper: a lock convoy's threads run in
       * short bursts. */
      il_run_trace_set_worker_helper (trace, w, (best < G_GINT64_CONSTANT (2000000) || total * 50 < life) &&
                                                slept * 2 < life && locked * 2 < life - ready);
    }
}

void
il_program_finish (IlProgram *self, IlRunTrace *trace)
{
  g_autoptr(IlRunConfig) config = NULL;

  if (self->thread != NULL)
    g_clear_pointer (&self->thread, g_thread_join);
  il_program_drain (self, trace);
  for (guint i = 0; i < self->drop_pids->len; i++)
    il_run_trace_remove_process (trace, g_array_index (self->drop_pids, int, i));
  il_program_mark_helpers (trace);
  il_program_fold_waiting_launchers (trace);
  /* The tracer has ended: its processes are ours to read. */
  for (guint i = 0; i < self->proc_order->len; i++)
    {
      Proc *p = g_ptr_array_index (self->proc_order, i);
      if (p->still_running && p->status == PROC_CONFIRMED)
        il_run_trace_set_process_still_running (trace, p->pid, TRUE);
    }
  if (self->out != NULL)
    il_program_output_store (self->out, trace, IL_OUTPUT_STDOUT);
  if (self->err != NULL)
    il_program_output_store (self->err, trace, IL_OUTPUT_STDERR);
  if (self->wait_status != -1 && WIFEXITED (self->wait_status))
    il_run_trace_set_exit (trace, WEXITSTATUS (self->wait_status), 0);
  else if (self->wait_status != -1 && WIFSIGNALED (self->wait_status))
    il_run_trace_set_exit (trace, -1, WTERMSIG (self->wait_status));

  /* Its threads are the workers: known only now that the program has ended. */
  config = il_run_config_copy (il_run_trace_get_config (trace));
  config->workers = il_run_trace_get_n_workers (trace);
  config->tasks = 0;
  config->task_ms = 0;
  il_run_trace_set_config (trace, config);
  /* Last: removing a launcher's processes drops what is attached to the trace. */
  il_program_stacks_finish (self, trace);
}

void
il_program_free (IlProgram *self)
{
  if (self == NULL)
    return;
  if (self->thread != NULL)
    {
      atomic_store (&self->notify, 0);
      il_program_cancel (self);
      g_clear_pointer (&self->thread, g_thread_join);
    }
  /* Started but never traced (or the tracer let it go already): the watcher's end of file
   * kills what is left unless it was let go. */
  il_program_release_watcher (self, TRUE);
  il_program_output_free (self->out);
  il_program_output_free (self->err);
  g_free (self->stderr_tail);
  il_program_perf_teardown (self);
  il_program_place_free (self);
  for (guint i = 0; i < self->notes->len; i++)
    {
      g_free (g_array_index (self->notes, Note, i).text);
      g_free (g_array_index (self->notes, Note, i).text2);
    }
  g_array_unref (self->notes);
  g_mutex_clear (&self->note_mutex);
  g_mutex_clear (&self->start_mutex);
  g_cond_clear (&self->start_cond);
  g_hash_table_unref (self->threads);
  il_program_stacks_free (self);
  g_ptr_array_unref (self->proc_order);
  g_hash_table_unref (self->procs);
  g_hash_table_unref (self->not_ours);
  g_array_unref (self->found);
  g_hash_table_unref (self->elf_cache);
  g_array_unref (self->events);
  il_ring_free (self->ring);
  g_free (self->scratch);
  g_array_unref (self->drop_pids);
  if (self->gate[0] >= 0)
    close (self->gate[0]);
  if (self->gate[1] >= 0)
    close (self->gate[1]);
  g_free (self->path);
  il_run_config_free (self->config);
  g_free (self);
}
