/* test-states.c: traced programs' states that the kernel capture must not guess: lost kernel records (unknown, hatched) and an asyncio loop busy in a callback or idle waiting for I/O. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 20 item 3, through `interleave-cli trace` and real CPython. Lost records: the perf rings
 * made one page small (IL_TEST_PERF_PAGES, the test hook of il-program-perf.c) under two threads
 * that ping-pong through pipes, so the kernel drops switch records: they are counted in the trace
 * and the summary, the time they cover is left unknown in the lanes (never a state), and a file
 * with a negative count is refused. Asyncio (python3.11): a loop blocked for 1.2 s in a CPU-bound
 * callback is busy (running or ready there, never waiting), one that only awaits sleeps is idle in
 * its selector, and the summary names both figures for the loop's thread; with the kernel capture
 * and the sampled one (perf refused by il-no-perf). Args: interleave-cli, il-no-perf. */
#include "config.h"

#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "il-perf.h"
#include "il-trace-io.h"
#include "il-test-running.h"
#include "il-test-util.h"

static const char *cli_path;
static const char *no_perf_path;
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
trace_cli (const char *const *argv, gboolean refuse_perf, const char *env, const char *out,
           char **summary)
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
  if (refuse_perf)
    g_strv_builder_add (b, no_perf_path);
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
  run = trace_cli (argv, FALSE, "IL_TEST_PERF_PAGES=1", out, &summary);
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

/* An asyncio program whose loop runs a 1.2 s CPU-bound callback between 50 ms ticks… */
static const char loop_busy_py[] =
  "import asyncio, time\n"
  "def burn(seconds):\n"
  "    end = time.perf_counter() + seconds\n"
  "    n = 0\n"
  "    while time.perf_counter() < end:\n"
  "        n += 1\n"
  "async def ticker():\n"
  "    for _ in range(10):\n"
  "        await asyncio.sleep(0.05)\n"
  "async def main():\n"
  "    t = asyncio.create_task(ticker())\n"
  "    await asyncio.sleep(0.1)\n"
  "    asyncio.get_running_loop().call_soon(burn, 1.2)\n"
  "    await t\n"
  "asyncio.run(main())\n";

/* …and one whose loop only waits: 100 ms ticks beside a 1 s sleep. */
static const char loop_idle_py[] =
  "import asyncio\n"
  "async def ticker():\n"
  "    for _ in range(12):\n"
  "        await asyncio.sleep(0.1)\n"
  "async def main():\n"
  "    await asyncio.gather(ticker(), asyncio.sleep(1.0))\n"
  "asyncio.run(main())\n";

/* The longest stretch of @worker's lane with no blocked span (running or ready, back to back). */
static gint64
longest_unblocked (IlRunTrace *run, guint worker)
{
  const IlLane *lane = il_run_trace_get_lane (run, worker);
  gint64 best = 0, from = -1, end = -1;

  for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
    {
      const IlSpan *sp = il_lane_get_span (lane, i);
      gboolean on = sp->state == IL_STATE_RUNNING || sp->state == IL_STATE_READY;

      if (!on)
        from = -1;
      else if (from < 0 || sp->start_ns != end)
        from = sp->start_ns;
      end = sp->end_ns;
      if (from >= 0)
        best = MAX (best, end - from);
    }
  return best;
}

static const IlEventLoop *
only_loop (GArray *loops, const char *summary)
{
  g_assert_cmpuint (loops->len, ==, 1);
  g_assert_nonnull (strstr (summary, "loop busy in callbacks"));
  g_assert_nonnull (strstr (summary, "loop idle waiting for I/O"));
  return &g_array_index (loops, IlEventLoop, 0);
}

static void
test_asyncio (gconstpointer data)
{
  gboolean sampled = GPOINTER_TO_INT (data);
  g_autofree char *py311 = g_find_program_in_path ("python3.11");
  g_autofree char *busy_script = g_build_filename (tmpdir, "loop_busy.py", NULL);
  g_autofree char *idle_script = g_build_filename (tmpdir, "loop_idle.py", NULL);
  g_autofree char *busy_out = g_build_filename (tmpdir, "loop-busy.interleave.json", NULL);
  g_autofree char *idle_out = g_build_filename (tmpdir, "loop-idle.interleave.json", NULL);
  g_autofree char *busy_summary = NULL, *idle_summary = NULL;
  g_autoptr(IlRunTrace) busy = NULL, idle = NULL;
  g_autoptr(GArray) busy_loops = NULL, idle_loops = NULL;
  const IlEventLoop *b, *i;

  if (py311 == NULL)
    {
      g_test_skip ("python3.11 is not installed");
      return;
    }
  if (!sampled && !perf_allowed)
    {
      g_test_skip ("perf_event_open is not allowed here");
      return;
    }
  g_assert_true (g_file_set_contents (busy_script, loop_busy_py, -1, NULL));
  g_assert_true (g_file_set_contents (idle_script, loop_idle_py, -1, NULL));
  busy = trace_cli ((const char *[]) { py311, busy_script, NULL }, sampled, NULL, busy_out, &busy_summary);
  idle = trace_cli ((const char *[]) { py311, idle_script, NULL }, sampled, NULL, idle_out, &idle_summary);
  g_test_message ("busy loop:\n%s\nidle loop:\n%s", busy_summary, idle_summary);
  g_assert_cmpint (il_run_trace_get_capture (busy), ==, sampled ? IL_CAPTURE_SAMPLED : IL_CAPTURE_KERNEL);
  busy_loops = il_run_trace_find_event_loops (busy);
  idle_loops = il_run_trace_find_event_loops (idle);
  b = only_loop (busy_loops, busy_summary);
  i = only_loop (idle_loops, idle_summary);
  g_test_message ("busy loop: busy %.3f s, idle %.3f s, longest unblocked %.3f s; idle loop: busy "
                  "%.3f s, idle %.3f s", b->busy_ns / 1e9, b->idle_ns / 1e9,
                  longest_unblocked (busy, b->worker) / 1e9, i->busy_ns / 1e9, i->idle_ns / 1e9);

  /* The callback's 1.2 s are the loop busy, in one stretch of running or ready (never a wait);
   * the ticks before and after it are the loop idle. */
  g_assert_cmpint (b->busy_ns, >=, G_GINT64_CONSTANT (1100000000));
  g_assert_cmpint (longest_unblocked (busy, b->worker), >=, G_GINT64_CONSTANT (1100000000));
  g_assert_cmpint (b->idle_ns, >, 0);
  g_assert_cmpint (b->busy_ns, >, b->idle_ns);
  /* The loop that only awaits is idle in its selector for its 1.2 s of ticks, busy only briefly. */
  g_assert_cmpint (i->idle_ns, >=, G_GINT64_CONSTANT (1000000000));
  g_assert_cmpint (i->busy_ns * 4, <, i->idle_ns);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    g_error ("usage: test-states INTERLEAVE-CLI IL-NO-PERF");
  cli_path = argv[1];
  no_perf_path = argv[2];
  python = g_find_program_in_path ("python3");
  if (python == NULL)
    {
      g_test_message ("python3 is not installed: nothing to trace");
      return 77;
    }
  perf_allowed = il_test_perf_allowed ();
  tmpdir = il_test_tmpdir_new ("il-test-states");

  g_test_add_func ("/states/lost-records", test_lost_records);
  g_test_add_data_func ("/states/asyncio/kernel", GINT_TO_POINTER (FALSE), test_asyncio);
  g_test_add_data_func ("/states/asyncio/sampled", GINT_TO_POINTER (TRUE), test_asyncio);
  status = g_test_run ();

  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  g_free (python);
  return status;
}
