/* il-program-place.c: the sampled capture's placement of running time on the machine's cores. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where perf is refused, /proc tells how long each thread ran and waited between two samples
 * (schedstat, exact) but not when or where. Each sample's running time of every thread is laid
 * out together here, on the cores the program may use, so that no core holds two threads at
 * once and no instant has more running threads than cores: what does not fit waits (ready) and
 * is carried into the next interval, so each thread's total stays exact to about an interval.
 * Biggest asks first, each on its last core first, then wherever time is free; one thread's
 * pieces never overlap in time. */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-program-private.h"

/* The cores a traced program may run on: the command's affinity (inherited by what it starts),
 * within those the machine counts. */
void
il_program_place_init (IlProgram *self)
{
  guint n = MAX (il_cpu_count (), 1);
  cpu_set_t set;
  gboolean have = self->root > 0 && sched_getaffinity (self->root, sizeof set, &set) == 0;

  self->place_cpu_index = g_new (int, n);
  self->place_cpus = g_new (int, n);
  self->place_n_cpus = 0;
  for (guint c = 0; c < n; c++)
    {
      self->place_cpu_index[c] = -1;
      if (have && c < CPU_SETSIZE && !CPU_ISSET (c, &set))
        continue;
      self->place_cpu_index[c] = (int) self->place_n_cpus;
      self->place_cpus[self->place_n_cpus++] = (int) c;
    }
  if (self->place_n_cpus == 0)
    for (guint c = 0; c < n; c++)
      {
        self->place_cpu_index[c] = (int) c;
        self->place_cpus[self->place_n_cpus++] = (int) c;
      }
  self->place_busy = g_new (GArray *, self->place_n_cpus);
  for (guint c = 0; c < self->place_n_cpus; c++)
    self->place_busy[c] = g_array_new (FALSE, FALSE, sizeof (PlacePiece));
  self->place_asks = g_array_new (FALSE, TRUE, sizeof (PlaceAsk));
  self->place_order = g_ptr_array_new ();
  self->place_gaps = g_array_new (FALSE, FALSE, sizeof (PlacePiece));
  self->place_fd_sched = open ("/proc/thread-self/sched", O_RDONLY | O_CLOEXEC);
  self->place_clocks = g_new (PlaceClock, self->place_n_cpus);
  for (guint c = 0; c < self->place_n_cpus; c++)
    self->place_clocks[c] = (PlaceClock) { G_MAXINT64, G_MAXINT64, 0 };
}

void
il_program_place_free (IlProgram *self)
{
  for (guint c = 0; self->place_busy != NULL && c < self->place_n_cpus; c++)
    g_array_unref (self->place_busy[c]);
  g_clear_pointer (&self->place_busy, g_free);
  g_clear_pointer (&self->place_cpus, g_free);
  g_clear_pointer (&self->place_cpu_index, g_free);
  g_clear_pointer (&self->place_asks, g_array_unref);
  g_clear_pointer (&self->place_order, g_ptr_array_unref);
  g_clear_pointer (&self->place_gaps, g_array_unref);
  g_clear_pointer (&self->place_clocks, g_free);
  if (self->place_fd_sched >= 0)
    close (self->place_fd_sched);
  self->place_fd_sched = -1;
}

/* The core index (into place_cpus) of a CPU number, or -1. */
int
il_program_place_cpu_index (IlProgram *self, int cpu)
{
  if (cpu < 0 || self->place_cpu_index == NULL || (guint) cpu >= MAX (il_cpu_count (), 1))
    return -1;
  return self->place_cpu_index[cpu];
}

static int
compare_pieces (gconstpointer a, gconstpointer b)
{
  const PlacePiece *x = a, *y = b;

  return x->s < y->s ? -1 : x->s > y->s;
}

/* Threads that ended first: what they are not given now is lost with them (what another does
 * not get waits and is carried into its next interval). Then bigger asks (they are the hardest
 * to fit), then who the counters say is furthest behind: among threads that all want the whole
 * interval, the kernel's own choice. */
static int
compare_asks (gconstpointer a, gconstpointer b)
{
  const PlaceAsk *x = *(PlaceAsk *const *) a, *y = *(PlaceAsk *const *) b;

  if (x->th->gone != y->th->gone)
    return x->th->gone ? -1 : 1;
  if (x->want != y->want)
    return x->want > y->want ? -1 : 1;
  if (x->debt != y->debt)
    return x->debt > y->debt ? -1 : 1;
  return x->th->tid < y->th->tid ? -1 : x->th->tid > y->th->tid;
}

/* Joins sorted @pieces that overlap or touch, so that they are disjoint and in order by end as
 * well as by start. What is taken mixes the core's pieces with the thread's own on other cores,
 * and one of those can lie inside another (the thread's long piece on core 1 around a short one
 * of another thread on core 0): walking back from the interval's end, the free time before a
 * piece is then not after the previous piece's end, and a late thread was laid over another
 * thread's piece (three running on two CPUs) or over its own. Disjoint, both walks see only
 * free time, so no core ever holds two pieces at once and a thread never runs twice at once:
 * by construction, at most as many running at any instant as there are cores. */
static void
merge_pieces (GArray *pieces)
{
  guint n = 0;

  for (guint i = 0; i < pieces->len; i++)
    {
      const PlacePiece *p = &g_array_index (pieces, PlacePiece, i);
      PlacePiece *last = n > 0 ? &g_array_index (pieces, PlacePiece, n - 1) : NULL;

      if (last != NULL && p->s <= last->e)
        last->e = MAX (last->e, p->e);
      else
        g_array_index (pieces, PlacePiece, n++) = *p;
    }
  g_array_set_size (pieces, n);
}

/* Gives @ask up to @rest of core @c's free time in its interval, time the thread does not already
 * have on another core; from the left, or from the right for a thread that woke in it. */
static gint64
take (IlProgram *self, PlaceAsk *ask, guint c, gint64 rest)
{
  GArray *busy = self->place_busy[c], *gaps = self->place_gaps;
  gint64 got = 0, t;

  /* What is taken: the core's pieces and the thread's own, merged in time order. */
  g_array_set_size (gaps, 0);
  for (guint i = 0; i < busy->len; i++)
    {
      const PlacePiece *p = &g_array_index (busy, PlacePiece, i);
      if (p->e > ask->a && p->s < ask->b)
        g_array_append_val (gaps, *p);
    }
  for (guint i = 0; i < ask->n_pieces; i++)
    g_array_append_val (gaps, ask->pieces[i]);
  for (guint i = 0; i < ask->n_holes; i++)
    g_array_append_val (gaps, ask->holes[i]);
  /* One thread of a process holds its GIL at a time: another that runs only holding it does
   * not run beside it, on any core. */
  for (guint i = 0; ask->gil && i < self->place_asks->len; i++)
    {
      const PlaceAsk *o = &g_array_index (self->place_asks, PlaceAsk, i);

      if (o != ask && o->gil && o->th->proc == ask->th->proc)
        for (guint j = 0; j < o->n_pieces; j++)
          g_array_append_val (gaps, o->pieces[j]);
    }
  g_array_sort (gaps, compare_pieces);
  merge_pieces (gaps);

  if (!ask->late)
    {
      t = ask->a;
      for (guint i = 0; i <= gaps->len && rest > 0 && ask->n_pieces < PLACE_MAX_PIECES; i++)
        {
          gint64 e = i < gaps->len ? MIN (g_array_index (gaps, PlacePiece, i).s, ask->b) : ask->b;
          gint64 k = MIN (e - t, rest);

          if (k > 0)
            {
              PlacePiece p = { t, t + k, self->place_cpus[c] };
              ask->pieces[ask->n_pieces++] = p;
              g_array_append_val (busy, p);
              rest -= k;
              got += k;
            }
          if (i < gaps->len)
            t = MAX (t, g_array_index (gaps, PlacePiece, i).e);
        }
    }
  else
    {
      t = ask->b;
      for (guint i = gaps->len + 1; i-- > 0 && rest > 0 && ask->n_pieces < PLACE_MAX_PIECES;)
        {
          gint64 s = i > 0 ? MAX (g_array_index (gaps, PlacePiece, i - 1).e, ask->a) : ask->a;
          gint64 k = MIN (t - s, rest);

          if (k > 0)
            {
              PlacePiece p = { t - k, t, self->place_cpus[c] };
              ask->pieces[ask->n_pieces++] = p;
              g_array_append_val (busy, p);
              rest -= k;
              got += k;
            }
          if (i > 0)
            t = MIN (t, g_array_index (gaps, PlacePiece, i - 1).s);
        }
    }
  return got;
}

/* Gives @ask up to @rest of the interval's free time: on its last core first, then on any. */
static gint64
take_anywhere (IlProgram *self, PlaceAsk *ask, gint64 rest)
{
  gint64 got = 0;

  if (ask->cpu >= 0)
    got += take (self, ask, (guint) ask->cpu, rest);
  for (guint c = 0; c < self->place_n_cpus && got < rest; c++)
    if ((int) c != ask->cpu)
      got += take (self, ask, c, rest - got);
  return got;
}

/* Lays [from, to) of @ask's time that is not running out as its states: @first_ns of @first,
 * then @second (consumed as the walk goes). */
static void
emit_rest (IlProgram *self, PlaceAsk *ask, gint64 from, gint64 to, guint8 first, gint64 *first_ns,
           guint8 second)
{
  gint64 k = MIN (to - from, *first_ns);

  if (k > 0)
    {
      if (first != NO_REASON)
        il_program_emit (self, ask->th, first, -1, from, from + k);
      *first_ns -= k;
      from += k;
    }
  /* A thread that ended has nothing after its end. */
  if (to > from && second != NO_REASON)
    il_program_emit (self, ask->th, second, -1, from, to);
}

/* Emits one thread's interval: its running pieces where they were placed, and between them its
 * run-queue time and what it blocked on, in the order its states at both samples tell. */
static void
emit_ask (IlProgram *self, PlaceAsk *ask)
{
  Thread *th = ask->th;
  gint64 got = 0, nonrun, ready, blocked, t = ask->a, *first_ns;
  guint8 blocked_code = ask->was_blocked ? ask->block_before : ask->block;
  guint8 first, second;

  qsort (ask->pieces, ask->n_pieces, sizeof ask->pieces[0], compare_pieces);
  for (guint i = 0; i < ask->n_pieces; i++)
    got += ask->pieces[i].e - ask->pieces[i].s;
  nonrun = ask->b - ask->a - got;
  if (!ask->was_blocked && !ask->is_blocked)
    ready = nonrun;     /* runnable throughout: off a core is waiting for one */
  else
    /* Run-queue time by the counter, and running that found no free core. */
    ready = CLAMP (ask->dwait + (ask->is_blocked && ask->was_blocked ? 0 : ask->want - got), 0, nonrun);
  blocked = nonrun - ready;
  th->run_ns += (guint64) got;
  th->wait_ns += (guint64) ready;

  /* Woke in it: blocked, then waited, then ran; otherwise ran, waited, then blocked. */
  if (ask->was_blocked)
    {
      first = blocked_code;
      first_ns = &blocked;
      second = IL_STATE_READY;
    }
  else
    {
      first = IL_STATE_READY;
      first_ns = &ready;
      second = blocked_code;
    }
  for (guint i = 0; i < ask->n_pieces; i++)
    {
      const PlacePiece *p = &ask->pieces[i];

      emit_rest (self, ask, t, p->s, first, first_ns, second);
      il_program_emit (self, th, IL_STATE_RUNNING, p->cpu, p->s, p->e);
      t = p->e;
    }
  emit_rest (self, ask, t, ask->b, first, first_ns, second);
}

/* Estimates when @th got a CPU in the interval up to sample @k, into the sample's arrive (-1:
 * it did not). schedstat adds each run-queue wait W as it ends, at an arrival. A thread that was
 * runnable at the interval's start on the CPU the tracer took that sample on, and waited less
 * than the interval, most often began waiting right then: the tracer, woken there, took its CPU
 * (half of those arrivals came within 25 us of the start plus W, against the kernel's record on a
 * loaded 2-core machine). Otherwise it was preempted, or woken (another thread let go of a lock or
 * the GIL), somewhere inside, then waited W: the middle of what is left (the start plus W was off
 * by 1.1 ms on average there, the middle by 0.76). A wait longer than the interval: its middle.
 * Tried and dropped: the arrival as the previous one plus the run and wait counted between (per
 * thread, or for a woken thread the block of the GIL's last holder plus W): a running thread's
 * counter lags up to a tick, and those placed worse than the middle. */
static void
estimate_arrival (IlProgram *self, Thread *th, gint64 k)
{
  const PlaceSample *p = &th->samples[(k - 1) % PLACE_RING];
  PlaceSample *q = &th->samples[k % PLACE_RING];
  gint64 from = self->place_times[(k - 1) % PLACE_RING], to = self->place_times[k % PLACE_RING];
  gint64 waited = (gint64) (q->wait - p->wait);

  if (q->pcount == p->pcount)
    q->arrive = -1;
  else if (waited > to - from)
    q->arrive = from / 2 + to / 2;
  else if (p->state != 'S' && p->cpu >= 0 && p->cpu == self->place_sampler_cpu[(k - 1) % PLACE_RING])
    q->arrive = from + waited;
  else
    q->arrive = (from + waited) / 2 + to / 2;
}

/* Arrivals up to the newest sample, each estimated once. */
static void
estimate_arrivals (IlProgram *self)
{
  GHashTableIter iter;
  gpointer value;

  for (gint64 k = self->place_arrived + 1; k < self->place_tick; k++)
    {
      g_hash_table_iter_init (&iter, self->threads);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Thread *th = value;

          if (k > th->first_tick && k <= th->last_tick)
            estimate_arrival (self, th, k);
        }
      self->place_arrived = k;
    }
}

/* Whether @th runs only while it holds its process's GIL: of the stack samples that saw it
 * runnable, two in three or more held it (pure Python threads: 70-80 % on a loaded 2-core
 * machine, the rest woken and not yet holding it; a thread in hashlib or numpy, which lets it go
 * and runs beside the holder: 1 %). Counted as the sampler adds them (every 5 ms). */
static gboolean
gil_bound (IlProgram *self, Thread *th)
{
  IlStackSample s;
  gint64 pid, tid;
  guint n;

  if (self->stacks == NULL)
    return FALSE;
  for (; th->gil_index < 0 && th->gil_seen < il_trace_stacks_get_n_threads (self->stacks); th->gil_seen++)
    {
      il_trace_stacks_get_thread (self->stacks, th->gil_seen, &pid, &tid, &n);
      if (pid == th->pid && tid == th->tid)
        th->gil_index = (int) th->gil_seen;
    }
  if (th->gil_index < 0)
    return FALSE;
  while (il_trace_stacks_get_thread_sample (self->stacks, (guint) th->gil_index, th->gil_read, &s))
    {
      th->gil_read++;
      if (s.on_cpu)
        {
          th->gil_held += s.holds_gil;
          th->gil_free += !s.holds_gil;
        }
    }
  return th->gil_held >= 3 && th->gil_held >= 2 * th->gil_free;
}

/* Adds where @ask's thread ran, [s, e) on core @cpu, to its fixed pieces: what lies in its
 * interval; what lies after goes into @out (at most 2), laid out with the next interval. */
static void
fix_piece (PlaceAsk *ask, gint64 s, gint64 e, int cpu, PlacePiece *out, guint *n_out)
{
  gint64 fs = MAX (s, ask->a), fe = MIN (e, ask->b);

  if (fe > fs && ask->n_fixed < G_N_ELEMENTS (ask->fixed))
    ask->fixed[ask->n_fixed++] = (PlacePiece) { fs, fe, cpu };
  if (e > MAX (s, ask->b) && *n_out < 2)
    {
      out[*n_out] = (PlacePiece) { MAX (s, ask->b), e, cpu };
      ask->carried += e - MAX (s, ask->b);
      (*n_out)++;
    }
}

/* Where @th ran in [a, b), from /proc/…/sched at both samples. Each was read a little after its
 * sample's instant (by µs, more when the tracer lost its core while reading), and describes the
 * thread as it was then: what the two readings tell is for [A, B), the instants they were read;
 * its part after b was kept for this interval by the one before (carried), and its part after b
 * is kept for the next. The scheduler brings a thread's runtime up to date (at estart) as it
 * takes a core, as it leaves one and at its core's tick: off a core, estart is when it left; on
 * one when read, it has run since estart. So:
 * - on a core at A and not off it since: it ran from A up to when it left (or to B);
 * - off at A and got a core once: it ran for what its runtime grew, up to when it left (or B);
 * - on at A and at B, off once between: from A, then from estart to B (estart is when it got its
 *   core back unless a tick came since: then the gap is drawn later by as much);
 * - off at A and B, no core in between: it did not run.
 * Those are all of it (exact, with [a, A) exact too or under 50 µs). Otherwise what is known is
 * fixed and the rest estimated: on a core at B, it ran from estart to B; off it, it ran nothing
 * after estart (a hole). On this 2-core VM the exact intervals were within 10 µs of the kernel's
 * record at each end. Reading each sample at its instant instead left a third of a loaded
 * program's intervals with one arrival estimated: the thread came or left between the two. */
static void
known_pieces (IlProgram *self, Thread *th, const PlaceSample *s0, const PlaceSample *s1, PlaceAsk *ask)
{
  guint64 arrivals = s1->pcount - s0->pcount;
  gint64 A = s0->read, B = s1->read, ran = (gint64) (s1->run - s0->run), e1 = s1->estart, end;
  int cpu0 = il_program_place_cpu_index (self, s0->cpu), cpu1 = il_program_place_cpu_index (self, s1->cpu);
  gboolean before = th->carry_exact || A - ask->a <= KNOWN_GAP_NS;
  PlacePiece out[2];
  guint n_out = 0;

  /* What the interval before knew of this one. */
  for (guint i = 0; i < th->n_carry; i++)
    fix_piece (ask, th->carry_s[i], th->carry_e[i], th->carry_cpu[i], out, &n_out);
  th->carry_exact = FALSE;

  if (s0->on < 0 || s1->on < 0 || s0->estart < 0 || e1 < 0 || e1 > B || ran < 0 || B < A ||
      s0->estart > A || (!s0->on && s1->on && arrivals == 0) ||
      (s0->on && !s1->on && arrivals == 0 && e1 < A))
    goto done;
  end = s1->on ? B : e1;
  if (!s0->on && arrivals == 0)
    th->carry_exact = TRUE;   /* did not run */
  else if (s0->on && arrivals == 0 && cpu0 >= 0)
    {
      th->carry_exact = TRUE;
      fix_piece (ask, A, end, cpu0, out, &n_out);
    }
  else if (!s0->on && arrivals == 1 && cpu1 >= 0)
    {
      th->carry_exact = TRUE;
      fix_piece (ask, MAX (end - ran, A), end, cpu1, out, &n_out);
    }
  else if (s0->on && s1->on && arrivals == 1 && e1 >= A && cpu0 >= 0 && cpu1 >= 0 &&
           ran - (B - e1) >= 0 && A + ran - (B - e1) <= e1)
    {
      /* Left its core at A + what it ran before it got it back at e1. */
      th->carry_exact = TRUE;
      fix_piece (ask, A, A + ran - (B - e1), cpu0, out, &n_out);
      fix_piece (ask, e1, B, cpu1, out, &n_out);
    }
  else if (s1->on && cpu1 >= 0)
    fix_piece (ask, MAX (e1, A), B, cpu1, out, &n_out);
  else if (!s1->on && MAX (e1, ask->a) < ask->b && ask->n_holes < PLACE_MAX_HOLES)
    ask->holes[ask->n_holes++] = (PlacePiece) { MAX (e1, ask->a), ask->b, -1 };

done:
  ask->exact = th->carry_exact && before;
  th->n_carry = n_out;
  for (guint i = 0; i < n_out; i++)
    {
      th->carry_s[i] = out[i].s;
      th->carry_e[i] = out[i].e;
      th->carry_cpu[i] = out[i].cpu;
    }
}

/* What @th asks of the interval that ends at sample @m: from the samples at both ends, and the
 * newest one, up to PLACE_AHEAD later. */
static void
ask_for (IlProgram *self, Thread *th, gint64 m)
{
  const PlaceSample *s0, *s1, *ahead;
  gint64 a, b, len, debt, ahead_ns, arrive = -1, holes = 0;
  PlaceAsk *ask;

  if (th->first_tick < 0 || th->placed_tick != m - 1 || th->last_tick < m)
    return;
  s0 = &th->samples[(m - 1) % PLACE_RING];
  s1 = &th->samples[m % PLACE_RING];
  ahead = &th->samples[th->last_tick % PLACE_RING];
  a = self->place_times[(m - 1) % PLACE_RING];
  b = self->place_times[m % PLACE_RING];
  len = b - a;
  if (len <= 0)
    {
      th->placed_tick = m;
      return;
    }

  /* Read as a zombie: nothing after it left its core for good. */
  if (th->final_exact && m == th->last_tick && s1->estart >= 0 && s1->estart < b)
    {
      b = MAX (s1->estart, a);
      len = b - a;
      if (len <= 0)
        {
          th->placed_tick = m;
          return;
        }
    }
  g_array_set_size (self->place_asks, self->place_asks->len + 1);
  ask = &g_array_index (self->place_asks, PlaceAsk, self->place_asks->len - 1);
  memset (ask, 0, sizeof *ask);
  ask->th = th;
  ask->a = a;
  ask->b = b;
  ask->was_blocked = s0->state == 'S';
  ask->is_blocked = s1->state != 'R';   /* 'S' blocked, 'X' ended */
  ask->block_before = s0->block;
  ask->block = s1->block;
  ask->cpu = il_program_place_cpu_index (self, s1->cpu);
  ask->late = ask->was_blocked && !ask->is_blocked;
  ask->gil = th->proc != NULL && gil_bound (self, th);
  /* th->run_ns and wait_ns are what was laid out so far. Its counter at the interval's end is
   * what it surely ran by then (a running thread's lags); the newest one, samples later, is at
   * least what it ran by then (the lag is shorter than the look ahead), and a bound: nothing is
   * laid out that the kernel did not count. */
  debt = (gint64) (s1->run - th->run_ns);
  ahead_ns = (gint64) (ahead->run - th->run_ns);
  ask->debt = debt;
  ask->dwait = CLAMP ((gint64) (s1->wait - th->wait_ns), 0, len);
  /* A thread gets a CPU at an arrival (schedstat counts them), after waiting in the run queue
   * for what its wait counter adds then; it runs from there until its next wait or block. So
   * each arrival here or in the samples ahead tells where it waited before: a hole in its
   * running. All of them, not the next one only: a thread preempted again after it got its CPU
   * back here waits in this interval too (a sampler that waited for a CPU itself makes long
   * intervals). */
  for (gint64 j = m; j <= th->last_tick && !(ask->was_blocked && ask->is_blocked); j++)
    {
      const PlaceSample *p = &th->samples[(j - 1) % PLACE_RING], *q = &th->samples[j % PLACE_RING];

      if (q->pcount != p->pcount && q->arrive >= 0)
        {
          gint64 w = (gint64) (q->wait - p->wait);
          PlacePiece hole = { MAX (q->arrive - w, a), MIN (q->arrive, b), -1 };

          if (arrive < 0)
            arrive = q->arrive;
          if (q->arrive - w >= b || ask->n_holes == PLACE_MAX_HOLES)
            break;
          if (hole.e > hole.s)
            {
              ask->holes[ask->n_holes++] = hole;
              holes += hole.e - hole.s;
            }
        }
      if (q->state != 'R')
        break;
    }
  if (!ask->was_blocked && !ask->is_blocked)
    /* Runnable throughout: on a CPU but where it waited for one. */
    ask->want = MAX (debt, MIN (len - holes, ahead_ns));
  else if (ask->was_blocked && !ask->is_blocked)
    {
      /* Woke in it: ran from its arrival, if it had one here, on, but where it waited again. */
      gint64 run = arrive >= 0 && arrive <= b ? b - arrive : 0;

      for (guint i = 0; i < ask->n_holes; i++)
        run -= MAX (ask->holes[i].e - MAX (ask->holes[i].s, arrive), 0);
      ask->want = MAX (debt, MIN (MAX (run, 0), ahead_ns));
    }
  else
    ask->want = debt;
  /* A thread that ended has its last counter in hand: what it ran and is not laid out yet is
   * spread over its intervals left, not left to the last one, which could not hold it all. */
  if (th->gone && !th->final_exact && !(ask->was_blocked && ask->is_blocked))
    ask->want = MAX (ask->want, MIN (ahead_ns / (th->last_tick - m + 1), len));
  ask->want = CLAMP (ask->want, 0, len);
  if (!th->gone || th->final_exact)
    {
      gint64 fixed = 0;

      known_pieces (self, th, s0, s1, ask);
      for (guint i = 0; i < ask->n_fixed; i++)
        fixed += ask->fixed[i].e - ask->fixed[i].s;
      if (ask->exact)
        {
          /* Its own time, not an estimate: no holes to keep clear, no holder of the GIL. What
           * its counter says it ran before and was not laid out (it ran before the tracer found
           * it, 5 ms or more under load) goes where it is free, as estimated intervals do: a
           * thread's total stays its counter's. */
          ask->want = MAX (fixed, MIN (debt - ask->carried, len));
          ask->n_holes = 0;
          ask->gil = FALSE;
        }
      else if (s0->estart >= 0 && s1->estart >= 0)
        /* Its counters are exact at both reads (not lagging): it ran what they grew, no more;
         * the look ahead would lay out here what it runs in later intervals. */
        ask->want = CLAMP (MAX (debt - ask->carried, fixed), 0, len);
      else
        ask->want = CLAMP (MAX (ask->want, fixed), 0, len);
    }
}

/* Lays out the interval that ends at sample @m: every thread's ask, placed together, then
 * emitted. Threads that ended are flushed once their last interval is laid out. */
void
il_program_place (IlProgram *self, gint64 m)
{
  GArray *asks = self->place_asks;
  GPtrArray *order = self->place_order;
  GHashTableIter iter;
  gpointer value;

  estimate_arrivals (self);
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ask_for (self, value, m);

  for (guint c = 0; c < self->place_n_cpus; c++)
    g_array_set_size (self->place_busy[c], 0);
  g_ptr_array_set_size (order, 0);
  for (guint i = 0; i < asks->len; i++)
    g_ptr_array_add (order, &g_array_index (asks, PlaceAsk, i));
  g_ptr_array_sort (order, compare_asks);

  /* Where threads surely ran goes first: at its time, on its core. Two such never overlap but
   * by the µs of reading them one after the other; that little waits, as it would below. */
  for (guint i = 0; i < order->len; i++)
    {
      PlaceAsk *ask = g_ptr_array_index (order, i);
      gint64 a = ask->a, b = ask->b;
      guint n_holes = ask->n_holes;
      gboolean gil = ask->gil;

      ask->n_holes = 0;   /* estimates: what is known is not kept from them */
      ask->gil = FALSE;
      for (guint k = 0; k < ask->n_fixed; k++)
        {
          ask->a = ask->fixed[k].s;
          ask->b = ask->fixed[k].e;
          ask->got_fixed += take (self, ask, (guint) ask->fixed[k].cpu, ask->b - ask->a);
        }
      ask->a = a;
      ask->b = b;
      ask->n_holes = n_holes;
      ask->gil = gil;
    }
  for (guint i = 0; i < order->len; i++)
    {
      PlaceAsk *ask = g_ptr_array_index (order, i);
      gint64 rest = ask->want - ask->got_fixed, owed;

      if (rest <= 0)
        continue;
      rest -= take_anywhere (self, ask, rest);
      /* Its holes and the GIL's holder are estimates, its counter is not: what the counter says
       * it ran by the end of the interval (or, for a thread that ended, in the intervals it has
       * left) and did not fit beside them goes there rather than be carried on, and lost at its
       * end. */
      owed = ask->th->gone ? rest : MIN (rest, ask->debt - (ask->want - rest));
      if (owed > 0 && (ask->n_holes > 0 || ask->gil))
        {
          ask->n_holes = 0;
          ask->gil = FALSE;
          take_anywhere (self, ask, owed);
        }
    }
  for (guint i = 0; i < asks->len; i++)
    {
      PlaceAsk *ask = &g_array_index (asks, PlaceAsk, i);

      emit_ask (self, ask);
      ask->th->placed_tick = m;
    }
  g_array_set_size (asks, 0);

  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;

      if (th->gone && th->placed_tick >= th->last_tick)
        {
          il_program_flush_open (self, th);
          th->gone = FALSE;
        }
    }
}
