/* bench-pystack.c: what sampling Python stacks costs the traced program, and the sampler's own CPU. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The same CPU-bound Python program (three threads and the main thread computing a fixed amount
 * of work under the GIL) traced by `interleave-cli trace` with stacks (the default) and without
 * (IL_NO_STACKS=1), in alternating rounds so the machine's load falls on both alike. The program
 * times its own work (time.perf_counter around it, interpreter start-up left out); the tracer
 * says its sampler's CPU time (IL_DEBUG_STACKS=1). Prints medians; asserts nothing (the goal,
 * at most 2 % slower, is read, not enforced). Args: interleave-cli. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#define ROUNDS 9

static const char program[] =
  "import threading, time\n"
  "def compute(n):\n"
  "    x = 0\n"
  "    for i in range(n):\n"
  "        x += i * i\n"
  "    return x\n"
  "t0 = time.perf_counter()\n"
  "threads = [threading.Thread(target=compute, args=(4_000_000,), name=f'worker-{k}') for k in range(3)]\n"
  "for t in threads: t.start()\n"
  "compute(4_000_000)\n"
  "for t in threads: t.join()\n"
  "print(f'work {time.perf_counter() - t0:.6f}')\n";

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, guint n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One traced run: the program's work time (s), and the sampler's CPU (ms) and sample count. */
static gboolean
run_once (const char *cli, const char *prog, gboolean stacks, double *work, double *sampler_ms,
          double *samples)
{
  const char *argv[] = { cli, "trace", "-q", "--", "/usr/bin/python3.11", prog, NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;
  double rounds = 0;
  int status;

  env = g_environ_setenv (env, "IL_DEBUG_STACKS", "1", TRUE);
  env = stacks ? g_environ_unsetenv (env, "IL_NO_STACKS") : g_environ_setenv (env, "IL_NO_STACKS", "1", TRUE);
  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("bench-pystack: %s\n%s", error->message, err != NULL ? err : "");
      return FALSE;
    }
  if ((line = strstr (out, "work ")) == NULL || sscanf (line, "work %lf", work) != 1)
    return FALSE;
  *sampler_ms = *samples = 0;
  if ((line = strstr (err, "stacks: ")) != NULL)
    sscanf (line, "stacks: %lf rounds, %lf samples, sampler CPU %lf ms", &rounds, samples, sampler_ms);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL, *prog = NULL;
  double with[ROUNDS], without[ROUNDS], cpu[ROUNDS], samples[ROUNDS], cpu_off[ROUNDS], dummy;
  double load[3] = { 0 };
  double m_with, m_without;

  if (argc < 2)
    {
      g_printerr ("usage: bench-pystack INTERLEAVE-CLI\n");
      return 2;
    }
  if (!g_file_test ("/usr/bin/python3.11", G_FILE_TEST_IS_EXECUTABLE))
    {
      printf ("bench-pystack: /usr/bin/python3.11 is not installed: nothing to measure\n");
      return 77;
    }
  dir = g_dir_make_tmp ("il-bench-pystack-XXXXXX", NULL);
  prog = g_build_filename (dir, "work.py", NULL);
  if (dir == NULL || !g_file_set_contents (prog, program, -1, NULL))
    return 1;
  if (getloadavg (load, 3) < 0)
    load[0] = -1;
  for (guint r = 0; r < ROUNDS; r++)
    {
      /* Alternating which goes first, so a drift in the machine's load is shared. */
      gboolean first = r % 2 == 0;

      if (!run_once (argv[1], prog, first, first ? &with[r] : &without[r], first ? &cpu[r] : &cpu_off[r],
                     first ? &samples[r] : &dummy) ||
          !run_once (argv[1], prog, !first, first ? &without[r] : &with[r], first ? &cpu_off[r] : &cpu[r],
                     first ? &dummy : &samples[r]))
        return 1;
      printf ("round %u: with stacks %.3f s (%.0f samples, sampler %.1f ms CPU), without %.3f s\n", r + 1,
              with[r], samples[r], cpu[r], without[r]);
    }
  for (guint r = 0; r < ROUNDS; r++)
    cpu[r] = 100.0 * cpu[r] / 1000.0 / with[r];
  m_with = median (with, ROUNDS);
  m_without = median (without, ROUNDS);
  printf ("machine load before: %.2f %.2f %.2f on %d CPUs\n", load[0], load[1], load[2], g_get_num_processors ());
  printf ("work with stacks (median of %d): %.3f s\n", ROUNDS, m_with);
  printf ("work without stacks (median of %d): %.3f s\n", ROUNDS, m_without);
  printf ("slower with stacks: %+.2f %% (goal: at most 2 %%)\n", 100.0 * (m_with - m_without) / m_without);
  printf ("samples per run (median): %.0f\n", median (samples, ROUNDS));
  printf ("sampler CPU (median, %% of one core over the program's work time): %.2f %%\n", median (cpu, ROUNDS));
  g_unlink (prog);
  g_rmdir (dir);
  return 0;
}
