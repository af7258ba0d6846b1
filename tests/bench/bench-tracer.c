/* bench-tracer.c: the program tracer's own cost on the Python lessons: peak memory and CPU of the process that traces. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "il-lesson.h"
#include "il-run.h"
#include "il-test-util.h"

/* Usage: bench-tracer (IL_LESSONS_DIR set)
 * Each Python lesson (08, 09, 10; IL_BENCH_LESSONS a comma list of substrings chooses others)
 * runs IL_BENCH_ROUNDS times (default 3), each round in a fresh process of this program
 * (`--measure FILE`), which runs the lesson's programs one after the other through il_run_sync,
 * as the CLI does, and prints its own peak resident memory (VmHWM), what it had before the first
 * run, and its own CPU time (all its threads: the tracer, the /proc/stat sampler, draining). The
 * traced programs and the watcher are other processes, in neither figure. Medians are printed per
 * lesson with the load average beside them. Nothing is asserted. */

static double
self_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* In a fresh process: prints "figures: BEFORE_KIB PEAK_KIB CPU_S WALL_S" (after whatever the
 * traced programs printed on the stdout they share with us). */
static int
measure (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlLesson) lesson = il_lesson_new_from_file (path, &error);
  gint64 before, t0;
  double cpu0;

  if (lesson == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  before = il_test_status_kib ("VmRSS:");
  cpu0 = self_cpu_s ();
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
    {
      g_autoptr(IlRunTrace) trace = il_run_sync (il_lesson_get_run_config (lesson, i), NULL, &error);

      if (trace == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
    }
  printf ("figures: %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %.3f %.3f\n", before, il_test_status_kib ("VmHWM:"),
          self_cpu_s () - cpu0, (g_get_monotonic_time () - t0) / 1e6);
  return 0;
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
  if (values->len == 0)
    return NAN;
  g_array_sort (values, cmp_double);
  if (values->len % 2)
    return g_array_index (values, double, values->len / 2);
  return (g_array_index (values, double, values->len / 2 - 1) +
          g_array_index (values, double, values->len / 2)) / 2;
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
  g_auto(GStrv) parts = g_strsplit (filter != NULL && *filter != '\0' ? filter : "08-,09-,10-", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0' && strstr (name, parts[i]) != NULL)
      return TRUE;
  return FALSE;
}

static void
bench_lesson (const char *self, const char *path, guint rounds)
{
  g_autoptr(GArray) before = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) peak = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) share = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *name = g_path_get_basename (path);
  double max_peak = 0;

  for (guint k = 0; k < rounds; k++)
    {
      const char *argv[] = { self, "--measure", path, NULL };
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      gint64 b = 0, p = 0;
      double c = 0, w = 0;
      const char *at;
      int status = 0;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                         NULL, &status, &error) || !g_spawn_check_wait_status (status, &error) ||
          (at = strstr (out, "figures: ")) == NULL ||
          sscanf (at, "figures: %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %lf %lf", &b, &p, &c, &w) != 4)
        {
          printf ("(%s: a round left out: %s)\n", name, error != NULL ? error->message : "no figures");
          continue;
        }
      g_array_append_val (before, (double) { b / 1024.0 });
      g_array_append_val (peak, (double) { p / 1024.0 });
      g_array_append_val (cpu, c);
      g_array_append_val (share, (double) { w > 0 ? 100 * c / w : 0 });
      max_peak = MAX (max_peak, p / 1024.0);
    }
  printf ("%-38s tracer_peak_rss_mb median %.1f max %.1f (at start %.1f)  rounds %u\n", name,
          median (peak), max_peak, median (before), peak->len);
  printf ("%-38s tracer_process_cpu_s %.3f  cpu_share %.1f %% of one core\n", name, median (cpu),
          median (share));
  il_test_print_load ("load_now");
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  const char *lessons_dir = g_getenv ("IL_LESSONS_DIR");
  const char *rounds_env = g_getenv ("IL_BENCH_ROUNDS");
  guint rounds = rounds_env != NULL ? (guint) atoi (rounds_env) : 3;
  g_autoptr(GPtrArray) lessons = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  const char *name;

  if (argc == 3 && strcmp (argv[1], "--measure") == 0)
    return measure (argv[2]);
  if (lessons_dir == NULL || (dir = g_dir_open (lessons_dir, 0, &error)) == NULL)
    {
      fprintf (stderr, "usage: IL_LESSONS_DIR=… %s\n", argv[0]);
      return 2;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".lesson") && lesson_chosen (name))
      g_ptr_array_add (lessons, g_build_filename (lessons_dir, name, NULL));
  g_ptr_array_sort (lessons, cmp_path);

  printf ("rounds: %u (each a fresh process; medians)\n", rounds);
  il_test_print_load ("load_before");
  for (guint i = 0; i < lessons->len; i++)
    bench_lesson (self, g_ptr_array_index (lessons, i), rounds);
  return 0;
}
