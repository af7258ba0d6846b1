/* il-recorder.c: opening, closing and splitting a worker's spans; the self capture's observation. */
#include "config.h"

#include "il-recorder.h"

/* Off-CPU time within one quantum beyond which the thread was switched out. A switch out and back
 * costs more than this by itself, while clock-read jitter stays well below it. */
#define IL_RECORDER_GAP_NS (4 * G_GINT64_CONSTANT (1000))

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
}

void
il_recorder_emit (IlRecorder *rec,
                  IlState     state,
                  int         task,
                  int         cpu,
                  gint64      start_ns,
                  gint64      end_ns)
{
  IlSpan span;

  if (end_ns <= start_ns)
    return;

  span.start_ns = start_ns - rec->origin_ns;
  span.end_ns = end_ns - rec->origin_ns;
  span.task = task;
  span.state = state;
  span.worker = rec->worker;
  span.cpu = (gint16) cpu;
  il_recorder_push (rec, &span);
}

void
il_recorder_task_done (IlRecorder   *rec,
                       int           task,
                       gint64        start_ns,
                       gint64        end_ns,
                       IlTaskStatus  status)
{
  IlSpan mark;

  mark.start_ns = start_ns - rec->origin_ns;
  mark.end_ns = end_ns - rec->origin_ns;
  mark.task = task;
  mark.state = IL_RING_TASK_MARK;
  mark.worker = rec->worker;
  mark.cpu = (gint16) status;
  il_recorder_push (rec, &mark);
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
      gint64 thread_ns = il_clock_thread_cpu_ns ();
      gint64 off_cpu_ns = (now_ns - rec->last_check_ns) - (thread_ns - rec->last_thread_ns);

      if (off_cpu_ns > rec->gap_ns || il_cpu_current () != rec->cpu)
        {
          il_recorder_emit (rec, IL_STATE_RUNNING, rec->task, rec->cpu, rec->start_ns,
                            rec->last_check_ns);
          il_recorder_emit (rec, IL_STATE_READY, rec->task, -1, rec->last_check_ns, now_ns);
          return;
        }
    }

  il_recorder_emit (rec, rec->state, rec->task, rec->cpu, rec->start_ns, now_ns);
}

void
il_recorder_enter_full (IlRecorder *rec,
                        IlState     state,
                        int         task,
                        gint64      now_ns)
{
  il_recorder_close (rec, now_ns);
  if (G_UNLIKELY (rec->stalled))
    {
      now_ns = il_clock_now_ns ();
      rec->stalled = FALSE;
    }

  rec->open = TRUE;
  rec->state = state;
  rec->task = task;
  rec->start_ns = now_ns;
  rec->cpu = -1;
  rec->last_check_ns = now_ns;
  if (state == IL_STATE_RUNNING)
    {
      rec->cpu = (gint16) il_cpu_current ();
      if (il_recorder_observes (rec))
        rec->last_thread_ns = il_clock_thread_cpu_ns ();
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
          rec->last_thread_ns = il_clock_thread_cpu_ns ();
        }
      rec->last_check_ns = now_ns;
    }
  rec->start_ns = now_ns;
  if (rec->flush != NULL)
    rec->flush (rec, rec->flush_data);
}

void
il_recorder_observe (IlRecorder *rec,
                     gint64      now_ns)
{
  gint64 thread_ns, off_cpu_ns;
  int cpu;

  if (!rec->open || rec->state != IL_STATE_RUNNING)
    {
      il_recorder_split_if_due (rec, now_ns);
      return;
    }

  cpu = il_cpu_current ();
  /* One system call per quantum (~0.5 µs here), but exact: a wall-clock gap alone misses short
   * preemptions, and then two threads would seem to run on one CPU at once. */
  thread_ns = il_clock_thread_cpu_ns ();
  off_cpu_ns = (now_ns - rec->last_check_ns) - (thread_ns - rec->last_thread_ns);
  rec->last_thread_ns = thread_ns;

  if (off_cpu_ns > rec->gap_ns || cpu != rec->cpu)
    {
      /* Between the last observation and this one the thread was off its CPU (a gap), or it
       * moved (a migration takes it off the CPU too). Only the two observations are facts, so
       * the running spans end and start exactly there and the time between is `ready`: this
       * keeps two threads' running spans on one CPU from overlapping. */
      il_recorder_emit (rec, IL_STATE_RUNNING, rec->task, rec->cpu, rec->start_ns,
                        rec->last_check_ns);
      il_recorder_emit (rec, IL_STATE_READY, rec->task, -1, rec->last_check_ns, now_ns);
      if (G_UNLIKELY (rec->stalled))
        {
          now_ns = il_clock_now_ns ();
          cpu = il_cpu_current ();
          rec->last_thread_ns = il_clock_thread_cpu_ns ();
          rec->stalled = FALSE;
        }
      rec->start_ns = now_ns;
      rec->cpu = (gint16) cpu;
    }
  else
    il_recorder_split_if_due (rec, now_ns);

  rec->last_check_ns = now_ns;
}
