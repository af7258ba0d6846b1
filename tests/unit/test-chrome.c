/* test-chrome.c: Chrome Trace Event export (exact for float readers) and import (own and others' files). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "il-clock.h"
#include "il-trace-io.h"
#include "il-test-util.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
fixture (const char *name)
{
  return g_build_filename (IL_CHROME_FIXTURES, name, NULL);
}

/* A run whose spans end at awkward nanoseconds (the sums that go wrong in binary floating point),
 * every state, idle stretches, several workers on two CPUs, and named and unnamed tasks. */
static IlRunTrace *
make_run (const char *label, IlExecutorKind executor, gint64 origin, guint n_workers, guint n_spans)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  IlRunTrace *run;
  gint64 core_free[2] = { 0, 0 };

  config->executor = executor;
  config->workers = n_workers;
  config->tasks = 8;
  run = il_run_trace_new (config);
  il_run_trace_set_label (run, label);
  il_run_trace_set_capture (run, IL_CAPTURE_KERNEL);
  il_run_trace_set_origin_ns (run, origin);
  il_run_trace_set_n_cpus (run, 2);
  for (guint w = 0; w < n_workers; w++)
    {
      g_autofree char *name = g_strdup_printf ("lane “%u”", w);
      /* Worker 0 has tid 0 (an async coroutine or a lost id): the export must not write it. */
      il_run_trace_add_worker (run, IL_WORKER_THREAD, 3000, w == 0 ? 0 : 3000 + (int) w, name);
    }
  il_run_trace_set_n_tasks (run, 8);
  for (guint t = 0; t < 8; t++)
    {
      IlTaskRecord *task = il_run_trace_get_task (run, t);

      task->worker = (int) (t % n_workers);
      task->start_ns = t * 1000;
      task->end_ns = t * 1000 + 500;
      task->status = t == 7 ? IL_TASK_CANCELLED : IL_TASK_OK;
    }
  il_run_trace_set_task_name (run, 3, "fetch ‹data›");
  for (guint w = 0; w < n_workers; w++)
    {
      gint64 t = 1 + 977 * w;

      for (guint i = 0; i < n_spans; i++)
        {
          IlSpan span = { 0 };

          span.worker = (guint16) w;
          span.state = (i * 5 + w) % IL_N_STATES;
          span.task = span.state == IL_STATE_IDLE ? -1 : (gint32) ((i + w) % 8);
          span.start_ns = t;
          span.end_ns = t + 1 + (gint64) ((i * 2654435761u) % 5286577);
          span.cpu = -1;
          /* Running on a CPU no other worker holds then, as the kernel would report. */
          if (span.state == IL_STATE_RUNNING)
            {
              int c = (int) ((i + w) % 2);

              if (core_free[c] > span.start_ns)
                c = 1 - c;
              if (core_free[c] <= span.start_ns)
                {
                  span.cpu = (gint16) c;
                  core_free[c] = span.end_ns;
                }
              else
                span.state = IL_STATE_READY;
            }
          /* Mostly back to back (the case that breaks naive exports), sometimes a gap. */
          t = span.end_ns + (i % 5 == 4 ? 1234 : 0);
          il_run_trace_append (run, &span);
        }
    }
  il_run_trace_compute_summary (run);
  return run;
}

static IlTrace *
make_trace (gint64 origin)
{
  IlTrace *trace = il_trace_new ();
  g_autoptr(IlRunTrace) a = make_run ("threads", IL_EXECUTOR_THREADS, origin, 3, 400);
  g_autoptr(IlRunTrace) b = make_run ("traced", IL_EXECUTOR_EXTERNAL, origin + 999999937, 2, 300);

  il_trace_set_machine (trace, 2, "6.1.0-test", "lab-07");
  il_trace_add_run (trace, a);
  il_trace_add_run (trace, b);
  return trace;
}

/* ------------------------------------------------------------------------------------------------
 * Export */

typedef struct
{
  double ts, dur;
  char  *name;
} XEvent;

static void
x_event_clear (gpointer p)
{
  g_free (((XEvent *) p)->name);
}

static int
compare_x (gconstpointer a, gconstpointer b)
{
  const XEvent *x = a, *y = b;

  return (x->ts > y->ts) - (x->ts < y->ts);
}

/* Parses the export as any consumer does (doubles) and checks what they rely on. Returns the
 * tracks, keyed "pid/tid", each an array of XEvent sorted by ts. */
static GHashTable *
check_export (const char *path, guint *n_x)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GHashTable *tracks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_array_unref);
  JsonArray *events;
  GHashTableIter iter;
  gpointer value;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  events = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "traceEvents");
  *n_x = 0;
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *e = json_array_get_object_element (events, i);
      const char *ph = json_object_get_string_member (e, "ph");
      gint64 pid = json_object_get_int_member (e, "pid");
      gint64 tid = json_object_get_int_member (e, "tid");

      g_assert_cmpint (pid, >, 0);
      if (g_strcmp0 (ph, "M") == 0)
        {
          const char *name = json_object_get_string_member (e, "name");

          g_assert_cmpstr (json_object_get_string_member (e, "cat"), ==, "__metadata");
          /* tid 0 for a process's own (tracerbench), ts 0 for all (old DevTools' bounds). */
          if (g_str_has_prefix (name, "process_"))
            g_assert_cmpint (tid, ==, 0);
          else
            g_assert_cmpint (tid, >, 0);
          g_assert_true (json_object_has_member (e, "ts"));
          g_assert_cmpfloat (json_object_get_double_member (e, "ts"), ==, 0);
          continue;
        }
      g_assert_cmpint (tid, >, 0);
      if (g_strcmp0 (ph, "C") == 0)
        continue;
      /* Nothing per span where consumers key (speedscope: name + args). */
      g_assert_false (json_object_has_member (e, "args"));
      g_assert_cmpstr (ph, ==, "X");
      g_assert_true (json_object_has_member (e, "cat"));
      {
        g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, pid, tid);
        GArray *track = g_hash_table_lookup (tracks, key);
        XEvent x = { json_object_get_double_member (e, "ts"), json_object_get_double_member (e, "dur"),
                     g_strdup (json_object_get_string_member (e, "name")) };

        if (track == NULL)
          {
            track = g_array_new (FALSE, FALSE, sizeof (XEvent));
            g_array_set_clear_func (track, x_event_clear);
            g_hash_table_insert (tracks, g_steal_pointer (&key), track);
          }
        g_assert_cmpfloat (x.dur, >=, 0);
        g_array_append_val (track, x);
        (*n_x)++;
      }
    }

  /* No end passes the next start once ts + dur is added in doubles: nothing nests, nothing drops. */
  g_hash_table_iter_init (&iter, tracks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GArray *track = value;

      g_array_sort (track, compare_x);
      for (guint i = 1; i < track->len; i++)
        {
          const XEvent *a = &g_array_index (track, XEvent, i - 1);
          const XEvent *b = &g_array_index (track, XEvent, i);

          g_assert_cmpfloat (a->ts + a->dur, <=, b->ts);
        }
    }
  return tracks;
}

/* The number after "@key": in @line, parsed as a consumer parses it (a correctly rounded double). */
static double
member_double (const char *line, const char *key)
{
  const char *p = strstr (line, key);

  g_assert_nonnull (p);
  return g_ascii_strtod (p + strlen (key), NULL);
}

static gint64
member_int (const char *line, const char *key)
{
  const char *p = strstr (line, key);

  g_assert_nonnull (p);
  return g_ascii_strtoll (p + strlen (key), NULL, 10);
}

typedef struct
{
  double ts, dur;
  gint64 start_ns, end_ns;
} RawSpan;

static int
compare_raw (gconstpointer a, gconstpointer b)
{
  const RawSpan *x = a, *y = b;

  return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

/* The file layout older consumers need, and the sums every consumer forms, in their arithmetic:
 * DevTools adds ts + dur; speedscope subtracts the thread's first ts and then adds dur. For spans
 * back to back in nanoseconds both give exactly the next span's start; no end ever passes the next
 * start. Returns the number of back-to-back pairs checked. */
static guint
check_sums (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) tracks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_array_unref);
  GHashTableIter iter;
  gpointer value;
  guint pairs = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  /* traceEvents first, otherData after (Perfetto before v18), no displayTimeUnit. */
  g_assert_true (g_str_has_prefix (text, "{\"traceEvents\":["));
  g_assert_nonnull (strstr (text, "\n],\"otherData\":{\"interleave\":"));
  g_assert_null (strstr (text, "displayTimeUnit"));

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      g_autofree char *key = NULL;
      GArray *track;
      RawSpan x;

      if (!g_str_has_prefix (l, ",{\"ph\":\"X\"") && !g_str_has_prefix (l, "{\"ph\":\"X\""))
        continue;
      key = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                             member_int (l, "\"pid\":"), member_int (l, "\"tid\":"));
      x.ts = member_double (l, "\"ts\":");
      x.dur = member_double (l, "\"dur\":");
      x.start_ns = member_int (l, "\"start_ns\":");
      x.end_ns = member_int (l, "\"end_ns\":");
      track = g_hash_table_lookup (tracks, key);
      if (track == NULL)
        {
          track = g_array_new (FALSE, FALSE, sizeof (RawSpan));
          g_hash_table_insert (tracks, g_steal_pointer (&key), track);
        }
      g_array_append_val (track, x);
    }

  g_hash_table_iter_init (&iter, tracks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GArray *track = value;
      double first = G_MAXDOUBLE;

      g_array_sort (track, compare_raw);
      for (guint i = 0; i < track->len; i++)
        first = MIN (first, g_array_index (track, RawSpan, i).ts);
      for (guint i = 1; i < track->len; i++)
        {
          const RawSpan *a = &g_array_index (track, RawSpan, i - 1);
          const RawSpan *b = &g_array_index (track, RawSpan, i);
          double devtools_end = a->ts + a->dur;
          double speedscope_end = (a->ts - first) + a->dur;

          g_assert_cmpfloat (devtools_end, <=, b->ts);
          g_assert_cmpfloat (speedscope_end, <=, b->ts - first);
          if (a->end_ns == b->start_ns)
            {
              g_assert_cmpfloat (devtools_end, ==, b->ts);
              g_assert_cmpfloat (speedscope_end, ==, b->ts - first);
              pairs++;
            }
        }
    }
  return pairs;
}

static void
test_export_exact (void)
{
  g_autoptr(IlTrace) trace = make_trace (G_GINT64_CONSTANT (587862188711));
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("exact.json");
  g_autoptr(GHashTable) tracks = NULL;
  guint n_x, expected = 0, back_to_back = 0;

  g_assert_true (il_trace_export_chrome (trace, path, &error));
  g_assert_no_error (error);
  tracks = check_export (path, &n_x);

  for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);

      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        {
          const IlLane *lane = il_run_trace_get_lane (run, w);

          for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
            {
              const IlSpan *s = il_lane_get_span (lane, i);

              expected += s->state != IL_STATE_IDLE;
              expected += s->state == IL_STATE_RUNNING && s->cpu >= 0;
              back_to_back += i > 0 && il_lane_get_span (lane, i - 1)->end_ns == s->start_ns &&
                              il_lane_get_span (lane, i - 1)->state != IL_STATE_IDLE &&
                              s->state != IL_STATE_IDLE;
            }
        }
    }
  /* Every non-idle span once in its worker's track, every running one once in its core's. */
  g_assert_cmpuint (n_x, ==, expected);
  g_assert_cmpuint (back_to_back, >, 500);
  /* Every back-to-back pair of the worker tracks, and more on the cores. */
  g_assert_cmpuint (check_sums (path), >=, back_to_back);
  /* 3 + 2 worker tracks, 2 CPUs per run. */
  g_assert_cmpuint (g_hash_table_size (tracks), ==, 3 + 2 + 2 * 2);

  /* Times are CLOCK_MONOTONIC microseconds: the first span of the traced run's first worker. */
  {
    IlRunTrace *run = il_trace_get_run (trace, 1);
    const IlSpan *first = il_lane_get_span (il_run_trace_get_lane (run, 1), 0);
    g_autofree char *key = g_strdup_printf ("%d/%d", 3000, 3001);
    GArray *track = g_hash_table_lookup (tracks, key);

    /* The traced program keeps its real pid and tid. */
    g_assert_nonnull (track);
    if (first->state == IL_STATE_IDLE)
      first = il_lane_get_span (il_run_trace_get_lane (run, 1), 1);
    g_assert_cmpfloat (fabs (g_array_index (track, XEvent, 0).ts -
                             (il_run_trace_get_origin_ns (run) + first->start_ns) / 1000.0), <, 1e-3);
  }
}

/* Origins at the ends of the 64-bit range neither overflow nor produce invalid JSON. */
static void
test_export_extreme_origin (void)
{
  /* The ends of the range, around 0, and an uptime of 200 days (a coarser grid than 2^-10 µs). */
  const gint64 origins[] = { G_MAXINT64 - 2000000000, G_MININT64 + 1, -1, 0,
                             G_GINT64_CONSTANT (17280000000000000) };

  for (guint k = 0; k < G_N_ELEMENTS (origins); k++)
    {
      g_autoptr(IlTrace) trace = il_trace_new ();
      g_autoptr(IlRunTrace) run = make_run ("extreme", IL_EXECUTOR_THREADS, origins[k], 2, 50);
      g_autoptr(IlTrace) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *path = tmp_path ("extreme.json");
      g_autoptr(GHashTable) tracks = NULL;
      guint n_x;

      il_trace_set_machine (trace, 2, "", "");
      il_trace_add_run (trace, run);
      g_assert_true (il_trace_export_chrome (trace, path, &error));
      g_assert_no_error (error);
      /* The grid narrows so that the sums stay exact at any origin. */
      tracks = check_export (path, &n_x);
      g_assert_cmpuint (n_x, >, 0);
      g_assert_cmpuint (check_sums (path), >, 20);
      /* The exact nanoseconds come back whatever the doubles lost. */
      back = il_trace_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (il_run_trace_get_origin_ns (il_trace_get_run (back, 0)), ==, origins[k]);
      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        {
          const IlLane *la = il_run_trace_get_lane (run, w);
          const IlLane *lb = il_run_trace_get_lane (il_trace_get_run (back, 0), w);

          g_assert_cmpuint (il_lane_get_n_spans (la), ==, il_lane_get_n_spans (lb));
          for (guint i = 0; i < il_lane_get_n_spans (la); i++)
            g_assert_cmpmem (il_lane_get_span (la, i), sizeof (IlSpan),
                             il_lane_get_span (lb, i), sizeof (IlSpan));
        }
    }
}

/* ------------------------------------------------------------------------------------------------
 * Import of Interleave's own export */

static void
assert_same_trace (IlTrace *a, IlTrace *b)
{
  g_assert_cmpuint (il_trace_get_n_runs (a), ==, il_trace_get_n_runs (b));
  g_assert_cmpuint (il_trace_get_machine_cpus (a), ==, il_trace_get_machine_cpus (b));
  for (guint r = 0; r < il_trace_get_n_runs (a); r++)
    {
      IlRunTrace *ra = il_trace_get_run (a, r);
      IlRunTrace *rb = il_trace_get_run (b, r);

      g_assert_cmpstr (il_run_trace_get_label (ra), ==, il_run_trace_get_label (rb));
      g_assert_cmpint (il_run_trace_get_config (ra)->executor, ==, il_run_trace_get_config (rb)->executor);
      g_assert_cmpint (il_run_trace_get_origin_ns (ra), ==, il_run_trace_get_origin_ns (rb));
      g_assert_cmpint (il_run_trace_get_summary (ra)->cpu_ns, ==, il_run_trace_get_summary (rb)->cpu_ns);
      g_assert_cmpuint (il_run_trace_get_n_workers (ra), ==, il_run_trace_get_n_workers (rb));
      g_assert_cmpuint (il_run_trace_get_n_tasks (ra), ==, il_run_trace_get_n_tasks (rb));
      for (guint t = 0; t < il_run_trace_get_n_tasks (ra); t++)
        {
          IlTaskRecord *ta = il_run_trace_get_task (ra, t);
          IlTaskRecord *tb = il_run_trace_get_task (rb, t);

          g_assert_cmpint (ta->status, ==, tb->status);
          g_assert_cmpint (ta->start_ns, ==, tb->start_ns);
          g_assert_cmpstr (ta->name, ==, tb->name);
        }
      for (guint w = 0; w < il_run_trace_get_n_workers (ra); w++)
        {
          const IlLane *la = il_run_trace_get_lane (ra, w);
          const IlLane *lb = il_run_trace_get_lane (rb, w);

          g_assert_cmpstr (il_run_trace_get_worker (ra, w)->name, ==, il_run_trace_get_worker (rb, w)->name);
          g_assert_cmpint (il_run_trace_get_worker (ra, w)->tid, ==, il_run_trace_get_worker (rb, w)->tid);
          g_assert_cmpuint (il_lane_get_n_spans (la), ==, il_lane_get_n_spans (lb));
          for (guint i = 0; i < il_lane_get_n_spans (la); i++)
            g_assert_cmpmem (il_lane_get_span (la, i), sizeof (IlSpan),
                             il_lane_get_span (lb, i), sizeof (IlSpan));
        }
      /* The core lanes are back: the spans say which CPU ran what. */
      g_assert_true (il_run_trace_has_cpu_data (rb));
    }
}

static void
test_import_own (void)
{
  g_autoptr(IlTrace) trace = make_trace (G_GINT64_CONSTANT (605584958000000));
  g_autoptr(IlTrace) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("own.json");

  g_assert_true (il_trace_export_chrome (trace, path, &error));
  back = il_trace_load (path, &error);
  g_assert_no_error (error);
  assert_same_trace (trace, back);

  /* Exports before issue 18 had otherData first and the per-span numbers in "args" (a tool that
   * rewrites the file may do the same): still the same trace. */
  {
    g_autofree char *text = NULL;
    g_autofree char *other = NULL;
    g_autofree char *events = NULL;
    g_autofree char *moved = NULL;
    g_autoptr(IlTrace) again = NULL;
    g_autoptr(GString) old = NULL;
    const char *o;

    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    o = strstr (text, ",\"otherData\":");
    g_assert_nonnull (o);
    other = g_strndup (o + 1, strlen (o + 1) - 2);   /* without the closing "}\n" */
    events = g_strndup (text + 1, (gsize) (o - text - 1));
    moved = g_strconcat ("{", other, ",", events, "}", NULL);
    again = il_trace_load_from_data (moved, strlen (moved), "moved.json", &error);
    g_assert_no_error (error);
    assert_same_trace (trace, again);
    g_clear_pointer (&again, il_trace_unref);

    old = g_string_new (moved);
    g_assert_cmpuint (g_string_replace (old, "\"interleave\":{\"run\"", "\"args\":{\"run\"", 0), >, 1000);
    again = il_trace_load_from_data (old->str, old->len, "old.json", &error);
    g_assert_no_error (error);
    assert_same_trace (trace, again);
  }
}

/* ------------------------------------------------------------------------------------------------
 * Others' files */

static IlRunTrace *
load_one (const char *name, IlTrace **out)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  IlTrace *trace = il_trace_load (path, &error);
  IlRunTrace *run;

  g_assert_no_error (error);
  g_assert_nonnull (trace);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 1);
  run = il_trace_get_run (trace, 0);
  g_assert_cmpstr (il_run_trace_get_config (run)->source, ==, "chrome-trace");
  g_assert_cmpint (il_run_trace_get_config (run)->executor, ==, IL_EXECUTOR_EXTERNAL);
  /* No CPU in the file: no core lanes, no strip, rather than invented ones. */
  g_assert_false (il_run_trace_has_cpu_data (run));
  *out = trace;
  return run;
}

/* The first row of the @n-th thread: a thread's rows of nested slices follow its first. */
static guint
thread_row (IlRunTrace *run, guint n)
{
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    if (il_run_trace_get_worker (run, w)->depth == 0 && n-- == 0)
      return w;
  g_assert_not_reached ();
}

static guint
n_threads (IlRunTrace *run)
{
  guint n = 0;

  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    n += il_run_trace_get_worker (run, w)->depth == 0;
  return n;
}

/* The innermost slice open at @t_ns (ns from the run's start) in the @thread-th thread. */
static const char *
name_at (IlRunTrace *run, guint thread, gint64 t_ns)
{
  IlSpan stack[64];
  guint n = il_run_trace_get_stack (run, thread_row (run, thread), t_ns, stack, G_N_ELEMENTS (stack));

  if (n == 0 || stack[n - 1].task < 0)
    return NULL;
  return il_run_trace_get_task (run, (guint) stack[n - 1].task)->name;
}

static void
test_import_viztracer (void)
{
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run = load_one ("viztracer.json", &trace);

  /* Two threads of one process, named and ordered as the file says. */
  g_assert_cmpuint (n_threads (run), ==, 2);
  g_assert_cmpstr (il_run_trace_get_worker (run, thread_row (run, 0))->name, ==, "MainThread");
  g_assert_cmpstr (il_run_trace_get_worker (run, thread_row (run, 1))->name, ==, "Thread-1 (work)");
  g_assert_cmpint (il_run_trace_get_worker (run, thread_row (run, 1))->pid, ==, 48211);
  g_assert_cmpint (il_run_trace_get_worker (run, thread_row (run, 1))->tid, ==, 48230);
  /* Every slice is a task; the nested ones on rows of their own below their thread's. */
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 7);
  g_assert_cmpint (il_run_trace_get_origin_ns (run), ==, G_GINT64_CONSTANT (5872113402615));
  g_assert_cmpstr (name_at (run, 0, 1000), ==, "main (/home/lab/cpu_threads.py:20)");
  g_assert_cmpstr (name_at (run, 0, 100000), ==, "Thread.start (/usr/lib/python3.11/threading.py:945)");
  g_assert_cmpstr (name_at (run, 0, 223000), ==, "Thread.join (/usr/lib/python3.11/threading.py:1080)");
  g_assert_cmpstr (name_at (run, 0, 500000), ==, "lock.acquire");
  g_assert_cmpstr (name_at (run, 1, 97885 + 640125 - 1), ==, "sha256 (/home/lab/cpu_threads.py:12)");
  /* Nothing lost at the edges: the outer slice's whole length, to the nanosecond. */
  g_assert_cmpint (il_run_trace_get_end_ns (run), ==, 1480273);
}

static void
test_import_ray (void)
{
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run = load_one ("ray-timeline.json", &trace);

  /* A bare array, pids and tids as strings, epoch microseconds past what doubles hold in ns. */
  g_assert_cmpuint (n_threads (run), ==, 3);
  g_assert_cmpstr (il_run_trace_get_worker (run, thread_row (run, 0))->name, ==, "Worker ID: 2f3a91");
  g_assert_cmpstr (il_run_trace_get_worker (run, thread_row (run, 2))->name, ==, "Worker ID: 9d0e11");
  g_assert_cmpint (il_run_trace_get_worker (run, thread_row (run, 0))->pid, ==, il_run_trace_get_worker (run, thread_row (run, 1))->pid);
  g_assert_cmpint (il_run_trace_get_worker (run, thread_row (run, 0))->pid, !=, il_run_trace_get_worker (run, thread_row (run, 2))->pid);
  /* Lanes are grouped under their processes, named as the file names them. */
  g_assert_cmpuint (il_run_trace_get_n_processes (run), ==, 2);
  g_assert_cmpstr (il_run_trace_find_process (run, il_run_trace_get_worker (run, thread_row (run, 2))->pid)->name, ==,
                   "Node ID: 10.0.0.13");
  g_assert_cmpint (il_run_trace_get_origin_ns (run), ==, G_GINT64_CONSTANT (1700000000123456789));
  g_assert_cmpstr (name_at (run, 0, 10000), ==, "task:deserialize_arguments");
  g_assert_cmpstr (name_at (run, 0, 100000000), ==, "task:execute");
  g_assert_cmpstr (name_at (run, 0, 149950000), ==, "task::square");
  g_assert_cmpint (il_run_trace_get_end_ns (run), ==, 297643211);
}

static void
test_import_pytorch (void)
{
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run = load_one ("pytorch-profiler.json", &trace);

  /* Counters and flow events are not lanes; the instant makes no task. */
  g_assert_cmpuint (n_threads (run), ==, 2);
  g_assert_cmpstr (il_run_trace_get_worker (run, thread_row (run, 0))->name, ==, "thread 3101 (python3)");
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 5);
  g_assert_cmpstr (name_at (run, 0, 1000), ==, "aten::linear");
  g_assert_cmpstr (name_at (run, 0, 3000), ==, "aten::t");
  g_assert_cmpstr (name_at (run, 0, 50000), ==, "aten::addmm");
  g_assert_cmpstr (name_at (run, 0, 84000), ==, "aten::linear");
  g_assert_null (name_at (run, 0, 88000));
}

static void
test_import_perfetto (void)
{
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run = load_one ("perfetto.json", &trace);

  /* thread_sort_index -1 puts the io-worker first; B/E pairs nest; an unclosed B ends at its
   * thread's last event (itself here, so it draws nothing) and is pending, not stretched to the
   * trace's end. */
  g_assert_cmpuint (n_threads (run), ==, 2);
  g_assert_cmpstr (il_run_trace_get_worker (run, thread_row (run, 0))->name, ==, "io-worker");
  g_assert_cmpstr (il_run_trace_get_worker (run, thread_row (run, 1))->name, ==, "main");
  g_assert_cmpstr (name_at (run, 0, 100000), ==, "read_file");
  g_assert_cmpstr (name_at (run, 0, 500000), ==, "decompress");
  g_assert_cmpstr (name_at (run, 0, 850000), ==, "read_file");
  g_assert_null (name_at (run, 0, 2000000));
  {
    const IlTaskRecord *poll = NULL;

    for (guint i = 0; i < il_run_trace_get_n_tasks (run); i++)
      if (g_strcmp0 (il_run_trace_get_task (run, i)->name, "poll") == 0)
        poll = il_run_trace_get_task (run, i);
    g_assert_nonnull (poll);
    g_assert_cmpint (poll->start_ns, ==, 1908000);
    g_assert_cmpint (poll->end_ns, ==, 1908000);
    g_assert_cmpint (poll->status, ==, IL_TASK_PENDING);
  }
  g_assert_cmpstr (name_at (run, 1, 1000), ==, "frame");
  g_assert_cmpstr (name_at (run, 1, 2000), ==, "layout");
  g_assert_cmpint (il_run_trace_get_end_ns (run), ==, 2500000);
}

static void
test_import_bare_array (void)
{
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run = load_one ("bare-array.json", &trace);

  /* Cut off after a comma, with no closing bracket: the format allows it. */
  g_assert_cmpuint (n_threads (run), ==, 2);
  g_assert_cmpstr (name_at (run, 0, 999999), ==, "download");
  g_assert_cmpstr (name_at (run, 1, 250000), ==, "parse");
  g_assert_null (name_at (run, 1, 750000));

  /* Another tool's otherData after events with a trailing comma: the reader looks for an
   * Interleave header there first, and still reads the events as they are. */
  {
    const char *text = "{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":2,"
                       "\"ts\":1,\"dur\":2},],\"otherData\":{\"version\":\"x\"}}";
    g_autoptr(IlTrace) other = NULL;
    g_autoptr(GError) error = NULL;

    other = il_trace_load_from_data (text, strlen (text), "comma.json", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (il_run_trace_get_n_spans (il_trace_get_run (other, 0)), >=, 1);
    g_assert_cmpstr (name_at (il_trace_get_run (other, 0), 0, 1000), ==, "a");
  }
}

/* A saved import is a trace v1 file that keeps the slice names and where it came from. */
static void
test_import_save (void)
{
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(IlTrace) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("saved.interleave.json");
  IlRunTrace *run = load_one ("viztracer.json", &trace);
  IlRunTrace *again;

  g_assert_true (il_trace_save (trace, path, &error));
  back = il_trace_load (path, &error);
  g_assert_no_error (error);
  again = il_trace_get_run (back, 0);
  g_assert_cmpstr (il_run_trace_get_config (again)->source, ==, "chrome-trace");
  g_assert_cmpstr (name_at (again, 0, 500000), ==, "lock.acquire");
  g_assert_cmpuint (il_run_trace_get_n_spans (again), ==, il_run_trace_get_n_spans (run));
}

static void
assert_error (const char *text, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = il_trace_load_from_data (text, strlen (text), "bad.json", &error);

  g_assert_null (trace);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  if (strstr (error->message, expected) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, expected);
}

static void
test_import_errors (void)
{
  GString *deep = g_string_new ("{\"traceEvents\":[{\"ph\":\"X\",\"args\":");

  assert_error ("[{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":1},\n{\"ph\":\"X\",\"ts\":\"soon\"}]",
                "bad.json:2: expected a number");
  assert_error ("{\"traceEvents\":[\n{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"dur\":5}]}",
                "bad.json:2: a “X” event without “ts”");
  assert_error ("{\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":-5}]}",
                "bad.json:1: negative “dur”");
  assert_error ("{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"\\ud800\\u00\"}]}", "escape inside a string");
  assert_error ("{\"traceEvents\":[], \"displayTimeUnit\": \"s\"}", "“displayTimeUnit” must be");
  assert_error ("{\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1e400}]}", "bad.json:1: “ts” or “dur” is out of range");
  /* Cut off after the events (inside the events, it loads: test-chrome-import.c). */
  assert_error ("{\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\n\"tid\":1,\"ts\":1,\"dur\":1}],\"otherData\":{", "the file ends too early");
  assert_error ("[]", "no thread with events");
  assert_error ("{\"traceEvents\":[]} x", "text after the end");
  for (int i = 0; i < 100; i++)
    g_string_append (deep, "[");
  assert_error (deep->str, "nested more than 64 levels deep");
  g_string_free (deep, TRUE);
  /* An Interleave export whose events were edited to point nowhere. */
  {
    g_autoptr(IlTrace) trace = make_trace (1000);
    g_autoptr(GError) error = NULL;
    g_autofree char *path = tmp_path ("edited.json");
    g_autofree char *text = NULL;
    g_autofree char *edited = NULL;
    g_auto(GStrv) parts = NULL;

    g_assert_true (il_trace_export_chrome (trace, path, &error));
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    parts = g_strsplit (text, "\"run\":1,\"worker\":1", 2);
    edited = g_strjoinv ("\"run\":1,\"worker\":7", parts);
    assert_error (edited, "worker 7 does not exist (the run has 2 workers)");
  }
}

/* Every prefix of every sample file, and every one-byte change of it, loads or fails with an
 * IL_ERROR naming the file: no crash, no hang, no half-built trace (a deterministic slice of what
 * tests/fuzz/fuzz-chrome-import.c does at random). */
static void
check_mutant (const char *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = il_trace_load_from_data (data, len, "mutant.json", &error);

  if (trace == NULL)
    {
      g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "mutant.json"));
    }
  else
    g_assert_no_error (error);
}

static void
test_import_mutants (void)
{
  const char *const names[] = { "viztracer.json", "ray-timeline.json", "pytorch-profiler.json",
                                "perfetto.json", "bare-array.json" };
  const char swaps[] = { '"', '{', '[', ']', '9', '\\', '-', 'e', '\0', (char) 0xff };

  for (guint f = 0; f < G_N_ELEMENTS (names); f++)
    {
      g_autofree char *path = fixture (names[f]);
      g_autofree char *data = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      for (gsize n = 0; n <= len; n++)
        check_mutant (data, n);
      for (gsize i = 0; i < len; i++)
        {
          char keep = data[i];

          for (guint k = 0; k < G_N_ELEMENTS (swaps); k++)
            {
              data[i] = swaps[k];
              check_mutant (data, len);
            }
          data[i] = keep;
        }
    }
}

/* Trace v1 files still go to the trace v1 reader, whatever their first key; Chrome files to this one. */
static void
test_sniff (void)
{
  assert_error ("{\"format\": \"interleave-trace\", \"version\": 1}", "“machine” is missing");
  assert_error ("{\"machine\": {\"cpus\": 1}, \"runs\": [], \"format\": \"interleave-trace\"}",
                "“version” is missing");
  assert_error ("{\"otherData\": {}, \"traceEvents\": [{\"ph\": \"M\"}]}", "no thread with events");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = il_test_tmpdir_new ("il-test-chrome");

  g_test_add_func ("/chrome/export/exact", test_export_exact);
  g_test_add_func ("/chrome/export/extreme-origin", test_export_extreme_origin);
  g_test_add_func ("/chrome/import/own", test_import_own);
  g_test_add_func ("/chrome/import/viztracer", test_import_viztracer);
  g_test_add_func ("/chrome/import/ray", test_import_ray);
  g_test_add_func ("/chrome/import/pytorch", test_import_pytorch);
  g_test_add_func ("/chrome/import/perfetto", test_import_perfetto);
  g_test_add_func ("/chrome/import/bare-array", test_import_bare_array);
  g_test_add_func ("/chrome/import/save", test_import_save);
  g_test_add_func ("/chrome/import/errors", test_import_errors);
  g_test_add_func ("/chrome/import/mutants", test_import_mutants);
  g_test_add_func ("/chrome/sniff", test_sniff);

  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
