/* test-machine.c: the rest of the machine, as a user would check it: with a CPU hog pinned to
 * CPU 1 during "one core vs two", core 1 shows other programs and the lesson says it was
 * disturbed; on a quiet machine it says other programs took under 10 %. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>

#include "il-clock.h"
#include "il-cpu-sampler.h"
#include "il-trace-io.h"

static const char *cli_path;
static const char *hog_path;
static const char *no_perf_path;
static char *tmpdir;

typedef struct
{
  char *out;
  char *err;
  int   status;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

static void
run_lesson (Result *r, const char *trace_path, const char *png_path)
{
  const char *argv[] = { cli_path, "run", "--lesson", "03-one-core-vs-two", "-o", trace_path,
                         "--png", png_path, NULL };
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r->out, &r->err,
                &wait_status, &error);
  g_assert_no_error (error);
  r->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  g_test_message ("stdout: %s\nstderr: %s", r->out, r->err);
}

/* Share of @run's time in which other programs held CPU @cpu for at least a fifth of a 20 ms
 * window: what a reader sees as "core 1 shows other programs". */
static double
covered_share (IlRunTrace *run, int cpu)
{
  IlCpuLoad *load = il_run_trace_get_cpu_load (run);
  gint64 wall = il_run_trace_get_summary (run)->wall_ns, step = 20000000;
  guint n = 0, covered = 0;

  for (gint64 t = 0; t + step <= wall; t += step, n++)
    {
      gint64 other = 0, steal = 0;
      il_cpu_load_sum_range (load, cpu, t, t + step, &other, &steal);
      if (other >= step / 5)
        covered++;
    }
  return n > 0 ? (double) covered / n : 0;
}

static void
test_hog (void)
{
  g_autofree char *trace_path = g_build_filename (tmpdir, "hog.interleave.json", NULL);
  g_autofree char *png_path = g_build_filename (tmpdir, "hog.png", NULL);
  g_autoptr(GSubprocess) hog = NULL;
  g_autoptr(GDataInputStream) hog_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *one, *two;
  Result r = { 0 };

  if (il_cpu_count () < 2)
    {
      g_test_skip ("needs two CPUs");
      return;
    }

  hog = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, hog_path, "1", "60", NULL);
  g_assert_no_error (error);
  hog_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (hog));
  line = g_data_input_stream_read_line (hog_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");

  run_lesson (&r, trace_path, png_path);
  g_subprocess_force_exit (hog);
  g_subprocess_wait (hog, NULL, NULL);
  g_assert_cmpint (r.status, ==, 0);

  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 2);
  one = il_trace_get_run (trace, 0);
  two = il_trace_get_run (trace, 1);
  g_assert_nonnull (il_run_trace_get_cpu_load (two));
  g_test_message ("other share: 1 core %.3f, 2 cores %.3f; core 1 covered %.2f of the run",
                  il_run_trace_get_summary (one)->other_share,
                  il_run_trace_get_summary (two)->other_share, covered_share (two, 1));

  /* The run on CPUs 0-1 lost core 1 to the hog for most of its time... */
  g_assert_cmpfloat (il_run_trace_get_summary (two)->other_share, >=, 0.30);
  g_assert_cmpfloat (covered_share (two, 1), >=, 0.5);
  /* ...the run on CPU 0 alone has no series for CPU 1 at all... */
  g_assert_false (il_cpu_load_has_cpu (il_run_trace_get_cpu_load (one), 1));
  /* ...and the lesson's output says the comparison was disturbed, by how much. */
  g_assert_nonnull (strstr (r.out, "This comparison was disturbed: other programs took"));
  g_assert_nonnull (strstr (r.out, "“2 threads on 2 cores”"));
  g_assert_nonnull (strstr (r.out, "other programs took of the CPUs during each run"));
  g_assert_true (g_file_test (png_path, G_FILE_TEST_EXISTS));
  result_clear (&r);
}

static double
measure_busy (void)
{
  g_autoptr(GError) error = NULL;
  double busy = il_cpu_load_measure_busy (300 * G_GINT64_CONSTANT (1000000), &error);

  g_assert_no_error (error);
  return busy;
}

static void
test_quiet (void)
{
  g_autofree char *trace_path = g_build_filename (tmpdir, "quiet.interleave.json", NULL);
  g_autofree char *png_path = g_build_filename (tmpdir, "quiet.png", NULL);
  double before = 1, after = 1;

  /* The claim is about a quiet machine. On a shared build machine other programs come and go,
   * and then saying they took the CPUs is the right answer, not a failure: a run counts only
   * when the machine was quiet just before and just after it. */
  for (int attempt = 0; attempt < 5; attempt++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IlTrace) trace = NULL;
      Result r = { 0 };

      if ((before = measure_busy ()) > 0.05)
        {
          g_usleep (G_USEC_PER_SEC);
          continue;
        }
      run_lesson (&r, trace_path, png_path);
      after = measure_busy ();
      g_assert_cmpint (r.status, ==, 0);
      if (after > 0.05)
        {
          result_clear (&r);
          continue;
        }

      trace = il_trace_load (trace_path, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < il_trace_get_n_runs (trace); i++)
        {
          IlRunTrace *run = il_trace_get_run (trace, i);
          g_test_message ("%s: other share %.3f", il_run_trace_get_label (run),
                          il_run_trace_get_summary (run)->other_share);
          g_assert_true (isfinite (il_run_trace_get_summary (run)->other_share));
          g_assert_cmpfloat (il_run_trace_get_summary (run)->other_share, <, 0.10);
        }
      g_assert_null (strstr (r.out, "was disturbed"));
      result_clear (&r);
      return;
    }

  {
    g_autofree char *why = g_strdup_printf ("the machine was not quiet (%.0f %% busy before, %.0f %% after)",
                                            before * 100, after * 100);
    g_test_skip (why);
  }
}

/* Where the kernel refuses perf_event_open (a seccomp filter here, perf_event_paranoid 3 or 4 on
 * Debian and Ubuntu), a run falls back to the self capture and says once what is lost and the
 * exact commands an administrator runs; asking for the kernel capture fails saying the same. */
static gpointer
spin_thread (gpointer data)
{
  gint64 until = g_get_monotonic_time () + GPOINTER_TO_INT (data) * 1000;
  volatile guint64 x = 0;

  while (g_get_monotonic_time () < until)
    x++;
  return NULL;
}

/* The quiet-machine check counts other programs only: this process keeping both CPUs busy (as
 * the window laying out its first frames did) is not a busy machine. */
static void
test_quiet_check_own_cpu (void)
{
  GThread *spinners[2];
  double before, busy;
  gint64 a, b;

  if ((before = measure_busy ()) > 0.05)
    {
      g_test_skip_printf ("other programs already use %.0f %% of the CPUs", before * 100);
      return;
    }
  a = il_clock_process_cpu_ns ();
  for (guint i = 0; i < G_N_ELEMENTS (spinners); i++)
    spinners[i] = g_thread_new ("spin", spin_thread, GINT_TO_POINTER (400));
  busy = measure_busy ();
  for (guint i = 0; i < G_N_ELEMENTS (spinners); i++)
    g_thread_join (spinners[i]);
  b = il_clock_process_cpu_ns ();
  g_test_message ("this process used %.2f s of CPU; the check said other programs used %.0f %%",
                  (b - a) / 1e9, busy * 100);
  /* Counted as other programs, two spinners would be 100 % of 2 CPUs, 50 % of 4. */
  g_assert_cmpfloat (busy, <, MIN (2.0, g_get_num_processors ()) / g_get_num_processors () / 2);
}

static void
test_capture_refused (void)
{
  g_autofree char *trace_path = g_build_filename (tmpdir, "refused.interleave.json", NULL);
  const char *auto_argv[] = { no_perf_path, cli_path, "run", "--executor", "threads", "--workers", "2",
                              "--tasks", "4", "--task-ms", "20", "-o", trace_path, NULL };
  const char *kernel_argv[] = { no_perf_path, cli_path, "run", "--executor", "threads", "--tasks", "2",
                                "--task-ms", "5", "--capture", "kernel", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  int wait_status = 0;
  const char *p;

  g_spawn_sync (NULL, (char **) auto_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &wait_status, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (il_run_trace_get_capture (il_trace_get_run (trace, 0)), ==, IL_CAPTURE_SELF);
  /* What is lost, and the commands, once. */
  g_assert_nonnull (strstr (err, "The workers observe themselves instead"));
  g_assert_nonnull (p = strstr (err, "sudo sysctl kernel.perf_event_paranoid=2"));
  g_assert_null (strstr (p + 1, "sudo sysctl kernel.perf_event_paranoid=2"));
  g_assert_nonnull (strstr (err, "echo kernel.perf_event_paranoid=2 | sudo tee /etc/sysctl.d/60-interleave-perf.conf"));
  g_assert_nonnull (strstr (out, "capture        self (workers stamped their own spans"));
  g_remove (trace_path);

  g_spawn_sync (NULL, (char **) kernel_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out2, &err2,
                &wait_status, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err2);
  g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) != 0);
  g_assert_nonnull (strstr (err2, "perf_event_open"));
  g_assert_nonnull (strstr (err2, "sudo sysctl kernel.perf_event_paranoid=2"));
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (argc < 4)
    {
      g_printerr ("usage: test-machine PATH-TO-interleave-cli PATH-TO-cpu-hog PATH-TO-no-perf\n");
      return 1;
    }
  cli_path = argv[1];
  hog_path = argv[2];
  no_perf_path = argv[3];
  tmpdir = g_dir_make_tmp ("test-machine-XXXXXX", NULL);

  g_test_add_func ("/machine/other-programs/hog", test_hog);
  g_test_add_func ("/machine/other-programs/quiet", test_quiet);
  g_test_add_func ("/machine/quiet-check/own-cpu", test_quiet_check_own_cpu);
  g_test_add_func ("/machine/capture-refused", test_capture_refused);
  ret = g_test_run ();

  {
    const char *names[] = { "hog.interleave.json", "hog.png", "quiet.interleave.json", "quiet.png",
                            "refused.interleave.json" };
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *p = g_build_filename (tmpdir, names[i], NULL);
        g_remove (p);
      }
    g_rmdir (tmpdir);
  }
  g_free (tmpdir);
  return ret;
}
