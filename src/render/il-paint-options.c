/* il-paint-options.c: the defaults of a timeline drawing, and the time range it shows. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "il-paint-options.h"
#include "il-trace.h"

void
il_paint_options_init (IlPaintOptions *o)
{
  g_return_if_fail (o != NULL);

  memset (o, 0, sizeof *o);
  o->theme = IL_THEME_LIGHT;
  o->view = IL_VIEW_BOTH;
  o->color_by_cpu = FALSE;
  o->t0_ns = 0;
  o->t1_ns = 0;
  o->highlight_run = -1;
  o->highlight_task = -1;
  o->show_header = TRUE;
  o->show_legend = TRUE;
  o->title = NULL;
  o->scale = 1.0;
  o->font_px = 0;
  o->exact = FALSE;
  o->lane_filter = NULL;
  o->text_scale = 1.0;
  o->presentation = FALSE;
}

void
il_paint_options_get_time_range (const IlPaintOptions *o,
                                 GPtrArray            *runs,
                                 gint64               *t0_ns,
                                 gint64               *t1_ns)
{
  gint64 end = 0;

  g_return_if_fail (o != NULL);
  g_return_if_fail (runs != NULL);

  if (o->t1_ns > o->t0_ns)
    {
      *t0_ns = o->t0_ns;
      *t1_ns = o->t1_ns;
      return;
    }

  for (guint r = 0; r < runs->len; r++)
    end = MAX (end, il_run_trace_get_end_ns (g_ptr_array_index (runs, r)));
  *t0_ns = 0;
  /* An empty run still gets a readable axis: one millisecond. */
  *t1_ns = end > 0 ? end : G_GINT64_CONSTANT (1000000);
}
