/* il-recorder.h: a worker's recording end: keeps its open span and pushes closed ones into its ring. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-clock.h"
#include "il-capture.h"
#include "il-ring.h"

G_BEGIN_DECLS

/* Spans longer than this are closed and reopened so a live view sees progress: with the owner
 * draining every 50 ms, each drain brings something new from every running worker. */
#define IL_RECORDER_SPLIT_NS (10 * G_GINT64_CONSTANT (1000000))

/* Which of a run's threads last observed itself on each CPU. The self capture knows exactly how
 * long a thread was off its CPU within a quantum, but not when; it may place that time at the
 * quantum's end only if no other thread of the run was seen on the CPU meanwhile (it could have
 * run there), and otherwise counts the whole quantum as `ready`. One padded slot per CPU. */
typedef struct _IlCpuBoard IlCpuBoard;

IlCpuBoard *il_cpu_board_new   (void);
void        il_cpu_board_free  (IlCpuBoard *board);

/* Lives on its worker's thread; only that thread touches it. Times are absolute CLOCK_MONOTONIC;
 * they become run-relative when pushed. */
struct _IlRecorder
{
  IlRing     *ring;
  IlCapture  *capture;
  gint64      origin_ns;
  guint16     worker;

  /* The open span. */
  gboolean    open;
  guint8      state;
  gint32      task;
  gint16      cpu;
  gint64      start_ns;

  /* Self capture: the last observation in the work loop (@last_check_ns: the thread was on
   * @cpu then), and the last full one: wall clock and the thread's own CPU clock. Their
   * difference grows exactly when the thread is off its CPU; beyond @gap_ns it was preempted (or
   * migrated) and that stretch is `ready`. Reading the thread's CPU clock is a system call, so
   * most quanta only read the wall clock and the CPU (vDSO, rseq): a step much longer than a
   * quantum, a new CPU, or every few quanta, takes the full observation. */
  gint64      last_check_ns;
  gint64      last_full_ns;
  gint64      last_thread_ns;
  gint64      gap_ns;
  guint       light_checks;   /* quanta since the last full observation */
  /* Optional: the run's CPU board, and this thread's name on it (threads of one run differ;
   * coroutines sharing a thread share it). */
  IlCpuBoard *board;
  int         board_owner;

  /* Optional: called when a span was split for liveness (the worker process flushes its pipe). */
  void      (*flush) (IlRecorder *rec, gpointer data);
  gpointer    flush_data;

  /* Asks the ring's consumer to drain soon (more than half full). Called rarely, from the
   * worker's thread; without it a full ring is waited out by polling. */
  void      (*wake) (gpointer data);
  gpointer    wake_data;
  /* While the ring is full the recorder waits for room (a trace with holes would lie), unless
   * this flag is raised: then the entry is counted as dropped. */
  _Atomic int *cancel;
  /* Set when a push had to wait for room: the time read before it is stale, and the thread may
   * have moved, so the next span starts from a fresh observation (the wait stays a hole). */
  gboolean    stalled;
};

void   il_recorder_init      (IlRecorder *rec, IlRing *ring, IlCapture *capture, guint worker,
                              gint64 origin_ns);
/* Closes the open span at @now_ns and opens @state. A running span takes the CPU it is on now.
 * (il_recorder_enter() below is the inline front; this does every case.) */
void   il_recorder_enter_full (IlRecorder *rec, IlState state, int task, gint64 now_ns);
/* Closes the open span at @now_ns; nothing is open afterwards. */
void   il_recorder_close     (IlRecorder *rec, gint64 now_ns);
/* Pushes one closed span (absolute times). */
void   il_recorder_emit      (IlRecorder *rec, IlState state, int task, int cpu, gint64 start_ns,
                              gint64 end_ns);
/* Records a finished task (absolute times). */
void   il_recorder_task_done (IlRecorder *rec, int task, gint64 start_ns, gint64 end_ns,
                              IlTaskStatus status);
/* Outside the CPU loop (sleep slices, GIL waits): close and reopen the open span when it is long. */
void   il_recorder_split_if_due (IlRecorder *rec, gint64 now_ns);

/* Pushes one entry into the ring; waits for room when it is full. */
void   il_recorder_push_slow (IlRecorder *rec, const IlSpan *span);

static inline void
il_recorder_push (IlRecorder   *rec,
                  const IlSpan *span)
{
  gboolean wants_drain = FALSE;

  if (G_UNLIKELY (!il_ring_push_full (rec->ring, span, &wants_drain)))
    il_recorder_push_slow (rec, span);
  else if (G_UNLIKELY (wants_drain) && rec->wake != NULL)
    rec->wake (rec->wake_data);
}

/* The common state change between two waiting states (idle, io-wait, gil-wait…) in a ring with
 * room: the closed span is written straight into its slot. Everything else (a running span to
 * check, a CPU to read, a ring half full) takes il_recorder_enter_full(). */
static inline void
il_recorder_enter (IlRecorder *rec,
                   IlState     state,
                   int         task,
                   gint64      now_ns)
{
  IlRing *ring = rec->ring;
  guint64 head = atomic_load_explicit (&ring->head, memory_order_relaxed);

  if (G_LIKELY (rec->open && rec->state != IL_STATE_RUNNING && state != IL_STATE_RUNNING &&
                now_ns > rec->start_ns && !rec->stalled &&
                head + 1 - ring->cached_tail <= (ring->mask + 1) / 2))
    {
      IlSpan *slot = &ring->slots[head & ring->mask];

      slot->start_ns = rec->start_ns - rec->origin_ns;
      slot->end_ns = now_ns - rec->origin_ns;
      slot->task = rec->task;
      slot->state = rec->state;
      slot->worker = rec->worker;
      slot->cpu = -1;
      atomic_store_explicit (&ring->head, head + 1, memory_order_release);

      rec->state = state;
      rec->task = task;
      rec->start_ns = now_ns;
      rec->last_check_ns = now_ns;
      return;
    }

  il_recorder_enter_full (rec, state, task, now_ns);
}

/* Self capture's observation, called by the capture at each quantum. */
void   il_recorder_observe   (IlRecorder *rec, gint64 now_ns);

/* Called in the CPU work loop once per work quantum: the capture observes, and long spans are
 * split. Cheap: one clock read and, with the self capture, one sched_getcpu(). */
static inline void
il_recorder_quantum (IlRecorder *rec)
{
  gint64 now = il_clock_now_ns ();

  if (rec->capture != NULL && rec->capture->klass->quantum != NULL)
    rec->capture->klass->quantum (rec, now);
  else
    {
      il_recorder_split_if_due (rec, now);
      rec->last_check_ns = now;
    }
}

G_END_DECLS
