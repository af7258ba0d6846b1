/* il-layout.h: the painter's geometry: time <-> x, tick choice, and where every lane of every run goes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-trace.h"
#include "il-paint-options.h"

G_BEGIN_DECLS

/* A linear map from nanoseconds to x. Kept in doubles: zoomed far in, a pixel is a fraction of a ns. */
typedef struct
{
  gint64 t0_ns;
  gint64 t1_ns;
  double x0;
  double x1;
} IlTimeScale;

void      il_time_scale_init     (IlTimeScale *s, gint64 t0_ns, gint64 t1_ns, double x0, double x1);
double    il_time_scale_to_x     (const IlTimeScale *s, double t_ns);
double    il_time_scale_to_time  (const IlTimeScale *s, double x);
/* Nanoseconds per unit of x. */
double    il_time_scale_ns_per_x (const IlTimeScale *s);

typedef enum
{
  IL_TIME_UNIT_NS,
  IL_TIME_UNIT_US,
  IL_TIME_UNIT_MS,
  IL_TIME_UNIT_S,
} IlTimeUnit;

/* Ticks of the time axis: every @step_ns from @first_ns, @n_ticks of them inside the scale. */
typedef struct
{
  gint64     step_ns;
  gint64     first_ns;
  guint      n_ticks;
  IlTimeUnit unit;
  guint      decimals;
  double     label_w;   /* the estimated width of the widest label, in x units */
} IlTicks;

/* Picks the smallest 1-2-5 step whose labels, @char_w wide per character, leave at least @gap
 * between neighbours, so labels never overlap; the unit follows the zoom. */
void      il_ticks_choose        (const IlTimeScale *s, double char_w, double gap, IlTicks *out);
/* "250 ms", "1.5 s", "0" */
char     *il_ticks_format        (const IlTicks *ticks, gint64 t_ns);

typedef enum
{
  IL_ROW_WORKER,
  IL_ROW_CORE,
  IL_ROW_STRIP,
  IL_ROW_PROCESS,      /* a traced program's process header above its threads; index: process,
                        * or -1: an event loop's thread above its tasks in flight */
  IL_ROW_COUNTER,      /* an imported trace's counter series under its lanes; index: counter */
} IlRowKind;

typedef struct
{
  IlRowKind kind;
  guint     run;
  int       index;     /* worker id, CPU number, or 0 for the strip */
  double    y;         /* top of the bar */
  double    h;         /* height of the bar (the pitch minus the gap between lanes) */
  guint     depth;     /* worker rows: an imported thread's row of slices nested this deep (0:
                        * its first row, which carries the label); thinner, no gap above it */
} IlLayoutRow;

typedef struct
{
  guint  run;
  double y;            /* top of the run's block, its header included */
  double h;
  double header_y;     /* baseline area of the header lines */
  double header_h;
  guint  first_row;    /* index into IlLayout.rows */
  guint  n_rows;
  guint  n_cpus;
} IlLayoutBlock;

typedef struct
{
  double      width;
  double      height;
  double      font_px;       /* base text size */
  double      label_font_px; /* worker lane labels: smaller when lanes are thin */
  double      core_label_font_px;
  double      margin;
  double      title_y;
  double      title_h;       /* 0 when no title */
  double      label_x;
  double      label_w;
  double      lane_x0;       /* the time area */
  double      lane_x1;
  IlTimeScale scale;
  GArray     *rows;          /* of IlLayoutRow, in drawing order */
  GArray     *blocks;        /* of IlLayoutBlock, one per run */
  double      lanes_y0;      /* top of the first block and bottom of the last (grid lines) */
  double      lanes_y1;
  double      axis_y;
  double      axis_h;
  double      legend_y;
  double      legend_h;      /* 0 when no legend */
  guint       legend_rows;
} IlLayout;

/* CPUs shown as core lanes for @run: its machine's count, at least one more than any CPU used. */
guint     il_layout_run_n_cpus   (IlRunTrace *run);
/* Does @run know which CPU ran what? An imported Chrome trace usually does not: it then gets no
 * core lanes and no parallelism strip rather than empty or invented ones. */
gboolean  il_layout_run_has_cores (IlRunTrace *run);
/* The CPUs @run was allowed (its configuration's CPU set within the machine's), else all. */
guint     il_layout_run_n_allowed_cpus (IlRunTrace *run);
/* Does @run group its worker lanes under process headers (a traced program with processes)? */
gboolean  il_layout_run_has_process_rows (IlRunTrace *run);
/* An async run: one thread, its lanes the tasks in flight, under a header row (index -1). */
gboolean  il_layout_run_is_event_loop (IlRunTrace *run);
IlLayout *il_layout_new          (int width, int height, GPtrArray *runs, const IlPaintOptions *o);
void      il_layout_free         (IlLayout *layout);
/* The thinnest worker or core lane that still has its label drawn in full-size-ish text. */
#define IL_LAYOUT_MIN_LANE_H 9.0
/* A row of nested slices is this much of a lane's height. */
#define IL_LAYOUT_NESTED_ROW 0.75
/* Presenting (IlPaintOptions.presentation), the thinnest lane a projector still shows. */
#define IL_LAYOUT_PRESENT_LANE_H 24.0
/* Presenting without a set text size: the base text size (the desktop's is 11 px), times the
 * text zoom. */
#define IL_LAYOUT_PRESENT_FONT_PX 14.0
/* The least lane height @o asks for: IL_LAYOUT_PRESENT_LANE_H presenting, else
 * IL_LAYOUT_MIN_LANE_H; times the text zoom when it enlarges. */
double    il_layout_least_lane_h (const IlPaintOptions *o);
/* The thinnest lane (worker or core) of @layout, G_MAXDOUBLE when it has none; rows of nested
 * slices too (the window scrolls rather than thin them past readable names). */
double    il_layout_min_lane_h   (const IlLayout *layout);
/* The smallest height at which @runs drawn @width wide keep every lane at least
 * il_layout_least_lane_h() tall (so every lane label is drawn); 0 without runs. A view shorter than
 * this scrolls instead of thinning lanes. */
int       il_layout_min_height   (int width, GPtrArray *runs, const IlPaintOptions *o);
/* The row at @y, or NULL between rows. */
const IlLayoutRow *il_layout_row_at (const IlLayout *layout, double y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlLayout, il_layout_free)

G_END_DECLS
