/* il-timeline-view-input.c: the timeline by pointer: zoom and pan (wheel, drag, pinch, keys), clicks and tooltips. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-format.h"
#include "il-timeline-keys.h"
#include "il-timeline-view-private.h"
#include "il-trace-stacks.h"

static void
il_timeline_view_time_area (IlTimelineView *self, double *x0, double *x1)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = il_timeline_view_content_height (self);
  IlPaintOptions o;

  il_timeline_view_paint_options (self, &o);
  il_painter_get_time_area (width, height, self->runs, &o, x0, x1);
  if (*x1 - *x0 < 1)
    *x1 = *x0 + 1;
}

void
il_timeline_view_zoom_at (IlTimelineView *self, double factor, double x)
{
  gint64 t0, t1;
  double x0, x1, frac, t, width;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));
  g_return_if_fail (factor > 0);

  il_timeline_view_get_range (self, &t0, &t1, NULL);
  il_timeline_view_time_area (self, &x0, &x1);
  frac = CLAMP ((x - x0) / (x1 - x0), 0.0, 1.0);
  t = t0 + frac * (t1 - t0);
  width = MAX ((t1 - t0) / factor, (double) IL_TIMELINE_MIN_RANGE_NS);
  il_timeline_view_set_range (self, (gint64) (t - frac * width), (gint64) (t - frac * width + width));
}

void
il_timeline_view_zoom (IlTimelineView *self, double factor)
{
  double x0, x1;
  gint64 t0, t1;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  il_timeline_view_time_area (self, &x0, &x1);
  il_timeline_view_get_range (self, &t0, &t1, NULL);
  /* While following a live run, zoom around the newest time so it stays in sight. */
  if (self->following && il_timeline_view_any_live (self))
    il_timeline_view_zoom_at (self, factor, x1);
  else
    il_timeline_view_zoom_at (self, factor, (x0 + x1) / 2);
}

void
il_timeline_view_pan (IlTimelineView *self, double fraction)
{
  gint64 t0, t1;
  gboolean fit;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  il_timeline_view_get_range (self, &t0, &t1, &fit);
  if (fit)
    return;   /* everything is in sight: there is nowhere to pan to */
  il_timeline_view_set_range (self, t0 + (gint64) (fraction * (t1 - t0)),
                              t1 + (gint64) (fraction * (t1 - t0)));
}

/* An imported slice's or instant's category and arguments, a line each (pretty, cut short). */
static void
append_meta (GString *s, const char *category, const char *args)
{
  if (category != NULL && *category != '\0')
    g_string_append_printf (s, _("\nCategory: %s"), category);
  if (args != NULL)
    {
      g_autofree char *text = il_json_args_describe (args, 8, 80);

      g_string_append_printf (s, "\n%s", text);
    }
}

/* An instant or a counter's value under (x, y), in words; NULL when none is there. */
static char *
describe_mark (IlTimelineView *self, int width, int height, const IlPaintOptions *o, double x, double y)
{
  IlPaintMarkHit hit;
  IlRunTrace *run;
  GString *s;
  g_autofree char *at = NULL;

  if (!il_painter_hit_mark (width, height, self->runs, o, x, y, &hit))
    return NULL;
  run = g_ptr_array_index (self->runs, hit.run);
  s = g_string_new (NULL);
  if (hit.instant != NULL)
    {
      at = il_clock_format_duration (hit.instant->ts_ns, IL_DURATION_SIGNIFICANT);
      g_string_append_printf (s, _("Instant: %s"), hit.instant->name);
      g_string_append (s, "\n");
      g_string_append_printf (s, _("At %s"), at);
      append_meta (s, hit.instant->category, hit.instant->args);
    }
  else
    {
      g_autofree char *label = il_run_trace_get_counter_label (run, (guint) hit.counter);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      at = il_clock_format_duration (hit.point->ts_ns, IL_DURATION_SIGNIFICANT);
      g_string_append_printf (s, _("Counter: %s"), label);
      g_string_append (s, "\n");
      g_string_append_printf (s, _("%s from %s"), g_ascii_formatd (buf, sizeof buf, "%.6g", hit.point->value), at);
    }
  return g_string_free (s, FALSE);
}

/* An imported thread with nested slices: its whole stack at the point, outermost first. */
static void
append_stack (GString *s, IlRunTrace *run, const IlPaintHit *hit)
{
  IlSpan stack[256];
  guint n_rows, n;

  il_run_trace_get_worker_group (run, (guint) hit->worker, &n_rows);
  if (n_rows < 2)
    return;
  n = il_run_trace_get_stack (run, (guint) hit->worker, hit->t_ns, stack, G_N_ELEMENTS (stack));
  if (n == 0)
    return;
  g_string_append (s, "\n");
  /* TRANSLATORS: above the list of an imported thread's nested slices under the pointer */
  g_string_append (s, _("Stack here, outermost first:"));
  for (guint i = 0; i < n; i++)
    {
      const IlTaskRecord *task = stack[i].task >= 0 && (guint) stack[i].task < il_run_trace_get_n_tasks (run)
                                   ? il_run_trace_get_task (run, (guint) stack[i].task) : NULL;
      g_autofree char *lasts = NULL;

      if (task == NULL)
        continue;
      lasts = il_clock_format_duration (task->end_ns - task->start_ns, IL_DURATION_SIGNIFICANT);
      /* TRANSLATORS: one slice of the stack: its depth, name and how long it lasts */
      g_string_append_printf (s, _("\n%u. %s (%s)"), i + 1,
                              task->name != NULL ? task->name : "", lasts);
    }
}

char *
il_timeline_view_describe_point (IlTimelineView *self, double x, double y)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  /* Points are in the view; the picture it shows a window of is this tall. */
  int height = il_timeline_view_content_height (self);
  IlPaintHit hit;
  IlRunTrace *run;
  GString *s;
  g_autofree char *start = NULL;
  g_autofree char *duration = NULL;

  IlPaintOptions o;

  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);

  il_timeline_view_paint_options (self, &o);
  if (self->runs->len > 0)
    {
      char *mark = describe_mark (self, width, height, &o, x, y + il_timeline_view_scroll_y (self));

      if (mark != NULL)
        return mark;
      /* Over a run's header: all of it, where the line drawn may have left details out. */
      mark = il_painter_describe_header (width, height, self->runs, &o, x,
                                         y + il_timeline_view_scroll_y (self));
      if (mark != NULL)
        return mark;
    }
  if (self->runs->len == 0 ||
      !il_painter_hit_test (width, height, self->runs, &o, x, y + il_timeline_view_scroll_y (self), &hit) ||
      hit.run < 0 || (guint) hit.run >= self->runs->len)
    return NULL;
  run = g_ptr_array_index (self->runs, hit.run);
  if (hit.in_strip || hit.worker < 0)
    return NULL;

  s = g_string_new (NULL);
  if ((guint) hit.worker < il_run_trace_get_n_workers (run))
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, hit.worker);
      const IlProcessInfo *proc = il_run_trace_find_process (run, info->pid);

      /* A traced program's thread: named as on its lane, with the process it belongs to. */
      if (proc != NULL)
        {
          g_autofree char *name = il_painter_worker_label (run, (guint) hit.worker);
          g_string_append_printf (s, _("%s in pid %d (%s)"), name, proc->pid, proc->name);
        }
      /* An imported trace's lanes are its threads, named as the file names them. */
      else if (il_run_trace_get_config (run)->source != NULL && info->name != NULL)
        g_string_append (s, info->name);
      else if (info->kind == IL_WORKER_PROCESS)
        g_string_append_printf (s, _("Process %u · pid %d"), info->id, info->pid);
      else
        g_string_append_printf (s, _("Worker %u · tid %d"), info->id, info->tid);
    }
  if (hit.span.task >= 0)
    {
      const IlTaskRecord *task = (guint) hit.span.task < il_run_trace_get_n_tasks (run)
                                   ? il_run_trace_get_task (run, (guint) hit.span.task) : NULL;

      g_string_append (s, "\n");
      if (task != NULL && task->name != NULL)
        g_string_append_printf (s, _("Task %d: %s"), (int) hit.span.task, task->name);
      else
        g_string_append_printf (s, _("Task %d"), (int) hit.span.task);
      /* Why it failed, or that an imported slice never ended ("unfinished: …"). */
      if (task != NULL && il_run_trace_get_task_error (run, (guint) hit.span.task) != NULL)
        g_string_append_printf (s, "\n%s", il_run_trace_get_task_error (run, (guint) hit.span.task));
      if (task != NULL)
        append_meta (s, il_run_trace_get_task_category (run, task->id), il_run_trace_get_task_args (run, task->id));
    }
  append_stack (s, run, &hit);
  g_string_append (s, "\n");
  if (hit.span.cpu >= 0)
    g_string_append_printf (s, _("%s on CPU %d"), il_state_get_title (hit.span.state),
                            (int) hit.span.cpu);
  else
    g_string_append (s, il_state_get_title (hit.span.state));
  /* A traced program's wait says what the thread blocked on. */
  {
    const char *why = il_wait_kind_get_title (il_run_trace_get_wait (run, (guint) hit.worker,
                                                                      hit.span.start_ns));
    if (why != NULL)
      g_string_append_printf (s, ": %s", why);
  }
  /* A Python program's sampled stacks: the function running here, and on a GIL wait whose code
   * held the GIL. */
  {
    g_autofree char *code = il_trace_stacks_describe (run, (guint) hit.worker, hit.t_ns,
                                                      (IlState) hit.span.state, 3);

    if (code != NULL)
      g_string_append_printf (s, "\n%s", code);
  }
  start = il_clock_format_duration (hit.span.start_ns, IL_DURATION_SIGNIFICANT);
  duration = il_clock_format_duration (hit.span.end_ns - hit.span.start_ns, IL_DURATION_SIGNIFICANT);
  g_string_append (s, "\n");
  g_string_append_printf (s, _("Starts at %s, lasts %s"), start, duration);
  if (self->runs->len > 1)
    {
      g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));
      g_string_append (s, "\n");
      g_string_append (s, title);
    }
  return g_string_free (s, FALSE);
}

static gboolean
il_timeline_view_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard_mode,
                                 GtkTooltip *tooltip)
{
  g_autofree char *text = NULL;

  /* From the keyboard, the tooltip tells what the focus ring is on. */
  if (keyboard_mode)
    text = il_timeline_keys_describe (widget);
  else
    text = il_timeline_view_describe_point (IL_TIMELINE_VIEW (widget), x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
on_click_released (GtkGestureClick *gesture, int n_press, double x, double y,
                   IlTimelineView *self)
{
  il_timeline_view_click (self, x, y);
}

void
il_timeline_view_click (IlTimelineView *self, double x, double y)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  /* Points are in the view; the picture it shows a window of is this tall. */
  int height = il_timeline_view_content_height (self);
  IlPaintHit hit;
  IlPaintOptions o;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  il_timeline_view_paint_options (self, &o);
  if (self->runs->len > 0 &&
      il_painter_hit_test (width, height, self->runs, &o, x, y + il_timeline_view_scroll_y (self), &hit) &&
      !hit.in_strip && hit.span.task >= 0)
    {
      /* Clicking the highlighted task again clears it, like toggling a selection. */
      if (self->options.highlight_run == hit.run && self->options.highlight_task == hit.span.task)
        il_timeline_view_set_highlight (self, -1, -1);
      else
        il_timeline_view_set_highlight (self, hit.run, hit.span.task);
    }
  else
    il_timeline_view_set_highlight (self, -1, -1);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, IlTimelineView *self)
{
  il_timeline_view_get_range (self, &self->drag_t0, &self->drag_t1, NULL);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, IlTimelineView *self)
{
  double x0, x1;
  gint64 shift;

  if (fabs (dx) < 3 && self->fit)
    return;   /* a click, not a drag */
  il_timeline_view_time_area (self, &x0, &x1);
  shift = (gint64) (-dx / (x1 - x0) * (self->drag_t1 - self->drag_t0));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (!self->fit || shift != 0)
    {
      gint64 width = self->drag_t1 - self->drag_t0;
      gint64 extent = il_timeline_view_get_extent (self);

      /* Dragging a fitted view would only snap back: drag pans once zoomed in. */
      if (width < extent)
        il_timeline_view_set_range (self, self->drag_t0 + shift, self->drag_t1 + shift);
    }
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, IlTimelineView *self)
{
  self->pointer_x = x;
}

static void
on_leave (GtkEventControllerMotion *controller, IlTimelineView *self)
{
  self->pointer_x = -1;
}

/* TRUE when a scrolled window shows only part of the lanes. */
static gboolean
il_timeline_view_scrolls_vertically (IlTimelineView *self)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adj;

  if (scroller == NULL)
    return FALSE;
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  return gtk_adjustment_get_upper (adj) - gtk_adjustment_get_lower (adj)
         > gtk_adjustment_get_page_size (adj) + 0.5;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, IlTimelineView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gboolean wheel = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL;

  if (state & GDK_CONTROL_MASK)
    {
      double x = self->pointer_x >= 0 ? self->pointer_x
                 : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      double steps = wheel ? dy : dy / 20.0;

      il_timeline_view_zoom_at (self, pow (1.25, -steps), x);
      return TRUE;
    }

  /* Lanes taller than the view scroll with the vertical wheel (the scrolled window around us
   * takes it); otherwise plain scrolling pans time, vertical wheels being the common case. */
  if (fabs (dy) > fabs (dx) && il_timeline_view_scrolls_vertically (self))
    return FALSE;
  {
    double amount = fabs (dx) > fabs (dy) ? dx : dy;
    double x0, x1;

    if (wheel)
      il_timeline_view_pan (self, amount * 0.1);
    else
      {
        il_timeline_view_time_area (self, &x0, &x1);
        il_timeline_view_pan (self, amount / (x1 - x0));
      }
  }
  return TRUE;
}

static void
on_zoom_begin (GtkGesture *gesture, GdkEventSequence *sequence, IlTimelineView *self)
{
  double y;

  il_timeline_view_get_range (self, &self->pinch_t0, &self->pinch_t1, NULL);
  if (!gtk_gesture_get_bounding_box_center (gesture, &self->pinch_x, &y))
    self->pinch_x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture, double scale, IlTimelineView *self)
{
  double x0, x1, frac, t, width;

  if (scale <= 0)
    return;
  il_timeline_view_time_area (self, &x0, &x1);
  frac = CLAMP ((self->pinch_x - x0) / (x1 - x0), 0.0, 1.0);
  t = self->pinch_t0 + frac * (self->pinch_t1 - self->pinch_t0);
  width = MAX ((self->pinch_t1 - self->pinch_t0) / scale, (double) IL_TIMELINE_MIN_RANGE_NS);
  il_timeline_view_set_range (self, (gint64) (t - frac * width), (gint64) (t - frac * width + width));
}

static void
action_zoom (GtkWidget *widget, const char *action_name, GVariant *param)
{
  if (g_str_equal (action_name, "timeline.zoom-in"))
    il_timeline_view_zoom (IL_TIMELINE_VIEW (widget), 1.5);
  else
    il_timeline_view_zoom (IL_TIMELINE_VIEW (widget), 1 / 1.5);
}

static void
action_fit (GtkWidget *widget, const char *action_name, GVariant *param)
{
  il_timeline_view_fit (IL_TIMELINE_VIEW (widget));
}

static void
action_pan (GtkWidget *widget, const char *action_name, GVariant *param)
{
  il_timeline_view_pan (IL_TIMELINE_VIEW (widget), g_variant_get_double (param));
}

void
il_timeline_view_input_class_init (GtkWidgetClass *widget_class)
{
  widget_class->query_tooltip = il_timeline_view_query_tooltip;

  gtk_widget_class_install_action (widget_class, "timeline.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "timeline.fit", NULL, action_fit);
  gtk_widget_class_install_action (widget_class, "timeline.pan", "d", action_pan);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_SHIFT_MASK, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "timeline.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, 0, "timeline.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "timeline.pan", "d", -0.1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "timeline.pan", "d", 0.1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "timeline.pan", "d", -1e6);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "timeline.pan", "d", 1e6);
}

void
il_timeline_view_input_init (IlTimelineView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  self->pointer_x = -1;
  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
