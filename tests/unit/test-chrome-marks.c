/* test-chrome-marks.c: what an imported Chrome trace says beyond slices (instants, counters, flows, cat, args) read, saved, exported and read back. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "il-trace-io.h"
#include "il-trace-marks.h"
#include "il-test-util.h"

static char *tmpdir;

/* One event of each kind: slices with and without cat and args ("X", "B"/"E"), instants of each
 * scope, counters of two members (one a numeric string) and one with an id, a flow of three
 * steps, a start nothing continues, and a flow of the newer kind ("bind_id"). */
static const char hand_trace[] =
  "{\"traceEvents\":[\n"
  "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"app\"}},\n"
  "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":2,\"args\":{\"name\":\"main\"}},\n"
  "{\"ph\":\"X\",\"name\":\"load\",\"cat\":\"io,net\",\"pid\":1,\"tid\":2,\"ts\":100,\"dur\":50,"
  "\"args\":{\"url\": \"a.html\",  \"size\": 12}},\n"
  "{\"ph\":\"B\",\"name\":\"parse\",\"cat\":\"blink\",\"pid\":1,\"tid\":3,\"ts\":120,\"args\":{\"line\":7}},\n"
  "{\"ph\":\"E\",\"pid\":1,\"tid\":3,\"ts\":170},\n"
  "{\"ph\":\"i\",\"name\":\"mark\",\"cat\":\"user\",\"pid\":1,\"tid\":2,\"ts\":110,\"s\":\"t\",\"args\":{\"why\":\"click\"}},\n"
  "{\"ph\":\"I\",\"name\":\"nav\",\"pid\":1,\"tid\":3,\"ts\":90,\"s\":\"p\"},\n"
  "{\"ph\":\"i\",\"name\":\"vsync\",\"pid\":1,\"tid\":2,\"ts\":160,\"s\":\"g\",\"args\":{}},\n"
  "{\"ph\":\"C\",\"name\":\"heap\",\"pid\":1,\"ts\":140,\"args\":{\"used\":15,\"total\":\"25\"}},\n"
  "{\"ph\":\"C\",\"name\":\"heap\",\"pid\":1,\"ts\":100,\"args\":{\"used\":10,\"total\":20,\"note\":\"x\"}},\n"
  "{\"ph\":\"C\",\"name\":\"fps\",\"pid\":1,\"ts\":120,\"id\":7,\"args\":{\"value\":60}},\n"
  "{\"ph\":\"s\",\"name\":\"post\",\"cat\":\"task\",\"id\":\"0x1\",\"pid\":1,\"tid\":2,\"ts\":105},\n"
  "{\"ph\":\"f\",\"name\":\"post\",\"cat\":\"task\",\"id\":\"0x1\",\"pid\":1,\"tid\":2,\"ts\":145,\"bp\":\"e\"},\n"
  "{\"ph\":\"t\",\"name\":\"post\",\"cat\":\"task\",\"id\":\"0x1\",\"pid\":1,\"tid\":3,\"ts\":125},\n"
  "{\"ph\":\"s\",\"name\":\"lonely\",\"cat\":\"task\",\"id\":2,\"pid\":1,\"tid\":2,\"ts\":130},\n"
  "{\"ph\":\"f\",\"name\":\"orphan\",\"cat\":\"task\",\"id\":3,\"pid\":1,\"tid\":2,\"ts\":131},\n"
  "{\"ph\":\"X\",\"name\":\"send\",\"pid\":1,\"tid\":2,\"ts\":152,\"dur\":5,\"bind_id\":\"0xab\",\"flow_out\":true},\n"
  "{\"ph\":\"X\",\"name\":\"recv\",\"pid\":1,\"tid\":3,\"ts\":171,\"dur\":4,\"bind_id\":\"0xab\",\"flow_in\":true}\n"
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

static guint
find_task (IlRunTrace *run, const char *name)
{
  for (guint i = 0; i < il_run_trace_get_n_tasks (run); i++)
    if (g_strcmp0 (il_run_trace_get_task (run, i)->name, name) == 0)
      return i;
  g_error ("no task “%s”", name);
}

static const IlCounter *
find_counter (IlRunTrace *run, const char *name, const char *key)
{
  for (guint i = 0; i < il_run_trace_get_n_counters (run); i++)
    {
      const IlCounter *c = il_run_trace_get_counter (run, i);

      if (strcmp (c->name, name) == 0 && strcmp (c->key, key) == 0)
        return c;
    }
  g_error ("no counter “%s” “%s”", name, key);
}

/* Everything the hand-written file says, as @run (imported, saved or exported) must have it. The
 * run starts at the earliest event, the process-scope instant at 90 µs. */
static void
check_hand_run (IlRunTrace *run)
{
  const IlInstant *in;
  const IlCounter *c;
  guint task;
  gboolean lonely = FALSE, bind = FALSE;
  guint post = 0;

  g_assert_cmpint (il_run_trace_get_origin_ns (run), ==, 90000);
  g_assert_cmpuint (il_run_trace_get_n_workers (run), ==, 2);

  /* Slices: cat and compact args beside the task; none when the file had none. */
  task = find_task (run, "load");
  g_assert_cmpstr (il_run_trace_get_task_category (run, task), ==, "io,net");
  g_assert_cmpstr (il_run_trace_get_task_args (run, task), ==, "{\"url\":\"a.html\",\"size\":12}");
  task = find_task (run, "parse");
  g_assert_cmpstr (il_run_trace_get_task_category (run, task), ==, "blink");
  g_assert_cmpstr (il_run_trace_get_task_args (run, task), ==, "{\"line\":7}");
  task = find_task (run, "send");
  g_assert_null (il_run_trace_get_task_category (run, task));
  g_assert_null (il_run_trace_get_task_args (run, task));

  /* Instants in time order, each scope kept; "{}" is no arguments. */
  g_assert_cmpuint (il_run_trace_get_n_instants (run), ==, 3);
  in = il_run_trace_get_instant (run, 0);
  g_assert_cmpstr (in->name, ==, "nav");
  g_assert_cmpint (in->scope, ==, IL_MARK_SCOPE_PROCESS);
  g_assert_cmpint (in->worker, ==, -1);
  g_assert_cmpint (in->pid, ==, 1);
  g_assert_cmpint (in->ts_ns, ==, 0);
  in = il_run_trace_get_instant (run, 1);
  g_assert_cmpstr (in->name, ==, "mark");
  g_assert_cmpint (in->scope, ==, IL_MARK_SCOPE_THREAD);
  g_assert_cmpint (in->worker, ==, 0);
  g_assert_cmpint (in->ts_ns, ==, 20000);
  g_assert_cmpstr (in->category, ==, "user");
  g_assert_cmpstr (in->args, ==, "{\"why\":\"click\"}");
  in = il_run_trace_get_instant (run, 2);
  g_assert_cmpstr (in->name, ==, "vsync");
  g_assert_cmpint (in->scope, ==, IL_MARK_SCOPE_GLOBAL);
  g_assert_null (in->category);
  g_assert_null (in->args);

  /* Counters: a series per numeric member, points in time order; "note" is no number. */
  g_assert_cmpuint (il_run_trace_get_n_counters (run), ==, 3);
  g_assert_cmpuint (il_run_trace_get_n_counter_points (run), ==, 5);
  c = find_counter (run, "heap", "used");
  g_assert_cmpuint (c->n_points, ==, 2);
  g_assert_cmpint (c->points[0].ts_ns, ==, 10000);
  g_assert_cmpfloat (c->points[0].value, ==, 10);
  g_assert_cmpfloat (c->points[1].value, ==, 15);
  g_assert_cmpfloat (c->max, ==, 15);
  c = find_counter (run, "heap", "total");
  g_assert_cmpfloat (c->points[1].value, ==, 25);
  c = find_counter (run, "fps 7", "value");
  g_assert_cmpuint (c->n_points, ==, 1);
  g_assert_cmpint (c->pid, ==, 1);

  /* Flows: two arrows of "post" (s → t → f in time order, whatever the file order), the open
   * "lonely", the "bind_id" pair; the "f" without a start is dropped. */
  g_assert_cmpuint (il_run_trace_get_n_flows (run), ==, 4);
  for (guint i = 0; i < il_run_trace_get_n_flows (run); i++)
    {
      const IlFlow *f = il_run_trace_get_flow (run, i);

      if (strcmp (f->name, "post") == 0)
        {
          g_assert_cmpstr (f->category, ==, "task");
          if (f->from_ns == 15000)
            {
              g_assert_cmpint (f->from_worker, ==, 0);
              g_assert_cmpint (f->to_worker, ==, 1);
              g_assert_cmpint (f->to_ns, ==, 35000);
            }
          else
            {
              g_assert_cmpint (f->from_ns, ==, 35000);
              g_assert_cmpint (f->to_worker, ==, 0);
              g_assert_cmpint (f->to_ns, ==, 55000);
            }
          post++;
        }
      else if (strcmp (f->name, "lonely") == 0)
        {
          g_assert_cmpint (f->to_worker, ==, -1);
          lonely = TRUE;
        }
      else
        {
          g_assert_cmpstr (f->name, ==, "send");
          g_assert_cmpint (f->from_worker, ==, 0);
          g_assert_cmpint (f->to_worker, ==, 1);
          g_assert_cmpint (f->to_ns, ==, 81000);
          bind = TRUE;
        }
    }
  g_assert_cmpuint (post, ==, 2);
  g_assert_true (lonely && bind);
}

static void
test_read (void)
{
  g_autoptr(IlTrace) trace = load_text (hand_trace, "hand.json");

  check_hand_run (il_trace_get_run (trace, 0));
}

/* @trace saved as STEM.interleave.json and read back, then exported as STEM.trace.json and read
 * back: @check holds of each. Returns the saved file's path. */
static char *
save_and_export (IlTrace *trace, const char *stem, void (*check) (IlRunTrace *run))
{
  g_autofree char *native_name = g_strconcat (stem, ".interleave.json", NULL);
  g_autofree char *chrome_name = g_strconcat (stem, ".trace.json", NULL);
  char *native = g_build_filename (tmpdir, native_name, NULL);
  g_autofree char *chrome = g_build_filename (tmpdir, chrome_name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) saved = NULL;
  g_autoptr(IlTrace) exported = NULL;

  g_assert_true (il_trace_save (trace, native, &error));
  g_assert_no_error (error);
  saved = il_trace_load (native, &error);
  g_assert_no_error (error);
  check (il_trace_get_run (saved, 0));

  g_assert_true (il_trace_export_chrome (saved, chrome, &error));
  g_assert_no_error (error);
  exported = il_trace_load (chrome, &error);
  g_assert_no_error (error);
  check (il_trace_get_run (exported, 0));
  return native;
}

/* Save and Open keep everything (trace v1's optional members), and so does the Chrome export
 * (its header is trace v1). */
static void
test_round_trip (void)
{
  g_autoptr(IlTrace) trace = load_text (hand_trace, "hand.json");

  g_free (save_and_export (trace, "hand", check_hand_run));
}

/* The export's events alone (what another viewer reads, and what Interleave reads of it without
 * the header) hold the same instants, counters, arrows and arguments. */
static void
test_export_events (void)
{
  g_autoptr(IlTrace) trace = load_text (hand_trace, "hand.json");
  g_autofree char *chrome = g_build_filename (tmpdir, "events.trace.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(IlTrace) back = NULL;
  IlRunTrace *run;
  char *other;

  g_assert_true (il_trace_export_chrome (trace, chrome, &error));
  g_assert_no_error (error);
  text = il_test_read_text (chrome);
  other = strstr (text, ",\"otherData\"");
  g_assert_nonnull (other);
  strcpy (other, "}\n");
  back = load_text (text, "events.json");
  run = il_trace_get_run (back, 0);
  g_assert_cmpuint (il_run_trace_get_n_instants (run), ==, 3);
  g_assert_cmpuint (il_run_trace_get_n_counters (run), ==, 3);
  g_assert_cmpuint (il_run_trace_get_n_counter_points (run), ==, 5);
  g_assert_cmpuint (il_run_trace_get_n_flows (run), ==, 4);
  g_assert_cmpstr (il_run_trace_get_task_args (run, find_task (run, "load")), ==,
                   "{\"url\":\"a.html\",\"size\":12}");
  g_assert_cmpstr (il_run_trace_get_instant (run, 1)->args, ==, "{\"why\":\"click\"}");
}

/* CSV: name, cat and args appended for an imported file, a row per instant; a file without them
 * keeps its columns. */
static void
test_csv (void)
{
  g_autoptr(IlTrace) trace = load_text (hand_trace, "hand.json");
  g_autoptr(IlTrace) plain = load_text ("[{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":2}]",
                                        "plain.json");
  g_autofree char *path = g_build_filename (tmpdir, "hand.csv", NULL);
  g_autofree char *plain_path = g_build_filename (tmpdir, "plain.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL, *plain_text = NULL;

  g_assert_true (il_trace_export_csv (trace, path, &error));
  g_assert_true (il_trace_export_csv (plain, plain_path, &error));
  g_assert_no_error (error);
  text = il_test_read_text (path);
  plain_text = il_test_read_text (plain_path);
  g_assert_true (g_str_has_prefix (text, "run,label,worker,pid,tid,state,cpu,task,start_ns,end_ns,"
                                         "cpu_time_ns,name,cat,args\n"));
  g_assert_nonnull (strstr (text, ",load,\"io,net\",\"{\"\"url\"\":\"\"a.html\"\",\"\"size\"\":12}\"\n"));
  g_assert_nonnull (strstr (text, "\n0,hand.json,0,1,2,instant,,,20000,20000,,mark,user,\"{\"\"why\"\":\"\"click\"\"}\"\n"));
  g_assert_nonnull (strstr (text, "\n0,hand.json,,1,,instant,,,0,0,,nav,,\n"));
  g_assert_true (g_str_has_prefix (plain_text, "run,label,worker,pid,tid,state,cpu,task,start_ns,end_ns,"
                                               "cpu_time_ns\n0,"));
}

static void
test_args_describe (void)
{
  g_autofree char *a = il_json_args_describe ("{\"url\":\"a.html\",\"n\":{\"x\":1}}", 8, 80);
  g_autofree char *b = il_json_args_describe ("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", 3, 80);
  g_autofree char *c = il_json_args_describe ("{\"long\":\"0123456789\"}", 8, 10);
  const char *spaced = "{ \"a b\" : [1, 2],\n \"c\": \"x \\\" y\" }";
  g_autofree char *compact = il_json_compact (spaced, strlen (spaced));
  g_autofree char *empty = il_json_compact (" { } ", 5);

  g_assert_cmpstr (a, ==, "url: a.html\nn: {\"x\":1}");
  g_assert_cmpstr (b, ==, "a: 1\nb: 2\n…");
  g_assert_cmpstr (c, ==, "long: 012…");
  g_assert_cmpstr (compact, ==, "{\"a b\":[1,2],\"c\":\"x \\\" y\"}");
  g_assert_null (empty);
}

/* Numbers json-glib 1.6 wrote as no JSON: a counter of 1e55 (shortest form "1e+55", to which it
 * appended ".0") and an argument of 1e999 (infinity, "inf.0"). Saved, exported and read back:
 * every file opens again, with the counter's value. (A fuzzer's find.) */
static const char big_numbers[] =
  "{\"traceEvents\":[\n"
  "{\"ph\":\"X\",\"name\":\"load\",\"pid\":1,\"tid\":2,\"ts\":100,\"dur\":50,\"args\":{\"x\":1e55,\"y\":1e999}},\n"
  "{\"ph\":\"i\",\"name\":\"mark\",\"pid\":1,\"tid\":2,\"ts\":110,\"s\":\"t\",\"args\":{\"why\":1e55,\"inf\":-1e999}},\n"
  "{\"ph\":\"C\",\"name\":\"heap\",\"pid\":1,\"ts\":100,\"args\":{\"used\":1e55}},\n"
  "{\"ph\":\"C\",\"name\":\"heap\",\"pid\":1,\"ts\":140,\"args\":{\"used\":2}}\n"
  "]}\n";

static void
check_big_counter (IlRunTrace *run)
{
  const IlCounter *c;

  g_assert_cmpuint (il_run_trace_get_n_counters (run), ==, 1);
  c = il_run_trace_get_counter (run, 0);
  g_assert_cmpuint (c->n_points, ==, 2);
  g_assert_cmpfloat (c->points[0].value, ==, 1e55);
  g_assert_cmpfloat (c->points[1].value, ==, 2);
  g_assert_cmpuint (il_run_trace_get_n_instants (run), ==, 1);
}

static void
test_big_numbers (void)
{
  g_autoptr(IlTrace) trace = load_text (big_numbers, "big.json");
  g_autofree char *native = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *infinite = NULL;
  g_autoptr(IlTrace) refused = NULL;
  g_autoptr(GError) error = NULL;

  check_big_counter (il_trace_get_run (trace, 0));
  native = save_and_export (trace, "big", check_big_counter);

  /* A counter's value that reads as infinity is refused by name. */
  text = il_test_read_text (native);
  parts = g_strsplit (text, "1e+55", -1);
  infinite = g_strjoinv ("1e999", parts);
  g_assert_cmpuint (g_strv_length (parts), >=, 2);
  refused = il_trace_load_from_data (infinite, strlen (infinite), "inf.json", &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not a finite number"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("LANGUAGE", "C", TRUE);
  tmpdir = il_test_tmpdir_new ("il-test-chrome-marks");

  g_test_add_func ("/chrome-marks/read", test_read);
  g_test_add_func ("/chrome-marks/round-trip", test_round_trip);
  g_test_add_func ("/chrome-marks/export-events", test_export_events);
  g_test_add_func ("/chrome-marks/csv", test_csv);
  g_test_add_func ("/chrome-marks/args-describe", test_args_describe);
  g_test_add_func ("/chrome-marks/big-numbers", test_big_numbers);

  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
