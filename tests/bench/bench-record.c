/* bench-record: what recording costs: one clock read, one recorded event (clock included), the
 * self capture's per-quantum observation, and a CPU-bound task traced vs untraced. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>

#include "il-clock.h"
#include "il-recorder.h"
#include "il-workload.h"

#define N_EVENTS 4000000

typedef struct
{
  IlRing      *ring;
  _Atomic int  stop;
  guint64      drained;
} Consumer;

/* The owner's side, as in a run: drains concurrently so the producer never waits. */
static gpointer
consumer_main (gpointer data)
{
  Consumer *c = data;
  IlSpan buf[4096];

  while (!atomic_load (&c->stop) || il_ring_get_n_pending (c->ring) > 0)
    {
      guint n = il_ring_pop_many (c->ring, buf, G_N_ELEMENTS (buf));
      c->drained += n;
      if (n == 0)
        g_usleep (100);
    }
  return NULL;
}

static double
bench_clock_ns (void)
{
  double best = G_MAXDOUBLE;
  gint64 sink = 0;

  for (int round = 0; round < 5; round++)
    {
      gint64 t0 = il_clock_now_ns ();
      for (int i = 0; i < N_EVENTS; i++)
        sink += il_clock_now_ns ();
      best = MIN (best, (double) (il_clock_now_ns () - t0) / N_EVENTS);
    }
  if (sink == 42)
    printf ("#\n");
  return best;
}

static double
bench_record_ns (double *observe_ns, guint64 *dropped)
{
  Consumer c = { il_ring_new (16384), 0, 0 };
  g_autoptr(IlCapture) capture = il_capture_self_new ();
  GThread *thread = g_thread_new ("consumer", consumer_main, &c);
  IlRecorder rec;
  double best = G_MAXDOUBLE, best_obs = G_MAXDOUBLE;

  il_recorder_init (&rec, c.ring, capture, 0, il_clock_now_ns ());
  rec.cancel = NULL;

  for (int round = 0; round < 5; round++)
    {
      gint64 t0 = il_clock_now_ns ();

      /* One event: read the clock, close the open span, push it. */
      for (int i = 0; i < N_EVENTS; i++)
        il_recorder_enter (&rec, (i & 1) ? IL_STATE_IO_WAIT : IL_STATE_IDLE, i & 0xffff,
                           il_clock_now_ns ());
      best = MIN (best, (double) (il_clock_now_ns () - t0) / N_EVENTS);
    }

  /* The self capture's check at each work quantum of a running span. */
  il_recorder_enter (&rec, IL_STATE_RUNNING, 0, il_clock_now_ns ());
  for (int round = 0; round < 5; round++)
    {
      gint64 t0 = il_clock_now_ns ();
      for (int i = 0; i < N_EVENTS / 8; i++)
        il_recorder_quantum (&rec);
      best_obs = MIN (best_obs, (double) (il_clock_now_ns () - t0) / (N_EVENTS / 8));
    }
  il_recorder_close (&rec, il_clock_now_ns ());

  atomic_store (&c.stop, 1);
  g_thread_join (thread);
  *dropped = il_ring_get_dropped (c.ring);
  il_ring_free (c.ring);
  *observe_ns = best_obs;
  return best;
}

/* The same CPU work with and without recording, timed by the thread's CPU clock so other programs
 * on the machine do not count; best of several alternating rounds. */
static double
bench_overhead_pct (IlCapture *capture)
{
  const IlCalibration *cal = il_calibration_get ();
  IlRing *ring = il_ring_new (65536);
  double best_traced = G_MAXDOUBLE, best_plain = G_MAXDOUBLE;
  IlSpan buf[4096];
  g_autoptr(GArray) filtered = g_array_new (FALSE, FALSE, sizeof (IlSpan));

  for (int round = 0; round < 7; round++)
    {
      for (int traced = 0; traced < 2; traced++)
        {
          IlRecorder rec;
          IlWorkCtx ctx;
          gint64 t0, t1;
          guint n;

          il_recorder_init (&rec, ring, capture, 0, il_clock_now_ns ());
          if (traced && round == 0 && capture->klass->worker_begin != NULL &&
              !capture->klass->worker_begin (capture, &rec, NULL))
            return NAN;
          il_work_ctx_init (&ctx, traced ? &rec : NULL, NULL, 0, NULL);
          t0 = il_clock_thread_cpu_ns ();
          il_workload_run_task (cal, IL_WORKLOAD_CPU, 150, round, &ctx);
          t1 = il_clock_thread_cpu_ns ();
          il_recorder_close (&rec, il_clock_now_ns ());
          il_work_ctx_clear (&ctx);
          /* Draining (and the kernel capture's merge) is the owner's work, not the worker's. */
          while ((n = il_ring_pop_many (ring, buf, G_N_ELEMENTS (buf))) > 0)
            {
              g_array_set_size (filtered, 0);
              il_capture_filter (capture, 0, rec.origin_ns, buf, n, filtered);
            }

          if (traced)
            best_traced = MIN (best_traced, (double) (t1 - t0));
          else
            best_plain = MIN (best_plain, (double) (t1 - t0));
        }
    }

  il_ring_free (ring);
  return (best_traced - best_plain) / best_plain * 100.0;
}

int
main (int argc, char *argv[])
{
  double clock_ns, record_ns, observe_ns, overhead, overhead_self, overhead_kernel = NAN;
  guint64 dropped = 0;
  g_autoptr(IlCapture) self_capture = il_capture_self_new ();
  g_autoptr(IlCapture) kernel_capture = il_capture_kernel_new (NULL);
  g_autoptr(IlCapture) auto_capture = il_capture_new (IL_CAPTURE_AUTO, NULL);

  clock_ns = bench_clock_ns ();
  record_ns = bench_record_ns (&observe_ns, &dropped);
  overhead_self = bench_overhead_pct (self_capture);
  if (kernel_capture != NULL)
    overhead_kernel = bench_overhead_pct (kernel_capture);
  /* The headline figure is for the capture a run uses by default. */
  overhead = il_capture_get_kind (auto_capture) == IL_CAPTURE_KERNEL ? overhead_kernel : overhead_self;

  printf ("clock_ns: %.1f\n", clock_ns);
  printf ("record_ns: %.1f\n", record_ns);
  printf ("record_over_clock: %.2f\n", record_ns / clock_ns);
  printf ("observe_ns: %.1f\n", observe_ns);
  printf ("quantum_us: %.0f\n", IL_WORK_QUANTUM_NS / 1000.0);
  printf ("overhead_pct: %.2f\n", overhead);
  printf ("overhead_capture: %s\n", il_capture_to_string (il_capture_get_kind (auto_capture)));
  printf ("overhead_pct_self: %.2f\n", overhead_self);
  printf ("overhead_pct_kernel: %.2f\n", overhead_kernel);
  printf ("dropped: %" G_GUINT64_FORMAT "\n", dropped);
  return 0;
}
