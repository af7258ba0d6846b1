/* il-painter-cores.c: core lanes: which worker ran on each CPU, and what other programs and the hypervisor took. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "il-cpu-load.h"
#include "il-painter-private.h"

/* Core lane k, what the rest of the machine took: other programs' share of each column as a band
 * from the top (steal, the hypervisor's, topmost), the workers' own share as a bar from the bottom.
 * A core held by others is so never drawn idle. Two lookups per column in the run's series. */
static void
core_lane_add_other (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow *row, guint c, double busy_ns,
                     IlPaintCell *cell)
{
  IlCpuLoad *load = il_run_trace_get_cpu_load (run);
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  double t0 = f->t0 + c * f->ns_per_col;
  double px = row->h * dev, work, other, steal;
  gint64 other_ns, steal_ns;

  if (load == NULL || !il_cpu_load_has_cpu (load, row->index))
    return;
  il_cpu_load_sum_range (load, row->index, (gint64) t0, (gint64) (t0 + f->ns_per_col), &other_ns,
                         &steal_ns);
  work = MIN (busy_ns / f->ns_per_col, 1.0);
  steal = MIN ((double) steal_ns / f->ns_per_col, 1.0);
  other = MIN ((double) other_ns / f->ns_per_col, 1.0 - MIN (work, 1.0 - steal) - steal);
  if (round ((other + steal) * px) < 1)
    return;

  /* The workers' full-height colour becomes a bar as high as their share, under the band. */
  if (cell->top != G_MAXUINT32)
    {
      cell->bottom = cell->top;
      cell->bar = (guint16) MIN (round (work * px), 65535);
      cell->top = G_MAXUINT32;
    }
  cell->upper = il_rgb_pack (f->pal->other_programs);
  cell->upper2 = il_rgb_pack (f->pal->steal);
  cell->upper_bar = (guint16) MIN (round ((MAX (other, 0) + steal) * px), 65535);
  cell->steal_bar = (guint16) MIN (round (steal * px), 65535);
}

/* One worker's running time on one CPU in one column. */
typedef struct
{
  guint32  c;
  guint32  worker;
  double   ns;
  gboolean dense;
  gboolean hl;       /* the column shows the highlighted task */
} CoreEntry;

struct _IlPaintCoreIndex
{
  int       hl_task;
  GArray   *entries;  /* of CoreEntry: as added (worker by worker), then grouped by CPU */
  GArray   *cpus;     /* of int, the CPU of each added entry (until sealed) */
  GArray   *starts;   /* of guint: once sealed, CPU k's entries are [starts[k], starts[k + 1]) */
  /* One core lane's sums per column, reused from lane to lane. */
  guint     n_cols;
  double   *busy, *best, *mix;
  int      *best_worker;
  gboolean *dense;
};

IlPaintCoreIndex *
il_paint_core_index_new (int hl_task)
{
  IlPaintCoreIndex *index = g_new0 (IlPaintCoreIndex, 1);

  index->hl_task = hl_task;
  index->entries = g_array_new (FALSE, FALSE, sizeof (CoreEntry));
  index->cpus = g_array_new (FALSE, FALSE, sizeof (int));
  index->starts = g_array_new (FALSE, TRUE, sizeof (guint));
  return index;
}

void
il_paint_core_index_free (IlPaintCoreIndex *index)
{
  if (index == NULL)
    return;
  g_array_unref (index->entries);
  g_array_unref (index->cpus);
  g_array_unref (index->starts);
  g_free (index->busy);
  g_free (index->best);
  g_free (index->mix);
  g_free (index->best_worker);
  g_free (index->dense);
  g_free (index);
}

static void
core_index_put (IlPaintCoreIndex *index, guint c, guint worker, int cpu, double ns,
                const IlColumn *col)
{
  CoreEntry e = { c, worker, ns, col->n_spans >= IL_PAINT_DENSE_SPANS, FALSE };

  if (ns <= 0 || cpu < 0)
    return;
  e.hl = index->hl_task >= 0 && il_paint_column_is_task (col, index->hl_task);
  g_array_append_val (index->entries, e);
  g_array_append_val (index->cpus, cpu);
}

/* A column counts on its CPU and, apart, on its second CPU: what a core lane read of it before it
 * was indexed (the first CPU wins when both are the same). */
void
il_paint_core_index_add (IlPaintCoreIndex *index, IlPaintFrame *f, guint worker,
                         const IlColumn *cols)
{
  for (guint c = f->c_lo; c < f->c_hi; c++)
    {
      const IlColumn *col = &cols[c];

      core_index_put (index, c, worker, col->cpu, col->cpu_ns, col);
      if (col->cpu2 != col->cpu)
        core_index_put (index, c, worker, col->cpu2, col->cpu2_ns, col);
    }
}

/* Groups the entries by CPU, keeping their order (worker by worker) inside each CPU. */
void
il_paint_core_index_seal (IlPaintCoreIndex *index)
{
  guint n = index->entries->len, n_cpus = 0;
  g_autoptr(GArray) sorted = g_array_sized_new (FALSE, FALSE, sizeof (CoreEntry), n);
  g_autofree guint *next = NULL;

  for (guint i = 0; i < n; i++)
    n_cpus = MAX (n_cpus, (guint) g_array_index (index->cpus, int, i) + 1);
  g_array_set_size (index->starts, n_cpus + 1);
  for (guint i = 0; i < n; i++)
    g_array_index (index->starts, guint, g_array_index (index->cpus, int, i) + 1)++;
  for (guint k = 1; k <= n_cpus; k++)
    g_array_index (index->starts, guint, k) += g_array_index (index->starts, guint, k - 1);
  next = g_memdup2 (index->starts->data, sizeof (guint) * (n_cpus + 1));
  g_array_set_size (sorted, n);
  for (guint i = 0; i < n; i++)
    g_array_index (sorted, CoreEntry, next[g_array_index (index->cpus, int, i)]++)
      = g_array_index (index->entries, CoreEntry, i);
  g_array_unref (index->entries);
  index->entries = g_steal_pointer (&sorted);
  g_array_set_size (index->cpus, 0);
}

/* Core lane k: the running time of every worker whose column ran mostly on k. */
void
il_paint_core_lane (IlPaintFrame *f, guint run_index, IlRunTrace *run,
                    const IlPaintCoreIndex *index, const IlLayoutRow *row, IlPaintCell *cells)
{
  IlPaintCoreIndex *sums = (IlPaintCoreIndex *) index;
  g_autofree int *ids = g_new (int, f->n_cols);
  guint n_workers = il_run_trace_get_n_workers (run);
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  gboolean any_hl = FALSE, processes;
  guint from = 0, to = 0;
  g_autofree gboolean *hl = g_new0 (gboolean, f->n_cols);

  if (sums->n_cols < f->n_cols)
    {
      sums->n_cols = f->n_cols;
      sums->busy = g_renew (double, sums->busy, f->n_cols);
      sums->best = g_renew (double, sums->best, f->n_cols);
      sums->mix = g_renew (double, sums->mix, 3 * (gsize) f->n_cols);
      sums->best_worker = g_renew (int, sums->best_worker, f->n_cols);
      sums->dense = g_renew (gboolean, sums->dense, f->n_cols);
    }
  for (guint c = 0; c < f->n_cols; c++)
    {
      ids[c] = -1;
      sums->busy[c] = sums->best[c] = 0;
      sums->mix[3 * c] = sums->mix[3 * c + 1] = sums->mix[3 * c + 2] = 0;
      sums->best_worker[c] = -1;
      sums->dense[c] = FALSE;
    }
  if (row->index >= 0 && (guint) row->index + 1 < index->starts->len)
    {
      from = g_array_index (index->starts, guint, row->index);
      to = g_array_index (index->starts, guint, row->index + 1);
    }
  /* Worker by worker, as the sums were always added: the same colours to the last bit. */
  for (guint i = from; i < to; i++)
    {
      const CoreEntry *e = &g_array_index (index->entries, CoreEntry, i);
      IlRgb wc = il_palette_worker_color (f->pal, (int) e->worker);

      sums->busy[e->c] += e->ns;
      sums->dense[e->c] |= e->dense;
      sums->mix[3 * e->c] += wc.r * e->ns;
      sums->mix[3 * e->c + 1] += wc.g * e->ns;
      sums->mix[3 * e->c + 2] += wc.b * e->ns;
      if (e->ns > sums->best[e->c])
        {
          sums->best[e->c] = e->ns;
          sums->best_worker[e->c] = (int) e->worker;
          hl[e->c] = e->hl;
        }
    }

  for (guint c = f->c_lo; c < f->c_hi; c++)
    {
      double busy = sums->busy[c], best = sums->best[c];
      int best_worker = sums->best_worker[c];
      gboolean dense = sums->dense[c];
      IlRgb mix = { sums->mix[3 * c], sums->mix[3 * c + 1], sums->mix[3 * c + 2] };
      IlPaintCell *cell = &cells[c];

      cell->top = G_MAXUINT32;
      cell->bottom = 0;
      cell->bar = 0;
      cell->hl = FALSE;
      cell->upper_bar = cell->steal_bar = 0;
      ids[c] = -1;
      if (best_worker < 0)
        {
          core_lane_add_other (f, run, row, c, 0, cell);
          continue;
        }

      if (dense)
        {
          /* Several workers or gaps inside one column: their colours mixed by running time,
           * as high as the core was busy. */
          IlRgb c_mix = { mix.r / busy, mix.g / busy, mix.b / busy };
          double share = MIN (busy / f->ns_per_col, 1.0);
          cell->bottom = il_rgb_pack (c_mix);
          cell->bar = (guint16) MIN (round (share * row->h * dev), 65535);
        }
      else if (busy >= 0.5 * f->ns_per_col)
        cell->top = il_rgb_pack (il_palette_worker_color (f->pal, best_worker));
      /* Named where one worker had the core for most of the column. */
      if (busy >= 0.5 * f->ns_per_col && best >= 0.9 * busy)
        ids[c] = best_worker;
      core_lane_add_other (f, run, row, c, busy, cell);

      if (hl[c])
        cell->hl = any_hl = TRUE;
    }

  il_paint_fill_cells (f, cells, row->y, row->h, f->pal->panel);
  processes = n_workers > 0 && il_run_trace_get_worker (run, 0)->kind == IL_WORKER_PROCESS;
  il_paint_label_segments (f, ids, cells, row->y, row->h,
                           /* TRANSLATORS: inside a stretch of a core lane: which worker ran there */
                           processes ? _("process %d") : _("worker %d"),
                           NULL, il_run_trace_get_config (run)->executor == IL_EXECUTOR_EXTERNAL ? run : NULL,
                           il_paint_live_edge_col (f, run));
  if (any_hl)
    il_paint_stroke_highlight (f, cells, row->y, row->h);
}
