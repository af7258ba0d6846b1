/* il-lod.c: multi-resolution lane summaries, kept on the run and extended as spans are appended,
 * and the per-pixel-column reduction the painter draws from, so a frame costs O(columns × lanes). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "il-lod.h"

#define LOD_KEY "il-render-lod"
/* Level 0 aims at one bin per four spans of the lane: with 8-byte bins and every level above
 * adding half as many again, summaries cost about 4 bytes per span. */
#define SPANS_PER_BIN 4
#define MIN_SHIFT 6          /* 64 ns: finer bins would never be read */
/* Times past 2^62 ns (146 years) are drawn as if they ended there, and bins are at most 2^54 ns:
 * then (bin + 1) << shift and a bin's sums times 255 stay far from gint64 overflow, whatever a
 * loaded file claims (a span of 1e18 ns overflowed both). */
#define MAX_SHIFT 54
#define LOD_MAX_NS (G_GINT64_CONSTANT (1) << 62)
#define N_TRACKED 4          /* CPUs and tasks tracked exactly inside the open bin */

struct _IlLodLane
{
  guint     n_done;          /* spans folded in */
  int       shift;           /* level-0 bin width is 1 << shift ns; -1 before the first span */
  GPtrArray *levels;         /* of GArray of IlLodBin */
  /* Per bin of each level, the index of the first span ending after the bin's start: tells how
   * many spans a column holds without reading the spans (a 10 M-span frame must not touch them).
   * Kept per level so a column reads it next to the bins it sums, in order, cache-friendly. */
  GArray    *first_span;     /* level 0, of guint32 */
  GPtrArray *first_levels;   /* levels 1…, of GArray of guint32 */
  /* The open level-0 bin (the one the last span ended in), kept exact until it is closed. */
  gint64    open_bin;
  gint64    acc[IL_N_STATES];
  gint32    cpu_id[N_TRACKED];   /* a CPU fits 16 bits; 32 so CPUs and tasks share track_add() */
  gint64    cpu_ns[N_TRACKED];
  gint32    task_id[N_TRACKED];
  gint64    task_ns[N_TRACKED];
};

struct _IlLodRun
{
  guint64    generation;
  GPtrArray *lanes;          /* of IlLodLane */
};

IlLodLane *
il_lod_lane_new (void)
{
  IlLodLane *lod = g_new0 (IlLodLane, 1);

  lod->shift = -1;
  lod->levels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  lod->first_span = g_array_new (FALSE, FALSE, sizeof (guint32));
  lod->first_levels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  lod->open_bin = -1;
  return lod;
}

void
il_lod_lane_free (IlLodLane *lod)
{
  if (lod == NULL)
    return;
  g_ptr_array_unref (lod->levels);
  g_array_unref (lod->first_span);
  g_ptr_array_unref (lod->first_levels);
  g_free (lod);
}

guint
il_lod_lane_get_n_levels (const IlLodLane *lod)
{
  return lod->levels->len;
}

gint64
il_lod_lane_get_bin_ns (const IlLodLane *lod)
{
  return lod->shift < 0 ? 0 : G_GINT64_CONSTANT (1) << lod->shift;
}

static gsize
reserved_bytes (GArray *array)
{
  gsize reserved = 16;

  /* GArray grows to powers of two: count what is reserved, not only what is used. */
  while (reserved < array->len)
    reserved *= 2;
  return g_array_get_element_size (array) * reserved;
}

gsize
il_lod_lane_get_bytes (const IlLodLane *lod)
{
  gsize bytes = sizeof *lod + reserved_bytes (lod->first_span);

  for (guint k = 0; k < lod->first_levels->len; k++)
    bytes += reserved_bytes (g_ptr_array_index (lod->first_levels, k));

  for (guint k = 0; k < lod->levels->len; k++)
    bytes += reserved_bytes (g_ptr_array_index (lod->levels, k));
  return bytes;
}

const IlLodBin *
il_lod_lane_get_level (const IlLodLane *lod, guint k, guint *n_bins)
{
  GArray *level;

  g_return_val_if_fail (lod != NULL, NULL);
  g_return_val_if_fail (k < lod->levels->len, NULL);

  level = g_ptr_array_index (lod->levels, k);
  if (n_bins != NULL)
    *n_bins = level->len;
  return (const IlLodBin *) (gpointer) level->data;
}

static void
open_bin_reset (IlLodLane *lod, gint64 bin)
{
  lod->open_bin = bin;
  memset (lod->acc, 0, sizeof lod->acc);
  for (guint i = 0; i < N_TRACKED; i++)
    {
      lod->cpu_id[i] = -1;
      lod->cpu_ns[i] = 0;
      lod->task_id[i] = -1;
      lod->task_ns[i] = 0;
    }
}

/* Adds @ns to the entry for @id, replacing the smallest entry when all are taken (an estimate of
 * the dominant one is all the summary needs). */
static void
track_add (gint32 *ids, gint64 *ns, gint32 id, gint64 add)
{
  guint smallest = 0;

  for (guint i = 0; i < N_TRACKED; i++)
    {
      if (ids[i] == id)
        {
          ns[i] += add;
          return;
        }
      if (ns[i] < ns[smallest])
        smallest = i;
    }
  ids[smallest] = id;
  ns[smallest] = add;
}

static GArray *
level_get (IlLodLane *lod, guint k)
{
  while (lod->levels->len <= k)
    g_ptr_array_add (lod->levels, g_array_new (FALSE, TRUE, sizeof (IlLodBin)));
  return g_ptr_array_index (lod->levels, k);
}

static IlLodBin *
bin_at (GArray *level, gint64 index)
{
  if ((gint64) level->len <= index)
    g_array_set_size (level, (guint) index + 1);
  return &g_array_index (level, IlLodBin, index);
}

/* Writes the open bin's exact sums, quantised, into level 0. Called whenever it changes, so a live
 * run's last partial bin is visible too. */
static void
open_bin_flush (IlLodLane *lod)
{
  gint64 width = G_GINT64_CONSTANT (1) << lod->shift;
  IlLodBin *bin;
  guint best;

  if (lod->open_bin < 0)
    return;

  bin = bin_at (level_get (lod, 0), lod->open_bin);
  for (guint s = 0; s < IL_N_STATES; s++)
    bin->frac[s] = (guint8) MIN (255, (lod->acc[s] * 255 + width / 2) / width);

  best = 0;
  for (guint i = 1; i < N_TRACKED; i++)
    if (lod->cpu_ns[i] > lod->cpu_ns[best])
      best = i;
  bin->cpu = lod->cpu_ns[best] > 0 && lod->cpu_id[best] >= 0 ? (guint8) MIN (lod->cpu_id[best], 254) : 255;

  best = 0;
  for (guint i = 1; i < N_TRACKED; i++)
    if (lod->task_ns[i] > lod->task_ns[best])
      best = i;
  bin->task = lod->task_ns[best] > 0 ? (guint8) (lod->task_id[best] & 0xff) : 0;
}

/* A double as a gint64, clamped: casting a double out of range is undefined. */
static inline gint64
clamp_to_int64 (double v)
{
  if (isnan (v))
    return 0;
  if (v <= -9.0e18)
    return G_GINT64_CONSTANT (-9000000000000000000);
  if (v >= 9.0e18)
    return G_GINT64_CONSTANT (9000000000000000000);
  return (gint64) v;
}

static void
fold_span (IlLodLane *lod, const IlSpan *span, guint32 index)
{
  gint64 last_bin = (MIN (span->end_ns, LOD_MAX_NS) - 1) >> lod->shift;

  /* Bins up to the one this span ends in: the first span reaching them is this one (bins of a
   * gap before it included: it is the first to end after their start). */
  while ((gint64) lod->first_span->len <= last_bin)
    g_array_append_val (lod->first_span, index);

  int shift = lod->shift;
  gint64 t = CLAMP (span->start_ns, 0, LOD_MAX_NS);
  gint64 end = MIN (span->end_ns, LOD_MAX_NS);
  guint state = MIN (span->state, IL_N_STATES - 1);
  gboolean running = state == IL_STATE_RUNNING;

  while (t < end)
    {
      gint64 bin = t >> shift;
      gint64 bin_end = (bin + 1) << shift;
      gint64 piece_end = MIN (end, bin_end);

      if (t == bin << shift && piece_end == bin_end)
        {
          /* A bin covered whole: no need for the exact accumulator. */
          gint64 last = (end >> shift) - 1;
          GArray *level0 = level_get (lod, 0);

          open_bin_flush (lod);
          lod->open_bin = -1;
          if ((gint64) level0->len <= last)
            g_array_set_size (level0, (guint) last + 1);
          for (gint64 b = bin; b <= last; b++)
            {
              IlLodBin *full = &g_array_index (level0, IlLodBin, b);
              memset (full, 0, sizeof *full);
              full->frac[state] = 255;
              full->cpu = running && span->cpu >= 0 ? (guint8) MIN (span->cpu, 254) : 255;
              full->task = running ? (guint8) (span->task & 0xff) : 0;
            }
          t = (last + 1) << shift;
          continue;
        }

      if (bin != lod->open_bin)
        {
          open_bin_flush (lod);
          open_bin_reset (lod, bin);
        }
      lod->acc[state] += piece_end - t;
      if (running)
        {
          track_add (lod->cpu_id, lod->cpu_ns, span->cpu, piece_end - t);
          track_add (lod->task_id, lod->task_ns, span->task, piece_end - t);
        }
      t = piece_end;
    }
}

/* Recomputes the bins of levels 1… that depend on level-0 bins from @first on. */
static void
rebuild_levels (IlLodLane *lod, gint64 first)
{
  for (guint k = 1;; k++)
    {
      GArray *below = g_ptr_array_index (lod->levels, k - 1);
      GArray *level;
      gint64 n;

      if (below->len <= 1)
        {
          /* Drop levels above that the data no longer needs (after a rebuild). */
          if (lod->levels->len > k)
            g_ptr_array_set_size (lod->levels, k);
          if (lod->first_levels->len > k - 1)
            g_ptr_array_set_size (lod->first_levels, k - 1);
          break;
        }
      level = level_get (lod, k);
      n = (below->len + 1) / 2;
      first /= 2;
      g_array_set_size (level, (guint) n);

      /* The first span of a bin is the first span of its left half. */
      {
        GArray *first_below = k == 1 ? lod->first_span : g_ptr_array_index (lod->first_levels, k - 2);
        GArray *first_here;

        while (lod->first_levels->len < k)
          g_ptr_array_add (lod->first_levels, g_array_new (FALSE, FALSE, sizeof (guint32)));
        first_here = g_ptr_array_index (lod->first_levels, k - 1);
        g_array_set_size (first_here, (guint) n);
        for (gint64 i = first; i < n; i++)
          g_array_index (first_here, guint32, i) =
            2 * i < first_below->len ? g_array_index (first_below, guint32, 2 * i) : G_MAXUINT32;
      }
      for (gint64 i = first; i < n; i++)
        {
          const IlLodBin *a = &g_array_index (below, IlLodBin, 2 * i);
          const IlLodBin *b = 2 * i + 1 < below->len ? &g_array_index (below, IlLodBin, 2 * i + 1) : NULL;
          IlLodBin *p = &g_array_index (level, IlLodBin, i);

          for (guint s = 0; s < IL_N_STATES; s++)
            p->frac[s] = (guint8) ((a->frac[s] + (b ? b->frac[s] : 0) + 1) / 2);
          if (b != NULL && b->frac[IL_STATE_RUNNING] > a->frac[IL_STATE_RUNNING])
            {
              p->cpu = b->cpu;
              p->task = b->task;
            }
          else
            {
              p->cpu = a->cpu;
              p->task = a->task;
            }
        }
    }
}

static int
ideal_shift (const IlLane *lane)
{
  guint n = il_lane_get_n_spans (lane);
  gint64 end = il_lane_get_span (lane, n - 1)->end_ns;
  double width = (double) MAX (end, 1) * SPANS_PER_BIN / n;
  int shift = (int) ceil (log2 (CLAMP (width, 1.0, ldexp (1.0, MAX_SHIFT))));

  return CLAMP (shift, MIN_SHIFT, MAX_SHIFT);
}

void
il_lod_lane_update (IlLodLane *lod, const IlLane *lane)
{
  guint n = il_lane_get_n_spans (lane);
  int shift;
  gint64 first_dirty;

  if (n == lod->n_done || n == 0)
    return;

  /* The bin size follows the lane's density; when the run has grown four times denser or sparser
   * than the bins were made for, start over (amortised: this happens O(log n) times). */
  shift = ideal_shift (lane);
  if (lod->shift < 0 || ABS (shift - lod->shift) >= 2)
    {
      g_ptr_array_set_size (lod->levels, 0);
      g_array_set_size (lod->first_span, 0);
      g_ptr_array_set_size (lod->first_levels, 0);
      lod->n_done = 0;
      lod->shift = shift;
      lod->open_bin = -1;
    }

  first_dirty = lod->open_bin >= 0 ? lod->open_bin : G_MAXINT64;
  for (guint i = lod->n_done; i < n;)
    {
      const IlSpan *block;
      guint len = il_lane_get_block (lane, i, &block);

      for (guint j = 0; j < len; j++)
        {
          if (i + j == lod->n_done)
            first_dirty = MIN (first_dirty, CLAMP (block[j].start_ns, 0, LOD_MAX_NS) >> lod->shift);
          fold_span (lod, &block[j], i + j);
        }
      i += len;
    }
  lod->n_done = n;
  open_bin_flush (lod);

  if (first_dirty == G_MAXINT64)
    first_dirty = 0;
  rebuild_levels (lod, first_dirty);
}

static void
lod_run_free (gpointer data)
{
  IlLodRun *lod = data;

  g_ptr_array_unref (lod->lanes);
  g_free (lod);
}

IlLodRun *
il_lod_run_ensure (IlRunTrace *run)
{
  IlLodRun *lod;
  guint n_workers;

  g_return_val_if_fail (run != NULL, NULL);

  lod = il_run_trace_get_data (run, LOD_KEY);
  if (lod == NULL)
    {
      lod = g_new0 (IlLodRun, 1);
      lod->generation = G_MAXUINT64;
      lod->lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) il_lod_lane_free);
      il_run_trace_set_data (run, LOD_KEY, lod, lod_run_free);
    }

  if (lod->generation == il_run_trace_get_generation (run))
    return lod;

  n_workers = il_run_trace_get_n_workers (run);
  while (lod->lanes->len < n_workers)
    g_ptr_array_add (lod->lanes, il_lod_lane_new ());
  for (guint w = 0; w < n_workers; w++)
    il_lod_lane_update (g_ptr_array_index (lod->lanes, w), il_run_trace_get_lane (run, w));
  lod->generation = il_run_trace_get_generation (run);
  return lod;
}

const IlLodLane *
il_lod_run_get_lane (IlLodRun *lod, guint worker)
{
  g_return_val_if_fail (lod != NULL, NULL);
  return worker < lod->lanes->len ? g_ptr_array_index (lod->lanes, worker) : NULL;
}

gsize
il_lod_run_get_bytes (IlLodRun *lod)
{
  gsize bytes = sizeof *lod;

  for (guint w = 0; w < lod->lanes->len; w++)
    bytes += il_lod_lane_get_bytes (g_ptr_array_index (lod->lanes, w));
  return bytes;
}

/* Column reduction ------------------------------------------------------------------------------ */

/* Running time per CPU (a direct table for CPUs below 64, one slot for any other) and per task
 * (a few tracked: a column rarely holds more) inside one column. */
typedef struct
{
  guint64 cpu_mask;
  double  cpu_ns[64];
  gint16  far_cpu;
  double  far_ns;
  guint   n_tasks;
  gint32  task_id[N_TRACKED];
  double  task_ns[N_TRACKED];
} Votes;

static inline void
votes_reset (Votes *v)
{
  while (v->cpu_mask != 0)
    {
      int bit = __builtin_ctzll (v->cpu_mask);
      v->cpu_ns[bit] = 0;
      v->cpu_mask &= v->cpu_mask - 1;
    }
  v->far_cpu = -1;
  v->far_ns = 0;
  v->n_tasks = 0;
}

static inline void
votes_add (Votes *v, gint32 task, gint16 cpu, double ns)
{
  guint smallest = 0;

  if (cpu >= 0 && cpu < 64)
    {
      v->cpu_ns[cpu] += ns;
      v->cpu_mask |= G_GUINT64_CONSTANT (1) << cpu;
    }
  else if (cpu >= 0 && (v->far_cpu == cpu || ns > v->far_ns))
    {
      v->far_ns = v->far_cpu == cpu ? v->far_ns + ns : ns;
      v->far_cpu = cpu;
    }

  for (guint i = 0; i < v->n_tasks; i++)
    {
      if (v->task_id[i] == task)
        {
          v->task_ns[i] += ns;
          return;
        }
      if (v->task_ns[i] < v->task_ns[smallest])
        smallest = i;
    }
  if (v->n_tasks < N_TRACKED)
    smallest = v->n_tasks++;
  else if (v->task_ns[smallest] >= ns)
    return;
  v->task_id[smallest] = task;
  v->task_ns[smallest] = ns;
}

static void
votes_finish (const Votes *v, IlColumn *col)
{
  double best = 0, second = 0;
  int best_cpu = -1, second_cpu = -1;
  guint64 mask = v->cpu_mask;
  guint bt = 0;

  while (mask != 0)
    {
      int bit = __builtin_ctzll (mask);
      double ns = v->cpu_ns[bit];
      mask &= mask - 1;
      if (ns > best)
        {
          second = best;
          second_cpu = best_cpu;
          best = ns;
          best_cpu = bit;
        }
      else if (ns > second)
        {
          second = ns;
          second_cpu = bit;
        }
    }
  if (v->far_cpu >= 0 && v->far_ns > second)
    {
      if (v->far_ns > best)
        {
          second = best;
          second_cpu = best_cpu;
          best = v->far_ns;
          best_cpu = v->far_cpu;
        }
      else
        {
          second = v->far_ns;
          second_cpu = v->far_cpu;
        }
    }

  for (guint i = 1; i < v->n_tasks; i++)
    if (v->task_ns[i] > v->task_ns[bt])
      bt = i;

  col->task = v->n_tasks > 0 && v->task_ns[bt] > 0 ? v->task_id[bt] : -1;
  col->task_ns = col->task >= 0 ? (float) v->task_ns[bt] : 0;
  col->cpu = (gint16) best_cpu;
  col->cpu_ns = (float) best;
  col->cpu2 = (gint16) second_cpu;
  col->cpu2_ns = (float) second;
}

/* Sums the summary bins of level @k overlapping [a, b) into @col, each weighted by its overlap. */
static void
column_from_level (const IlLodLane *lod, guint k, double a, double b, IlColumn *col, Votes *votes)
{
  GArray *level = g_ptr_array_index (lod->levels, k);
  double w = ldexp (1.0, lod->shift + (int) k);
  gint64 first = clamp_to_int64 (floor (a / w));
  gint64 last = clamp_to_int64 (floor (b / w));

  gint32 run_task = -1;
  gint16 run_cpu = -1;
  double run_ns = 0;

  first = MAX (first, 0);
  last = MIN (last, (gint64) level->len - 1);
  for (gint64 i = first; i <= last; i++)
    {
      const IlLodBin *bin = &g_array_index (level, IlLodBin, i);
      double lo = MAX (a, i * w), hi = MIN (b, (i + 1) * w);
      double scale;

      if (hi <= lo)
        continue;
      scale = (hi - lo) / 255.0;
      for (guint s = 0; s < IL_N_STATES; s++)
        col->ns[s] += (float) (bin->frac[s] * scale);
      if (bin->frac[IL_STATE_RUNNING] > 0)
        {
          gint16 cpu = bin->cpu == 255 ? -1 : bin->cpu;
          /* Neighbouring bins mostly share CPU and task: vote once per stretch. */
          if (run_ns > 0 && (cpu != run_cpu || bin->task != run_task))
            {
              votes_add (votes, run_task, run_cpu, run_ns);
              run_ns = 0;
            }
          run_cpu = cpu;
          run_task = bin->task;
          run_ns += bin->frac[IL_STATE_RUNNING] * scale;
        }
    }
  if (run_ns > 0)
    votes_add (votes, run_task, run_cpu, run_ns);
  col->task_low = TRUE;
}

/* Reads spans through the lane's contiguous blocks: no call and no check per span on the hot path. */
typedef struct
{
  const IlLane *lane;
  guint         base;
  guint         len;
  const IlSpan *block;
} Cursor;

static inline const IlSpan *
cursor_get (Cursor *cur, guint i)
{
  /* Unsigned: an index before the block wraps around and reloads too. */
  if (i - cur->base >= cur->len)
    {
      cur->len = il_lane_get_block (cur->lane, i, &cur->block);
      cur->base = i;
    }
  return &cur->block[i - cur->base];
}

/* The first span at or after @i whose end is after @b, or @n if none: galloping from @i, so
 * finding the next column's first span costs O(log spans-per-column), not O(log spans). @i may be
 * @n (or past it) and is then returned as @n without reading a span. */
static guint
cursor_find_end_after (Cursor *cur, guint n, guint i, double b)
{
  guint lo = i, hi, step = 1;

  if (i >= n)
    return n;
  if ((double) cursor_get (cur, i)->end_ns > b)
    return i;
  for (;;)
    {
      hi = lo + step;
      if (hi >= n)
        {
          hi = n;
          break;
        }
      if ((double) cursor_get (cur, hi)->end_ns > b)
        break;
      lo = hi;
      step *= 2;
    }
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;
      if ((double) cursor_get (cur, mid)->end_ns > b)
        hi = mid;
      else
        lo = mid;
    }
  return hi;
}

void
il_lod_lane_columns (const IlLodLane *lod,
                     const IlLane    *lane,
                     double           t0_ns,
                     double           ns_per_col,
                     guint            n_cols,
                     guint            max_exact,
                     IlColumn        *cols,
                     GArray          *boundaries,
                     double           min_boundary_ns)
{
  guint n, i;
  guint level = 0;
  gboolean have_level = FALSE;
  gint64 last_boundary_checked = -1;
  gint32 last_task = -1;
  gint64 last_task_end = 0, last_task_len = 0;
  gboolean dense_before = FALSE;
  Cursor cur = { 0 };
  Votes votes = { 0 };
  const guint32 *first = NULL;
  gint64 first_len = 0;
  guint probe = 0;

  g_return_if_fail (lane != NULL);
  g_return_if_fail (cols != NULL);

  memset (cols, 0, sizeof (IlColumn) * n_cols);
  for (guint c = 0; c < n_cols; c++)
    {
      cols[c].cpu = -1;
      cols[c].cpu2 = -1;
      cols[c].task = -1;
    }

  n = il_lane_get_n_spans (lane);
  if (n == 0 || ns_per_col <= 0)
    return;
  cur.lane = lane;

  /* The coarsest level whose bins are at most a quarter column: edge bins then misplace at most
   * a quarter of a column's time on each side. */
  if (lod != NULL && lod->shift >= 0)
    {
      for (guint k = 0; k < lod->levels->len; k++)
        if (ldexp (1.0, lod->shift + (int) k) <= ns_per_col / 4)
          {
            level = k;
            have_level = TRUE;
          }
    }

  if (have_level)
    {
      GArray *array = level == 0 ? lod->first_span : g_ptr_array_index (lod->first_levels, level - 1);
      first = (const guint32 *) (gpointer) array->data;
      first_len = array->len;
    }

  i = il_lane_find (lane, clamp_to_int64 (floor (MAX (t0_ns, 0))));
  for (guint c = 0; c < n_cols && i < n; c++)
    {
      double a = t0_ns + c * ns_per_col;
      double b = a + ns_per_col;
      IlColumn *col = &cols[c];
      const IlSpan *s;
      guint j, count;

      if (have_level && a >= 0)
        {
          /* Spans whose index lies between the first spans of the bins after a and of the bin
           * of b all end inside (a, b]: a lower bound of the column's spans, read from the
           * summary alone. */
          gint64 ba = (clamp_to_int64 (a) >> (lod->shift + (int) level)) + 1;
          gint64 bb = clamp_to_int64 (b) >> (lod->shift + (int) level);
          guint lo = ba < first_len ? MIN (first[ba], n) : n;
          guint hi = bb < first_len ? MIN (first[bb], n) : n;

          if (hi > lo && hi - lo > max_exact)
            {
              votes_reset (&votes);
              column_from_level (lod, level, a, b, col, &votes);
              col->n_spans = hi - lo;
              votes_finish (&votes, col);
              /* Bins keep only a task's low byte. When one task had the column (a long task cut
               * into many spans by context switches), the span in the middle names it. */
              if (col->task >= 0 && col->ns[IL_STATE_RUNNING] > 0
                  && col->task_ns >= 0.9f * col->ns[IL_STATE_RUNNING])
                {
                  double mid = (a + b) / 2;
                  const IlSpan *sp;

                  probe = cursor_find_end_after (&cur, n, MAX (probe, lo > 0 ? lo - 1 : 0), mid);
                  sp = probe < n ? cursor_get (&cur, probe) : NULL;
                  if (sp != NULL && sp->start_ns <= mid && sp->task >= 0
                      && (sp->task & 0xff) == (col->task & 0xff))
                    {
                      col->task = sp->task;
                      col->task_low = FALSE;
                    }
                }
              dense_before = TRUE;
              continue;
            }
          if (dense_before)
            {
              /* Back to reading spans: start from the first span of a's bin. */
              guint from = (ba - 1) < first_len ? MIN (first[ba - 1], n) : i;
              i = cursor_find_end_after (&cur, n, MAX (from, i), a);
              dense_before = FALSE;
              if (i >= n)
                break;
            }
        }

      s = cursor_get (&cur, i);
      if (s->start_ns >= b)
        {
          /* Jump over empty columns up to the one the next span starts in. */
          double next = floor ((s->start_ns - t0_ns) / ns_per_col);
          if (next > c + 1)
            c = (guint) MIN (next - 1, (double) n_cols);
          continue;
        }

      /* How many spans touch [a, b)? Count up to max_exact of them. */
      count = 0;
      j = i;
      while (j < n && count <= max_exact && cursor_get (&cur, j)->start_ns < b)
        {
          j++;
          count++;
        }

      votes_reset (&votes);
      if (count > max_exact && have_level)
        {
          guint k = cursor_find_end_after (&cur, n, i, b);
          column_from_level (lod, level, a, b, col, &votes);
          col->n_spans = (k < n ? k : n - 1) - i + 1;
          votes_finish (&votes, col);
          /* The span that crosses b (if any) is where the next column starts. */
          i = MIN (k, n);
          continue;
        }

      /* Exact: every span touching the column, however many. */
      if (count > max_exact)
        while (j < n && cursor_get (&cur, j)->start_ns < b)
          j++;
      for (guint k = i; k < j; k++)
        {
          const IlSpan *sp = cursor_get (&cur, k);
          double lo = MAX (a, (double) sp->start_ns), hi = MIN (b, (double) sp->end_ns);
          guint state = MIN (sp->state, IL_N_STATES - 1);

          if (hi > lo)
            {
              col->ns[state] += (float) (hi - lo);
              if (state == IL_STATE_RUNNING)
                votes_add (&votes, sp->task, sp->cpu, hi - lo);
            }

          if (boundaries != NULL && (gint64) k > last_boundary_checked)
            {
              last_boundary_checked = k;
              /* One task follows another on this worker: directly, or across a gap (the idle
               * moment of fetching the next task) shorter than a column. */
              if (sp->task >= 0)
                {
                  if (last_task >= 0 && sp->task != last_task
                      && sp->start_ns - last_task_end <= ns_per_col
                      && sp->end_ns - sp->start_ns >= min_boundary_ns
                      && last_task_len >= min_boundary_ns)
                    {
                      double at = (double) sp->start_ns;
                      g_array_append_val (boundaries, at);
                    }
                  last_task_len = sp->task == last_task ? last_task_len + (sp->end_ns - sp->start_ns)
                                                        : sp->end_ns - sp->start_ns;
                  last_task = sp->task;
                  last_task_end = sp->end_ns;
                }
            }
        }
      col->n_spans = j - i;
      votes_finish (&votes, col);
      /* The last span may reach into the next column. */
      i = (j > i && cursor_get (&cur, j - 1)->end_ns > b) ? j - 1 : j;
    }
}
