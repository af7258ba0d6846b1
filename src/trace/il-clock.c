/* il-clock.c: CPU ids, CPU sets and affinity, thread CPU time, durations as text. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-types.h"

static gint64
clock_ns (clockid_t id)
{
  struct timespec ts;
  clock_gettime (id, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

gint64
il_clock_thread_cpu_ns (void)
{
  return clock_ns (CLOCK_THREAD_CPUTIME_ID);
}

gint64
il_clock_process_cpu_ns (void)
{
  return clock_ns (CLOCK_PROCESS_CPUTIME_ID);
}

int
il_cpu_current (void)
{
  return sched_getcpu ();
}

guint
il_cpu_count (void)
{
  long n = sysconf (_SC_NPROCESSORS_CONF);
  return n > 0 ? (guint) n : 1;
}

int
il_gettid (void)
{
  return (int) syscall (SYS_gettid);
}

static gint
compare_int (gconstpointer a, gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

static gboolean
parse_cpu (const char *str, int *out, GError **error)
{
  guint64 v;
  g_autoptr(GError) local = NULL;

  if (!g_ascii_string_to_unsigned (str, 10, 0, CPU_SETSIZE - 1, &v, &local))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("“%s” is not a CPU number (expected 0 to %u)"), str, il_cpu_count () - 1);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

GArray *
il_cpu_set_parse (const char *str, GError **error)
{
  g_autoptr(GArray) cpus = g_array_new (FALSE, FALSE, sizeof (int));
  g_auto(GStrv) parts = NULL;
  guint n_cpus = il_cpu_count ();

  if (str == NULL || *str == '\0')
    return g_steal_pointer (&cpus);

  parts = g_strsplit (str, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *part = g_strstrip (g_strdup (parts[i]));
      char *dash = strchr (part, '-');
      int lo, hi;

      if (dash != NULL)
        {
          *dash = '\0';
          if (!parse_cpu (part, &lo, error) || !parse_cpu (dash + 1, &hi, error))
            return NULL;
        }
      else
        {
          if (!parse_cpu (part, &lo, error))
            return NULL;
          hi = lo;
        }
      if (hi < lo)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("CPU range “%s” runs backwards"), parts[i]);
          return NULL;
        }
      for (int c = lo; c <= hi; c++)
        {
          if ((guint) c >= n_cpus)
            {
              g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                           _("CPU %d does not exist: this machine has CPUs 0 to %u"), c, n_cpus - 1);
              return NULL;
            }
          gboolean seen = FALSE;
          for (guint k = 0; k < cpus->len; k++)
            seen |= g_array_index (cpus, int, k) == c;
          if (!seen)
            g_array_append_val (cpus, c);
        }
    }
  g_array_sort (cpus, compare_int);
  return g_steal_pointer (&cpus);
}

char *
il_cpu_set_to_string (GArray *cpus)
{
  GString *s = g_string_new (NULL);

  if (cpus == NULL || cpus->len == 0)
    return g_string_free (s, FALSE);

  for (guint i = 0; i < cpus->len;)
    {
      int lo = g_array_index (cpus, int, i);
      guint j = i;
      while (j + 1 < cpus->len && g_array_index (cpus, int, j + 1) == g_array_index (cpus, int, j) + 1)
        j++;
      if (s->len > 0)
        g_string_append_c (s, ',');
      if (j > i)
        g_string_append_printf (s, "%d-%d", lo, g_array_index (cpus, int, j));
      else
        g_string_append_printf (s, "%d", lo);
      i = j + 1;
    }
  return g_string_free (s, FALSE);
}

gboolean
il_cpu_set_apply (GArray *cpus, int tid, GError **error)
{
  cpu_set_t set;

  if (cpus == NULL || cpus->len == 0)
    return TRUE;

  CPU_ZERO (&set);
  for (guint i = 0; i < cpus->len; i++)
    CPU_SET (g_array_index (cpus, int, i), &set);

  if (sched_setaffinity (tid, sizeof set, &set) != 0)
    {
      int errsv = errno;
      g_autofree char *str = il_cpu_set_to_string (cpus);
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED,
                   _("Could not pin to CPUs %s: %s"), str, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* The units of IL_DURATION_SIGNIFICANT, smallest first. */
static const struct
{
  double      ns;
  const char *name;
} duration_units[] = { { 1.0, "ns" }, { 1e3, "µs" }, { 1e6, "ms" }, { 1e9, "s" } };

char *
il_clock_format_duration (gint64 ns, IlDurationStyle style)
{
  double a = fabs ((double) ns);
  guint u = G_N_ELEMENTS (duration_units) - 1;
  double v;
  int decimals;

  switch (style)
    {
    case IL_DURATION_FIXED:
      if (a >= 1e9)
        return g_strdup_printf ("%.2f s", ns / 1e9);
      if (a >= 1e6 || ns == 0)
        return g_strdup_printf ("%.1f ms", ns / 1e6);
      return g_strdup_printf ("%.0f µs", ns / 1e3);
    case IL_DURATION_COARSE:
      if (ns < G_GINT64_CONSTANT (1000000000))
        /* TRANSLATORS: a duration in milliseconds, "120 ms" */
        return g_strdup_printf (_("%.0f ms"), (double) ns / 1e6);
      /* TRANSLATORS: a duration in seconds, "1.25 s" */
      return g_strdup_printf (_("%.2f s"), (double) ns / 1e9);
    case IL_DURATION_SIGNIFICANT:
    default:
      break;
    }

  if (ns == 0)
    return g_strdup ("0 s");
  /* The largest unit the magnitude reaches, ns below a microsecond. */
  while (u > 0 && a < duration_units[u].ns)
    u--;
  v = (double) ns / duration_units[u].ns;
  /* Three significant digits; nanoseconds are whole. */
  decimals = fabs (v) >= 100 ? 0 : fabs (v) >= 10 ? 1 : 2;
  if (u == 0)
    decimals = 0;
  return g_strdup_printf ("%.*f %s", decimals, v, duration_units[u].name);
}
