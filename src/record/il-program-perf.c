/* il-program-perf.c: a traced program's kernel capture: per-CPU perf context-switch rings. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kernel capture of a traced program: one perf context-switch ring per CPU, inherited by its
 * threads and children from its exec on, read in time order up to a horizon. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-perf.h"
#include "il-program-private.h"

static void
collect_record (const struct perf_event_header *h, gpointer data)
{
  IlProgram *self = data;
  const guchar *rec = (const guchar *) h;
  struct { guint32 pid, tid; guint64 time; guint32 cpu, res; } id;
  Event e = { 0 };

  if (h->size < sizeof *h + sizeof id)
    return;
  memcpy (&id, rec + h->size - sizeof id, sizeof id);
  if (h->type == PERF_RECORD_LOST)
    {
      /* { id, lost, sample_id }: reported when the ring had room again, so what it lost lies
       * between the ring's last record kept and this one, on this ring's CPU. */
      memcpy (&e.lost, rec + sizeof *h + 8, 8);
      self->lost += e.lost;
      e.type = h->type;
      e.time = id.time;
      e.cpu = (int) self->reading;
      e.lost_since = self->ring_last[self->reading] != 0 ? self->ring_last[self->reading]
                                                          : (guint64) self->origin_ns;
      e.lost_since = MIN (e.lost_since, e.time);
      self->ring_last[self->reading] = id.time;
      g_array_append_val (self->events, e);
      return;
    }
  self->ring_last[self->reading] = MAX (self->ring_last[self->reading], id.time);
  e.type = h->type;
  e.misc = h->misc;
  e.time = id.time;
  e.pid = (int) id.pid;
  e.tid = (int) id.tid;
  e.cpu = (int) id.cpu;

  switch (h->type)
    {
    case PERF_RECORD_SWITCH:
      break;
    case PERF_RECORD_COMM:
      {
        guint32 pid, tid;
        memcpy (&pid, rec + sizeof *h, 4);
        memcpy (&tid, rec + sizeof *h + 4, 4);
        e.pid = (int) pid;
        e.tid = (int) tid;
        g_strlcpy (e.comm, (const char *) rec + sizeof *h + 8, sizeof e.comm);
        break;
      }
    case PERF_RECORD_FORK:
    case PERF_RECORD_EXIT:
      {
        /* pid, ppid, tid, ptid, time */
        guint32 pid, ppid, tid;
        memcpy (&pid, rec + sizeof *h, 4);
        memcpy (&ppid, rec + sizeof *h + 4, 4);
        memcpy (&tid, rec + sizeof *h + 8, 4);
        memcpy (&e.time, rec + sizeof *h + 16, 8);
        e.pid = (int) pid;
        e.ppid = (int) ppid;
        e.tid = (int) tid;
        break;
      }
    default:
      return;
    }
  g_array_append_val (self->events, e);
}

/* A record older than what was already laid out (its ring was read late: a virtual CPU can be
 * stopped between an event's time stamp and its record): the open span is cut back to it. */
static void
rewind_to (IlProgram *self, Thread *th, gint64 t)
{
  gint64 rel = t - self->origin_ns;

  if (t >= th->since_ns)
    return;
  if (th->has_open && th->open.end_ns > rel)
    {
      if (th->open.start_ns < rel)
        th->open.end_ns = rel;
      else
        th->has_open = FALSE;
    }
  th->since_ns = t;
}

/* What the kernel dropped from CPU @e->cpu's ring covers [lost_since, time) there: a thread that
 * was on another CPU then kept its records (a switch is recorded on the CPU it happens on) and is
 * known; any other may have run, blocked or moved in it. Their lanes stay empty over it (unknown,
 * never a wait or idle), and each is unsure until its next record says where it was since. */
static void
lost_records (IlProgram *self, const Event *e)
{
  gint64 s = (gint64) e->lost_since, t = (gint64) e->time;
  GHashTableIter iter;
  gpointer value;

  il_program_post_lost (self, e->cpu, s - self->origin_ns, t - self->origin_ns, e->lost);
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;

      if (th->exited || th->before_exec || (th->on_cpu && th->cpu != e->cpu && !th->unsure))
        continue;
      /* What was laid out past its own last record (up to a horizon) is cut back. */
      rewind_to (self, th, MAX (s, th->record_ns));
      if (!th->unsure && th->since_ns < s)
        il_program_emit (self, th,
                         th->on_cpu ? IL_STATE_RUNNING
                                    : th->preempted ? IL_STATE_READY
                                                    : il_program_blocked_state_between (th, th->since_ns, s),
                         th->on_cpu ? th->cpu : -1, th->since_ns, s);
      th->since_ns = MAX (th->since_ns, t);
      th->unsure = TRUE;
    }
}

static void
handle_event (IlProgram *self, const Event *e)
{
  Thread *th;
  gint64 t = (gint64) e->time;

  switch (e->type)
    {
    case PERF_RECORD_SWITCH:
      th = il_program_get_thread (self, e->pid, e->tid, t);
      if (th->exited)
        break;
      th->before_exec = FALSE;   /* its exec record went missing: from its start, as before */
      rewind_to (self, th, t);
      th->record_ns = MAX (th->record_ns, t);
      if (th->unsure)
        {
          /* Its first record after a loss: whatever it did in the loss, since then it was on
           * a CPU (this one) if it now leaves it, off any if it now comes to one. */
          th->unsure = FALSE;
          th->on_cpu = (e->misc & PERF_RECORD_MISC_SWITCH_OUT) != 0;
          th->cpu = e->cpu;
          th->preempted = FALSE;
        }
      if (e->misc & PERF_RECORD_MISC_SWITCH_OUT)
        {
          /* Without a switch-in seen (on CPU when tracing began at its exec), it ran on the CPU
           * it now leaves. */
          il_program_emit (self, th, IL_STATE_RUNNING, th->on_cpu ? th->cpu : e->cpu, th->since_ns, t);
          th->on_cpu = FALSE;
          th->preempted = (e->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0;
        }
      else
        {
          if (!th->on_cpu)
            il_program_emit (self, th,
                             th->preempted ? IL_STATE_READY
                                           : il_program_blocked_state_between (th, th->since_ns, t),
                             -1, th->since_ns, t);
          th->on_cpu = TRUE;
          th->cpu = e->cpu;
        }
      th->since_ns = t;
      break;

    case PERF_RECORD_COMM:
      th = il_program_get_thread (self, e->pid, e->tid, t);
      g_strlcpy (th->comm, e->comm, sizeof th->comm);
      if (th->tid == th->pid)
        {
          memcpy (th->proc->comm, th->comm, sizeof th->comm);
          if (e->misc & PERF_RECORD_MISC_COMM_EXEC)
            il_program_proc_exec (self, th->proc, t);
          /* Our child's records start at its exec (enable_on_exec), on a CPU. Before, it was still
           * ours, waiting for the gate and a CPU: tens of ms on a busy machine, which, laid out as
           * the program's running, made a waiting `sh -c` look like a worker. */
          if (th->before_exec && (e->misc & PERF_RECORD_MISC_COMM_EXEC))
            {
              th->before_exec = FALSE;
              th->on_cpu = TRUE;
              th->cpu = e->cpu;
              th->preempted = FALSE;
              th->since_ns = MAX (th->since_ns, t);
            }
        }
      if (th->lane >= 0)
        il_program_thread_announce (self, th);
      break;

    case PERF_RECORD_FORK:
      if (e->pid == e->tid)
        il_program_get_proc (self, e->pid, e->ppid, t);
      th = il_program_get_thread (self, e->pid, e->tid, t);
      break;

    case PERF_RECORD_EXIT:
      th = g_hash_table_lookup (self->threads, GINT_TO_POINTER (e->tid));
      if (th != NULL && !th->exited)
        {
          rewind_to (self, th, t);
          if (th->unsure)
            {
              /* A thread ends on a CPU: it was on this one since the loss. */
              th->unsure = FALSE;
              th->on_cpu = TRUE;
              th->cpu = e->cpu;
            }
          if (th->on_cpu)
            il_program_emit (self, th, IL_STATE_RUNNING, th->cpu, th->since_ns, t);
          th->on_cpu = FALSE;
          th->exited = TRUE;
          il_program_flush_open (self, th);
          il_program_thread_close_files (th);
          if (th->tid == th->pid)
            th->proc->exited = TRUE;
        }
      break;

    case PERF_RECORD_LOST:
      lost_records (self, e);
      break;

    default:
      break;
    }
}

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const Event *x = a, *y = b;

  return x->time < y->time ? -1 : x->time > y->time;
}

/* Reads every ring. A new thread of a known process is known from its record at once, not only
 * when the record is handled (up to PERF_MARGIN_NS later): what it waits on is sampled from its
 * start. */
static void
read_rings (IlProgram *self)
{
  guint from = self->events->len;

  for (guint c = 0; c < self->n_cpus; c++)
    {
      self->reading = c;
      il_perf_ring_read (self->rings[c], (const guint8 *) self->rings[c] + self->rings[c]->data_offset,
                         self->rings[c]->data_size, collect_record, self);
    }
  for (guint i = from; i < self->events->len; i++)
    {
      const Event *e = &g_array_index (self->events, Event, i);
      Thread *th;

      if (e->type == PERF_RECORD_FORK && e->pid != e->tid &&
          g_hash_table_contains (self->procs, GINT_TO_POINTER (e->pid)))
        il_program_get_thread (self, e->pid, e->tid, (gint64) e->time);
      /* Where each thread is now, as far as its records say (rings are per CPU, so its records
       * come in time order only across all of them). */
      else if (e->type == PERF_RECORD_SWITCH &&
               (th = g_hash_table_lookup (self->threads, GINT_TO_POINTER (e->tid))) != NULL &&
               (gint64) e->time >= th->seen_ns)
        {
          th->seen_ns = (gint64) e->time;
          th->seen_blocked = (e->misc & PERF_RECORD_MISC_SWITCH_OUT) &&
                             !(e->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT);
        }
      /* Records were lost: what the others say may be old; every system call is read again. */
      else if (e->type == PERF_RECORD_LOST)
        {
          GHashTableIter iter;
          gpointer value;

          g_hash_table_iter_init (&iter, self->threads);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            ((Thread *) value)->seen_ns = 0;
        }
    }
}

/* Reads every ring, then handles the records older than @horizon in time order (rings are per
 * CPU, so a thread's switch-out and its next switch-in can sit in different rings). */
void
il_program_perf_process (IlProgram *self, gint64 horizon)
{
  guint keep = 0;
  GHashTableIter iter;
  gpointer value;

  read_rings (self);
  g_array_sort (self->events, compare_events);
  while (keep < self->events->len && (gint64) g_array_index (self->events, Event, keep).time < horizon)
    keep++;
  for (guint i = 0; i < keep; i++)
    handle_event (self, &g_array_index (self->events, Event, i));
  g_array_remove_range (self->events, 0, keep);

  /* What is known up to the horizon is recorded now, so a thread that runs for seconds without
   * a switch still shows live. */
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;

      if (th->exited || th->before_exec || th->unsure || th->since_ns >= horizon)
        continue;
      if (th->on_cpu)
        il_program_emit (self, th, IL_STATE_RUNNING, th->cpu, th->since_ns, horizon);
      else
        il_program_emit (self, th,
                         th->preempted ? IL_STATE_READY
                                       : il_program_blocked_state_between (th, th->since_ns, horizon),
                         -1, th->since_ns, horizon);
      th->since_ns = horizon;
      il_program_prune_reasons (th, horizon - REASON_KEEP_NS);
    }
}

static int
perf_open (IlProgram *self, int cpu, int *saved_errno)
{
  struct perf_event_attr attr;
  int fd;

  il_perf_switch_attr_init (&attr);
  /* Follow the program's threads and children from its exec on, with their names. */
  attr.comm = 1;
  attr.comm_exec = 1;
  attr.task = 1;
  attr.inherit = 1;
  attr.disabled = 1;
  attr.enable_on_exec = 1;
  attr.watermark = 1;
  attr.wakeup_watermark = self->perf_pages * 4096 / 4;
  /* One event per CPU: the kernel maps a ring only for those when children inherit it. */
  fd = (int) syscall (SYS_perf_event_open, &attr, self->root, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0)
    *saved_errno = errno;
  return fd;
}

gboolean
il_program_perf_setup (IlProgram *self, GError **error)
{
  const char *pages = g_getenv ("IL_TEST_PERF_PAGES");

  self->n_cpus = MAX (il_cpu_count (), 1);
  /* Test hook (docs/capture.md): smaller rings, so a test can make the kernel drop records. */
  self->perf_pages = PERF_PAGES;
  if (pages != NULL)
    {
      guint64 n = g_ascii_strtoull (pages, NULL, 10);
      if (n >= 1 && n <= PERF_PAGES && (n & (n - 1)) == 0)
        self->perf_pages = (guint) n;
    }
  self->map_size = (1 + self->perf_pages) * (gsize) sysconf (_SC_PAGESIZE);
  self->ring_last = g_new0 (guint64, self->n_cpus);
  self->fds = g_new (int, self->n_cpus);
  self->rings = g_new0 (struct perf_event_mmap_page *, self->n_cpus);
  for (guint c = 0; c < self->n_cpus; c++)
    self->fds[c] = -1;
  for (guint c = 0; c < self->n_cpus; c++)
    {
      int saved = 0;
      gpointer map;

      self->fds[c] = perf_open (self, (int) c, &saved);
      if (self->fds[c] < 0)
        {
          g_autofree char *msg = il_perf_refused_message (saved);
          g_set_error_literal (error, IL_ERROR, IL_ERROR_UNSUPPORTED, msg);
          return FALSE;
        }
      map = mmap (NULL, self->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fds[c], 0);
      if (map == MAP_FAILED)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                       _("Cannot map the kernel's trace buffer: %s"), g_strerror (errno));
          return FALSE;
        }
      self->rings[c] = map;
    }
  return TRUE;
}

void
il_program_perf_teardown (IlProgram *self)
{
  for (guint c = 0; self->fds != NULL && c < self->n_cpus; c++)
    {
      if (self->rings[c] != NULL)
        munmap (self->rings[c], self->map_size);
      if (self->fds[c] >= 0)
        close (self->fds[c]);
    }
  g_clear_pointer (&self->fds, g_free);
  g_clear_pointer (&self->rings, g_free);
  g_clear_pointer (&self->ring_last, g_free);
}

/* Kernel capture: which blocked system call each live thread is in, sampled every 2 ms (switch
 * records say when a thread blocked, not on what). The rings are read first (a read of our own
 * memory): a thread started since is sampled from now, not from the next drain, up to 10 ms
 * later, by when its first wait (a Python thread's is the GIL's, 1-5 ms) was over unsampled and
 * drawn as a wait of no known kind. They also say where each thread is now, which spares most
 * reads of /proc (each a system call with a permission check, and most of the tracer's time
 * beside its wake-ups): a thread whose latest record put it on a CPU or preempted it is not in
 * a blocking call (the read would say "running"); one that blocked and has had no record since
 * has not run since, so it is still in the call its last read found, which counts again as this
 * tick's sample. Every thread is still read at least every REASON_READ_NS, and after lost
 * records. */
void
il_program_perf_sample_reasons (IlProgram *self, gint64 now)
{
  GHashTableIter iter;
  gpointer value;

  read_rings (self);
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;
      guint8 s;

      if (th->exited)
        continue;
      if (th->seen_ns > 0 && th->seen_ns == th->reason_seen_ns && now - th->reason_read_ns < REASON_READ_NS &&
          (!th->seen_blocked || th->reason_code != NO_REASON))
        {
          th->syscall_running = !th->seen_blocked;
          th->syscall_ns = now;
          if (th->seen_blocked)
            il_program_note_reason (th, now, th->reason_code);
          continue;
        }
      s = il_program_read_block_reason (self, th, now);
      th->reason_read_ns = now;
      th->reason_seen_ns = th->seen_ns;
      th->reason_code = s;
      if (s != NO_REASON)
        il_program_note_reason (th, now, s);
    }
}
