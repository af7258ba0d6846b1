/* test-cli.c: runs the built interleave-cli as a user would: exit codes, messages, files and the numbers in them. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "il-batch.h"
#include "il-cpu-load.h"
#include "il-trace-io.h"
#include "il-test-util.h"

static const char *cli_path;
static char *tmpdir;
/* interleave-cli, as most tests run it: our environment, nothing set up. */
static IlTestCommand cli;

static char *
tmp (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}


/* The CSV rows of @run's other-programs series: an interval where other programs took CPU time,
 * another where the hypervisor did (a busy machine has them, a quiet one few or none). */
static guint
csv_load_rows (IlRunTrace *run)
{
  IlCpuLoad *load = il_run_trace_get_cpu_load (run);
  guint n = 0;

  for (guint i = 0; load != NULL && i < il_cpu_load_get_n_cpus (load); i++)
    for (guint k = 0; k < il_cpu_load_get_n_rows (load, il_cpu_load_get_cpu (load, i)); k++)
      {
        const IlCpuLoadRow *row = il_cpu_load_get_row (load, il_cpu_load_get_cpu (load, i), k);
        n += (row->other_ns > 0) + (row->steal_ns > 0);
      }
  return n;
}

/* Width and height from a PNG's IHDR chunk. */
static void
png_size (const char *path, guint *width, guint *height)
{
  g_autofree guchar *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  g_assert_cmpuint (len, >, 24);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  *width = (guint) data[16] << 24 | (guint) data[17] << 16 | (guint) data[18] << 8 | data[19];
  *height = (guint) data[20] << 24 | (guint) data[21] << 16 | (guint) data[22] << 8 | data[23];
}

static void
test_help (void)
{
  const char *commands[] = { "run", "render", "sweep", "trace" };
  g_auto(IlTestResult) top = { 0 };

  il_test_run (&top, &cli, "--help", NULL);
  g_assert_cmpint (top.status, ==, 0);
  g_assert_nonnull (strstr (top.out, "run"));
  g_assert_nonnull (strstr (top.out, "sweep"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(IlTestResult) r = { 0 };

      il_test_run (&r, &cli, commands[i], "--help", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "--png"));
      g_assert_nonnull (strstr (r.out, commands[i]));
    }
  {
    g_auto(IlTestResult) r = { 0 };

    il_test_run (&r, &cli, "run", "--help", NULL);
    for (guint i = 0; i < 20; i++)
      {
        const char *options[] = {
          "--lesson", "--executor", "--gil", "--switch-interval", "--workers", "--cpus",
          "--workload", "--tasks", "--task-ms", "--capture", "--output", "--csv",
          "--chrome-trace", "--svg", "--pdf", "--view", "--width", "--height", "--scale",
          "--theme",
        };
        g_assert_nonnull (strstr (r.out, options[i]));
      }
  }
}

/* Every bad input: exit 2 and exactly one line on stderr, before any work is done. */
static void
test_bad_input (void)
{
  g_autofree char *missing_dir = tmp ("no-such-dir/x.png");
  g_autofree char *bad_lesson = tmp ("bad.lesson");
  g_autofree char *bad_trace = tmp ("bad.interleave.json");
  const char *cases[][8] = {
    { "run", "--executor", "fibers", NULL },
    { "run", "--workers", "0", NULL },
    { "run", "--workers", "100000", NULL },
    { "run", "--workers", "four", NULL },
    { "run", "--tasks", "-3", NULL },
    { "run", "--tasks", "8x", NULL },
    { "run", "--task-ms", "abc", NULL },
    { "run", "--switch-interval", "0", NULL },
    { "run", "--cpus", "99", NULL },
    { "run", "--workload", "gpu", NULL },
    { "run", "--capture", "magic", NULL },
    { "run", "--gil", "--executor", "processes", NULL },
    { "run", "--executor", "external", NULL },
    { "sweep", "--executor", "external", NULL },
    { "run", "--lesson", "no-such-lesson", NULL },
    { "run", "--lesson", bad_lesson, NULL },
    { "run", "--lesson", "01", "--workers", "2", NULL },
    { "run", "--view", "sideways", NULL },
    { "run", "--theme", "pink", NULL },
    { "run", "--width", "wide", NULL },
    { "run", "--scale", "-1", NULL },
    { "run", "--png", missing_dir, NULL },
    { "run", "--no-such-option", NULL },
    { "run", "stray", NULL },
    { "render", NULL },
    { "render", bad_trace, "--png", "x.png", NULL },
    { "render", "/nonexistent/trace.json", "--png", "x.png", NULL },
    { "sweep", "--workers-list", "1,two", NULL },
    { "sweep", "--workers-list", "0,2", NULL },
    { "sweep", "--executor", "fibers", NULL },
    { "run", "--repeat", "0", NULL },
    { "run", "--repeat", "three", NULL },
    { "sweep", "--repeat", "-2", NULL },
    { "frobnicate", NULL },
  };

  g_assert_true (g_file_set_contents (bad_lesson, "[Lesson]\nTitle=x\nExplanation=y\nRuns=a\n[Run a]\nExecutor=threads\nWorkers=many\n", -1, NULL));
  g_assert_true (g_file_set_contents (bad_trace, "{\"format\": \"interleave-trace\", \"version\": 1,\n\"machine\": {\"cpus\": 2},\n\"runs\": [ } ]\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(IlTestResult) r = { 0 };
      g_autofree char *joined = g_strjoinv (" ", (char **) cases[i]);

      il_test_run (&r, &cli, cases[i][0], cases[i][1], cases[i][2], cases[i][3], cases[i][4], cases[i][5],
               NULL);
      g_test_message ("%s → %d: %s", joined, r.status, r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_cmpuint (il_test_count_lines (r.err), ==, 1);
      g_assert_true (g_str_has_prefix (r.err, "interleave-cli"));
      g_assert_cmpstr (r.out, ==, "");
    }

  /* The messages name what is wrong. */
  {
    g_auto(IlTestResult) r = { 0 };
    il_test_run (&r, &cli, "run", "--lesson", bad_lesson, NULL);
    g_assert_nonnull (strstr (r.err, "bad.lesson: [Run a] Workers: “many” is not a whole number"));
  }
  {
    g_auto(IlTestResult) r = { 0 };
    il_test_run (&r, &cli, "render", bad_trace, "--png", "x.png", NULL);
    g_assert_nonnull (strstr (r.err, "bad.interleave.json:3:"));
  }
  {
    /* "external" is a real executor name, of recordings: the message says how to make one. */
    g_auto(IlTestResult) r = { 0 };
    il_test_run (&r, &cli, "run", "--executor", "external", NULL);
    g_assert_nonnull (strstr (r.err, "interleave-cli trace"));
  }
}

static JsonObject *
load_json (JsonParser *parser, const char *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* A plain run with every output: the files exist, have the right size and format, and agree. */
static void
test_run_outputs (void)
{
  g_autofree char *trace_path = tmp ("run.interleave.json");
  g_autofree char *csv = tmp ("run.csv");
  g_autofree char *chrome = tmp ("run.chrome.json");
  g_autofree char *png = tmp ("run.png");
  g_autofree char *svg = tmp ("run.svg");
  g_autofree char *pdf = tmp ("run.pdf");
  g_autofree char *svg_text = NULL;
  g_autofree char *pdf_text = NULL;
  g_autofree char *csv_text = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(IlTestResult) r = { 0 };
  IlRunTrace *run;
  const IlSummary *s;
  guint w, h;

  il_test_run (&r, &cli, "run", "--executor", "threads", "--workers", "2", "--tasks", "6", "--task-ms", "20",
           "-o", trace_path, "--csv", csv, "--chrome-trace", chrome, "--png", png, "--svg", svg,
           "--pdf", pdf, "--width", "800", "--height", "450", "--theme", "dark", "--view", "both",
           NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_nonnull (strstr (r.out, "wall time"));
  g_assert_nonnull (strstr (r.out, "parallelism"));
  g_assert_nonnull (strstr (r.out, "6 of 6 done"));
  g_assert_nonnull (strstr (r.out, trace_path));

  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 1);
  run = il_trace_get_run (trace, 0);
  g_assert_cmpuint (il_run_trace_get_n_workers (run), ==, 2);
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 6);
  for (guint t = 0; t < 6; t++)
    g_assert_cmpint (il_run_trace_get_task (run, t)->status, ==, IL_TASK_OK);
  for (guint k = 0; k < 2; k++)
    {
      /* Real OS ids: the CLI's own process, threads of it. */
      g_assert_cmpint (il_run_trace_get_worker (run, k)->pid, >, 1);
      g_assert_cmpint (il_run_trace_get_worker (run, k)->tid, >, 1);
    }
  g_assert_false (il_run_trace_get_cancelled (run));
  g_assert_cmpint (il_run_trace_get_origin_ns (run), >, 0);
  s = il_run_trace_get_summary (run);
  /* Properties, not timings: the numbers agree with each other and with two workers. */
  g_assert_cmpint (s->wall_ns, >, 0);
  g_assert_cmpint (s->cpu_ns, >, 0);
  g_assert_cmpfloat_with_epsilon (s->avg_parallelism, (double) s->cpu_ns / s->wall_ns, 0.01);
  g_assert_cmpfloat (s->avg_parallelism, <=, 2.05);
  g_assert_cmpuint (s->max_parallelism, <=, 2);
  g_assert_cmpuint (il_run_trace_get_n_spans (run), >, 0);

  csv_text = il_test_read_text (csv);
  g_assert_true (g_str_has_prefix (csv_text, "run,label,worker,pid,tid,state,cpu,task,start_ns,end_ns,cpu_time_ns\n"));
  /* A row per span, then the intervals where other programs (or the hypervisor) took CPU time. */
  g_assert_cmpuint (il_test_count_lines (csv_text), ==, il_run_trace_get_n_spans (run) + 1 + csv_load_rows (run));

  {
    JsonObject *root = load_json (parser, chrome);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "traceEvents")), >, 6);
  }

  png_size (png, &w, &h);
  g_assert_cmpuint (w, ==, 800);
  g_assert_cmpuint (h, ==, 450);
  svg_text = il_test_read_text (svg);
  g_assert_nonnull (strstr (svg_text, "<svg"));
  /* Vector, not a picture of one. */
  g_assert_null (strstr (svg_text, "<image"));
  pdf_text = il_test_read_text (pdf);
  g_assert_true (g_str_has_prefix (pdf_text, "%PDF"));
}

/* A run that fails (here: no worker program for processes) exits 1 with one line. */
static void
test_run_failed (void)
{
  g_autofree char *trace_path = tmp ("failed.interleave.json");
  g_auto(IlTestResult) r = { 0 };
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "IL_WORKER_PATH", "/nonexistent/interleave-worker", TRUE);
  IlTestCommand no_worker = { cli_path, env, NULL, NULL };

  il_test_run (&r, &no_worker, "run", "--executor", "processes", "--workers", "2", "--tasks", "2", "--task-ms",
           "5", "-o", trace_path, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpuint (il_test_count_lines (r.err), ==, 1);
  g_assert_nonnull (strstr (r.err, "failed"));
  g_assert_false (g_file_test (trace_path, G_FILE_TEST_EXISTS));
}

/* With no options at all, run uses the defaults and works. */
static void
test_run_defaults (void)
{
  g_auto(IlTestResult) r = { 0 };

  il_test_run (&r, &cli, "run", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "4 threads"));
  g_assert_nonnull (strstr (r.out, "8 of 8 done"));
}

/* The GIL's promise, checked through the CLI on a machine that may be busy: average parallelism
 * never exceeds 1 (plus rounding) and threads really waited for the lock. */
static void
test_run_gil (void)
{
  g_autofree char *trace_path = tmp ("gil.interleave.json");
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(IlTestResult) r = { 0 };
  const IlSummary *s;

  il_test_run (&r, &cli, "run", "--executor", "threads", "--gil", "--workers", "4", "--tasks", "8",
           "--task-ms", "30", "--quiet", "-o", trace_path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  s = il_run_trace_get_summary (il_trace_get_run (trace, 0));
  g_assert_cmpfloat (s->avg_parallelism, <=, 1.05);
  g_assert_cmpuint (s->max_parallelism, ==, 1);
  g_assert_cmpint (s->gil_wait_ns, >, 0);
  g_assert_true (il_run_trace_get_config (il_trace_get_run (trace, 0))->gil);
}

/* --baseline runs the same work sequentially first and reports the speedup against it. */
static void
test_run_baseline (void)
{
  g_autofree char *trace_path = tmp ("baseline.interleave.json");
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(IlTestResult) r = { 0 };
  IlRunTrace *seq, *threads;
  double expected;

  il_test_run (&r, &cli, "run", "--executor", "threads", "--workers", "2", "--tasks", "4", "--task-ms",
           "20", "--baseline", "-o", trace_path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "speedup"));
  g_assert_nonnull (strstr (r.out, "× against"));
  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 2);
  seq = il_trace_get_run (trace, 0);
  threads = il_trace_get_run (trace, 1);
  g_assert_cmpint (il_run_trace_get_config (seq)->executor, ==, IL_EXECUTOR_SEQUENTIAL);
  g_assert_cmpfloat (il_run_trace_get_summary (seq)->speedup, ==, 1.0);
  expected = (double) il_run_trace_get_summary (seq)->wall_ns /
             (double) il_run_trace_get_summary (threads)->wall_ns;
  g_assert_cmpfloat_with_epsilon (il_run_trace_get_summary (threads)->speedup, expected, 1e-9);
}

/* --repeat 3: each configuration keeps its median run (by wall time), with the range of all three;
 * the sequential run of the same round is the baseline, and it is exactly 1.00×. */
static void
test_run_repeat (void)
{
  g_autofree char *trace_path = tmp ("repeat.interleave.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(IlTestResult) r = { 0 };
  JsonObject *root;
  JsonArray *runs;

  il_test_run (&r, &cli, "run", "--executor", "threads", "--workers", "2", "--tasks", "4", "--task-ms", "10",
           "--baseline", "--repeat", "3", "-o", trace_path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "3 runs, wall median"));

  root = load_json (parser, trace_path);
  runs = json_object_get_array_member (root, "runs");
  /* Two configurations, one run kept of each. */
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *run = json_array_get_object_element (runs, i);
      JsonObject *repeat = json_object_get_object_member (run, "repeat");
      JsonObject *ranges = json_object_get_object_member (repeat, "ranges");
      JsonArray *wall = json_object_get_array_member (ranges, "wall_ns");
      gint64 kept_wall = json_object_get_int_member (json_object_get_object_member (run, "summary"), "wall_ns");
      double speedup = json_object_get_double_member (json_object_get_object_member (run, "summary"), "speedup");
      JsonArray *sp = json_object_get_array_member (ranges, "speedup");

      g_assert_cmpint (json_object_get_int_member (repeat, "count"), ==, 3);
      g_assert_cmpint (json_object_get_int_member (repeat, "kept"), >=, 0);
      g_assert_cmpint (json_object_get_int_member (repeat, "kept"), <, 3);
      /* The run kept is inside the range of all three, and it is not an extreme unless tied. */
      g_assert_cmpint (json_array_get_int_element (wall, 0), <=, kept_wall);
      g_assert_cmpint (kept_wall, <=, json_array_get_int_element (wall, 1));
      g_assert_cmpfloat (json_array_get_double_element (sp, 0), <=, speedup + 1e-9);
      g_assert_cmpfloat (speedup, <=, json_array_get_double_element (sp, 1) + 1e-9);
      if (i == 0)
        {
          g_assert_cmpfloat (speedup, ==, 1.0);
          g_assert_cmpfloat (json_array_get_double_element (sp, 0), ==, 1.0);
          g_assert_cmpfloat (json_array_get_double_element (sp, 1), ==, 1.0);
        }
    }

  /* The repeat reads back. */
  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_run_trace_get_repeat (il_trace_get_run (trace, 1))->count, ==, 3);
}

/* The lab report is a PDF on A4 (the test locale is C) whose text has the lesson's title, the
 * question, the prediction, the answer, the figures and the machine. */
static void
check_report (const char *path, const char *prediction)
{
  g_autofree char *data = NULL;
  g_autofree char *text = NULL;
  g_autofree char *info = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  g_autoptr(GError) error = NULL;
  gsize len;
  int status;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 10000);
  g_assert_true (g_str_has_prefix (data, "%PDF-"));
  if (pdftotext == NULL || pdfinfo == NULL)
    {
      g_test_message ("poppler-utils missing: the report's text is not checked");
      return;
    }
  {
    const char *argv[] = { pdftotext, "-layout", path, "-", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &text,
                                 NULL, &status, &error));
    g_assert_no_error (error);
  }
  {
    const char *argv[] = { pdfinfo, path, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &info,
                                 NULL, &status, &error));
    g_assert_no_error (error);
  }
  g_assert_nonnull (strstr (info, "(A4)"));
  g_assert_nonnull (strstr (text, "GIL vs free-threaded"));
  g_assert_nonnull (strstr (text, "Question"));
  g_assert_nonnull (strstr (text, prediction));
  g_assert_nonnull (strstr (text, "What the lesson says"));
  g_assert_nonnull (strstr (text, "Wall time"));
  g_assert_nonnull (strstr (text, "Machine:"));
  g_assert_nonnull (strstr (text, "cores"));
}

/* A lesson by its shipped name: one row per run, the ratios between them, one image of all. */
static void
test_run_lesson (void)
{
  g_autofree char *trace_path = tmp ("lesson.interleave.json");
  g_autofree char *png = tmp ("lesson.png");
  g_autofree char *report = tmp ("lesson-report.pdf");
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(IlTestResult) r = { 0 };
  guint w, h;

  il_test_run (&r, &cli, "run", "--lesson", "06-gil-vs-free-threaded", "-o", trace_path, "--png", png,
           "--scale", "2", "--width", "640", "--height", "400", "--report", report,
           "--prediction", "Without the GIL it takes half the time", NULL);
  g_assert_cmpint (r.status, ==, 0);
  check_report (report, "Without the GIL it takes half the time");
  g_assert_nonnull (strstr (r.out, "GIL vs free-threaded"));
  g_assert_nonnull (strstr (r.out, "2 threads + GIL"));
  g_assert_nonnull (strstr (r.out, "2 threads, no GIL (free-threaded)"));
  g_assert_nonnull (strstr (r.out, "between runs"));
  g_assert_nonnull (strstr (r.out, "× as fast as"));

  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 2);
  g_assert_cmpstr (il_run_trace_get_label (il_trace_get_run (trace, 0)), ==, "2 threads + GIL");
  g_assert_cmpfloat (il_run_trace_get_summary (il_trace_get_run (trace, 0))->avg_parallelism, <=, 1.05);
  g_assert_false (il_run_trace_get_config (il_trace_get_run (trace, 1))->gil);

  png_size (png, &w, &h);
  g_assert_cmpuint (w, ==, 1280);
  g_assert_cmpuint (h, ==, 800);
}

/* render re-draws a saved trace and re-exports it; the CSV says the same as the trace. */
static void
test_render (void)
{
  g_autofree char *trace_path = tmp ("render-src.interleave.json");
  g_autofree char *png = tmp ("render.png");
  g_autofree char *csv = tmp ("render.csv");
  g_autofree char *csv_text = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_auto(IlTestResult) made = { 0 };
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) summary = { 0 };
  g_auto(IlTestResult) nothing = { 0 };
  guint w, h;
  guint64 n_spans = 0;

  il_test_run (&made, &cli, "run", "--executor", "async", "--workload", "sleep", "--tasks", "4",
           "--task-ms", "10", "--quiet", "-o", trace_path, NULL);
  g_assert_cmpint (made.status, ==, 0);

  il_test_run (&r, &cli, "render", trace_path, "--png", png, "--csv", csv, "--width", "1000", "--height",
           "500", "--view", "workers", NULL);
  g_assert_cmpint (r.status, ==, 0);
  png_size (png, &w, &h);
  g_assert_cmpuint (w, ==, 1000);
  g_assert_cmpuint (h, ==, 500);

  trace = il_trace_load (trace_path, NULL);
  g_assert_nonnull (trace);
  for (guint i = 0; i < il_trace_get_n_runs (trace); i++)
    n_spans += il_run_trace_get_n_spans (il_trace_get_run (trace, i)) +
               csv_load_rows (il_trace_get_run (trace, i));
  csv_text = il_test_read_text (csv);
  g_assert_cmpuint (il_test_count_lines (csv_text), ==, n_spans + 1);

  il_test_run (&summary, &cli, "render", trace_path, "--summary", NULL);
  g_assert_cmpint (summary.status, ==, 0);
  g_assert_nonnull (strstr (summary.out, "wall time"));

  il_test_run (&nothing, &cli, "render", trace_path, NULL);
  g_assert_cmpint (nothing.status, ==, 2);
}

/* Chrome traces render like trace files: Interleave's own export (back to the same CSV), another
 * tool's file (VizTracer style, a bare array), and a broken one (exit 2, file and line). */
static void
test_render_chrome (void)
{
  g_autofree char *trace_path = tmp ("chrome-src.interleave.json");
  g_autofree char *chrome = tmp ("chrome-src.chrome.json");
  g_autofree char *csv_a = tmp ("chrome-a.csv");
  g_autofree char *csv_b = tmp ("chrome-b.csv");
  g_autofree char *png = tmp ("viztracer.png");
  g_autofree char *broken = tmp ("broken.json");
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;
  g_autofree char *viztracer = g_test_build_filename (G_TEST_DIST, "chrome", "viztracer.json", NULL);
  g_autofree char *bare = g_test_build_filename (G_TEST_DIST, "chrome", "bare-array.json", NULL);
  g_auto(IlTestResult) made = { 0 };
  g_auto(IlTestResult) b = { 0 };
  g_auto(IlTestResult) viz = { 0 };
  g_auto(IlTestResult) arr = { 0 };
  g_auto(IlTestResult) bad = { 0 };
  guint w, h;

  il_test_run (&made, &cli, "run", "--executor", "threads", "--workers", "2", "--tasks", "4", "--task-ms",
           "5", "--quiet", "-o", trace_path, "--chrome-trace", chrome, "--csv", csv_a, NULL);
  g_assert_cmpint (made.status, ==, 0);
  il_test_run (&b, &cli, "render", chrome, "--csv", csv_b, NULL);
  g_assert_cmpint (b.status, ==, 0);
  text_a = il_test_read_text (csv_a);
  text_b = il_test_read_text (csv_b);
  g_assert_cmpstr (text_a, ==, text_b);

  il_test_run (&viz, &cli, "render", viztracer, "--png", png, "--width", "800", "--height", "400", NULL);
  g_assert_cmpint (viz.status, ==, 0);
  png_size (png, &w, &h);
  g_assert_cmpuint (w, ==, 800);
  il_test_run (&arr, &cli, "render", bare, "--summary", NULL);
  g_assert_cmpint (arr.status, ==, 0);
  g_assert_nonnull (strstr (arr.out, "2 threads"));

  g_assert_true (g_file_set_contents (broken, "{\"traceEvents\": [\n{\"ph\": \"X\", \"ts\": 1,\n\"dur\": -2}]}", -1, NULL));
  il_test_run (&bad, &cli, "render", broken, "--summary", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_cmpuint (il_test_count_lines (bad.err), ==, 1);
  g_assert_nonnull (strstr (bad.err, "broken.json:2: negative “dur”"));
}

/* A sweep writes its numbers and its curve. */
static void
test_sweep (void)
{
  g_autofree char *data = tmp ("sweep.json");
  g_autofree char *csv = tmp ("sweep.csv");
  g_autofree char *png = tmp ("sweep.png");
  g_autofree char *csv_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) r2 = { 0 };
  JsonObject *root, *series;
  JsonArray *walls, *speedups;
  guint w, h;

  il_test_run (&r, &cli, "sweep", "--workers-list", "1,2", "--executor", "threads", "--executor",
           "threads+gil", "--tasks", "4", "--task-ms", "20", "--repeat", "1", "-o", data, "--png", png,
           "--width", "900", "--height", "600", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "serial fraction"));
  g_assert_nonnull (strstr (r.out, "threads + GIL"));

  root = load_json (parser, data);
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "interleave-sweep");
  g_assert_cmpint (json_object_get_int_member (root, "baseline_ns"), >, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "series")), ==, 2);
  series = json_array_get_object_element (json_object_get_array_member (root, "series"), 1);
  g_assert_true (json_object_get_boolean_member (series, "gil"));
  walls = json_object_get_array_member (series, "wall_ns");
  speedups = json_object_get_array_member (series, "speedup");
  g_assert_cmpuint (json_array_get_length (walls), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      gint64 wall = json_array_get_int_element (walls, i);

      g_assert_cmpint (wall, >, 0);
      /* Measured once, the speedup written is the baseline's wall time over this point's. */
      g_assert_cmpfloat_with_epsilon (json_array_get_double_element (speedups, i),
                                      (double) json_object_get_int_member (root, "baseline_ns") / wall,
                                      1e-6);
    }
  png_size (png, &w, &h);
  g_assert_cmpuint (w, ==, 900);
  g_assert_cmpuint (h, ==, 600);

  il_test_run (&r2, &cli, "sweep", "--workers-list", "2", "--executor", "threads", "--tasks", "2",
           "--task-ms", "5", "--quiet", "-o", csv, NULL);
  g_assert_cmpint (r2.status, ==, 0);
  csv_text = il_test_read_text (csv);
  g_assert_true (g_str_has_prefix (csv_text, "executor,gil,label,workers,wall_ns,speedup,serial_fraction,disturbed_rounds\nthreads,false,threads,2,"));
}

/* sweep --repeat: every point the median of its rounds, with a speedup range around it. */
static void
test_sweep_repeat (void)
{
  g_autofree char *data = tmp ("sweep-repeat.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(IlTestResult) r = { 0 };
  JsonObject *root, *series;
  JsonArray *speedups, *ranges;

  il_test_run (&r, &cli, "sweep", "--workers-list", "1,2", "--executor", "threads", "--tasks", "4",
           "--task-ms", "10", "--repeat", "3", "-o", data, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "median of 3 rounds"));
  root = load_json (parser, data);
  g_assert_cmpint (json_object_get_int_member (root, "repeat"), ==, 3);
  series = json_array_get_object_element (json_object_get_array_member (root, "series"), 0);
  speedups = json_object_get_array_member (series, "speedup");
  ranges = json_object_get_array_member (series, "speedup_range");
  g_assert_cmpuint (json_array_get_length (ranges), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonArray *range = json_array_get_array_element (ranges, i);
      double lo = json_array_get_double_element (range, 0), hi = json_array_get_double_element (range, 1);

      g_assert_cmpfloat (lo, >, 0);
      g_assert_cmpfloat (lo, <=, hi);
      /* The point's speedup is the median of the rounds' paired ratios (each round's baseline
       * over that round's point), so it lies within their spread. */
      g_assert_cmpfloat (json_array_get_double_element (speedups, i), >=, lo);
      g_assert_cmpfloat (json_array_get_double_element (speedups, i), <=, hi);
    }
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (series, "disturbed_rounds")), ==, 2);
}

/* A sweep without --repeat measures 3 rounds: one sample says nothing about its noise. */
static void
test_sweep_default_repeat (void)
{
  g_autofree char *data = tmp ("sweep-default.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(IlTestResult) r = { 0 };
  JsonObject *root;

  il_test_run (&r, &cli, "sweep", "--workers-list", "2", "--executor", "threads", "--tasks", "2",
           "--task-ms", "5", "-o", data, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "median of 3 rounds"));
  root = load_json (parser, data);
  g_assert_cmpint (json_object_get_int_member (root, "repeat"), ==, 3);
}

/* The event a signal to the CLI must come after: both workers of @data (the CLI's pid) exist and
 * are inside a task, each having computed for 50 ms (a worker's start-up takes a few). */
static gboolean
workers_in_tasks (gpointer data)
{
  g_autoptr(GArray) workers = il_test_children_of (GPOINTER_TO_INT (data));

  if (workers->len < 2)
    return FALSE;
  for (guint i = 0; i < workers->len; i++)
    if (il_test_cpu_ticks (g_array_index (workers, int, i)) < 5)
      return FALSE;
  return TRUE;
}

/* Ctrl+C: the workers stop, the children are gone, the partial trace is written and says so. */
static void
test_cancel (void)
{
  g_autofree char *trace_path = tmp ("cancel.interleave.json");
  const char *argv[] = { cli_path, "run", "--executor", "processes", "--workers", "2", "--tasks",
                         "200", "--task-ms", "100", "-o", trace_path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run;
  GPid pid;
  int wait_status;
  guint done = 0;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);

  /* Interrupt once the run (and its signal handling) has started and the workers are busy. */
  il_test_poll_for (workers_in_tasks, GINT_TO_POINTER (pid), 60, "both workers to be in a task");
  kill (pid, SIGINT);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);

  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_true (il_run_trace_get_cancelled (run));
  for (guint t = 0; t < il_run_trace_get_n_tasks (run); t++)
    if (il_run_trace_get_task (run, t)->status == IL_TASK_OK)
      done++;
  g_assert_cmpuint (done, <, 200);
  for (guint k = 0; k < il_run_trace_get_n_workers (run); k++)
    {
      int worker_pid = il_run_trace_get_worker (run, k)->pid;

      /* Real worker processes, not the CLI, and none of them left behind. */
      g_assert_cmpint (worker_pid, >, 0);
      g_assert_cmpint (worker_pid, !=, pid);
      g_assert_true (kill (worker_pid, 0) == -1 && errno == ESRCH);
    }
}

static void
own_process_group (gpointer data)
{
  setpgid (0, 0);
}

/* Starts a processes run of the CLI (24 tasks of @task_ms each, in a process group of its own when
 * @group), waits until both its workers are inside a task, and returns its pid; its stderr is
 * read from *@err_fd. */
static GPid
start_processes_run (const char *trace_path, const char *task_ms, gboolean group, int *err_fd)
{
  const char *argv[] = { cli_path, "run", "--executor", "processes", "--workers", "2", "--tasks",
                         "24", "--task-ms", task_ms, "-o", trace_path, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                           group ? own_process_group : NULL, NULL, &pid, NULL,
                                           NULL, err_fd, &error));
  g_assert_no_error (error);
  il_test_poll_for (workers_in_tasks, GINT_TO_POINTER (pid), 60, "both workers to be in a task");
  return pid;
}

/* Whether process @data has run for 300 ms. */
static gboolean
past_start (gpointer data)
{
  return il_test_cpu_ticks (GPOINTER_TO_INT (data)) >= 30;
}

/* Whether process @data is running or ready to (state R in /proc/PID/stat). */
static gboolean
computing (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", GPOINTER_TO_INT (data));
  g_autofree char *text = NULL;
  const char *paren;

  return g_file_get_contents (path, &text, NULL, NULL) && (paren = strrchr (text, ')')) != NULL &&
         paren[1] == ' ' && paren[2] == 'R';
}

static int
wait_exit (GPid pid, int err_fd, char **err)
{
  g_autoptr(GIOChannel) channel = g_io_channel_unix_new (err_fd);
  int wait_status;

  g_io_channel_set_close_on_unref (channel, TRUE);
  g_assert_cmpint (g_io_channel_read_to_end (channel, err, NULL, NULL), ==, G_IO_STATUS_NORMAL);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_test_message ("stderr: %s", *err);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

/* kill -9 of one worker: its task fails with the cause, a new worker takes its lane, the other
 * tasks finish, and the CLI says "1 task failed" and exits 1. */
static void
test_worker_killed (void)
{
  g_autofree char *trace_path = tmp ("killed.interleave.json");
  g_autofree char *err = NULL;
  g_autoptr(GArray) workers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run;
  int err_fd, victim;
  guint n_failed = 0, n_ok = 0, n_replaced = 0;
  GPid pid = start_processes_run (trace_path, "150", FALSE, &err_fd);

  workers = il_test_children_of (pid);
  victim = g_array_index (workers, int, 0);
  /* Past its start-up: under ASan beside other suites a worker's start took more than the 50 ms
   * of CPU workers_in_tasks() waits for, and the kill landed before its first task. 300 ms of
   * CPU is its second or third task of 150 ms. */
  il_test_poll_for (past_start, GINT_TO_POINTER (victim), 60, "the worker to be past its start-up");
  /* Killed inside a task, not between two: a worker waiting for its next task sleeps (under ASan
   * beside other suites, that wait was long enough for a kill to land in it, and rightly no task
   * failed). Computing, it is running or ready (R). */
  il_test_poll_for (computing, GINT_TO_POINTER (victim), 60, "the worker to be computing");
  g_assert_cmpint (kill (victim, SIGKILL), ==, 0);
  g_assert_cmpint (wait_exit (pid, err_fd, &err), ==, 1);
  g_assert_nonnull (strstr (err, "took its place"));
  g_assert_nonnull (strstr (err, "1 task failed"));
  g_assert_nonnull (strstr (err, "killed by SIGKILL"));

  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_false (il_run_trace_get_cancelled (run));
  for (guint t = 0; t < il_run_trace_get_n_tasks (run); t++)
    {
      const IlTaskRecord *task = il_run_trace_get_task (run, t);
      if (task->status == IL_TASK_FAILED)
        {
          n_failed++;
          g_assert_cmpstr (il_run_trace_get_task_error (run, t), ==, "killed by SIGKILL");
        }
      else if (task->status == IL_TASK_OK)
        n_ok++;
    }
  g_assert_cmpuint (n_failed, ==, 1);
  g_assert_cmpuint (n_ok, ==, 23);
  for (guint k = 0; k < il_run_trace_get_n_workers (run); k++)
    {
      guint n_previous = 0;
      const int *previous = il_run_trace_get_previous_pids (run, k, &n_previous);

      if (n_previous > 0)
        {
          n_replaced++;
          g_assert_cmpint (previous[0], ==, victim);
          g_assert_cmpint (il_run_trace_get_worker (run, k)->pid, !=, victim);
        }
      g_assert_true (kill (il_run_trace_get_worker (run, k)->pid, 0) == -1 && errno == ESRCH);
    }
  g_assert_cmpuint (n_replaced, ==, 1);
}

/* Ctrl+C at a terminal signals the whole process group, workers included (and so does
 * `timeout` with SIGTERM): the run ends as cleanly as with a SIGINT to the CLI alone. */
static void
test_group_signal (gconstpointer data)
{
  int sig = GPOINTER_TO_INT (data);
  g_autofree char *name = g_strdup_printf ("group-%d.interleave.json", sig);
  g_autofree char *trace_path = tmp (name);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run;
  int err_fd;
  guint n_ok = 0, n_cancelled = 0;
  GPid pid = start_processes_run (trace_path, "60", TRUE, &err_fd);

  g_assert_cmpint (kill (-pid, sig), ==, 0);
  g_assert_cmpint (wait_exit (pid, err_fd, &err), ==, 1);
  g_assert_nonnull (strstr (err, "cancelled"));
  g_assert_null (strstr (err, "failed"));
  /* Nobody of the group is left. */
  g_assert_true (kill (-pid, 0) == -1 && errno == ESRCH);

  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_true (il_run_trace_get_cancelled (run));
  for (guint t = 0; t < il_run_trace_get_n_tasks (run); t++)
    {
      IlTaskStatus status = il_run_trace_get_task (run, t)->status;

      /* Never "failed": the workers did not die of the signal before the cancel. */
      g_assert_cmpint (status, !=, IL_TASK_FAILED);
      n_ok += status == IL_TASK_OK;
      n_cancelled += status == IL_TASK_CANCELLED;
    }
  g_assert_cmpuint (n_ok + n_cancelled, ==, 24);
  g_assert_cmpuint (n_cancelled, >, 0);
  for (guint k = 0; k < il_run_trace_get_n_workers (run); k++)
    {
      guint n_previous = 0;

      il_run_trace_get_previous_pids (run, k, &n_previous);
      g_assert_cmpuint (n_previous, ==, 0);
    }
}

/* A copy of the CLI outside its build folder is "installed": it must not run the build folder's
 * worker (a planted one, were the folder world-writable), only libexecdir's. */
static void
test_installed_worker_path (void)
{
  g_autofree char *copy = tmp ("interleave-cli-installed");
  g_autofree char *installed = g_build_filename (IL_LIBEXECDIR, "interleave-worker", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) env = g_environ_unsetenv (g_get_environ (), "IL_WORKER_PATH");
  IlTestCommand copied = { copy, env, NULL, NULL };
  IlTestCommand built = { cli_path, env, NULL, NULL };
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) r2 = { 0 };
  gsize len;

  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("a worker is installed in libexecdir");
      return;
    }
  g_assert_true (g_file_get_contents (cli_path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (copy, 0755), ==, 0);

  il_test_run (&r, &copied, "run", "--executor", "processes", "--workers", "1", "--tasks", "1",
               "--task-ms", "1", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, installed));

  /* The same program in the build folder does find the build's worker. */
  il_test_run (&r2, &built, "run", "--executor", "processes", "--workers", "1", "--tasks", "1",
               "--task-ms", "1", "--quiet", NULL);
  g_assert_cmpint (r2.status, ==, 0);
}

typedef struct
{
  gint64 start, end;
} Interval;

static int
compare_intervals (gconstpointer a, gconstpointer b)
{
  const Interval *x = a, *y = b;

  return x->start < y->start ? -1 : x->start > y->start;
}

/* trace records another program from the kernel's context switches: real pids, CPUs that exist,
 * and never two running spans on one CPU at once. Skipped where the kernel forbids it. */
static void
test_trace (void)
{
  g_autofree char *trace_path = tmp ("traced.interleave.json");
  g_autofree char *paranoid = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) fails = { 0 };
  g_auto(IlTestResult) none = { 0 };
  IlRunTrace *run;
  GArray *per_cpu[64] = { NULL, };
  guint n_cpus, n_running = 0, n_processes = 0;

  if (g_file_get_contents ("/proc/sys/kernel/perf_event_paranoid", &paranoid, NULL, NULL) &&
      atoi (paranoid) > 2)
    {
      g_test_skip ("perf_event_paranoid > 2: the kernel does not let users trace");
      return;
    }

  il_test_run (&r, &cli, "trace", "-o", trace_path, "--", "/bin/sh", "-c",
           "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done & "
           "j=0; while [ $j -lt 30000 ]; do j=$((j+1)); done & wait", NULL);
  if (r.status == 1 && strstr (r.err, "refused") != NULL)
    {
      g_test_skip (r.err);
      return;
    }
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "kernel"));

  trace = il_trace_load (trace_path, &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_cmpint (il_run_trace_get_capture (run), ==, IL_CAPTURE_KERNEL);
  /* Saved as what it is, a traced program with its threads as workers, not as a run of tasks. */
  g_assert_cmpint (il_run_trace_get_config (run)->executor, ==, IL_EXECUTOR_EXTERNAL);
  g_assert_cmpuint (il_run_trace_get_config (run)->workers, ==, il_run_trace_get_n_workers (run));
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 0);
  {
    g_autofree char *describe = il_run_config_describe (il_run_trace_get_config (run));
    g_assert_true (g_str_has_prefix (describe, "traced program · "));
  }
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root = load_json (parser, trace_path);
    JsonObject *first = json_array_get_object_element (json_object_get_array_member (root, "runs"), 0);
    JsonObject *config = json_object_get_object_member (first, "config");

    g_assert_cmpstr (json_object_get_string_member (config, "executor"), ==, "external");
  }
  n_cpus = il_run_trace_get_n_cpus (run);
  g_assert_cmpuint (n_cpus, <=, G_N_ELEMENTS (per_cpu));
  /* The shell and its two background loops. */
  g_assert_cmpuint (il_run_trace_get_n_workers (run), >=, 3);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, w);
      const IlLane *lane = il_run_trace_get_lane (run, w);

      g_assert_cmpint (info->pid, >, 1);
      g_assert_cmpint (info->tid, >, 1);
      if (info->kind == IL_WORKER_PROCESS)
        n_processes++;
      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *s = il_lane_get_span (lane, i);
          Interval iv = { s->start_ns, s->end_ns };

          if (s->state != IL_STATE_RUNNING)
            {
              g_assert_cmpint (s->cpu, ==, -1);
              continue;
            }
          g_assert_cmpint (s->cpu, >=, 0);
          g_assert_cmpint (s->cpu, <, (int) n_cpus);
          if (per_cpu[s->cpu] == NULL)
            per_cpu[s->cpu] = g_array_new (FALSE, FALSE, sizeof (Interval));
          g_array_append_val (per_cpu[s->cpu], iv);
          n_running++;
        }
    }
  g_assert_cmpuint (n_processes, >=, 3);
  g_assert_cmpuint (n_running, >, 0);
  for (guint c = 0; c < n_cpus; c++)
    {
      if (per_cpu[c] == NULL)
        continue;
      g_array_sort (per_cpu[c], compare_intervals);
      for (guint i = 1; i < per_cpu[c]->len; i++)
        g_assert_cmpint (g_array_index (per_cpu[c], Interval, i).start, >=,
                         g_array_index (per_cpu[c], Interval, i - 1).end);
      g_array_unref (per_cpu[c]);
    }

  il_test_run (&fails, &cli, "trace", "--quiet", "--", "/bin/false", NULL);
  g_assert_cmpint (fails.status, ==, 1);
  il_test_run (&none, &cli, "trace", NULL);
  g_assert_cmpint (none.status, ==, 2);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  cli_path = argc > 1 ? argv[1] : g_getenv ("IL_CLI_PATH");
  if (cli_path == NULL)
    {
      g_printerr ("usage: test-cli PATH-TO-interleave-cli\n");
      return 1;
    }
  cli.program = cli_path;
  tmpdir = il_test_tmpdir_new ("test-cli");

  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/bad-input", test_bad_input);
  g_test_add_func ("/cli/run-outputs", test_run_outputs);
  g_test_add_func ("/cli/run-defaults", test_run_defaults);
  g_test_add_func ("/cli/run-failed", test_run_failed);
  g_test_add_func ("/cli/run-gil", test_run_gil);
  g_test_add_func ("/cli/run-baseline", test_run_baseline);
  g_test_add_func ("/cli/run-lesson", test_run_lesson);
  g_test_add_func ("/cli/run-repeat", test_run_repeat);
  g_test_add_func ("/cli/sweep-repeat", test_sweep_repeat);
  g_test_add_func ("/cli/sweep-default-repeat", test_sweep_default_repeat);
  g_test_add_func ("/cli/render", test_render);
  g_test_add_func ("/cli/render-chrome", test_render_chrome);
  g_test_add_func ("/cli/sweep", test_sweep);
  g_test_add_func ("/cli/cancel", test_cancel);
  g_test_add_func ("/cli/worker-killed", test_worker_killed);
  g_test_add_data_func ("/cli/group-sigint", GINT_TO_POINTER (SIGINT), test_group_signal);
  g_test_add_data_func ("/cli/group-sigterm", GINT_TO_POINTER (SIGTERM), test_group_signal);
  g_test_add_func ("/cli/installed-worker-path", test_installed_worker_path);
  g_test_add_func ("/cli/trace", test_trace);
  ret = g_test_run ();

  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return ret;
}
