/* bench-pystack.c: what sampling Python stacks costs the traced program, measured in many interleaved pairs with and without, and the sampler's own CPU. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 20 item 5 (goal: at most 2 % slower). Three CPU-bound pure-Python programs, run by the
 * real python3 (Debian's /usr/bin/python3 where there is one) through `interleave-cli trace -q`
 * (the capture it picks by itself, as a user gets it): four threads under the GIL, one thread
 * alone, and a multiprocessing pool of one process per CPU (fork). Each is traced in PAIRS pairs,
 * once with stacks (the default) and once without (IL_NO_STACKS=1: the sampler then reads the
 * thread states and names only), the order alternating pair by pair (ABBA: a drift of the
 * machine's load falls on both sides alike), the three programs interleaved within each pair. Each
 * run is timed by the program on its own clock: its wall time around the work (time.perf_counter,
 * the interpreter's start-up left out) and its CPU time (getrusage of itself and its waited-for
 * children, so the pool's workers count). Per program: the median of the pairs' ratios (with /
 * without) for wall and CPU, their interquartile range and a bootstrap 90 % interval of the median
 * (2000 resamples of the pairs); and the sampler's own CPU time (IL_DEBUG_STACKS=1, the tracer's
 * thread CPU clock around each round) per second of the program's wall time, with stacks and
 * without: a direct bound of what it can take from a program on a fully busy machine; and that
 * bound: the CPU ratio's upper end plus the sampler's CPU with stacks beyond without. The load
 * average before and after. IL_BENCH_ROUNDS=N: N pairs (default 30, about 2-3 minutes on 2 CPUs);
 * asserts nothing. Args: interleave-cli.
 *
 * Measured on the 2-core VM shared with other builds (load average 2-8), three runs of 90 pairs,
 * medians: CPU with stacks -0.5, +1.5 and 0.0 % for the GIL threads, -0.1, -1.3 and -1.2 % for one
 * thread, +0.7, -0.4 and +0.4 % for the pool (90 % intervals 2-4 points wide, and the runs further
 * apart than that: the load changes over minutes); wall -2.2, +2.3 and -0.1 %, -1.1, -2.9 and -0.2
 * %, +2.4, +2.2 and -0.5 % (intervals 3-12 points wide: the wall figure says something only on a
 * quieter machine); sampler 1.7-1.8 / 1.3-1.5 / 2.2-2.9 % of a core per second of the program,
 * 0.5-1.3 beyond without; bounds 1.4-3.7 / 0.3-1.0 / 2.6-3.3 %. Before the sampler's reads were
 * batched (30 pairs, load 3.9-7.1): sampler 2.5 / 1.7 / 3.2 %. A default run of 30 pairs at load
 * 4-5.5: CPU intervals 13-19 points wide. More in docs/capture.md ("What it costs"). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "il-test-util.h"

#define PAIRS      30
#define RESAMPLES  2000

static const char program_text[] =
  "import multiprocessing, os, resource, sys, threading, time\n"
  "def compute(n):\n"
  "    x = 0\n"
  "    for i in range(n):\n"
  "        x += i * i\n"
  "    return x\n"
  "def cpu():\n"
  "    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
  "    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime\n"
  "if __name__ == '__main__':\n"
  "    kind, n = sys.argv[1], int(sys.argv[2])\n"
  "    c0, t0 = cpu(), time.perf_counter()\n"
  "    if kind == 'gil':\n"
  "        threads = [threading.Thread(target=compute, args=(n,), name=f'worker-{k}') for k in range(3)]\n"
  "        for t in threads: t.start()\n"
  "        compute(n)\n"
  "        for t in threads: t.join()\n"
  "    elif kind == 'single':\n"
  "        compute(n)\n"
  "    else:\n"
  "        k = os.cpu_count()\n"
  "        pool = multiprocessing.get_context('fork').Pool(k)\n"
  "        pool.map(compute, [n] * (2 * k), chunksize=1)\n"
  "        pool.close()\n"
  "        pool.join()\n"
  "    print(f'work {time.perf_counter() - t0:.6f} {cpu() - c0:.6f}')\n";

typedef struct
{
  const char *kind;
  const char *title;
  const char *n;      /* iterations of compute(): about 0.4 s of work each on this VM, quiet */
} Program;

static const Program programs[] = {
  { "gil", "four threads under the GIL", "2500000" },
  { "single", "one thread", "8000000" },
  { "processes", "multiprocessing pool, a process per CPU", "4000000" },
};

#define N_PROGRAMS G_N_ELEMENTS (programs)

typedef struct
{
  double wall, cpu;          /* the program's own clock, s */
  double sampler_ms;         /* the tracer's sampler thread, CPU ms */
  double samples;
} Run;

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The @q quantile of @n values (sorted in place), interpolated between neighbours. */
static double
quantile (double *v, guint n, double q)
{
  double at = q * (n - 1);
  guint lo = (guint) at;

  qsort (v, n, sizeof *v, cmp_double);
  return lo + 1 < n ? v[lo] + (at - lo) * (v[lo + 1] - v[lo]) : v[n - 1];
}

/* A bootstrap 90 % interval of the median of @v: the 5th and 95th percentiles of the medians of
 * RESAMPLES resamples (with replacement), from a fixed seed so a run can be repeated. */
static void
bootstrap_median (const double *v, guint n, double *lo, double *hi)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20);
  g_autofree double *medians = g_new (double, RESAMPLES);
  g_autofree double *pick = g_new (double, n);

  for (guint b = 0; b < RESAMPLES; b++)
    {
      for (guint i = 0; i < n; i++)
        pick[i] = v[g_rand_int_range (rand, 0, (gint32) n)];
      medians[b] = quantile (pick, n, 0.5);
    }
  *lo = quantile (medians, RESAMPLES, 0.05);
  *hi = quantile (medians, RESAMPLES, 0.95);
}

/* One traced run of @prog, with or without stacks. */
static gboolean
run_once (const char *cli, const char *python, const char *script, const Program *prog, gboolean stacks,
          Run *out)
{
  const char *argv[] = { cli, "trace", "-q", "--", python, script, prog->kind, prog->n, NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *text = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;
  double rounds;
  int status;

  env = g_environ_setenv (env, "IL_DEBUG_STACKS", "1", TRUE);
  env = stacks ? g_environ_unsetenv (env, "IL_NO_STACKS") : g_environ_setenv (env, "IL_NO_STACKS", "1", TRUE);
  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &text, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error) || (line = strstr (text, "work ")) == NULL ||
      sscanf (line, "work %lf %lf", &out->wall, &out->cpu) != 2 || out->wall <= 0 || out->cpu <= 0)
    {
      g_printerr ("bench-pystack: %s %s: %s\n%s%s", prog->kind, stacks ? "with stacks" : "without",
                  error != NULL ? error->message : "no work line", text != NULL ? text : "", err != NULL ? err : "");
      return FALSE;
    }
  out->sampler_ms = out->samples = 0;
  if ((line = strstr (err, "stacks: ")) != NULL)
    sscanf (line, "stacks: %lf rounds, %lf samples, sampler CPU %lf ms", &rounds, &out->samples, &out->sampler_ms);
  return TRUE;
}

/* Median, interquartile range and bootstrap interval of @ratio (n values), as % slower; the
 * interval's upper end in @upper. */
static void
print_ratios (const char *what, double *ratio, guint n, double *upper)
{
  double lo, hi, q1, q3, med;

  bootstrap_median (ratio, n, &lo, &hi);
  med = quantile (ratio, n, 0.5);
  q1 = quantile (ratio, n, 0.25);
  q3 = quantile (ratio, n, 0.75);
  printf ("  %-4s slower with stacks: median %+.2f %% (90 %% interval of the median %+.2f to %+.2f %%; "
          "pairs' quartiles %+.2f to %+.2f %%)\n",
          what, 100 * (med - 1), 100 * (lo - 1), 100 * (hi - 1), 100 * (q1 - 1), 100 * (q3 - 1));
  if (upper != NULL)
    *upper = 100 * (hi - 1);
}

int
main (int argc, char **argv)
{
  /* Debian's own interpreter where there is one (a pyenv shim would add its launchers' start-up,
   * which the program's clock leaves out anyway); else the first python3 on the PATH. */
  g_autofree char *python = g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)
                              ? g_strdup ("/usr/bin/python3") : g_find_program_in_path ("python3");
  g_autofree char *dir = NULL, *script = NULL;
  const char *env = g_getenv ("IL_BENCH_ROUNDS");
  guint pairs = env != NULL && atoi (env) > 0 ? (guint) atoi (env) : PAIRS;
  g_autofree Run *with = NULL, *without = NULL;
  g_autofree double *v = NULL;
  gint64 t0 = g_get_monotonic_time ();

  if (argc < 2)
    {
      g_printerr ("usage: bench-pystack INTERLEAVE-CLI\n");
      return 2;
    }
  if (python == NULL)
    {
      printf ("bench-pystack: no python3: nothing to measure\n");
      return 77;
    }
  dir = il_test_tmpdir_new ("il-bench-pystack");
  script = g_build_filename (dir, "work.py", NULL);
  if (!g_file_set_contents (script, program_text, -1, NULL))
    return 1;
  with = g_new0 (Run, N_PROGRAMS * pairs);
  without = g_new0 (Run, N_PROGRAMS * pairs);
  v = g_new (double, pairs);
  printf ("python: %s\ncpus: %d\npairs: %u (IL_BENCH_ROUNDS)\n", python, g_get_num_processors (), pairs);
  il_test_print_load ("loadavg before");
  for (guint k = 0; k < pairs; k++)
    {
      /* ABBA: with first in even pairs, without first in odd ones. */
      gboolean with_first = k % 2 == 0;

      printf ("pair %2u (%s first):", k + 1, with_first ? "with" : "without");
      for (guint i = 0; i < N_PROGRAMS; i++)
        {
          Run *w = &with[i * pairs + k], *wo = &without[i * pairs + k];

          if (!run_once (argv[1], python, script, &programs[i], with_first, with_first ? w : wo) ||
              !run_once (argv[1], python, script, &programs[i], !with_first, with_first ? wo : w))
            return 1;
          printf ("  %s %.3f/%.3f s", programs[i].kind, w->wall, wo->wall);
        }
      printf ("\n");
      fflush (stdout);
    }
  il_test_print_load ("loadavg after");
  printf ("bench time: %.0f s\n", (g_get_monotonic_time () - t0) / 1e6);
  for (guint i = 0; i < N_PROGRAMS; i++)
    {
      const Run *w = &with[i * pairs], *wo = &without[i * pairs];
      double cpu_hi, with_cpu, without_cpu;

      printf ("# %s (%s): %u pairs\n", programs[i].kind, programs[i].title, pairs);
      for (guint k = 0; k < pairs; k++)
        v[k] = w[k].wall;
      printf ("  wall with stacks (median): %.3f s\n", quantile (v, pairs, 0.5));
      for (guint k = 0; k < pairs; k++)
        v[k] = w[k].wall / wo[k].wall;
      print_ratios ("wall", v, pairs, NULL);
      for (guint k = 0; k < pairs; k++)
        v[k] = w[k].cpu / wo[k].cpu;
      print_ratios ("CPU", v, pairs, &cpu_hi);
      for (guint k = 0; k < pairs; k++)
        v[k] = w[k].samples / w[k].wall;
      printf ("  samples per second (median): %.0f\n", quantile (v, pairs, 0.5));
      for (guint k = 0; k < pairs; k++)
        v[k] = 100 * w[k].sampler_ms / 1000 / w[k].wall;
      with_cpu = quantile (v, pairs, 0.5);
      for (guint k = 0; k < pairs; k++)
        v[k] = 100 * wo[k].sampler_ms / 1000 / wo[k].wall;
      without_cpu = quantile (v, pairs, 0.5);
      printf ("  sampler CPU per second of the program (median): with stacks %.2f %% of a core, "
              "without (names only) %.2f %%\n", with_cpu, without_cpu);
      /* On a machine with no CPU to spare, what the sampler runs with stacks more than without
       * comes out of the program's time at worst; on top of that, whatever its reads slow the
       * program's own work by (the CPU ratio, which other programs' load leaves alone where
       * they scatter the wall time). */
      printf ("  bound on a fully busy machine: %+.2f %% (CPU ratio's 90 %% upper end %+.2f %% + the "
              "sampler's CPU with stacks beyond without %.2f %%)\n",
              cpu_hi + MAX (with_cpu - without_cpu, 0), cpu_hi, MAX (with_cpu - without_cpu, 0));
    }
  il_test_remove_tree (dir);
  return 0;
}
