/* test-chrome-depth.c: a Chrome trace's nesting kept as stacked rows, async slices as rows, and both through every file and the layout. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "il-layout.h"
#include "il-trace-io.h"
#include "il-test-util.h"

static char *tmpdir;

/* Thread "main" (pid 1, tid 2) is nested 4 deep (a ⊃ b ⊃ c ⊃ d), given out of order, with a
 * "bad" slice that starts inside "a" and outlives it, a B/E pair whose E comes first in the file
 * and a zero-length slice; thread 3 has one slice; pid 1 has a nestable async track (req ⊃ dns,
 * its events on two threads) and a legacy one (S/F). */
static const char nested_trace[] =
  "{\"traceEvents\":[\n"
  "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":2,\"args\":{\"name\":\"main\"}},\n"
  "{\"ph\":\"X\",\"name\":\"c\",\"pid\":1,\"tid\":2,\"ts\":20,\"dur\":10},\n"
  "{\"ph\":\"E\",\"pid\":1,\"tid\":2,\"ts\":80},\n"
  "{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":2,\"ts\":0,\"dur\":100},\n"
  "{\"ph\":\"X\",\"name\":\"d\",\"pid\":1,\"tid\":2,\"ts\":22,\"dur\":3},\n"
  "{\"ph\":\"X\",\"name\":\"bad\",\"pid\":1,\"tid\":2,\"ts\":90,\"dur\":30},\n"
  "{\"ph\":\"B\",\"name\":\"e\",\"pid\":1,\"tid\":2,\"ts\":70},\n"
  "{\"ph\":\"X\",\"name\":\"b\",\"pid\":1,\"tid\":2,\"ts\":10,\"dur\":50},\n"
  "{\"ph\":\"X\",\"name\":\"z\",\"pid\":1,\"tid\":2,\"ts\":40,\"dur\":0},\n"
  "{\"ph\":\"X\",\"name\":\"o\",\"pid\":1,\"tid\":3,\"ts\":0,\"dur\":50},\n"
  "{\"ph\":\"b\",\"name\":\"req\",\"cat\":\"net\",\"id\":\"0x1\",\"pid\":1,\"tid\":2,\"ts\":5},\n"
  "{\"ph\":\"e\",\"name\":\"dns\",\"cat\":\"net\",\"id\":\"0x1\",\"pid\":1,\"tid\":3,\"ts\":9},\n"
  "{\"ph\":\"b\",\"name\":\"dns\",\"cat\":\"net\",\"id\":\"0x1\",\"pid\":1,\"tid\":3,\"ts\":6},\n"
  "{\"ph\":\"e\",\"name\":\"req\",\"cat\":\"net\",\"id\":\"0x1\",\"pid\":1,\"tid\":2,\"ts\":70},\n"
  "{\"ph\":\"b\",\"name\":\"other\",\"cat\":\"net\",\"id2\":{\"local\":\"0x2\"},\"pid\":1,\"tid\":2,\"ts\":1},\n"
  "{\"ph\":\"e\",\"name\":\"other\",\"cat\":\"net\",\"id2\":{\"local\":\"0x2\"},\"pid\":1,\"tid\":2,\"ts\":2},\n"
  "{\"ph\":\"S\",\"name\":\"old\",\"cat\":\"x\",\"id\":7,\"pid\":1,\"tid\":2,\"ts\":1},\n"
  "{\"ph\":\"F\",\"name\":\"old\",\"cat\":\"x\",\"id\":7,\"pid\":1,\"tid\":2,\"ts\":3}\n"
  "]}\n";

static IlTrace *
load_text (const char *text, const char *name)
{
  g_autoptr(GError) error = NULL;
  IlTrace *trace = il_trace_load_from_data (text, strlen (text), name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (trace);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 1);
  return trace;
}

static const IlTaskRecord *
find_task (IlRunTrace *run, const char *name)
{
  for (guint i = 0; i < il_run_trace_get_n_tasks (run); i++)
    if (g_strcmp0 (il_run_trace_get_task (run, i)->name, name) == 0)
      return il_run_trace_get_task (run, i);
  g_error ("no task “%s”", name);
}

/* The rows and slices of @run, as the import made them. */
static void
check_nested (IlRunTrace *run)
{
  static const struct { const char *name; int tid; guint depth; gboolean async; } rows[] = {
    { "main", 2, 0, FALSE }, { "main", 2, 1, FALSE }, { "main", 2, 2, FALSE }, { "main", 2, 3, FALSE },
    { "thread 3", 3, 0, FALSE },
    { "async: old", -1, 0, TRUE },
    { "async: other", -1, 0, TRUE },
    { "async: req", -1, 0, TRUE }, { "async: req", -1, 1, TRUE },
  };
  static const struct { const char *name; int worker; gint64 start_us, end_us; } slices[] = {
    { "a", 0, 0, 100 }, { "b", 1, 10, 60 }, { "c", 2, 20, 30 }, { "d", 3, 22, 25 },
    /* Overlaps "a" without nesting: one row deeper, whole, not cut at a's end. */
    { "bad", 1, 90, 120 },
    { "e", 1, 70, 80 }, { "z", 2, 40, 40 }, { "o", 4, 0, 50 },
    { "old", 5, 1, 3 }, { "other", 6, 1, 2 }, { "req", 7, 5, 70 }, { "dns", 8, 6, 9 },
  };
  IlSpan stack[8];
  guint n, n_rows;

  g_assert_cmpuint (il_run_trace_get_n_workers (run), ==, G_N_ELEMENTS (rows));
  for (guint w = 0; w < G_N_ELEMENTS (rows); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, w);

      g_assert_cmpstr (info->name, ==, rows[w].name);
      g_assert_cmpint (info->pid, ==, 1);
      g_assert_cmpint (info->tid, ==, rows[w].tid);
      g_assert_cmpuint (info->depth, ==, rows[w].depth);
      g_assert_cmpint (info->async, ==, rows[w].async);
    }
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, G_N_ELEMENTS (slices));
  for (guint i = 0; i < G_N_ELEMENTS (slices); i++)
    {
      const IlTaskRecord *t = find_task (run, slices[i].name);

      g_assert_cmpint (t->worker, ==, slices[i].worker);
      g_assert_cmpint (t->start_ns, ==, slices[i].start_us * 1000);
      g_assert_cmpint (t->end_ns, ==, slices[i].end_us * 1000);
    }
  /* Row 1 holds b, e and bad, one span each, in order and apart. */
  g_assert_cmpuint (il_lane_get_n_spans (il_run_trace_get_lane (run, 1)), ==, 3);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);

      for (guint i = 1; i < il_lane_get_n_spans (lane); i++)
        g_assert_cmpint (il_lane_get_span (lane, i)->start_ns, >=, il_lane_get_span (lane, i - 1)->end_ns);
    }

  /* The groups, and the whole stack at an instant from any of its rows. */
  g_assert_cmpuint (il_run_trace_get_worker_group (run, 2, &n_rows), ==, 0);
  g_assert_cmpuint (n_rows, ==, 4);
  g_assert_cmpuint (il_run_trace_get_worker_group (run, 8, &n_rows), ==, 7);
  g_assert_cmpuint (n_rows, ==, 2);
  n = il_run_trace_get_stack (run, 3, 23000, stack, G_N_ELEMENTS (stack));
  g_assert_cmpuint (n, ==, 4);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (il_run_trace_get_task (run, (guint) stack[i].task)->name, ==,
                     ((const char *[]) { "a", "b", "c", "d" })[i]);
  n = il_run_trace_get_stack (run, 0, 95000, stack, G_N_ELEMENTS (stack));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (il_run_trace_get_task (run, (guint) stack[1].task)->name, ==, "bad");

  /* Running time of threads' outermost slices only: a (100 µs) and o (50 µs), at most 2 at
   * once; nested rows and async tracks would count time twice. */
  g_assert_cmpint (il_run_trace_get_summary (run)->cpu_ns, ==, 150000);
  g_assert_cmpuint (il_run_trace_get_summary (run)->max_parallelism, ==, 2);
  g_assert_cmpint (il_run_trace_get_summary (run)->wall_ns, ==, 120000);
}

static void
test_nested (void)
{
  g_autoptr(IlTrace) trace = load_text (nested_trace, "nested.json");

  check_nested (il_trace_get_run (trace, 0));
}

/* Saved (trace v1) and exported (Chrome) and read back: the same rows and slices. */
static void
test_round_trip (void)
{
  g_autoptr(IlTrace) trace = load_text (nested_trace, "nested.json");
  g_autofree char *native = g_build_filename (tmpdir, "nested.interleave.json", NULL);
  g_autofree char *chrome = g_build_filename (tmpdir, "nested.trace.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) back = NULL;
  g_autoptr(IlTrace) again = NULL;

  g_assert_true (il_trace_save (trace, native, &error));
  g_assert_no_error (error);
  back = il_trace_load (native, &error);
  g_assert_no_error (error);
  check_nested (il_trace_get_run (back, 0));

  g_assert_true (il_trace_export_chrome (trace, chrome, &error));
  g_assert_no_error (error);
  again = il_trace_load (chrome, &error);
  g_assert_no_error (error);
  check_nested (il_trace_get_run (again, 0));

  /* In the export every row of "main" is one thread (tid 2), named once; the zero-length slice
   * is there too. */
  g_assert_true (g_file_get_contents (chrome, &text, NULL, &error));
  g_assert_nonnull (strstr (text, "\"name\":\"d\",\"pid\":1,\"tid\":2,"));
  g_assert_nonnull (strstr (text, "\"name\":\"bad\",\"pid\":1,\"tid\":2,"));
  g_assert_nonnull (strstr (text, "\"name\":\"z\",\"pid\":1,\"tid\":2,\"ts\":40,\"dur\":0,"));
  g_assert_nonnull (strstr (text, "\"name\":\"thread_name\",\"pid\":1,\"tid\":2,"));
  g_assert_null (strstr (strstr (text, "\"name\":\"thread_name\",\"pid\":1,\"tid\":2,") + 1,
                         "\"name\":\"thread_name\",\"pid\":1,\"tid\":2,"));
  /* An older reader's file: "depth" on the first worker is refused. */
  {
    static const char bad[] =
      "{\"format\":\"interleave-trace\",\"version\":1,\"machine\":{\"cpus\":1,\"kernel\":\"\",\"hostname\":\"\"},"
      "\"runs\":[{\"label\":\"x\",\"config\":{\"executor\":\"external\",\"gil\":false,\"switch_interval_ms\":5,"
      "\"workers\":1,\"cpus\":[]},\"capture\":\"auto\",\"clock\":{\"id\":\"CLOCK_MONOTONIC\",\"origin_ns\":0},"
      "\"summary\":{\"wall_ns\":0,\"cpu_ns\":0,\"avg_parallelism\":0,\"max_parallelism\":0,\"gil_wait_ns\":0,"
      "\"io_wait_ns\":0,\"ready_ns\":0,\"speedup\":null},"
      "\"workers\":[{\"id\":0,\"kind\":\"thread\",\"pid\":1,\"tid\":1,\"name\":\"t\",\"depth\":2}],"
      "\"tasks\":[],\"spans_columns\":[\"worker\",\"state\",\"cpu\",\"task\",\"start_ns\",\"end_ns\"],\"spans\":[]}]}";
    g_autoptr(GError) err = NULL;
    g_autoptr(IlTrace) none = il_trace_load_from_data (bad, strlen (bad), "bad.json", &err);

    g_assert_null (none);
    g_assert_nonnull (err);
    g_assert_nonnull (strstr (err->message, "depth"));
  }
}

/* A thread's rows are one lane group: consecutive, no gap between them, the deeper ones thinner,
 * and the window's minimum height counts them at their height. */
static void
test_layout (void)
{
  g_autoptr(IlTrace) trace = load_text (nested_trace, "nested.json");
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  g_autoptr(IlLayout) layout = NULL;
  IlPaintOptions o;
  const IlLayoutRow *rows[9] = { NULL };

  il_paint_options_init (&o);
  g_ptr_array_add (runs, il_trace_get_run (trace, 0));
  layout = il_layout_new (1200, 800, runs, &o);
  for (guint i = 0; i < layout->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (layout->rows, IlLayoutRow, i);

      if (row->kind == IL_ROW_WORKER)
        rows[row->index] = row;
    }
  for (guint w = 0; w < G_N_ELEMENTS (rows); w++)
    {
      g_assert_nonnull (rows[w]);
      g_assert_cmpuint (rows[w]->depth, ==, il_run_trace_get_worker (il_trace_get_run (trace, 0), w)->depth);
    }
  for (guint w = 1; w <= 3; w++)
    {
      g_assert_cmpfloat (rows[w]->y, ==, rows[w - 1]->y + rows[w - 1]->h);
      g_assert_cmpfloat (rows[w]->h, <, rows[0]->h);
      g_assert_cmpfloat (rows[w]->h, >=, rows[0]->h * 0.6);
    }
  /* A gap after the group, between threads. */
  g_assert_cmpfloat (rows[4]->y, >, rows[3]->y + rows[3]->h);
  g_assert_cmpfloat (rows[8]->y, ==, rows[7]->y + rows[7]->h);
  /* At the window's minimum height even the nested rows keep a readable height. */
  {
    int h = il_layout_min_height (1200, runs, &o);
    g_autoptr(IlLayout) small = il_layout_new (1200, h, runs, &o);

    for (guint i = 0; i < small->rows->len; i++)
      {
        const IlLayoutRow *row = &g_array_index (small->rows, IlLayoutRow, i);

        if (row->kind == IL_ROW_WORKER)
          g_assert_cmpfloat (row->h, >=, IL_LAYOUT_MIN_LANE_H);
      }
    g_assert_cmpint (h, <, 800);
  }
  /* The lane filter keeps a thread's rows together. */
  o.lane_filter = "main";
  {
    g_autoptr(IlLayout) filtered = il_layout_new (1200, 800, runs, &o);
    guint n = 0;

    for (guint i = 0; i < filtered->rows->len; i++)
      n += g_array_index (filtered->rows, IlLayoutRow, i).kind == IL_ROW_WORKER;
    g_assert_cmpuint (n, ==, 4);
  }
}

/* A process's main thread (tid = pid) keeps its ids in the export when another of its threads
 * comes first: the round trip finds every thread where the file had it. */
static void
test_main_thread_ids (void)
{
  static const char text[] =
    "[{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":5,\"tid\":6,\"args\":{\"name\":\"A helper\"}},\n"
    "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":5,\"tid\":5,\"args\":{\"name\":\"Main\"}},\n"
    "{\"ph\":\"X\",\"name\":\"h\",\"pid\":5,\"tid\":6,\"ts\":1,\"dur\":2},\n"
    "{\"ph\":\"X\",\"name\":\"m\",\"pid\":5,\"tid\":5,\"ts\":1,\"dur\":2}]";
  g_autoptr(IlTrace) trace = load_text (text, "main.json");
  g_autofree char *chrome = g_build_filename (tmpdir, "main.trace.json", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (il_run_trace_get_worker (il_trace_get_run (trace, 0), 0)->name, ==, "A helper");
  g_assert_true (il_trace_export_chrome (trace, chrome, &error));
  g_assert_true (g_file_get_contents (chrome, &out, NULL, &error));
  g_assert_nonnull (strstr (out, "\"name\":\"m\",\"pid\":5,\"tid\":5,"));
  g_assert_nonnull (strstr (out, "\"name\":\"h\",\"pid\":5,\"tid\":6,"));
}

/* A thread nested deeper than a run has lanes is drawn flattened, saying so, every slice kept. */
static void
test_too_deep (void)
{
  GString *s = g_string_new ("[");
  const guint n = 65536;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s{\"ph\":\"X\",\"name\":\"s\",\"pid\":1,\"tid\":1,\"ts\":%u,\"dur\":%u}",
                            i > 0 ? "," : "", i, 2 * (n - i));
  g_string_append (s, "]");
  trace = il_trace_load_from_data (s->str, s->len, "deep.json", &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_cmpuint (il_run_trace_get_n_workers (run), ==, 1);
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, n);
  g_assert_cmpuint (il_trace_get_n_warnings (trace), ==, 1);
  g_assert_nonnull (strstr (il_trace_get_warning (trace, 0), "65536 rows"));
  g_assert_nonnull (strstr (il_trace_get_warning (trace, 0), "flattened"));
  g_string_free (s, TRUE);
}

/* Where events of a thread meet at one instant the export writes each one grid step (2^-10 µs)
 * after the one before, so that consumers nest as the import did (docs/trace-format.md): "z", a
 * zero-length child at its parent's start; "a" twice back to back after "p"; "y", zero-length at
 * the start of "b" (its child, as the import nests it); "q" ends with "b" (a run of ends, not
 * moved); two "n" of other args end at one instant (the outer one moves: speedscope would take
 * the outer one's end for the inner one's and warn). */
static void
test_meeting_instants (void)
{
  static const char text[] =
    "[{\"ph\":\"X\",\"name\":\"p\",\"pid\":1,\"tid\":1,\"ts\":10,\"dur\":10},\n"
    "{\"ph\":\"X\",\"name\":\"z\",\"pid\":1,\"tid\":1,\"ts\":10,\"dur\":0},\n"
    "{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":20,\"dur\":5},\n"
    "{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":25,\"dur\":5},\n"
    "{\"ph\":\"X\",\"name\":\"y\",\"pid\":1,\"tid\":1,\"ts\":30,\"dur\":0},\n"
    "{\"ph\":\"X\",\"name\":\"b\",\"pid\":1,\"tid\":1,\"ts\":30,\"dur\":5},\n"
    "{\"ph\":\"X\",\"name\":\"q\",\"pid\":1,\"tid\":1,\"ts\":33,\"dur\":2},\n"
    "{\"ph\":\"X\",\"name\":\"n\",\"pid\":1,\"tid\":1,\"ts\":41,\"dur\":9,\"args\":{\"d\":2}},\n"
    "{\"ph\":\"X\",\"name\":\"n\",\"pid\":1,\"tid\":1,\"ts\":40,\"dur\":10,\"args\":{\"d\":1}}]\n";
  static const char *const written[] = {
    "\"name\":\"p\",\"pid\":1,\"tid\":1,\"ts\":10,\"dur\":10,",
    "\"name\":\"z\",\"pid\":1,\"tid\":1,\"ts\":10.0009765625,\"dur\":0,",
    "\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":20.0009765625,\"dur\":4.9990234375,",
    "\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":25.0009765625,\"dur\":4.9990234375,",
    "\"name\":\"b\",\"pid\":1,\"tid\":1,\"ts\":30.0009765625,\"dur\":4.9990234375,",
    "\"name\":\"y\",\"pid\":1,\"tid\":1,\"ts\":30.001953125,\"dur\":0,",
    "\"name\":\"q\",\"pid\":1,\"tid\":1,\"ts\":33,\"dur\":2,",
    "\"name\":\"n\",\"pid\":1,\"tid\":1,\"ts\":40,\"dur\":10.0009765625,",
    "\"name\":\"n\",\"pid\":1,\"tid\":1,\"ts\":41,\"dur\":9,",
  };
  g_autoptr(IlTrace) trace = load_text (text, "meet.json");
  g_autofree char *chrome = g_build_filename (tmpdir, "meet.trace.json", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) back = NULL;
  const char *at;

  g_assert_true (il_trace_export_chrome (trace, chrome, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (chrome, &out, NULL, &error));
  /* Depth first, in this order. */
  at = out;
  for (guint i = 0; i < G_N_ELEMENTS (written); i++)
    {
      const char *found = strstr (at, written[i]);

      if (found == NULL)
        g_error ("not written after the one before: %s\n%s", written[i], out);
      at = found + 1;
    }
  /* The re-import takes the true nanoseconds. */
  back = il_trace_load (chrome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (find_task (il_trace_get_run (back, 0), "b")->start_ns, ==,
                   find_task (il_trace_get_run (trace, 0), "b")->start_ns);
  g_assert_cmpint (find_task (il_trace_get_run (back, 0), "y")->end_ns, ==,
                   find_task (il_trace_get_run (trace, 0), "y")->end_ns);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = il_test_tmpdir_new ("il-chrome-depth");
  g_test_add_func ("/chrome-depth/nested", test_nested);
  g_test_add_func ("/chrome-depth/round-trip", test_round_trip);
  g_test_add_func ("/chrome-depth/layout", test_layout);
  g_test_add_func ("/chrome-depth/main-thread-ids", test_main_thread_ids);
  g_test_add_func ("/chrome-depth/too-deep", test_too_deep);
  g_test_add_func ("/chrome-depth/meeting-instants", test_meeting_instants);
  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
