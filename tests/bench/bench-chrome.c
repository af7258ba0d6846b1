/* bench-chrome.c: Chrome Trace Event export and import of large traces: times, rates and peak memory. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "il-trace-io.h"

#define N_THREADS 8
#define PAIRS_PER_THREAD 125000   /* 8 × 125 000 parents, each with a child: 2 M slices */

/* Peak resident memory of this process so far, in MB (VmHWM). */
static double
peak_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

/* A VizTracer-style file: per thread, function calls with one nested call each. */
static void
write_foreign (const char *path)
{
  g_autoptr(GString) s = g_string_sized_new (256 * 1024 * 1024);
  g_autoptr(GError) error = NULL;

  g_string_append (s, "{\"traceEvents\":[\n");
  for (int t = 0; t < N_THREADS; t++)
    {
      double ts = 5872113402.615;

      g_string_append_printf (s, "{\"ph\":\"M\",\"pid\":4800,\"tid\":%d,\"name\":\"thread_name\","
                              "\"args\":{\"name\":\"Thread-%d\"}},\n", 4800 + t, t);
      for (int i = 0; i < PAIRS_PER_THREAD; i++)
        {
          double dur = 20 + (i * 7919) % 180;

          g_string_append_printf (s, "{\"pid\":4800,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,"
                                  "\"name\":\"work_%d (/home/lab/script.py:%d)\",\"ph\":\"X\",\"cat\":\"FEE\"},\n",
                                  4800 + t, ts, dur, i % 500, i % 500);
          g_string_append_printf (s, "{\"pid\":4800,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,"
                                  "\"name\":\"hash (/home/lab/script.py:3)\",\"ph\":\"X\",\"cat\":\"FEE\"},\n",
                                  4800 + t, ts + 1, dur / 3);
          ts += dur + 0.5;
        }
    }
  g_string_truncate (s, s->len - 2);
  g_string_append (s, "\n],\"displayTimeUnit\":\"ns\"}\n");
  if (!g_file_set_contents (path, s->str, (gssize) s->len, &error))
    g_error ("%s", error->message);
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("bench-chrome-XXXXXX", NULL);
  g_autofree char *foreign = g_build_filename (dir, "viztracer.json", NULL);
  g_autofree char *own = g_build_filename (dir, "own.chrome.json", NULL);
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(IlTrace) back = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  gint64 t0, t1;
  double mb;

  write_foreign (foreign);
  g_stat (foreign, &st);
  mb = st.st_size / 1e6;

  t0 = g_get_monotonic_time ();
  trace = il_trace_load (foreign, &error);
  t1 = g_get_monotonic_time ();
  if (trace == NULL)
    g_error ("%s", error->message);
  g_print ("import-foreign-mb: %.1f\n", mb);
  g_print ("import-foreign-slices: %u\n", il_run_trace_get_n_tasks (il_trace_get_run (trace, 0)));
  g_print ("import-foreign-s: %.3f\n", (t1 - t0) / 1e6);
  g_print ("import-foreign-mb-per-s: %.1f\n", mb / ((t1 - t0) / 1e6));
  g_print ("import-foreign-peak-rss-mb: %.0f\n", peak_mb ());

  t0 = g_get_monotonic_time ();
  if (!il_trace_export_chrome (trace, own, &error))
    g_error ("%s", error->message);
  t1 = g_get_monotonic_time ();
  g_stat (own, &st);
  g_print ("export-spans: %" G_GUINT64_FORMAT "\n", il_run_trace_get_n_spans (il_trace_get_run (trace, 0)));
  g_print ("export-s: %.3f\n", (t1 - t0) / 1e6);
  g_print ("export-mb: %.1f\n", st.st_size / 1e6);

  g_clear_pointer (&trace, il_trace_unref);
  t0 = g_get_monotonic_time ();
  back = il_trace_load (own, &error);
  t1 = g_get_monotonic_time ();
  if (back == NULL)
    g_error ("%s", error->message);
  g_print ("reimport-own-s: %.3f\n", (t1 - t0) / 1e6);
  g_print ("reimport-own-mb-per-s: %.1f\n", st.st_size / 1e6 / ((t1 - t0) / 1e6));
  g_print ("peak-rss-mb: %.0f\n", peak_mb ());

  g_unlink (foreign);
  g_unlink (own);
  g_rmdir (dir);
  return 0;
}
