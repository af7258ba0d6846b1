/* bench-load: how fast trace files load and how much memory loading takes at its peak, per span and per task (1 M and 10 M spans, 1 M tasks). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "il-trace-io.h"
#include "il-test-util.h"

/* Writes a trace v1 file as Interleave writes it: @n_workers lanes of @n_spans spans in all and
 * @n_tasks tasks, with the text laid out like il_trace_save()'s. */
static void
generate (const char *path, guint n_workers, guint64 n_spans, guint n_tasks)
{
  FILE *f = fopen (path, "w");
  guint64 per_worker = n_spans / n_workers;

  g_assert_nonnull (f);
  fprintf (f, "{\n \"format\" : \"interleave-trace\",\n \"version\" : 1,\n"
              " \"machine\" : {\n  \"cpus\" : 2,\n  \"kernel\" : \"6.1.0\",\n  \"hostname\" : \"bench\"\n },\n"
              " \"runs\" : [\n{\n \"label\" : \"bench\",\n"
              " \"config\" : {\n  \"executor\" : \"threads\",\n  \"gil\" : false,\n"
              "  \"switch_interval_ms\" : 5.0,\n  \"workers\" : %u,\n  \"cpus\" : [],\n"
              "  \"workload\" : \"cpu\",\n  \"tasks\" : %u,\n  \"task_ms\" : 1.0\n },\n"
              " \"capture\" : \"self\",\n \"cancelled\" : false,\n"
              " \"clock\" : {\n  \"id\" : \"CLOCK_MONOTONIC\",\n  \"origin_ns\" : 1000\n },\n"
              " \"summary\" : {\n  \"wall_ns\" : %" G_GUINT64_FORMAT ",\n  \"cpu_ns\" : 1,\n"
              "  \"avg_parallelism\" : 1.0,\n  \"max_parallelism\" : 1,\n  \"gil_wait_ns\" : 0,\n"
              "  \"io_wait_ns\" : 0,\n  \"ready_ns\" : 0,\n  \"speedup\" : null\n },\n"
              " \"workers\" : [",
           n_workers, MIN (n_tasks, 100000), per_worker * 1000);
  for (guint w = 0; w < n_workers; w++)
    fprintf (f, "%s\n  {\n   \"id\" : %u,\n   \"kind\" : \"thread\",\n   \"pid\" : 100,\n"
                "   \"tid\" : %u,\n   \"name\" : \"worker %u\"\n  }", w ? "," : "", w, 100 + w, w);
  fprintf (f, "\n ],\n \"tasks\" : [");
  for (guint t = 0; t < n_tasks; t++)
    fprintf (f, "%s\n  {\n   \"id\" : %u,\n   \"worker\" : %u,\n   \"start_ns\" : %u,\n"
                "   \"end_ns\" : %u,\n   \"status\" : \"ok\"\n  }",
             t ? "," : "", t, t % n_workers, t * 10, t * 10 + 5);
  fprintf (f, "\n ],\n \"spans_columns\" : [\n  \"worker\",\n  \"state\",\n  \"cpu\",\n  \"task\",\n"
              "  \"start_ns\",\n  \"end_ns\"\n ],\n \"spans\" : [");
  for (guint w = 0; w < n_workers; w++)
    for (guint64 i = 0; i < per_worker; i++)
      {
        gboolean running = i % 2 == 0;

        fprintf (f, "%s\n  [%u, \"%s\", %d, %d, %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "]",
                 w == 0 && i == 0 ? "" : ",", w, running ? "running" : "io-wait",
                 running ? (int) (w % 2) : -1, n_tasks > 0 ? (int) (i % n_tasks) : -1, i * 1000,
                 i * 1000 + 900);
      }
  fprintf (f, "\n ]\n}\n ]\n}\n");
  g_assert_cmpint (fclose (f), ==, 0);
}

/* In a fresh process, so the peak is this load's alone: prints one line of figures. */
static int
measure (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  gint64 before, peak, after, t0, t1;
  guint64 n_spans = 0, n_tasks = 0;
  FILE *f;

  before = il_test_status_kib ("VmRSS:");
  /* Resets VmHWM to the current RSS (Linux 4.0 and later). */
  if ((f = fopen ("/proc/self/clear_refs", "w")) != NULL)
    {
      fputs ("5", f);
      fclose (f);
    }
  t0 = g_get_monotonic_time ();
  trace = il_trace_load (path, &error);
  t1 = g_get_monotonic_time ();
  g_assert_no_error (error);
  peak = il_test_status_kib ("VmHWM:");
  after = il_test_status_kib ("VmRSS:");
  for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
    {
      n_spans += il_run_trace_get_n_spans (il_trace_get_run (trace, r));
      n_tasks += il_run_trace_get_n_tasks (il_trace_get_run (trace, r));
    }
  printf ("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
          " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
          n_spans, n_tasks, t1 - t0, before, peak, after);
  return 0;
}

static void
bench (const char *self, const char *dir, const char *name, guint n_workers, guint64 n_spans,
       guint n_tasks)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  const char *argv[] = { self, "--measure", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  guint64 spans = 0, tasks = 0;
  gint64 us = 0, before = 0, peak = 0, after = 0;
  int status = 0;
  GStatBuf st;
  double own, grown, items;

  generate (path, n_workers, n_spans, n_tasks);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpint (sscanf (out, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT
                                " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
                           &spans, &tasks, &us, &before, &peak, &after), ==, 6);
  g_assert_cmpuint (spans, ==, n_spans);
  g_assert_cmpuint (tasks, ==, n_tasks);

  own = (after - before) * 1024.0;      /* what the loaded trace keeps */
  grown = (peak - before) * 1024.0;     /* the most loading took at once */
  items = (double) (n_tasks > 0 && n_spans < n_tasks ? n_tasks : n_spans);
  printf ("%s file: %.1f MB\n", name, st.st_size / 1e6);
  printf ("%s load time: %.3f s (%.1f ns per %s)\n", name, us / 1e6, us * 1e3 / items,
          n_spans >= n_tasks ? "span" : "task");
  printf ("%s peak RSS while loading: %.1f MB (%.1f bytes per %s)\n", name, grown / 1e6,
          grown / items, n_spans >= n_tasks ? "span" : "task");
  printf ("%s loaded trace: %.1f MB (%.1f bytes per %s)\n", name, own / 1e6, own / items,
          n_spans >= n_tasks ? "span" : "task");
  printf ("%s peak / loaded: %.2f\n", name, grown / MAX (own, 1.0));
  g_unlink (path);
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = NULL;
  gboolean quick = g_getenv ("IL_BENCH_QUICK") != NULL;

  if (argc == 3 && strcmp (argv[1], "--measure") == 0)
    return measure (argv[2]);

  dir = g_dir_make_tmp ("bench-load-XXXXXX", NULL);
  g_assert_nonnull (dir);
  bench (argv[0], dir, "1M-spans", 8, 1000000, 1000);
  bench (argv[0], dir, "1M-tasks", 8, 1000, 1000000);
  if (!quick)
    bench (argv[0], dir, "10M-spans", 8, 10000000, 1000);
  g_rmdir (dir);
  return 0;
}
