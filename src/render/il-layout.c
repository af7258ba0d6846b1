/* il-layout.c: pure geometry of the painter, shared by drawing and hit testing so they always agree. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-layout.h"
#include "il-trace-marks.h"

void
il_time_scale_init (IlTimeScale *s, gint64 t0_ns, gint64 t1_ns, double x0, double x1)
{
  g_return_if_fail (s != NULL);

  s->t0_ns = t0_ns;
  s->t1_ns = t1_ns > t0_ns ? t1_ns : t0_ns + 1;
  s->x0 = x0;
  s->x1 = x1 > x0 ? x1 : x0 + 1;
}

double
il_time_scale_ns_per_x (const IlTimeScale *s)
{
  return (double) (s->t1_ns - s->t0_ns) / (s->x1 - s->x0);
}

double
il_time_scale_to_x (const IlTimeScale *s, double t_ns)
{
  return s->x0 + (t_ns - (double) s->t0_ns) / il_time_scale_ns_per_x (s);
}

double
il_time_scale_to_time (const IlTimeScale *s, double x)
{
  return (double) s->t0_ns + (x - s->x0) * il_time_scale_ns_per_x (s);
}

static const double unit_ns[] = { 1.0, 1e3, 1e6, 1e9 };
static const char *const unit_names[] = { "ns", "µs", "ms", "s" };

static IlTimeUnit
unit_for_magnitude (double ns)
{
  if (ns >= 1e9)
    return IL_TIME_UNIT_S;
  if (ns >= 1e6)
    return IL_TIME_UNIT_MS;
  if (ns >= 1e3)
    return IL_TIME_UNIT_US;
  return IL_TIME_UNIT_NS;
}

static guint
decimals_for_step (gint64 step_ns, IlTimeUnit unit)
{
  gint64 q = (gint64) unit_ns[unit];
  guint d = 0;

  /* Enough digits that consecutive ticks print differently: in integers, so a step of 1 µs in
   * seconds is 6 decimals, never rounded away. */
  while (q > 1 && step_ns % q != 0)
    {
      q /= 10;
      d++;
    }
  return d;
}

static void
ticks_pick_unit (IlTicks *t, double magnitude_ns)
{
  t->unit = unit_for_magnitude (magnitude_ns);
  t->decimals = decimals_for_step (t->step_ns, t->unit);
  /* Zoomed far into a long run: "150.002 ms" reads better than "0.150002 s". */
  while (t->decimals > 3 && t->unit > IL_TIME_UNIT_NS)
    {
      t->unit--;
      t->decimals = decimals_for_step (t->step_ns, t->unit);
    }
}

char *
il_ticks_format (const IlTicks *ticks, gint64 t_ns)
{
  g_return_val_if_fail (ticks != NULL, NULL);

  if (t_ns == 0)
    return g_strdup ("0");
  return g_strdup_printf ("%.*f %s", (int) ticks->decimals, (double) t_ns / unit_ns[ticks->unit],
                          unit_names[ticks->unit]);
}

static guint
utf8_chars (const char *s)
{
  return (guint) g_utf8_strlen (s, -1);
}

void
il_ticks_choose (const IlTimeScale *s, double char_w, double gap, IlTicks *out)
{
  static const int mantissa[] = { 1, 2, 5 };
  double ns_per_x;

  g_return_if_fail (s != NULL);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  ns_per_x = il_time_scale_ns_per_x (s);

  for (gint64 decade = 1; decade <= G_GINT64_CONSTANT (100000000000000); decade *= 10)
    {
      for (guint i = 0; i < G_N_ELEMENTS (mantissa); i++)
        {
          gint64 step = decade * mantissa[i];
          double step_x = (double) step / ns_per_x;
          double magnitude = MAX (llabs (s->t0_ns), llabs (s->t1_ns));
          gint64 first, last;
          double widest = 0;

          if (step_x < gap)
            continue;

          out->step_ns = step;
          ticks_pick_unit (out, magnitude);
          /* The first tick at or after t0, rounding toward +inf also for negative times. */
          first = s->t0_ns >= 0 ? (s->t0_ns + step - 1) / step * step : -((-s->t0_ns) / step * step);
          last = s->t1_ns >= 0 ? s->t1_ns / step * step : -((-s->t1_ns + step - 1) / step * step);

          /* The widest labels are at the ends (most digits); measure both ends and a middle one. */
          {
            gint64 probe[3] = { first, last, first + (last - first) / step / 2 * step + step };
            for (guint k = 0; k < 3; k++)
              {
                g_autofree char *label = il_ticks_format (out, probe[k]);
                widest = MAX (widest, utf8_chars (label) * char_w);
              }
          }

          if (step_x >= widest + gap)
            {
              out->first_ns = first;
              out->n_ticks = last >= first ? (guint) ((last - first) / step + 1) : 0;
              out->label_w = widest;
              return;
            }
        }
    }

  /* The whole range is narrower than one label: a single tick at the start. */
  out->step_ns = MAX (s->t1_ns - s->t0_ns, 1);
  out->first_ns = s->t0_ns;
  out->n_ticks = 1;
  ticks_pick_unit (out, MAX (llabs (s->t0_ns), llabs (s->t1_ns)));
}

guint
il_layout_run_n_cpus (IlRunTrace *run)
{
  guint n = il_run_trace_get_n_cpus (run);

  if (n == 0)
    n = il_cpu_count ();
  return MAX (n, 1);
}

guint
il_layout_run_n_allowed_cpus (IlRunTrace *run)
{
  const IlRunConfig *config = il_run_trace_get_config (run);
  guint n = il_layout_run_n_cpus (run), allowed = 0;

  if (config->cpus == NULL || config->cpus->len == 0)
    return n;
  for (guint i = 0; i < config->cpus->len; i++)
    allowed += g_array_index (config->cpus, int, i) >= 0 && (guint) g_array_index (config->cpus, int, i) < n;
  return MAX (allowed, 1);
}

gboolean
il_layout_run_has_cores (IlRunTrace *run)
{
  return il_run_trace_get_config (run)->source == NULL || il_run_trace_has_cpu_data (run);
}

void
il_layout_free (IlLayout *layout)
{
  if (layout == NULL)
    return;
  g_clear_pointer (&layout->rows, g_array_unref);
  g_clear_pointer (&layout->blocks, g_array_unref);
  g_free (layout);
}

/* Lane labels: "worker 12 · tid 4242424"; used to size the label column. */
static guint
max_label_chars (GPtrArray *runs)
{
  guint chars = 16;

  for (guint r = 0; r < runs->len; r++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, r);
      guint n = il_run_trace_get_n_workers (run);

      for (guint w = 0; w < n; w++)
        {
          const IlWorkerInfo *info = il_run_trace_get_worker (run, w);
          g_autofree char *ids = g_strdup_printf ("%d", MAX (info->tid, info->pid));
          /* "worker " + id + " · tid " + tid, with room for a 7-digit tid (pid_max is 4194304 on
           * 64-bit Linux): a live run's column keeps its width when its tids become known, so
           * the window does not repaint it whole then. */
          chars = MAX (chars, 7 + (w >= 100 ? 3 : w >= 10 ? 2 : 1) + 7 + MAX (strlen (ids), 7));
          /* A traced program's threads are labelled by their names ("python3 · 4242"). */
          if (il_layout_run_has_process_rows (run) && info->name != NULL)
            chars = MAX (chars, MIN (g_utf8_strlen (info->name, -1), 32));
        }
    }
  return chars;
}

/* Traced programs: lanes grouped by process, a header row (pid and command) above each group. */
gboolean
il_layout_run_has_process_rows (IlRunTrace *run)
{
  return il_run_trace_get_n_processes (run) > 0;
}

static double
process_header_h (double f)
{
  return round (f * 1.5);
}

static gboolean process_kept (IlRunTrace *run, guint p, const gboolean *keep);

/* An event loop is one thread whose lanes are its tasks in flight: a header row names the thread
 * above them (index -1), so the picture does not read as one worker thread per lane. */
gboolean
il_layout_run_is_event_loop (IlRunTrace *run)
{
  return il_run_trace_get_config (run)->executor == IL_EXECUTOR_ASYNC &&
         il_run_trace_get_n_workers (run) > 0;
}

static gboolean
loop_header_kept (IlRunTrace *run, const gboolean *keep)
{
  if (!il_layout_run_is_event_loop (run))
    return FALSE;
  for (guint w = 0; w < il_run_trace_get_n_workers (run) && keep != NULL; w++)
    if (keep[w])
      return TRUE;
  return keep == NULL;
}

static double
process_rows_fixed_h (IlRunTrace *run, const gboolean *keep, double f)
{
  guint n = 0;

  if (loop_header_kept (run, keep))
    return process_header_h (f);
  if (!il_layout_run_has_process_rows (run))
    return 0;
  for (guint p = 0; p < il_run_trace_get_n_processes (run); p++)
    n += process_kept (run, p, keep);
  return n * process_header_h (f);
}

/* Does @label hold @folded (a casefolded filter), in any case? */
static gboolean
label_matches (const char *label, const char *folded)
{
  g_autofree char *l = g_utf8_casefold (label, -1);

  return strstr (l, folded) != NULL;
}

/* The height of worker @w's row in lanes: a row of nested slices is thinner. */
static double
row_units (IlRunTrace *run, guint w)
{
  return il_run_trace_get_worker (run, w)->depth > 0 ? IL_LAYOUT_NESTED_ROW : 1.0;
}

/* Which worker lanes of @run the lane filter @folded keeps (NULL: every one), and how many lane
 * heights they take. */
static gboolean *
workers_kept (IlRunTrace *run, const char *folded, double *n_kept)
{
  guint n = il_run_trace_get_n_workers (run);
  gboolean *keep;

  *n_kept = 0;
  if (folded == NULL)
    {
      for (guint w = 0; w < n; w++)
        *n_kept += row_units (run, w);
      return NULL;
    }
  keep = g_new0 (gboolean, MAX (n, 1));
  for (guint w = 0; w < n; w++)
    {
      g_autofree char *label = NULL;

      /* A thread's rows of nested slices share its label: kept with its first row. */
      if (w > 0 && il_run_trace_get_worker (run, w)->depth > 0)
        keep[w] = keep[w - 1];
      else
        {
          label = il_run_trace_get_worker_label (run, w);
          keep[w] = label_matches (label, folded);
        }
      if (keep[w])
        *n_kept += row_units (run, w);
    }
  return keep;
}

/* Is core lane @c kept by the lane filter @folded? Its label as the painter draws it. */
static gboolean
core_kept (int c, const char *folded)
{
  g_autofree char *label = NULL;

  if (folded == NULL)
    return TRUE;
  label = g_strdup_printf (_("core %d"), c);
  return label_matches (label, folded);
}

/* Process headers of @run drawn: those with a kept lane (every one without a filter). */
static gboolean
process_kept (IlRunTrace *run, guint p, const gboolean *keep)
{
  int pid = il_run_trace_get_process (run, p)->pid;

  if (keep == NULL)
    return TRUE;
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    if (keep[w] && il_run_trace_get_worker (run, w)->pid == pid)
      return TRUE;
  return FALSE;
}

static void row_snap (IlLayoutRow *row, double y, double h);

/* A counter track's height: its label and the graph under it. */
static double
counter_pitch (double f)
{
  return round (f * 2.6);
}
static double lane_gap (double pitch, double f);

/* Appends worker @w's row at *@y. A thread's rows (its nested slices') follow one another with
 * no gap, the deeper ones thinner; the gap comes after its last. */
static void
place_worker_row (IlLayout *l, IlRunTrace *run, guint r, guint w, double *y, double pitch, double f)
{
  IlLayoutRow row = { IL_ROW_WORKER, r, (int) w, 0, 0, il_run_trace_get_worker (run, w)->depth };
  double h = pitch * row_units (run, w);
  gboolean last = w + 1 >= il_run_trace_get_n_workers (run)
                  || il_run_trace_get_worker (run, w + 1)->depth == 0;

  row_snap (&row, *y, h - (last ? lane_gap (pitch, f) : 0));
  g_array_append_val (l->rows, row);
  *y += h;
}

/* Appends the worker rows of run @r: grouped by process when it has processes (in the order of
 * the processes list, each thread in lane order; a worker of no listed process comes last).
 * Only the lanes in @keep when it is not NULL. */
static void
layout_worker_rows (IlLayout *l, IlRunTrace *run, guint r, const gboolean *keep, double *y,
                    double pitch, double f)
{
  guint n_workers = il_run_trace_get_n_workers (run);
  guint n_procs = il_run_trace_get_n_processes (run);
  g_autofree gboolean *placed = g_new0 (gboolean, MAX (n_workers, 1));

  /* A lane the filter leaves out counts as placed: it gets no row. */
  for (guint w = 0; w < n_workers && keep != NULL; w++)
    placed[w] = !keep[w];
  if (loop_header_kept (run, keep))
    {
      IlLayoutRow header = { IL_ROW_PROCESS, r, -1, 0, 0 };

      row_snap (&header, *y, process_header_h (f));
      g_array_append_val (l->rows, header);
      *y += process_header_h (f);
    }
  for (guint p = 0; p < n_procs && il_layout_run_has_process_rows (run); p++)
    {
      const IlProcessInfo *proc = il_run_trace_get_process (run, p);
      IlLayoutRow header = { IL_ROW_PROCESS, r, (int) p, 0, 0 };

      if (!process_kept (run, p, keep))
        continue;
      row_snap (&header, *y, process_header_h (f));
      g_array_append_val (l->rows, header);
      *y += process_header_h (f);
      for (guint w = 0; w < n_workers; w++)
        if (!placed[w] && il_run_trace_get_worker (run, w)->pid == proc->pid)
          {
            place_worker_row (l, run, r, w, y, pitch, f);
            placed[w] = TRUE;
          }
    }
  for (guint w = 0; w < n_workers; w++)
    if (!placed[w])
      {
        place_worker_row (l, run, r, w, y, pitch, f);
      }
}

/* Rows start and end on whole pixels: crisp edges at scale 1 and 2, and the same cells whether
 * drawn as rectangles or written as pixels. */
static void
row_snap (IlLayoutRow *row, double y, double h)
{
  row->y = round (y);
  row->h = MAX (1.0, round (y + h) - row->y);
}

/* Thin lanes still get a visible gap; thick ones a gap that does not grow past a few pixels. */
static double
lane_gap (double pitch, double f)
{
  return pitch >= 6 ? MIN (MAX (1.0, round (pitch * 0.14)), round (f * 0.3)) : 0;
}

/* Lane heights for @avail units of height. */
static void
lane_pitches (double avail, double f, double n_worker_lanes, guint n_core_lanes, guint n_strips,
              double strip_lanes, double strip_f, double *out_pitch, double *out_core,
              double *out_strip)
{
  double lo, hi, pitch, core_pitch, strip_pitch;

  /* Worker lanes share what is left; with many workers they get thin, but core lanes keep room
   * for a label and the strip stays tall enough to read counts: find the largest worker pitch
   * whose total fits (the total grows with it, so bisect). */
  lo = 0;
  hi = f * 3.6;
  for (int i = 0; i < 40; i++)
    {
      double mid = (lo + hi) / 2;
      double total = n_worker_lanes * mid + n_core_lanes * MAX (mid, f * 1.3)
                     + n_strips * MAX (strip_lanes * mid, f * strip_f);
      if (total <= avail)
        lo = mid;
      else
        hi = mid;
    }
  pitch = lo;
  core_pitch = MAX (pitch, f * 1.3);
  strip_pitch = MAX (strip_lanes * pitch, f * strip_f);
  /* When the minimum core and strip heights would squash the worker lanes (a small window with
   * several runs), or do not fit at all, every lane shrinks in proportion instead. */
  if ((n_worker_lanes > 0 && pitch < f * 0.8)
      || n_worker_lanes * pitch + n_core_lanes * core_pitch + n_strips * strip_pitch > avail + 0.5)
    {
      double units = n_worker_lanes + 1.3 * n_core_lanes + 3.4 * n_strips;
      pitch = units > 0 ? MIN (avail / units, f * 3.6) : 0;
      core_pitch = 1.3 * pitch;
      strip_pitch = 3.4 * pitch;
    }
  if (n_worker_lanes * pitch + n_core_lanes * core_pitch + n_strips * strip_pitch > avail + 0.5)
    {
      double units = n_worker_lanes + n_core_lanes + 3.0 * n_strips;
      pitch = core_pitch = units > 0 ? avail / units : 0;
      strip_pitch = 3 * pitch;
    }
  *out_pitch = pitch;
  *out_core = core_pitch;
  *out_strip = strip_pitch;
}

/* Text zoom, within sizes that still draw a picture. */
static double
text_scale (const IlPaintOptions *o)
{
  double zoom = o->text_scale > 0 ? CLAMP (o->text_scale, 0.5, 4.0) : 1.0;

  return zoom;
}

double
il_layout_least_lane_h (const IlPaintOptions *o)
{
  g_return_val_if_fail (o != NULL, IL_LAYOUT_MIN_LANE_H);

  /* Zoomed text wants its labels' lanes zoomed too: the picture scrolls rather than shrinking
   * the labels back. */
  return (o->presentation ? IL_LAYOUT_PRESENT_LANE_H : IL_LAYOUT_MIN_LANE_H)
         * MAX (text_scale (o), 1.0);
}

IlLayout *
il_layout_new (int width, int height, GPtrArray *runs, const IlPaintOptions *o)
{
  IlLayout *l;
  double f, y, fixed, avail, pitch, core_pitch, strip_pitch;
  gboolean compact = FALSE;
  guint n_core_lanes = 0, n_strips = 0;
  double n_worker_lanes = 0;
  gboolean workers, cores, strip;
  /* The parallelism strip is three worker lanes tall and room for two lines of counts; presenting,
   * about one and a quarter lanes and room for its counts, so three runs' 24 px lanes fit a
   * 1280 × 800 screen. */
  double strip_lanes = o != NULL && o->presentation ? 1.25 : 3.0;
  double strip_f = o != NULL && o->presentation ? 2.6 : 3.4;
  gint64 t0, t1;
  g_autofree char *folded = NULL;
  g_autoptr(GPtrArray) keeps = NULL;

  g_return_val_if_fail (runs != NULL, NULL);
  g_return_val_if_fail (o != NULL, NULL);

  /* The lane filter: each run's kept worker lanes, found once (a label each). */
  if (o->lane_filter != NULL && o->lane_filter[0] != '\0')
    folded = g_utf8_casefold (o->lane_filter, -1);
  keeps = g_ptr_array_new_with_free_func (g_free);

  l = g_new0 (IlLayout, 1);
  l->rows = g_array_new (FALSE, TRUE, sizeof (IlLayoutRow));
  l->blocks = g_array_new (FALSE, TRUE, sizeof (IlLayoutBlock));
  l->width = MAX (width, 1);
  l->height = MAX (height, 1);

  /* Slides at 1080 rows get about 19 px text; a window of 600 rows the desktop's 11 px. Text zoom
   * and presentation make every word, the legend and the lanes' least height grow with it. */
  f = o->font_px > 0 ? o->font_px : CLAMP (l->height / 56.0, 11.0, 24.0);
  /* Presenting in the window, a size of its own: not grown from the picture's height, which is
   * taller than the screen when the lanes scroll (and would grow the text, and so the height). */
  if (o->presentation && o->font_px <= 0)
    f = IL_LAYOUT_PRESENT_FONT_PX;
  f *= text_scale (o);
  l->font_px = f;
  l->margin = round (f * 1.2);

  workers = (o->view & IL_VIEW_WORKERS) != 0;
  cores = (o->view & IL_VIEW_CORES) != 0;
  strip = (o->view & IL_VIEW_STRIP) != 0;

  y = l->margin;
  if (o->show_header)
    {
      l->title_y = y;
      l->title_h = round (f * 2.1);
      y += l->title_h + round (f * 0.4);
    }

  /* Everything that does not scale with the number of lanes. */
  fixed = y + l->margin;
  l->axis_h = round (f * 1.9);
  fixed += l->axis_h;
  if (o->show_legend)
    {
      /* Legend text is about 150 characters with ten swatches; narrow views get two rows. */
      double legend_w = 150 * 0.52 * f * 0.85 + 10 * 2.8 * f * 0.85;
      l->legend_rows = legend_w > l->width - 2 * l->margin ? 2 : 1;
      l->legend_h = round (f * 1.7 * l->legend_rows);
      fixed += l->legend_h + round (f * 0.5);
    }

  for (guint r = 0; r < runs->len; r++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, r);

      if (o->show_header)
        fixed += round (f * 3.1);
      if (r > 0)
        fixed += round (f * 1.1);
      if (workers)
        {
          double kept;
          gboolean *keep = workers_kept (run, folded, &kept);

          g_ptr_array_add (keeps, keep);
          n_worker_lanes += kept;
          fixed += process_rows_fixed_h (run, keep, f);
          /* Counter tracks are as tall as a label and a graph need, whatever the lanes get. */
          if (il_run_trace_get_n_counters (run) > 0)
            fixed += il_run_trace_get_n_counters (run) * counter_pitch (f) + round (f * 0.5);
        }
      if (cores && il_layout_run_has_cores (run))
        {
          for (guint c = 0; c < il_layout_run_n_cpus (run); c++)
            n_core_lanes += core_kept ((int) c, folded);
          if (workers)
            fixed += round (f * 0.5);
        }
      if (strip && il_layout_run_has_cores (run))
        {
          n_strips++;
          if (workers || cores)
            fixed += round (f * 0.5);
        }
    }

  avail = MAX (l->height - fixed, 0);
  lane_pitches (avail, f, n_worker_lanes, n_core_lanes, n_strips, strip_lanes, strip_f, &pitch,
                &core_pitch, &strip_pitch);
  /* Several runs in a small view: one header line per run (title and summary) buys lane room; so
   * does a presentation whose lanes would be thinner than a projector needs. */
  if (o->show_header && runs->len > 1
      && (pitch < f * 0.8
          || (o->presentation && pitch - lane_gap (pitch, f) < IL_LAYOUT_PRESENT_LANE_H)))
    {
      compact = TRUE;
      avail += runs->len * (round (f * 3.1) - round (f * 1.6));
      lane_pitches (avail, f, n_worker_lanes, n_core_lanes, n_strips, strip_lanes, strip_f, &pitch,
                    &core_pitch, &strip_pitch);
    }
  l->label_font_px = MAX (6.0, MIN (f, pitch * 0.72));
  l->core_label_font_px = MAX (6.0, MIN (f, core_pitch * 0.72));

  l->label_x = l->margin;
  l->label_w = MIN (round (max_label_chars (runs) * l->label_font_px * 0.58 + l->label_font_px * 1.6),
                    l->width * 0.3);
  l->lane_x0 = round (l->label_x + l->label_w + f * 0.6);
  l->lane_x1 = MAX (l->lane_x0 + 1, l->width - l->margin - round (f * 0.8));

  il_paint_options_get_time_range (o, runs, &t0, &t1);
  il_time_scale_init (&l->scale, t0, t1, l->lane_x0, l->lane_x1);

  l->lanes_y0 = y;
  for (guint r = 0; r < runs->len; r++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, r);
      IlLayoutBlock block = { 0 };
      gboolean any = FALSE;

      if (r > 0)
        y += round (f * 1.1);

      block.run = r;
      block.y = y;
      block.n_cpus = il_layout_run_n_cpus (run);
      block.first_row = l->rows->len;
      if (o->show_header)
        {
          block.header_y = y;
          block.header_h = compact ? round (f * 1.4) : round (f * 2.8);
          y += compact ? round (f * 1.6) : round (f * 3.1);
        }

      if (workers)
        {
          layout_worker_rows (l, run, r, g_ptr_array_index (keeps, r), &y, pitch, f);
          any = TRUE;
          if (il_run_trace_get_n_counters (run) > 0)
            y += round (f * 0.5);
          for (guint c = 0; c < il_run_trace_get_n_counters (run); c++)
            {
              IlLayoutRow row = { IL_ROW_COUNTER, r, (int) c, 0, 0 };

              row_snap (&row, y, counter_pitch (f) - round (f * 0.3));
              g_array_append_val (l->rows, row);
              y += counter_pitch (f);
            }
        }
      if (cores && il_layout_run_has_cores (run))
        {
          if (any)
            y += round (f * 0.5);
          for (guint c = 0; c < block.n_cpus; c++)
            {
              IlLayoutRow row = { IL_ROW_CORE, r, (int) c, 0, 0 };

              if (!core_kept ((int) c, folded))
                continue;
              row_snap (&row, y, core_pitch - lane_gap (core_pitch, f));
              g_array_append_val (l->rows, row);
              y += core_pitch;
            }
          any = TRUE;
        }
      if (strip && il_layout_run_has_cores (run))
        {
          IlLayoutRow row = { IL_ROW_STRIP, r, 0, 0, 0 };
          if (any)
            y += round (f * 0.5);
          row_snap (&row, y, strip_pitch - lane_gap (pitch, f));
          g_array_append_val (l->rows, row);
          y += strip_pitch;
        }

      block.n_rows = l->rows->len - block.first_row;
      block.h = y - block.y;
      g_array_append_val (l->blocks, block);
    }
  l->lanes_y1 = y;

  l->axis_y = y + round (f * 0.2);
  /* The legend sits under the axis (where the eye goes next), not stranded at the bottom. */
  if (o->show_legend)
    l->legend_y = MIN (l->height - l->margin - l->legend_h, l->axis_y + l->axis_h + round (f * 0.5));

  return l;
}

const IlLayoutRow *
il_layout_row_at (const IlLayout *layout, double y)
{
  guint lo = 0, hi;

  g_return_val_if_fail (layout != NULL, NULL);

  /* Rows are in increasing y: binary search for the last row starting at or above y. */
  hi = layout->rows->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (layout->rows, IlLayoutRow, mid).y <= y)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return NULL;

  {
    const IlLayoutRow *row = &g_array_index (layout->rows, IlLayoutRow, lo - 1);
    if (y < row->y + row->h)
      return row;
  }
  return NULL;
}

double
il_layout_min_lane_h (const IlLayout *layout)
{
  double min_h = G_MAXDOUBLE;

  g_return_val_if_fail (layout != NULL, 0);

  for (guint i = 0; i < layout->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (layout->rows, IlLayoutRow, i);

      if (row->kind != IL_ROW_STRIP)
        min_h = MIN (min_h, row->h);
    }
  return min_h;
}

int
il_layout_min_height (int width, GPtrArray *runs, const IlPaintOptions *o)
{
  int lo = 1, hi = 1 << 16;
  double least = o != NULL ? il_layout_least_lane_h (o) : IL_LAYOUT_MIN_LANE_H;

  g_return_val_if_fail (o != NULL, 0);

  if (runs == NULL || runs->len == 0)
    return 0;
  /* Each try is a layout of every lane (65 535 of them in a big file): the tallest first. When
   * even it thins the lanes, every shorter one does too; else its lanes, each at least
   * IL_LAYOUT_MIN_LANE_H tall, bound the height from below. */
  {
    g_autoptr(IlLayout) tallest = il_layout_new (width, hi, runs, o);
    guint n_lanes = 0;

    if (il_layout_min_lane_h (tallest) < least)
      return hi;
    for (guint i = 0; i < tallest->rows->len; i++)
      n_lanes += g_array_index (tallest->rows, IlLayoutRow, i).kind != IL_ROW_STRIP;
    lo = (int) CLAMP (n_lanes * least, 1, hi);
  }
  /* Lanes only get taller with the height, so bisect for the first height that is enough. */
  while (lo < hi)
    {
      int mid = lo + (hi - lo) / 2;
      g_autoptr(IlLayout) layout = il_layout_new (width, mid, runs, o);

      if (il_layout_min_lane_h (layout) >= least)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}
