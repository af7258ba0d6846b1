/* il-painter.h: the one painter: timelines (worker lanes, core lanes, parallelism strip) into any cairo_t. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>
#include "il-trace.h"
#include "il-sweep.h"
#include "il-trace-marks.h"
#include "il-paint-options.h"

G_BEGIN_DECLS

/* Draws @runs (GPtrArray of IlRunTrace*) stacked and aligned at zero into @cr, filling
 * 0,0 … @width,@height (user units). Runs may be live: the level-of-detail summaries attached to
 * them are brought up to date with only the spans added since the last frame. */
void      il_painter_draw             (cairo_t              *cr,
                                       int                   width,
                                       int                   height,
                                       GPtrArray            *runs,
                                       const IlPaintOptions *o);

/* The sweep drawing: speedup vs workers per series, the ideal line and each Amdahl fit. */
void      il_painter_draw_sweep       (cairo_t              *cr,
                                       int                   width,
                                       int                   height,
                                       const IlSweep        *sweep,
                                       IlTheme               theme);
/* The same with @o's theme, text size, text zoom and presentation: the window's chart follows
 * Ctrl + / − and F11 as its timeline does. */
void      il_painter_draw_sweep_with  (cairo_t              *cr,
                                       int                   width,
                                       int                   height,
                                       const IlSweep        *sweep,
                                       const IlPaintOptions *o);
/* The sweep chart's text size in a @height-tall picture drawn with @o (every other size of the
 * chart is a multiple of it). */
double    il_painter_sweep_text_px    (int                   height,
                                       const IlPaintOptions *o);

/* Hit testing for hover/click, same geometry as the drawing. */
typedef struct
{
  int       run;
  int       worker;
  int       cpu;        /* core lane or -1 */
  IlSpan    span;
  gboolean  in_strip;
  gint64    t_ns;       /* the time under the point */
} IlPaintHit;

/* Returns TRUE and fills @hit when (x, y) is over a span of a worker or core lane (or over the
 * strip: then in_strip is TRUE, run is set and worker is -1). */
gboolean  il_painter_hit_test         (int                   width,
                                       int                   height,
                                       GPtrArray            *runs,
                                       const IlPaintOptions *o,
                                       double                x,
                                       double                y,
                                       IlPaintHit           *hit);

/* Whether every run's summary line shows whole (leaving out details it has no room for, never
 * cut with "…") in a @width × @height picture. */
gboolean  il_painter_fit_run_headers  (int                   width,
                                       int                   height,
                                       GPtrArray            *runs,
                                       const IlPaintOptions *o);

/* A run's header under (x, y) in full, for a tooltip: its name, configuration and every figure of
 * its summary, one to a line (the line drawn leaves out what its width has no room for). NULL
 * when (x, y) is over no run's header. */
char     *il_painter_describe_header  (int                   width,
                                       int                   height,
                                       GPtrArray            *runs,
                                       const IlPaintOptions *o,
                                       double                x,
                                       double                y);

/* What is under (x, y) of an imported trace's marks: an instant near x on a lane (@instant), or
 * the value a counter track shows at x (@counter its index, @point the point in force). */
typedef struct
{
  int                    run;
  int                    counter;   /* -1 when an instant */
  const IlInstant       *instant;
  const IlCounterPoint  *point;
} IlPaintMarkHit;

gboolean  il_painter_hit_mark         (int                   width,
                                       int                   height,
                                       GPtrArray            *runs,
                                       const IlPaintOptions *o,
                                       double                x,
                                       double                y,
                                       IlPaintMarkHit       *hit);

/* The x range of the lane area (for zoom around the pointer): time t0 is at @x0, t1 at @x1. */
void      il_painter_get_time_area    (int                   width,
                                       int                   height,
                                       GPtrArray            *runs,
                                       const IlPaintOptions *o,
                                       double               *x0,
                                       double               *x1);

/* How the image's title is set in a @width × @height picture: its text size, its widest line and
 * the width it may take, its lines (1, or 2 when one line would not fit even shrunk), and whether
 * it shows whole (only a title too long for two lines is ellipsized). Returns @fit->whole. */
typedef struct
{
  double   px;
  double   width;
  double   max_width;
  int      lines;
  gboolean whole;
} IlTitleFit;

gboolean  il_painter_fit_title        (int                   width,
                                       int                   height,
                                       GPtrArray            *runs,
                                       const IlPaintOptions *o,
                                       IlTitleFit           *fit);
/* The name of worker @w of @run as lanes, core lanes, tooltips and exports show it: a traced
 * program's thread name ("python3 · 4242"), else "worker 2 · tid 4242" / "process 1 · pid 4243". */
char     *il_painter_worker_label     (IlRunTrace *run, guint w);

G_END_DECLS
