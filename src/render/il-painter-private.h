/* il-painter-private.h: what the files of the painter share: text helpers, the frame being drawn, its cells. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pango/pangocairo.h>
#include "il-layout.h"
#include "il-lod.h"
#include "il-painter.h"
#include "il-palette.h"

G_BEGIN_DECLS

typedef enum
{
  IL_ALIGN_LEFT,
  IL_ALIGN_CENTER,
  IL_ALIGN_RIGHT,
} IlAlign;

/* Text (il-painter-text.c), also for the sweep painter ------------------------------------------ */

/* One PangoLayout reused for every text of a frame (creating one per label costs more). */
PangoLayout *il_text_layout_new  (cairo_t *cr);
/* Sets text and size; @max_w > 0 ellipsizes at the end. Returns the logical width. */
double       il_text_set         (PangoLayout *layout, const char *text, double px, gboolean bold,
                                  double max_w);
/* What il_text_set() would make of a text in @layout, without setting it when that was measured
 * before (in this frame or an earlier one, with the same font context, wrap and height): labels
 * fitted by trying sizes or forms (the title, a run's summary line, the legend) are shaped once,
 * not at every paint. Returns TRUE when @layout now holds the text (it was not known). */
typedef struct
{
  double   width;       /* logical, in user units */
  double   height;
  gboolean ellipsized;
  int      lines;
} IlTextExtent;
gboolean     il_text_measure     (PangoLayout *layout, const char *text, double px, gboolean bold,
                                  double max_w, IlTextExtent *out);
/* Draws the layout with its vertical centre at @cy. */
void         il_text_draw        (cairo_t *cr, PangoLayout *layout, double x, double cy,
                                  IlAlign align, IlRgb color);
/* A line that lands on device pixels: @width in device pixels for a crisp hairline. */
double       il_device_line_width (cairo_t *cr, double device_px);

/* The timeline frame ---------------------------------------------------------------------------- */

/* Columns touched by at least this many spans are drawn as a mix (running share at the bottom). */
#define IL_PAINT_DENSE_SPANS 3

typedef struct
{
  cairo_t              *cr;
  const IlPaintOptions *o;
  const IlPalette      *pal;
  IlLayout             *layout;
  PangoLayout          *text;
  GPtrArray            *runs;
  double                col_w;       /* user units per column */
  double                ns_per_col;
  double                t0;
  guint                 n_cols;
  double                hairline;
  /* Pixel targets (PNG, the window): lanes are written as pixels into one reusable image and
   * painted once per lane; vector targets get rectangles. Same cells either way. */
  gboolean              vector;
  cairo_surface_t      *raster;
  int                   raster_h;
  /* What the clip lets through (user units), and the columns inside it: a caller that repaints
   * a strip (the live window appends new columns) pays for the strip, not the picture. */
  double                clip_x0, clip_y0, clip_x1, clip_y1;
  guint                 c_lo, c_hi;
} IlPaintFrame;

/* Does the clip let anything of this rectangle through? */
static inline gboolean
il_paint_frame_sees (IlPaintFrame *f, double x0, double y0, double x1, double y1)
{
  return x1 > f->clip_x0 && x0 < f->clip_x1 && y1 > f->clip_y0 && y0 < f->clip_y1;
}

/* One column of a lane as drawn: a colour over its height, a bar from the bottom, a band from the
 * top. */
typedef struct
{
  guint32 top;       /* packed colour, or G_MAXUINT32 for nothing */
  guint32 bottom;    /* colour of the bottom bar */
  guint16 bar;       /* bar height in device pixels (0: none) */
  gboolean hl;       /* part of the highlighted task */
  /* Core lanes: what other programs (and the hypervisor) took, as a band from the top. */
  guint16 upper_bar;   /* height in device pixels of the whole band (0: none) */
  guint16 steal_bar;   /* the topmost part of it, in the steal colour */
  guint32 upper;       /* colour of the band */
  guint32 upper2;      /* colour of its steal part */
} IlPaintCell;

/* Cells into pixels or rectangles (il-painter-cells.c) ------------------------------------------ */

gboolean  il_paint_column_one_task  (const IlColumn *col);
gboolean  il_paint_column_is_task   (const IlColumn *col, int task);
guint32  *il_paint_raster_begin     (IlPaintFrame *f, double h, IlRgb bg, gboolean fill_bg, int *rows,
                                     int *stride);
void      il_paint_raster_end       (IlPaintFrame *f, double y, double h);
void      il_paint_fill_cells       (IlPaintFrame *f, const IlPaintCell *cells, double y, double h,
                                     IlRgb bg);
void      il_paint_stroke_highlight (IlPaintFrame *f, const IlPaintCell *cells, double y, double h);
guint     il_paint_live_edge_col    (IlPaintFrame *f, IlRunTrace *run);
void      il_paint_label_segments   (IlPaintFrame *f, const int *ids, const IlPaintCell *cells,
                                     double y, double h, const char *long_fmt, IlRunTrace *tasks_of,
                                     IlRunTrace *workers_of, guint open_from);

/* The lanes, one file each ---------------------------------------------------------------------- */

void      il_paint_worker_lane      (IlPaintFrame *f, guint run_index, const IlColumn *cols,
                                     const IlLayoutRow *row, GArray *boundaries, IlPaintCell *cells);
/* What the core lanes need of every worker's columns, gathered once per run as the workers'
 * columns stream by (il-painter-cores.c): each column's running time per CPU, grouped by CPU, so
 * a core lane reads only its own entries whatever the machine's size or the workers' number. */
typedef struct _IlPaintCoreIndex IlPaintCoreIndex;
IlPaintCoreIndex *il_paint_core_index_new  (int hl_task);
/* il-painter-stacks.c: a traced Python program's running stretches named by their function
 * (the dominant innermost frame of the lane's sampled stacks there), where the name fits. */
void      il_paint_stack_labels     (IlPaintFrame *f, guint run_index, const IlColumn *cols,
                                     const IlLayoutRow *row, const IlPaintCell *cells);
void      il_paint_core_index_add   (IlPaintCoreIndex *index, IlPaintFrame *f, guint worker,
                                     const IlColumn *cols);
void      il_paint_core_index_seal  (IlPaintCoreIndex *index);
void      il_paint_core_index_free  (IlPaintCoreIndex *index);
void      il_paint_core_lane        (IlPaintFrame *f, guint run_index, IlRunTrace *run,
                                     const IlPaintCoreIndex *index, const IlLayoutRow *row,
                                     IlPaintCell *cells);
/* What the kernel's dropped records leave unknown, hatched over a worker or core lane
 * (il-painter-lost.c). */
void      il_paint_lost             (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow *row);
/* The strip's sums per column (workers in flight, running), added worker by worker. */
void      il_paint_strip_add        (IlPaintFrame *f, IlRunTrace *run, guint worker,
                                     const IlColumn *cols, double *flight, double *running);
void      il_paint_strip            (IlPaintFrame *f, IlRunTrace *run, double *flight,
                                     double *running, const IlLayoutRow *row);

/* Words and marks around the lanes -------------------------------------------------------------- */

/* The image title, with the warning when a shown run was disturbed (il-painter-header.c). */
void      il_paint_title            (IlPaintFrame *f);
/* A run's name, configuration and one-line summary above its lanes (il-painter-header.c);
 * whether the summary shows whole. */
gboolean  il_paint_run_header       (IlPaintFrame *f, IlRunTrace *run, const IlLayoutBlock *block);
/* The label left of a lane, or a process's header line (il-painter-guides.c). */
void      il_paint_lane_label       (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow *row);
void      il_paint_grid_and_axis    (IlPaintFrame *f, const IlTicks *ticks);
void      il_paint_legend           (IlPaintFrame *f, gboolean any_strip, guint max_cpus);

/* An imported trace's instants and flows over a run's lanes, and a counter track
 * (il-painter-marks.c). */
void      il_paint_marks            (IlPaintFrame *f, guint run_index);
void      il_paint_counter_row      (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow *row);

G_END_DECLS
