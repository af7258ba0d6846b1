/* bench-window.c: every shipped lesson through the real window and through interleave-cli, alternating, with the window's own CPU. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "il-application.h"
#include "il-clock.h"
#include "il-trace-io.h"
#include "il-window.h"
#include "il-test-util.h"
#include "il-test-window.h"

/* Usage: bench-window PATH/TO/interleave-cli
 * IL_BENCH_ROUNDS (default 5) runs of each side per lesson; IL_BENCH_LESSONS a comma list of
 * substrings choosing lessons (default: all); IL_BENCH_LIVE=0 skips the 64-worker live run;
 * IL_BENCH_CONTROL=1 puts the CLI in the window's place (the ratios then show the machine's own
 * run-to-run spread, and the window's figures are not measured). */

static IlApplication *app;
static IlWindow *window;
static GSettings *settings;

static gboolean
window_idle (gpointer data)
{
  return !il_window_get_busy (window);
}

/* The main thread's CPU by frame phase: update + layout, paint (snapshot + render), and the rest. */
static double phase_mark, phase_layout_s, phase_paint_s, phase_frames;

static void
on_before_paint (GdkFrameClock *clock)
{
  phase_mark = (il_clock_thread_cpu_ns () / 1e9);
  phase_frames++;
}

static void
on_layout (GdkFrameClock *clock)
{
  double now = (il_clock_thread_cpu_ns () / 1e9);

  phase_layout_s += now - phase_mark;
  phase_mark = now;
}

static void
on_after_paint (GdkFrameClock *clock)
{
  double now = (il_clock_thread_cpu_ns () / 1e9);

  phase_paint_s += now - phase_mark;
}

static double
timeval_s (struct timeval tv)
{
  return tv.tv_sec + tv.tv_usec / 1e6;
}

static double
rusage_s (int who)
{
  struct rusage ru;

  getrusage (who, &ru);
  return timeval_s (ru.ru_utime) + timeval_s (ru.ru_stime);
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_autoptr(GArray) copy = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < values->len; i++)
    if (!isnan (g_array_index (values, double, i)))
      g_array_append_val (copy, g_array_index (values, double, i));
  if (copy->len == 0)
    return NAN;
  g_array_sort (copy, cmp_double);
  if (copy->len % 2)
    return g_array_index (copy, double, copy->len / 2);
  return (g_array_index (copy, double, copy->len / 2 - 1) + g_array_index (copy, double, copy->len / 2)) / 2;
}

/* Beside each wall time: the run's time spent ready (waiting for a CPU) and the CPU time other
 * programs took, in seconds: where a slower run lost its time. Kept in arrays parallel to the
 * wall arrays, found by them. */
static GHashTable *extras; /* GArray of walls → GArray of double[2] (ready, other) */

static void
append_run (GPtrArray *walls, guint i, IlRunTrace *run)
{
  const IlSummary *sum = run != NULL ? il_run_trace_get_summary (run) : NULL;
  GArray *w = g_ptr_array_index (walls, i);
  GArray *x = g_hash_table_lookup (extras, w);
  double wall = sum != NULL ? sum->wall_ns / 1e9 : NAN;
  double more[2] = { sum != NULL ? sum->ready_ns / 1e9 : NAN, sum != NULL ? sum->other_ns / 1e9 : NAN };

  if (x == NULL)
    {
      x = g_array_new (FALSE, FALSE, sizeof more);
      g_hash_table_insert (extras, w, x);
    }
  g_array_append_val (w, wall);
  g_array_append_val (x, more);
}

/* The median of column @col of the extras kept beside @walls. */
static double
median_extra (GArray *walls, guint col)
{
  GArray *x = g_hash_table_lookup (extras, walls);
  g_autoptr(GArray) v = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint k = 0; x != NULL && k < x->len; k++)
    g_array_append_val (v, ((double *) x->data)[k * 2 + col]);
  return median (v);
}

/* Sets VmHWM back to the current RSS (Linux 4.0 and later), so a lesson's peak is its own. */
static void
reset_peak_rss (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");

  if (f != NULL)
    {
      fputs ("5", f);
      fclose (f);
    }
}

/* One lesson run by the CLI: each run's wall time in seconds, appended to @walls[i]. A round
 * whose trace cannot be read back is reported and left out (the medians then have fewer). */
static double
run_cli (const char *cli, const char *lesson, const char *out, GPtrArray *walls)
{
  double children0 = rusage_s (RUSAGE_CHILDREN), own = 0;
  const char *argv[] = { cli, "run", "--lesson", lesson, "--quiet", "-o", out, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  GPtrArray *runs;

  /* Descriptors left open: GLib then starts it with posix_spawn (a vfork), not fork. A fork of
   * this 130 MB process left its pages copy-on-write, and the window's next run paid a page
   * fault for each page it wrote first: counted as the window's CPU, which no user's window
   * pays (it starts its programs with posix_spawn too). */
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_LEAVE_DESCRIPTORS_OPEN,
                     NULL, NULL, NULL, &err, &status, &error) || !g_spawn_check_wait_status (status, &error))
    {
      fprintf (stderr, "interleave-cli failed on %s: %s\n%s", lesson, error->message, err ? err : "");
      exit (1);
    }
  if (!(trace = il_trace_load (out, &error)))
    {
      printf ("(a CLI round left out: its trace does not load back: %s)\n", error->message);
      for (guint i = 0; i < walls->len; i++)
        append_run (walls, i, NULL);
      return NAN;
    }
  runs = il_trace_get_runs (trace);
  /* The CLI's own CPU time: its and its children's (workers, traced programs) minus the runs'. */
  own = rusage_s (RUSAGE_CHILDREN) - children0;
  for (guint i = 0; i < runs->len; i++)
    own -= il_run_trace_get_summary (g_ptr_array_index (runs, i))->cpu_ns / 1e9;
  for (guint i = 0; i < runs->len && i < walls->len; i++)
    append_run (walls, i, g_ptr_array_index (runs, i));
  return own;
}

/* Workers that are threads of this process: their CPU is the run's, not the window's. Worker
 * processes and traced programs are other processes, outside RUSAGE_SELF already. */
static double
in_process_worker_cpu_s (GPtrArray *runs)
{
  double s = 0;

  for (guint i = 0; i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);
      IlExecutorKind executor = il_run_trace_get_config (run)->executor;

      if (executor == IL_EXECUTOR_SEQUENTIAL || executor == IL_EXECUTOR_THREADS ||
          executor == IL_EXECUTOR_ASYNC)
        s += il_run_trace_get_summary (run)->cpu_ns / 1e9;
    }
  return s;
}

static long
minor_faults (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

typedef struct
{
  double faults;       /* minor page faults of this process */
  double elapsed_s;    /* from Run to idle */
  double window_cpu_s; /* this process minus its worker threads' running time */
  double main_cpu_s;   /* the main thread alone (drawing, draining, layout) */
  double layout_s;     /* of which in frames' update and layout phases */
  double paint_s;      /* of which in frames' paint phase (snapshot and render) */
  double frames;
} WindowCost;

static gboolean
zoom_when_live (gpointer data)
{
  IlTimelineView *timeline = il_window_get_timeline (window);

  if (!il_timeline_view_get_live (timeline))
    return G_SOURCE_CONTINUE;
  /* Zoomed in on the newest time: the view follows it, scrolling. */
  il_timeline_view_zoom (timeline, 4);
  return G_SOURCE_REMOVE;
}

/* Runs what Run runs now (the lesson or the set-up) in the window; walls appended to @walls. */
static WindowCost
run_window (GPtrArray *walls)
{
  WindowCost cost;
  double self0 = rusage_s (RUSAGE_SELF), main0 = rusage_s (RUSAGE_THREAD);
  gint64 t0 = g_get_monotonic_time ();
  double layout0 = phase_layout_s, paint0 = phase_paint_s, frames0 = phase_frames;
  long faults0 = minor_faults ();
  GPtrArray *shown;

  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  il_test_wait_for (window_idle, NULL, 600, "the window's runs");
  cost.elapsed_s = (g_get_monotonic_time () - t0) / 1e6;
  cost.faults = minor_faults () - faults0;
  cost.main_cpu_s = rusage_s (RUSAGE_THREAD) - main0;
  cost.layout_s = phase_layout_s - layout0;
  cost.paint_s = phase_paint_s - paint0;
  cost.frames = phase_frames - frames0;
  shown = il_window_get_shown (window);
  cost.window_cpu_s = rusage_s (RUSAGE_SELF) - self0 - in_process_worker_cpu_s (shown);
  for (guint i = 0; walls != NULL && i < shown->len && i < walls->len; i++)
    append_run (walls, i, g_ptr_array_index (shown, i));
  return cost;
}

/* g_ptr_array_sort passes pointers to the elements. */
static int
cmp_path (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static gboolean
lesson_chosen (const char *name)
{
  const char *filter = g_getenv ("IL_BENCH_LESSONS");
  g_auto(GStrv) parts = NULL;

  if (filter == NULL || *filter == '\0')
    return TRUE;
  parts = g_strsplit (filter, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0' && strstr (name, parts[i]) != NULL)
      return TRUE;
  return FALSE;
}

static void
bench_lesson (const char *cli, const char *path, guint rounds, const char *out)
{
  gboolean control = g_strcmp0 (g_getenv ("IL_BENCH_CONTROL"), "1") == 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cli_walls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) win_walls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) main_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) share = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) layout = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) paint = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) faults = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cli_own = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *name = g_path_get_basename (path);
  IlLesson *lesson;
  guint n_runs;
  gint64 live_cpu0, live_wall0, live_cpu1, live_wall1;
  guint full0, strips0, full1, strips1, snapshots0;
  gint64 rss0;

  if (!il_window_open_lesson (window, path, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      exit (1);
    }
  lesson = il_window_get_lesson (window);
  n_runs = il_lesson_get_n_runs (lesson);
  for (guint i = 0; i < n_runs; i++)
    {
      g_ptr_array_add (cli_walls, g_array_new (FALSE, FALSE, sizeof (double)));
      g_ptr_array_add (win_walls, g_array_new (FALSE, FALSE, sizeof (double)));
    }

  rss0 = il_test_status_kib ("VmRSS:");
  reset_peak_rss ();
  il_window_get_live_cost (window, &live_cpu0, &live_wall0);
  il_timeline_view_get_paint_counts (il_window_get_timeline (window), &full0, &strips0);
  snapshots0 = il_timeline_view_get_n_frames (il_window_get_timeline (window));
  /* Alternating, so drift in the machine's load hits both sides alike. */
  for (guint k = 0; k < rounds; k++)
    {
      WindowCost cost;
      double s, own;
      /* Which side goes first alternates too (A B, B A, …): with the CLI always first, the CLI
       * against itself (IL_BENCH_CONTROL) made the second side 2-3.5 % slower on lesson 07. */
      gboolean window_first = k % 2 == 1;

      if (control)
        {
          /* The CLI against itself: how far apart two sides differ by chance on this machine. */
          own = run_cli (cli, path, out, window_first ? win_walls : cli_walls);
          g_array_append_val (cli_own, own);
          run_cli (cli, path, out, window_first ? cli_walls : win_walls);
          continue;
        }
      if (window_first)
        {
          cost = run_window (win_walls);
          il_test_window_settle (window);
        }
      own = run_cli (cli, path, out, cli_walls);
      g_array_append_val (cli_own, own);
      if (!window_first)
        cost = run_window (win_walls);
      s = cost.window_cpu_s / cost.elapsed_s;
      g_array_append_val (cpu, cost.window_cpu_s);
      g_array_append_val (main_cpu, cost.main_cpu_s);
      g_array_append_val (share, s);
      g_array_append_val (layout, cost.layout_s);
      g_array_append_val (paint, cost.paint_s);
      g_array_append_val (frames, cost.frames);
      g_array_append_val (faults, cost.faults);
      il_test_window_settle (window);
    }

  for (guint i = 0; i < n_runs; i++)
    {
      GArray *c = g_ptr_array_index (cli_walls, i), *w = g_ptr_array_index (win_walls, i);
      g_autofree char *title = il_run_config_get_title (il_lesson_get_run_config (lesson, i));
      double cm = median (c), wm = median (w), worst = 0;

      /* The worst pair of one round: the target is every run of every round. */
      for (guint k = 0; k < MIN (c->len, w->len); k++)
        if (!isnan (g_array_index (c, double, k)))
          worst = MAX (worst, g_array_index (w, double, k) / g_array_index (c, double, k));
      printf ("%-28s run %u %-28s cli_ms %7.1f  window_ms %7.1f  ratio %.3f  worst_round %.3f\n",
              name, i + 1, title, cm * 1e3, wm * 1e3, wm / cm, worst);
      printf ("%-28s run %u %-28s ready_ms cli %.1f window %.1f  other_programs_ms cli %.1f window %.1f\n",
              name, i + 1, "", median_extra (c, 0) * 1e3, median_extra (w, 0) * 1e3,
              median_extra (c, 1) * 1e3, median_extra (w, 1) * 1e3);
    }
  printf ("%-28s window_cpu_s %.3f (main thread %.3f)  window_cpu_share %.1f %% of one core\n",
          name, median (cpu), median (main_cpu), median (share) * 100);
  /* For scale: the CLI process's own CPU for the whole lesson (start-up, draining, the tracer). */
  printf ("%-28s cli_own_cpu_s %.3f\n", name, median (cli_own));
  printf ("%-28s main thread in frames: layout %.3f s, paint %.3f s, %.0f frames\n", name,
          median (layout), median (paint), median (frames));
  printf ("%-28s window minor page faults per round: %.0f\n", name, median (faults));
  /* From each run's start to its end only: what the window costs a run while it goes on. */
  il_window_get_live_cost (window, &live_cpu1, &live_wall1);
  il_timeline_view_get_paint_counts (il_window_get_timeline (window), &full1, &strips1);
  printf ("%-28s live paints per round: %.1f whole, %.1f strips\n", name,
          (double) (full1 - full0) / rounds, (double) (strips1 - strips0) / rounds);
  /* Live or at rest (a frame at rest paints the whole picture, uncached), the CLI's rounds too. */
  printf ("%-28s timeline snapshots per round: %.1f\n", name,
          (double) (il_timeline_view_get_n_frames (il_window_get_timeline (window)) - snapshots0) / rounds);
  printf ("%-28s window_cpu_share_while_running %.1f %% of one core\n", name,
          live_wall1 > live_wall0 ? 100.0 * (live_cpu1 - live_cpu0) / (live_wall1 - live_wall0) : 0.0);
  /* The window process (its tracer thread included) over all rounds of this lesson. */
  printf ("%-28s window_rss_mb before %.1f peak %.1f after %.1f\n", name, rss0 / 1024.0,
          il_test_status_kib ("VmHWM:") / 1024.0, il_test_status_kib ("VmRSS:") / 1024.0);
  fflush (stdout);
  /* The wall arrays go with this lesson; their addresses may come back for the next one. */
  for (guint i = 0; i < n_runs; i++)
    {
      g_hash_table_remove (extras, g_ptr_array_index (cli_walls, i));
      g_hash_table_remove (extras, g_ptr_array_index (win_walls, i));
    }
}

/* 64 CPU-bound workers on the machine's cores, drawn live: the window's CPU share while it draws,
 * fitting the run and zoomed in following its newest time. */
static void
bench_live_64 (void)
{
  WindowCost cost;

  il_test_window_set_run (settings, "threads", 64, 256, 25);
  g_action_group_activate_action (G_ACTION_GROUP (window), "close-lesson", NULL);
  il_test_window_settle (window);
  for (guint zoomed = 0; zoomed < 2; zoomed++)
    {
      const char *name = zoomed ? "live_64_workers_zoomed" : "live_64_workers";
      guint id = zoomed ? g_timeout_add (20, zoom_when_live, NULL) : 0;

      cost = run_window (NULL);
      if (id != 0 && il_timeline_view_get_following (il_window_get_timeline (window)) == FALSE)
        printf ("%s: (not following)\n", name);
      printf ("%s_elapsed_s: %.3f\n", name, cost.elapsed_s);
      printf ("%s_window_cpu_s: %.3f\n", name, cost.window_cpu_s);
      printf ("%s_main_thread_cpu_s: %.3f\n", name, cost.main_cpu_s);
      printf ("%s_window_cpu_share: %.1f %% of one core\n", name,
              cost.window_cpu_s / cost.elapsed_s * 100);
      {
        gint64 c, w;
        il_window_get_live_cost (window, &c, &w);
        printf ("%s_window_cpu_share_while_running (session so far): %.1f %% of one core\n", name,
                w > 0 ? 100.0 * c / w : 0.0);
      }
      fflush (stdout);
      il_test_window_settle (window);
    }

}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  GTestDBus *bus = NULL;   /* not unreffed: finalizing it would wait for the app's connection */
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) lessons = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *tmpdir = NULL;
  g_autofree char *out = NULL;
  const char *lessons_dir = g_getenv ("IL_LESSONS_DIR");
  const char *rounds_env = g_getenv ("IL_BENCH_ROUNDS");
  guint rounds = rounds_env != NULL ? (guint) atoi (rounds_env) : 5;
  const char *name;

  if (argc != 2 || lessons_dir == NULL)
    {
      fprintf (stderr, "usage: IL_LESSONS_DIR=… %s PATH/TO/interleave-cli\n", argv[0]);
      return 2;
    }
  extras = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
  gtk_init ();
  if (gdk_display_get_default () == NULL)
    {
      printf ("skipped: no display\n");
      return 77;
    }
  /* The application registers on a session bus: a private one, like the ui tests. */
  bus = il_test_dbus_up ();
  tmpdir = il_test_tmpdir_new ("interleave-bench");
  out = g_build_filename (tmpdir, "cli.interleave.json", NULL);
  settings = g_settings_new (APP_ID);
  /* One run per configuration on both sides: the comparison is of single runs. */
  if (g_settings_schema_has_key (g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                                                  APP_ID, TRUE), "lesson-repeat"))
    g_settings_set_uint (settings, "lesson-repeat", 1);

  window = il_test_window_open (&app);
  il_test_window_settle (window);
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));

    g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), NULL);
    g_signal_connect (clock, "layout", G_CALLBACK (on_layout), NULL);
    g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  }

  dir = g_dir_open (lessons_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".lesson") && lesson_chosen (name))
      g_ptr_array_add (lessons, g_build_filename (lessons_dir, name, NULL));
  g_ptr_array_sort (lessons, cmp_path);

  printf ("cpus: %u  rounds: %u\n", g_get_num_processors (), rounds);
  il_test_print_load ("load_before");
  for (guint i = 0; i < lessons->len; i++)
    bench_lesson (argv[1], g_ptr_array_index (lessons, i), rounds, out);
  if (g_strcmp0 (g_getenv ("IL_BENCH_LIVE"), "0") != 0)
    bench_live_64 ();
  il_test_print_load ("load_after");

  il_test_remove_tree (tmpdir);
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&settings);
  g_clear_object (&app);
  g_test_dbus_stop (bus);
  return 0;
}
