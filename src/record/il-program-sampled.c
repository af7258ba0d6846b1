/* il-program-sampled.c: a traced program's sampled capture: /proc stat and schedstat. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sampled capture of a traced program, where perf is refused: each thread's /proc stat and
 * schedstat read every 1 ms and laid out as running, ready and blocked. */
#include "config.h"

#include <sched.h>
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

/* Reads one thread's sample @tick: its schedstat (time on a CPU and waiting in the run queue, in
 * ns, exact) and state, kept until il_program_place() lays its interval out with every other
 * thread's. */
static void
sample_thread (IlProgram *self, Thread *th, gint64 now, gint64 tick)
{
  char buf[1024];
  ssize_t n;
  char state;
  int cpu;
  unsigned long long run_ns, wait_ns, pcount;
  gboolean is_blocked, have_final = FALSE;
  guint8 block = th->block_state;
  PlaceSample *sample;

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
      cpu = th->cpu;
      is_blocked = TRUE;
    }
  else
    {
      n = pread (th->fd_stat, buf, sizeof buf - 1, 0);
      if (n <= 0)
        goto gone;
      buf[n] = '\0';
      if (!il_program_parse_stat (buf, &state, &cpu, NULL))
        goto gone;
      /* Ended, its files still there (a process's main thread stays a zombie until reaped): the
       * schedstat just read is its last, counting what it ran after the previous sample, which
       * a sampler that ran late (20-30 ms on a loaded machine) would otherwise lose. */
      have_final = state == 'Z' || state == 'X' || state == 'x';
      if (have_final)
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
  th->cpu = cpu;
  th->state = is_blocked ? 'S' : 'R';
  th->block_state = block;
  th->sample_ns = now;

  if (th->samples == NULL)
    th->samples = g_new0 (PlaceSample, PLACE_RING);
  if (th->first_tick < 0)
    {
      /* First sight: what it did before is in its counters, laid out from here on. */
      th->first_tick = th->placed_tick = tick;
      th->run_ns = 0;
      th->wait_ns = 0;
    }
  th->last_tick = tick;
  sample = &th->samples[tick % PLACE_RING];
  sample->run = run_ns;
  sample->wait = wait_ns;
  sample->pcount = pcount;
  sample->cpu = cpu;
  sample->state = th->state;
  sample->block = block;
  return;

gone:
  /* Its last samples are laid out first (il_program_place), then its spans flushed. It ended
   * since its last sample: what it ran before that and was not laid out yet goes there. */
  if (th->first_tick >= 0 && th->last_tick < tick)
    {
      sample = &th->samples[tick % PLACE_RING];
      *sample = th->samples[th->last_tick % PLACE_RING];
      if (have_final && run_ns >= sample->run)
        {
          sample->run = run_ns;
          sample->wait = MAX (wait_ns, sample->wait);
        }
      sample->state = 'X';
      sample->block = NO_REASON;
      th->last_tick = tick;
    }
  th->exited = TRUE;
  th->gone = TRUE;
  if (th->tid == th->pid)
    th->proc->exited = TRUE;
  il_program_thread_close_files (th);
  if (th->first_tick < 0)
    il_program_flush_open (self, th);
}

/* One sample of every thread; the intervals PLACE_AHEAD samples back (all, when @last) are laid
 * out together: a running thread's schedstat is brought up to date only at a switch or its
 * core's tick (4 ms at 250 Hz), so how long it ran in an interval is known only a few samples
 * later, and never more than that is laid out. */
void
il_program_sample_all (IlProgram *self, gint64 now, gboolean last)
{
  GHashTableIter iter;
  gpointer value;
  gint64 tick = self->place_tick++;

  if (self->place_asks == NULL)
    {
      il_program_place_init (self);
      self->place_placed = 0;
      self->place_arrived = 0;
    }
  self->place_times[tick % PLACE_RING] = now;
  self->place_sampler_cpu[tick % PLACE_RING] = sched_getcpu ();
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    sample_thread (self, value, now, tick);
  while (self->place_placed < (last ? tick : tick - PLACE_AHEAD))
    il_program_place (self, ++self->place_placed);
}
