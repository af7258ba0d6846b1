/* il-paint-options.h: what a timeline is drawn with (theme, lanes shown, range, highlight), below painter and layout. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  IL_THEME_LIGHT,
  IL_THEME_DARK,
} IlTheme;

typedef enum
{
  IL_VIEW_WORKERS = 1 << 0,
  IL_VIEW_CORES   = 1 << 1,
  IL_VIEW_STRIP   = 1 << 2,
  IL_VIEW_BOTH    = IL_VIEW_WORKERS | IL_VIEW_CORES | IL_VIEW_STRIP,
} IlViewFlags;

typedef struct
{
  IlTheme      theme;
  IlViewFlags  view;
  gboolean     color_by_cpu;
  gint64       t0_ns, t1_ns;     /* visible time range; t1 <= t0 means fit the longest run */
  int          highlight_run;    /* -1 none: clicking a task highlights it in worker and core lanes */
  int          highlight_task;
  gboolean     show_header;      /* title + configuration + one-line summary per run */
  gboolean     show_legend;
  const char  *title;            /* NULL: derived from the runs */
  double       scale;            /* device scale: hairlines and the pixel columns of the level of detail */
  double       font_px;          /* base text size in user units; 0 picks one from the height */
  gboolean     exact;            /* ignore the level-of-detail summaries and read every span (tests) */
  const char  *lane_filter;      /* NULL or "": every lane; else only the worker and core lanes whose
                                  * label holds it, in any case (borrowed) */
  double       text_scale;       /* text zoom: the base text size times this (0 counts as 1) */
  gboolean     presentation;     /* for a projector: larger text and legend, lanes at least
                                  * IL_LAYOUT_PRESENT_LANE_H tall (the window scrolls past them) */
} IlPaintOptions;

/* Light theme, all views, by task, fit, no highlight, header and legend shown, scale 1, auto font,
 * no lane filter, text scale 1, not presenting. */
void      il_paint_options_init           (IlPaintOptions *o);

/* The time range drawn: o->t0_ns/t1_ns, or 0 … the end of the longest of @runs (GPtrArray of
 * IlRunTrace*) when fitting. */
void      il_paint_options_get_time_range (const IlPaintOptions *o,
                                           GPtrArray            *runs,
                                           gint64               *t0_ns,
                                           gint64               *t1_ns);

G_END_DECLS
