/* test-gil.c: the emulated GIL's rules: never two holders, a waiter gets the lock within about one
 * switch interval, blocking waits release it, forced switching hands it over. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "il-capture.h"
#include "il-clock.h"
#include "il-gil.h"
#include "il-ring.h"
#include "il-workload.h"
#include "il-test-util.h"

#define INTERVAL_MS 5.0

typedef struct
{
  IlGil       *gil;
  _Atomic int  holders;
  _Atomic int  max_holders;
  _Atomic int  stop;
  _Atomic int  acquisitions[4];
} Shared;

typedef struct
{
  Shared *shared;
  int     id;
} Worker;

static void
hold_begin (Shared *s)
{
  int h = atomic_fetch_add (&s->holders, 1) + 1;
  int m = atomic_load (&s->max_holders);

  while (h > m && !atomic_compare_exchange_weak (&s->max_holders, &m, h))
    ;
}

static void
hold_end (Shared *s)
{
  atomic_fetch_sub (&s->holders, 1);
}

/* Like a Python thread: CPU work in quanta, checking the drop request at each, and now and then a
 * blocking call that releases the lock. */
static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  Shared *s = w->shared;
  guint64 sink = 0;
  guint round = 0;
  const IlCalibration *cal = il_calibration_get ();

  while (!atomic_load (&s->stop))
    {
      g_assert_true (il_gil_take (s->gil, w->id, NULL, -1));
      hold_begin (s);
      atomic_fetch_add (&s->acquisitions[w->id], 1);

      for (guint q = 0; q < 400 && !atomic_load (&s->stop); q++)
        {
          sink ^= il_work_cpu_blocks (il_work_cpu_quantum (cal), sink);
          if (il_gil_drop_requested (s->gil))
            {
              hold_end (s);
              g_assert_true (il_gil_yield (s->gil, w->id, NULL, -1));
              hold_begin (s);
              atomic_fetch_add (&s->acquisitions[w->id], 1);
            }
        }

      hold_end (s);
      if (++round % 3 == 0)
        {
          il_gil_drop (s->gil, w->id, NULL, -1, IL_STATE_IO_WAIT, FALSE);
          g_usleep (500);
        }
      else
        il_gil_drop (s->gil, w->id, NULL, -1, IL_STATE_IDLE, FALSE);
    }

  return GSIZE_TO_POINTER (sink | 1);
}

/* The event the run of workers waits for: enough hand-overs that two holders at once, were the
 * lock to allow them, would have shown. */
static gboolean
switched_enough (gpointer data)
{
  Shared *s = data;
  guint64 switches;

  for (int i = 0; i < 4; i++)
    if (atomic_load (&s->acquisitions[i]) < 5)
      return FALSE;
  g_mutex_lock (&s->gil->mutex);
  switches = s->gil->n_switches;
  g_mutex_unlock (&s->gil->mutex);
  return switches >= 50;
}

static void
test_gil_never_two_holders (void)
{
  Shared s = { 0 };
  Worker w[4];
  GThread *threads[4];

  s.gil = il_gil_new (INTERVAL_MS);
  for (int i = 0; i < 4; i++)
    {
      w[i].shared = &s;
      w[i].id = i;
      threads[i] = g_thread_new ("gil-worker", worker_main, &w[i]);
    }
  il_test_poll_for (switched_enough, &s, 60, "50 hand-overs of the GIL");
  atomic_store (&s.stop, 1);
  for (int i = 0; i < 4; i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (atomic_load (&s.max_holders), ==, 1);
  g_assert_cmpint (atomic_load (&s.holders), ==, 0);
  /* Switching really happened: every thread got the lock, more than once. */
  for (int i = 0; i < 4; i++)
    g_assert_cmpint (atomic_load (&s.acquisitions[i]), >=, 5);
  g_assert_cmpuint (s.gil->n_switches, >=, 50);
  g_assert_false (s.gil->locked);
  il_gil_free (s.gil);
}

typedef struct
{
  IlGil       *gil;
  _Atomic int  stop;
  _Atomic int  holding;
  _Atomic int  takes;     /* how often the hog has (re)gained the lock */
  _Atomic int  tid;
  guint        yields;
} Hog;

/* Time thread @tid of this process has spent runnable but waiting for a CPU (schedstat's
 * run_delay), in ns; 0 where unknown. */
static gint64
run_delay_ns (int tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/schedstat", tid);
  g_autofree char *data = NULL;
  unsigned long long run = 0, delay = 0;

  if (!g_file_get_contents (path, &data, NULL, NULL) ||
      sscanf (data, "%llu %llu", &run, &delay) != 2)
    return 0;
  return (gint64) delay;
}

static gpointer
hog_main (gpointer data)
{
  Hog *h = data;
  const IlCalibration *cal = il_calibration_get ();
  guint64 sink = 0;

  atomic_store (&h->tid, (int) syscall (SYS_gettid));
  g_assert_true (il_gil_take (h->gil, 0, NULL, -1));
  atomic_store (&h->holding, 1);
  while (!atomic_load (&h->stop))
    {
      sink ^= il_work_cpu_blocks (il_work_cpu_quantum (cal), sink);
      if (il_gil_drop_requested (h->gil))
        {
          guint64 before = h->gil->n_switches;

          h->yields++;
          g_assert_true (il_gil_yield (h->gil, 0, NULL, -1));
          atomic_fetch_add (&h->takes, 1);
          /* Forced switching: the lock went to the waiter and came back, never straight back. */
          g_assert_cmpuint (h->gil->n_switches, >=, before + 2);
        }
    }
  il_gil_drop (h->gil, 0, NULL, -1, IL_STATE_IDLE, FALSE);
  return GSIZE_TO_POINTER (sink | 1);
}

static void
test_gil_waiter_latency (void)
{
  Hog hog = { 0 };
  GThread *thread;
  gint64 worst = 0, best = G_MAXINT64, worst_on_cpu = 0, starved = 0;
  const gint64 interval = (gint64) (INTERVAL_MS * 1e6);

  hog.gil = il_gil_new (INTERVAL_MS);
  thread = g_thread_new ("hog", hog_main, &hog);
  while (!atomic_load (&hog.holding))
    g_thread_yield ();

  for (int i = 0; i < 6; i++)
    {
      int me = (int) syscall (SYS_gettid), hog_tid = atomic_load (&hog.tid);
      gint64 delay0 = run_delay_ns (me) + run_delay_ns (hog_tid);
      gint64 t0 = il_clock_now_ns (), waited;
      int takes = atomic_load (&hog.takes);

      g_assert_true (il_gil_take (hog.gil, 1, NULL, -1));
      waited = il_clock_now_ns () - t0;
      /* The hand-over needs the holder on a CPU (to see the request) and then us (to wake): on
       * a busy machine either may wait for one, which is the machine's time, not the GIL's. */
      starved = MAX (starved, run_delay_ns (me) + run_delay_ns (hog_tid) - delay0);
      worst_on_cpu = MAX (worst_on_cpu, waited - (run_delay_ns (me) + run_delay_ns (hog_tid) - delay0));
      worst = MAX (worst, waited);
      best = MIN (best, waited);
      g_usleep (1000);
      il_gil_drop (hog.gil, 1, NULL, -1, IL_STATE_IDLE, FALSE);
      /* Time the next take only once the hog holds the lock again (on a busy machine it may
       * take a while to be scheduled). */
      while (atomic_load (&hog.takes) == takes)
        g_usleep (100);
    }

  atomic_store (&hog.stop, 1);
  g_thread_join (thread);

  g_test_message ("waiter got the GIL after %.2f … %.2f ms (interval %.1f ms); at most %.2f ms of "
                  "a wait was the two threads waiting for a CPU", best / 1e6, worst / 1e6,
                  INTERVAL_MS, starved / 1e6);
  /* The holder never drops on its own, so the waiter waits at least about one interval ... */
  g_assert_cmpint (best, >=, interval * 8 / 10);
  /* ... and not much more, once the time the machine kept either thread off a CPU is taken out:
   * loose, for a busy machine. */
  g_assert_cmpint (worst_on_cpu, <, 20 * interval);
  g_assert_cmpuint (hog.yields, >=, 6);
  g_assert_cmpuint (hog.gil->n_drop_requests, >=, 6);
  il_gil_free (hog.gil);
}

/* One thread's recording: its own ring and recorder, on a shared origin so the two compare. */
typedef struct
{
  IlRing     *ring;
  IlCapture  *capture;
  IlRecorder  rec;
  IlWorkCtx   ctx;
} Lane;

static void
lane_init (Lane *l, IlGil *gil, int worker, gint64 origin_ns)
{
  l->ring = il_ring_new (65536);
  l->capture = il_capture_self_new ();
  il_recorder_init (&l->rec, l->ring, l->capture, (guint) worker, origin_ns);
  il_work_ctx_init (&l->ctx, &l->rec, gil, worker, NULL);
}

/* Everything the lane recorded, its ring freed. */
static GArray *
lane_finish (Lane *l)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  IlSpan out[1024];
  guint n;

  il_work_ctx_clear (&l->ctx);
  while ((n = il_ring_pop_many (l->ring, out, G_N_ELEMENTS (out))) > 0)
    g_array_append_vals (spans, out, n);
  il_capture_free (l->capture);
  il_ring_free (l->ring);
  return spans;
}

/* The total length of @spans in @state, and the interval [*first, *last] they cover. */
static gint64
state_time (GArray *spans, IlState state, gint64 *first, gint64 *last)
{
  gint64 total = 0;

  *first = G_MAXINT64;
  *last = G_MININT64;
  for (guint i = 0; i < spans->len; i++)
    {
      const IlSpan *s = &g_array_index (spans, IlSpan, i);

      if (s->state != state)
        continue;
      *first = MIN (*first, s->start_ns);
      *last = MAX (*last, s->end_ns);
      total += s->end_ns - s->start_ns;
    }
  return total;
}

typedef struct
{
  IlGil *gil;
  Lane   lane;
} Sleeper;

static gpointer
sleeper_main (gpointer data)
{
  Sleeper *s = data;

  g_assert_cmpint (il_workload_run_task (il_calibration_get (), IL_WORKLOAD_SLEEP, 300, 0,
                                         &s->lane.ctx), ==, IL_TASK_OK);
  return NULL;
}

/* The event the computing thread waits for: the sleeper has had the GIL (a task takes it first). */
static gboolean
sleeper_had_gil (gpointer data)
{
  IlGil *gil = data;
  gboolean had;

  g_mutex_lock (&gil->mutex);
  had = gil->last_holder == 0;
  g_mutex_unlock (&gil->mutex);
  return had;
}

/* A blocking wait releases the GIL: while one thread sleeps, another computes. What the two
 * recorded says so whatever the machine's speed: the computing thread's running time lies inside
 * the sleeper's io-wait, and it never waited for the lock the length of that sleep. A sleep that
 * kept the lock shows as the sleeper running (or gil-waiting) and the other in gil-wait until the
 * sleep ends. */
static void
test_gil_io_releases (void)
{
  Sleeper s = { il_gil_new (INTERVAL_MS), { 0 } };
  gint64 origin = il_clock_now_ns ();
  GThread *thread;
  Lane cpu;
  g_autoptr(GArray) sleeper_spans = NULL;
  g_autoptr(GArray) cpu_spans = NULL;
  gint64 io, io_first, io_last, run, run_first, run_last, gil, gil_first, gil_last;

  lane_init (&s.lane, s.gil, 0, origin);
  lane_init (&cpu, s.gil, 1, origin);
  thread = g_thread_new ("sleeper", sleeper_main, &s);
  /* Take the lock only after the sleeper had it: otherwise we could compute first and never see
   * whether its sleep lets go of the lock. */
  il_test_poll_for (sleeper_had_gil, s.gil, 60, "the sleeper to take the GIL");
  g_assert_cmpint (il_workload_run_task (il_calibration_get (), IL_WORKLOAD_CPU, 10, 1, &cpu.ctx), ==,
                   IL_TASK_OK);
  g_thread_join (thread);
  g_assert_false (s.gil->locked);

  sleeper_spans = lane_finish (&s.lane);
  cpu_spans = lane_finish (&cpu);
  io = state_time (sleeper_spans, IL_STATE_IO_WAIT, &io_first, &io_last);
  run = state_time (cpu_spans, IL_STATE_RUNNING, &run_first, &run_last);
  gil = state_time (cpu_spans, IL_STATE_GIL_WAIT, &gil_first, &gil_last);
  g_test_message ("sleeper in io-wait %.1f ms from %.1f ms; the other ran %.1f ms from %.1f to "
                  "%.1f ms and waited %.1f ms for the GIL", io / 1e6, io_first / 1e6, run / 1e6,
                  run_first / 1e6, run_last / 1e6, gil / 1e6);
  /* The sleeper slept as io-wait, the whole 300 ms. */
  g_assert_cmpint (io, >=, 300 * G_GINT64_CONSTANT (1000000));
  /* The other computed, and all of it while the sleeper slept. */
  g_assert_cmpint (run, >, 0);
  g_assert_cmpint (run_first, >=, io_first);
  g_assert_cmpint (run_last, <=, io_last);
  /* Whatever it waited for the lock ended before the sleep did. */
  g_assert_true (gil == 0 || gil_last <= io_last);
  il_gil_free (s.gil);
}

static void
test_gil_cancel_wakes_waiter (void)
{
  IlGil *gil = il_gil_new (INTERVAL_MS);
  _Atomic int cancel = 1;

  il_gil_set_cancel_flag (gil, &cancel);
  g_assert_true (il_gil_take (gil, 0, NULL, -1));
  /* The holder never drops; a cancelled waiter gives up instead of waiting forever. */
  g_assert_false (il_gil_take (gil, 1, NULL, -1));
  g_assert_cmpint (gil->holder, ==, 0);
  il_gil_drop (gil, 0, NULL, -1, IL_STATE_IDLE, FALSE);
  il_gil_free (gil);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Calibrate (or load the cache) before any thread starts timing. */
  il_calibration_get ();

  g_test_add_func ("/gil/never-two-holders", test_gil_never_two_holders);
  g_test_add_func ("/gil/waiter-latency", test_gil_waiter_latency);
  g_test_add_func ("/gil/io-releases", test_gil_io_releases);
  g_test_add_func ("/gil/cancel-wakes-waiter", test_gil_cancel_wakes_waiter);

  return g_test_run ();
}
