/* il-sweep.h: a speedup sweep's result: the same work at several worker counts per executor, with
 * Amdahl fits. The runner that measures one is study's il-sweep-run.h. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "il-run-config.h"

G_BEGIN_DECLS

typedef struct
{
  char    *label;          /* "threads", "threads + GIL", "processes", … */
  IlRunConfig *config;     /* the executor's config; workers varies */
  GArray  *wall_ns;        /* gint64, one per worker count; -1 when that run failed (the median
                            * of the repeats) */
  double   serial_fraction;/* Amdahl fit: speedup(n) = 1 / (s + (1 - s) / n); NAN when unknown */
  GArray  *speedup_min;    /* double per worker count: the range of the repeats' speedups, each */
  GArray  *speedup_max;    /* against its own round's baseline; NAN when unknown or not repeated */
  GArray  *speedup;        /* double per worker count: the median of those paired ratios, NAN
                            * when not repeated (then baseline / wall); may be NULL */
  GArray  *disturbed;      /* guint per worker count: rounds in which the point or its round's
                            * baseline was disturbed (il_run_trace_is_disturbed()); may be NULL */
} IlSweepSeries;

typedef struct
{
  GArray    *worker_counts;  /* guint, ascending */
  gint64     baseline_ns;    /* sequential wall time of the same work (speedup 1; the median) */
  guint      repeat;         /* rounds measured: 1, or N for --repeat N */
  GPtrArray *series;         /* of IlSweepSeries */
  char      *title;
  char      *culprit;        /* the other program behind the worst disturbed run, "firefox-esr
                              * took 48 % of a CPU", or NULL */
} IlSweep;

/* A boxed type whose copy is deep. */
#define IL_TYPE_SWEEP (il_sweep_get_type ())
GType    il_sweep_get_type       (void) G_GNUC_CONST;

IlSweep *il_sweep_new            (void);
IlSweep *il_sweep_copy           (const IlSweep *self);
void     il_sweep_free           (IlSweep *self);
/* Speedup of @series at index @i: the median of the rounds' paired ratios when repeated, else
 * baseline_ns / wall_ns[i]; NAN when unknown. */
double   il_sweep_get_speedup    (const IlSweep *self, const IlSweepSeries *series, guint i);
/* Least-squares fit of Amdahl's serial fraction to a series' speedups, clamped to [0, 1]. */
double   il_sweep_fit_amdahl     (const IlSweep *self, const IlSweepSeries *series);
/* How many rounds of point @i of @series were disturbed (0 when unknown). */
guint    il_sweep_get_disturbed  (const IlSweep *self, const IlSweepSeries *series, guint i);
/* Whether any point of the sweep was. */
gboolean il_sweep_is_disturbed   (const IlSweep *self);

/* Runs the sequential baseline and then every executor config at every worker count.
 * @progress (may be NULL) is called on the calling thread between runs with done/total. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlSweep, il_sweep_free)

G_END_DECLS
