/* il-lod.c: multi-resolution lane summaries, kept on the run and extended as spans are appended,
 * and the per-pixel-column reduction the painter draws from, so a frame costs O(columns × lanes). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "il-lod.h"

#define LOD_KEY "il-render-lod"
/* Level 0 aims at one bin per four spans of the lane: with 8-byte bins and every level above
 * adding half as many again, summaries cost about 4 bytes per span. */
#define SPANS_PER_BIN 4
#define MIN_SHIFT 6          /* 64 ns: finer bins would never be read */
#define N_TRACKED 4          /* CPUs and tasks tracked exactly inside the open bin */

struct _IlLodLane
{
  guint     n_done;          /* spans folded in */
  int       shift;           /* level-0 bin width is 1 << shift ns; -1 before the first span */
  GPtrArray *levels;         /* of GArray of IlLodBin */
  /* The open level-0 bin (the one the last span ended in), kept exact until it is closed. */
  gint64    open_bin;
  gint64    acc[IL_N_STATES];
  gint16    cpu_id[N_TRACKED];
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
  lod->open_bin = -1;
  return lod;
}

void
il_lod_lane_free (IlLodLane *lod)
{
  if (lod == NULL)
    return;
  g_ptr_array_unref (lod->levels);
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

gsize
il_lod_lane_get_bytes (const IlLodLane *lod)
{
  gsize bytes = sizeof *lod;

  for (guint k = 0; k < lod->levels->len; k++)
    {
      GArray *level = g_ptr_array_index (lod->levels, k);
      gsize reserved = 16;

      /* GArray grows to powers of two: count what is reserved, not only what is used. */
      while (reserved < level->len)
        reserved *= 2;
      bytes += g_array_get_element_size (level) * reserved;
    }
  return bytes;
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

static void
track_add16 (gint16 *ids, gint64 *ns, gint16 id, gint64 add)
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

static void
fold_span (IlLodLane *lod, const IlSpan *span)
{
  int shift = lod->shift;
  gint64 t = MAX (span->start_ns, 0);
  gint64 end = span->end_ns;
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
          track_add16 (lod->cpu_id, lod->cpu_ns, span->cpu, piece_end - t);
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
          break;
        }
      level = level_get (lod, k);
      n = (below->len + 1) / 2;
      first /= 2;
      g_array_set_size (level, (guint) n);
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
  int shift = (int) ceil (log2 (MAX (width, 1.0)));

  return MAX (shift, MIN_SHIFT);
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
            first_dirty = MIN (first_dirty, MAX (block[j].start_ns, 0) >> lod->shift);
          fold_span (lod, &block[j]);
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

typedef struct
{
  gint32 task_id[N_TRACKED];
  double task_ns[N_TRACKED];
  gint16 cpu_id[N_TRACKED];
  double cpu_ns[N_TRACKED];
} Votes;

static void
votes_reset (Votes *v)
{
  for (guint i = 0; i < N_TRACKED; i++)
    {
      v->task_id[i] = -1;
      v->task_ns[i] = 0;
      v->cpu_id[i] = -1;
      v->cpu_ns[i] = 0;
    }
}

static void
votes_add (Votes *v, gint32 task, gint16 cpu, double ns)
{
  guint small_t = 0, small_c = 0;
  gboolean done_t = FALSE, done_c = FALSE;

  for (guint i = 0; i < N_TRACKED; i++)
    {
      if (!done_t && v->task_id[i] == task)
        {
          v->task_ns[i] += ns;
          done_t = TRUE;
        }
      if (!done_c && v->cpu_id[i] == cpu)
        {
          v->cpu_ns[i] += ns;
          done_c = TRUE;
        }
      if (v->task_ns[i] < v->task_ns[small_t])
        small_t = i;
      if (v->cpu_ns[i] < v->cpu_ns[small_c])
        small_c = i;
    }
  if (!done_t)
    {
      v->task_id[small_t] = task;
      v->task_ns[small_t] = ns;
    }
  if (!done_c)
    {
      v->cpu_id[small_c] = cpu;
      v->cpu_ns[small_c] = ns;
    }
}

static void
votes_finish (const Votes *v, IlColumn *col)
{
  guint bt = 0, bc = 0;

  for (guint i = 1; i < N_TRACKED; i++)
    {
      if (v->task_ns[i] > v->task_ns[bt])
        bt = i;
      if (v->cpu_ns[i] > v->cpu_ns[bc])
        bc = i;
    }
  col->task = v->task_ns[bt] > 0 ? v->task_id[bt] : -1;
  col->cpu = v->cpu_ns[bc] > 0 ? v->cpu_id[bc] : -1;
}

/* Sums the summary bins of level @k overlapping [a, b) into @col, each weighted by its overlap. */
static void
column_from_level (const IlLodLane *lod, guint k, double a, double b, IlColumn *col, Votes *votes)
{
  GArray *level = g_ptr_array_index (lod->levels, k);
  double w = ldexp (1.0, lod->shift + (int) k);
  gint64 first = (gint64) floor (a / w);
  gint64 last = (gint64) floor (b / w);

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
        votes_add (votes, bin->task, bin->cpu == 255 ? -1 : bin->cpu,
                   bin->frac[IL_STATE_RUNNING] * scale);
    }
  col->task_low = TRUE;
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

  g_return_if_fail (lane != NULL);
  g_return_if_fail (cols != NULL);

  memset (cols, 0, sizeof (IlColumn) * n_cols);
  for (guint c = 0; c < n_cols; c++)
    {
      cols[c].cpu = -1;
      cols[c].task = -1;
    }

  n = il_lane_get_n_spans (lane);
  if (n == 0 || ns_per_col <= 0)
    return;

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

  i = il_lane_find (lane, (gint64) floor (MAX (t0_ns, 0)));
  for (guint c = 0; c < n_cols && i < n; c++)
    {
      double a = t0_ns + c * ns_per_col;
      double b = a + ns_per_col;
      IlColumn *col = &cols[c];
      const IlSpan *s = il_lane_get_span (lane, i);
      guint j, count;
      Votes votes;

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
      while (j < n && count <= max_exact && il_lane_get_span (lane, j)->start_ns < b)
        {
          j++;
          count++;
        }

      votes_reset (&votes);
      if (count > max_exact && have_level)
        {
          guint k = il_lane_find (lane, (gint64) ceil (b));
          column_from_level (lod, level, a, b, col, &votes);
          col->n_spans = (k < n ? k : n - 1) - i + 1;
          votes_finish (&votes, col);
          /* The span that crosses b (if any) is where the next column starts. */
          i = MIN (k, n);
          continue;
        }

      /* Exact: every span touching the column, however many. */
      if (count > max_exact)
        while (j < n && il_lane_get_span (lane, j)->start_ns < b)
          j++;
      for (guint k = i; k < j; k++)
        {
          const IlSpan *sp = il_lane_get_span (lane, k);
          double lo = MAX (a, (double) sp->start_ns), hi = MIN (b, (double) sp->end_ns);
          guint state = MIN (sp->state, IL_N_STATES - 1);

          if (hi > lo)
            {
              col->ns[state] += (float) (hi - lo);
              if (state == IL_STATE_RUNNING)
                votes_add (&votes, sp->task, sp->cpu, hi - lo);
            }

          if (boundaries != NULL && k > 0 && (gint64) k > last_boundary_checked)
            {
              const IlSpan *prev = il_lane_get_span (lane, k - 1);
              last_boundary_checked = k;
              if (sp->task >= 0 && prev->task >= 0 && sp->task != prev->task
                  && prev->end_ns == sp->start_ns
                  && sp->end_ns - sp->start_ns >= min_boundary_ns
                  && prev->end_ns - prev->start_ns >= min_boundary_ns)
                {
                  double at = (double) sp->start_ns;
                  g_array_append_val (boundaries, at);
                }
            }
        }
      col->n_spans = j - i;
      votes_finish (&votes, col);
      /* The last span may reach into the next column. */
      i = (j > i && il_lane_get_span (lane, j - 1)->end_ns > b) ? j - 1 : j;
    }
}
