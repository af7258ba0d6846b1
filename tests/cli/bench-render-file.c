/* bench-render-file.c: a 1 M-span trace file: save and load times, and `interleave-cli render` to PNG as a whole process. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "il-clock.h"
#include "il-trace-io.h"

#define N_WORKERS 16
#define SPANS_PER_WORKER 62500   /* 16 × 62 500 = 1 M spans */

/* A 16-worker run whose lanes alternate running (on either CPU), ready, gil-wait and io-wait. */
static IlTrace *
make_trace (void)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlRunTrace) run = NULL;
  IlTrace *trace = il_trace_new ();

  config->workers = N_WORKERS;
  config->tasks = 1000;
  run = il_run_trace_new (config);
  il_run_trace_set_n_cpus (run, 2);
  for (int w = 0; w < N_WORKERS; w++)
    il_run_trace_add_worker (run, IL_WORKER_THREAD, 4242, 4300 + w, "worker");
  il_run_trace_set_n_tasks (run, 1000);
  for (int w = 0; w < N_WORKERS; w++)
    {
      gint64 t = 0;

      for (int i = 0; i < SPANS_PER_WORKER; i++)
        {
          IlSpan s = { 0 };

          s.worker = (guint16) w;
          s.state = (guint32) (i % 4);
          s.cpu = s.state == IL_STATE_RUNNING ? (gint16) ((i / 4 + w) % 2) : -1;
          s.task = (i / 8) % 1000;
          s.start_ns = t;
          s.end_ns = t + 10000 + (i * 7919) % 20000;
          t = s.end_ns;
          il_run_trace_append (run, &s);
        }
    }
  il_run_trace_compute_summary (run);
  il_trace_set_machine (trace, 2, "bench", "bench");
  il_trace_add_run (trace, run);
  return trace;
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("bench-render-file-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "1m.interleave.json", NULL);
  g_autofree char *png = g_build_filename (dir, "1m.png", NULL);
  g_autoptr(IlTrace) trace = make_trace ();
  g_autoptr(IlTrace) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const char *cli = argc > 1 ? argv[1] : NULL;
  struct stat st;
  gint64 t0;

  t0 = il_clock_now_ns ();
  if (!il_trace_save (trace, path, &error))
    g_error ("%s", error->message);
  g_print ("save_1m_ms: %.1f\n", (il_clock_now_ns () - t0) / 1e6);
  g_stat (path, &st);
  g_print ("file_1m_mb: %.1f\n", st.st_size / 1e6);

  t0 = il_clock_now_ns ();
  loaded = il_trace_load (path, &error);
  if (loaded == NULL)
    g_error ("%s", error->message);
  g_print ("load_1m_ms: %.1f\n", (il_clock_now_ns () - t0) / 1e6);
  g_print ("load_1m_spans: %" G_GUINT64_FORMAT "\n",
           il_run_trace_get_n_spans (il_trace_get_run (loaded, 0)));

  if (cli != NULL)
    {
      /* The figure of issue 3: the whole process, start to PNG written, with its peak memory. */
      const char *child_argv[] = { cli, "render", path, "--png", png, "--quiet", NULL };
      struct rusage usage;
      GPid pid;
      int status;

      t0 = il_clock_now_ns ();
      if (!g_spawn_async (NULL, (char **) child_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                          &pid, &error))
        g_error ("%s", error->message);
      if (wait4 (pid, &status, 0, &usage) != pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
        g_error ("interleave-cli render failed");
      g_print ("render_1m_png_s: %.3f\n", (il_clock_now_ns () - t0) / 1e9);
      g_print ("render_1m_max_rss_mb: %.1f\n", usage.ru_maxrss / 1024.0);
      g_spawn_close_pid (pid);
      g_unlink (png);
    }

  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
