/* il-painter.c: the one painter: headers, worker lanes, core lanes, parallelism strip, axis and legend. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "il-capture-words.h"
#include "il-cpu-load.h"
#include "il-batch.h"
#include "il-layout.h"
#include "il-lod.h"
#include "il-painter.h"
#include "il-painter-private.h"

/* A column touched by more spans than this is read from the summary, not span by span. */
#define MAX_EXACT_SPANS 8
/* Columns touched by at least this many spans are drawn as a mix (running share at the bottom). */
#define DENSE_SPANS 3

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
}

void
il_painter_get_time_range (GPtrArray            *runs,
                           const IlPaintOptions *o,
                           gint64               *t0_ns,
                           gint64               *t1_ns)
{
  gint64 end = 0;

  g_return_if_fail (runs != NULL);
  g_return_if_fail (o != NULL);

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

void
il_painter_get_time_area (int                   width,
                          int                   height,
                          GPtrArray            *runs,
                          const IlPaintOptions *o,
                          double               *x0,
                          double               *x1)
{
  g_autoptr(IlLayout) layout = NULL;

  g_return_if_fail (runs != NULL);
  g_return_if_fail (o != NULL);

  layout = il_layout_new (width, height, runs, o);
  if (x0 != NULL)
    *x0 = layout->lane_x0;
  if (x1 != NULL)
    *x1 = layout->lane_x1;
}

/* Text helpers ---------------------------------------------------------------------------------- */

PangoLayout *
il_text_layout_new (cairo_t *cr)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoContext *context = pango_layout_get_context (layout);
  cairo_font_options_t *fo = cairo_font_options_create ();

  /* Unhinted metrics: text measures the same on screen, in PNG, SVG and PDF at any scale. */
  cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (context, fo);
  pango_layout_context_changed (layout);
  cairo_font_options_destroy (fo);
  return layout;
}

double
il_text_set (PangoLayout *layout, const char *text, double px, gboolean bold, double max_w)
{
  PangoFontDescription *desc = pango_font_description_new ();
  PangoRectangle logical;

  pango_font_description_set_family_static (desc, "Sans");
  pango_font_description_set_absolute_size (desc, px * PANGO_SCALE);
  pango_font_description_set_weight (desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);

  pango_layout_set_ellipsize (layout, max_w > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  pango_layout_set_width (layout, max_w > 0 ? (int) (max_w * PANGO_SCALE) : -1);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.width / PANGO_SCALE;
}

void
il_text_draw (cairo_t *cr, PangoLayout *layout, double x, double cy, IlAlign align, IlRgb color)
{
  PangoRectangle logical;
  double w, h;

  pango_layout_get_extents (layout, NULL, &logical);
  w = (double) logical.width / PANGO_SCALE;
  h = (double) logical.height / PANGO_SCALE;
  if (align == IL_ALIGN_CENTER)
    x -= w / 2;
  else if (align == IL_ALIGN_RIGHT)
    x -= w;

  cairo_save (cr);
  il_rgb_set_source (cr, color);
  cairo_move_to (cr, x - (double) logical.x / PANGO_SCALE, cy - h / 2);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

double
il_device_line_width (cairo_t *cr, double device_px)
{
  double dx = device_px, dy = 0;

  cairo_device_to_user_distance (cr, &dx, &dy);
  return fabs (dx) > 0 ? fabs (dx) : device_px;
}

/* Words ----------------------------------------------------------------------------------------- */

static char *
run_title (IlRunTrace *run)
{
  const char *label = il_run_trace_get_label (run);

  if (label != NULL && *label != '\0')
    return g_strdup (label);
  return il_run_config_get_title (il_run_trace_get_config (run));
}

static char *
derive_title (GPtrArray *runs, const IlPaintOptions *o)
{
  GString *s;

  if (o->title != NULL)
    return g_strdup (o->title);
  if (runs->len == 0)
    return g_strdup (_("No run yet"));

  s = g_string_new (NULL);
  for (guint r = 0; r < runs->len; r++)
    {
      g_autofree char *t = run_title (g_ptr_array_index (runs, r));
      if (r > 0)
        /* TRANSLATORS: between run names in an image title: "4 threads + GIL vs 4 processes" */
        g_string_append (s, _(" vs "));
      g_string_append (s, t);
    }
  return g_string_free (s, FALSE);
}

/* The run's configuration in words. A traced program's thread count is settled when it ends;
 * while it is live, the threads seen so far. */
static char *
painter_describe_config (IlRunTrace *run)
{
  const IlRunConfig *config = il_run_trace_get_config (run);
  g_autoptr(IlRunConfig) seen = NULL;

  if (config->executor != IL_EXECUTOR_EXTERNAL || !il_run_trace_get_live (run))
    return il_run_config_describe (config);
  seen = il_run_config_copy (config);
  seen->workers = il_run_trace_get_n_workers (run);
  return il_run_config_describe (seen);
}

/* The header's warning when other programs took more than 10 % of a shown run's CPUs. */
static char *
disturbed_words (GPtrArray *runs)
{
  IlRunTrace *worst = NULL;

  for (guint i = 0; i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);
      if (!il_run_trace_get_live (run) && il_run_trace_is_disturbed (run) &&
          (worst == NULL || il_run_trace_get_summary (run)->other_share >
                            il_run_trace_get_summary (worst)->other_share))
        worst = run;
    }
  if (worst == NULL)
    return NULL;
  if (runs->len == 1)
    return g_strdup_printf (_("Disturbed: other programs took %d %% of the CPUs; close them or run again"),
                            (int) round (il_run_trace_get_summary (worst)->other_share * 100));
  return g_strdup_printf (_("Comparison disturbed: other programs took %d %% of the CPUs during “%s”; "
                            "close them or run again"),
                          (int) round (il_run_trace_get_summary (worst)->other_share * 100),
                          il_run_trace_get_label (worst));
}

/* A repeated run's wall time: the median (the run kept) with the range of all, and how many. */
static char *
repeat_wall (IlRunTrace *run, gint64 wall)
{
  const IlRepeat *repeat = il_run_trace_get_repeat (run);
  g_autofree char *median = il_format_duration (wall);
  g_autofree char *lo = NULL, *hi = NULL;

  if (repeat == NULL || !isfinite (repeat->wall_ns[0]) || !isfinite (repeat->wall_ns[1]))
    return g_steal_pointer (&median);
  lo = il_format_duration ((gint64) repeat->wall_ns[0]);
  hi = il_format_duration ((gint64) repeat->wall_ns[1]);
  /* TRANSLATORS: a run's wall time in an image header: the median of N runs and their range */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (median of %u, %s–%s)",
                                       "%s (median of %u, %s–%s)", repeat->count),
                          median, repeat->count, lo, hi);
}

static char *
summary_line (IlRunTrace *run)
{
  const IlSummary *sum = il_run_trace_get_summary (run);
  GString *s = g_string_new (NULL);
  const char *capture = il_capture_describe (il_run_trace_get_capture (run),
                                             IL_CAPTURE_WORDS_HEADER);
  gint64 wall = sum != NULL ? sum->wall_ns : 0;

  if (il_run_trace_get_live (run) || wall <= 0)
    {
      g_autofree char *so_far = il_format_duration (il_run_trace_get_end_ns (run));
      if (il_run_trace_get_live (run))
        g_string_append_printf (s, _("running… %s so far"), so_far);
      else
        g_string_append_printf (s, _("wall %s"), so_far);
    }
  else
    {
      g_autofree char *wall_s = repeat_wall (run, wall);
      g_autofree char *cpu_s = il_format_duration (sum->cpu_ns);

      /* An imported trace knows when its slices ran, not whether a CPU ran them. */
      if (!il_layout_run_has_cores (run))
        g_string_append_printf (s, _("wall %s · in slices %s · avg slices at once %.2f · max %u"),
                                wall_s, cpu_s, sum->avg_parallelism, sum->max_parallelism);
      else
        g_string_append_printf (s, _("wall %s · CPU %s · avg parallelism %.2f · max %u"),
                                wall_s, cpu_s, sum->avg_parallelism, sum->max_parallelism);
      if (!isnan (sum->speedup) && sum->speedup > 0)
        g_string_append_printf (s, _(" · speedup %.2f×"), sum->speedup);
      if (sum->gil_wait_ns > 0)
        {
          g_autofree char *v = il_format_duration (sum->gil_wait_ns);
          g_string_append_printf (s, _(" · GIL wait %s"), v);
        }
      if (sum->ready_ns > 0)
        {
          g_autofree char *v = il_format_duration (sum->ready_ns);
          g_string_append_printf (s, _(" · ready %s"), v);
        }
      if (sum->io_wait_ns > 0)
        {
          g_autofree char *v = il_format_duration (sum->io_wait_ns);
          g_string_append_printf (s, _(" · I/O wait %s"), v);
        }
      if (sum->loop_wait_ns > 0)
        {
          g_autofree char *v = il_format_duration (sum->loop_wait_ns);
          g_string_append_printf (s, _(" · waiting for the loop %s"), v);
        }
    }
  if (!il_run_trace_get_live (run) && wall > 0)
    {
      g_autofree char *other = il_cpu_load_describe_run (run);
      if (other != NULL)
        g_string_append_printf (s, " · %s", other);
    }
  if (il_run_trace_get_cancelled (run))
    g_string_append (s, _(" · cancelled"));
  if (il_run_trace_get_truncated_at_spans (run) > 0)
    g_string_append_printf (s, _(" · trace truncated at %" PRIu64 " spans"),
                            il_run_trace_get_truncated_at_spans (run));
  if (capture != NULL)
    g_string_append_printf (s, " · %s", capture);
  return g_string_free (s, FALSE);
}

char *
il_painter_worker_label (IlRunTrace *run, guint w)
{
  return il_run_trace_get_worker_label (run, w);
}

/* Frame state ----------------------------------------------------------------------------------- */

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
} Frame;

/* Does the clip let anything of this rectangle through? */
static gboolean
frame_sees (Frame *f, double x0, double y0, double x1, double y1)
{
  return x1 > f->clip_x0 && x0 < f->clip_x1 && y1 > f->clip_y0 && y0 < f->clip_y1;
}

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
} Cell;

/* Does one task hold (nearly) all the running time of the column? A task cut into short spans
 * by context switches is still one task (summary columns recover its full id, see il-lod.c). */
static gboolean
column_one_task (const IlColumn *col)
{
  return col->task >= 0 && !col->task_low && col->task_ns >= 0.9 * col->ns[IL_STATE_RUNNING];
}

static IlRgb
running_color (Frame *f, const IlColumn *col, gboolean dense)
{
  if (f->o->color_by_cpu && col->cpu >= 0)
    return il_palette_cpu_color (f->pal, col->cpu);
  if (f->o->color_by_cpu || (dense && !column_one_task (col)))
    return f->pal->states[IL_STATE_RUNNING];
  return il_palette_task_color (f->pal, col->task);
}

/* Running in a dense column: by CPU, the colours of its two busiest CPUs mixed by their time. */
static IlRgb
running_mix (Frame *f, const IlColumn *col)
{
  if (f->o->color_by_cpu && col->cpu >= 0)
    {
      IlRgb a = il_palette_cpu_color (f->pal, col->cpu);
      if (col->cpu2 >= 0 && col->cpu2_ns > 0)
        return il_rgb_mix (a, il_palette_cpu_color (f->pal, col->cpu2),
                           col->cpu2_ns / (col->cpu_ns + col->cpu2_ns));
      return a;
    }
  if (!f->o->color_by_cpu && column_one_task (col))
    return il_palette_task_color (f->pal, col->task);
  return f->pal->states[IL_STATE_RUNNING];
}

static gboolean
column_is_task (const IlColumn *col, int task)
{
  if (task < 0 || col->task < 0 || col->ns[IL_STATE_RUNNING] <= 0)
    return FALSE;
  if (col->task_low)
    return (col->task & 0xff) == (task & 0xff);
  return col->task == task;
}

static gboolean
target_is_vector (cairo_t *cr)
{
  switch (cairo_surface_get_type (cairo_get_target (cr)))
    {
    case CAIRO_SURFACE_TYPE_IMAGE:
    case CAIRO_SURFACE_TYPE_RECORDING:  /* GTK's cairo nodes: replayed onto pixels */
    case CAIRO_SURFACE_TYPE_XLIB:
    case CAIRO_SURFACE_TYPE_XCB:
      return FALSE;
    default:
      return TRUE;
    }
}

/* A pixel buffer as wide as the lane area and @h user units high, filled with @bg. */
static guint32 *
raster_begin (Frame *f, double h, IlRgb bg, gboolean fill_bg, int *rows, int *stride)
{
  double dev = f->o->scale;
  int need = MAX (1, (int) round (h * dev));
  guint32 fill = 0xff000000 | il_rgb_pack (bg);
  guint32 *data;

  if (f->raster == NULL || f->raster_h < need)
    {
      g_clear_pointer (&f->raster, cairo_surface_destroy);
      f->raster = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) f->n_cols, need);
      f->raster_h = need;
    }
  cairo_surface_flush (f->raster);
  data = (guint32 *) (gpointer) cairo_image_surface_get_data (f->raster);
  *stride = cairo_image_surface_get_stride (f->raster) / 4;
  *rows = need;
  if (fill_bg)
    for (int y = 0; y < need; y++)
      for (guint x = f->c_lo; x < f->c_hi; x++)
        data[y * *stride + x] = fill;
  return data;
}

static void
raster_end (Frame *f, double y, double h)
{
  cairo_t *cr = f->cr;
  cairo_pattern_t *pattern;
  cairo_matrix_t m;
  double dev = f->o->scale;

  cairo_surface_mark_dirty (f->raster);
  cairo_save (cr);
  pattern = cairo_pattern_create_for_surface (f->raster);
  /* One buffer pixel per device pixel: nearest filtering copies, never blurs. */
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  cairo_matrix_init_scale (&m, dev, dev);
  cairo_matrix_translate (&m, -f->layout->lane_x0, -y);
  cairo_pattern_set_matrix (pattern, &m);
  cairo_set_source (cr, pattern);
  cairo_rectangle (cr, f->layout->lane_x0 + f->c_lo * f->col_w, y, (f->c_hi - f->c_lo) * f->col_w, h);
  cairo_fill (cr);
  cairo_pattern_destroy (pattern);
  cairo_restore (cr);
}

/* Core lanes on pixel targets: the band of other programs (steal at its top) over the rows. */
static void
fill_upper_bands (Frame *f, const Cell *cells, guint32 *data, int rows, int stride)
{
  for (guint x = f->c_lo; x < f->c_hi; x++)
    {
      int band = MIN (rows, (int) cells[x].upper_bar), steal = MIN (band, (int) cells[x].steal_bar);

      for (int yy = 0; yy < band; yy++)
        data[yy * stride + x] = 0xff000000 | (yy < steal ? cells[x].upper2 : cells[x].upper);
    }
}

/* Draws runs of equal cells as single rectangles: few drawing operations, and real vector shapes
 * in SVG and PDF. On pixel targets, writes the same cells as pixels. */
static void
fill_cells (Frame *f, const Cell *cells, double y, double h, IlRgb bg)
{
  cairo_t *cr = f->cr;
  double x0 = f->layout->lane_x0;
  double dev = f->o->scale;
  guint c = 0;

  if (!f->vector)
    {
      int rows, stride;
      guint32 *data = raster_begin (f, h, bg, FALSE, &rows, &stride);
      guint32 bg_px = 0xff000000 | il_rgb_pack (bg);
      guint max_bar = 0;

      /* The first row holds every cell's top colour; rows above the tallest bar are copies of
       * it, and only the bars are patched in below. */
      for (guint x = f->c_lo; x < f->c_hi; x++)
        {
          data[x] = cells[x].top != G_MAXUINT32 ? 0xff000000 | cells[x].top : bg_px;
          max_bar = MAX (max_bar, cells[x].bar);
        }
      for (int yy = 1; yy < rows; yy++)
        memcpy (data + yy * stride + f->c_lo, data + f->c_lo, (f->c_hi - f->c_lo) * sizeof (guint32));
      for (int yy = MAX (0, rows - (int) max_bar); yy < rows; yy++)
        {
          guint32 *line = data + yy * stride;
          for (guint x = f->c_lo; x < f->c_hi; x++)
            if (rows - yy <= cells[x].bar)
              line[x] = 0xff000000 | cells[x].bottom;
        }
      fill_upper_bands (f, cells, data, rows, stride);
      raster_end (f, y, h);
      return;
    }

  il_rgb_set_source (cr, bg);
  cairo_rectangle (cr, x0, y, f->n_cols * f->col_w, h);
  cairo_fill (cr);

  while (c < f->n_cols)
    {
      guint e = c + 1;
      const Cell *cell = &cells[c];

      while (e < f->n_cols && cells[e].top == cell->top && cells[e].bottom == cell->bottom
             && cells[e].bar == cell->bar && cells[e].upper_bar == cell->upper_bar
             && cells[e].steal_bar == cell->steal_bar)
        e++;

      if (cell->top != G_MAXUINT32 || cell->bar > 0)
        {
          double xa = x0 + c * f->col_w, xb = x0 + e * f->col_w;
          double bar_h = MIN (h, cell->bar / dev);

          if (cell->top != G_MAXUINT32 && bar_h < h)
            {
              il_rgb_set_source (cr, il_rgb_unpack (cell->top));
              cairo_rectangle (cr, xa, y, xb - xa, h - bar_h);
              cairo_fill (cr);
            }
          if (bar_h > 0)
            {
              il_rgb_set_source (cr, il_rgb_unpack (cell->bottom));
              cairo_rectangle (cr, xa, y + h - bar_h, xb - xa, bar_h);
              cairo_fill (cr);
            }
        }
      if (cell->upper_bar > 0)
        {
          double xa = x0 + c * f->col_w, xb = x0 + e * f->col_w;
          double band_h = MIN (h, cell->upper_bar / dev), steal_h = MIN (band_h, cell->steal_bar / dev);

          if (steal_h > 0)
            {
              il_rgb_set_source (cr, il_rgb_unpack (cell->upper2));
              cairo_rectangle (cr, xa, y, xb - xa, steal_h);
              cairo_fill (cr);
            }
          if (band_h > steal_h)
            {
              il_rgb_set_source (cr, il_rgb_unpack (cell->upper));
              cairo_rectangle (cr, xa, y + steal_h, xb - xa, band_h - steal_h);
              cairo_fill (cr);
            }
        }
      c = e;
    }
}

static void
stroke_highlight (Frame *f, const Cell *cells, double y, double h)
{
  cairo_t *cr = f->cr;
  double x0 = f->layout->lane_x0;
  double lw = MAX (f->hairline * 2, f->layout->font_px * 0.14);
  guint c = 0;

  cairo_save (cr);
  cairo_set_line_width (cr, lw);
  il_rgb_set_source (cr, f->pal->highlight);
  while (c < f->n_cols)
    {
      guint e;

      if (!cells[c].hl)
        {
          c++;
          continue;
        }
      e = c + 1;
      while (e < f->n_cols && cells[e].hl)
        e++;
      cairo_rectangle (cr, x0 + c * f->col_w + lw / 2, y + lw / 2,
                       MAX ((e - c) * f->col_w - lw, lw), MAX (h - lw, lw));
      cairo_stroke (cr);
      c = e;
    }
  cairo_restore (cr);
}

/* The first column of a live run that may still change: spans come when they end, so a lane's
 * next span starts where its last one ended, and the live window repaints from there. A stretch
 * named left of it stays whole; one named further right would be cut (or named twice) by the
 * strips painted over its end later. */
static guint
live_edge_col (Frame *f, IlRunTrace *run)
{
  IlCpuLoad *load = il_run_trace_get_cpu_load (run);
  gint64 edge = il_run_trace_get_end_ns (run);
  double x;

  if (!il_run_trace_get_live (run))
    return G_MAXUINT;
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);
      guint n = il_lane_get_n_spans (lane);

      edge = MIN (edge, n > 0 ? il_lane_get_span (lane, n - 1)->end_ns : 0);
    }
  if (load != NULL)
    edge = MIN (edge, il_cpu_load_get_end_ns (load));
  x = il_time_scale_to_x (&f->layout->scale, (double) edge);
  return (guint) MAX (0.0, floor ((x - f->layout->lane_x0) / f->col_w) - 2);
}

/* Names stretches of equal @ids (-1: none) inside a lane where the text fits: "task 3" on a task's
 * running, "worker 2" on a core, so a slide reads without the legend. Stretches reaching
 * @open_from (live_edge_col) are not named yet. */
static void
label_segments (Frame *f, const int *ids, const Cell *cells, double y, double h, const char *long_fmt,
                IlRunTrace *tasks_of, IlRunTrace *workers_of, guint open_from)
{
  double px = MIN (f->layout->font_px * 0.72, h * 0.62);
  /* Gaps of nothing-in-particular (a mix, a sliver) up to 2 % of the lane do not split a stretch. */
  guint max_gap = MAX (4, f->n_cols / 50);
  guint c = 0;

  if (px < 7)
    return;
  while (c < f->n_cols)
    {
      guint e = c + 1;
      double w, avail;
      gboolean named;
      g_autofree char *text = NULL;

      if (ids[c] < 0)
        {
          c++;
          continue;
        }
      /* A stretch split by a sliver (a few columns of no one in particular) is still one stretch;
       * another task or worker in between does split it. */
      for (;;)
        {
          guint gap_end;

          while (e < f->n_cols && ids[e] == ids[c])
            e++;
          gap_end = e;
          while (gap_end < f->n_cols && gap_end - e < max_gap && ids[gap_end] < 0)
            gap_end++;
          if (gap_end < f->n_cols && gap_end - e < max_gap && ids[gap_end] == ids[c])
            e = gap_end;
          else
            break;
        }
      avail = (e - c) * f->col_w - px * 0.8;
      /* Not near a live run's edge: a stretch there may still grow, or merge across a gap. */
      if (avail > px * 1.2 && (open_from == G_MAXUINT || e + max_gap < open_from))
        {
          /* An imported trace's slices keep their own names; workers of a traced program are
           * named as on their own lanes. */
          named = tasks_of != NULL && (guint) ids[c] < il_run_trace_get_n_tasks (tasks_of) &&
                  il_run_trace_get_task (tasks_of, (guint) ids[c])->name != NULL;
          if (named)
            text = g_strdup (il_run_trace_get_task (tasks_of, (guint) ids[c])->name);
          else if (workers_of != NULL)
            text = il_painter_worker_label (workers_of, (guint) ids[c]);
          else
            text = g_strdup_printf (long_fmt, ids[c]);
          w = il_text_set (f->text, text, px, FALSE, 0);
          /* A slice name that does not fit is left out rather than replaced by a number
           * no one knows. */
          if (w > avail && !named)
            {
              g_free (text);
              text = g_strdup_printf ("%d", ids[c]);
              w = il_text_set (f->text, text, px, FALSE, 0);
            }
          /* Only stretches wholly inside the clip are named: a strip repainted alone (the live
           * window appends columns) must not name a stretch that goes on outside it, or the
           * stretch would be named once per strip. */
          double cx = f->layout->lane_x0 + (c + e) * f->col_w / 2;
          gboolean whole = (c > f->c_lo || f->c_lo == 0) && (e < f->c_hi || f->c_hi == f->n_cols);
          if (w <= avail && whole && cx - w / 2 >= f->clip_x0 && cx + w / 2 <= f->clip_x1)
            {
              const Cell *mid = &cells[(c + e) / 2];
              IlRgb bg = il_rgb_unpack (mid->top != G_MAXUINT32 ? mid->top : mid->bottom);
              IlRgb ink = il_rgb_luminance (bg) > 0.45 ? (IlRgb) { 0.08, 0.08, 0.1 } : (IlRgb) { 1, 1, 1 };
              il_text_draw (f->cr, f->text, cx, y + h / 2, IL_ALIGN_CENTER, ink);
            }
        }
      c = e;
    }
}

static void
draw_worker_lane_boundaries (Frame *f, const IlLayoutRow *row, GArray *boundaries)
{
  cairo_t *cr = f->cr;

  cairo_save (cr);
  il_rgb_set_source (cr, f->pal->separator);
  cairo_set_line_width (cr, MAX (f->hairline, f->layout->font_px * 0.08));
  for (guint b = 0; b < boundaries->len; b++)
    {
      double x = il_time_scale_to_x (&f->layout->scale, g_array_index (boundaries, double, b));
      cairo_move_to (cr, x, row->y);
      cairo_line_to (cr, x, row->y + row->h);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_worker_lane (Frame *f, guint run_index, const IlColumn *cols, const IlLayoutRow *row,
                  GArray *boundaries, Cell *cells)
{
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  gboolean any_hl = FALSE;
  int hl_task = (int) run_index == f->o->highlight_run ? f->o->highlight_task : -1;

  for (guint c = f->c_lo; c < f->c_hi; c++)
    {
      const IlColumn *col = &cols[c];
      Cell *cell = &cells[c];
      double covered = 0;
      guint dom = 0, other = G_MAXUINT;
      gboolean dense = col->n_spans >= DENSE_SPANS;

      for (guint s = 0; s < IL_N_STATES; s++)
        {
          covered += col->ns[s];
          if (col->ns[s] > col->ns[dom])
            dom = s;
          if (s != IL_STATE_RUNNING && col->ns[s] > 0
              && (other == G_MAXUINT || col->ns[s] > col->ns[other]))
            other = s;
        }

      *cell = (Cell) { .top = G_MAXUINT32 };
      if (covered < 0.5 * f->ns_per_col)
        continue;

      if (dense && other != G_MAXUINT)
        {
          /* Many spans in one column: what an exact drawing blurs together. The running share is
           * a bar from the bottom; above it the other states' colours mixed by their time. */
          double share = col->ns[IL_STATE_RUNNING] / covered;
          IlRgb mix = { 0, 0, 0 };
          double rest = covered - col->ns[IL_STATE_RUNNING];

          for (guint s = 0; s < IL_N_STATES; s++)
            if (s != IL_STATE_RUNNING && col->ns[s] > 0)
              {
                double k = col->ns[s] / rest;
                mix.r += f->pal->states[s].r * k;
                mix.g += f->pal->states[s].g * k;
                mix.b += f->pal->states[s].b * k;
              }
          cell->top = il_rgb_pack (mix);
          cell->bar = (guint16) MIN (round (share * row->h * dev), 65535);
          if (cell->bar > 0)
            cell->bottom = il_rgb_pack (running_mix (f, col));
        }
      else if (dom == IL_STATE_RUNNING)
        cell->top = il_rgb_pack (running_color (f, col, dense));
      else
        cell->top = il_rgb_pack (f->pal->states[dom]);

      if (hl_task >= 0 && column_is_task (col, hl_task))
        cell->hl = any_hl = TRUE;
    }

  fill_cells (f, cells, row->y, row->h, f->pal->panel);

  {
    g_autofree int *ids = g_new (int, f->n_cols);
    for (guint c = 0; c < f->n_cols; c++)
      ids[c] = -1;
    for (guint c = f->c_lo; c < f->c_hi; c++)
      {
        const IlColumn *col = &cols[c];
        /* Names only on stretches that read as the task running, not on a mix. */
        gboolean run_dom = col->ns[IL_STATE_RUNNING] >= 0.75 * f->ns_per_col;
        ids[c] = run_dom && column_one_task (col) ? col->task : -1;
      }
    /* TRANSLATORS: inside a task's stretch of running in a worker lane */
    label_segments (f, ids, cells, row->y, row->h, _("task %d"),
                    g_ptr_array_index (f->runs, run_index), NULL,
                    live_edge_col (f, g_ptr_array_index (f->runs, run_index)));
  }

  /* On a lane too dense to walk span by span, a task boundary is where neighbouring columns
   * each belong to one task, and to different ones. */
  if (boundaries == NULL)
    {
      g_autoptr(GArray) derived = g_array_new (FALSE, FALSE, sizeof (double));
      int last_task = -1;
      guint last_c = 0;

      for (guint c = f->c_lo; c < f->c_hi; c++)
        {
          const IlColumn *q = &cols[c];
          if (!column_one_task (q) || q->ns[IL_STATE_RUNNING] < 0.5 * f->ns_per_col)
            continue;
          /* The column where one task ends and the next begins is mixed: look across up to
           * two such columns and put the line in the middle of them. */
          if (last_task >= 0 && q->task != last_task && c - last_c <= 3)
            {
              double at = f->t0 + (last_c + 1 + (c - last_c - 1) / 2.0) * f->ns_per_col;
              g_array_append_val (derived, at);
            }
          last_task = q->task;
          last_c = c;
        }
      /* Many of them is noise at this zoom, not boundaries anyone can read. */
      if (derived->len > 0 && derived->len <= f->n_cols / 24)
        draw_worker_lane_boundaries (f, row, derived);
    }

  if (boundaries != NULL && boundaries->len > 0 && boundaries->len <= f->n_cols / 24)
    draw_worker_lane_boundaries (f, row, boundaries);

  if (any_hl)
    stroke_highlight (f, cells, row->y, row->h);
}

/* Core lane k, what the rest of the machine took: other programs' share of each column as a band
 * from the top (steal, the hypervisor's, topmost), the workers' own share as a bar from the bottom.
 * A core held by others is so never drawn idle. Two lookups per column in the run's series. */
static void
core_lane_add_other (Frame *f, IlRunTrace *run, const IlLayoutRow *row, guint c, double busy_ns,
                     Cell *cell)
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

/* Core lane k: the running time of every worker whose column ran mostly on k. */
static void
draw_core_lane (Frame *f, guint run_index, IlRunTrace *run, IlColumn *const *cols,
                const IlLayoutRow *row, Cell *cells)
{
  g_autofree int *ids = g_new (int, f->n_cols);
  guint n_workers = il_run_trace_get_n_workers (run);
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  int hl_task = (int) run_index == f->o->highlight_run ? f->o->highlight_task : -1;
  gboolean any_hl = FALSE;

  for (guint c = 0; c < f->n_cols; c++)
    ids[c] = -1;
  for (guint c = f->c_lo; c < f->c_hi; c++)
    {
      double busy = 0, best = 0;
      int best_worker = -1;
      gboolean dense = FALSE;
      IlRgb mix = { 0, 0, 0 };
      Cell *cell = &cells[c];

      for (guint w = 0; w < n_workers; w++)
        {
          const IlColumn *col = &cols[w][c];
          double ns = col->cpu == row->index ? col->cpu_ns : col->cpu2 == row->index ? col->cpu2_ns : 0;
          IlRgb wc;

          if (ns <= 0)
            continue;
          busy += ns;
          dense |= col->n_spans >= DENSE_SPANS;
          wc = il_palette_worker_color (f->pal, (int) w);
          mix.r += wc.r * ns;
          mix.g += wc.g * ns;
          mix.b += wc.b * ns;
          if (ns > best)
            {
              best = ns;
              best_worker = (int) w;
            }
        }

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

      if (hl_task >= 0 && column_is_task (&cols[best_worker][c], hl_task))
        cell->hl = any_hl = TRUE;
    }

  fill_cells (f, cells, row->y, row->h, f->pal->panel);
  /* TRANSLATORS: inside a stretch of a core lane: which worker ran there */
  label_segments (f, ids, cells, row->y, row->h, il_run_trace_get_n_workers (run) > 0
                  && il_run_trace_get_worker (run, 0)->kind == IL_WORKER_PROCESS ? _("process %d")
                                                                                  : _("worker %d"),
                  NULL, il_run_trace_get_config (run)->executor == IL_EXECUTOR_EXTERNAL ? run : NULL,
                  live_edge_col (f, run));
  if (any_hl)
    stroke_highlight (f, cells, row->y, row->h);
}

/* The strip: workers in flight (holding a task) and running, averaged per column, as step areas. */
static void
draw_strip (Frame *f, IlRunTrace *run, IlColumn *const *cols, const IlLayoutRow *row)
{
  cairo_t *cr = f->cr;
  guint n_workers = il_run_trace_get_n_workers (run);
  guint n_cpus = il_layout_run_n_cpus (run);
  double top = MAX (MAX (n_workers, n_cpus), 1) * 1.1;
  double x0 = f->layout->lane_x0;
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  g_autofree double *flight = g_new0 (double, f->n_cols);
  g_autofree double *running = g_new0 (double, f->n_cols);
  double y_base = row->y + row->h;
  double ref_y;

  for (guint w = 0; w < n_workers; w++)
    for (guint c = f->c_lo; c < f->c_hi; c++)
      {
        const IlColumn *col = &cols[w][c];
        running[c] += col->ns[IL_STATE_RUNNING];
        /* A traced program's helper threads (never a task-like stretch) are not in flight. */
        if (il_run_trace_get_worker (run, w)->helper)
          {
            flight[c] += col->ns[IL_STATE_RUNNING];
            continue;
          }
        flight[c] += col->ns[IL_STATE_RUNNING] + col->ns[IL_STATE_READY]
                     + col->ns[IL_STATE_GIL_WAIT] + col->ns[IL_STATE_IO_WAIT]
                     + col->ns[IL_STATE_LOCK_WAIT] + col->ns[IL_STATE_LOOP_WAIT];
      }

  /* Heights snap to device pixels so equal neighbours merge into one step. */
  for (guint k = f->c_lo; k < f->c_hi; k++)
    {
      flight[k] = round (flight[k] / f->ns_per_col / top * row->h * dev) / dev;
      running[k] = round (running[k] / f->ns_per_col / top * row->h * dev) / dev;
    }

  if (!f->vector)
    {
      int rows, stride;
      guint32 *data = raster_begin (f, row->h, f->pal->background, TRUE, &rows, &stride);
      guint32 run_px = 0xff000000 | il_rgb_pack (f->pal->running);
      guint32 flight_px = 0xff000000 | il_rgb_pack (f->pal->in_flight);

      for (int yy = 0; yy < rows; yy++)
        {
          guint32 *line = data + yy * stride;
          double from_bottom = (rows - yy) / dev;   /* top edge of this pixel row, from the base */
          for (guint x = f->c_lo; x < f->c_hi; x++)
            {
              if (from_bottom <= running[x] + 1e-9)
                line[x] = run_px;
              else if (from_bottom <= flight[x] + 1e-9)
                line[x] = flight_px;
            }
        }
      raster_end (f, row->y, row->h);
    }
  else
    for (guint pass = 0; pass < 2; pass++)
      {
        double *v = pass == 0 ? flight : running;
        guint c = 0;

        cairo_move_to (cr, x0, y_base);
        while (c < f->n_cols)
          {
            guint e = c + 1;
            while (e < f->n_cols && v[e] == v[c])
              e++;
            cairo_line_to (cr, x0 + c * f->col_w, y_base - v[c]);
            cairo_line_to (cr, x0 + e * f->col_w, y_base - v[c]);
            c = e;
          }
        cairo_line_to (cr, x0 + f->n_cols * f->col_w, y_base);
        cairo_close_path (cr);
        il_rgb_set_source (cr, pass == 0 ? f->pal->in_flight : f->pal->running);
        cairo_fill (cr);
      }

  /* A count scale: a faint line at every worker when they are few, numbers for 0 and the top. */
  {
    guint n_lines = MAX (n_workers, n_cpus);
    double px = MIN (f->layout->font_px * 0.7, row->h * 0.3);

    cairo_save (cr);
    cairo_set_line_width (cr, f->hairline);
    il_rgb_set_source_alpha (cr, f->pal->text_dim, 0.35);
    if (n_lines <= 16)
      for (guint k = 1; k <= n_lines; k++)
        {
          double yk = round ((y_base - k / top * row->h) * dev) / dev + f->hairline / 2;
          cairo_move_to (cr, x0, yk);
          cairo_line_to (cr, f->layout->lane_x1, yk);
        }
    cairo_stroke (cr);
    cairo_restore (cr);

    for (guint k = 0; k < 2; k++)
      {
        guint value = k == 0 ? 0 : n_lines;
        g_autofree char *label = g_strdup_printf ("%u", value);
        il_text_set (f->text, label, px, FALSE, 0);
        /* Kept inside the strip's height: "0" sits on the base, the top count under its line. */
        il_text_draw (cr, f->text, x0 - px * 0.4,
                      value == 0 ? y_base - px * 0.6 : MAX (y_base - value / top * row->h, row->y + px * 0.6),
                      IL_ALIGN_RIGHT,
                      f->pal->text_dim);
      }
  }

  /* The core count: running above this line is impossible; in flight above it means waiting. */
  ref_y = round ((y_base - n_cpus / top * row->h) * dev) / dev;
  cairo_save (cr);
  il_rgb_set_source (cr, f->pal->reference);
  cairo_set_line_width (cr, MAX (f->hairline * 2, f->layout->font_px * 0.1));
  {
    double dash[] = { f->layout->font_px * 0.5, f->layout->font_px * 0.3 };
    cairo_set_dash (cr, dash, 2, 0);
  }
  cairo_move_to (cr, x0, ref_y);
  cairo_line_to (cr, f->layout->lane_x1, ref_y);
  cairo_stroke (cr);
  cairo_restore (cr);

  {
    g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", n_cpus),
                                              n_cpus);
    double px = MIN (f->layout->font_px * 0.8, row->h * 0.4);
    double w = il_text_set (f->text, label, px, TRUE, 0);
    double bx = f->layout->lane_x1 - w - px * 0.5;
    double by = ref_y - px * 0.75;

    if (by - px * 0.6 < row->y)
      by = ref_y + px * 0.75;
    il_rgb_set_source_alpha (cr, f->pal->background, 0.85);
    cairo_rectangle (cr, bx - px * 0.25, by - px * 0.65, w + px * 0.5, px * 1.3);
    cairo_fill (cr);
    il_text_draw (cr, f->text, bx, by, IL_ALIGN_LEFT, f->pal->reference);
  }
}

/* A traced program's process: "pid 4242 · python3 script.py" across the label and lane area, above
 * its threads, with a rule under it. */
static void
draw_process_header (Frame *f, IlRunTrace *run, const IlLayoutRow *row)
{
  IlLayout *l = f->layout;
  const IlProcessInfo *proc = il_run_trace_get_process (run, (guint) row->index);
  double px = MIN (l->font_px * 0.85, MAX (row->h * 0.7, 6.0));
  g_autofree char *text = g_strdup_printf (_("pid %d · %s"), proc->pid,
                                           *proc->command != '\0' ? proc->command : proc->name);

  il_text_set (f->text, text, px, TRUE, l->lane_x1 - l->label_x);
  il_text_draw (f->cr, f->text, l->label_x, row->y + row->h * 0.45, IL_ALIGN_LEFT, f->pal->text);
  il_rgb_set_source (f->cr, f->pal->text_dim);
  cairo_set_line_width (f->cr, f->hairline);
  cairo_move_to (f->cr, l->label_x, row->y + row->h - f->hairline / 2);
  cairo_line_to (f->cr, l->lane_x1, row->y + row->h - f->hairline / 2);
  cairo_stroke (f->cr);
}

static void
draw_lane_label (Frame *f, IlRunTrace *run, const IlLayoutRow *row)
{
  IlLayout *l = f->layout;
  double px = row->kind == IL_ROW_CORE ? l->core_label_font_px : l->label_font_px;
  double cy = row->y + row->h / 2;
  double x = l->label_x;
  g_autofree char *text = NULL;

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
      text = g_strdup (_("workers in flight / running"));
      break;
    }

  if (row->kind == IL_ROW_STRIP)
    {
      /* Two lines fit the strip; the long label wraps there. */
      pango_layout_set_wrap (f->text, PANGO_WRAP_WORD);
      il_text_set (f->text, text, MIN (l->font_px * 0.85, MAX (row->h * 0.25, 7.0)), FALSE, 0);
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

static void
draw_run (Frame *f, guint r)
{
  IlRunTrace *run = g_ptr_array_index (f->runs, r);
  const IlLayoutBlock *block = &g_array_index (f->layout->blocks, IlLayoutBlock, r);
  guint n_workers = il_run_trace_get_n_workers (run);
  IlLodRun *lod = f->o->exact ? NULL : il_lod_run_ensure (run);
  g_autofree IlColumn **cols = g_new0 (IlColumn *, MAX (n_workers, 1));
  g_autofree Cell *cells = g_new0 (Cell, f->n_cols);
  g_autofree GArray **bounds = g_new0 (GArray *, MAX (n_workers, 1));
  /* Only columns inside the clip are filled (il_lod_lane_columns clears them) and read. */
  IlColumn *all = g_new (IlColumn, (gsize) MAX (n_workers, 1) * f->n_cols);
  /* Any task change between touching spans counts (a task cut into slivers still ends
   * somewhere); too many of them are dropped when drawing. */
  double min_boundary_ns = 0;

  if (f->o->show_header && frame_sees (f, 0, block->header_y, f->layout->width,
                                        block->header_y + block->header_h))
    {
      IlLayout *l = f->layout;
      g_autofree char *title = run_title (run);
      g_autofree char *config = painter_describe_config (run);
      g_autofree char *summary = summary_line (run);
      double line = l->font_px * 1.35;
      double w;

      if (block->header_h < l->font_px * 2)
        {
          /* Compact: the run's name and its summary on one line (small views, several runs). */
          w = il_text_set (f->text, title, l->font_px * 1.0, TRUE, l->width * 0.4);
          il_text_draw (f->cr, f->text, l->margin, block->header_y + block->header_h / 2, IL_ALIGN_LEFT,
                        f->pal->text);
          il_text_set (f->text, summary, l->font_px * 0.9, FALSE,
                       MAX (1, l->width - 2 * l->margin - w - l->font_px));
          il_text_draw (f->cr, f->text, l->margin + w + l->font_px, block->header_y + block->header_h / 2,
                        IL_ALIGN_LEFT, f->pal->text_dim);
        }
      else
        {
          /* A single run under a derived title: the big title already names it. */
          if (f->runs->len == 1 && f->o->title == NULL)
            w = -l->font_px;
          else
            {
              w = il_text_set (f->text, title, l->font_px * 1.1, TRUE, l->width - 2 * l->margin);
              il_text_draw (f->cr, f->text, l->margin, block->header_y + line * 0.5, IL_ALIGN_LEFT,
                            f->pal->text);
            }
          /* The configuration in words, unless the run's title already is exactly that. */
          if (g_strcmp0 (title, config) != 0 && l->margin + w + l->font_px < l->width - l->margin)
            {
              il_text_set (f->text, config, l->font_px * 0.95, FALSE,
                           l->width - 2 * l->margin - w - l->font_px);
              il_text_draw (f->cr, f->text, l->margin + w + l->font_px, block->header_y + line * 0.5,
                            IL_ALIGN_LEFT, f->pal->text_dim);
            }
          il_text_set (f->text, summary, l->font_px * 0.95, FALSE, l->width - 2 * l->margin);
          il_text_draw (f->cr, f->text, l->margin, block->header_y + line * 1.55, IL_ALIGN_LEFT,
                        f->pal->text_dim);
        }
    }

  /* Nothing of the lanes in the clip (a header repainted alone): no columns to compute. */
  {
    gboolean any_row = FALSE;

    for (guint i = 0; i < block->n_rows && !any_row; i++)
      {
        const IlLayoutRow *row = &g_array_index (f->layout->rows, IlLayoutRow, block->first_row + i);
        any_row = frame_sees (f, 0, row->y, f->layout->width, row->y + row->h);
      }
    if (!any_row)
      n_workers = 0;
  }

  for (guint w = 0; w < n_workers; w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);
      gint64 t_end = (gint64) (f->t0 + f->ns_per_col * f->n_cols);
      /* Task boundaries only where spans are wide enough to tell apart: on lanes with few
       * visible spans (every column is then read span by span anyway). */
      gboolean sparse = il_lane_find (lane, t_end) - il_lane_find (lane, (gint64) f->t0)
                        <= f->n_cols / 4 + 1;

      cols[w] = all + (gsize) w * f->n_cols;
      bounds[w] = sparse ? g_array_new (FALSE, FALSE, sizeof (double)) : NULL;
      /* Only the columns the clip lets through; the others stay empty and are not painted. */
      if (f->c_hi > f->c_lo)
        il_lod_lane_columns (lod != NULL ? il_lod_run_get_lane (lod, w) : NULL, lane,
                             f->t0 + f->c_lo * f->ns_per_col, f->ns_per_col, f->c_hi - f->c_lo,
                             f->o->exact ? G_MAXUINT : MAX_EXACT_SPANS, cols[w] + f->c_lo, bounds[w],
                             min_boundary_ns);
    }

  for (guint i = 0; i < block->n_rows; i++)
    {
      const IlLayoutRow *row = &g_array_index (f->layout->rows, IlLayoutRow, block->first_row + i);

      if (!frame_sees (f, 0, row->y, f->layout->width, row->y + row->h))
        continue;
      /* A process's header line runs across the lanes too: a strip repainted there (the live
       * window) must draw its part of it again. */
      if (frame_sees (f, 0, row->y, row->kind == IL_ROW_PROCESS ? f->layout->width : f->layout->lane_x0,
                      row->y + row->h))
        draw_lane_label (f, run, row);
      if (f->c_hi <= f->c_lo)
        continue;

      switch (row->kind)
        {
        case IL_ROW_WORKER:
          draw_worker_lane (f, r, cols[row->index], row, bounds[row->index], cells);
          break;
        case IL_ROW_CORE:
          draw_core_lane (f, r, run, cols, row, cells);
          break;
        case IL_ROW_PROCESS:
          break;
        case IL_ROW_STRIP:
        default:
          draw_strip (f, run, cols, row);
          break;
        }
    }

  for (guint w = 0; w < n_workers; w++)
    g_clear_pointer (&bounds[w], g_array_unref);
  g_free (all);
}

static void
draw_grid_and_axis (Frame *f, const IlTicks *ticks)
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

  if (!frame_sees (f, 0, l->axis_y, l->width, l->axis_y + l->font_px * 2))
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
} LegendItem;

static void
legend_item_clear (gpointer data)
{
  LegendItem *item = data;
  g_free (item->text);
}

static gboolean
any_run_has_state (Frame *f, IlState state)
{
  for (guint r = 0; r < f->runs->len; r++)
    if (il_run_trace_has_state (g_ptr_array_index (f->runs, r), state))
      return TRUE;
  return FALSE;
}

/* The core lanes' "other programs" and "taken by the hypervisor", when a shown run has them. */
static void
core_lane_legend (Frame *f, GArray *items)
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

static void
draw_legend (Frame *f, gboolean any_strip, guint max_cpus)
{
  cairo_t *cr = f->cr;
  IlLayout *l = f->layout;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (LegendItem));
  double px = l->font_px * 0.85;
  double total = 0, sw, gap, x, cy;

  g_array_set_clear_func (items, legend_item_clear);

  if (f->o->view & IL_VIEW_WORKERS)
    {
      for (guint s = 0; s < IL_N_STATES; s++)
        {
          LegendItem item = { f->pal->states[s], f->pal->states[s], FALSE, FALSE, NULL };

          /* Lock and event-loop waits occur only in traced programs and async runs. */
          if ((s == IL_STATE_LOCK_WAIT || s == IL_STATE_LOOP_WAIT) && !any_run_has_state (f, s))
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
          item->w = sw + px * 0.4 + il_text_set (f->text, item->text, px, FALSE, 0);
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

void
il_painter_draw (cairo_t              *cr,
                 int                   width,
                 int                   height,
                 GPtrArray            *runs,
                 const IlPaintOptions *o)
{
  g_autoptr(IlLayout) layout = NULL;
  g_autoptr(PangoLayout) text = NULL;
  IlPaintOptions opts;
  Frame f = { 0 };
  IlTicks ticks;
  guint max_cpus = 1;
  gboolean any_cores = FALSE;
  double dev;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (runs != NULL);
  g_return_if_fail (o != NULL);

  opts = *o;
  if (!(opts.scale > 0))
    opts.scale = 1;
  dev = opts.scale;

  layout = il_layout_new (width, height, runs, &opts);
  text = il_text_layout_new (cr);

  f.cr = cr;
  f.o = &opts;
  f.pal = il_palette_get (opts.theme);
  f.layout = layout;
  f.text = text;
  f.runs = runs;
  f.hairline = 1.0 / dev;
  f.vector = target_is_vector (cr);
  /* One column per device pixel of the lane area. */
  f.n_cols = (guint) MAX (1, ceil ((layout->lane_x1 - layout->lane_x0) * dev));
  f.col_w = (layout->lane_x1 - layout->lane_x0) / f.n_cols;
  f.ns_per_col = il_time_scale_ns_per_x (&layout->scale) * f.col_w;
  f.t0 = (double) layout->scale.t0_ns;
  cairo_clip_extents (cr, &f.clip_x0, &f.clip_y0, &f.clip_x1, &f.clip_y1);
  f.c_lo = (guint) CLAMP (floor ((f.clip_x0 - layout->lane_x0) / f.col_w), 0, f.n_cols);
  f.c_hi = (guint) CLAMP (ceil ((f.clip_x1 - layout->lane_x0) / f.col_w), f.c_lo, f.n_cols);

  cairo_save (cr);
  il_rgb_set_source (cr, f.pal->background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);

  if (opts.show_header && frame_sees (&f, 0, layout->title_y, width, layout->title_y + layout->title_h))
    {
      g_autofree char *title = derive_title (runs, &opts);
      g_autofree char *disturbed = disturbed_words (runs);
      double avail = layout->width - 2 * layout->margin;
      double w = il_text_set (text, title, layout->font_px * 1.5, TRUE,
                              disturbed != NULL ? avail * 0.5 : avail);

      il_text_draw (cr, text, layout->margin, layout->title_y + layout->title_h / 2, IL_ALIGN_LEFT,
                    f.pal->text);
      if (disturbed != NULL)
        {
          /* In the warning colour after the title: the picture says it cannot be trusted. */
          il_text_set (text, disturbed, layout->font_px * 1.0, TRUE,
                       MAX (1, avail - w - layout->font_px));
          il_text_draw (cr, text, layout->margin + w + layout->font_px,
                        layout->title_y + layout->title_h / 2, IL_ALIGN_LEFT, f.pal->reference);
        }
    }

  il_ticks_choose (&layout->scale, layout->font_px * 0.85 * 0.62, layout->font_px * 1.5, &ticks);
  draw_grid_and_axis (&f, &ticks);

  cairo_save (cr);
  cairo_rectangle (cr, 0, layout->lanes_y0 - layout->font_px * 4, width,
                   layout->lanes_y1 - layout->lanes_y0 + layout->font_px * 4);
  cairo_clip (cr);
  for (guint r = 0; r < runs->len; r++)
    {
      max_cpus = MAX (max_cpus, il_layout_run_n_cpus (g_ptr_array_index (runs, r)));
      any_cores |= il_layout_run_has_cores (g_ptr_array_index (runs, r));
      draw_run (&f, r);
    }
  cairo_restore (cr);

  if (runs->len == 0)
    {
      il_text_set (text, _("No run yet: press Run, or open a lesson"), layout->font_px * 1.2, FALSE, 0);
      il_text_draw (cr, text, width / 2.0, height / 2.0, IL_ALIGN_CENTER, f.pal->text_dim);
    }

  if (opts.show_legend && runs->len > 0
      && frame_sees (&f, 0, layout->legend_y, width, layout->legend_y + layout->legend_h))
    draw_legend (&f, (opts.view & IL_VIEW_STRIP) != 0 && any_cores, any_cores ? max_cpus : 0);

  cairo_restore (cr);
  g_clear_pointer (&f.raster, cairo_surface_destroy);
}

gboolean
il_painter_hit_test (int                   width,
                     int                   height,
                     GPtrArray            *runs,
                     const IlPaintOptions *o,
                     double                x,
                     double                y,
                     IlPaintHit           *hit)
{
  g_autoptr(IlLayout) layout = NULL;
  const IlLayoutRow *row;
  IlRunTrace *run;
  gint64 t;

  g_return_val_if_fail (runs != NULL, FALSE);
  g_return_val_if_fail (o != NULL, FALSE);
  g_return_val_if_fail (hit != NULL, FALSE);

  layout = il_layout_new (width, height, runs, o);
  if (x < layout->lane_x0 || x >= layout->lane_x1)
    return FALSE;
  row = il_layout_row_at (layout, y);
  if (row == NULL)
    return FALSE;

  memset (hit, 0, sizeof *hit);
  hit->run = (int) row->run;
  hit->worker = -1;
  hit->cpu = -1;
  run = g_ptr_array_index (runs, row->run);
  t = (gint64) floor (il_time_scale_to_time (&layout->scale, x));

  if (row->kind == IL_ROW_PROCESS)
    return FALSE;
  if (row->kind == IL_ROW_STRIP)
    {
      hit->in_strip = TRUE;
      hit->span.start_ns = hit->span.end_ns = t;
      hit->span.task = -1;
      hit->span.cpu = -1;
      return TRUE;
    }

  if (row->kind == IL_ROW_WORKER)
    {
      const IlLane *lane = il_run_trace_get_lane (run, (guint) row->index);
      guint i = il_lane_find (lane, t);

      if (i < il_lane_get_n_spans (lane) && il_lane_get_span (lane, i)->start_ns <= t)
        {
          hit->worker = row->index;
          hit->span = *il_lane_get_span (lane, i);
          return TRUE;
        }
      return FALSE;
    }

  /* A core lane: whichever worker was running on that CPU at t. */
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);
      guint i = il_lane_find (lane, t);

      if (i < il_lane_get_n_spans (lane))
        {
          const IlSpan *s = il_lane_get_span (lane, i);
          if (s->start_ns <= t && s->state == IL_STATE_RUNNING && s->cpu == row->index)
            {
              hit->worker = (int) w;
              hit->cpu = row->index;
              hit->span = *s;
              return TRUE;
            }
        }
    }
  return FALSE;
}
