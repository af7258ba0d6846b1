/* il-timeline-view.c: the live Gantt timeline widget: runs shown, their range (fit, follow, zoom), live redraw. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <adwaita.h>
#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-format.h"
#include "il-timeline-keys.h"
#include "il-timeline-view-private.h"

/* Live frames: 8 a second is enough for a picture that grows at its right edge, and leaves the
 * CPU to the run being measured (the window must not disturb what it shows). Measured with
 * bench-window on 2 cores: at 12 a second the window took 8-11 % of a core during lessons
 * 03 and 05, at 8 a second 7-10 %. A run whose workers can keep every core busy gets 4 a
 * second: every frame is then taken from a worker, and a run of two workers on two cores was
 * 2-5 % slower in the window at 8 frames a second, 0-1.6 % with no live frames at all. */
#define LIVE_FRAME_MS 125
#define LIVE_BUSY_FRAME_MS 250
/* New lanes of a live run (a traced program's threads as they start) are shown at most this
 * often: each is a whole paint of the live picture. */
#define LIVE_LANES_US (G_USEC_PER_SEC * 3 / 10)

G_DEFINE_FINAL_TYPE_WITH_CODE (IlTimelineView, il_timeline_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

enum
{
  PROP_0,
  PROP_SHOW_WORKERS,
  PROP_SHOW_CORES,
  PROP_SHOW_STRIP,
  PROP_COLOR_BY_CPU,
  PROP_DARK,
  PROP_FOLLOWING,
  N_PROPS,
  /* GtkScrollable's, overridden */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

static GParamSpec *properties[N_PROPS];

enum { HIGHLIGHT_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

gboolean
il_timeline_view_any_live (IlTimelineView *self)
{
  for (guint i = 0; i < self->runs->len; i++)
    if (il_run_trace_get_live (g_ptr_array_index (self->runs, i)))
      return TRUE;
  return FALSE;
}

gboolean
il_timeline_view_get_live (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), FALSE);
  return il_timeline_view_any_live (self);
}

gint64
il_timeline_view_get_extent (IlTimelineView *self)
{
  gint64 end = 0;

  for (guint i = 0; i < self->runs->len; i++)
    end = MAX (end, il_run_trace_get_end_ns (g_ptr_array_index (self->runs, i)));
  return end;
}

/* The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 × 10^k at or above @ns: a live run's range grows in
 * such steps, so its picture keeps one scale for a while and new columns are only appended. */
static gint64
il_timeline_view_live_step (gint64 ns)
{
  static const double steps[] = { 1, 1.5, 2, 3, 4, 5, 6, 8, 10 };
  double decade = pow (10, floor (log10 ((double) MAX (ns, 1))));

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] * decade >= ns)
      return (gint64) (steps[i] * decade);
  return (gint64) (10 * decade);
}

/* How long a live run will take, roughly, from its configuration: its tasks' time over the
 * workers that can run at once; for a traced program, see below. Only the live picture's
 * first scale depends on it, so a rough guess costs at most a repaint. */
static gint64
il_timeline_view_estimate_ns (IlRunTrace *run)
{
  const IlRunConfig *c = il_run_trace_get_config (run);
  guint cpus = c->cpus != NULL && c->cpus->len > 0 ? c->cpus->len : il_cpu_count ();
  guint at_once = MAX (1, MIN (c->workers, c->tasks));
  gboolean waits = c->workload == IL_WORKLOAD_SLEEP || c->workload == IL_WORKLOAD_DISK;

  /* A traced program: as long as it took last time (the window says, IL_TIMELINE_EXPECTED_NS),
   * else a second; each step of a range that grows in doublings is a whole paint. */
  if (c->executor == IL_EXECUTOR_EXTERNAL || c->tasks == 0)
    {
      gint64 *expected = il_run_trace_get_data (run, IL_TIMELINE_EXPECTED_NS);
      return expected != NULL ? *expected : G_GINT64_CONSTANT (1000000000);
    }
  /* Computation runs one at a time under a GIL or on one loop thread, at most one per core. */
  if (c->executor == IL_EXECUTOR_SEQUENTIAL || (!waits && (c->gil || c->executor == IL_EXECUTOR_ASYNC)))
    at_once = 1;
  else if (!waits)
    at_once = MIN (at_once, cpus);
  return (gint64) (c->tasks * c->task_ms * 1e6 / at_once);
}

/* Can a live run's workers keep every core it may use busy (CPU work, no GIL, as many workers
 * as cores)? Then the window's frames come out of the run's time. A traced program: its threads
 * are not known ahead and its tracer already shares the CPUs with it, so yes (measured with
 * bench-window on lessons 08-10: the window took 10-12 % of a core while they ran, the tracer
 * about 4 of it). */
static gboolean
il_timeline_view_fills_cores (IlTimelineView *self)
{
  for (guint i = 0; i < self->runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (self->runs, i);
      const IlRunConfig *c = il_run_trace_get_config (run);
      guint cpus = c->cpus != NULL && c->cpus->len > 0 ? c->cpus->len : il_cpu_count ();

      if (il_run_trace_get_live (run) && c->executor == IL_EXECUTOR_EXTERNAL)
        return TRUE;
      if (!il_run_trace_get_live (run) || c->executor == IL_EXECUTOR_SEQUENTIAL || c->executor == IL_EXECUTOR_ASYNC || c->gil ||
          c->workload == IL_WORKLOAD_SLEEP || c->workload == IL_WORKLOAD_DISK)
        continue;
      if (MIN (c->workers, c->tasks) >= cpus)
        return TRUE;
    }
  return FALSE;
}

/* The options a frame is painted with: the range resolved (fitting a live run shows 0 … its
 * live range, which grows in steps rather than with every frame). */
void
il_timeline_view_paint_options (IlTimelineView *self, IlPaintOptions *o)
{
  *o = self->options;
  if (self->fit)
    {
      o->t0_ns = 0;
      o->t1_ns = self->live_t1 > 0 && il_timeline_view_any_live (self) ? self->live_t1 : 0;
    }
}

void
il_timeline_view_get_range (IlTimelineView *self, gint64 *t0_ns, gint64 *t1_ns, gboolean *fit)
{
  IlPaintOptions o;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  il_timeline_view_paint_options (self, &o);
  il_paint_options_get_time_range (&o, self->runs, t0_ns, t1_ns);
  if (*t1_ns <= *t0_ns)
    *t1_ns = *t0_ns + IL_TIMELINE_MIN_RANGE_NS;
  if (fit)
    *fit = self->fit;
}

static void
il_timeline_view_set_following (IlTimelineView *self, gboolean following)
{
  if (self->following == following)
    return;
  self->following = following;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* Every change of range goes through here, so clamping and the follow rule live in one place. */
void
il_timeline_view_set_range (IlTimelineView *self, gint64 t0, gint64 t1)
{
  gint64 extent = MAX (il_timeline_view_get_extent (self), IL_TIMELINE_MIN_RANGE_NS);
  gint64 width = MAX (t1 - t0, IL_TIMELINE_MIN_RANGE_NS);

  /* Zoomed out to the whole run or further: that is "fit", which also follows a live run. */
  if (width >= extent)
    {
      il_timeline_view_fit (self);
      return;
    }
  t0 = CLAMP (t0, -width / 10, extent - width / 10);
  self->fit = FALSE;
  self->options.t0_ns = t0;
  self->options.t1_ns = t0 + width;
  /* Looking at the newest time keeps following it; scrolling away stops that. */
  il_timeline_view_set_following (self, self->options.t1_ns >= extent - width / 50);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
il_timeline_view_fit (IlTimelineView *self)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  self->fit = TRUE;
  self->options.t0_ns = self->options.t1_ns = 0;
  self->live_t1 = 0;
  il_timeline_view_set_following (self, TRUE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
il_timeline_view_set_highlight (IlTimelineView *self, int run, int task)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  if (self->options.highlight_run == run && self->options.highlight_task == task)
    return;
  self->options.highlight_run = run;
  self->options.highlight_task = task;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[HIGHLIGHT_CHANGED], 0);
}

void
il_timeline_view_get_highlight (IlTimelineView *self, int *run, int *task)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  *run = self->options.highlight_run;
  *task = self->options.highlight_task;
}

const IlPaintOptions *
il_timeline_view_get_paint_options (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);
  return &self->options;
}

IlViewFlags
il_timeline_view_get_view_flags (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), 0);
  return self->options.view;
}

GPtrArray *
il_timeline_view_get_runs (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);
  return self->runs;
}

static void
il_timeline_view_update_description (IlTimelineView *self)
{
  GString *s = g_string_new (NULL);

  if (self->runs->len == 0)
    g_string_append (s, _("No run yet. Set up a run and press Run."));
  if (self->runs->len > 1)
    g_string_append_printf (s, ngettext ("%u run stacked on one time scale. ",
                                         "%u runs stacked on one time scale. ",
                                         self->runs->len), self->runs->len);
  for (guint i = 0; i < self->runs->len; i++)
    {
      g_autofree char *text = il_format_run_description (g_ptr_array_index (self->runs, i));

      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, text);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  s->str, -1);
  g_free (self->description);
  self->description = g_string_free (s, FALSE);
}

const char *
il_timeline_view_get_description (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);
  return self->description;
}

static void il_timeline_view_check_lanes (IlTimelineView *self);

/* The range of a live picture: fitted, it grows in steps ahead of the newest time; zoomed in
 * and following, it keeps its width and ends at the newest time. */
static void
il_timeline_view_follow_live (IlTimelineView *self)
{
  gboolean live = il_timeline_view_any_live (self);

  if (live && self->fit)
    {
      gint64 extent = il_timeline_view_get_extent (self);

      /* First the estimate of the live runs, then, if they outgrow it, twice their extent:
       * each step repaints the whole picture, so there are few of them. */
      if (self->live_t1 <= 0)
        {
          gint64 guess = 0;

          for (guint i = 0; i < self->runs->len; i++)
            if (il_run_trace_get_live (g_ptr_array_index (self->runs, i)))
              guess = MAX (guess, il_timeline_view_estimate_ns (g_ptr_array_index (self->runs, i)));
          self->live_t1 = il_timeline_view_live_step (MAX (MAX ((gint64) (guess * 1.15), extent),
                                                           G_GINT64_CONSTANT (100000000)));
        }
      else if (extent > self->live_t1)
        self->live_t1 = il_timeline_view_live_step (extent * 2);
    }
  if (live && !self->fit && self->following)
    {
      gint64 extent = il_timeline_view_get_extent (self);
      gint64 width = self->options.t1_ns - self->options.t0_ns;

      self->options.t1_ns = MAX (extent, width);
      self->options.t0_ns = self->options.t1_ns - width;
    }
}

/* Live redraw: LIVE_FRAME_MS apart while a run records, not once per display frame: the eye
 * needs no more, and every frame is CPU taken from the run. The timeout is removed when no
 * shown run is live, so an idle window costs nothing. */
static gboolean
il_timeline_view_tick (gpointer user_data)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (user_data);
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean live = il_timeline_view_any_live (self);

  il_timeline_view_follow_live (self);
  /* New lanes wait for their whole paint; until then the picture stays as it is. */
  if (live)
    il_timeline_view_check_lanes (self);
  if (!self->lanes_pending)
    gtk_widget_queue_draw (widget);

  if (!live)
    {
      self->tick_id = 0;
      self->was_live = FALSE;
      self->live_t1 = 0;
      il_timeline_view_update_description (self);
      il_timeline_view_print_live_stats (self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Asks for a new size when the number of lanes changed (a worker's first span, a view toggle).
 * A traced program's threads appear one by one as it starts, and each new lane means painting
 * the live picture whole: while live, lanes that come within LIVE_LANES_US of the last whole
 * paint wait (lanes_pending, and the live frames with them) and are shown together. */
static void
il_timeline_view_check_lanes (IlTimelineView *self)
{
  guint n = self->options.view;

  for (guint i = 0; i < self->runs->len; i++)
    n += 1000 * il_run_trace_get_n_workers (g_ptr_array_index (self->runs, i)) + 1;
  self->lanes_pending = FALSE;
  if (n == self->n_lanes)
    return;
  if (self->tick_id != 0 && self->cache != NULL &&
      g_get_monotonic_time () - self->cache_full_us < LIVE_LANES_US)
    {
      self->lanes_pending = TRUE;
      return;
    }
  self->n_lanes = n;
  self->min_h_width = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
il_timeline_view_runs_changed (IlTimelineView *self)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  il_timeline_view_check_lanes (self);
  if (il_timeline_view_any_live (self))
    {
      guint tick_ms = il_timeline_view_fills_cores (self) ? LIVE_BUSY_FRAME_MS : LIVE_FRAME_MS;

      if (!self->was_live)
        {
          self->was_live = TRUE;
          il_frame_stats_reset (self->live_stats);
          il_frame_stats_reset (self->snapshot_stats);
          il_frame_stats_reset (self->cpu_stats);
          il_timeline_view_update_description (self);
        }
      /* A run just added (prepared, not started) gets its range now, not at the next tick: the
       * picture painted before its start must be the one it runs in, or the first live frame
       * paints it all again, on the run's time. */
      il_timeline_view_follow_live (self);
      /* The next run of a lesson may fill the cores where the last did not, or not. */
      if (self->tick_id != 0 && self->tick_ms != tick_ms)
        g_clear_handle_id (&self->tick_id, g_source_remove);
      if (self->tick_id == 0)
        {
          self->tick_ms = tick_ms;
          self->tick_id = g_timeout_add (tick_ms, il_timeline_view_tick, self);
          il_timeline_view_tick (self);
        }
    }
  else if (self->tick_id == 0)
    {
      il_timeline_view_update_description (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

void
il_timeline_view_set_runs (IlTimelineView *self, GPtrArray *runs)
{
  gboolean same;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  /* The same runs again, or more of a batch: a zoom the user chose stays (a run ending or the
   * next one of a lesson starting must not throw it away); other runs start fitted. */
  same = runs != NULL && self->runs->len > 0 && runs->len >= self->runs->len;
  for (guint i = 0; same && i < self->runs->len; i++)
    same = g_ptr_array_index (runs, i) == g_ptr_array_index (self->runs, i);

  g_ptr_array_set_size (self->runs, 0);
  if (runs != NULL)
    for (guint i = 0; i < runs->len; i++)
      g_ptr_array_add (self->runs, il_run_trace_ref (g_ptr_array_index (runs, i)));
  if (!same)
    {
      self->options.highlight_run = -1;
      self->options.highlight_task = -1;
    }
  if (!same || self->fit)
    il_timeline_view_fit (self);
  self->min_h_width = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  il_timeline_view_runs_changed (self);
}

/* The least height that keeps every lane's label (il_layout_min_height), found once per width
 * and set of lanes: each try is a layout of every lane of the file. */
static int
il_timeline_view_min_height (IlTimelineView *self, int width)
{
  if (self->min_h_width != width)
    {
      self->min_h = il_layout_min_height (width, self->runs, &self->options);
      self->min_h_width = width;
    }
  return self->min_h;
}

int
il_timeline_view_content_height (IlTimelineView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  return MAX (height, il_timeline_view_min_height (self, width > 0 ? width : 960));
}

int
il_timeline_view_get_content_height (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), 0);
  return il_timeline_view_content_height (self);
}

int
il_timeline_view_scroll_y (IlTimelineView *self)
{
  return self->vadj != NULL ? (int) round (gtk_adjustment_get_value (self->vadj)) : 0;
}

/* The adjustments say how much of the picture the view shows; none scrolls sideways (zoom and
 * pan move through time). */
static void
il_timeline_view_configure_adjustments (IlTimelineView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->hadj != NULL)
    gtk_adjustment_configure (self->hadj, 0, 0, width, width * 0.1, width * 0.9, width);
  if (self->vadj != NULL)
    {
      int content = il_timeline_view_content_height (self);

      gtk_adjustment_configure (self->vadj, MIN (gtk_adjustment_get_value (self->vadj), content - height),
                                0, content, MAX (height * 0.1, 1), MAX (height * 0.9, 1), height);
    }
}

static void
il_timeline_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  il_timeline_view_configure_adjustments (IL_TIMELINE_VIEW (widget));
}

static void
on_adjustment_value_changed (GtkAdjustment *adj, IlTimelineView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
il_timeline_view_set_adjustment (IlTimelineView *self, GtkAdjustment **slot, GtkAdjustment *adj)
{
  if (*slot == adj && adj != NULL)
    return;
  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, on_adjustment_value_changed, self);
      g_clear_object (slot);
    }
  if (adj == NULL)
    adj = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  *slot = g_object_ref_sink (adj);
  g_signal_connect (adj, "value-changed", G_CALLBACK (on_adjustment_value_changed), self);
  il_timeline_view_configure_adjustments (self);
}

void
il_timeline_view_set_lane_filter (IlTimelineView *self, const char *text)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  if (text != NULL && text[0] == '\0')
    text = NULL;
  if (g_strcmp0 (text, self->lane_filter) == 0)
    return;
  g_free (self->lane_filter);
  self->lane_filter = g_strdup (text);
  self->options.lane_filter = self->lane_filter;
  self->min_h_width = -1;
  /* Other lanes: the top of the picture, not a place in a list that changed under it. */
  if (self->vadj != NULL)
    gtk_adjustment_set_value (self->vadj, 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Text zoom and presentation change every size of the picture, the least height too. */
static void
il_timeline_view_sizes_changed (IlTimelineView *self)
{
  self->min_h_width = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
il_timeline_view_set_text_scale (IlTimelineView *self, double scale)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));
  g_return_if_fail (scale > 0);

  if (self->options.text_scale == scale)
    return;
  self->options.text_scale = scale;
  il_timeline_view_sizes_changed (self);
}

void
il_timeline_view_set_presentation (IlTimelineView *self, gboolean presentation)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  if (self->options.presentation == !!presentation)
    return;
  self->options.presentation = !!presentation;
  il_timeline_view_sizes_changed (self);
}

const char *
il_timeline_view_get_lane_filter (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);
  return self->lane_filter;
}

static void
il_timeline_view_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (il_timeline_view_parent_class)->realize (widget);
  il_timeline_view_watch_frame_clock (IL_TIMELINE_VIEW (widget), TRUE);
}

static void
il_timeline_view_unrealize (GtkWidget *widget)
{
  il_timeline_view_watch_frame_clock (IL_TIMELINE_VIEW (widget), FALSE);
  GTK_WIDGET_CLASS (il_timeline_view_parent_class)->unrealize (widget);
}

static void
il_timeline_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 320;
      *natural = 960;
    }
  else
    {
      /* Never thinner lanes than a readable label needs: a shorter view scrolls through the
       * picture (GtkScrollable, in the window's GtkScrolledWindow) rather than being as tall as
       * it: 65 535 lanes would make a widget and a cairo node past what GTK and cairo draw.
       * The picture's height is found for the allocated width only: each try is a layout of
       * every lane. */
      *minimum = 120;
      *natural = 560;
    }
}

gboolean
il_timeline_view_get_following (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), FALSE);
  return self->following;
}

gboolean
il_timeline_view_get_ticking (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), FALSE);
  return self->tick_id != 0;
}

static void
on_dark_changed (IlTimelineView *self, GParamSpec *pspec, AdwStyleManager *manager)
{
  if (self->dark_set)
    return;
  self->options.theme = adw_style_manager_get_dark (manager) ? IL_THEME_DARK : IL_THEME_LIGHT;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DARK]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
il_timeline_view_set_view_flag (IlTimelineView *self, IlViewFlags flag, gboolean on, guint prop)
{
  IlViewFlags view = on ? (self->options.view | flag) : (self->options.view & ~flag);

  if (view == self->options.view)
    return;
  self->options.view = view;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  self->min_h_width = -1;
  il_timeline_view_check_lanes (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
il_timeline_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_WORKERS:
      g_value_set_boolean (value, (self->options.view & IL_VIEW_WORKERS) != 0);
      break;
    case PROP_SHOW_CORES:
      g_value_set_boolean (value, (self->options.view & IL_VIEW_CORES) != 0);
      break;
    case PROP_SHOW_STRIP:
      g_value_set_boolean (value, (self->options.view & IL_VIEW_STRIP) != 0);
      break;
    case PROP_COLOR_BY_CPU:
      g_value_set_boolean (value, self->options.color_by_cpu);
      break;
    case PROP_DARK:
      g_value_set_boolean (value, self->options.theme == IL_THEME_DARK);
      break;
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadj);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadj);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hpolicy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vpolicy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_timeline_view_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_WORKERS:
      il_timeline_view_set_view_flag (self, IL_VIEW_WORKERS, g_value_get_boolean (value), prop_id);
      break;
    case PROP_SHOW_CORES:
      il_timeline_view_set_view_flag (self, IL_VIEW_CORES, g_value_get_boolean (value), prop_id);
      break;
    case PROP_SHOW_STRIP:
      il_timeline_view_set_view_flag (self, IL_VIEW_STRIP, g_value_get_boolean (value), prop_id);
      break;
    case PROP_COLOR_BY_CPU:
      if (self->options.color_by_cpu != g_value_get_boolean (value))
        {
          self->options.color_by_cpu = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      break;
    case PROP_DARK:
      self->dark_set = TRUE;
      if ((self->options.theme == IL_THEME_DARK) != g_value_get_boolean (value))
        {
          self->options.theme = g_value_get_boolean (value) ? IL_THEME_DARK : IL_THEME_LIGHT;
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      break;
    case PROP_HADJUSTMENT:
      il_timeline_view_set_adjustment (self, &self->hadj, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      il_timeline_view_set_adjustment (self, &self->vadj, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      self->hpolicy = g_value_get_enum (value);
      break;
    case PROP_VSCROLL_POLICY:
      self->vpolicy = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_timeline_view_dispose (GObject *object)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  il_timeline_view_drop_cache (self);
  if (self->runs != NULL)
    g_ptr_array_set_size (self->runs, 0);
  if (self->hadj != NULL)
    g_signal_handlers_disconnect_by_func (self->hadj, on_adjustment_value_changed, self);
  if (self->vadj != NULL)
    g_signal_handlers_disconnect_by_func (self->vadj, on_adjustment_value_changed, self);
  g_clear_object (&self->hadj);
  g_clear_object (&self->vadj);

  G_OBJECT_CLASS (il_timeline_view_parent_class)->dispose (object);
}

static void
il_timeline_view_finalize (GObject *object)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (object);

  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->lane_filter, g_free);
  il_timeline_view_paint_finalize (self);

  G_OBJECT_CLASS (il_timeline_view_parent_class)->finalize (object);
}

/* The key handling sees the timeline through these only (il-timeline-keys.h). */
static GPtrArray *
keys_get_runs (GtkWidget *widget)
{
  return il_timeline_view_get_runs (IL_TIMELINE_VIEW (widget));
}

static const IlPaintOptions *
keys_get_paint_options (GtkWidget *widget)
{
  return il_timeline_view_get_paint_options (IL_TIMELINE_VIEW (widget));
}

static void
keys_set_highlight (GtkWidget *widget, int run, int task)
{
  il_timeline_view_set_highlight (IL_TIMELINE_VIEW (widget), run, task);
}

static int
keys_get_content_height (GtkWidget *widget)
{
  return il_timeline_view_content_height (IL_TIMELINE_VIEW (widget));
}

static const IlTimelineKeysHost keys_host = {
  keys_get_runs,
  keys_get_paint_options,
  keys_set_highlight,
  keys_get_content_height,
};

static void
il_timeline_view_class_init (IlTimelineViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = il_timeline_view_dispose;
  object_class->finalize = il_timeline_view_finalize;
  object_class->get_property = il_timeline_view_get_property;
  object_class->set_property = il_timeline_view_set_property;

  widget_class->measure = il_timeline_view_measure;
  widget_class->size_allocate = il_timeline_view_size_allocate;

  /* The highlighted task changed (a click, a key): the window shows its details. */
  signals[HIGHLIGHT_CHANGED] = g_signal_new ("highlight-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);
  widget_class->realize = il_timeline_view_realize;
  widget_class->unrealize = il_timeline_view_unrealize;
  il_timeline_view_paint_class_init (widget_class);
  il_timeline_view_input_class_init (widget_class);

  properties[PROP_SHOW_WORKERS] = g_param_spec_boolean ("show-workers", NULL, NULL, TRUE, flags);
  properties[PROP_SHOW_CORES] = g_param_spec_boolean ("show-cores", NULL, NULL, TRUE, flags);
  properties[PROP_SHOW_STRIP] = g_param_spec_boolean ("show-strip", NULL, NULL, TRUE, flags);
  properties[PROP_COLOR_BY_CPU] = g_param_spec_boolean ("color-by-cpu", NULL, NULL, FALSE, flags);
  properties[PROP_DARK] = g_param_spec_boolean ("dark", NULL, NULL, FALSE, flags);
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
il_timeline_view_init (IlTimelineView *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  il_timeline_keys_attach (GTK_WIDGET (self), &keys_host);
  il_timeline_view_paint_init (self);
  il_paint_options_init (&self->options);
  self->options.highlight_run = -1;
  self->options.highlight_task = -1;
  self->fit = TRUE;
  self->following = TRUE;
  self->min_h_width = -1;
  self->options.theme = adw_style_manager_get_dark (manager) ? IL_THEME_DARK : IL_THEME_LIGHT;
  g_signal_connect_object (manager, "notify::dark", G_CALLBACK (on_dark_changed), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Timeline"), -1);
  il_timeline_view_update_description (self);

  il_timeline_view_input_init (self);
}

GtkWidget *
il_timeline_view_new (void)
{
  return g_object_new (IL_TYPE_TIMELINE_VIEW, NULL);
}
