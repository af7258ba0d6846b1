/* il-program-stacks.c: the traced program's Python stacks and thread names, sampled every 4 ms. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tracer thread's sampler of Python processes: every STACK_NS, for each process whose
 * _PyRuntime is known, every thread state's innermost frames and the GIL's holder (read by
 * il-program-pystack.c), with the kernel's state of the thread, into the run's stacks store (a
 * child not yet confirmed as the program's: held apart until it is); and
 * every NAMES_NS, the names the program gave its threads, which become their lanes' names, and
 * multiprocessing's name for each process, which names its main thread's lane. A
 * process the reader refuses (its memory cannot be read, an unknown CPython) is said once and
 * left alone until its next exec. IL_NO_STACKS=1 turns the stacks (not the names) off. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "il-program-private.h"

#define NAMES_NS     G_GINT64_CONSTANT (500000000)  /* names again, for threads renamed later
                                                     * (every 100 ms, a tenth of the sampler's
                                                     * CPU went on a dict walk per thread) */
#define NAMES_NEW_NS G_GINT64_CONSTANT (10000000)   /* …sooner while a thread has none yet */
#define NAMES_SOON   100                              /* …at most this many times in a row (1 s:
                                                       * with 200 ms a loaded ASan run once left two
                                                       * executor threads of 0.4 s unnamed) */

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

void
il_program_stacks_init (IlProgram *self)
{
  if (g_strcmp0 (g_getenv ("IL_NO_STACKS"), "1") != 0)
    self->stacks = il_trace_stacks_new ();
  self->stacks_debug = g_strcmp0 (g_getenv ("IL_DEBUG_STACKS"), "1") == 0;
  self->py_samples = g_array_new (FALSE, FALSE, sizeof (PyThreadSample));
  self->py_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

void
il_program_stacks_free (IlProgram *self)
{
  if (!self->stacks_given)
    il_trace_stacks_free (self->stacks);
  self->stacks = NULL;
  g_clear_pointer (&self->py_samples, g_array_unref);
  g_clear_pointer (&self->py_names, g_hash_table_unref);
}

void
il_program_stacks_forget_proc (Proc *p)
{
  g_clear_pointer (&p->py, il_pystack_reader_free);
  p->py_refused = FALSE;
  p->py_names_ns = 0;
  p->py_names_found = FALSE;
  p->py_names_soon = 0;
  g_clear_pointer (&p->mp_name, g_free);
  p->mp_pending = FALSE;
  p->mp_ns = 0;
  p->mp_tries = 0;
  g_clear_pointer (&p->py_last, g_array_unref);
  g_clear_pointer (&p->py_held, g_array_unref);
  p->py_cpu_ns = -1;
}

/* A sample of a process not yet confirmed as the program's: the store has no way to take a
 * process's samples out again, and a launcher's helper is dropped. */
typedef struct
{
  gint64   tid, time_ns;
  gboolean on_cpu, holds_gil;
  guint    n_frames;
  guint    frames[PY_MAX_FRAMES];
} HeldSample;

void
il_program_stacks_settle_proc (IlProgram *self, Proc *p, gboolean keep)
{
  for (guint i = 0; keep && self->stacks != NULL && p->py_held != NULL && i < p->py_held->len; i++)
    {
      const HeldSample *h = &g_array_index (p->py_held, HeldSample, i);

      il_trace_stacks_add_sample (self->stacks, p->pid, h->tid, h->time_ns, h->on_cpu, h->holds_gil,
                                  h->frames, h->n_frames);
    }
  g_clear_pointer (&p->py_held, g_array_unref);
}

/* All @p's threads have run, to the ns, those that ended too (-1: not known). A clock read from
 * outside, brought up to date for a running thread as it is read. */
static gint64
proc_cpu_ns (Proc *p)
{
  struct timespec ts;

  if (!p->has_cpu_clock)
    p->has_cpu_clock = clock_getcpuclockid (p->pid, &p->cpu_clock) == 0;
  if (!p->has_cpu_clock || clock_gettime (p->cpu_clock, &ts) != 0)
    return -1;
  return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* The kernel's state of a thread is R: on a CPU or waiting for one. */
static gboolean
on_cpu (Thread *th, int pid, gint64 tid, gint64 now)
{
  char buf[512];
  ssize_t n;
  char state = 'S';
  int cpu;
  int fd = th != NULL ? th->fd_stat : -1;

  /* The sampled capture read it within the last 2 ms. */
  if (th != NULL && th->sample_ns >= 0 && now - th->sample_ns <= 2 * IL_PROGRAM_SAMPLE_NS && th->state != '\0')
    return th->state == 'R';
  /* The kernel capture's look at its system call this tick ("running" is state R): a stat read
   * per thread per sample was a sixth of the sampler's CPU. */
  if (th != NULL && th->syscall_ns > 0 && now - th->syscall_ns <= REASON_NS)
    return th->syscall_running;
  if (fd < 0)
    {
      /* A thread the tracer has not met yet (just started): its stat read once. */
      g_autofree char *path = g_strdup_printf ("/proc/%d/task/%" G_GINT64_FORMAT "/stat", pid, tid);
      g_autofree char *text = NULL;

      return g_file_get_contents (path, &text, NULL, NULL) &&
             il_program_parse_stat (text, &state, &cpu, NULL) && state == 'R';
    }
  n = pread (fd, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  return il_program_parse_stat (buf, &state, &cpu, NULL) && state == 'R';
}

/* Whether a names read last done at *@last_ns (0: never) is due at @now: every NAMES_NS, or
 * every NAMES_NEW_NS while @wanted, at most NAMES_SOON times in a row (counted in *@soon); a
 * read that is due counts as done. */
static gboolean
names_due (gint64 *last_ns, guint *soon, gboolean wanted, gint64 now)
{
  gboolean sooner = wanted && *soon < NAMES_SOON;

  if (*last_ns != 0 && now - *last_ns < (sooner ? NAMES_NEW_NS : NAMES_NS))
    return FALSE;
  *soon = sooner ? *soon + 1 : 0;
  *last_ns = now;
  return TRUE;
}

/* multiprocessing's name for @p (ForkPoolWorker-1, a Process(name=…)), onto its main thread's
 * lane: a worker's main thread is otherwise named by whichever thread of its parent forked it
 * (a pool forks its later workers from its "Thread-1 (_handle_workers)"), or by the command line
 * it shares with its parent (fork) or with every other worker (`spawn`: `python3 -c`). A child
 * still "MainProcess", or without multiprocessing yet, is looked at again soon: a `spawn` child
 * takes its name after it has imported its parent's main module again. */
static void
apply_process_name (IlProgram *self, Proc *p, gint64 now)
{
  g_autofree char *name = NULL;
  Thread *th;

  if (!names_due (&p->mp_ns, &p->mp_tries, p->mp_pending, now))
    return;
  name = il_pystack_read_process_name (p->py);
  p->mp_pending = p->pid != self->root && (name == NULL || strcmp (name, "MainProcess") == 0);
  if (name == NULL || strcmp (name, "MainProcess") == 0 || g_strcmp0 (name, p->mp_name) == 0)
    return;
  g_free (p->mp_name);
  p->mp_name = g_steal_pointer (&name);
  p->mp_tries = 0;
  th = g_hash_table_lookup (self->threads, GINT_TO_POINTER (p->pid));
  if (th != NULL && th->lane >= 0)
    il_program_thread_announce (self, th);
}

/* The names threading gave @p's threads, onto their Thread (and lanes, when they have one). */
static void
apply_names (IlProgram *self, Proc *p, gint64 now)
{
  gboolean unnamed_main = FALSE, unnamed_other = FALSE;

  for (guint i = 0; i < self->py_samples->len; i++)
    {
      PyThreadSample *s = &g_array_index (self->py_samples, PyThreadSample, i);
      Thread *th = g_hash_table_lookup (self->threads, GINT_TO_POINTER ((int) s->tid));

      if (s->tid <= 0 || (th != NULL && (th->pid != p->pid || th->py_name != NULL)))
        continue;
      /* (A thread the scan has not found yet has no name either.) */
      if (s->tid == p->pid)
        unnamed_main = TRUE;
      else
        unnamed_other = TRUE;
    }
  /* Sooner while a thread has no name yet: a thread other than the main one was started by
   * threading (or will be named by it soon), and may not live long. The main thread alone is
   * not a reason while threading is not there to name it: a program without threads may never
   * import it, and looking for it reads sys.modules. A thread threading never names (started
   * by _thread or a C library) stops being a reason after NAMES_SOON tries. */
  if (!names_due (&p->py_names_ns, &p->py_names_soon, unnamed_other || (unnamed_main && p->py_names_found),
                  now))
    return;
  g_hash_table_remove_all (self->py_names);
  p->py_names_found = il_pystack_read_names (p->py, self->py_names);
  if (!p->py_names_found)
    return;
  for (guint i = 0; i < self->py_samples->len; i++)
    {
      PyThreadSample *s = &g_array_index (self->py_samples, PyThreadSample, i);
      Thread *th = g_hash_table_lookup (self->threads, GINT_TO_POINTER ((int) s->tid));
      const char *name = g_hash_table_lookup (self->py_names, &s->ident);

      if (th == NULL || th->pid != p->pid || name == NULL || g_strcmp0 (th->py_name, name) == 0)
        continue;
      g_free (th->py_name);
      th->py_name = g_strdup (name);
      p->py_names_soon = 0;
      if (th->lane >= 0)
        il_program_thread_announce (self, th);
    }
}

/* Said once per process and reason: an exec the kernel capture hears late tries again. */
static void
refuse (Proc *p, const char *why)
{
  p->py_refused = TRUE;
  if (g_strcmp0 (p->py_why, why) == 0)
    return;
  g_message ("Python threads of process %d are not read: %s", p->pid, why);
  g_free (p->py_why);
  p->py_why = g_strdup (why);
}

/* @p's reader, made once its _PyRuntime is known; FALSE while there is none. */
static gboolean
ensure_reader (IlProgram *self, Proc *p, gint64 now)
{
  g_autofree char *why = NULL;

  if (p->py != NULL)
    return TRUE;
  if (p->py_refused || !il_program_proc_runtime (self, p, now))
    return FALSE;
  if ((p->py = il_pystack_reader_new (p->pid, p->rt_lo, &why)) == NULL)
    {
      refuse (p, why);
      return FALSE;
    }
  return TRUE;
}

static void
sample_proc (IlProgram *self, Proc *p, gint64 now)
{
  g_autofree char *why = NULL;
  gint64 cpu;

  if (!ensure_reader (self, p, now))
    return;
  apply_process_name (self, p, now);
  /* Nothing of it ran since its stacks were last read (its CPU clock has not moved): they are
   * as they were, and so is the GIL's holder; a thread's start or end would have moved it. The
   * processes of a pool wait most of the time, and reading every frame of theirs 200 times a
   * second was most of the sampler's cost there. Read just before, so a reading is never older
   * than the clock it is kept with. */
  cpu = proc_cpu_ns (p);
  if (cpu >= 0 && cpu == p->py_cpu_ns && p->py_last != NULL)
    {
      g_array_set_size (self->py_samples, 0);
      g_array_append_vals (self->py_samples, p->py_last->data, p->py_last->len);
    }
  else
    {
      il_pystack_forget_codes (p->py, now);
      if (!il_pystack_sample (p->py, self->stacks, self->py_samples, &why))
        {
          il_program_stacks_forget_proc (p);
          refuse (p, why);
          return;
        }
      if (p->py_last == NULL)
        p->py_last = g_array_new (FALSE, FALSE, sizeof (PyThreadSample));
      g_array_set_size (p->py_last, 0);
      g_array_append_vals (p->py_last, self->py_samples->data, self->py_samples->len);
      p->py_cpu_ns = cpu;
    }
  apply_names (self, p, now);
  if (self->stacks == NULL)
    return;
  for (guint i = 0; i < self->py_samples->len; i++)
    {
      PyThreadSample *s = &g_array_index (self->py_samples, PyThreadSample, i);
      Thread *th = g_hash_table_lookup (self->threads, GINT_TO_POINTER ((int) s->tid));

      /* A thread state not yet bound to a thread (being created) or already torn down. */
      if (s->tid <= 0)
        continue;
      if (th != NULL && th->pid != p->pid)
        th = NULL;
      if (p->status == PROC_PENDING)
        {
          HeldSample h = { s->tid, now - self->origin_ns, on_cpu (th, p->pid, s->tid, now), s->holds_gil,
                           MIN (s->n_frames, PY_MAX_FRAMES), { 0 } };

          memcpy (h.frames, s->frames, h.n_frames * sizeof h.frames[0]);
          if (p->py_held == NULL)
            p->py_held = g_array_new (FALSE, FALSE, sizeof (HeldSample));
          g_array_append_val (p->py_held, h);
          continue;
        }
      il_trace_stacks_add_sample (self->stacks, p->pid, s->tid, now - self->origin_ns,
                                  on_cpu (th, p->pid, s->tid, now), s->holds_gil, s->frames, s->n_frames);
    }
}

void
il_program_stacks_sample (IlProgram *self, gint64 now)
{
  /* The thread's CPU clock is a system call (no vDSO for it): read only when asked for. */
  gint64 cpu0 = self->stacks_debug ? thread_cpu_ns () : 0;

  for (guint i = 0; i < self->proc_order->len; i++)
    {
      Proc *p = g_ptr_array_index (self->proc_order, i);

      /* A child not yet known to be the program's (a launcher's helper execs within
       * CONFIRM_NS) is sampled too, its samples held until it is (a pool's workers often
       * live less: lesson 08's had none). */
      if (p->exited || p->status == PROC_DROPPED)
        continue;
      sample_proc (self, p, now);
    }
  if (self->stacks_debug)
    self->stacks_cpu_ns += thread_cpu_ns () - cpu0;
  self->stacks_rounds++;
}

void
il_program_stacks_finish (IlProgram *self, IlRunTrace *trace)
{
  if (self->stacks_debug)
    fprintf (stderr, "stacks: %" G_GUINT64_FORMAT " rounds, %" G_GUINT64_FORMAT " samples, sampler CPU %.1f ms\n",
             self->stacks_rounds, self->stacks != NULL ? il_trace_stacks_get_n_samples (self->stacks) : 0,
             self->stacks_cpu_ns / 1e6);
  if (self->stacks == NULL)
    return;
  /* A trace keeps a store only when it holds samples (a program that never ran Python has none). */
  if (il_trace_stacks_get_n_samples (self->stacks) > 0)
    il_run_trace_set_stacks (trace, self->stacks);
  else if (self->stacks_given && il_run_trace_get_stacks (trace) == self->stacks)
    il_run_trace_set_stacks (trace, NULL);
  else if (!self->stacks_given)
    il_trace_stacks_free (self->stacks);
  self->stacks = NULL;
  self->stacks_given = FALSE;
}

/* The store is the trace's from the start: the sampler (tracer thread) adds to it under its
 * lock while the owner's thread reads it, and the tracer is joined before the run lets go of its
 * trace (IlRun frees the program first). */
void
il_program_attach_stacks (IlProgram *self, IlRunTrace *trace)
{
  if (self->stacks == NULL || self->stacks_given)
    return;
  il_run_trace_set_stacks (trace, self->stacks);
  self->stacks_given = TRUE;
}
