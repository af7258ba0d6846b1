/* test-trace-io.c: trace v1 round trips, malformed files with their exact errors, CSV export (Chrome: test-chrome.c). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "il-clock.h"
#include "il-cpu-load.h"
#include "il-trace-io.h"
#include "il-test-util.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* A run with every kind of value the format has: all states, no CPU, no task, a process. */
static IlRunTrace *
make_run (const char *label, guint n_workers, guint spans_per_worker, gboolean cancelled)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  IlRunTrace *run;
  IlSummary summary = { 0 };

  config->executor = IL_EXECUTOR_PROCESSES;
  config->workers = n_workers;
  config->cpus = il_cpu_set_parse ("0-1", NULL);
  config->workload = IL_WORKLOAD_MIXED;
  config->tasks = 16;
  config->task_ms = 12.5;
  config->switch_interval_ms = 2.5;
  run = il_run_trace_new (config);
  il_run_trace_set_label (run, label);
  il_run_trace_set_capture (run, IL_CAPTURE_SELF);
  il_run_trace_set_origin_ns (run, G_GINT64_CONSTANT (605584958000000));
  il_run_trace_set_cancelled (run, cancelled);
  il_run_trace_set_n_cpus (run, 2);
  for (guint w = 0; w < n_workers; w++)
    {
      g_autofree char *name = g_strdup_printf ("worker %u", w);
      il_run_trace_add_worker (run, w % 2 ? IL_WORKER_PROCESS : IL_WORKER_THREAD, 4242 + (int) w,
                               4250 + (int) w, name);
    }
  il_run_trace_set_n_tasks (run, 16);
  for (guint t = 0; t < 16; t++)
    {
      IlTaskRecord *task = il_run_trace_get_task (run, t);
      task->worker = t < 8 ? (int) (t % n_workers) : -1;
      task->start_ns = t * 1000;
      task->end_ns = t * 1000 + 500;
      task->status = t < 8 ? IL_TASK_OK : (t < 12 ? IL_TASK_CANCELLED : IL_TASK_PENDING);
    }
  for (guint w = 0; w < n_workers; w++)
    {
      gint64 t = 100 * w;

      for (guint i = 0; i < spans_per_worker; i++)
        {
          IlSpan span = { 0 };

          span.worker = (guint16) w;
          span.state = (i * 7 + w) % IL_N_STATES;
          span.cpu = span.state == IL_STATE_RUNNING ? (gint16) ((i + w) % 2) : -1;
          span.task = span.state == IL_STATE_IDLE ? -1 : (gint32) (i % 16);
          span.start_ns = t;
          span.end_ns = t + 1 + (gint64) (i % 13) * 997;
          t = span.end_ns + (i % 3);
          il_run_trace_append (run, &span);
        }
    }
  summary.wall_ns = il_run_trace_get_end_ns (run);
  summary.cpu_ns = 123456789;
  summary.avg_parallelism = 1.25;
  summary.max_parallelism = 2;
  summary.gil_wait_ns = 11;
  summary.io_wait_ns = 22;
  summary.ready_ns = 33;
  summary.speedup = cancelled ? NAN : 1.875;
  il_run_trace_set_summary (run, &summary);
  return run;
}

static IlTrace *
make_trace (guint spans_per_worker)
{
  IlTrace *trace = il_trace_new ();
  g_autoptr(IlRunTrace) a = NULL;
  g_autoptr(IlRunTrace) b = NULL;

  il_trace_set_machine (trace, 2, "6.1.0-test", "lab-07");
  /* A label that looks like the structure the reader scans for must not confuse it. */
  a = make_run ("4 \"spans\": [ [0, \"x\"] ] — Prozesse ✓\n\\", 4, spans_per_worker, FALSE);
  b = make_run ("cancelled run", 3, spans_per_worker / 2, TRUE);
  il_trace_add_run (trace, a);
  il_trace_add_run (trace, b);
  return trace;
}

static void
assert_runs_equal (IlRunTrace *a, IlRunTrace *b)
{
  const IlRunConfig *ca = il_run_trace_get_config (a);
  const IlRunConfig *cb = il_run_trace_get_config (b);
  const IlSummary *sa = il_run_trace_get_summary (a);
  const IlSummary *sb = il_run_trace_get_summary (b);

  g_assert_cmpstr (il_run_trace_get_label (a), ==, il_run_trace_get_label (b));
  g_assert_cmpint (ca->executor, ==, cb->executor);
  g_assert_cmpint (ca->gil, ==, cb->gil);
  g_assert_cmpfloat (ca->switch_interval_ms, ==, cb->switch_interval_ms);
  g_assert_cmpuint (ca->workers, ==, cb->workers);
  g_assert_cmpint (ca->workload, ==, cb->workload);
  g_assert_cmpuint (ca->tasks, ==, cb->tasks);
  g_assert_cmpfloat (ca->task_ms, ==, cb->task_ms);
  g_assert_nonnull (cb->cpus);
  g_assert_cmpuint (ca->cpus->len, ==, cb->cpus->len);
  for (guint i = 0; i < ca->cpus->len; i++)
    g_assert_cmpint (g_array_index (ca->cpus, int, i), ==, g_array_index (cb->cpus, int, i));

  g_assert_cmpint (il_run_trace_get_capture (a), ==, il_run_trace_get_capture (b));
  g_assert_cmpint (il_run_trace_get_origin_ns (a), ==, il_run_trace_get_origin_ns (b));
  g_assert_cmpint (il_run_trace_get_cancelled (a), ==, il_run_trace_get_cancelled (b));
  g_assert_false (il_run_trace_get_live (b));

  g_assert_cmpint (sa->wall_ns, ==, sb->wall_ns);
  g_assert_cmpint (sa->cpu_ns, ==, sb->cpu_ns);
  g_assert_cmpfloat (sa->avg_parallelism, ==, sb->avg_parallelism);
  g_assert_cmpuint (sa->max_parallelism, ==, sb->max_parallelism);
  g_assert_cmpint (sa->gil_wait_ns, ==, sb->gil_wait_ns);
  g_assert_cmpint (sa->io_wait_ns, ==, sb->io_wait_ns);
  g_assert_cmpint (sa->ready_ns, ==, sb->ready_ns);
  if (isnan (sa->speedup))
    g_assert_true (isnan (sb->speedup));
  else
    g_assert_cmpfloat (sa->speedup, ==, sb->speedup);

  g_assert_cmpuint (il_run_trace_get_n_workers (a), ==, il_run_trace_get_n_workers (b));
  for (guint w = 0; w < il_run_trace_get_n_workers (a); w++)
    {
      const IlWorkerInfo *wa = il_run_trace_get_worker (a, w);
      const IlWorkerInfo *wb = il_run_trace_get_worker (b, w);
      const IlLane *la = il_run_trace_get_lane (a, w);
      const IlLane *lb = il_run_trace_get_lane (b, w);

      g_assert_cmpuint (wa->id, ==, wb->id);
      g_assert_cmpint (wa->kind, ==, wb->kind);
      g_assert_cmpint (wa->pid, ==, wb->pid);
      g_assert_cmpint (wa->tid, ==, wb->tid);
      g_assert_cmpstr (wa->name, ==, wb->name);
      g_assert_cmpuint (il_lane_get_n_spans (la), ==, il_lane_get_n_spans (lb));
      for (guint i = 0; i < il_lane_get_n_spans (la); i++)
        g_assert_cmpmem (il_lane_get_span (la, i), sizeof (IlSpan), il_lane_get_span (lb, i),
                         sizeof (IlSpan));
    }

  g_assert_cmpuint (il_run_trace_get_n_tasks (a), ==, il_run_trace_get_n_tasks (b));
  for (guint t = 0; t < il_run_trace_get_n_tasks (a); t++)
    {
      const IlTaskRecord *ta = il_run_trace_get_task (a, t);
      const IlTaskRecord *tb = il_run_trace_get_task (b, t);

      g_assert_cmpuint (ta->id, ==, tb->id);
      g_assert_cmpint (ta->worker, ==, tb->worker);
      g_assert_cmpint (ta->start_ns, ==, tb->start_ns);
      g_assert_cmpint (ta->end_ns, ==, tb->end_ns);
      g_assert_cmpint (ta->status, ==, tb->status);
    }
  g_assert_cmpuint (il_run_trace_get_n_spans (a), ==, il_run_trace_get_n_spans (b));
}

static void
test_round_trip (void)
{
  g_autoptr(IlTrace) trace = make_trace (500);
  g_autoptr(IlTrace) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("round-trip.interleave.json");

  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_no_error (error);
  loaded = il_trace_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);

  g_assert_cmpuint (il_trace_get_machine_cpus (loaded), ==, 2);
  g_assert_cmpstr (il_trace_get_machine_kernel (loaded), ==, "6.1.0-test");
  g_assert_cmpstr (il_trace_get_machine_hostname (loaded), ==, "lab-07");
  g_assert_cmpuint (il_trace_get_n_runs (loaded), ==, 2);
  for (guint r = 0; r < 2; r++)
    assert_runs_equal (il_trace_get_run (trace, r), il_trace_get_run (loaded, r));
}

/* A program recorded by `interleave-cli trace` is saved as executor "external" and read back as
 * such: described as a traced program, never valid to run again. */
static void
test_external_round_trip (void)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(IlTrace) loaded = NULL;
  g_autoptr(IlRunTrace) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("external.interleave.json");
  g_autofree char *text = NULL;
  g_autofree char *describe = NULL;
  const IlRunConfig *back;
  IlSpan span = { 0 };

  config->executor = IL_EXECUTOR_EXTERNAL;
  config->label = g_strdup ("python3 -c 'import threading'");
  config->workers = 3;
  config->tasks = 0;
  config->task_ms = 0;
  config->capture = IL_CAPTURE_KERNEL;
  run = il_run_trace_new (config);
  il_run_trace_set_label (run, config->label);
  il_run_trace_set_capture (run, IL_CAPTURE_KERNEL);
  il_run_trace_set_n_cpus (run, 2);
  for (int w = 0; w < 3; w++)
    il_run_trace_add_worker (run, w == 0 ? IL_WORKER_PROCESS : IL_WORKER_THREAD, 900, 900 + w,
                             "thread");
  span.state = IL_STATE_RUNNING;
  span.cpu = 1;
  span.task = -1;
  span.start_ns = 10;
  span.end_ns = 5000;
  il_run_trace_append (run, &span);
  il_run_trace_set_live (run, FALSE);
  il_run_trace_compute_summary (run);
  il_trace_add_run (trace, run);

  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"external\""));

  loaded = il_trace_load (path, &error);
  g_assert_no_error (error);
  back = il_run_trace_get_config (il_trace_get_run (loaded, 0));
  g_assert_cmpint (back->executor, ==, IL_EXECUTOR_EXTERNAL);
  g_assert_cmpuint (back->workers, ==, 3);
  g_assert_cmpuint (back->tasks, ==, 0);
  g_assert_cmpstr (il_run_trace_get_label (il_trace_get_run (loaded, 0)), ==,
                   "python3 -c 'import threading'");
  g_assert_cmpuint (il_run_trace_get_n_workers (il_trace_get_run (loaded, 0)), ==, 3);

  /* Not "3 threads · cpu · 0 × 0 ms": nothing of a run's work applies. */
  describe = il_run_config_describe (back);
  g_assert_cmpstr (describe, ==, "traced program · 3 threads");
  g_assert_false (il_run_config_validate (back, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
}

/* The file is what other tools read: check the schema with json-glib, independently of our reader. */
static void
test_schema (void)
{
  g_autoptr(IlTrace) trace = make_trace (20);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("schema.interleave.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *run, *config, *clock, *summary, *worker;
  JsonArray *runs, *spans, *row, *columns;

  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "interleave-trace");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "machine"), "cpus"), ==, 2);
  runs = json_object_get_array_member (root, "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  run = json_array_get_object_element (runs, 0);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (run, "label"), "4 \"spans\""));
  config = json_object_get_object_member (run, "config");
  g_assert_cmpstr (json_object_get_string_member (config, "executor"), ==, "processes");
  g_assert_false (json_object_get_boolean_member (config, "gil"));
  g_assert_cmpint (json_object_get_int_member (config, "workers"), ==, 4);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (config, "cpus")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (config, "workload"), ==, "mixed");
  g_assert_cmpint (json_object_get_int_member (config, "tasks"), ==, 16);
  g_assert_cmpfloat (json_object_get_double_member (config, "task_ms"), ==, 12.5);
  g_assert_cmpstr (json_object_get_string_member (run, "capture"), ==, "self");
  g_assert_false (json_object_get_boolean_member (run, "cancelled"));
  clock = json_object_get_object_member (run, "clock");
  g_assert_cmpstr (json_object_get_string_member (clock, "id"), ==, "CLOCK_MONOTONIC");
  g_assert_cmpint (json_object_get_int_member (clock, "origin_ns"), ==, G_GINT64_CONSTANT (605584958000000));
  summary = json_object_get_object_member (run, "summary");
  g_assert_cmpfloat (json_object_get_double_member (summary, "speedup"), ==, 1.875);
  worker = json_array_get_object_element (json_object_get_array_member (run, "workers"), 1);
  g_assert_cmpstr (json_object_get_string_member (worker, "kind"), ==, "process");
  g_assert_cmpint (json_object_get_int_member (worker, "pid"), ==, 4243);
  g_assert_cmpint (json_object_get_int_member (worker, "tid"), ==, 4251);
  columns = json_object_get_array_member (run, "spans_columns");
  g_assert_cmpstr (json_array_get_string_element (columns, 0), ==, "worker");
  g_assert_cmpstr (json_array_get_string_element (columns, 5), ==, "end_ns");
  spans = json_object_get_array_member (run, "spans");
  g_assert_cmpuint (json_array_get_length (spans), ==, 4 * 20);
  row = json_array_get_array_element (spans, 0);
  g_assert_cmpuint (json_array_get_length (row), ==, 6);
  g_assert_cmpint (json_array_get_int_element (row, 0), ==, 0);
  g_assert_cmpstr (json_array_get_string_element (row, 1), ==, "running");
  g_assert_cmpint (json_array_get_int_element (row, 4), ==, 0);

  run = json_array_get_object_element (runs, 1);
  g_assert_true (json_object_get_boolean_member (run, "cancelled"));
  summary = json_object_get_object_member (run, "summary");
  g_assert_true (json_object_get_null_member (summary, "speedup"));
}

/* The schema names the columns, so a file with them in another order means the same spans. */
static void
test_column_order (void)
{
  const char *text =
    "{\"format\":\"interleave-trace\",\"version\":1,"
    "\"machine\":{\"cpus\":2,\"kernel\":\"6.1\",\"hostname\":\"h\"},\"runs\":[{"
    "\"label\":\"x\",\"spans\":[[5,10,\"running\",1,0,0],[10,20,\"io-wait\",-1,0,0]],"
    "\"spans_columns\":[\"start_ns\",\"end_ns\",\"state\",\"cpu\",\"task\",\"worker\"],"
    "\"config\":{\"executor\":\"threads\",\"gil\":true,\"switch_interval_ms\":5,\"workers\":1,"
    "\"cpus\":[],\"workload\":\"cpu\",\"tasks\":1,\"task_ms\":1e2},"
    "\"capture\":\"kernel\",\"clock\":{\"id\":\"CLOCK_MONOTONIC\",\"origin_ns\":7},"
    "\"summary\":{\"wall_ns\":20,\"cpu_ns\":5,\"avg_parallelism\":0.25,\"max_parallelism\":1,"
    "\"gil_wait_ns\":0,\"io_wait_ns\":10,\"ready_ns\":0,\"speedup\":null},"
    "\"workers\":[{\"id\":0,\"kind\":\"thread\",\"pid\":1,\"tid\":2,\"name\":\"w\"}],"
    "\"tasks\":[{\"id\":0,\"worker\":0,\"start_ns\":5,\"end_ns\":20,\"status\":\"ok\"}]}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = il_trace_load_from_data (text, strlen (text), "inline", &error);
  IlRunTrace *run;
  const IlLane *lane;
  const IlSpan *s;

  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_true (il_run_trace_get_config (run)->gil);
  /* An empty list means every CPU. */
  g_assert_true (il_run_trace_get_config (run)->cpus == NULL ||
                 il_run_trace_get_config (run)->cpus->len == 0);
  g_assert_cmpfloat (il_run_trace_get_config (run)->task_ms, ==, 100.0);
  g_assert_cmpint (il_run_trace_get_capture (run), ==, IL_CAPTURE_KERNEL);
  g_assert_false (il_run_trace_get_cancelled (run));
  lane = il_run_trace_get_lane (run, 0);
  g_assert_cmpuint (il_lane_get_n_spans (lane), ==, 2);
  s = il_lane_get_span (lane, 0);
  g_assert_cmpint (s->start_ns, ==, 5);
  g_assert_cmpint (s->end_ns, ==, 10);
  g_assert_cmpint (s->state, ==, IL_STATE_RUNNING);
  g_assert_cmpint (s->cpu, ==, 1);
  g_assert_cmpint (s->task, ==, 0);
  s = il_lane_get_span (lane, 1);
  g_assert_cmpint (s->state, ==, IL_STATE_IO_WAIT);
  g_assert_cmpint (s->cpu, ==, -1);
}

/* A minimal valid file, with @spans as the rows of its only run; the rows start on line 4. */
static char *
file_with_spans (const char *spans)
{
  return g_strdup_printf (
    "{\"format\":\"interleave-trace\",\"version\":1,\n"
    "\"machine\":{\"cpus\":2,\"kernel\":\"6.1\",\"hostname\":\"h\"},\"runs\":[{\"label\":\"x\",\n"
    "\"spans_columns\":[\"worker\",\"state\",\"cpu\",\"task\",\"start_ns\",\"end_ns\"],\"spans\":[\n"
    "%s],\n"
    "\"config\":{\"executor\":\"threads\",\"gil\":false,\"switch_interval_ms\":5,\"workers\":2,"
    "\"cpus\":[0],\"workload\":\"cpu\",\"tasks\":2,\"task_ms\":100},"
    "\"capture\":\"self\",\"clock\":{\"id\":\"CLOCK_MONOTONIC\",\"origin_ns\":1},"
    "\"summary\":{\"wall_ns\":20,\"cpu_ns\":5,\"avg_parallelism\":0.25,\"max_parallelism\":1,"
    "\"gil_wait_ns\":0,\"io_wait_ns\":0,\"ready_ns\":0,\"speedup\":null},"
    "\"workers\":[{\"id\":0,\"kind\":\"thread\",\"pid\":1,\"tid\":2,\"name\":\"w\"},"
    "{\"id\":1,\"kind\":\"thread\",\"pid\":1,\"tid\":3,\"name\":\"v\"}],"
    "\"tasks\":[{\"id\":0,\"worker\":0,\"start_ns\":5,\"end_ns\":20,\"status\":\"ok\"},"
    "{\"id\":1,\"worker\":-1,\"start_ns\":0,\"end_ns\":0,\"status\":\"pending\"}]}]}\n",
    spans);
}

static void
assert_load_error (const char *text, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = il_trace_load_from_data (text, strlen (text), "bad.json", &error);

  g_assert_null (trace);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
assert_spans_error (const char *spans, const char *expected)
{
  g_autofree char *text = file_with_spans (spans);

  assert_load_error (text, expected);
}

static void
test_malformed (void)
{
  g_autofree char *good = file_with_spans ("[0, \"running\", 0, 0, 0, 10],\n[1, \"idle\", -1, -1, 0, 10]\n");
  g_autofree char *bad_version = NULL;
  g_autofree char *no_cpus = NULL;
  g_autofree char *bad_kind = NULL;
  g_autofree char *bad_executor = NULL;
  g_autofree char *bad_json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;

  /* The template itself is valid, so every error below comes from the one thing changed. */
  trace = il_trace_load_from_data (good, strlen (good), "good.json", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_run_trace_get_n_spans (il_trace_get_run (trace, 0)), ==, 2);

  assert_load_error ("", "bad.json: the file is empty");
  /* A bare array is a Chrome trace (test-chrome.c); its reader says what is wrong with it. */
  assert_load_error ("[1, 2]", "bad.json:1: an event must be an object");
  assert_load_error ("42", "bad.json: not an Interleave trace (the file is not a JSON object)");
  assert_load_error ("{\"format\": \"chrome\"}",
                     "bad.json: not an Interleave trace (“format” must be “interleave-trace”)");

  bad_version = g_strdup (good);
  memcpy (strstr (bad_version, "\"version\":1") + strlen ("\"version\":"), "7", 1);
  assert_load_error (bad_version,
                     "bad.json: trace format version 7 is not supported (this Interleave reads version 1)");

  no_cpus = g_strdup (good);
  memcpy (strstr (no_cpus, "\"cpus\":2"), "\"cpuz\"", 6);
  assert_load_error (no_cpus, "bad.json: machine: “cpus” is missing");

  bad_kind = g_strdup (good);
  memcpy (strstr (bad_kind, "\"kind\":\"thread\",\"pid\":1,\"tid\":3") + 8, "fiber!", 6);
  assert_load_error (bad_kind,
                     "bad.json: runs[0].workers[1]: unknown worker kind “fiber!” (thread or process)");

  bad_executor = g_strdup (good);
  memcpy (strstr (bad_executor, "\"threads\""), "\"thready\"", 9);
  assert_load_error (bad_executor, "bad.json: runs[0].config: unknown executor “thready”");

  /* json-glib's own syntax errors carry the file's line, also after the rows were cut out. */
  g_clear_pointer (&trace, il_trace_unref);
  bad_json = file_with_spans ("[0, \"running\", 0, 0, 0, 10]\n,\n[1, \"idle\", -1, -1, 0, 10]\n");
  bad_json[strlen (bad_json) - 3] = ',';
  trace = il_trace_load_from_data (bad_json, strlen (bad_json), "bad.json", &error);
  g_assert_null (trace);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "bad.json:8:"));
  g_clear_error (&error);

  /* Rows: line 4 is the first row. */
  assert_spans_error ("[0, \"running\", 0, 0, 0, 10],\n[0, \"flying\", 0, 0, 10, 20]\n",
                      "bad.json:5: runs[0].spans: unknown state “flying”");
  assert_spans_error ("[2, \"running\", 0, 0, 0, 10]\n",
                      "bad.json:4: runs[0].spans: worker 2 does not exist (the run has 2 workers)");
  assert_spans_error ("[0, \"running\", 2, 0, 0, 10]\n",
                      "bad.json:4: runs[0].spans: CPU 2 does not exist (the machine has 2 CPUs; -1 means none)");
  assert_spans_error ("[0, \"running\", 0, 5, 0, 10]\n",
                      "bad.json:4: runs[0].spans: task 5 does not exist (the run has 2 tasks; -1 means none)");
  assert_spans_error ("[0, \"running\", 0, 0, 10, 5]\n",
                      "bad.json:4: runs[0].spans: the span ends before it starts");
  assert_spans_error ("[0, \"running\", 0, 0, 0, 10],\n[1, \"running\", 1, 0, 0, 10],\n"
                      "[0, \"idle\", -1, -1, 5, 20]\n",
                      "bad.json:6: runs[0].spans: spans of worker 0 overlap or are not in time order");
  assert_spans_error ("[0, \"running\", 0, 0, \"zero\", 10]\n",
                      "bad.json:4: runs[0].spans: expected a whole number");
  assert_spans_error ("[0, \"running\", 0, 0, 0.5, 10]\n",
                      "bad.json:4: runs[0].spans: expected a whole number");
  assert_spans_error ("[0, \"running\", 0, 0, 0]\n",
                      "bad.json:4: runs[0].spans: expected “,”");
  assert_spans_error ("[0, \"running\", 0, 0, 0, 10] [0, \"idle\", 0, 0, 10, 20]\n",
                      "bad.json:4: runs[0].spans: expected “,” between spans");
  assert_spans_error ("[0, \"running\", 0, 0, 0, 10],\n",
                      "bad.json:5: runs[0].spans: expected “[”");
}

/* run.cpu_load and the summary's other-programs figures (DESIGN.md, trace additions): written,
 * read back the same, optional (the files above have none), and a malformed one is refused. */
static void
test_cpu_load (void)
{
  g_autofree char *good = file_with_spans ("[0, \"running\", 0, 0, 0, 10],\n[1, \"idle\", -1, -1, 0, 10]\n");
  g_autofree char *path = tmp_path ("cpu-load.interleave.json");
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(IlTrace) loaded = NULL;
  g_autoptr(GError) error = NULL;
  IlRunTrace *run, *back;
  IlCpuLoad *load;
  char *member;
  GString *text;

  /* Without it: loads, nothing measured. */
  trace = il_trace_load_from_data (good, strlen (good), "good.json", &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_null (il_run_trace_get_cpu_load (run));
  g_assert_true (isnan (il_run_trace_get_summary (run)->other_share));
  g_assert_false (il_run_trace_is_disturbed (run));

  /* With it: the same rows and figures come back. */
  load = il_cpu_load_new (10);
  {
    IlCpuLoadRow r0 = { 0, 10, 4, 0 }, r1 = { 10, 20, 6, 2 }, r2 = { 0, 20, 1, 0 };
    g_assert_true (il_cpu_load_append (load, 0, &r0));
    g_assert_true (il_cpu_load_append (load, 0, &r1));
    g_assert_false (il_cpu_load_append (load, 0, &r0));   /* overlaps the last one */
    g_assert_true (il_cpu_load_append (load, 1, &r2));
  }
  il_run_trace_set_cpu_load (run, load);
  il_run_trace_compute_summary (run);
  g_assert_cmpint (il_run_trace_get_summary (run)->other_ns, ==, 11);
  g_assert_cmpint (il_run_trace_get_summary (run)->steal_ns, ==, 2);
  g_assert_cmpfloat_with_epsilon (il_run_trace_get_summary (run)->other_share, 11.0 / 40.0, 1e-9);
  /* Others took 27 %, but no thread of the run waited for a CPU: it was not disturbed. */
  g_assert_false (il_run_trace_is_disturbed (run));
  il_cpu_load_set_top_other (load, "cpu-hog", 7);
  {
    gint64 other = 0, steal = 0;
    il_cpu_load_sum_range (load, 0, 5, 15, &other, &steal);
    g_assert_cmpint (other, ==, 5);   /* half of 4 and half of 6 */
    g_assert_cmpint (steal, ==, 1);
  }
  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_no_error (error);
  loaded = il_trace_load (path, &error);
  g_assert_no_error (error);
  back = il_trace_get_run (loaded, 0);
  g_assert_nonnull (il_run_trace_get_cpu_load (back));
  g_assert_cmpint (il_cpu_load_get_interval_ns (il_run_trace_get_cpu_load (back)), ==, 10);
  g_assert_cmpuint (il_cpu_load_get_n_cpus (il_run_trace_get_cpu_load (back)), ==, 2);
  g_assert_cmpuint (il_cpu_load_get_n_rows (il_run_trace_get_cpu_load (back), 0), ==, 2);
  g_assert_cmpint (il_cpu_load_get_row (il_run_trace_get_cpu_load (back), 0, 1)->steal_ns, ==, 2);
  g_assert_cmpint (il_run_trace_get_summary (back)->other_ns, ==, 11);
  g_assert_cmpfloat_with_epsilon (il_run_trace_get_summary (back)->other_share, 11.0 / 40.0, 1e-9);
  {
    gint64 top_ns = 0;

    g_assert_cmpstr (il_cpu_load_get_top_other (il_run_trace_get_cpu_load (back), &top_ns), ==, "cpu-hog");
    g_assert_cmpint (top_ns, ==, 7);
  }

  /* Every export has it. CSV: rows of their own after the spans, the CPU time in the last column. */
  {
    g_autofree char *csv = tmp_path ("cpu-load.csv");
    g_autofree char *out = NULL;

    g_assert_true (il_trace_export_csv (trace, csv, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (csv, &out, NULL, NULL));
    g_assert_nonnull (strstr (out, ",,,,other-programs,0,,0,10,4\n"));
    g_assert_nonnull (strstr (out, ",,,,other-programs,0,,10,20,6\n"));
    g_assert_nonnull (strstr (out, ",,,,steal,0,,10,20,2\n"));
    g_assert_nonnull (strstr (out, ",,,,other-programs,1,,0,20,1\n"));
    g_assert_null (strstr (out, ",,,,steal,0,,0,10,"));   /* no steal there: no row */
  }
  /* Chrome: a counter per CPU on the core lanes, in percent of each interval, 0 after the last;
   * Interleave reads the file back with the series (from otherData), the counters skipped. */
  {
    g_autofree char *chrome = tmp_path ("cpu-load.chrome.json");
    g_autofree char *out = NULL;
    g_autoptr(IlTrace) again = NULL;

    g_assert_true (il_trace_export_chrome (trace, chrome, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (chrome, &out, NULL, NULL));
    g_assert_nonnull (strstr (out, "\"ph\":\"C\",\"cat\":\"other-programs\",\"name\":\"CPU 0: other programs\""));
    g_assert_nonnull (strstr (out, "\"args\":{\"other programs %\":40.0,\"hypervisor %\":0.0}"));
    g_assert_nonnull (strstr (out, "\"args\":{\"other programs %\":60.0,\"hypervisor %\":20.0}"));
    again = il_trace_load (chrome, &error);
    g_assert_no_error (error);
    g_assert_nonnull (il_run_trace_get_cpu_load (il_trace_get_run (again, 0)));
    g_assert_cmpint (il_run_trace_get_summary (il_trace_get_run (again, 0))->other_ns, ==, 11);
  }

  /* A traced program's launchers' time: running spans with a CPU only, kept in order of start
   * (the sampler looks them up by it), in memory, not in the file. */
  {
    IlSpan a = { .start_ns = 30, .end_ns = 40, .state = IL_STATE_RUNNING, .cpu = 1, .task = -1 };
    IlSpan b = { .start_ns = 10, .end_ns = 20, .state = IL_STATE_RUNNING, .cpu = 0, .task = -1 };
    IlSpan c = { .start_ns = 20, .end_ns = 25, .state = IL_STATE_RUNNING, .cpu = 0, .task = -1 };
    IlSpan waiting = { .start_ns = 0, .end_ns = 5, .state = IL_STATE_IO_WAIT, .cpu = -1, .task = -1 };
    IlSpan nowhere = { .start_ns = 0, .end_ns = 5, .state = IL_STATE_RUNNING, .cpu = -1, .task = -1 };
    GArray *undrawn;

    g_assert_null (il_run_trace_get_undrawn (run, NULL));
    il_run_trace_add_undrawn (run, &a);
    il_run_trace_add_undrawn (run, &b);
    il_run_trace_add_undrawn (run, &waiting);
    il_run_trace_add_undrawn (run, &nowhere);
    il_run_trace_add_undrawn (run, &c);
    undrawn = il_run_trace_get_undrawn (run, NULL);
    g_assert_nonnull (undrawn);
    g_assert_cmpuint (undrawn->len, ==, 3);
    g_assert_cmpint (g_array_index (undrawn, IlSpan, 0).start_ns, ==, 10);
    g_assert_cmpint (g_array_index (undrawn, IlSpan, 1).start_ns, ==, 20);
    g_assert_cmpint (g_array_index (undrawn, IlSpan, 2).start_ns, ==, 30);
    {
      gint64 longest = 0;
      il_run_trace_get_undrawn (run, &longest);
      g_assert_cmpint (longest, ==, 10);
    }
  }

  /* Malformed: refused, naming the field. */
  text = g_string_new (good);
  member = strstr (text->str, "\"capture\"");
  g_string_insert (text, member - text->str,
                   "\"cpu_load\":{\"interval_ns\":10,\"columns\":[\"cpu\",\"start_ns\",\"end_ns\",\"other_ns\",\"steal_ns\"],"
                   "\"rows\":[[0,0,10,3,0],[0,5,15,1,0]]},");
  assert_load_error (text->str,
                     "bad.json: runs[0].cpu_load: row 1: the interval is empty, negative or overlaps the one before");
  g_string_free (text, TRUE);
}

/* A run beside other programs of @share of @n_cpus CPUs over 1 s, whose one worker spends the
 * second half of it in @state. */
static IlRunTrace *
run_beside_others (IlState state, double share, guint n_cpus)
{
  IlRunTrace *run = il_run_trace_new (NULL);
  IlSpan spans[] = {
    { 0, 500000000, 0, IL_STATE_RUNNING, 0, 0 },
    { 500000000, 1000000000, 0, state, 0, -1 },
  };
  IlCpuLoad *load = il_cpu_load_new (IL_CPU_LOAD_INTERVAL_NS);

  il_run_trace_set_n_tasks (run, 1);
  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 2, NULL);
  il_run_trace_append_many (run, spans, G_N_ELEMENTS (spans));
  for (guint c = 0; c < n_cpus; c++)
    {
      IlCpuLoadRow row = { 0, 1000000000, (gint64) (share * 1e9), 0 };

      g_assert_true (il_cpu_load_append (load, (int) c, &row));
    }
  il_cpu_load_set_top_other (load, "firefox-esr", 480000000);
  il_run_trace_set_cpu_load (run, load);
  il_run_trace_compute_summary (run);
  return run;
}

/* "Disturbed" is judged by what the run needed: others' share of its CPUs and the time its
 * threads waited for one. A waiting-only run beside a busy core is not; a run that waited ready
 * while others took its CPUs is, and the words name the program behind it. */
static void
test_disturbed_by_need (void)
{
  g_autoptr(IlRunTrace) ready = run_beside_others (IL_STATE_READY, 0.5, 1);
  g_autoptr(IlRunTrace) waiting = run_beside_others (IL_STATE_IO_WAIT, 0.5, 1);
  g_autoptr(IlRunTrace) quiet = run_beside_others (IL_STATE_READY, 0.05, 1);
  g_autoptr(IlRunTrace) spare = run_beside_others (IL_STATE_READY, 0.5, 2);
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  g_autofree char *words = NULL, *culprit = NULL, *described = NULL;

  g_assert_true (il_run_trace_is_disturbed (ready));
  g_assert_false (il_run_trace_is_disturbed (waiting));
  g_assert_false (il_run_trace_is_disturbed (quiet));
  /* Two CPUs half taken, 0.5 s ready on 2 s of CPUs: 25 % hurt, disturbed. */
  g_assert_true (il_run_trace_is_disturbed (spare));

  culprit = il_cpu_load_describe_culprit (ready);
  g_assert_cmpstr (culprit, ==, "firefox-esr took 48 % of a CPU");
  g_ptr_array_add (runs, waiting);
  g_assert_null (il_cpu_load_describe_disturbed (runs));
  g_ptr_array_add (runs, ready);
  words = il_cpu_load_describe_disturbed (runs);
  g_assert_nonnull (words);
  g_assert_nonnull (strstr (words, "firefox-esr took 48 % of a CPU"));
  described = il_cpu_load_describe_run (waiting);
  g_assert_nonnull (strstr (described, "firefox-esr took 48 % of a CPU"));
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("does-not-exist.json");
  g_autoptr(IlTrace) trace = il_trace_load (path, &error);

  g_assert_null (trace);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "does-not-exist.json"));
}

static char **
read_lines (const char *path, guint *n_lines)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  char **lines;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (text, "\n"));
  text[strlen (text) - 1] = '\0';
  lines = g_strsplit (text, "\n", -1);
  *n_lines = g_strv_length (lines);
  return lines;
}

static void
test_csv (void)
{
  g_autoptr(IlTrace) trace = make_trace (50);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("spans.csv");
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) fields = NULL;
  guint n_lines;
  guint64 n_spans = 0;

  g_assert_true (il_trace_export_csv (trace, path, &error));
  g_assert_no_error (error);
  for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
    n_spans += il_run_trace_get_n_spans (il_trace_get_run (trace, r));
  /* Records end at line breaks outside quotes; the first run's label has one inside. */
  {
    g_autofree char *text = NULL;
    gboolean quoted = FALSE;
    guint64 n_records = 0;

    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    for (const char *p = text; *p != '\0'; p++)
      {
        if (*p == '"')
          quoted = !quoted;
        else if (*p == '\n' && !quoted)
          n_records++;
      }
    g_assert_false (quoted);
    g_assert_cmpuint (n_records, ==, n_spans + 1);
  }
  lines = read_lines (path, &n_lines);
  g_assert_cmpstr (lines[0], ==, "run,label,worker,pid,tid,state,cpu,task,start_ns,end_ns,cpu_time_ns");
  /* The label has a comma-free quote and a newline: it must be quoted, so rows stay rows. */
  g_assert_true (g_str_has_prefix (lines[1], "0,\"4 \"\"spans\"\""));
  fields = g_strsplit (lines[n_lines - 1], ",", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 11);
  g_assert_cmpstr (fields[10], ==, "");
  g_assert_cmpstr (fields[0], ==, "1");
  g_assert_cmpstr (fields[1], ==, "cancelled run");
  g_assert_cmpstr (fields[2], ==, "2");
  g_assert_cmpstr (fields[3], ==, "4244");
  g_assert_cmpstr (fields[4], ==, "4252");
}

/* Many spans across chunk boundaries survive a round trip (the rows are parsed by hand). */
static void
test_large (void)
{
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(IlRunTrace) run = make_run ("large", 8, 30000, FALSE);
  g_autoptr(IlTrace) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("large.interleave.json");

  il_trace_set_machine (trace, 2, "6.1.0", "lab");
  il_trace_add_run (trace, run);
  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_no_error (error);
  loaded = il_trace_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_run_trace_get_n_spans (il_trace_get_run (loaded, 0)), ==, 8 * 30000);
  assert_runs_equal (run, il_trace_get_run (loaded, 0));
}

static void
test_save_unwritable (void)
{
  g_autoptr(IlTrace) trace = make_trace (5);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("no-such-dir/trace.json");

  g_assert_false (il_trace_save (trace, path, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no-such-dir/trace.json"));
}

/* A copy of @text with the first @from replaced by @to. */
static char *
replace_once (const char *text, const char *from, const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

/* json-glib recurses once per level: 100 000 '[' used to overflow the stack. The depth is now
 * checked first and the file refused with its line, wherever the nesting is. */
static void
test_deep_nesting (void)
{
  const guint n = 100000;
  g_autoptr(GString) deep = g_string_new ("{\"format\":\"interleave-trace\",\n\"x\":");
  g_autofree char *expected = g_strdup_printf ("bad.json:2: values are nested more than %d levels deep",
                                               IL_TRACE_MAX_DEPTH);
  g_autofree char *good = file_with_spans ("");
  g_autofree char *in_spans = NULL, *in_tasks = NULL, *just_fits = NULL, *too_deep = NULL;
  g_autoptr(GString) nest = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;

  for (guint i = 0; i < n; i++)
    g_string_append_c (deep, '[');
  assert_load_error (deep->str, expected);
  /* Objects too, and unclosed ones. */
  g_string_truncate (deep, strlen ("{\"format\":\"interleave-trace\",\n\"x\":"));
  for (guint i = 0; i < n; i++)
    g_string_append (deep, "{\"a\":");
  assert_load_error (deep->str, expected);

  /* Inside the arrays read by hand (rows start on line 4). */
  for (guint i = 0; i < 100; i++)
    g_string_append_c (nest, '[');
  in_spans = file_with_spans (nest->str);
  assert_load_error (in_spans, "bad.json:4: values are nested more than 64 levels deep");
  in_tasks = replace_once (good, "\"status\":\"ok\"", nest->str);
  assert_load_error (in_tasks, "bad.json:5: values are nested more than 64 levels deep");

  /* The limit itself loads: a task member nested to exactly 64 levels (5 are the file's own). */
  g_string_truncate (nest, 0);
  for (guint i = 0; i < IL_TRACE_MAX_DEPTH - 5; i++)
    g_string_append_c (nest, '[');
  for (guint i = 0; i < IL_TRACE_MAX_DEPTH - 5; i++)
    g_string_append_c (nest, ']');
  g_string_prepend (nest, "\"status\":\"ok\",\"extra\":");
  just_fits = replace_once (good, "\"status\":\"ok\"", nest->str);
  trace = il_trace_load_from_data (just_fits, strlen (just_fits), "good.json", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_run_trace_get_n_tasks (il_trace_get_run (trace, 0)), ==, 2);
  too_deep = replace_once (just_fits, "\"extra\":[", "\"extra\":[[");
  assert_load_error (too_deep, "bad.json:5: values are nested more than 64 levels deep");
}

/* json-glib keeps the last of two equal keys: a run with a second, empty "spans" loaded with no
 * spans and no error. Every object's keys must now be distinct. */
static void
test_duplicate_keys (void)
{
  g_autofree char *good = file_with_spans ("[0, \"running\", 0, 0, 0, 10]\n");
  g_autofree char *two_spans = replace_once (good, "\"config\":", "\"spans\":[],\"config\":");
  g_autofree char *escaped = replace_once (good, "\"config\":", "\"sp\\u0061ns\":[],\"config\":");
  g_autofree char *two_cpus = replace_once (good, "\"kernel\"", "\"cpus\":4,\"kernel\"");
  g_autofree char *two_ids = replace_once (good, "\"worker\":0,", "\"worker\":0,\"id\":0,");
  g_autofree char *same_strings = replace_once (good, "\"label\":\"x\"",
                                                "\"label\":\"x\",\"notes\":[\"a\",\"a\",{\"a\":1},{\"a\":2}]");

  assert_load_error (two_spans, "bad.json:6: the key “spans” appears twice in one object");
  assert_load_error (escaped, "bad.json:6: the key “sp\\u0061ns” appears twice in one object");
  assert_load_error (two_cpus, "bad.json:2: the key “cpus” appears twice in one object");
  assert_load_error (two_ids, "bad.json:6: runs[0].tasks[0]: the key “id” appears twice in one object");

  /* Equal strings in an array and equal keys in sibling objects are fine. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(IlTrace) trace = il_trace_load_from_data (same_strings, strlen (same_strings),
                                                        "good.json", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (il_run_trace_get_n_spans (il_trace_get_run (trace, 0)), ==, 1);
  }
}

/* Tasks are parsed by hand now (no JsonNode per task); every mistake is still named. */
static void
test_tasks_malformed (void)
{
  g_autofree char *good = file_with_spans ("");
  const struct { const char *from, *to, *message; } cases[] = {
    { "\"id\":1,\"worker\":-1", "\"id\":2,\"worker\":-1",
      "bad.json:5: runs[0].tasks[1]: “id” is 2 but tasks must be numbered 0, 1, 2, … in order" },
    { "\"worker\":0,", "\"worker\":2,", "bad.json:5: runs[0].tasks[0]: “worker” is 2, outside -1…1" },
    { "\"worker\":0,", "\"worker\":\"0\",", "bad.json:5: runs[0].tasks[0]: “worker” must be a whole number" },
    { "\"start_ns\":5,", "\"start_ns\":5.5,", "bad.json:5: runs[0].tasks[0]: “start_ns” must be a whole number" },
    { "\"start_ns\":5,", "\"start_ns\":99999999999999999999,", "bad.json:5: runs[0].tasks[0]: “start_ns” must be a whole number" },
    { "\"status\":\"ok\"", "\"status\":\"fine\"", "bad.json:5: runs[0].tasks[0]: unknown task status “fine”" },
    { "\"status\":\"ok\"", "\"status\":7", "bad.json:5: runs[0].tasks[0]: “status” must be a string" },
    { "\"status\":\"ok\"", "\"stat\":\"ok\"", "bad.json:5: runs[0].tasks[0]: “status” is missing" },
    { "\"status\":\"ok\"}", "\"status\":\"ok\" \"x\":1}", "bad.json:5: runs[0].tasks[0]: expected “}”" },
    { "\"status\":\"ok\"}", "\"status\":\"ok\",\"x\":tru}", "bad.json:5: runs[0].tasks[0]: expected a value" },
    { "\"status\":\"ok\"}", "\"status\":\"ok\",\"x\":\"\\q\"}", "bad.json:5: runs[0].tasks[0]: a bad escape inside a string" },
    { "\"status\":\"ok\"}", "\"status\":\"ok\",\"x\":\"\\ud80\"}", "bad.json:5: runs[0].tasks[0]: a bad \\u escape inside a string" },
    { "\"status\":\"ok\"}", "\"status\":\"ok\",\"x\":\"\xff\"}", "bad.json:5: runs[0].tasks[0]: a string that is not UTF-8" },
    { "{\"id\":1,\"worker\":-1", "7,{\"id\":1,\"worker\":-1", "bad.json:5: runs[0].tasks[1]: must be an object" },
    { "\"pending\"}]", "\"pending\"},]", "bad.json:5: runs[0].tasks[2]: must be an object" },
    { "\"ok\"},{", "\"ok\"}{", "bad.json:5: runs[0].tasks[0]: expected “,” between tasks" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autofree char *extra = replace_once (good, "\"status\":\"ok\"",
                                         "\"status\":\"ok\",\"error\":\"killed by SIGKILL \\u00e9\\ud83d\\ude00\",\"more\":{\"a\":[1,2.5e3,null,true,false]}");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = replace_once (good, cases[i].from, cases[i].to);

      g_test_message ("case %u", i);
      assert_load_error (text, cases[i].message);
    }

  /* Members this version does not know are skipped; the task itself is read. */
  trace = il_trace_load_from_data (extra, strlen (extra), "good.json", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_run_trace_get_n_tasks (il_trace_get_run (trace, 0)), ==, 2);
  g_assert_cmpint (il_run_trace_get_task (il_trace_get_run (trace, 0), 0)->end_ns, ==, 20);
  g_assert_cmpint (il_run_trace_get_task (il_trace_get_run (trace, 0), 0)->status, ==, IL_TASK_OK);
  g_assert_cmpint (il_run_trace_get_task (il_trace_get_run (trace, 0), 1)->worker, ==, -1);
}

/* Process pool survival: a lane's previous pids and a failed task's cause are written and read
 * back; a malformed previous_pids is refused. */
static void
test_survival_fields (void)
{
  g_autofree char *good = file_with_spans ("");
  g_autofree char *text = replace_once (good, "\"name\":\"v\"}",
                                        "\"name\":\"v\",\"previous_pids\":[41,42]}");
  g_autofree char *failed = replace_once (text, "\"status\":\"ok\"",
                                          "\"status\":\"failed\",\"error\":\"killed by SIGKILL\"");
  g_autofree char *bad = replace_once (good, "\"name\":\"v\"}",
                                       "\"name\":\"v\",\"previous_pids\":[\"41\"]}");
  g_autofree char *path = tmp_path ("survival.interleave.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = il_trace_load_from_data (failed, strlen (failed), "good.json", &error);
  g_autoptr(IlTrace) again = NULL;

  g_assert_no_error (error);
  g_assert_true (il_trace_save (trace, path, &error));
  again = il_trace_load (path, &error);
  g_assert_no_error (error);
  for (IlTrace *t = trace; t != NULL; t = t == trace ? again : NULL)
    {
      IlRunTrace *run = il_trace_get_run (t, 0);
      guint n = 0;
      const int *pids = il_run_trace_get_previous_pids (run, 1, &n);

      g_assert_cmpuint (n, ==, 2);
      g_assert_cmpint (pids[0], ==, 41);
      g_assert_cmpint (pids[1], ==, 42);
      g_assert_null (il_run_trace_get_previous_pids (run, 0, &n));
      g_assert_cmpuint (n, ==, 0);
      g_assert_cmpint (il_run_trace_get_task (run, 0)->status, ==, IL_TASK_FAILED);
      g_assert_cmpstr (il_run_trace_get_task_error (run, 0), ==, "killed by SIGKILL");
      g_assert_null (il_run_trace_get_task_error (run, 1));
    }
  assert_load_error (bad, "bad.json: runs[0].workers[1]: “previous_pids” must hold process ids");
}

/* A FIFO as the trace blocked forever in open(); it and devices are refused at once. */
static void
test_not_regular (void)
{
  g_autofree char *fifo = tmp_path ("fifo.interleave.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(IlTrace) good = make_trace (3);

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  trace = il_trace_load (fifo, &error);
  g_assert_null (trace);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "is not a regular file"));
  g_clear_error (&error);

  trace = il_trace_load ("/dev/zero", &error);
  g_assert_null (trace);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "Cannot read the trace: /dev/zero is not a regular file (a FIFO, socket or device)");
  g_clear_error (&error);

  trace = il_trace_load (tmpdir, &error);
  g_assert_null (trace);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "is a folder"));
  g_clear_error (&error);

  /* Writing one is refused too, without opening it (which would block as well). */
  g_assert_false (il_trace_save (good, fifo, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  g_assert_false (il_trace_export_csv (good, "/dev/full", &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Cannot write /dev/full: not a regular file (a FIFO, socket or device)");
  g_unlink (fifo);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* New files appear only complete, under their name; a failed write leaves the old file (or
 * none) and no temporary file. */
static void
test_atomic_write (void)
{
  g_autofree char *dir = tmp_path ("atomic");
  g_autofree char *path = g_build_filename (dir, "t.interleave.json", NULL);
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr(IlTrace) small = make_trace (3);
  g_autoptr(IlTrace) big = make_trace (20000);
  g_autoptr(GError) error = NULL;
  struct rlimit old_limit, limit;
  GStatBuf st;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_true (il_trace_save (small, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (dir), ==, 1);
  /* A new file gets the usual permissions, not mkstemp's 0600. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  {
    mode_t mask = umask (0);

    umask (mask);
    g_assert_cmpint (st.st_mode & 0777, ==, 0666 & ~mask);
  }
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));

  /* A write that fails halfway (the file size limit, as a full disk would) keeps the old file. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  limit = old_limit;
  limit.rlim_cur = 100000;
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  g_assert_false (il_trace_save (big, path, &error));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  g_assert_error (error, IL_ERROR, IL_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "Cannot write "));
  g_assert_nonnull (strstr (error->message, "t.interleave.json"));
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (count_entries (dir), ==, 1);

  /* The replacement keeps the old file's permissions. */
  g_assert_true (il_trace_save (big, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_unlink (path);
  g_rmdir (dir);
}

/* A loaded configuration is held to the limits of a typed one; the message names file and field. */
static void
test_config_limits (void)
{
  g_autofree char *good = file_with_spans ("");
  g_autofree char *many = replace_once (good, "\"workers\":2,", "\"workers\":2147483647,");
  g_autofree char *negative = replace_once (good, "\"task_ms\":100", "\"task_ms\":-5");
  g_autofree char *tasks = replace_once (good, "\"tasks\":2,", "\"tasks\":100001,");
  g_autofree char *gil = replace_once (good, "\"gil\":false", "\"gil\":true");
  g_autofree char *gil_interval = replace_once (gil, "\"switch_interval_ms\":5", "\"switch_interval_ms\":0");
  g_autofree char *gil_async = replace_once (gil, "\"threads\"", "\"async\"");
  g_autofree char *external = replace_once (negative, "\"threads\"", "\"external\"");
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;

  assert_load_error (many, "bad.json: runs[0].config: “workers” is 2147483647, outside 1…256");
  assert_load_error (negative, "bad.json: runs[0].config: “task_ms” is -5, outside 0…60000");
  assert_load_error (tasks, "bad.json: runs[0].config: “tasks” is 100001, outside 0…100000");
  assert_load_error (gil_interval, "bad.json: runs[0].config: “switch_interval_ms” is 0, outside 0.1…1000");
  assert_load_error (gil_async, "bad.json: runs[0].config: The GIL applies to threads only; the async executor has no GIL");

  /* A traced program's configuration only describes the recording: it loads as it is. */
  trace = il_trace_load_from_data (external, strlen (external), "good.json", &error);
  g_assert_no_error (error);
  g_assert_cmpint (il_run_trace_get_config (il_trace_get_run (trace, 0))->executor, ==,
                   IL_EXECUTOR_EXTERNAL);
  g_clear_pointer (&trace, il_trace_unref);
  trace = il_trace_load_from_data (gil, strlen (gil), "good.json", &error);
  g_assert_no_error (error);
}

/* A span cap keeps the first N spans, still extends the run's end, and survives a round trip. */
static void
test_truncation (void)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlRunTrace) run = NULL;
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(IlTrace) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("truncated.interleave.json");
  g_autofree char *good = file_with_spans ("");
  g_autofree char *zero = replace_once (good, "\"capture\"", "\"truncated_at_spans\":0,\"capture\"");
  g_autofree char *text = replace_once (good, "\"capture\"", "\"truncated_at_spans\":\"many\",\"capture\"");
  IlRunTrace *back;

  config->workers = 2;
  config->max_spans = 5;
  run = il_run_trace_new (config);
  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 2, "a");
  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 3, "b");
  for (guint i = 0; i < 8; i++)
    {
      IlSpan s = { .start_ns = i * 100, .end_ns = i * 100 + 50, .task = -1,
                   .state = IL_STATE_RUNNING, .worker = (guint16) (i % 2), .cpu = 0 };

      il_run_trace_append (run, &s);
    }
  g_assert_cmpuint (il_run_trace_get_n_spans (run), ==, 5);
  g_assert_cmpuint (il_run_trace_get_truncated_at_spans (run), ==, 5);
  /* The dropped spans still count for the run's extent (its wall time). */
  g_assert_cmpint (il_run_trace_get_end_ns (run), ==, 750);
  il_run_trace_compute_summary (run);
  g_assert_cmpint (il_run_trace_get_summary (run)->wall_ns, ==, 750);

  il_trace_set_machine (trace, 2, "6.1", "h");
  il_trace_add_run (trace, run);
  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_no_error (error);
  loaded = il_trace_load (path, &error);
  g_assert_no_error (error);
  back = il_trace_get_run (loaded, 0);
  g_assert_cmpuint (il_run_trace_get_n_spans (back), ==, 5);
  g_assert_cmpuint (il_run_trace_get_truncated_at_spans (back), ==, 5);
  g_clear_pointer (&loaded, il_trace_unref);

  /* An untruncated run writes no field and reads back 0; a bad value is refused. */
  loaded = il_trace_load_from_data (good, strlen (good), "good.json", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_run_trace_get_truncated_at_spans (il_trace_get_run (loaded, 0)), ==, 0);
  assert_load_error (zero, "bad.json: runs[0]: “truncated_at_spans” is 0, outside 1…9223372036854775807");
  assert_load_error (text, "bad.json: runs[0]: “truncated_at_spans” must be a whole number");
  g_unlink (path);
}

/* A traced program's stdout and stderr (issue 21): kept with the run, bounded with the bytes
 * between its start and end counted, valid UTF-8, and read back from the file; a bad field is
 * refused. */
static void
test_output (void)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlRunTrace) run = NULL;
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(IlTrace) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("output.interleave.json");
  g_autofree char *good = file_with_spans ("");
  g_autofree char *big = g_malloc (IL_OUTPUT_MAX_BYTES);
  g_autofree char *bad_at = replace_once (good, "\"capture\"",
                                          "\"output\":{\"stdout\":{\"text\":\"ab\",\"dropped_bytes\":3,"
                                          "\"dropped_at\":5}},\"capture\"");
  g_autofree char *mid_char = replace_once (good, "\"capture\"",
                                            "\"output\":{\"stderr\":{\"text\":\"\\u00e9\",\"dropped_bytes\":3,"
                                            "\"dropped_at\":1}},\"capture\"");
  g_autofree char *no_text = replace_once (good, "\"capture\"",
                                           "\"output\":{\"stdout\":{}},\"capture\"");
  guint64 dropped;
  gsize at;
  const char *text;
  IlRunTrace *back;

  config->workers = 1;
  run = il_run_trace_new (config);
  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 2, "a");
  g_assert_null (il_run_trace_get_output (run, IL_OUTPUT_STDOUT, NULL, NULL));
  /* A NUL and a byte that is not UTF-8 become U+FFFD. */
  il_run_trace_set_output (run, IL_OUTPUT_STDOUT, "hello\0\xff\n", 8, 0, NULL, 0);
  text = il_run_trace_get_output (run, IL_OUTPUT_STDOUT, &dropped, &at);
  g_assert_cmpstr (text, ==, "hello\xef\xbf\xbd\xef\xbf\xbd\n");
  g_assert_cmpuint (dropped, ==, 0);
  /* Too much: the first half and the rest from the end, the middle counted. */
  memset (big, 'x', IL_OUTPUT_MAX_BYTES);
  big[0] = 'A';
  big[IL_OUTPUT_MAX_BYTES - 1] = 'Z';
  il_run_trace_set_output (run, IL_OUTPUT_STDERR, big, IL_OUTPUT_MAX_BYTES, 7, big, IL_OUTPUT_MAX_BYTES);
  text = il_run_trace_get_output (run, IL_OUTPUT_STDERR, &dropped, &at);
  g_assert_cmpuint (strlen (text), ==, IL_OUTPUT_MAX_BYTES);
  g_assert_cmpuint (at, ==, IL_OUTPUT_MAX_BYTES / 2);
  g_assert_cmpuint (dropped, ==, 7 + IL_OUTPUT_MAX_BYTES);
  g_assert_cmpint (text[0], ==, 'A');
  g_assert_cmpint (text[IL_OUTPUT_MAX_BYTES - 1], ==, 'Z');

  il_trace_set_machine (trace, 2, "6.1", "h");
  il_trace_add_run (trace, run);
  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_no_error (error);
  loaded = il_trace_load (path, &error);
  g_assert_no_error (error);
  back = il_trace_get_run (loaded, 0);
  g_assert_cmpstr (il_run_trace_get_output (back, IL_OUTPUT_STDOUT, &dropped, &at), ==,
                   "hello\xef\xbf\xbd\xef\xbf\xbd\n");
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_cmpstr (il_run_trace_get_output (back, IL_OUTPUT_STDERR, &dropped, &at), ==, text);
  g_assert_cmpuint (dropped, ==, 7 + IL_OUTPUT_MAX_BYTES);
  g_assert_cmpuint (at, ==, IL_OUTPUT_MAX_BYTES / 2);
  g_clear_pointer (&loaded, il_trace_unref);

  /* A run without it has none; bad fields are refused. */
  loaded = il_trace_load_from_data (good, strlen (good), "good.json", &error);
  g_assert_no_error (error);
  g_assert_null (il_run_trace_get_output (il_trace_get_run (loaded, 0), IL_OUTPUT_STDERR, NULL, NULL));
  assert_load_error (bad_at, "bad.json: runs[0].output.stdout: “dropped_at” is 5, outside 0…2");
  assert_load_error (mid_char, "bad.json: runs[0].output.stderr: “dropped_at” must be at the start of a character");
  assert_load_error (no_text, "bad.json: runs[0].output.stdout: “text” is missing");
  g_unlink (path);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = il_test_tmpdir_new ("test-trace-io");

  g_test_add_func ("/trace-io/round-trip", test_round_trip);
  g_test_add_func ("/trace-io/external-round-trip", test_external_round_trip);
  g_test_add_func ("/trace-io/schema", test_schema);
  g_test_add_func ("/trace-io/column-order", test_column_order);
  g_test_add_func ("/trace-io/malformed", test_malformed);
  g_test_add_func ("/trace-io/cpu-load", test_cpu_load);
  g_test_add_func ("/trace-io/disturbed-by-need", test_disturbed_by_need);
  g_test_add_func ("/trace-io/missing-file", test_missing_file);
  g_test_add_func ("/trace-io/csv", test_csv);
  g_test_add_func ("/trace-io/large", test_large);
  g_test_add_func ("/trace-io/save-unwritable", test_save_unwritable);
  g_test_add_func ("/trace-io/deep-nesting", test_deep_nesting);
  g_test_add_func ("/trace-io/duplicate-keys", test_duplicate_keys);
  g_test_add_func ("/trace-io/tasks-malformed", test_tasks_malformed);
  g_test_add_func ("/trace-io/survival-fields", test_survival_fields);
  g_test_add_func ("/trace-io/not-regular", test_not_regular);
  g_test_add_func ("/trace-io/atomic-write", test_atomic_write);
  g_test_add_func ("/trace-io/config-limits", test_config_limits);
  g_test_add_func ("/trace-io/truncation", test_truncation);
  g_test_add_func ("/trace-io/output", test_output);
  ret = g_test_run ();

  /* Leave nothing behind in /tmp. */
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return ret;
}
