/* test-chrome-import.c: reading others' Chrome Trace Event files as they are: gzip, protobuf, cut-off, unsorted, ordered lanes, unclosed slices, ids. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "il-trace-io.h"
#include "il-trace-read-private.h"
#include "il-test-util.h"

static char *tmpdir;

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

static char *
load_error (const char *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = il_trace_load_from_data (data, len, "bad.json", &error);

  g_assert_null (trace);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  return g_strdup (error->message);
}

static void
assert_contains (const char *text, const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text, part);
}

/* The one task named @name (asserted to be one). */
static const IlTaskRecord *
find_task (IlRunTrace *run, const char *name)
{
  const IlTaskRecord *found = NULL;

  for (guint i = 0; i < il_run_trace_get_n_tasks (run); i++)
    if (g_strcmp0 (il_run_trace_get_task (run, i)->name, name) == 0)
      {
        g_assert_null (found);
        found = il_run_trace_get_task (run, i);
      }
  if (found == NULL)
    g_error ("no task “%s”", name);
  return found;
}

/* Lane names, joined by spaces. */
static char *
lane_names (IlRunTrace *run)
{
  GString *s = g_string_new (NULL);

  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    g_string_append_printf (s, "%s%s", w > 0 ? " " : "", il_run_trace_get_worker (run, w)->name);
  return g_string_free (s, FALSE);
}

static const char small_trace[] =
  "{\"traceEvents\":[\n"
  "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":7,\"tid\":8,\"args\":{\"name\":\"main\"}},\n"
  "{\"ph\":\"X\",\"name\":\"load\",\"pid\":7,\"tid\":8,\"ts\":100,\"dur\":50},\n"
  "{\"ph\":\"X\",\"name\":\"parse\",\"pid\":7,\"tid\":8,\"ts\":160,\"dur\":20}\n"
  "]}\n";

static GBytes *
gzip_bytes (const char *data, gsize len)
{
  g_autoptr(GZlibCompressor) zip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_data (data, (gssize) len, NULL);
  g_autoptr(GInputStream) in = g_converter_input_stream_new (raw, G_CONVERTER (zip));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* A .json.gz (what Chrome and Perfetto's UI save) opens like the JSON inside it. */
static void
test_gzip (void)
{
  g_autoptr(GBytes) zipped = gzip_bytes (small_trace, strlen (small_trace));
  g_autofree char *path = g_build_filename (tmpdir, "small.json.gz", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autofree char *message = NULL;
  g_autofree char *unpacked = NULL;
  gsize len = 0;
  IlRunTrace *run;

  g_assert_cmpint (((const guchar *) g_bytes_get_data (zipped, NULL))[0], ==, 0x1f);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (zipped, NULL),
                                      (gssize) g_bytes_get_size (zipped), NULL));
  trace = il_trace_load (path, &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_cmpstr (il_run_trace_get_worker (run, 0)->name, ==, "main");
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 2);
  g_assert_cmpint (find_task (run, "parse")->start_ns, ==, 60000);
  g_assert_cmpint (find_task (run, "parse")->end_ns, ==, 80000);
  g_assert_cmpuint (il_trace_get_n_warnings (trace), ==, 0);

  /* The limit against zip bombs: exactly the size passes, a byte less refuses. */
  unpacked = il_trace_gunzip (g_bytes_get_data (zipped, NULL), g_bytes_get_size (zipped),
                              strlen (small_trace), "small.json.gz", &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (unpacked, len, small_trace, strlen (small_trace));
  g_assert_null (il_trace_gunzip (g_bytes_get_data (zipped, NULL), g_bytes_get_size (zipped),
                                  strlen (small_trace) - 1, "small.json.gz", &len, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  assert_contains (error->message, "small.json.gz: the gzip file unpacks to more than");
  g_clear_error (&error);
  g_assert_cmpuint (IL_TRACE_GUNZIP_LIMIT, ==, G_GUINT64_CONSTANT (4) << 30);

  /* A gzip cut in half is a broken gzip, said so (not "must be UTF-8"). */
  message = load_error (g_bytes_get_data (zipped, NULL), g_bytes_get_size (zipped) / 2);
  assert_contains (message, "bad.json: a broken gzip file");
}

/* Perfetto's protobuf: a TracePacket tag (0x0a), then a length and binary bytes. */
static void
test_protobuf (void)
{
  static const char packet[] = "\x0a\x2b\x0a\x06\x08\x01\x10\x02\x18\x03\x52\x1f\x0a\x1d";
  static const char json_after_newline[] = "\n{\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":1}]}";
  g_autofree char *message = load_error (packet, sizeof packet - 1);
  g_autoptr(IlTrace) trace = NULL;

  assert_contains (message, "bad.json: this is a Perfetto protobuf trace");
  assert_contains (message, "traceconv json TRACE.pftrace TRACE.json");
  /* A JSON file that starts with a newline is still JSON. */
  trace = load_text (json_after_newline, "newline.json");
}

/* A producer that crashed leaves the array unfinished: what is complete loads, with a warning
 * that says where it was cut. */
static void
test_cut_off (void)
{
  static const char cut_in_event[] =
    "{\"traceEvents\":[\n"
    "{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":10,\"dur\":5},\n"
    "{\"ph\":\"B\",\"name\":\"b\",\"pid\":1,\"tid\":1,\"ts\":20},\n"
    "{\"ph\":\"X\",\"name\":\"c\",\"pid\":1,\"tid\":1,\"ts\":30,\"d";
  static const char cut_after_comma[] =
    "{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":10,\"dur\":5},\n";
  static const char cut_bare_in_string[] =
    "[{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":10,\"dur\":5},\n"
    "{\"ph\":\"X\",\"name\":\"unfini";
  static const char bare_no_bracket[] =
    "[{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":10,\"dur\":5}\n";
  static const char complete_but_wrong[] =
    "{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":10,\"dur\":5},\n"
    "{\"ph\":\"X\",\"ts\":\"soon\"},\n{\"ph\":\"X\",\"na";
  g_autoptr(IlTrace) trace = load_text (cut_in_event, "cut.json");
  IlRunTrace *run = il_trace_get_run (trace, 0);
  g_autofree char *message = NULL;

  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 2);
  g_assert_cmpint (find_task (run, "a")->end_ns, ==, 5000);
  /* The B cut short ends at its thread's last event: its own start. */
  g_assert_cmpint (find_task (run, "b")->status, ==, IL_TASK_PENDING);
  g_assert_cmpuint (il_trace_get_n_warnings (trace), ==, 1);
  g_assert_cmpstr (il_trace_get_warning (trace, 0), ==,
                   "cut.json:4: the file is cut off inside its events; the 2 complete events "
                   "before line 4 are loaded");
  g_clear_pointer (&trace, il_trace_unref);

  trace = load_text (cut_after_comma, "comma.json");
  g_assert_cmpuint (il_run_trace_get_n_tasks (il_trace_get_run (trace, 0)), ==, 1);
  g_assert_cmpuint (il_trace_get_n_warnings (trace), ==, 1);
  assert_contains (il_trace_get_warning (trace, 0), "the 1 complete event before line 2 is loaded");
  g_clear_pointer (&trace, il_trace_unref);

  trace = load_text (cut_bare_in_string, "bare.json");
  g_assert_cmpuint (il_run_trace_get_n_tasks (il_trace_get_run (trace, 0)), ==, 1);
  g_assert_cmpuint (il_trace_get_n_warnings (trace), ==, 1);
  assert_contains (il_trace_get_warning (trace, 0), "bare.json:2: the file is cut off");
  g_clear_pointer (&trace, il_trace_unref);

  /* The array form may leave out its closing bracket: that is no cut. */
  trace = load_text (bare_no_bracket, "open.json");
  g_assert_cmpuint (il_trace_get_n_warnings (trace), ==, 0);

  /* An event that is complete and wrong is still refused, whatever follows. */
  message = load_error (complete_but_wrong, strlen (complete_but_wrong));
  assert_contains (message, "bad.json:2: expected a number");
}

/* Interleave's own export cut off: refused with an error, or (its header after the events, not
 * reached) read as any other file with the warning; never NULL without an error. */
static void
test_cut_own_export (void)
{
  g_autoptr(IlTrace) trace = load_text (small_trace, "small.json");
  g_autofree char *path = g_build_filename (tmpdir, "own.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) back = NULL;
  const char *events, *cut;

  g_assert_true (il_trace_export_chrome (trace, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  events = strstr (text, "\"traceEvents\"");
  g_assert_nonnull (events);
  cut = strstr (strstr (events, "\"ph\""), "},");
  g_assert_nonnull (cut);
  back = il_trace_load_from_data (text, (gsize) (cut + 2 - text), "own.json", &error);
  if (back == NULL)
    {
      g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
      assert_contains (error->message, "own.json:");
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpuint (il_trace_get_n_warnings (back), ==, 1);
    }
}

/* Events need not be sorted: per thread they are put in time order before B/E pairs match. */
static void
test_unsorted (void)
{
  static const char text[] =
    "[{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":300},\n"
    "{\"ph\":\"X\",\"name\":\"late\",\"pid\":1,\"tid\":2,\"ts\":500,\"dur\":10},\n"
    "{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":250},\n"
    "{\"ph\":\"B\",\"name\":\"inner\",\"pid\":1,\"tid\":1,\"ts\":200},\n"
    "{\"ph\":\"B\",\"name\":\"outer\",\"pid\":1,\"tid\":1,\"ts\":100},\n"
    "{\"ph\":\"X\",\"name\":\"early\",\"pid\":1,\"tid\":2,\"ts\":50,\"dur\":10},\n"
    /* Equal times keep file order: this B opens before the E that closes it. */
    "{\"ph\":\"B\",\"name\":\"zero\",\"pid\":1,\"tid\":1,\"ts\":400},\n"
    "{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":400}]";
  g_autoptr(IlTrace) trace = load_text (text, "unsorted.json");
  IlRunTrace *run = il_trace_get_run (trace, 0);
  const IlTaskRecord *outer = find_task (run, "outer");
  const IlTaskRecord *inner = find_task (run, "inner");
  const IlTaskRecord *zero = find_task (run, "zero");

  g_assert_cmpint (il_run_trace_get_origin_ns (run), ==, 50000);
  g_assert_cmpint (outer->start_ns, ==, 50000);
  g_assert_cmpint (outer->end_ns, ==, 250000);
  g_assert_cmpint (inner->start_ns, ==, 150000);
  g_assert_cmpint (inner->end_ns, ==, 200000);
  g_assert_cmpint (zero->start_ns, ==, 350000);
  g_assert_cmpint (zero->end_ns, ==, 350000);
  g_assert_cmpint (outer->status, ==, IL_TASK_OK);
  g_assert_cmpint (zero->status, ==, IL_TASK_OK);
  g_assert_cmpint (find_task (run, "early")->start_ns, ==, 0);
  g_assert_cmpint (find_task (run, "late")->end_ns, ==, 460000);
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 5);
}

/* Lanes: sort indexes where given, else named before unnamed, names and ids in natural order. */
static void
test_lane_order (void)
{
  static const char text[] =
    "{\"traceEvents\":[\n"
    "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":20,\"args\":{\"name\":\"Renderer\"}},\n"
    "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":10,\"args\":{\"name\":\"Browser\"}},\n"
    "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":30,\"args\":{\"name\":\"GPU\"}},\n"
    "{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":30,\"args\":{\"sort_index\":3}},\n"
    "{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":20,\"args\":{\"sort_index\":-5}},\n"
    "{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":10,\"tid\":4,\"args\":{\"sort_index\":-2}},\n"
    "{\"ph\":\"X\",\"name\":\"g\",\"pid\":30,\"tid\":1,\"ts\":1,\"dur\":1},\n"
    "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":10,\"tid\":4,\"args\":{\"name\":\"Worker33\"}},\n"
    "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":10,\"tid\":5,\"args\":{\"name\":\"Worker7\"}},\n"
    "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":10,\"tid\":6,\"args\":{\"name\":\"Worker16\"}},\n"
    "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":10,\"tid\":3,\"args\":{\"name\":\"Main\"}},\n"
    "{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":10,\"tid\":3,\"args\":{\"sort_index\":-1}},\n"
    "{\"ph\":\"X\",\"name\":\"u\",\"pid\":10,\"tid\":100,\"ts\":1,\"dur\":1},\n"
    "{\"ph\":\"X\",\"name\":\"v\",\"pid\":10,\"tid\":9,\"ts\":1,\"dur\":1},\n"
    "{\"ph\":\"X\",\"name\":\"r\",\"pid\":20,\"tid\":2,\"ts\":1,\"dur\":1},\n"
    "{\"ph\":\"X\",\"name\":\"w\",\"pid\":10,\"tid\":4,\"ts\":1,\"dur\":1}\n"
    "]}";
  g_autoptr(IlTrace) trace = load_text (text, "order.json");
  IlRunTrace *run = il_trace_get_run (trace, 0);
  g_autofree char *names = lane_names (run);

  /* Renderer (-5) and GPU (3) by sort index first, then Browser (none); in Browser Worker33 (-2)
   * and Main (-1) by sort index, then the other workers by number, then the unnamed tids 9 and
   * 100 by number. Threads named in metadata without events (Main, Worker7, Worker16) have
   * empty lanes. */
  g_assert_cmpstr (names, ==, "thread 2 thread 1 Worker33 Main Worker7 Worker16 thread 9 thread 100");
  g_assert_cmpint (il_run_trace_get_worker (run, 3)->pid, ==, 10);
  g_assert_cmpint (il_run_trace_get_worker (run, 3)->tid, ==, 3);
  g_assert_cmpuint (il_lane_get_n_spans (il_run_trace_get_lane (run, 3)), ==, 0);
  g_assert_cmpuint (il_lane_get_n_spans (il_run_trace_get_lane (run, 2)), ==, 1);
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 5);
}

/* An unclosed B ends at its thread's last event, pending, not at the end of the whole trace. */
static void
test_unclosed (void)
{
  static const char text[] =
    "{\"traceEvents\":[\n"
    "{\"ph\":\"B\",\"name\":\"open\",\"pid\":1,\"tid\":1,\"ts\":100},\n"
    "{\"ph\":\"X\",\"name\":\"child\",\"pid\":1,\"tid\":1,\"ts\":150,\"dur\":100},\n"
    "{\"ph\":\"i\",\"name\":\"mark\",\"pid\":1,\"tid\":1,\"ts\":400},\n"
    "{\"ph\":\"X\",\"name\":\"elsewhere\",\"pid\":1,\"tid\":2,\"ts\":100,\"dur\":5000}\n"
    "]}";
  g_autoptr(IlTrace) trace = load_text (text, "unclosed.json");
  IlRunTrace *run = il_trace_get_run (trace, 0);
  const IlTaskRecord *open = find_task (run, "open");

  g_assert_cmpint (open->start_ns, ==, 0);
  g_assert_cmpint (open->end_ns, ==, 300000);
  g_assert_cmpint (open->status, ==, IL_TASK_PENDING);
  assert_contains (il_run_trace_get_task_error (run, open->id), "unfinished");
  g_assert_cmpint (find_task (run, "child")->status, ==, IL_TASK_OK);
  g_assert_null (il_run_trace_get_task_error (run, find_task (run, "child")->id));
  g_assert_cmpint (il_run_trace_get_end_ns (run), ==, 5000000);
}

/* pid 0 and tid 0 are ids like any other, kept as the file has them. */
static void
test_zero_ids (void)
{
  static const char text[] =
    "[{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":0,\"tid\":0,\"args\":{\"name\":\"kernel\"}},\n"
    "{\"ph\":\"X\",\"name\":\"z\",\"pid\":0,\"tid\":0,\"ts\":1,\"dur\":1},\n"
    "{\"ph\":\"X\",\"name\":\"s\",\"pid\":\"node-a\",\"tid\":\"t\",\"ts\":1,\"dur\":1}]";
  g_autoptr(IlTrace) trace = load_text (text, "zero.json");
  IlRunTrace *run = il_trace_get_run (trace, 0);

  g_assert_cmpuint (il_run_trace_get_n_workers (run), ==, 2);
  g_assert_cmpint (il_run_trace_get_worker (run, 0)->pid, ==, 0);
  g_assert_cmpint (il_run_trace_get_worker (run, 0)->tid, ==, 0);
  g_assert_cmpstr (il_run_trace_find_process (run, 0)->name, ==, "kernel");
  /* A string pid gets a made-up number that is no other process's. */
  g_assert_cmpint (il_run_trace_get_worker (run, 1)->pid, ==, 1);
}

/* A native trace whose machine has more CPUs than a machine can have is refused, clearly. */
static void
test_native_cpus (void)
{
  static const char head[] = "{\"format\":\"interleave-trace\",\"version\":1,"
                             "\"machine\":{\"cpus\":%u,\"kernel\":\"6.1\",\"hostname\":\"h\"},\"runs\":[]}";
  g_autofree char *ok = g_strdup_printf (head, 4096u);
  g_autofree char *big = g_strdup_printf (head, 4097u);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = il_trace_load_from_data (ok, strlen (ok), "ok.json", &error);
  g_autofree char *message = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_machine_cpus (trace), ==, 4096);
  message = load_error (big, strlen (big));
  g_assert_cmpstr (message, ==, "bad.json: “machine.cpus” is 4097, more CPUs than a machine has (at most 4096)");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Messages are compared in English. */
  g_setenv ("LANGUAGE", "C", TRUE);
  tmpdir = il_test_tmpdir_new ("il-test-chrome-import");

  g_test_add_func ("/chrome-import/gzip", test_gzip);
  g_test_add_func ("/chrome-import/protobuf", test_protobuf);
  g_test_add_func ("/chrome-import/cut-off", test_cut_off);
  g_test_add_func ("/chrome-import/cut-own-export", test_cut_own_export);
  g_test_add_func ("/chrome-import/unsorted", test_unsorted);
  g_test_add_func ("/chrome-import/lane-order", test_lane_order);
  g_test_add_func ("/chrome-import/unclosed", test_unclosed);
  g_test_add_func ("/chrome-import/zero-ids", test_zero_ids);
  g_test_add_func ("/chrome-import/native-cpus", test_native_cpus);

  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
