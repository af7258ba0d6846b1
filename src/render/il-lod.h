/* il-lod.h: level of detail: per-lane multi-resolution summaries and per-pixel-column reduction of spans. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-trace.h"

G_BEGIN_DECLS

/* One summary bin: the share of the bin's time in each state (1/255 units), and the CPU and task
 * (low 8 bits) that ran most in it. 12 bytes (8 states, padded), so summaries stay a few bytes
 * per span. */
typedef struct
{
  guint8 frac[IL_N_STATES];
  guint8 cpu;     /* 255: none */
  guint8 task;    /* low 8 bits of the dominant task; meaningful when frac[running] > 0 */
  guint8 pad[2];
} IlLodBin;

G_STATIC_ASSERT (IL_N_STATES == 8);
G_STATIC_ASSERT (sizeof (IlLodBin) == 12);

typedef struct _IlLodLane IlLodLane;
typedef struct _IlLodRun IlLodRun;

/* What one pixel column of a lane holds: time (ns) per state, the dominant CPU and task of the
 * running time, and how many spans touch the column (dense columns are drawn as a mix). */
typedef struct
{
  float  ns[IL_N_STATES];
  gint16 cpu;        /* -1: none */
  gint16 cpu2;       /* the CPU that ran second most, -1: none */
  float  cpu_ns;     /* running time on @cpu and on @cpu2 */
  float  cpu2_ns;
  gint32 task;       /* -1: none */
  float  task_ns;    /* running time of @task in the column */
  gboolean task_low; /* TRUE when @task is only the low 8 bits (from a summary) */
  guint  n_spans;
} IlColumn;

/* The summaries of every lane of @run, attached to it and brought up to date: only the spans
 * appended since the last call are folded in (live runs), unless the bin size has to change. */
IlLodRun       *il_lod_run_ensure       (IlRunTrace *run);
const IlLodLane *il_lod_run_get_lane    (IlLodRun *lod, guint worker);
/* Memory held by the summaries of @run (for the bytes-per-span figure). */
gsize           il_lod_run_get_bytes    (IlLodRun *lod);

/* Builds a standalone summary of one lane (tests and benchmarks). */
IlLodLane      *il_lod_lane_new         (void);
void            il_lod_lane_free        (IlLodLane *lod);
void            il_lod_lane_update      (IlLodLane *lod, const IlLane *lane);
guint           il_lod_lane_get_n_levels (const IlLodLane *lod);
/* Bin width of level 0 in ns (level k: << k). */
gint64          il_lod_lane_get_bin_ns  (const IlLodLane *lod);
gsize           il_lod_lane_get_bytes   (const IlLodLane *lod);
/* The bins of level @k and how many there are. */
const IlLodBin *il_lod_lane_get_level   (const IlLodLane *lod, guint k, guint *n_bins);

/* Fills @cols[0 … @n_cols) for the columns [t0 + c·ns_per_col, t0 + (c+1)·ns_per_col). A column
 * touched by at most @max_exact spans is read from the spans; a denser one from the summary level
 * whose bins are at most a quarter column wide (or from the spans when @lod is NULL or too coarse).
 * When @boundaries is not NULL, the times where one task directly follows another are appended
 * (as double) for spans of at least @min_boundary_ns on both sides. */
void            il_lod_lane_columns     (const IlLodLane *lod,
                                         const IlLane    *lane,
                                         double           t0_ns,
                                         double           ns_per_col,
                                         guint            n_cols,
                                         guint            max_exact,
                                         IlColumn        *cols,
                                         GArray          *boundaries,
                                         double           min_boundary_ns);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlLodLane, il_lod_lane_free)

G_END_DECLS
