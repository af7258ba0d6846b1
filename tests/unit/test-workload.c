/* test-workload.c: calibration and its cache, task plans, and that each workload really does its
 * kind of work and records it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <time.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-recorder.h"
#include "il-workload.h"
#include "il-test-util.h"

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
test_workload_calibration_cached (void)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "interleave",
                                            "calibration.ini", NULL);
  const IlCalibration *cal = il_calibration_get ();
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  g_assert_cmpfloat (cal->cpu_blocks_per_ms, >, 10);
  g_assert_cmpfloat (cal->memory_bytes_per_ms, >, 100 * 1024);
  g_assert_true (il_calibration_get () == cal);

  /* Written once, so the next program on this machine does not calibrate again. */
  g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL));
  g_assert_cmpfloat_with_epsilon (g_key_file_get_double (kf, "calibration", "cpu_blocks_per_ms", NULL),
                                  cal->cpu_blocks_per_ms, cal->cpu_blocks_per_ms * 1e-9);
}

/* A damaged or planted cache (inf made every task do no work) is measured again, not trusted. */
static void
test_workload_calibration_insane (void)
{
  const char *bad[] = { "inf", "-inf", "nan", "-5", "0", "1e300", "0.0001" };
  g_autofree char *real = g_build_filename (g_get_user_cache_dir (), "interleave",
                                            "calibration.ini", NULL);
  g_autofree char *old_cache = g_strdup (g_getenv ("XDG_CACHE_HOME"));
  g_autofree char *dir = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *path = NULL;

  if (g_test_subprocess ())
    {
      const IlCalibration *cal = il_calibration_get ();
      g_autoptr(GKeyFile) kf = g_key_file_new ();
      g_autofree char *mine = g_build_filename (g_get_user_cache_dir (), "interleave",
                                                "calibration.ini", NULL);

      g_assert_true (il_calibration_is_sane (cal->cpu_blocks_per_ms, cal->memory_bytes_per_ms));
      g_assert_cmpfloat (cal->cpu_blocks_per_ms, >, 10);
      /* … and the cache now holds the new measurement. */
      g_assert_true (g_key_file_load_from_file (kf, mine, G_KEY_FILE_NONE, NULL));
      g_assert_cmpfloat_with_epsilon (g_key_file_get_double (kf, "calibration", "cpu_blocks_per_ms", NULL),
                                      cal->cpu_blocks_per_ms, cal->cpu_blocks_per_ms * 1e-9);
      return;
    }

  g_assert_true (il_calibration_is_sane (3726, 12e6));
  g_assert_false (il_calibration_is_sane (INFINITY, 12e6));
  g_assert_false (il_calibration_is_sane (3726, NAN));
  g_assert_false (il_calibration_is_sane (-1, 12e6));

  /* The real cache (for this machine's key), with one value spoiled, in a cache of its own. */
  il_calibration_get ();
  dir = il_test_tmpdir_new ("il-cache");
  sub = g_build_filename (dir, "interleave", NULL);
  path = g_build_filename (sub, "calibration.ini", NULL);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GKeyFile) kf = g_key_file_new ();

      g_assert_true (g_key_file_load_from_file (kf, real, G_KEY_FILE_NONE, NULL));
      g_key_file_set_value (kf, "calibration", i % 2 == 0 ? "cpu_blocks_per_ms" : "memory_bytes_per_ms",
                            bad[i]);
      g_assert_true (g_key_file_save_to_file (kf, path, NULL));
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
    }

  if (old_cache != NULL)
    g_setenv ("XDG_CACHE_HOME", old_cache, TRUE);
  else
    g_unsetenv ("XDG_CACHE_HOME");
  il_test_remove_tree (dir);
}

static void
test_workload_phases (void)
{
  IlCalibration cal = { 1000, 1e6 };
  IlPhase ph;

  g_assert_cmpuint (il_workload_get_n_phases (IL_WORKLOAD_CPU, 0, 0), ==, 0);
  g_assert_cmpuint (il_workload_get_n_phases (IL_WORKLOAD_CPU, 100, 0), ==, 1);
  il_workload_get_phase (&cal, IL_WORKLOAD_CPU, 100, 0, 0, &ph);
  g_assert_cmpint (ph.kind, ==, IL_PHASE_CPU);
  g_assert_cmpint (ph.amount, ==, 100000);

  il_workload_get_phase (&cal, IL_WORKLOAD_MEMORY, 2, 0, 0, &ph);
  g_assert_cmpint (ph.kind, ==, IL_PHASE_MEMORY);
  g_assert_cmpint (ph.amount, ==, 2000000);

  il_workload_get_phase (&cal, IL_WORKLOAD_SLEEP, 7.5, 0, 0, &ph);
  g_assert_cmpint (ph.kind, ==, IL_PHASE_SLEEP);
  g_assert_cmpint (ph.amount, ==, 7500000);

  il_workload_get_phase (&cal, IL_WORKLOAD_DISK, 3, 0, 0, &ph);
  g_assert_cmpint (ph.kind, ==, IL_PHASE_DISK);

  /* Mixed: alternating compute and wait, half and half, adding up to the task. */
  {
    guint n = il_workload_get_n_phases (IL_WORKLOAD_MIXED, 100, 0);
    gint64 cpu_blocks = 0, wait_ns = 0;

    g_assert_cmpuint (n, ==, 50);
    for (guint i = 0; i < n; i++)
      {
        il_workload_get_phase (&cal, IL_WORKLOAD_MIXED, 100, 0, i, &ph);
        g_assert_cmpint (ph.kind, ==, i % 2 == 0 ? IL_PHASE_CPU : IL_PHASE_SLEEP);
        if (ph.kind == IL_PHASE_CPU)
          cpu_blocks += ph.amount;
        else
          wait_ns += ph.amount;
      }
    g_assert_cmpint (cpu_blocks, ==, 50000);
    g_assert_cmpint (wait_ns, ==, 50000000);
  }

  /* Convoy: task 0 waits task_ms in 1 ms waits, each followed by a sliver of computation far
   * shorter than the wait; every other task is task_ms of computation. */
  {
    guint n = il_workload_get_n_phases (IL_WORKLOAD_CONVOY, 100, 0);
    gint64 cpu_blocks = 0, wait_ns = 0;

    g_assert_cmpuint (n, ==, 200);
    for (guint i = 0; i < n; i++)
      {
        il_workload_get_phase (&cal, IL_WORKLOAD_CONVOY, 100, 0, i, &ph);
        g_assert_cmpint (ph.kind, ==, i % 2 == 0 ? IL_PHASE_SLEEP : IL_PHASE_CPU);
        if (ph.kind == IL_PHASE_CPU)
          {
            g_assert_cmpint (ph.amount, >, 0);
            cpu_blocks += ph.amount;
          }
        else
          {
            g_assert_cmpint (ph.amount, ==, 1000000);
            wait_ns += ph.amount;
          }
      }
    g_assert_cmpint (wait_ns, ==, 100000000);
    g_assert_cmpint (cpu_blocks, <, 100000 / 10);

    for (int task = 1; task < 4; task++)
      {
        g_assert_cmpuint (il_workload_get_n_phases (IL_WORKLOAD_CONVOY, 100, task), ==, 1);
        il_workload_get_phase (&cal, IL_WORKLOAD_CONVOY, 100, task, 0, &ph);
        g_assert_cmpint (ph.kind, ==, IL_PHASE_CPU);
        g_assert_cmpint (ph.amount, ==, 100000);
      }
    g_assert_cmpuint (il_workload_get_n_phases (IL_WORKLOAD_CONVOY, 0, 0), ==, 0);
  }
}

typedef struct
{
  IlRing     *ring;
  IlRecorder  rec;
  IlCapture  *capture;
  IlWorkCtx   ctx;
} Rig;

static void
rig_init (Rig *rig)
{
  rig->ring = il_ring_new (65536);
  rig->capture = il_capture_self_new ();
  il_recorder_init (&rig->rec, rig->ring, rig->capture, 0, il_clock_now_ns ());
  il_work_ctx_init (&rig->ctx, &rig->rec, NULL, 0, NULL);
}

/* Sums the drained spans' time per state and checks the task mark. */
static void
rig_finish (Rig *rig, gint64 per_state[IL_N_STATES], int task)
{
  IlSpan out[1024];
  guint n;
  gboolean marked = FALSE;

  il_work_ctx_clear (&rig->ctx);
  il_recorder_close (&rig->rec, il_clock_now_ns ());
  for (int i = 0; i < IL_N_STATES; i++)
    per_state[i] = 0;

  while ((n = il_ring_pop_many (rig->ring, out, G_N_ELEMENTS (out))) > 0)
    for (guint i = 0; i < n; i++)
      {
        g_assert_cmpint (out[i].end_ns, >, out[i].start_ns);
        if (out[i].state == IL_RING_TASK_MARK)
          {
            g_assert_cmpint (out[i].task, ==, task);
            g_assert_cmpint (out[i].cpu, ==, IL_TASK_OK);
            marked = TRUE;
            continue;
          }
        g_assert_cmpuint (out[i].state, <, IL_N_STATES);
        if (out[i].state == IL_STATE_RUNNING)
          g_assert_cmpint (out[i].cpu, >=, 0);
        else
          g_assert_cmpint (out[i].cpu, ==, -1);
        if (out[i].state != IL_STATE_IDLE)
          g_assert_cmpint (out[i].task, ==, task);
        per_state[out[i].state] += out[i].end_ns - out[i].start_ns;
      }

  g_assert_true (marked);
  il_capture_free (rig->capture);
  il_ring_free (rig->ring);
}

static void
test_workload_cpu (void)
{
  Rig rig;
  gint64 st[IL_N_STATES], cpu0, cpu;

  rig_init (&rig);
  cpu0 = thread_cpu_ns ();
  g_assert_cmpint (il_workload_run_task (il_calibration_get (), IL_WORKLOAD_CPU, 40, 7, &rig.ctx), ==,
                   IL_TASK_OK);
  cpu = thread_cpu_ns () - cpu0;
  rig_finish (&rig, st, 7);

  g_test_message ("40 ms of cpu work took %.1f ms of CPU", cpu / 1e6);
  /* Really CPU: calibrated against CPU time, so loose bounds hold on a busy machine too. */
  g_assert_cmpint (cpu, >, 20 * 1000000);
  g_assert_cmpint (cpu, <, 160 * 1000000);
  /* Running (plus any preemption, recorded as ready) covers the task. */
  g_assert_cmpint (st[IL_STATE_RUNNING] + st[IL_STATE_READY], >=, cpu * 9 / 10);
  g_assert_cmpint (st[IL_STATE_IO_WAIT], ==, 0);
}

static void
test_workload_memory (void)
{
  Rig rig;
  gint64 st[IL_N_STATES], cpu0, cpu;

  rig_init (&rig);
  cpu0 = thread_cpu_ns ();
  g_assert_cmpint (il_workload_run_task (il_calibration_get (), IL_WORKLOAD_MEMORY, 30, 1, &rig.ctx),
                   ==, IL_TASK_OK);
  cpu = thread_cpu_ns () - cpu0;
  rig_finish (&rig, st, 1);
  g_assert_cmpint (cpu, >, 10 * 1000000);
  g_assert_cmpint (st[IL_STATE_RUNNING], >, 0);
}

static void
test_workload_sleep (void)
{
  Rig rig;
  gint64 st[IL_N_STATES], cpu0, cpu, t0, wall;

  rig_init (&rig);
  cpu0 = thread_cpu_ns ();
  t0 = il_clock_now_ns ();
  g_assert_cmpint (il_workload_run_task (il_calibration_get (), IL_WORKLOAD_SLEEP, 50, 2, &rig.ctx), ==,
                   IL_TASK_OK);
  wall = il_clock_now_ns () - t0;
  cpu = thread_cpu_ns () - cpu0;
  rig_finish (&rig, st, 2);

  /* A real blocking wait: the time passes, the CPU does not work. */
  g_assert_cmpint (wall, >=, 50 * 1000000);
  g_assert_cmpint (cpu, <, 10 * 1000000);
  g_assert_cmpint (st[IL_STATE_IO_WAIT], >=, 50 * 1000000);
}

static void
test_workload_disk (void)
{
  Rig rig;
  gint64 st[IL_N_STATES];
  guint64 sink = 0;
  int fd = -1;
  g_autoptr(GError) error = NULL;

  g_assert_true (il_work_disk_step (&fd, &sink, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (sink, >, 0);
  close (fd);

  rig_init (&rig);
  g_assert_cmpint (il_workload_run_task (il_calibration_get (), IL_WORKLOAD_DISK, 20, 3, &rig.ctx), ==,
                   IL_TASK_OK);
  g_assert_cmpint (rig.ctx.disk_fd, >=, 0);
  rig_finish (&rig, st, 3);
  g_assert_cmpint (st[IL_STATE_IO_WAIT], >=, 20 * 1000000);
}

static void
test_workload_mixed (void)
{
  Rig rig;
  gint64 st[IL_N_STATES];

  rig_init (&rig);
  g_assert_cmpint (il_workload_run_task (il_calibration_get (), IL_WORKLOAD_MIXED, 40, 4, &rig.ctx),
                   ==, IL_TASK_OK);
  rig_finish (&rig, st, 4);
  g_assert_cmpint (st[IL_STATE_IO_WAIT], >=, 20 * 1000000);
  g_assert_cmpint (st[IL_STATE_RUNNING] + st[IL_STATE_READY], >=, 10 * 1000000);
}

static void
test_workload_empty_and_cancel (void)
{
  Rig rig;
  gint64 st[IL_N_STATES];
  _Atomic int cancel = 1;
  IlSpan out[1024];
  const IlSpan *mark;
  guint n;

  rig_init (&rig);
  g_assert_cmpint (il_workload_run_task (il_calibration_get (), IL_WORKLOAD_CPU, 0, 5, &rig.ctx), ==,
                   IL_TASK_OK);
  rig_finish (&rig, st, 5);

  /* A raised cancel flag stops a long task at its first check. */
  rig_init (&rig);
  rig.ctx.cancel = &cancel;
  g_assert_cmpint (il_workload_run_task (il_calibration_get (), IL_WORKLOAD_CPU, 10000, 6, &rig.ctx),
                   ==, IL_TASK_CANCELLED);
  n = il_ring_pop_many (rig.ring, out, G_N_ELEMENTS (out));
  /* Stopped at its first check: a span or two before the mark, where 10 s of work would have
   * been split into a thousand (a span every 10 ms), however fast the machine. */
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <=, 4);
  mark = &out[MIN (n, 4) - 1];
  g_assert_cmpint (mark->state, ==, IL_RING_TASK_MARK);
  g_assert_cmpint (mark->cpu, ==, IL_TASK_CANCELLED);
  il_capture_free (rig.capture);
  il_ring_free (rig.ring);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/workload/calibration-cached", test_workload_calibration_cached);
  g_test_add_func ("/workload/calibration-insane", test_workload_calibration_insane);
  g_test_add_func ("/workload/phases", test_workload_phases);
  g_test_add_func ("/workload/cpu", test_workload_cpu);
  g_test_add_func ("/workload/memory", test_workload_memory);
  g_test_add_func ("/workload/sleep", test_workload_sleep);
  g_test_add_func ("/workload/disk", test_workload_disk);
  g_test_add_func ("/workload/mixed", test_workload_mixed);
  g_test_add_func ("/workload/empty-and-cancel", test_workload_empty_and_cancel);

  return g_test_run ();
}
