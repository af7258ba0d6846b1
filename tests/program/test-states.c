/* test-states.c: traced programs' states that the kernel capture must not guess: lost kernel records (unknown, hatched) and an asyncio loop busy in a callback or idle waiting for I/O. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 20 item 3, through `interleave-cli trace` and real CPython. Lost records: the perf rings
 * made one page small (IL_TEST_PERF_PAGES, the test hook of il-program-perf.c) under two threads
 * that ping-pong through pipes, so the kernel drops switch records: they are counted in the trace
 * and the summary, the time they cover is left unknown in the lanes (never a state), and a file
 * with a negative count is refused. Args: interleave-cli. */
#include "config.h"

#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "il-perf.h"
#include "il-trace-io.h"
#include "il-test-util.h"

static const char *cli_path;
static char *python;
static char *tmpdir;
static gboolean perf_allowed;

/* Two threads hand a byte back and forth through two pipes: tens of thousands of context switches
 * a second, more than a one-page ring holds between the tracer's reads. */
static const char pingpong_py[] =
  "import os, threading\n"
  "r1, w1 = os.pipe(); r2, w2 = os.pipe()\n"
  "N = 30000\n"
  "def pong():\n"
  "    for _ in range(N):\n"
  "        os.read(r1, 1); os.write(w2, b'x')\n"
  "t = threading.Thread(target=pong); t.start()\n"
  "for _ in range(N):\n"
  "    os.write(w1, b'x'); os.read(r2, 1)\n"
  "t.join()\n";

/* `interleave-cli trace -o OUT -- argv` with @env added to ours; exit 0 expected. */
static IlRunTrace *
trace_cli (const char *const *argv, const char *env, const char *out, char **summary)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_auto(IlTestResult) r = { 0 };

  if (env != NULL)
    {
      g_auto(GStrv) kv = g_strsplit (env, "=", 2);
      envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    }
  g_strv_builder_add_many (b, cli_path, "trace", "-o", out, "--", NULL);
  g_strv_builder_addv (b, (const char **) argv);
  args = g_strv_builder_end (b);
  il_test_run_argv (&r, (const char * const *) args, envp);
  if (r.status != 0)
    g_test_message ("stdout: %s\nstderr: %s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  *summary = g_strdup (r.out);
  trace = il_trace_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 1);
  return il_run_trace_ref (il_trace_get_run (trace, 0));
}

typedef struct
{
  gint64 from, gap_ns;
} Gaps;

static gboolean
add_gap (const IlSpan *span, gpointer data)
{
  Gaps *g = data;

  if (span->start_ns > g->from)
    g->gap_ns += span->start_ns - g->from;
  g->from = MAX (g->from, span->end_ns);
  return TRUE;
}

static void
test_lost_records (void)
{
  g_autofree char *script = g_build_filename (tmpdir, "pingpong.py", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "lost.interleave.json", NULL);
  g_autofree char *bad = g_build_filename (tmpdir, "lost-negative.interleave.json", NULL);
  const char *argv[] = { python, script, NULL };
  g_autofree char *summary = NULL;
  g_autoptr(IlRunTrace) run = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) refused = NULL;
  const IlLostStretch *lost;
  guint n_lost;
  guint64 records;
  gint64 covered_ns, unknown_ns = 0, inside_ns = 0, known_inside_ns = 0;
  JsonArray *row;

  if (!perf_allowed)
    {
      g_test_skip ("perf_event_open is not allowed here: no kernel records to lose");
      return;
    }
  g_assert_true (g_file_set_contents (script, pingpong_py, -1, NULL));
  run = trace_cli (argv, "IL_TEST_PERF_PAGES=1", out, &summary);
  g_test_message ("%s", summary);
  g_assert_cmpint (il_run_trace_get_capture (run), ==, IL_CAPTURE_KERNEL);

  /* Counted, read back from the file, and said. */
  records = il_run_trace_get_lost_records (run, &covered_ns);
  lost = il_run_trace_get_lost (run, &n_lost);
  g_test_message ("%" G_GUINT64_FORMAT " records lost in %u stretches covering %.1f ms", records,
                  n_lost, covered_ns / 1e6);
  g_assert_cmpuint (records, >, 0);
  g_assert_cmpuint (n_lost, >, 0);
  g_assert_nonnull (strstr (summary, "LOST: the kernel dropped"));

  /* Unknown, not a state: inside each stretch, the lanes of the threads alive then are mostly
   * empty (what the painter hatches), and no thread is drawn running on the stretch's CPU. */
  for (guint i = 0; i < n_lost; i++)
    for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
      {
        const IlLane *lane = il_run_trace_get_lane (run, w);
        guint n = il_lane_get_n_spans (lane);
        gint64 s, e;
        Gaps g;

        if (n == 0)
          continue;
        s = MAX (lost[i].start_ns, il_lane_get_span (lane, 0)->start_ns);
        e = MIN (lost[i].end_ns, il_lane_get_span (lane, n - 1)->end_ns);
        if (e <= s)
          continue;
        g = (Gaps) { s, 0 };
        il_lane_foreach_in_range (lane, s, e, add_gap, &g);
        g.gap_ns += MAX (e - g.from, 0);
        unknown_ns += g.gap_ns;
        inside_ns += e - s;
        for (guint k = il_lane_find (lane, s); k < n && il_lane_get_span (lane, k)->start_ns < e; k++)
          {
            const IlSpan *sp = il_lane_get_span (lane, k);

            if (sp->state == IL_STATE_RUNNING && sp->cpu == lost[i].cpu)
              known_inside_ns += MIN (sp->end_ns, e) - MAX (sp->start_ns, s);
          }
      }
  g_test_message ("threads' time inside lost stretches %.1f ms: unknown %.1f ms, running on the "
                  "lost CPU %.2f ms", inside_ns / 1e6, unknown_ns / 1e6, known_inside_ns / 1e6);
  g_assert_cmpint (unknown_ns, >, 0);
  g_assert_cmpint (unknown_ns * 2, >, inside_ns);
  /* A stretch's first records may have been laid out before its loss was known (a late ring). */
  g_assert_cmpint (known_inside_ns * 10, <=, covered_ns);

  /* A file whose count is negative is refused. */
  json_parser_load_from_file (parser, out, &error);
  g_assert_no_error (error);
  row = json_array_get_array_element (
    json_object_get_array_member (
      json_object_get_object_member (
        json_array_get_object_element (
          json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "runs"), 0),
        "lost"),
      "rows"),
    0);
  json_array_remove_element (row, 3);
  json_array_add_int_element (row, -5);
  json_generator_set_root (gen, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (gen, bad, &error));
  refused = il_trace_load (bad, &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "lost"));
}

static gboolean
check_perf (void)
{
  struct perf_event_attr attr;
  int fd;

  /* The attributes the tracer asks for, on ourselves: allowed here or not. */
  il_perf_switch_attr_init (&attr);
  fd = (int) syscall (SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  return fd >= 0 && close (fd) == 0;
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-states INTERLEAVE-CLI");
  cli_path = argv[1];
  python = g_find_program_in_path ("python3");
  if (python == NULL)
    {
      g_test_message ("python3 is not installed: nothing to trace");
      return 77;
    }
  perf_allowed = check_perf ();
  tmpdir = il_test_tmpdir_new ("il-test-states");

  g_test_add_func ("/states/lost-records", test_lost_records);
  status = g_test_run ();

  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  g_free (python);
  return status;
}
