/* il-trace-chrome.c: Chrome Trace Event JSON export that consumers (DevTools, speedscope, Perfetto) read exactly. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-cpu-load.h"
#include "il-trace-chrome-nest-private.h"
#include "il-trace-io-private.h"
#include "il-trace-marks.h"

/* What consumers get wrong with naive output, and what this file does about it:
 *
 * - Times are CLOCK_MONOTONIC (clock.origin_ns + start) in microseconds, so an export lines up
 *   with `perf` and Perfetto system traces and no event sits at ts 0 (DevTools starts its window
 *   after those). They lie on a binary grid (below), so that the sums consumers form in doubles
 *   are exact and no span ends past its back-to-back neighbour's start: DevTools dropped such a
 *   neighbour, speedscope nested it.
 * - Per-span numbers stay out of "args" (speedscope keys its frames on name and args).
 * - An imported thread's slices go out depth first, and where its events meet at one instant each
 *   is written a grid step after the one before, so consumers need not guess the nesting
 *   (il-trace-chrome-nest.c).
 * - Metadata has "ts" 0, a process's metadata "tid" 0; "traceEvents" comes before "otherData".
 * - Thread ids are never 0 (some consumers read 0 as "no thread"); traced programs keep their real
 *   pid and tid, the engine's own runs get one process per run with the workers' real tids where
 *   those are unique in the file, and made-up ids that collide with no real one elsewhere.
 * - Core lanes are a process of their own per run; a core runs one thread at a time, so spans that
 *   self-capture placed overlapping on a core are clipped there (never in the worker tracks).
 * - Everything Interleave needs to read the file back exactly (the trace v1 header and, per event,
 *   run, worker, task, CPU and the exact nanoseconds) travels in "otherData" and in each event's
 *   "interleave" member, which consumers ignore. */

/* ------------------------------------------------------------------------------------------------
 * Times: on a binary grid
 *
 * Every time is CLOCK_MONOTONIC rounded to the nearest multiple of 2^-bits microseconds, bits at
 * most 10 (a step of 0.977 ns, so distinct nanoseconds stay distinct), and fewer only when the
 * file's largest time would pass 2^52 steps (an uptime beyond 51 days; a bit is kept for sums).
 * Written as the exact decimal of that multiple, a time parses back to exactly that double; dur is
 * the difference of two grid points, exact too. So the sums and differences consumers form are
 * exact: DevTools' ts + dur, speedscope's (ts - first ts) + dur. A span's end is the same double as
 * the next span's start, and nothing nests in its back-to-back neighbour. */

typedef struct
{
  int bits;   /* the grid is 2^-bits µs; may be negative (2, 4 … µs) for absurd origins */
} Grid;

/* The finest grid on which |@ns| and everything below stays under 2^52 steps (one bit spare for
 * the sums). */
static void
grid_fit (Grid *g, double ns)
{
  while (g->bits > -20 && fabs (ns) / 1000.0 * ldexp (1.0, g->bits) >= ldexp (1.0, 52))
    g->bits--;
}

static void
grid_fit_run (Grid *g, IlRunTrace *run)
{
  double origin = (double) il_run_trace_get_origin_ns (run);
  const IlCpuLoad *load = il_run_trace_get_cpu_load (run);

  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);

      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *s = il_lane_get_span (lane, i);

          grid_fit (g, fabs (origin) + fabs ((double) s->start_ns));
          grid_fit (g, fabs (origin) + fabs ((double) s->end_ns));
        }
    }
  for (guint i = 0; load != NULL && i < il_cpu_load_get_n_cpus (load); i++)
    {
      int cpu = il_cpu_load_get_cpu (load, i);
      guint n = il_cpu_load_get_n_rows (load, cpu);

      if (n > 0)
        grid_fit (g, fabs (origin) + fabs ((double) il_cpu_load_get_row (load, cpu, n - 1)->end_ns));
    }
}

/* Floor division for negative values too. */
static inline void
floor_divmod (gint64 a, gint64 d, gint64 *q, gint64 *r)
{
  *q = a / d;
  *r = a % d;
  if (*r < 0)
    {
      *q -= 1;
      *r += d;
    }
}

/* (@origin + @t) ns as the nearest grid step (halves up), without overflowing for any inputs the
 * grid was fitted to. */
static gint64
grid_steps (const Grid *g, gint64 origin, gint64 t)
{
  gint64 oa, ob, ta, tb, a, b;

  /* Whole microseconds and nanoseconds of each term, added apart so nothing overflows. */
  floor_divmod (origin, 1000, &oa, &ob);
  floor_divmod (t, 1000, &ta, &tb);
  a = oa + ta;
  b = ob + tb;
  if (b >= 1000)
    {
      a += 1;
      b -= 1000;
    }
  if (g->bits >= 0)
    return a * ((gint64) 1 << g->bits) + ((b << g->bits) * 2 + 1000) / 2000;
  else
    {
      gint64 d = (gint64) 1 << -g->bits, q, r;

      /* a µs + b ns in steps of d µs, rounded half up. */
      floor_divmod (a, d, &q, &r);
      return q + (2 * (r * 1000 + b) >= d * 1000);
    }
}

/* Writes @steps grid steps as the exact decimal of their microseconds into @buf (48 bytes). */
static void
grid_format (const Grid *g, gint64 steps, char *buf)
{
  guint64 u = steps < 0 ? (guint64) 0 - (guint64) steps : (guint64) steps;
  gsize len = 0;

  if (steps < 0)
    buf[len++] = '-';
  if (g->bits <= 0)
    {
      g_snprintf (buf + len, 48 - len, "%" G_GUINT64_FORMAT, u << -g->bits);
      return;
    }
  {
    guint64 frac = u & (((guint64) 1 << g->bits) - 1);
    guint64 five = 1;
    int digits = g->bits;

    /* frac / 2^bits = frac * 5^bits / 10^bits: bits decimal digits, trailing zeros dropped. */
    for (int i = 0; i < g->bits; i++)
      five *= 5;
    frac *= five;
    while (digits > 0 && frac % 10 == 0)
      {
        frac /= 10;
        digits--;
      }
    if (digits == 0)
      g_snprintf (buf + len, 48 - len, "%" G_GUINT64_FORMAT, u >> g->bits);
    else
      g_snprintf (buf + len, 48 - len, "%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT,
                  u >> g->bits, digits, frac);
  }
}

/* ------------------------------------------------------------------------------------------------
 * Events */

typedef struct
{
  IlWriter *w;
  gboolean  more;
  Grid      grid;
  const char *args;   /* an imported slice's own "args" for the next worker event, or NULL */
} Out;

static void
begin_event (Out *o)
{
  il_writer_puts (o->w, o->more ? ",\n{" : "\n{");
  o->more = TRUE;
}

/* What every event starts with, in this order: "ph", "cat", "name", "pid", "tid". */
static void
event_head (Out *o, char ph, const char *cat, const char *name, int pid, int tid)
{
  begin_event (o);
  il_writer_puts (o->w, "\"ph\":\"");
  il_writer_putc (o->w, ph);
  il_writer_puts (o->w, "\",\"cat\":");
  il_writer_json_string (o->w, cat);
  il_writer_puts (o->w, ",\"name\":");
  il_writer_json_string (o->w, name);
  il_writer_puts (o->w, ",\"pid\":");
  il_writer_int (o->w, pid);
  il_writer_puts (o->w, ",\"tid\":");
  il_writer_int (o->w, tid);
}

/* Metadata at "ts" 0 (DevTools of 2017 computes its bounds from every event's ts, NaN without);
 * a process's own with "tid" 0 (tracerbench otherwise shows an empty thread of that tid). */
static void
metadata (Out *o, const char *what, int pid, int tid, const char *key, const char *str, int num)
{
  event_head (o, 'M', "__metadata", what, pid, tid);
  il_writer_puts (o->w, ",\"ts\":0,\"args\":{\"");
  il_writer_puts (o->w, key);
  il_writer_puts (o->w, "\":");
  if (str != NULL)
    il_writer_json_string (o->w, str);
  else
    il_writer_int (o->w, num);
  il_writer_puts (o->w, "}}");
}

static void
name_track (Out *o, gboolean process, int pid, int tid, const char *name, int sort_index)
{
  metadata (o, process ? "process_name" : "thread_name", pid, tid, "name", name, 0);
  metadata (o, process ? "process_sort_index" : "thread_sort_index", pid, tid, "sort_index", NULL,
            sort_index);
}

/* One complete event. @core marks the core lanes' copy, which the re-import skips.
 * Nothing that differs from span to span goes in "args": speedscope names a frame by name and
 * args, and would make every span a function of its own. What Interleave needs back (run,
 * worker, task, CPU, the exact nanoseconds) is in a member of its own that consumers ignore. */
static void
x_event (Out *o, const char *name, guint run, int pid, int tid, gint64 start, gint64 end,
         const IlSpan *s, gint64 start_ns, gboolean core)
{
  char ts[48], dur[48], cat[48];

  grid_format (&o->grid, start, ts);
  grid_format (&o->grid, end - start, dur);
  g_snprintf (cat, sizeof cat, "%s%s", il_state_to_string ((IlState) s->state), core ? ",core" : "");
  event_head (o, 'X', cat, name, pid, tid);
  il_writer_puts (o->w, ",\"ts\":");
  il_writer_puts (o->w, ts);
  il_writer_puts (o->w, ",\"dur\":");
  il_writer_puts (o->w, dur);
  /* An imported slice's own arguments go back where the file had them; before "interleave", so
   * the re-import's numbers are Interleave's whatever the arguments are called. */
  if (o->args != NULL && !core)
    {
      il_writer_puts (o->w, ",\"args\":");
      il_writer_puts (o->w, o->args);
    }
  il_writer_puts (o->w, ",\"interleave\":{\"run\":");
  il_writer_int (o->w, run);
  il_writer_puts (o->w, ",\"worker\":");
  il_writer_int (o->w, s->worker);
  il_writer_puts (o->w, ",\"task\":");
  il_writer_int (o->w, s->task);
  il_writer_puts (o->w, ",\"cpu\":");
  il_writer_int (o->w, s->cpu);
  il_writer_puts (o->w, ",\"start_ns\":");
  il_writer_int (o->w, start_ns);
  il_writer_puts (o->w, ",\"end_ns\":");
  il_writer_int (o->w, s->end_ns);
  il_writer_puts (o->w, "}}");
}

static void
span_event (Out *o, const char *name, guint run, int pid, int tid, gint64 origin, const IlSpan *s,
            gint64 start_ns, gboolean core)
{
  x_event (o, name, run, pid, tid, grid_steps (&o->grid, origin, start_ns),
           grid_steps (&o->grid, origin, s->end_ns), s, start_ns, core);
}

/* What other programs (and the hypervisor) took of one CPU, as a counter on its core track: the
 * share of each interval in percent, from its start; 0 after the last. */
static void
counter_event (Out *o, const char *name, int pid, int tid, gint64 origin, gint64 t, double other,
               double steal)
{
  char ts[48], buf[G_ASCII_DTOSTR_BUF_SIZE];

  grid_format (&o->grid, grid_steps (&o->grid, origin, t), ts);
  event_head (o, 'C', "other-programs", name, pid, tid);
  il_writer_puts (o->w, ",\"ts\":");
  il_writer_puts (o->w, ts);
  il_writer_puts (o->w, ",\"args\":{\"other programs %\":");
  il_writer_puts (o->w, g_ascii_formatd (buf, sizeof buf, "%.1f", other));
  il_writer_puts (o->w, ",\"hypervisor %\":");
  il_writer_puts (o->w, g_ascii_formatd (buf, sizeof buf, "%.1f", steal));
  il_writer_puts (o->w, "}}");
}

static void
write_load_counters (Out *o, const IlCpuLoad *load, int pid, const int *core_tids, guint n_cpus,
                     gint64 origin)
{
  for (guint i = 0; i < il_cpu_load_get_n_cpus (load); i++)
    {
      int cpu = il_cpu_load_get_cpu (load, i);
      guint n = il_cpu_load_get_n_rows (load, cpu);
      gint64 end = 0;
      g_autofree char *name = NULL;

      if (cpu < 0 || (guint) cpu >= n_cpus || n == 0)
        continue;
      /* A counter is the process's, whatever its tid: one name per CPU. */
      name = g_strdup_printf (_("CPU %d: other programs"), cpu);
      for (guint k = 0; k < n; k++)
        {
          const IlCpuLoadRow *row = il_cpu_load_get_row (load, cpu, k);
          double len = MAX (row->end_ns - row->start_ns, 1);

          counter_event (o, name, pid, core_tids[cpu], origin, row->start_ns,
                         100.0 * row->other_ns / len, 100.0 * row->steal_ns / len);
          end = row->end_ns;
        }
      counter_event (o, name, pid, core_tids[cpu], origin, end, 0, 0);
    }
}

/* ------------------------------------------------------------------------------------------------
 * Ids: real where they are real and unique, made up where not, never 0, never colliding. */

typedef struct
{
  GHashTable *used;   /* of GINT_TO_POINTER (id) */
  int         next;
} Ids;

static gboolean
ids_claim (Ids *ids, int id)
{
  if (id <= 0 || g_hash_table_contains (ids->used, GINT_TO_POINTER (id)))
    return FALSE;
  g_hash_table_add (ids->used, GINT_TO_POINTER (id));
  return TRUE;
}

static int
ids_make (Ids *ids)
{
  while (!ids_claim (ids, ids->next))
    ids->next++;
  return ids->next;
}

typedef struct
{
  int *pid;   /* per worker */
  int *tid;   /* per worker */
  int  worker_pid;   /* engine runs: the run's process; traced programs: 0 */
  int  core_pid;
  int *core_tids;   /* per CPU */
} RunIds;

static gboolean
run_is_traced (IlRunTrace *run)
{
  return il_run_trace_get_config (run)->executor == IL_EXECUTOR_EXTERNAL;
}

static RunIds *
assign_ids (IlTrace *trace)
{
  guint n_runs = il_trace_get_n_runs (trace);
  RunIds *ids = g_new0 (RunIds, MAX (n_runs, 1));
  Ids pool = { g_hash_table_new (NULL, NULL), 1 };

  /* Traced programs first: their pids and tids are the kernel's and must stay so. */
  for (guint r = 0; r < n_runs; r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);
      guint n = il_run_trace_get_n_workers (run);

      ids[r].pid = g_new0 (int, MAX (n, 1));
      ids[r].tid = g_new0 (int, MAX (n, 1));
      if (!run_is_traced (run))
        continue;
      for (guint w = 0; w < n; w++)
        {
          const IlWorkerInfo *info = il_run_trace_get_worker (run, w);

          /* A thread's rows of nested slices are that thread (below). */
          if (info->depth > 0)
            continue;
          if (info->pid > 0 && info->tid > 0 && ids_claim (&pool, info->tid))
            {
              ids[r].pid[w] = info->pid;
              ids[r].tid[w] = info->tid;
            }
        }
    }
  /* Their pids are taken too, once every real tid is: a process's main thread has the pid as its
   * tid, and must keep it when another of its threads comes first. */
  for (guint r = 0; r < n_runs; r++)
    for (guint w = 0; w < il_run_trace_get_n_workers (il_trace_get_run (trace, r)); w++)
      if (ids[r].pid[w] > 0)
        g_hash_table_add (pool.used, GINT_TO_POINTER (ids[r].pid[w]));
  /* Then the engine's workers' real tids, where unique (async coroutines share one). */
  for (guint r = 0; r < n_runs; r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);

      if (run_is_traced (run))
        continue;
      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        {
          const IlWorkerInfo *info = il_run_trace_get_worker (run, w);

          if (ids_claim (&pool, info->tid))
            ids[r].tid[w] = info->tid;
        }
    }
  /* Made-up ids for everything else. */
  for (guint r = 0; r < n_runs; r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);
      guint n = il_run_trace_get_n_workers (run);
      guint n_cpus = MAX (il_run_trace_get_n_cpus (run), 1);

      if (!run_is_traced (run))
        ids[r].worker_pid = ids_make (&pool);
      for (guint w = 0; w < n; w++)
        {
          const IlWorkerInfo *info = il_run_trace_get_worker (run, w);

          /* Every row of an imported thread (or async track) goes out as that one thread, its
           * slices nested as the file had them; an async track stays in its process. */
          if (info->depth > 0 && w > 0)
            {
              ids[r].tid[w] = ids[r].tid[w - 1];
              ids[r].pid[w] = ids[r].pid[w - 1];
              continue;
            }
          if (ids[r].tid[w] == 0)
            ids[r].tid[w] = ids_make (&pool);
          if (ids[r].pid[w] == 0 && info->async && info->pid > 0)
            ids[r].pid[w] = info->pid;
          if (ids[r].pid[w] == 0)
            ids[r].pid[w] = run_is_traced (run) ? ids[r].tid[w] : ids[r].worker_pid;
        }
      ids[r].core_pid = ids_make (&pool);
      ids[r].core_tids = g_new (int, n_cpus);
      for (guint c = 0; c < n_cpus; c++)
        ids[r].core_tids[c] = ids_make (&pool);
    }
  g_hash_table_unref (pool.used);
  return ids;
}

static void
free_ids (RunIds *ids, guint n_runs)
{
  for (guint r = 0; r < n_runs; r++)
    {
      g_free (ids[r].pid);
      g_free (ids[r].tid);
      g_free (ids[r].core_tids);
    }
  g_free (ids);
}

/* ------------------------------------------------------------------------------------------------
 * Core lanes: the workers' running spans merged by start time (a heap over the lanes), clipped
 * per CPU so a core never holds two threads at once. */

typedef struct
{
  const IlLane *lane;
  guint         index;   /* next span to look at */
  guint         n;
} Cursor;

static const IlSpan *
cursor_peek (Cursor *c, guint n_cpus)
{
  while (c->index < c->n)
    {
      const IlSpan *s = il_lane_get_span (c->lane, c->index);

      if (s->state == IL_STATE_RUNNING && s->cpu >= 0 && (guint) s->cpu < n_cpus)
        return s;
      c->index++;
    }
  return NULL;
}

static gboolean
heap_less (Cursor *cursors, guint *heap, guint a, guint b, guint n_cpus)
{
  const IlSpan *x = cursor_peek (&cursors[heap[a]], n_cpus);
  const IlSpan *y = cursor_peek (&cursors[heap[b]], n_cpus);

  return x->start_ns < y->start_ns || (x->start_ns == y->start_ns && heap[a] < heap[b]);
}

static void
heap_down (Cursor *cursors, guint *heap, guint n, guint i, guint n_cpus)
{
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;

      if (l < n && heap_less (cursors, heap, l, m, n_cpus))
        m = l;
      if (r < n && heap_less (cursors, heap, r, m, n_cpus))
        m = r;
      if (m == i)
        return;
      guint t = heap[i];
      heap[i] = heap[m];
      heap[m] = t;
      i = m;
    }
}

static void
write_core_events (Out *o, IlRunTrace *run, guint r, const RunIds *ids, char **on_core)
{
  guint n_workers = il_run_trace_get_n_workers (run);
  guint n_cpus = MAX (il_run_trace_get_n_cpus (run), 1);
  gint64 origin = il_run_trace_get_origin_ns (run);
  g_autofree Cursor *cursors = g_new0 (Cursor, MAX (n_workers, 1));
  g_autofree guint *heap = g_new (guint, MAX (n_workers, 1));
  g_autofree gint64 *last_end = g_new (gint64, n_cpus);
  guint n = 0;

  for (guint c = 0; c < n_cpus; c++)
    last_end[c] = G_MININT64;
  for (guint w = 0; w < n_workers; w++)
    {
      cursors[w].lane = il_run_trace_get_lane (run, w);
      cursors[w].n = il_lane_get_n_spans (cursors[w].lane);
      if (cursor_peek (&cursors[w], n_cpus) != NULL)
        heap[n++] = w;
    }
  for (guint i = n / 2; i-- > 0;)
    heap_down (cursors, heap, n, i, n_cpus);

  while (n > 0 && o->w->error == NULL)
    {
      Cursor *c = &cursors[heap[0]];
      const IlSpan *s = cursor_peek (c, n_cpus);
      gint64 start = MAX (s->start_ns, last_end[s->cpu]);

      if (start < s->end_ns)
        {
          span_event (o, on_core[s->worker], r, ids->core_pid, ids->core_tids[s->cpu], origin, s,
                      start, TRUE);
          last_end[s->cpu] = s->end_ns;
        }
      c->index++;
      if (cursor_peek (c, n_cpus) == NULL)
        heap[0] = heap[--n];
      heap_down (cursors, heap, n, 0, n_cpus);
    }
}

/* ------------------------------------------------------------------------------------------------
 * What an imported trace said beyond its slices, written back as the file had it: instants as
 * "i", counters as "C", flows as "s"/"f" pairs (one per arrow). The re-import takes them from the
 * trace v1 header, as everything else; these are for the other consumers. */

/* The exported pid of process @pid: that of one of its lanes, else the run's first. */
static int
export_pid (IlRunTrace *run, const RunIds *ids, int pid)
{
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    if (il_run_trace_get_worker (run, w)->pid == pid)
      return ids->pid[w];
  return il_run_trace_get_n_workers (run) > 0 ? ids->pid[0] : ids->core_pid;
}

static void
mark_head (Out *o, char ph, const char *cat, const char *name, int pid, int tid, gint64 origin,
           gint64 t)
{
  char ts[48];

  grid_format (&o->grid, grid_steps (&o->grid, origin, t), ts);
  event_head (o, ph, cat != NULL ? cat : "", name, pid, tid);
  il_writer_puts (o->w, ",\"ts\":");
  il_writer_puts (o->w, ts);
}

static void
write_flow_end (Out *o, IlRunTrace *run, const RunIds *ids, const IlFlow *f, guint i, gboolean end)
{
  int worker = end ? f->to_worker : f->from_worker;
  int pid = worker >= 0 ? ids->pid[worker] : export_pid (run, ids, -1);
  int tid = worker >= 0 ? ids->tid[worker] : pid;

  mark_head (o, end ? 'f' : 's', f->category, f->name, pid, tid, il_run_trace_get_origin_ns (run),
             end ? f->to_ns : f->from_ns);
  /* One id per arrow; "bp": "e" binds the end to the slice it is in, as the start is. */
  il_writer_puts (o->w, end ? ",\"bp\":\"e\",\"id\":" : ",\"id\":");
  il_writer_int (o->w, i + 1);
  il_writer_putc (o->w, '}');
}

static void
write_marks (Out *o, IlRunTrace *run, const RunIds *ids)
{
  gint64 origin = il_run_trace_get_origin_ns (run);
  static const char scopes[] = { 't', 'p', 'g' };

  for (guint i = 0; i < il_run_trace_get_n_instants (run) && o->w->error == NULL; i++)
    {
      const IlInstant *in = il_run_trace_get_instant (run, i);
      int pid = in->worker >= 0 ? ids->pid[in->worker] : export_pid (run, ids, in->pid);
      int tid = in->worker >= 0 ? ids->tid[in->worker] : 0;
      char s[] = ",\"s\":\"t\"";

      mark_head (o, 'i', in->category, in->name, pid, tid, origin, in->ts_ns);
      s[6] = scopes[in->scope];
      il_writer_puts (o->w, s);
      /* "args" {} at least: DevTools' handlers read members of some instants' args (Chromium's
       * MetaCharsetCheck: args.data) and its trace engine throws when there is none. */
      il_writer_puts (o->w, ",\"args\":");
      il_writer_puts (o->w, in->args != NULL ? in->args : "{}");
      il_writer_putc (o->w, '}');
    }
  for (guint i = 0; i < il_run_trace_get_n_counters (run) && o->w->error == NULL; i++)
    {
      const IlCounter *c = il_run_trace_get_counter (run, i);
      int pid = export_pid (run, ids, c->pid);

      for (guint k = 0; k < c->n_points; k++)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          mark_head (o, 'C', c->category, c->name, pid, 0, origin, c->points[k].ts_ns);
          il_writer_puts (o->w, ",\"args\":{");
          il_writer_json_string (o->w, c->key);
          il_writer_putc (o->w, ':');
          il_writer_puts (o->w, g_ascii_dtostr (buf, sizeof buf, c->points[k].value));
          il_writer_puts (o->w, "}}");
        }
    }
  for (guint i = 0; i < il_run_trace_get_n_flows (run) && o->w->error == NULL; i++)
    {
      const IlFlow *f = il_run_trace_get_flow (run, i);

      write_flow_end (o, run, ids, f, i, FALSE);
      if (f->to_worker >= 0)
        write_flow_end (o, run, ids, f, i, TRUE);
    }
}

/* ------------------------------------------------------------------------------------------------
 * An imported trace's threads: every slice is a task (one of length is also a span of its row), and
 * each thread's go out depth first, zero-length ones included, on times that every consumer nests
 * as the import did (il-trace-chrome-nest.c). */

/* Each thread's slices, at its first row's index (the other rows' arrays stay empty). */
static GPtrArray *
thread_slices (Out *o, IlRunTrace *run, gint64 origin)
{
  guint n_workers = il_run_trace_get_n_workers (run);
  GPtrArray *threads = g_ptr_array_new_full (n_workers, (GDestroyNotify) g_array_unref);

  for (guint w = 0; w < n_workers; w++)
    g_ptr_array_add (threads, g_array_new (FALSE, FALSE, sizeof (IlChromeSlice)));
  for (guint t = 0; t < il_run_trace_get_n_tasks (run); t++)
    {
      const IlTaskRecord *task = il_run_trace_get_task (run, t);
      IlChromeSlice c = { t, NULL, NULL, 0, 0, 0, 0 };

      if (task->worker < 0 || (guint) task->worker >= n_workers || task->end_ns < task->start_ns)
        continue;
      c.name = task->name;
      c.args = il_run_trace_get_task_args (run, t);
      c.start = grid_steps (&o->grid, origin, task->start_ns);
      c.end = grid_steps (&o->grid, origin, task->end_ns);
      g_array_append_val (threads->pdata[il_run_trace_get_worker_group (run, (guint) task->worker, NULL)], c);
    }
  return threads;
}

static void
write_thread (Out *o, IlRunTrace *run, guint r, GArray *slices, int pid, int tid)
{
  il_chrome_nest_slices ((IlChromeSlice *) (void *) slices->data, slices->len);
  for (guint i = 0; i < slices->len; i++)
    {
      const IlChromeSlice *c = &g_array_index (slices, IlChromeSlice, i);
      const IlTaskRecord *task = il_run_trace_get_task (run, c->task);
      IlSpan s = { task->start_ns, task->end_ns, (gint32) c->task, IL_STATE_RUNNING,
                   (guint16) task->worker, -1 };

      o->args = il_run_trace_get_task_args (run, c->task);
      x_event (o, task->name != NULL ? task->name : il_state_to_string (IL_STATE_RUNNING), r, pid,
               tid, c->ts, c->te, &s, s.start_ns, FALSE);
      o->args = NULL;
    }
}

/* ------------------------------------------------------------------------------------------------
 * The file */

static gboolean
write_chrome (IlTrace *trace, IlWriter *w)
{
  guint n_runs = il_trace_get_n_runs (trace);
  RunIds *ids = assign_ids (trace);
  Out o = { w, FALSE, { 10 } };
  int sort = 0;

  for (guint r = 0; r < n_runs; r++)
    grid_fit_run (&o.grid, il_trace_get_run (trace, r));
  /* The events first and otherData after (Perfetto before v18 misreads the other order); no
   * displayTimeUnit ("ns" changes what older viewers show, and the units are µs regardless). */
  il_writer_puts (w, "{\"traceEvents\":[");

  for (guint r = 0; r < n_runs && w->error == NULL; r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);
      g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));
      const char *label = il_run_trace_get_label (run) ? il_run_trace_get_label (run) : title;
      guint n_workers = il_run_trace_get_n_workers (run);
      guint n_cpus = MAX (il_run_trace_get_n_cpus (run), 1);
      gint64 origin = il_run_trace_get_origin_ns (run);
      gboolean traced = run_is_traced (run);
      g_autofree char *core_title = g_strdup_printf (_("Run %u: %s — CPU cores"), r + 1, label);
      g_autoptr(GPtrArray) on_core = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GHashTable) named = g_hash_table_new (NULL, NULL);
      g_autoptr(GPtrArray) threads = il_run_trace_get_config (run)->source != NULL
                                       ? thread_slices (&o, run, origin) : NULL;

      if (!traced)
        {
          g_autofree char *worker_title = g_strdup_printf (_("Run %u: %s — workers"), r + 1, label);

          name_track (&o, TRUE, ids[r].worker_pid, 0, worker_title, sort++);
        }

      for (guint wk = 0; wk < n_workers && w->error == NULL; wk++)
        {
          const IlWorkerInfo *info = il_run_trace_get_worker (run, wk);
          const IlLane *lane = il_run_trace_get_lane (run, wk);
          guint n = il_lane_get_n_spans (lane);
          int pid = ids[r].pid[wk];
          int tid = ids[r].tid[wk];

          /* A traced program's processes: named once, in the order their first thread comes. */
          if (traced && !g_hash_table_contains (named, GINT_TO_POINTER (pid)))
            {
              const IlProcessInfo *proc = il_run_trace_find_process (run, pid);
              const char *pname = proc != NULL && proc->name != NULL && *proc->name != '\0'
                                    ? proc->name : NULL;
              g_autofree char *ptitle = NULL;
              g_autofree char *program = NULL;

              /* The program the process ran last (its command), as DevTools lists processes. */
              if (proc != NULL && proc->command != NULL && *proc->command != '\0')
                {
                  g_autofree char *argv0 = g_strndup (proc->command, strcspn (proc->command, " \t\n"));

                  program = g_path_get_basename (argv0);
                  pname = program;
                }

              for (guint k = 0; k < n_workers && pname == NULL; k++)
                if (il_run_trace_get_worker (run, k)->tid == pid)
                  pname = il_run_trace_get_worker (run, k)->name;
              ptitle = g_strdup_printf (_("Run %u: %s — process %d (%s)"), r + 1, label, pid,
                                        pname != NULL ? pname : label);
              name_track (&o, TRUE, pid, 0, ptitle, sort++);
              g_hash_table_add (named, GINT_TO_POINTER (pid));
            }

          /* The trace's own lane names, the same ones the window and the images show; once
           * per thread, whose rows of nested slices follow its first. */
          if (info->depth == 0)
            name_track (&o, FALSE, pid, tid, info->name, (int) wk);
          g_ptr_array_add (on_core, g_strdup (info->name));
          if (threads != NULL)
            {
              write_thread (&o, run, r, threads->pdata[wk], pid, tid);
              continue;
            }

          for (guint i = 0; i < n;)
            {
              const IlSpan *block;
              guint len = il_lane_get_block (lane, i, &block);

              for (guint k = 0; k < len; k++)
                {
                  const IlSpan *s = &block[k];
                  IlTaskRecord *task;

                  /* Idle is the absence of work; leaving it out keeps the tracks readable. */
                  if (s->state == IL_STATE_IDLE)
                    continue;
                  task = s->task >= 0 && (guint) s->task < il_run_trace_get_n_tasks (run)
                           ? il_run_trace_get_task (run, (guint) s->task) : NULL;
                  o.args = task != NULL ? il_run_trace_get_task_args (run, task->id) : NULL;
                  span_event (&o, task != NULL && task->name != NULL
                                    ? task->name : il_state_to_string ((IlState) s->state),
                              r, pid, tid, origin, s, s->start_ns, FALSE);
                  o.args = NULL;
                }
              i += len;
            }
        }

      write_marks (&o, run, &ids[r]);

      /* Core lanes only where the run knows its CPUs (an imported trace may not). */
      if (il_run_trace_has_cpu_data (run))
        {
          name_track (&o, TRUE, ids[r].core_pid, 0, core_title, sort++);
          for (guint cpu = 0; cpu < n_cpus; cpu++)
            {
              g_autofree char *name = g_strdup_printf (_("CPU %u"), cpu);

              name_track (&o, FALSE, ids[r].core_pid, ids[r].core_tids[cpu], name, (int) cpu);
            }
          write_core_events (&o, run, r, &ids[r], (char **) on_core->pdata);
          if (il_run_trace_get_cpu_load (run) != NULL)
            write_load_counters (&o, il_run_trace_get_cpu_load (run), ids[r].core_pid,
                                 ids[r].core_tids, n_cpus, origin);
        }
    }
  il_writer_puts (w, "\n],\"otherData\":{\"interleave\":");
  il_trace_write_v1 (trace, w, 1u << IL_STATE_IDLE);
  il_writer_puts (w, "}}\n");
  free_ids (ids, n_runs);
  return w->error == NULL;
}

gboolean
il_trace_write_chrome (IlTrace       *trace,
                       GOutputStream *stream,
                       const char    *name,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return il_trace_write_stream (trace, stream, name, cancellable, write_chrome, error);
}

gboolean
il_trace_export_chrome (IlTrace *trace, const char *path, GError **error)
{
  return il_trace_write_file (trace, path, write_chrome, error);
}
