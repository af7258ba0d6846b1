/* test-trace-stacks.c: the sampled Python stacks store: interning, lookups, per-function totals, tooltip words, trace v1 round trip and refusals, speedscope export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "il-trace-io.h"
#include "il-trace-stacks.h"
#include "il-test-util.h"

#define MS 1000000

static char *tmpdir;

/* A traced program of one process (pid 900) with two threads: "main" (tid 900) runs compute()
 * from 0 to 100 ms holding the GIL; "other" (tid 901) waits for the GIL from 0 to 60 ms, then
 * waits for I/O in read() to 100 ms. Sampled every 10 ms. */
static IlRunTrace *
make_run (void)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  IlRunTrace *run;
  IlTraceStacks *stacks = il_trace_stacks_new ();
  IlSpan span = { .task = -1, .cpu = -1 };
  guint compute, main_fn, wait_fn, read_fn;

  config->executor = IL_EXECUTOR_EXTERNAL;
  config->label = g_strdup ("python3 worker.py");
  config->workers = 2;
  config->tasks = 0;
  config->task_ms = 0;
  run = il_run_trace_new (config);
  il_run_trace_set_n_cpus (run, 2);
  il_run_trace_add_process (run, 900, 1, "python3 worker.py", "python3");
  il_run_trace_add_worker (run, IL_WORKER_PROCESS, 900, 900, "main");
  il_run_trace_add_worker (run, IL_WORKER_THREAD, 900, 901, "other");
  span.worker = 0;
  span.state = IL_STATE_RUNNING;
  span.cpu = 0;
  span.start_ns = 0;
  span.end_ns = 100 * MS;
  il_run_trace_append (run, &span);
  span.worker = 1;
  span.cpu = -1;
  span.state = IL_STATE_GIL_WAIT;
  span.end_ns = 60 * MS;
  il_run_trace_append (run, &span);
  span.state = IL_STATE_IO_WAIT;
  span.start_ns = 60 * MS;
  span.end_ns = 100 * MS;
  il_run_trace_append (run, &span);

  compute = il_trace_stacks_intern_frame (stacks, "compute", "/home/u/worker.py", 12);
  main_fn = il_trace_stacks_intern_frame (stacks, "<module>", "/home/u/worker.py", 30);
  wait_fn = il_trace_stacks_intern_frame (stacks, "step", "/home/u/worker.py", 20);
  read_fn = il_trace_stacks_intern_frame (stacks, "read", "/usr/lib/python3.11/socket.py", 700);
  g_assert_cmpuint (il_trace_stacks_intern_frame (stacks, "compute", "/home/u/worker.py", 12), ==, compute);
  g_assert_cmpuint (il_trace_stacks_intern_frame (stacks, "compute", "/home/u/worker.py", 13), !=, compute);
  for (int i = 0; i < 10; i++)
    {
      guint a[] = { compute, main_fn };
      guint b_gil[] = { wait_fn, main_fn };
      guint b_io[] = { read_fn, wait_fn, main_fn };
      gint64 t = (gint64) i * 10 * MS + 5 * MS;

      il_trace_stacks_add_sample (stacks, 900, 900, t, TRUE, TRUE, a, G_N_ELEMENTS (a));
      if (t < 60 * MS)
        il_trace_stacks_add_sample (stacks, 900, 901, t, FALSE, FALSE, b_gil, G_N_ELEMENTS (b_gil));
      else
        il_trace_stacks_add_sample (stacks, 900, 901, t, FALSE, FALSE, b_io, G_N_ELEMENTS (b_io));
    }
  il_run_trace_set_stacks (run, stacks);
  il_run_trace_compute_summary (run);
  return run;
}

static void
test_store (void)
{
  g_autoptr(IlRunTrace) run = make_run ();
  IlTraceStacks *stacks = il_run_trace_get_stacks (run);
  IlStackSample s;
  IlStackFrame f;
  g_autofree char *text = NULL;
  double share;
  guint extra;

  g_assert_true (il_run_trace_get_stacks (run) == stacks);
  g_assert_cmpuint (il_trace_stacks_get_n_frames (stacks), ==, 5);
  g_assert_cmpuint (il_trace_stacks_get_n_samples (stacks), ==, 20);
  g_assert_cmpuint (il_trace_stacks_get_n_threads (stacks), ==, 2);
  /* The median gap between a thread's samples. */
  g_assert_cmpint (il_trace_stacks_get_interval_ns (stacks), ==, 10 * MS);

  /* Nearest within the gap: 23 ms is nearest 25 ms; 200 ms is too far from 95 ms. */
  g_assert_true (il_trace_stacks_find_sample (stacks, 900, 900, 23 * MS, 20 * MS, &s));
  g_assert_cmpint (s.time_ns, ==, 25 * MS);
  g_assert_true (s.on_cpu && s.holds_gil);
  g_assert_cmpuint (s.n_frames, ==, 2);
  g_assert_true (il_trace_stacks_get_frame (stacks, s.frames[0], &f));
  g_assert_cmpstr (f.function, ==, "compute");
  g_assert_cmpuint (f.line, ==, 12);
  g_assert_true (il_trace_stacks_find_sample (stacks, 900, 900, 16 * MS, 20 * MS, &s));
  g_assert_cmpint (s.time_ns, ==, 15 * MS);
  g_assert_false (il_trace_stacks_find_sample (stacks, 900, 900, 200 * MS, 20 * MS, &s));
  g_assert_false (il_trace_stacks_find_sample (stacks, 900, 999, 20 * MS, 20 * MS, &s));
  g_assert_true (il_trace_stacks_find_worker_sample (stacks, run, 1, 72 * MS, 20 * MS, &s));
  g_assert_cmpint (s.tid, ==, 901);
  g_assert_cmpuint (s.n_frames, ==, 3);

  /* The GIL's holder at 41 ms: main's sample at 45 ms, not other's at 35 ms (it held none). */
  g_assert_true (il_trace_stacks_find_gil_holder (stacks, 900, -1, 41 * MS, 20 * MS, &s));
  g_assert_cmpint (s.tid, ==, 900);
  g_assert_cmpint (s.time_ns, ==, 45 * MS);
  g_assert_true (il_trace_stacks_find_gil_holder (stacks, 900, 901, 41 * MS, 20 * MS, &s));
  g_assert_cmpint (s.tid, ==, 900);
  /* Only main held it: asking for anyone else finds no one. */
  g_assert_false (il_trace_stacks_find_gil_holder (stacks, 900, 900, 41 * MS, 20 * MS, &s));
  g_assert_false (il_trace_stacks_find_gil_holder (stacks, 901, -1, 41 * MS, 20 * MS, &s));

  text = il_trace_stacks_format_frame (stacks, 0);
  g_assert_cmpstr (text, ==, "compute()  worker.py:12");

  /* Dominant innermost frame of other in [0, 100 ms): step (6 samples) over read (4). */
  g_assert_true (il_trace_stacks_dominant_frame (stacks, 900, 901, 0, 100 * MS, &share) ==
                 il_trace_stacks_intern_frame (stacks, "step", "/home/u/worker.py", 20));
  g_assert_cmpfloat_with_epsilon (share, 0.6, 1e-9);
  g_assert_true (il_trace_stacks_dominant_frame (stacks, 900, 901, 60 * MS, 100 * MS, NULL) ==
                 il_trace_stacks_intern_frame (stacks, "read", "/usr/lib/python3.11/socket.py", 700));
  g_assert_cmpuint (il_trace_stacks_dominant_frame (stacks, 900, 901, 200 * MS, 300 * MS, NULL), ==, G_MAXUINT);

  /* A sample that comes late is put in its place. */
  extra = il_trace_stacks_intern_frame (stacks, "late", "x.py", 1);
  il_trace_stacks_add_sample (stacks, 900, 900, 31 * MS, TRUE, TRUE, &extra, 1);
  g_assert_true (il_trace_stacks_find_sample (stacks, 900, 900, 32 * MS, 20 * MS, &s));
  g_assert_cmpint (s.time_ns, ==, 31 * MS);
  g_assert_true (il_trace_stacks_get_thread_sample (stacks, 0, 5, &s));
  g_assert_cmpint (s.time_ns, ==, 45 * MS);
  il_trace_stacks_set_interval_ns (stacks, 5 * MS);
  g_assert_cmpint (il_trace_stacks_get_interval_ns (stacks), ==, 5 * MS);
}

static void
test_totals (void)
{
  g_autoptr(IlRunTrace) run = make_run ();
  g_autoptr(GArray) totals = il_trace_stacks_get_function_totals (il_run_trace_get_stacks (run), run);
  g_autoptr(GArray) alone = il_trace_stacks_get_function_totals (il_run_trace_get_stacks (run), NULL);
  const IlStackFunctionTotal *t;
  IlStackFrame f;

  g_assert_cmpuint (totals->len, ==, 3);
  /* compute: 10 samples running; step: 6 waiting for the GIL; read: 4 blocked. */
  t = &g_array_index (totals, IlStackFunctionTotal, 0);
  il_trace_stacks_get_frame (il_run_trace_get_stacks (run), t->frame, &f);
  g_assert_cmpstr (f.function, ==, "compute");
  g_assert_cmpint (t->running_ns, ==, 100 * MS);
  g_assert_cmpint (t->gil_wait_ns + t->blocked_ns, ==, 0);
  t = &g_array_index (totals, IlStackFunctionTotal, 1);
  il_trace_stacks_get_frame (il_run_trace_get_stacks (run), t->frame, &f);
  g_assert_cmpstr (f.function, ==, "step");
  g_assert_cmpint (t->gil_wait_ns, ==, 60 * MS);
  g_assert_cmpint (t->running_ns + t->blocked_ns, ==, 0);
  t = &g_array_index (totals, IlStackFunctionTotal, 2);
  il_trace_stacks_get_frame (il_run_trace_get_stacks (run), t->frame, &f);
  g_assert_cmpstr (f.function, ==, "read");
  g_assert_cmpint (t->blocked_ns, ==, 40 * MS);
  g_assert_cmpuint (t->n_samples, ==, 4);
  /* Without the trace's spans a sampler cannot tell a GIL wait: blocked. */
  t = &g_array_index (alone, IlStackFunctionTotal, 1);
  g_assert_cmpint (t->gil_wait_ns, ==, 0);
  g_assert_cmpint (t->blocked_ns, ==, 60 * MS);
}

static void
test_describe (void)
{
  g_autoptr(IlRunTrace) run = make_run ();
  g_autoptr(IlRunTrace) bare = NULL;
  g_autofree char *running = il_trace_stacks_describe (run, 0, 42 * MS, IL_STATE_RUNNING, 3);
  g_autofree char *waiting = il_trace_stacks_describe (run, 1, 42 * MS, IL_STATE_GIL_WAIT, 3);
  g_autofree char *io = il_trace_stacks_describe (run, 1, 82 * MS, IL_STATE_IO_WAIT, 1);
  g_autofree char *far = il_trace_stacks_describe (run, 1, 500 * MS, IL_STATE_IO_WAIT, 1);
  g_autoptr(IlRunConfig) config = il_run_config_new ();

  g_assert_cmpstr (running, ==, "compute()  worker.py:12\n  in <module>()  worker.py:30");
  g_assert_cmpstr (waiting, ==, "step()  worker.py:20\n  in <module>()  worker.py:30\n"
                                "Held the GIL: compute()  worker.py:12 (main)");
  g_assert_cmpstr (io, ==, "read()  socket.py:700\n  in step()  worker.py:20\n  (1 more frame)");
  g_assert_null (far);
  bare = il_run_trace_new (config);
  il_run_trace_add_worker (bare, IL_WORKER_THREAD, 1, 2, NULL);
  g_assert_null (il_trace_stacks_describe (bare, 0, 0, IL_STATE_RUNNING, 3));
}

static IlTrace *
save_and_load (IlRunTrace *run, const char *name, char **text)
{
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  IlTrace *loaded;

  il_trace_set_machine (trace, 2, "Linux", "host");
  il_trace_add_run (trace, run);
  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, text, NULL, NULL));
  loaded = il_trace_load (path, &error);
  g_assert_no_error (error);
  return loaded;
}

static IlRunTrace *
make_mixed_run (void)
{
  IlRunTrace *run = make_run ();
  IlTraceStacks *stacks = il_run_trace_get_stacks (run);
  guint f = il_trace_stacks_intern_frame (stacks, "hash", "/usr/lib/python3.11/hashlib.py", 0);

  /* Runnable without the GIL (C code that released it), and holding it while not runnable: the
   * two flags are kept apart. */
  il_trace_stacks_add_sample (stacks, 900, 902, 7 * MS, TRUE, FALSE, &f, 1);
  il_trace_stacks_add_sample (stacks, 900, 902, 17 * MS, FALSE, TRUE, &f, 1);
  il_trace_stacks_add_sample (stacks, 900, 902, 27 * MS, FALSE, FALSE, NULL, 0);
  return run;
}

static void
test_round_trip (void)
{
  g_autoptr(IlRunTrace) run = make_mixed_run ();
  g_autofree char *text = NULL;
  g_autoptr(IlTrace) loaded = save_and_load (run, "stacks.interleave.json", &text);
  IlTraceStacks *a = il_run_trace_get_stacks (run);
  IlTraceStacks *b = il_run_trace_get_stacks (il_trace_get_run (loaded, 0));

  g_assert_nonnull (strstr (text, "\"stacks\""));
  g_assert_nonnull (b);
  g_assert_cmpuint (il_trace_stacks_get_n_frames (b), ==, il_trace_stacks_get_n_frames (a));
  for (guint i = 0; i < il_trace_stacks_get_n_frames (a); i++)
    {
      IlStackFrame fa, fb;

      il_trace_stacks_get_frame (a, i, &fa);
      il_trace_stacks_get_frame (b, i, &fb);
      g_assert_cmpstr (fa.function, ==, fb.function);
      g_assert_cmpstr (fa.file, ==, fb.file);
      g_assert_cmpuint (fa.line, ==, fb.line);
    }
  g_assert_cmpint (il_trace_stacks_get_interval_ns (b), ==, il_trace_stacks_get_interval_ns (a));
  g_assert_cmpuint (il_trace_stacks_get_n_threads (b), ==, 3);
  g_assert_cmpuint (il_trace_stacks_get_n_threads (b), ==, il_trace_stacks_get_n_threads (a));
  for (guint t = 0; t < il_trace_stacks_get_n_threads (a); t++)
    {
      gint64 pa, ta, pb, tb;
      guint na, nb;

      il_trace_stacks_get_thread (a, t, &pa, &ta, &na);
      il_trace_stacks_get_thread (b, t, &pb, &tb, &nb);
      g_assert_cmpint (pa, ==, pb);
      g_assert_cmpint (ta, ==, tb);
      g_assert_cmpuint (na, ==, nb);
      for (guint k = 0; k < na; k++)
        {
          IlStackSample sa, sb;

          il_trace_stacks_get_thread_sample (a, t, k, &sa);
          il_trace_stacks_get_thread_sample (b, t, k, &sb);
          g_assert_true (memcmp (&sa, &sb, sizeof sa) == 0);
        }
    }
  /* No stacks, no member. */
  {
    g_autoptr(IlRunConfig) config = il_run_config_new ();
    g_autoptr(IlRunTrace) plain = il_run_trace_new (config);
    g_autofree char *plain_text = NULL;
    g_autoptr(IlTrace) back = NULL;

    il_run_trace_add_worker (plain, IL_WORKER_THREAD, 1, 2, NULL);
    back = save_and_load (plain, "plain.interleave.json", &plain_text);
    g_assert_null (strstr (plain_text, "\"stacks\""));
    g_assert_null (il_run_trace_get_stacks (il_trace_get_run (back, 0)));
  }
}

/* The saved file with its "stacks" member's text @from replaced by @to must be refused. */
static void
check_refused (const char *text, const char *from, const char *to)
{
  const char *at = strstr (text, "\"stacks\"");
  const char *hit;
  g_autoptr(GString) bad = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;

  g_assert_nonnull (at);
  hit = strstr (at, from);
  g_assert_nonnull (hit);
  g_string_append_len (bad, text, hit - text);
  g_string_append (bad, to);
  g_string_append (bad, hit + strlen (from));
  trace = il_trace_load_from_data (bad->str, bad->len, "bad.json", &error);
  if (trace != NULL)
    g_error ("accepted with %s → %s", from, to);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_test_message ("%s → %s: %s", from, to, error->message);
}

static void
test_refused (void)
{
  g_autoptr(IlRunTrace) run = make_run ();
  g_autofree char *text = NULL;
  g_autoptr(IlTrace) loaded = save_and_load (run, "refused.interleave.json", &text);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) ok = il_trace_load_from_data (text, strlen (text), "ok.json", &error);

  g_assert_nonnull (il_run_trace_get_stacks (il_trace_get_run (loaded, 0)));

  /* The unchanged text loads, so each refusal below is the change's. */
  g_assert_no_error (error);
  g_assert_nonnull (ok);
  check_refused (text, "\"interval_ns\" : 10000000", "\"interval_ns\" : -1");
  check_refused (text, "\"interval_ns\" : 10000000", "\"interval_ns\" : 1.5");
  check_refused (text, "\"line\"", "\"lines\"");
  check_refused (text, "\"compute\"", "\"\"");
  check_refused (text, "12]", "-12]");
  check_refused (text, "\"pid\" : 900", "\"pid\" : -900");
  check_refused (text, "\"tid\" : 901", "\"tid\" : null");
  /* The first sample: a negative time, an unknown stack, flags out of range, times going back,
   * a sample cut short. */
  check_refused (text, "[\n    5000000, 0, 3", "[\n    -5000000, 0, 3");
  check_refused (text, "[\n    5000000, 0, 3", "[\n    5000000, 99, 3");
  check_refused (text, "[\n    5000000, 0, 3", "[\n    5000000, 0, 4");
  check_refused (text, "[\n    5000000, 0, 3, 15000000", "[\n    5000000, 0, 3, 1000");
  check_refused (text, "[\n    5000000, 0, 3,", "[\n    5000000, 0,");
  /* A stack naming a frame the table does not have. */
  check_refused (text, "[0, 1]", "[7, 1]");
  check_refused (text, "[0, 1]", "[0, -1]");
}

static void
test_speedscope (void)
{
  g_autoptr(IlRunTrace) run = make_run ();
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(IlTrace) empty = il_trace_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "p.speedscope.json", NULL);
  JsonObject *root, *profile;
  JsonArray *frames, *profiles, *sample;
  gsize len;

  il_trace_add_run (trace, run);
  g_assert_true (il_trace_has_stacks (trace));
  g_assert_false (il_trace_has_stacks (empty));
  g_assert_false (il_trace_export_speedscope (empty, path, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_clear_error (&error);
  text = il_trace_to_speedscope (trace, &len);
  g_assert_true (json_parser_load_from_data (parser, text, (gssize) len, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "$schema"), ==,
                   "https://www.speedscope.app/file-format-schema.json");
  frames = json_object_get_array_member (json_object_get_object_member (root, "shared"), "frames");
  g_assert_cmpuint (json_array_get_length (frames), ==, 5);
  profiles = json_object_get_array_member (root, "profiles");
  g_assert_cmpuint (json_array_get_length (profiles), ==, 2);
  profile = json_array_get_object_element (profiles, 1);
  g_assert_cmpstr (json_object_get_string_member (profile, "type"), ==, "sampled");
  g_assert_cmpstr (json_object_get_string_member (profile, "name"), ==, "other");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (profile, "samples")), ==, 10);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (profile, "weights")), ==, 10);
  g_assert_cmpint (json_object_get_int_member (profile, "startValue"), ==, 5 * MS);
  g_assert_cmpint (json_object_get_int_member (profile, "endValue"), ==, 105 * MS);
  /* Outermost first: <module> (1), step (2), read (3). */
  sample = json_array_get_array_element (json_object_get_array_member (profile, "samples"), 9);
  g_assert_cmpuint (json_array_get_length (sample), ==, 3);
  g_assert_cmpint (json_array_get_int_element (sample, 0), ==, 1);
  g_assert_cmpint (json_array_get_int_element (sample, 2), ==, 3);
  g_assert_true (il_trace_export_speedscope (trace, path, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = il_test_tmpdir_new ("il-stacks");
  g_test_add_func ("/stacks/store", test_store);
  g_test_add_func ("/stacks/totals", test_totals);
  g_test_add_func ("/stacks/describe", test_describe);
  g_test_add_func ("/stacks/round-trip", test_round_trip);
  g_test_add_func ("/stacks/refused", test_refused);
  g_test_add_func ("/stacks/speedscope", test_speedscope);
  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
