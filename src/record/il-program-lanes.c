/* il-program-lanes.c: a traced program's notes and spans, from the tracer to the owner's trace. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the tracer thread hands the owner: notes (new lanes, processes, names) under a lock and
 * spans through the ring, and the owner's side that moves them into the trace. */
#include "config.h"

#include <string.h>

#include "il-program-private.h"

void
il_program_post_note (IlProgram *self, Note *note)
{
  g_mutex_lock (&self->note_mutex);
  g_array_append_val (self->notes, *note);
  g_mutex_unlock (&self->note_mutex);
}

/* A Python process by its script, as its user knows it: `python3 worker.py`, `python3 -m pkg`,
 * `python3 -c`; NULL for any other command. @command is the command line, words joined by
 * spaces (an argument with spaces in it is cut at the first). */
static char *
python_script_name (const char *command)
{
  g_auto(GStrv) words = command != NULL ? g_strsplit (command, " ", -1) : NULL;
  g_autofree char *interpreter = NULL;

  if (words == NULL || words[0] == NULL)
    return NULL;
  interpreter = g_path_get_basename (words[0]);
  if (!g_str_has_prefix (interpreter, "python"))
    return NULL;
  for (guint i = 1; words[i] != NULL; i++)
    {
      const char *w = words[i];

      if (strcmp (w, "-m") == 0 && words[i + 1] != NULL)
        return g_strdup_printf ("%s -m %s", interpreter, words[i + 1]);
      if (strcmp (w, "-c") == 0)
        return g_strdup_printf ("%s -c", interpreter);
      if (strcmp (w, "-X") == 0 || strcmp (w, "-W") == 0 || strcmp (w, "--check-hash-based-pycs") == 0)
        {
          i++;   /* an option with a value of its own */
          if (words[i] == NULL)
            break;
          continue;
        }
      if (w[0] == '-' || w[0] == '\0')
        continue;
      {
        g_autofree char *script = g_path_get_basename (w);
        return g_strdup_printf ("%s %s", interpreter, script);
      }
    }
  return NULL;
}

static char *
thread_name (Thread *th)
{
  /* The kernel's thread name (what `ps -L` and `top -H` show; CPython ≥ 3.14 sets it from
   * threading's names), with the tid that tells a process's threads apart; a Python process's
   * main thread by its script. */
  /* A multiprocessing child's main thread by the name multiprocessing gave its process
   * (ForkPoolWorker-1, a Process(name=…)): threading's name for it is that of the parent's
   * thread that forked it. */
  if (th->tid == th->pid && th->proc != NULL && th->proc->mp_name != NULL)
    return g_strdup_printf ("%s · %d", th->proc->mp_name, th->tid);
  /* The name the program gave it (threading.Thread(name=…), ThreadPoolExecutor-0_1), read from
   * its memory (il-program-stacks.c); not a main thread's default "MainThread": its script
   * says more. */
  if (th->py_name != NULL && th->py_name[0] != '\0' &&
      !(th->tid == th->pid && strcmp (th->py_name, "MainThread") == 0))
    return g_strdup_printf ("%s · %d", th->py_name, th->tid);
  if (th->tid == th->pid && th->proc != NULL)
    {
      g_autofree char *script = python_script_name (th->proc->command);

      if (script != NULL)
        return g_strdup_printf ("%s · %d", script, th->tid);
    }
  return g_strdup_printf ("%s · %d", th->comm[0] ? th->comm : "?", th->tid);
}

void
il_program_announce_process (IlProgram *self, Proc *p)
{
  Note note = { NOTE_PROCESS, 0, p->pid, p->ppid, 0, NULL, NULL };
  const char *command = p->command != NULL ? p->command : p->comm;
  g_autofree char *script = python_script_name (p->command);
  const char *name = script != NULL ? script : p->comm;

  /* Again when its command or name changed: a launcher's exec changes both, the name (the
   * kernel capture's COMM record) a little later. */
  if (p->announced && g_strcmp0 (p->announced_command, command) == 0 &&
      g_strcmp0 (p->announced_name, name) == 0)
    return;
  g_free (p->announced_command);
  p->announced_command = g_strdup (command);
  g_free (p->announced_name);
  p->announced_name = g_strdup (name);
  p->announced = TRUE;
  note.text = g_strdup (command);
  note.text2 = g_strdup (name);
  il_program_post_note (self, &note);
}

void
il_program_push_span (IlProgram *self, const IlSpan *span)
{
  for (guint tries = 0; !il_ring_push (self->ring, span); tries++)
    {
      /* The owner is behind: ask it to drain and wait, up to a second. */
      if (atomic_load (&self->notify) && self->drain_notify != NULL && il_ring_wants_drain (self->ring))
        self->drain_notify (self->notify_data);
      if (tries > 1000 || !atomic_load (&self->notify))
        {
          il_ring_count_drop (self->ring);
          return;
        }
      g_usleep (1000);
    }
  if (atomic_load (&self->notify) && self->drain_notify != NULL && il_ring_wants_drain (self->ring))
    self->drain_notify (self->notify_data);
}

/* Gives a confirmed process's thread its lane (once) and keeps its name current. */
void
il_program_thread_announce (IlProgram *self, Thread *th)
{
  g_autofree char *name = thread_name (th);

  if (th->lane < 0)
    {
      Note note = { NOTE_LANE, self->next_lane, th->pid, th->proc->ppid, th->tid, NULL, NULL };

      il_program_announce_process (self, th->proc);
      th->lane = (int) self->next_lane++;
      note.text = g_strdup (name);
      il_program_post_note (self, &note);
      th->announced_name = g_steal_pointer (&name);
      return;
    }
  if (g_strcmp0 (th->announced_name, name) != 0)
    {
      Note note = { NOTE_NAME, (guint) th->lane, th->pid, 0, th->tid, g_strdup (name), NULL };

      il_program_post_note (self, &note);
      g_free (th->announced_name);
      th->announced_name = g_steal_pointer (&name);
    }
}

void
il_program_push_undrawn (IlProgram *self, const IlSpan *span)
{
  IlSpan s = *span;

  if (s.state != IL_STATE_RUNNING || s.cpu < 0)
    return;
  s.worker = UNDRAWN_WORKER;
  s.task = -1;
  il_program_push_span (self, &s);
}

/* Records the kernel dropped from @cpu's ring over [@start, @end) of the run (il-program-perf.c). */
void
il_program_post_lost (IlProgram *self, int cpu, gint64 start, gint64 end, guint64 records)
{
  Note note = { NOTE_LOST, 0, 0, 0, cpu, NULL, NULL, start, end, records };

  il_program_post_note (self, &note);
}

static void
flush_span (IlProgram *self, Thread *th, const IlSpan *span)
{
  IlSpan s = *span;

  switch (th->proc->status)
    {
    case PROC_DROPPED:
      il_program_push_undrawn (self, &s);
      return;
    case PROC_PENDING:
      g_array_append_val (th->held, s);
      return;
    case PROC_CONFIRMED:
    default:
      il_program_thread_announce (self, th);
      s.worker = (guint16) th->lane;
      il_program_push_span (self, &s);
    }
}

void
il_program_flush_open (IlProgram *self, Thread *th)
{
  if (th->has_open)
    flush_span (self, th, &th->open);
  th->has_open = FALSE;
}

/* Adds [start, end) in @state (absolute times) to @th's output, merged with the open span. */
void
il_program_emit (IlProgram *self, Thread *th, guint8 code, int cpu, gint64 start, gint64 end)
{
  IlState state = CODE_STATE (code);
  /* What a blocked span waited on travels in its task field (traced programs have no tasks);
   * the owner moves it beside the spans (il_program_drain). */
  gint32 detail = CODE_KIND (code) != IL_WAIT_NONE ? -2 - (gint32) CODE_KIND (code) : -1;

  start -= self->origin_ns;
  end -= self->origin_ns;
  if (start < 0)
    start = 0;
  if (end <= start)
    return;
  if (th->has_open && th->open.state == state && th->open.cpu == cpu && th->open.task == detail &&
      th->open.end_ns >= start)
    {
      th->open.end_ns = MAX (th->open.end_ns, end);
      return;
    }
  if (th->has_open && start < th->open.end_ns)
    start = th->open.end_ns;
  if (end <= start)
    return;
  il_program_flush_open (self, th);
  th->open.start_ns = start;
  th->open.end_ns = end;
  th->open.state = state;
  th->open.cpu = (gint16) cpu;
  th->open.task = detail;
  th->open.worker = 0;
  th->has_open = TRUE;
}

static void
apply_notes (IlProgram *self, IlRunTrace *trace)
{
  g_autoptr(GArray) notes = NULL;

  g_mutex_lock (&self->note_mutex);
  notes = self->notes;
  self->notes = g_array_new (FALSE, FALSE, sizeof (Note));
  g_mutex_unlock (&self->note_mutex);

  for (guint i = 0; i < notes->len; i++)
    {
      Note *n = &g_array_index (notes, Note, i);

      switch (n->kind)
        {
        case NOTE_LANE:
          {
            guint id = il_run_trace_add_worker (trace, n->tid == n->pid ? IL_WORKER_PROCESS : IL_WORKER_THREAD,
                                                n->pid, n->tid, n->text);
            g_warn_if_fail (id == n->lane);
          }
          break;
        case NOTE_PROCESS:
          il_run_trace_add_process (trace, n->pid, n->ppid, n->text, n->text2);
          break;
        case NOTE_NAME:
          if (n->lane < il_run_trace_get_n_workers (trace))
            il_run_trace_set_worker_name (trace, n->lane, n->text);
          break;
        case NOTE_DROP:
          g_array_append_val (self->drop_pids, n->pid);
          break;
        case NOTE_LOST:
          il_run_trace_add_lost (trace, n->tid, n->start_ns, n->end_ns, n->count);
          break;
        default:
          break;
        }
      g_free (n->text);
      g_free (n->text2);
    }
}

gboolean
il_program_drain (IlProgram *self, IlRunTrace *trace)
{
  gboolean added = FALSE;
  guint n;

  /* Lanes are announced before their spans enter the ring: notes first, then spans. */
  apply_notes (self, trace);
  while ((n = il_ring_pop_many (self->ring, self->scratch, 4096)) > 0)
    {
      guint kept = 0;

      apply_notes (self, trace);
      for (guint i = 0; i < n; i++)
        {
          IlSpan *s = &self->scratch[i];

          if (s->worker == UNDRAWN_WORKER)
            {
              il_run_trace_add_undrawn (trace, s);
              continue;
            }
          if (s->task <= -2)
            {
              if (s->worker < il_run_trace_get_n_workers (trace))
                il_run_trace_add_wait (trace, s->worker, s->start_ns, (IlWaitKind) (-2 - s->task));
              s->task = -1;
            }
          self->scratch[kept++] = *s;
        }
      if (kept > 0)
        il_run_trace_append_many (trace, self->scratch, kept);
      added = TRUE;
    }
  return added;
}
