/* il-program-sampled.c: a traced program's sampled capture: /proc stat and schedstat. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sampled capture of a traced program, where perf is refused: each thread's /proc stat and
 * schedstat read every 1 ms and laid out as running, ready and blocked. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "il-clock.h"
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

/* The value of @key in /proc/…/sched text @buf: `key   :   12345.678901` (ms, then ns in six
 * digits) as ns, or a plain count; -1 if absent. */
static gint64
sched_field (const char *buf, const char *key, gboolean split_ns)
{
  const char *p = strstr (buf, key);
  char *end;
  gint64 v, frac;

  if (p == NULL || (p = strchr (p, ':')) == NULL)
    return -1;
  v = g_ascii_strtoll (p + 1, &end, 10);
  if (end == p + 1 || v < 0)
    return -1;
  if (!split_ns)
    return v;
  if (*end != '.')
    return -1;
  frac = g_ascii_strtoll (end + 1, NULL, 10);
  return v * 1000000 + frac;
}

/* Parses /proc/…/sched: when the scheduler last brought the thread's runtime up to date, on its
 * clock, the runtime then, and how many times it left a core. */
gboolean
il_program_parse_sched (const char *buf, gint64 *exec_start, gint64 *runtime, gint64 *switches)
{
  *exec_start = sched_field (buf, "se.exec_start", TRUE);
  *runtime = sched_field (buf, "se.sum_exec_runtime", TRUE);
  *switches = sched_field (buf, "\nnr_switches", FALSE);
  return *exec_start >= 0 && *runtime >= 0 && *switches >= 0;
}

/* The scheduler's clock of @c (an index into place_cpus) to ours, or G_MAXINT64 if not read yet. */
static gint64
clock_offset (IlProgram *self, int c)
{
  const PlaceClock *k;

  if (c < 0 || self->place_clocks == NULL)
    return G_MAXINT64;
  k = &self->place_clocks[c];
  return MIN (k->least, k->least_before);
}

/* One reading of the scheduler's clock against ours, on the core the tracer is on: its own
 * thread's exec_start was set as it took the core, or later as the core brought its runtime up
 * to date, always before the read ends; so our clock after the read minus it is the offset plus
 * a few µs (5 µs at best: the read), never less, and the least of many readings is the offset
 * (on this 2-core VM: 1.347 ms, the least within 2 µs with both cores busy; each core alike). */
static void
read_clock_here (IlProgram *self, gint64 now)
{
  char buf[4096];
  gint64 e, r, n_sw, t;
  ssize_t n;
  int c;
  PlaceClock *k;

  n = pread (self->place_fd_sched, buf, sizeof buf - 1, 0);
  t = il_clock_now_ns ();
  c = il_program_place_cpu_index (self, sched_getcpu ());
  if (n <= 0 || c < 0)
    return;
  buf[n] = '\0';
  if (!il_program_parse_sched (buf, &e, &r, &n_sw) || e == 0)
    return;
  k = &self->place_clocks[c];
  if (now - k->since > PLACE_CLOCK_WINDOW_NS)
    {
      k->least_before = k->least;
      k->least = t - e;
      k->since = now;
    }
  else
    k->least = MIN (k->least, t - e);
}

/* Reads the clocks: where the tracer woke, every other sample; and a core it has not woken on
 * for a window, by moving there for one reading (its affinity set to that core, then back), at
 * most one a sample. The first sample reads them all. */
static void
read_clocks (IlProgram *self, gint64 now, gint64 tick)
{
  cpu_set_t all, one;

  if (self->place_fd_sched < 0)
    return;
  if (tick % 2 == 0)
    read_clock_here (self, now);
  for (guint c = 0; c < self->place_n_cpus; c++)
    {
      PlaceClock *k = &self->place_clocks[c];

      if (k->least != G_MAXINT64 && now - k->since <= 2 * PLACE_CLOCK_WINDOW_NS)
        continue;
      /* Only then: the affinity calls are two system calls more a sample. */
      if (sched_getaffinity (0, sizeof all, &all) != 0)
        return;
      CPU_ZERO (&one);
      CPU_SET (self->place_cpus[c], &one);
      if (sched_setaffinity (0, sizeof one, &one) == 0)
        {
          read_clock_here (self, now);
          sched_setaffinity (0, sizeof all, &all);
        }
      if (tick > 0)
        break;
    }
}

/* A thread first seen at sample @tick ran what its counter shows before it; the intervals before
 * that are not laid out yet (PLACE_AHEAD) take what fits of it, so it is not carried on behind
 * the thread (a thread that keeps its core never catches up: a process forked 1-13 ms before the
 * scan found it, more on a loaded machine, lost that much of its CPU time). It ran, as far as the
 * counter tells, right up to when it was seen (or, off a core then, up to when it left its last
 * one): earlier samples get what it had run by their time on that reckoning, from the first one
 * after it began. */
static void
backdate (IlProgram *self, Thread *th, gint64 tick)
{
  const PlaceSample *s = &th->samples[tick % PLACE_RING];
  gint64 end = s->on == 0 && s->estart >= 0 ? MIN (s->estart, self->place_times[tick % PLACE_RING])
                                            : self->place_times[tick % PLACE_RING];
  gint64 begin = end - (gint64) s->run, first = tick;

  for (gint64 j = tick - 1; j >= 0 && j >= self->place_placed && j > tick - PLACE_RING &&
                            self->place_times[j % PLACE_RING] >= begin; j--)
    first = j;
  for (gint64 j = first; j < tick; j++)
    {
      PlaceSample *q = &th->samples[j % PLACE_RING];
      gint64 t = self->place_times[j % PLACE_RING];

      *q = *s;
      q->run = (guint64) CLAMP (t - begin, 0, (gint64) s->run);
      q->wait = 0;
      /* Blocked when seen: since it left its core, on what it waits for now (a thread's first
       * wait for the GIL, as it starts, is that, not a wait for a CPU). */
      if (s->state != 'S' || t < end)
        {
          q->state = 'R';
          q->block = NO_REASON;
        }
      q->on = -1;
      q->estart = -1;
      q->read = t;
      q->arrive = -1;
    }
  th->first_tick = th->placed_tick = first;
}

/* Of a zombie (a process's main thread, its files there until it is reaped): when it left its
 * core for good, on our clock, into @estart, and all it ran, into @erun, read at @read_ns; -1 if
 * not known (no sched file, its core's clock offset not known yet, or still on its core: a
 * thread is a zombie a little before its last switch). A process's end is then where it was, not
 * at the sample that found it ended (1-2 ms late). */
static void
read_final (IlProgram *self, Thread *th, int cpu, gint64 *estart, gint64 *erun, gint64 *read_ns,
            guint64 pcount)
{
  char buf[1024];
  ssize_t n;
  gint64 offset = clock_offset (self, il_program_place_cpu_index (self, cpu)), start, run, switches;

  *estart = *erun = -1;
  if (th->fd_sched < 0 || offset == G_MAXINT64)
    return;
  n = pread (th->fd_sched, buf, sizeof buf - 1, 0);
  *read_ns = il_clock_now_ns ();
  if (n <= 0)
    return;
  buf[n] = '\0';
  if (!il_program_parse_sched (buf, &start, &run, &switches) || start == 0 ||
      (gint64) pcount != switches)
    return;
  *estart = start + offset;
  *erun = run;
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
  gint64 estart = -1, erun = -1, switches = -1, offset, read_ns = now;
  gboolean is_blocked, have_final = FALSE, unchanged, prev_known;
  guint8 block = th->block_state;
  PlaceSample *sample, again;
  const PlaceSample *prev = NULL;

  if (th->exited || th->fd_stat < 0 || th->fd_schedstat < 0)
    return;
  n = pread (th->fd_schedstat, buf, sizeof buf - 1, 0);
  if (n <= 0)
    goto gone;
  buf[n] = '\0';
  if (sscanf (buf, "%llu %llu %llu", &run_ns, &wait_ns, &pcount) != 3)
    goto gone;

  /* What this reading follows: the previous sample, or this tick's first reading of the thread
   * when the tick is read again (il_program_sample_all). */
  if (th->samples != NULL && th->first_tick >= 0 && th->last_tick == tick)
    {
      again = th->samples[tick % PLACE_RING];
      prev = &again;
    }
  else if (th->samples != NULL && th->first_tick >= 0 && th->last_tick == tick - 1)
    prev = &th->samples[(tick - 1) % PLACE_RING];

  /* Blocked at the last sample and not on a CPU since (schedstat counts each time it gets one):
   * still blocked on the same thing, so its stat and system call need not be read. Most threads
   * of a GIL or I/O lesson wait most of the time, and these reads were most of the sampled
   * tracer's cost. Read anyway every STAT_EVERY_NS: a main thread that ended stays a zombie
   * without running again. */
  unchanged = th->sample_ns >= 0 && th->state == 'S' && pcount == th->pcount;
  if (unchanged && now - th->stat_ns < STAT_EVERY_NS)
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
        {
          read_final (self, th, cpu, &estart, &erun, &read_ns, pcount);
          goto gone;
        }
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
  /* When it started and stopped running: read only of a thread that may have run since its last
   * sample (of one that did not, the last reading holds). */
  prev_known = prev != NULL && prev->estart >= 0;
  offset = clock_offset (self, il_program_place_cpu_index (self, cpu));
  if (th->fd_sched >= 0 && offset != G_MAXINT64 && !(unchanged && prev_known))
    {
      n = pread (th->fd_sched, buf, sizeof buf - 1, 0);
      read_ns = il_clock_now_ns ();
      if (n > 0)
        {
          buf[n] = '\0';
          if (!il_program_parse_sched (buf, &estart, &erun, &switches) || estart == 0)
            estart = -1;   /* 0: it moved to another core and did not run there yet */
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
      /* First sight: what it did before is in its counters, laid out from here on (and in the
       * intervals not laid out yet before it, below). */
      th->first_tick = th->placed_tick = tick;
      th->run_ns = 0;
      th->wait_ns = 0;
      th->n_carry = 0;
      th->carry_exact = FALSE;
    }
  th->last_tick = tick;
  sample = &th->samples[tick % PLACE_RING];
  sample->run = run_ns;
  sample->wait = wait_ns;
  sample->pcount = pcount;
  sample->cpu = cpu;
  sample->state = th->state;
  sample->block = block;
  sample->read = now;
  if (estart >= 0 && (gint64) pcount - switches >= 0 && (gint64) pcount - switches <= 1)
    {
      sample->estart = estart + offset;
      sample->on = (gint8) ((gint64) pcount - switches);
      sample->read = MAX (read_ns, sample->estart);
      /* What it ran by the read, exactly: schedstat's figure lags by up to a tick while it runs;
       * on a CPU since estart, it ran all the time since. Off one, what it ran by when it left,
       * read with that instant (schedstat was read a few µs before: it may have run between). */
      if (sample->on)
        sample->run = MAX (sample->run, (guint64) erun + (guint64) (sample->read - sample->estart));
      else if (!sample->on)
        sample->run = MAX (sample->run, (guint64) erun);
    }
  else if (unchanged && prev_known)
    {
      /* Blocked since and did not run: as it was. */
      sample->estart = prev->estart;
      sample->run = MAX (sample->run, prev->run);
      sample->on = prev->estart >= 0 ? 0 : -1;
    }
  else
    sample->on = -1, sample->estart = -1;
  if (tick == 0)
    {
      /* The first sample is taken before the program is let go: what the child ran before it
       * (2-3 ms of the fork's copy-on-write faults) is Interleave's time, not laid out. */
      th->run_ns = sample->run;
      th->wait_ns = sample->wait;
    }
  else if (th->first_tick == tick)
    backdate (self, th, tick);
  return;

gone:
  /* Its last samples are laid out first (il_program_place), then its spans flushed. It ended
   * since its last sample: what it ran before that and was not laid out yet goes there. */
  if (th->first_tick >= 0 && th->last_tick <= tick)
    {
      sample = &th->samples[tick % PLACE_RING];
      if (th->last_tick < tick)
        *sample = th->samples[th->last_tick % PLACE_RING];
      if (have_final && run_ns >= sample->run)
        {
          sample->run = run_ns;
          sample->wait = MAX (wait_ns, sample->wait);
        }
      if (have_final && estart >= 0 && (gint64) sample->run <= erun && th->last_tick == tick - 1 &&
          tick > th->first_tick)
        {
          /* Off its core for good since estart: laid out as exactly as a live thread's. */
          sample->run = (guint64) erun;
          sample->estart = estart;
          sample->on = 0;
          sample->read = MAX (read_ns, estart);
          sample->pcount = pcount;
          sample->cpu = cpu;
          th->final_exact = TRUE;
        }
      else
        {
          sample->on = -1;
          sample->estart = -1;
        }
      if (!have_final)
        th->gone_unread = tick;
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

/* A process's reaped children's CPU time, in ns, from its /proc/PID/stat (cutime and cstime:
 * ticks of 10 ms; G_MININT64 if it cannot be read). */
static gint64
read_reaped (Proc *p)
{
  char buf[1024];
  ssize_t n;
  const char *f;
  unsigned long long cutime, cstime;

  if (p->stat_fd == -1)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/stat", p->pid);

      p->stat_fd = open (path, O_RDONLY | O_CLOEXEC);
      if (p->stat_fd < 0)
        p->stat_fd = -2;
    }
  if (p->stat_fd < 0 || (n = pread (p->stat_fd, buf, sizeof buf - 1, 0)) <= 0)
    return G_MININT64;
  buf[n] = '\0';
  /* After "pid (comm) " come state, ppid, pgrp, session, tty_nr, tpgid, flags, minflt, cminflt,
   * majflt, cmajflt, utime, stime, cutime, cstime. */
  if ((f = strrchr (buf, ')')) == NULL)
    return G_MININT64;
  f++;
  for (int field = 0; field < 13 && f != NULL; field++)
    f = strchr (f + 1, ' ');
  if (f == NULL || sscanf (f, " %llu %llu", &cutime, &cstime) != 2)
    return G_MININT64;
  return (gint64) ((cutime + cstime) * (1000000000.0 / (double) sysconf (_SC_CLK_TCK)));
}

/* What a process ran after its last reading, when its parent reaped it before the tracer read
 * it as a zombie (the tracer waited for a core as it ended: on a loaded machine, for 20-100 ms).
 * As the parent reaps a child, the kernel adds the child's CPU time (its threads', all of it,
 * and its own reaped children's) to the parent's children's time, which /proc/PID/stat shows
 * for any process (cutime and cstime, in ticks of 10 ms). That figure, read at every sample of a
 * parent of a traced process, grew by what the children reaped since the sample before ran in
 * all: what those that were read at their end ran is known, the rest is what the others ran
 * after their last reading, shared equally if more than one. Each tick's rounding makes it
 * ±20 ms; it is at most the time since the last reading on every core, and never less than 0.
 * Without it, a process that ended while the tracer waited lost what it ran in that wait (62 ms
 * of a 572 ms worker beside a CPU hog). */
static void
account_reaped (IlProgram *self, gint64 tick)
{
  gint64 now = self->place_times[tick % PLACE_RING], read_ns;
  GHashTableIter iter;
  gpointer value;
  gboolean pending = FALSE;

  if (tick == 0)
    return;
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;

      p->vanish_known_ns = 0;
      p->n_vanish_unread = 0;
      p->has_children = FALSE;
    }
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *c = value;

      if (c->parent != NULL && !c->vanished)
        c->parent->has_children = TRUE;
    }
  read_ns = il_clock_now_ns ();
  /* Each parent's figure first, then which children are gone: a child reaped after the figure
   * was read is found gone at the next sample, its time in that sample's figure (a child reaped
   * with less than a tick may leave the figure as it was, and is found at the next that grew). */
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;

      p->reaped_prev_ns = p->reaped_ns;
      p->reaped_ns = p->has_children ? read_reaped (p) : G_MININT64;
    }
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *c = value;

      /* Where the parent's figure grew (it reaped a child), and every 10 samples for one that
       * has ended (reaped with less than a tick, it may not make it grow: its parent's figure
       * would be read for as long as the parent lives; a pyenv launcher's helpers are so). */
      if (c->parent == NULL || c->vanished || c->parent->reaped_ns == G_MININT64 ||
          (c->parent->reaped_ns == c->parent->reaped_prev_ns && !(c->exited && tick % 10 == 0)) ||
          kill (c->pid, 0) == 0 || errno != ESRCH)
        continue;
      c->vanished = TRUE;
      /* One never read (a launcher's helper that lived less than a sample) ran little: its time
       * goes to the others' shares, at most every core since their last reading. */
      if (c->cpu_last_ns != G_MININT64)
        c->parent->vanish_known_ns += c->cpu_last_ns + MAX (c->reaped_ns, 0);
      if (!c->final_read && c->cpu_last_ns != G_MININT64)
        {
          c->parent->n_vanish_unread++;
          c->unseen_ns = -2;   /* its share, below */
        }
    }
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *c = value;
      Proc *q = c->parent;
      gint64 share;

      pending |= c->unseen_ns >= 0;   /* found reaped at the sample before, given now */
      if (q == NULL || c->unseen_ns != -2)
        continue;
      pending = TRUE;
      if (q->reaped_prev_ns == G_MININT64)
        {
          c->unseen_ns = -1;   /* as before: what it ran unseen is lost */
          continue;
        }
      share = (q->reaped_ns - q->reaped_prev_ns - q->vanish_known_ns) / q->n_vanish_unread;
      /* At most every core since it was read (the tracer may have lost its core after reading
       * it: that instant, not the sample's). */
      c->unseen_ns = CLAMP (share, 0, (read_ns - c->cpu_last_read_ns) * (gint64) MAX (il_cpu_count (), 1));
    }

  if (!pending)
    return;   /* every sample but those a child was reaped at: no thread to look at */

  /* Its threads found gone since: what they ran after they were last read, shared equally
   * (live_ns and n_ended_unread count these here). */
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;

      p->live_ns = 0;
      p->n_ended_unread = 0;
    }
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;

      if (th->gone_unread != tick || th->proc == NULL || !th->proc->vanished || th->proc->unseen_ns < 0)
        continue;
      th->proc->live_ns += (gint64) th->samples[tick % PLACE_RING].run;
      th->proc->n_ended_unread++;
    }
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;
      Proc *p = th->proc;
      gint64 add, last_seen;

      if (th->gone_unread != tick || p == NULL || !p->vanished || p->unseen_ns < 0 ||
          p->n_ended_unread == 0 || th->first_tick >= tick)
        continue;
      /* Its clock then, plus what it ran after, less what its ended threads had run then and
       * what these were read to have run (they may have been read after the clock). */
      add = (p->cpu_last_ns + p->unseen_ns - p->ended_last_ns - p->live_ns) / (gint64) p->n_ended_unread;
      last_seen = self->place_times[(tick - 1) % PLACE_RING];
      th->samples[tick % PLACE_RING].run += (guint64) CLAMP (add, 0, now - last_seen);
    }
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;

      if (p->vanished && p->n_ended_unread > 0)
        p->unseen_ns = -1;   /* given */
    }
}

/* What threads that ended unread ran since they were last read, from their process's CPU clock
 * (clock_getcpuclockid: every thread's runtime, those that ended too, to the ns; readable for any
 * process): it grew by what the live threads ran, plus all an ended thread ran, and the sample
 * before counted the live threads and that one as far as it was read. A thread leaves no zombie:
 * one that ended while the tracer waited for a core was gone with what it ran since (70 ms of a
 * 246 ms thread, on this 2-core VM at load 8). Threads that ended in the same interval share what
 * is missing; a thread the scan had not found yet shows as less, and nothing is added then. */
static void
account_ended (IlProgram *self, gint64 tick)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = self->place_times[tick % PLACE_RING];

  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;
      struct timespec ts;

      p->live_ns = 0;
      p->ended_known_ns = 0;
      p->n_ended_unread = 0;
      p->cpu_now_ns = G_MININT64;
      /* One that ended at this sample is read too: a zombie's clock still reads (the watcher
       * keeps the command's, its pidfd wakes us for the others'). */
      if ((p->exited && p->ended_ns == G_MININT64) || p->status == PROC_DROPPED)
        continue;
      if (!p->has_cpu_clock)
        p->has_cpu_clock = clock_getcpuclockid (p->pid, &p->cpu_clock) == 0;
      if (p->has_cpu_clock && clock_gettime (p->cpu_clock, &ts) == 0)
        {
          p->cpu_now_ns = ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
          p->cpu_last_ns = p->cpu_now_ns;
          p->cpu_last_read_ns = il_clock_now_ns ();
          p->final_read = p->exited;
        }
    }

  /* Its live threads as read now, and what those that ended since the last sample ran. */
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;
      const PlaceSample *s;

      if (th->proc == NULL || th->first_tick < 0 || th->last_tick != tick || th->samples == NULL)
        continue;
      s = &th->samples[tick % PLACE_RING];
      if (!th->gone)
        th->proc->live_ns += (gint64) s->run;
      else
        {
          /* Ended at this sample: its final figures, or as far as it was last read. */
          th->proc->ended_known_ns += (gint64) s->run;
          th->proc->n_ended_unread += th->gone_unread == tick;
        }
    }

  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;
      gint64 ended;

      p->missing_ns = 0;
      if (p->cpu_now_ns == G_MININT64)
        {
          p->ended_ns = G_MININT64;
          continue;
        }
      ended = p->cpu_now_ns - p->live_ns;
      if (p->ended_ns != G_MININT64 && p->n_ended_unread > 0)
        p->missing_ns = (ended - p->ended_ns - p->ended_known_ns) / p->n_ended_unread;
      /* No thread of it ended, and its clock counts more than its threads: one the last scan had
       * not found runs, or ran and ended. Its threads are listed at the next sample (not at the
       * next scan, 5 ms on): found, what it ran before goes in the intervals not laid out yet. */
      else if (p->ended_ns != G_MININT64 && !p->exited &&
               ended - p->ended_ns - p->ended_known_ns > UNSEEN_NS)
        p->tasks_soon = TRUE;
      p->ended_ns = p->exited ? G_MININT64 : ended;
      p->ended_last_ns = ended;
    }

  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;
      PlaceSample *s;
      gint64 last_seen, add;

      if (th->gone_unread != tick || th->proc == NULL || th->proc->missing_ns <= 0 || th->first_tick >= tick)
        continue;
      s = &th->samples[tick % PLACE_RING];
      last_seen = self->place_times[(tick - 1) % PLACE_RING];
      /* It ran at most all the time since its last sample. */
      add = MIN (th->proc->missing_ns, now - last_seen);
      s->run += (guint64) add;
    }
  account_reaped (self, tick);
}

/* Sets the placement up and reads every core's scheduler clock (moving the tracer to each):
 * before the program is let go, so its first milliseconds are not spent waiting for that. */
void
il_program_sampled_prepare (IlProgram *self)
{
  if (self->place_asks != NULL)
    return;
  il_program_place_init (self);
  self->place_placed = 0;
  self->place_arrived = 0;
  read_clocks (self, il_clock_now_ns (), 0);
}

/* Sleeps until @until; sampled, or until a process of the program ends: the next sample reads its
 * threads' last figures while it is a zombie, before its parent reaps it. A child reaped before
 * the tracer's next sample is gone with what it ran since the last one (a process that burned
 * for 570 ms was drawn 17-26 ms short beside a test suite: its parent's join() reaped it first);
 * the kernel tells its end to a pidfd as it tells the parent. */
void
il_program_wait (IlProgram *self, gint64 until)
{
  struct pollfd fds[64];
  Proc *of[G_N_ELEMENTS (fds)];
  nfds_t n = 0;
  GHashTableIter iter;
  gpointer value;
  gint64 now;

  g_hash_table_iter_init (&iter, self->procs);
  while (self->capture == IL_CAPTURE_SAMPLED && g_hash_table_iter_next (&iter, NULL, &value) &&
         n < G_N_ELEMENTS (fds))
    {
      Proc *p = value;

      if (p->exited || p->pid == self->root)
        {
          if (p->pidfd >= 0)
            close (p->pidfd);
          p->pidfd = p->pidfd == -2 ? -2 : -3;
          continue;
        }
      if (p->pidfd == -1)
        {
          p->pidfd = (int) syscall (SYS_pidfd_open, p->pid, 0);
          if (p->pidfd < 0)
            p->pidfd = -2;
        }
      if (p->pidfd >= 0)
        {
          of[n] = p;
          fds[n++] = (struct pollfd) { p->pidfd, POLLIN, 0 };
        }
    }
  now = il_clock_now_ns ();
  if (until <= now)
    return;
  if (n > 0)
    {
      struct timespec rel = { (until - now) / G_GINT64_CONSTANT (1000000000),
                              (until - now) % G_GINT64_CONSTANT (1000000000) };

      if (ppoll (fds, n, &rel, NULL) > 0)
        /* Told once: the next sample finds it ended (a zombie, or gone). */
        for (nfds_t i = 0; i < n; i++)
          if (fds[i].revents != 0)
            {
              close (of[i]->pidfd);
              of[i]->pidfd = -3;
            }
      return;
    }
  {
    struct timespec ts = { until / G_GINT64_CONSTANT (1000000000), until % G_GINT64_CONSTANT (1000000000) };

    while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
      ;
  }
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

  il_program_sampled_prepare (self);
  read_clocks (self, now, tick);
  /* The sample's instant is when its reads begin, and they are taken together: if the tracer
   * lost its core in between (for 20-100 ms on a loaded machine), what it read after that is
   * later than the instant it is laid out at. The sample is then read again from a new instant,
   * those read already too (a thread that ended in between was read last then, its final
   * counter before the new instant). Without this, a thread that ended while the tracer was
   * away had its time after the instant, up to its end, dropped: 40 ms of a process's 570 on
   * this 2-core VM beside a test suite. */
  for (int pass = 0;; pass++)
    {
      gboolean late = FALSE;
      gint64 read_ns;

      now = read_ns = il_clock_now_ns ();
      self->place_times[tick % PLACE_RING] = now;
      self->place_sampler_cpu[tick % PLACE_RING] = sched_getcpu ();
      g_hash_table_iter_init (&iter, self->threads);
      while (!late && g_hash_table_iter_next (&iter, NULL, &value))
        {
          gint64 t;

          sample_thread (self, value, now, tick);
          t = il_clock_now_ns ();
          late = pass < SAMPLE_PASSES - 1 && t - read_ns > SAMPLE_LATE_NS;
          read_ns = t;
        }
      if (!late)
        break;
    }
  account_ended (self, tick);
  while (self->place_placed < (last ? tick : tick - PLACE_AHEAD))
    il_program_place (self, ++self->place_placed);
}
