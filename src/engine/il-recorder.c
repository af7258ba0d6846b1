/* il-recorder.c: opening, closing and splitting a worker's spans; the self capture's observation. */
#include "config.h"

#include "il-recorder.h"

/* Far longer than one work quantum (~25 µs) yet shorter than a scheduler time slice, so a
 * preemption shows as `ready` while cache misses and interrupts do not. */
#define IL_RECORDER_GAP_NS (200 * G_GINT64_CONSTANT (1000))

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
        return;
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
  il_recorder_emit (rec, rec->state, rec->task, rec->cpu, rec->start_ns, now_ns);
  rec->open = FALSE;
}

void
il_recorder_enter (IlRecorder *rec,
                   IlState     state,
                   int         task,
                   gint64      now_ns)
{
  il_recorder_close (rec, now_ns);

  rec->open = TRUE;
  rec->state = state;
  rec->task = task;
  rec->start_ns = now_ns;
  rec->cpu = state == IL_STATE_RUNNING ? (gint16) il_cpu_current () : -1;
  rec->last_check_ns = now_ns;
}

void
il_recorder_split_if_due (IlRecorder *rec,
                          gint64      now_ns)
{
  if (!rec->open || now_ns - rec->start_ns < IL_RECORDER_SPLIT_NS)
    return;

  il_recorder_emit (rec, rec->state, rec->task, rec->cpu, rec->start_ns, now_ns);
  rec->start_ns = now_ns;
  if (rec->flush != NULL)
    rec->flush (rec, rec->flush_data);
}

void
il_recorder_observe (IlRecorder *rec,
                     gint64      now_ns)
{
  int cpu;

  if (!rec->open || rec->state != IL_STATE_RUNNING)
    {
      il_recorder_split_if_due (rec, now_ns);
      return;
    }

  cpu = il_cpu_current ();

  if (now_ns - rec->last_check_ns > rec->gap_ns || cpu != rec->cpu)
    {
      /* Between the last observation and this one the thread was off its CPU (a gap), or it
       * moved (a migration takes it off the CPU too). Only the two observations are facts, so
       * the running spans end and start exactly there and the time between is `ready`: this
       * keeps two threads' running spans on one CPU from overlapping. */
      il_recorder_emit (rec, IL_STATE_RUNNING, rec->task, rec->cpu, rec->start_ns,
                        rec->last_check_ns);
      il_recorder_emit (rec, IL_STATE_READY, rec->task, -1, rec->last_check_ns, now_ns);
      rec->start_ns = now_ns;
      rec->cpu = (gint16) cpu;
    }
  else
    il_recorder_split_if_due (rec, now_ns);

  rec->last_check_ns = now_ns;
}
