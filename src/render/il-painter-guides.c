/* il-painter-guides.c: what explains the lanes: lane labels and process headers, the time axis and grid, the legend. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "il-cpu-load.h"
#include "il-painter-private.h"
#include "il-trace-marks.h"

/* A traced program's process: "pid 4242 · python3 script.py" across the label and lane area, above
 * its threads, with a rule under it. */
static void
draw_process_header (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow *row)
{
  IlLayout *l = f->layout;
  double px = MIN (l->font_px * 0.85, MAX (row->h * 0.7, 6.0));
  g_autofree char *text = NULL;

  if (row->index < 0)
    {
      /* An event loop: the one thread, then its tasks in flight as the lanes below. */
      int tid = il_run_trace_get_worker (run, 0)->tid;
      guint n = il_run_trace_get_n_workers (run);

      text = tid > 0
        /* TRANSLATORS: above an event loop's lanes; %d a thread id, %u how many lanes follow */
        ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "one thread (tid %d) · up to %u task in flight",
                                        "one thread (tid %d) · up to %u tasks in flight", n), tid, n)
        : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "one thread · up to %u task in flight",
                                        "one thread · up to %u tasks in flight", n), n);
    }
  else
    {
      const IlProcessInfo *proc = il_run_trace_get_process (run, (guint) row->index);

      text = g_strdup_printf (_("pid %d · %s"), proc->pid,
                              *proc->command != '\0' ? proc->command : proc->name);
    }

  il_text_set (f->text, text, px, TRUE, l->lane_x1 - l->label_x);
  il_text_draw (f->cr, f->text, l->label_x, row->y + row->h * 0.45, IL_ALIGN_LEFT, f->pal->text);
  il_rgb_set_source (f->cr, f->pal->text_dim);
  cairo_set_line_width (f->cr, f->hairline);
  cairo_move_to (f->cr, l->label_x, row->y + row->h - f->hairline / 2);
  cairo_line_to (f->cr, l->lane_x1, row->y + row->h - f->hairline / 2);
  cairo_stroke (f->cr);
}

void
il_paint_lane_label (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow *row)
{
  IlLayout *l = f->layout;
  double px = row->kind == IL_ROW_CORE ? l->core_label_font_px : l->label_font_px;
  double cy = row->y + row->h / 2;
  double x = l->label_x;
  g_autofree char *text = NULL;

  /* A counter track labels itself (il-painter-marks.c); a thread's rows of nested slices have
   * their label on the first row. */
  if (row->kind == IL_ROW_COUNTER || (row->kind == IL_ROW_WORKER && row->depth > 0))
    return;
  /* Lanes thinner than readable text: label every k-th lane only, so labels never overlap. */
  if (row->kind != IL_ROW_STRIP && row->h + 1 < 8)
    {
      int step = (int) ceil (9.0 / (row->h + 1));
      if (row->index % step != 0)
        return;
      px = 7;
    }

  if (row->kind == IL_ROW_PROCESS)
    {
      draw_process_header (f, run, row);
      return;
    }

  switch (row->kind)
    {
    case IL_ROW_WORKER:
      {
        /* The swatch is the worker's colour in the core lanes (none when they are hidden). */
        double sw = MIN (px * 0.8, row->h * 0.8);
        if (f->o->view & IL_VIEW_CORES)
          {
            il_rgb_set_source (f->cr, il_palette_worker_color (f->pal, row->index));
            cairo_rectangle (f->cr, x, cy - sw / 2, sw, sw);
            cairo_fill (f->cr);
          }
        x += px * 1.2;
        text = il_painter_worker_label (run, (guint) row->index);
      }
      break;
    case IL_ROW_CORE:
      x += px * 1.2;
      text = g_strdup_printf (_("core %d"), row->index);
      break;
    case IL_ROW_STRIP:
    default:
      text = g_strdup (il_layout_run_is_event_loop (run) ? _("tasks in flight / running")
                                                         : _("workers in flight / running"));
      break;
    }

  if (row->kind == IL_ROW_STRIP)
    {
      /* Two lines fit the strip; the long label wraps there. */
      pango_layout_set_wrap (f->text, PANGO_WRAP_WORD);
      /* Presenting, the strip is short but its words must still carry across a room. */
      il_text_set (f->text, text,
                   MIN (l->font_px * 0.85,
                        MAX (row->h * 0.25, f->o->presentation ? l->font_px * 0.7 : 7.0)),
                   FALSE, 0);
      /* Leave room at the right for the strip's count scale. */
      pango_layout_set_width (f->text, (int) ((l->label_w - l->font_px * 1.6) * PANGO_SCALE));
      pango_layout_set_ellipsize (f->text, PANGO_ELLIPSIZE_NONE);
      il_text_draw (f->cr, f->text, x, cy, IL_ALIGN_LEFT, f->pal->text_dim);
      pango_layout_set_width (f->text, -1);
      return;
    }
  il_text_set (f->text, text, px, FALSE, l->label_x + l->label_w - x);
  il_text_draw (f->cr, f->text, x, cy, IL_ALIGN_LEFT,
                row->kind == IL_ROW_CORE ? f->pal->text_dim : f->pal->text);
}

void
il_paint_grid_and_axis (IlPaintFrame *f, const IlTicks *ticks)
{
  cairo_t *cr = f->cr;
  IlLayout *l = f->layout;
  double px = l->font_px * 0.85;
  double last_right = -G_MAXDOUBLE;

  cairo_save (cr);
  cairo_set_line_width (cr, f->hairline);
  il_rgb_set_source (cr, f->pal->grid);
  for (guint i = 0; i < ticks->n_ticks; i++)
    {
      double x = round (il_time_scale_to_x (&l->scale, ticks->first_ns + (double) ticks->step_ns * i)
                        * f->o->scale) / f->o->scale + f->hairline / 2;
      cairo_move_to (cr, x, l->lanes_y0);
      cairo_line_to (cr, x, l->axis_y + l->font_px * 0.35);
    }
  cairo_stroke (cr);

  il_rgb_set_source (cr, f->pal->axis);
  cairo_move_to (cr, l->lane_x0, l->axis_y);
  cairo_line_to (cr, l->lane_x1, l->axis_y);
  cairo_stroke (cr);
  cairo_restore (cr);

  if (!il_paint_frame_sees (f, 0, l->axis_y, l->width, l->axis_y + l->font_px * 2))
    return;
  for (guint i = 0; i < ticks->n_ticks; i++)
    {
      gint64 t = ticks->first_ns + ticks->step_ns * (gint64) i;
      double x = il_time_scale_to_x (&l->scale, (double) t);
      g_autofree char *label = il_ticks_format (ticks, t);
      double w = il_text_set (f->text, label, px, FALSE, 0);
      double left = x - w / 2;

      /* Keep the outer labels inside the image; never draw one that would touch its neighbour. */
      left = MIN (left, l->width - l->margin * 0.5 - w);
      if (left < last_right + px * 0.6)
        continue;
      il_text_draw (cr, f->text, left, l->axis_y + l->font_px * 0.95, IL_ALIGN_LEFT, f->pal->text_dim);
      last_right = left + w;
    }
}

typedef struct
{
  IlRgb  color;
  IlRgb  color2;     /* second half of a split swatch */
  gboolean split;
  gboolean line;     /* a dashed line instead of a box */
  char  *text;
  double w;          /* swatch and text */
  guint  row;
  gboolean triangle; /* an instant's mark instead of a box */
  gboolean hatched;  /* what the kernel's lost records leave unknown (il-painter-lost.c) */
} LegendItem;

static void
legend_item_clear (gpointer data)
{
  LegendItem *item = data;
  g_free (item->text);
}

static gboolean
any_run_has_state (IlPaintFrame *f, IlState state)
{
  for (guint r = 0; r < f->runs->len; r++)
    if (il_run_trace_has_state (g_ptr_array_index (f->runs, r), state))
      return TRUE;
  return FALSE;
}

/* Are all shown runs imported files? Their legend lists only what they have: a Chrome trace has
 * no GIL, ready or I/O states, and saying so would be saying it has. */
static gboolean
all_runs_imported (IlPaintFrame *f)
{
  for (guint r = 0; r < f->runs->len; r++)
    if (il_run_trace_get_config (g_ptr_array_index (f->runs, r))->source == NULL)
      return FALSE;
  return f->runs->len > 0;
}

/* "instant" and "counter" when a shown run has them. */
static void
marks_legend (IlPaintFrame *f, GArray *items)
{
  gboolean instants = FALSE, counters = FALSE;

  for (guint r = 0; r < f->runs->len; r++)
    {
      instants |= il_run_trace_get_n_instants (g_ptr_array_index (f->runs, r)) > 0;
      counters |= il_run_trace_get_n_counters (g_ptr_array_index (f->runs, r)) > 0;
    }
  if (instants)
    {
      LegendItem item = { f->pal->reference, { 0 }, FALSE, FALSE, g_strdup (_("instant")), 0, 0, TRUE };
      g_array_append_val (items, item);
    }
  if (counters)
    {
      LegendItem item = { il_palette_series_color (f->pal, 0), { 0 }, FALSE, FALSE, g_strdup (_("counter")) };
      g_array_append_val (items, item);
    }
}

/* The core lanes' "other programs" and "taken by the hypervisor", when a shown run has them. */
static void
core_lane_legend (IlPaintFrame *f, GArray *items)
{
  gboolean other = FALSE, steal = FALSE;

  for (guint r = 0; r < f->runs->len; r++)
    {
      IlCpuLoad *load = il_run_trace_get_cpu_load (g_ptr_array_index (f->runs, r));
      if (load != NULL)
        {
          other |= il_cpu_load_get_other_ns (load) > 0;
          steal |= il_cpu_load_get_steal_ns (load) > 0;
        }
    }
  if (other)
    {
      LegendItem item = { f->pal->other_programs, { 0 }, FALSE, FALSE, g_strdup (_("other programs")) };
      g_array_append_val (items, item);
    }
  if (steal)
    {
      LegendItem item = { f->pal->steal, { 0 }, FALSE, FALSE, g_strdup (_("taken by the hypervisor")) };
      g_array_append_val (items, item);
    }
}

void
il_paint_legend (IlPaintFrame *f, gboolean any_strip, guint max_cpus)
{
  cairo_t *cr = f->cr;
  IlLayout *l = f->layout;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (LegendItem));
  double px = l->font_px * 0.85;
  double total = 0, sw, gap, x, cy;

  g_array_set_clear_func (items, legend_item_clear);

  if (f->o->view & IL_VIEW_WORKERS)
    {
      gboolean imported = all_runs_imported (f);

      for (guint s = 0; s < IL_N_STATES; s++)
        {
          LegendItem item = { f->pal->states[s], f->pal->states[s], FALSE, FALSE, NULL };

          /* Lock and event-loop waits occur only in traced programs and async runs. */
          if ((s == IL_STATE_LOCK_WAIT || s == IL_STATE_LOOP_WAIT || imported) && !any_run_has_state (f, s))
            continue;
          if (s == IL_STATE_RUNNING && f->o->color_by_cpu)
            {
              for (guint c = 0; c < MIN (max_cpus, 4); c++)
                {
                  LegendItem cpu_item = { il_palette_cpu_color (f->pal, (int) c), { 0 }, FALSE, FALSE,
                                          g_strdup_printf (_("running on core %u"), c) };
                  g_array_append_val (items, cpu_item);
                }
              continue;
            }
          if (s == IL_STATE_RUNNING)
            {
              /* Tasks alternate two shades of the running colour. */
              item.color2 = il_palette_task_color (f->pal, 1);
              item.split = TRUE;
              item.text = g_strdup (_("Running (a task)"));
            }
          else
            item.text = g_strdup (il_state_get_title (s));
          g_array_append_val (items, item);
        }
    }
  if (f->o->view & IL_VIEW_WORKERS)
    marks_legend (f, items);
  for (guint r = 0; r < f->runs->len; r++)
    if (il_run_trace_get_lost_records (g_ptr_array_index (f->runs, r), NULL) > 0)
      {
        LegendItem item = { f->pal->text_dim, { 0 }, FALSE, FALSE,
                            g_strdup (_("unknown (the kernel dropped records)")), .hatched = TRUE };
        g_array_append_val (items, item);
        break;
      }
  if ((f->o->view & IL_VIEW_CORES) && max_cpus > 0)
    {
      LegendItem item = { il_palette_worker_color (f->pal, 0), il_palette_worker_color (f->pal, 1),
                          TRUE, FALSE, g_strdup (_("core lanes: colour of the worker on it")) };
      g_array_append_val (items, item);
    }
  if (f->o->view & IL_VIEW_CORES)
    core_lane_legend (f, items);
  if (any_strip)
    {
      LegendItem flight = { f->pal->in_flight, { 0 }, FALSE, FALSE, g_strdup (_("in flight")) };
      LegendItem cores = { f->pal->reference, { 0 }, FALSE, TRUE, g_strdup (_("core count")) };
      g_array_append_val (items, flight);
      /* The strip's running part has its own swatch when no worker lane explains the colour. */
      if (!(f->o->view & IL_VIEW_WORKERS))
        {
          LegendItem running = { f->pal->running, { 0 }, FALSE, FALSE,
                                 g_strdup (_("running (in the strip)")) };
          g_array_append_val (items, running);
        }
      g_array_append_val (items, cores);
    }

  /* Items flow into the legend's rows; the text shrinks only if they still do not fit. */
  for (int attempt = 0; attempt < 8; attempt++)
    {
      guint row = 0;
      double line = 0;

      sw = px * 1.1;
      gap = px * 1.3;
      total = 0;
      for (guint i = 0; i < items->len; i++)
        {
          LegendItem *item = &g_array_index (items, LegendItem, i);
          IlTextExtent e;

          il_text_measure (f->text, item->text, px, FALSE, 0, &e);
          item->w = sw + px * 0.4 + e.width;
          if (line > 0 && line + gap + item->w > l->width - 2 * l->margin)
            {
              row++;
              line = 0;
            }
          line += (line > 0 ? gap : 0) + item->w;
          item->row = row;
          total = MAX (total, line);
        }
      if (row < MAX (l->legend_rows, 1))
        break;
      px *= 0.92;
    }

  for (guint i = 0; i < items->len; i++)
    {
      LegendItem *item = &g_array_index (items, LegendItem, i);
      double row_w = 0, row_h = l->legend_h / MAX (l->legend_rows, 1);

      /* Each row centred on its own. */
      if (i == 0 || g_array_index (items, LegendItem, i - 1).row != item->row)
        {
          for (guint k = i; k < items->len && g_array_index (items, LegendItem, k).row == item->row; k++)
            row_w += (k > i ? gap : 0) + g_array_index (items, LegendItem, k).w;
          x = MAX (l->margin, (l->width - row_w) / 2);
        }
      cy = l->legend_y + row_h * (item->row + 0.5);
      il_text_set (f->text, item->text, px, FALSE, 0);

      if (item->line)
        {
          double dash[] = { px * 0.4, px * 0.25 };
          cairo_save (cr);
          il_rgb_set_source (cr, item->color);
          cairo_set_line_width (cr, MAX (f->hairline * 2, px * 0.15));
          cairo_set_dash (cr, dash, 2, 0);
          cairo_move_to (cr, x, cy);
          cairo_line_to (cr, x + sw, cy);
          cairo_stroke (cr);
          cairo_restore (cr);
        }
      else if (item->triangle)
        {
          il_rgb_set_source (cr, item->color);
          cairo_move_to (cr, x + sw * 0.15, cy - sw * 0.4);
          cairo_line_to (cr, x + sw * 0.85, cy - sw * 0.4);
          cairo_line_to (cr, x + sw * 0.5, cy + sw * 0.4);
          cairo_close_path (cr);
          cairo_fill (cr);
        }
      else if (item->hatched)
        {
          cairo_save (cr);
          cairo_rectangle (cr, x, cy - sw / 2, sw, sw);
          cairo_clip (cr);
          il_rgb_set_source (cr, f->pal->panel);
          cairo_paint (cr);
          il_rgb_set_source (cr, item->color);
          cairo_set_line_width (cr, MAX (f->hairline, sw / 10));
          for (double d = -sw; d < sw; d += sw / 3)
            {
              cairo_move_to (cr, x + d, cy + sw / 2);
              cairo_line_to (cr, x + d + sw, cy - sw / 2);
            }
          cairo_stroke (cr);
          cairo_restore (cr);
        }
      else if (item->split)
        {
          il_rgb_set_source (cr, item->color);
          cairo_rectangle (cr, x, cy - sw / 2, sw / 2, sw);
          cairo_fill (cr);
          il_rgb_set_source (cr, item->color2);
          cairo_rectangle (cr, x + sw / 2, cy - sw / 2, sw / 2, sw);
          cairo_fill (cr);
        }
      else
        {
          il_rgb_set_source (cr, item->color);
          cairo_rectangle (cr, x, cy - sw / 2, sw, sw);
          cairo_fill (cr);
        }
      il_text_draw (cr, f->text, x + sw + px * 0.4, cy, IL_ALIGN_LEFT, f->pal->text);
      x += item->w + gap;
    }
}
