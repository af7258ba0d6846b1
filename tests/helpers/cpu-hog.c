/* cpu-hog.c: a test helper that keeps one CPU busy: pins itself to CPU N, says "ready", then spins
 * until killed (it dies with its parent, and gives up after a time limit in any case). It spins in
 * two processes, so a worker the kernel places on that CPU gets at most a third of it, whatever
 * the load balancer does: "other programs took most of core N" holds on any machine. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

int
main (int argc, char *argv[])
{
  cpu_set_t set;
  int cpu = argc > 1 ? atoi (argv[1]) : 0;
  int limit_s = argc > 2 ? atoi (argv[2]) : 120;
  volatile unsigned long spin = 0;
  time_t end = time (NULL) + limit_s;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  if (sched_setaffinity (0, sizeof set, &set) != 0)
    {
      perror ("cpu-hog: sched_setaffinity");
      return 1;
    }
  /* The second spinner: same CPU (affinity is inherited), dies with the first. */
  if (fork () == 0)
    prctl (PR_SET_PDEATHSIG, SIGKILL);
  else
    printf ("ready\n");
  fflush (stdout);
  while (time (NULL) < end)
    for (int i = 0; i < 1000000; i++)
      spin++;
  return 0;
}
