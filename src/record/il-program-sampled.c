/* il-program-sampled.c: a traced program's sampled capture: /proc stat and schedstat. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sampled capture of a traced program, where perf is refused: each thread's /proc stat and
 * schedstat read every 1 ms and laid out as running, ready and blocked. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "il-program-private.h"

/* Parses state, processor from /proc/…/stat (the name in parentheses may hold spaces). */
gboolean
il_program_parse_stat (const char *buf, char *state, int *cpu, int *ppid)
{
  const char *p = strrchr (buf, ')');
  int field = 3;

  if (p == NULL || p[1] != ' ')
    return FALSE;
  p += 2;
  *state = *p;
  *cpu = -1;
  if (ppid != NULL)
    *ppid = (int) strtol (p + 2, NULL, 10);
  while (*p != '\0' && field < 39)
    {
      if (*p == ' ')
        field++;
      p++;
    }
  if (field == 39)
    *cpu = (int) strtol (p, NULL, 10);
  return TRUE;
}

/* One sample of one thread: its schedstat (time on a CPU and waiting in the run queue, in ns,
 * exact) since the last sample, laid out as running, ready and blocked time in the order its
 * states at both samples suggest. */
void
il_program_sample_thread (IlProgram *self, Thread *th, gint64 now)
{
  char buf[1024];
  ssize_t n;
  char state;
  int cpu;
  unsigned long long run_ns, wait_ns, pcount;
  gint64 dt, drun, dwait, t;
  gboolean was_blocked, is_blocked;
  guint8 block = th->block_state;

  if (th->exited || th->fd_stat < 0 || th->fd_schedstat < 0)
    return;
  n = pread (th->fd_schedstat, buf, sizeof buf - 1, 0);
  if (n <= 0)
    goto gone;
  buf[n] = '\0';
  if (sscanf (buf, "%llu %llu %llu", &run_ns, &wait_ns, &pcount) != 3)
    goto gone;

  /* Blocked at the last sample and not on a CPU since (schedstat counts each time it gets one):
   * still blocked on the same thing, so its stat and system call need not be read. Most threads
   * of a GIL or I/O lesson wait most of the time, and these reads were most of the sampled
   * tracer's cost. Read anyway every STAT_EVERY_NS: a main thread that ended stays a zombie
   * without running again. */
  if (th->sample_ns >= 0 && th->state == 'S' && pcount == th->pcount &&
      now - th->stat_ns < STAT_EVERY_NS)
    {
      state = 'S';
      cpu = -1;
      is_blocked = TRUE;
    }
  else
    {
      n = pread (th->fd_stat, buf, sizeof buf - 1, 0);
      if (n <= 0)
        goto gone;
      buf[n] = '\0';
      if (!il_program_parse_stat (buf, &state, &cpu, NULL) || state == 'Z' || state == 'X' || state == 'x')
        goto gone;
      th->stat_ns = now;
      is_blocked = state == 'S' || state == 'D' || state == 'T' || state == 't' || state == 'I';
      if (is_blocked)
        {
          guint8 r = state == 'D' ? CODE (IL_STATE_IO_WAIT, IL_WAIT_IO)
                                  : il_program_read_block_reason (self, th, now);
          if (r != NO_REASON)
            block = r;
        }
    }
  th->pcount = pcount;

  if (th->sample_ns < 0)
    {
      /* First sight: from its start (or the run's) to now, what it did is in schedstat. */
      th->sample_ns = MAX (th->since_ns, self->origin_ns);
      th->run_ns = 0;
      th->wait_ns = 0;
      th->state = 'R';
    }
  dt = now - th->sample_ns;
  if (dt <= 0)
    return;
  was_blocked = th->state == 'S' || th->state == 'D';
  t = th->sample_ns;
  /* run_ns and wait_ns are what was laid out so far; the counters may be ahead of it (read a
   * moment after @now: the rest goes to the next sample, so totals stay exact) or behind it. */
  if (!was_blocked && !is_blocked)
    {
      /* Runnable at both samples: on a CPU but for its run-queue wait. A running task's run
       * counter is brought up to date only at the scheduler's tick or a switch, so it lags;
       * the wait counter tells how much of the interval it did not run. */
      dwait = CLAMP ((gint64) (wait_ns - th->wait_ns), 0, dt);
      drun = dt - dwait;
    }
  else
    {
      drun = CLAMP ((gint64) (run_ns - th->run_ns), 0, dt);
      dwait = CLAMP ((gint64) (wait_ns - th->wait_ns), 0, dt - drun);
    }
  th->run_ns += (guint64) drun;
  th->wait_ns += (guint64) dwait;

  if (!was_blocked && !is_blocked)
    {
      il_program_emit (self, th, IL_STATE_RUNNING, cpu, t, t + drun);
      il_program_emit (self, th, IL_STATE_READY, -1, t + drun, now);
    }
  else if (was_blocked)
    {
      gint64 blocked = dt - drun - dwait;
      il_program_emit (self, th, th->block_state, -1, t, t + blocked);
      t += blocked;
      il_program_emit (self, th, IL_STATE_READY, -1, t, t + dwait);
      t += dwait;
      il_program_emit (self, th, IL_STATE_RUNNING, cpu, t, t + drun);
    }
  else
    {
      il_program_emit (self, th, IL_STATE_RUNNING, cpu, t, t + drun);
      t += drun;
      il_program_emit (self, th, IL_STATE_READY, -1, t, t + dwait);
      t += dwait;
      il_program_emit (self, th, is_blocked ? block : (guint8) IL_STATE_READY, -1, t, now);
    }
  th->sample_ns = now;
  th->state = is_blocked ? 'S' : 'R';
  th->block_state = block;
  return;

gone:
  th->exited = TRUE;
  if (th->tid == th->pid)
    th->proc->exited = TRUE;
  il_program_flush_open (self, th);
  il_program_thread_close_files (th);
}
