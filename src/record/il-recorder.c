/* il-recorder.c: opening, closing and splitting a worker's spans; the self capture's observation. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdatomic.h>

#include "il-recorder.h"
#include "il-workload.h"

/* Off-CPU time within one quantum beyond which the thread was switched out. A switch out and back
 * costs more than this by itself, while clock-read jitter stays well below it. */
#define IL_RECORDER_GAP_NS (4 * G_GINT64_CONSTANT (1000))
/* A work quantum is IL_WORK_QUANTUM_NS of work: a step between two observations longer than
 * this was not all on the CPU, and takes the full observation. */
#define IL_RECORDER_STEP_NS (2 * IL_WORK_QUANTUM_NS)
/* At least every this many quanta the full observation, for short preemptions a step hides. */
#define IL_RECORDER_FULL_EVERY 5

struct _IlCpuBoard
{
  guint  n_cpus;
  struct
  {
    _Alignas (64) _Atomic int owner;
  } *slots;
};

IlCpuBoard *
il_cpu_board_new (void)
{
  IlCpuBoard *board = g_new0 (IlCpuBoard, 1);

  board->n_cpus = MAX (il_cpu_count (), 1);
  board->slots = g_aligned_alloc0 (board->n_cpus, sizeof board->slots[0], 64);
  for (guint i = 0; i < board->n_cpus; i++)
    atomic_init (&board->slots[i].owner, -1);
  return board;
}

void
il_cpu_board_free (IlCpuBoard *board)
{
  if (board == NULL)
    return;
  g_aligned_free (board->slots);
  g_free (board);
}

/* Marks this thread as the last one seen on @cpu; returns who was before (-2 without a board). */
static inline int
il_recorder_claim (IlRecorder *rec,
                   int         cpu)
{
  if (rec->board == NULL || cpu < 0 || (guint) cpu >= rec->board->n_cpus)
    return -2;
  return atomic_exchange (&rec->board->slots[cpu].owner, rec->board_owner);
}

/* Is this thread still the last one of the run seen on @cpu? (TRUE without a board) */
static inline gboolean
il_recorder_owns (IlRecorder *rec,
                  int         cpu)
{
  if (rec->board == NULL || cpu < 0 || (guint) cpu >= rec->board->n_cpus)
    return TRUE;
  return atomic_load_explicit (&rec->board->slots[cpu].owner, memory_order_relaxed) == rec->board_owner;
}

/* Does this recorder observe the CPU itself (self capture), rather than leave it to the kernel? */
static inline gboolean
il_recorder_observes (IlRecorder *rec)
{
  return rec->capture != NULL && rec->capture->klass->quantum != NULL;
}

void
il_recorder_init (IlRecorder *rec,
                  IlRing     *ring,
                  IlCapture  *capture,
                  guint       worker,
                  gint64      origin_ns)
{
  g_return_if_fail (rec != NULL);
  g_return_if_fail (ring != NULL);
  g_return_if_fail (worker <= G_MAXUINT16);

  memset (rec, 0, sizeof *rec);
  rec->ring = ring;
  rec->capture = capture;
  rec->worker = (guint16) worker;
  rec->origin_ns = origin_ns;
  rec->task = -1;
  rec->cpu = -1;
  rec->gap_ns = IL_RECORDER_GAP_NS;
  rec->board_owner = (int) worker;
}

/* Spans and task marks travel in the same ring as IlSpan entries, relative to the run's origin;
 * a mark carries the task's status where a span carries its CPU. */
static inline void
push_entry (IlRecorder *rec,
            guint       state,
            int         task,
            int         cpu,
            gint64      start_ns,
            gint64      end_ns)
{
  IlSpan entry;

  entry.start_ns = start_ns - rec->origin_ns;
  entry.end_ns = end_ns - rec->origin_ns;
  entry.task = task;
  entry.state = state;
  entry.worker = rec->worker;
  entry.cpu = (gint16) cpu;
  il_recorder_push (rec, &entry);
}

void
il_recorder_emit (IlRecorder *rec,
                  IlState     state,
                  int         task,
                  int         cpu,
                  gint64      start_ns,
                  gint64      end_ns)
{
  if (end_ns <= start_ns)
    return;

  push_entry (rec, state, task, cpu, start_ns, end_ns);
}

void
il_recorder_task_done (IlRecorder   *rec,
                       int           task,
                       gint64        start_ns,
                       gint64        end_ns,
                       IlTaskStatus  status)
{
  push_entry (rec, IL_RING_TASK_MARK, task, (int) status, start_ns, end_ns);
}

void
il_recorder_push_slow (IlRecorder   *rec,
                       const IlSpan *span)
{
  /* The consumer has fallen a whole ring behind: wake it and wait for room. This is the slow
   * path of a run that records faster than its owner drains (thousands of empty tasks). */
  for (guint spins = 0;; spins++)
    {
      if (rec->wake != NULL && (spins % 64) == 0)
        rec->wake (rec->wake_data);
      if (il_ring_push (rec->ring, span))
        {
          rec->stalled = spins > 0 || rec->stalled;
          return;
        }
      if (rec->cancel != NULL && atomic_load (rec->cancel) != 0)
        {
          il_ring_count_drop (rec->ring);
          return;
        }
      g_usleep (50);
    }
}

/* Ends the running span and records `ready` up to @now_ns when, since the last full observation
 * (@since_ns), the thread was off its CPU for more than a gap, or moved (a migration takes it off
 * the CPU too). @cpu is where it is now and @prev who was seen on @cpu before it
 * (il_recorder_claim()). When it stayed on the same CPU and no other thread of the run was seen
 * there meanwhile, it ran the rest of the time: `ready` is exactly the time it was off, placed at
 * the end (after the last light observation, which saw it on its CPU, when it fits there: light
 * observations every quantum make this place exact to a quantum). Otherwise only the observations
 * are facts, so the running span ends at the last one (rec->last_check_ns, when it was still on
 * its CPU) and the time between is `ready`. Either way no two threads' running spans on one CPU
 * overlap. FALSE, emitting nothing, when the thread stayed on its CPU. */
static inline gboolean
emit_if_off_cpu (IlRecorder *rec,
                 int         cpu,
                 int         prev,
                 gint64      since_ns,
                 gint64      now_ns,
                 gint64      off_cpu_ns)
{
  gint64 end = rec->last_check_ns;

  if (off_cpu_ns <= rec->gap_ns && cpu == rec->cpu)
    return FALSE;

  if (cpu == rec->cpu && prev == rec->board_owner)
    end = MAX (since_ns, now_ns - off_cpu_ns);
  end = MAX (end, rec->start_ns);
  il_recorder_emit (rec, IL_STATE_RUNNING, rec->task, rec->cpu, rec->start_ns, end);
  il_recorder_emit (rec, IL_STATE_READY, rec->task, -1, end, now_ns);
  return TRUE;
}

void
il_recorder_close (IlRecorder *rec,
                   gint64      now_ns)
{
  if (!rec->open)
    return;
  rec->open = FALSE;

  /* The last stretch of a running span, since the last observation, is checked like any other
   * quantum: a thread preempted at the end of its work must not claim the CPU meanwhile. Too short
   * a stretch to hide a switch needs no check (empty tasks stay cheap). */
  if (rec->state == IL_STATE_RUNNING && il_recorder_observes (rec) &&
      now_ns - rec->last_check_ns > rec->gap_ns)
    {
      int cpu = il_cpu_current ();
      int prev = il_recorder_claim (rec, cpu);
      gint64 thread_ns = il_clock_thread_cpu_ns ();
      gint64 off_cpu_ns = (now_ns - rec->last_full_ns) - (thread_ns - rec->last_thread_ns);

      if (emit_if_off_cpu (rec, cpu, prev, rec->last_full_ns, now_ns, off_cpu_ns))
        return;
    }

  il_recorder_emit (rec, rec->state, rec->task, rec->cpu, rec->start_ns, now_ns);
}

void
il_recorder_enter_full (IlRecorder *rec,
                        IlState     state,
                        int         task,
                        gint64      now_ns)
{
  int cpu = -1;

  il_recorder_close (rec, now_ns);
  if (G_UNLIKELY (rec->stalled))
    {
      now_ns = il_clock_now_ns ();
      rec->stalled = FALSE;
    }
  /* A running span starts after its claim on the board, as in il_recorder_observe(): @now_ns
   * was read before, maybe on another CPU, and another thread's light observation on this CPU
   * between that read and the claim still saw the CPU as its own, so its span ran past our start
   * (running spans of two threads on one CPU overlapped by some ns). The lane has a gap of the
   * claim's cost instead. */
  if (state == IL_STATE_RUNNING && il_recorder_observes (rec) && rec->board != NULL)
    {
      cpu = il_cpu_current ();
      il_recorder_claim (rec, cpu);
      now_ns = MAX (now_ns, il_clock_now_ns ());
    }

  rec->open = TRUE;
  rec->state = state;
  rec->task = task;
  rec->start_ns = now_ns;
  rec->cpu = -1;
  rec->last_check_ns = now_ns;
  rec->last_full_ns = now_ns;
  rec->light_checks = 0;
  if (state == IL_STATE_RUNNING)
    {
      rec->cpu = (gint16) (cpu >= 0 ? cpu : il_cpu_current ());
      if (il_recorder_observes (rec))
        {
          if (cpu < 0)
            il_recorder_claim (rec, rec->cpu);
          rec->last_thread_ns = il_clock_thread_cpu_ns ();
        }
    }
}

void
il_recorder_split_if_due (IlRecorder *rec,
                          gint64      now_ns)
{
  if (!rec->open || now_ns - rec->start_ns < IL_RECORDER_SPLIT_NS)
    return;

  il_recorder_emit (rec, rec->state, rec->task, rec->cpu, rec->start_ns, now_ns);
  if (G_UNLIKELY (rec->stalled))
    {
      now_ns = il_clock_now_ns ();
      rec->stalled = FALSE;
      if (rec->state == IL_STATE_RUNNING)
        {
          rec->cpu = (gint16) il_cpu_current ();
          il_recorder_claim (rec, rec->cpu);
          rec->last_thread_ns = il_clock_thread_cpu_ns ();
        }
      rec->last_check_ns = now_ns;
      rec->last_full_ns = now_ns;
      rec->light_checks = 0;
    }
  rec->start_ns = now_ns;
  if (rec->flush != NULL)
    rec->flush (rec, rec->flush_data);
}

void
il_recorder_observe (IlRecorder *rec,
                     gint64      now_ns)
{
  gint64 thread_ns, off_cpu_ns, since_ns;
  int cpu, prev;

  if (!rec->open || rec->state != IL_STATE_RUNNING)
    {
      il_recorder_split_if_due (rec, now_ns);
      return;
    }

  cpu = il_cpu_current ();
  /* The light observation: still on its CPU, the quantum took about as long as its work, and no
   * other thread of the run claimed the CPU meanwhile (this one was off for that: the full
   * observation claims it back and says how long). */
  if (cpu == rec->cpu && now_ns - rec->last_check_ns <= IL_RECORDER_STEP_NS &&
      ++rec->light_checks < IL_RECORDER_FULL_EVERY && il_recorder_owns (rec, cpu))
    {
      rec->last_check_ns = now_ns;
      il_recorder_split_if_due (rec, now_ns);
      return;
    }
  rec->light_checks = 0;

  prev = il_recorder_claim (rec, cpu);
  /* Read after the claim, so a span that starts here never starts before its claim. */
  now_ns = il_clock_now_ns ();
  /* One system call (~0.5 µs here), but exact: a wall-clock gap alone misses short preemptions,
   * and then two threads would seem to run on one CPU at once. */
  thread_ns = il_clock_thread_cpu_ns ();
  since_ns = rec->last_full_ns;
  off_cpu_ns = (now_ns - since_ns) - (thread_ns - rec->last_thread_ns);
  rec->last_thread_ns = thread_ns;
  rec->last_full_ns = now_ns;

  if (emit_if_off_cpu (rec, cpu, prev, since_ns, now_ns, off_cpu_ns))
    {
      if (G_UNLIKELY (rec->stalled))
        {
          cpu = il_cpu_current ();
          il_recorder_claim (rec, cpu);
          now_ns = il_clock_now_ns ();
          rec->last_thread_ns = il_clock_thread_cpu_ns ();
          rec->last_full_ns = now_ns;
          rec->stalled = FALSE;
        }
      rec->start_ns = now_ns;
      rec->cpu = (gint16) cpu;
    }
  else
    il_recorder_split_if_due (rec, now_ns);

  rec->last_check_ns = now_ns;
}
