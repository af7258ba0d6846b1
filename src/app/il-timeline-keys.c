/* il-timeline-keys.c: the timeline by keyboard: a focus ring over lanes and tasks, Enter selects, lanes in words. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-format.h"
#include "il-layout.h"
#include "il-palette.h"
#include "il-task-details.h"
#include "il-timeline-keys.h"

#define KEY "il-timeline-keys"

typedef struct
{
  gboolean active;
  guint    lane;     /* index among the worker and core rows of the layout */
  int      task;     /* task id under the ring on a worker lane, -1: the whole lane */
  const IlTimelineKeysHost *host;
} Ring;

static Ring *
ring_get (GtkWidget *timeline)
{
  return g_object_get_data (G_OBJECT (timeline), KEY);
}

/* The worker and core rows of the current frame, in drawing order (top to bottom). */
static GArray *
lane_rows (GtkWidget *timeline, IlLayout **layout_out)
{
  Ring *ring = ring_get (timeline);
  GPtrArray *runs = ring->host->get_runs (timeline);
  int width = MAX (gtk_widget_get_width (timeline), 1);
  int height = MAX (ring->host->get_content_height (timeline), 1);
  IlLayout *layout;
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (IlLayoutRow));

  *layout_out = NULL;
  if (runs == NULL || runs->len == 0)
    return rows;
  layout = il_layout_new (width, height, runs, ring->host->get_paint_options (timeline));
  for (guint i = 0; i < layout->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (layout->rows, IlLayoutRow, i);

      if (row->kind != IL_ROW_STRIP && row->kind != IL_ROW_COUNTER)
        g_array_append_val (rows, *row);
    }
  *layout_out = layout;
  return rows;
}

/* Tasks of worker @w in start order. */
static GArray *
worker_tasks (IlRunTrace *run, int w)
{
  GArray *tasks = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint t = 0; t < il_run_trace_get_n_tasks (run); t++)
    {
      IlTaskRecord *record = il_run_trace_get_task (run, t);

      if (record->worker == w)
        {
          int id = (int) t;
          guint at = tasks->len;

          /* Records come in id order, which is nearly start order: insert from the end. */
          while (at > 0 &&
                 il_run_trace_get_task (run, (guint) g_array_index (tasks, int, at - 1))->start_ns
                   > record->start_ns)
            at--;
          g_array_insert_val (tasks, at, id);
        }
    }
  return tasks;
}

typedef struct
{
  int     cpu;        /* -1: every span; else only running spans on this CPU */
  gint64  totals[IL_N_STATES];
} Totals;

static gboolean
add_span (const IlSpan *span, gpointer data)
{
  Totals *t = data;

  if (span->state >= IL_N_STATES)
    return TRUE;
  if (t->cpu < 0 || (span->state == IL_STATE_RUNNING && span->cpu == t->cpu))
    t->totals[span->state] += span->end_ns - span->start_ns;
  return TRUE;
}

char *
il_timeline_keys_describe_lane (IlRunTrace *run, gboolean core, int index)
{
  g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));
  const char *label = il_run_trace_get_label (run) != NULL ? il_run_trace_get_label (run) : title;
  Totals t = { core ? index : -1, { 0 } };
  GString *s = g_string_new (NULL);
  gint64 end = MAX (il_run_trace_get_end_ns (run), 1);
  gboolean first = TRUE;

  g_return_val_if_fail (run != NULL, NULL);

  if (core)
    {
      g_autofree char *busy = NULL;
      g_autofree char *wall = il_clock_format_duration (end, IL_DURATION_SIGNIFICANT);

      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        il_lane_foreach_in_range (il_run_trace_get_lane (run, w), 0, end, add_span, &t);
      busy = il_clock_format_duration (t.totals[IL_STATE_RUNNING], IL_DURATION_SIGNIFICANT);
      /* Translators: a core lane for screen readers: "core 1 of “2 processes”: the run's workers ran on it 650 ms of 1.20 s" */
      g_string_append_printf (s, _("core %d of “%s”: the run’s workers ran on it %s of %s"), index,
                              label, busy, wall);
      return g_string_free (s, FALSE);
    }

  if (index < 0 || (guint) index >= il_run_trace_get_n_workers (run))
    return g_string_free (s, FALSE);
  il_lane_foreach_in_range (il_run_trace_get_lane (run, (guint) index), 0, end, add_span, &t);
  {
    g_autoptr(GArray) tasks = worker_tasks (run, index);

    /* Translators: a worker lane for screen readers: "worker 2 of “4 threads + GIL”: 3 tasks" */
    g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "worker %d of “%s”: %u task",
                                            "worker %d of “%s”: %u tasks", tasks->len),
                            index, label, tasks->len);
  }
  for (int state = 0; state < IL_N_STATES; state++)
    {
      g_autofree char *d = NULL;

      if (t.totals[state] <= 0)
        continue;
      d = il_clock_format_duration (t.totals[state], IL_DURATION_SIGNIFICANT);
      g_string_append_printf (s, first ? _(" — %s: %s") : _(", %s: %s"),
                              il_state_get_title ((IlState) state), d);
      first = FALSE;
    }
  return g_string_free (s, FALSE);
}

char *
il_timeline_keys_describe (GtkWidget *timeline)
{
  Ring *ring = ring_get (timeline);
  g_autoptr(IlLayout) layout = NULL;
  g_autoptr(GArray) rows = NULL;
  const IlLayoutRow *row;
  IlRunTrace *run;

  g_return_val_if_fail (GTK_IS_WIDGET (timeline), NULL);

  if (ring == NULL || !ring->active)
    return NULL;
  rows = lane_rows (timeline, &layout);
  if (ring->lane >= rows->len)
    return NULL;
  row = &g_array_index (rows, IlLayoutRow, ring->lane);
  run = g_ptr_array_index (ring->host->get_runs (timeline), row->run);
  if (row->kind == IL_ROW_WORKER && ring->task >= 0)
    return il_task_details_describe (run, ring->task);
  return il_timeline_keys_describe_lane (run, row->kind == IL_ROW_CORE, row->index);
}

/* Tells assistive technology what the ring is on, and redraws the ring. */
static void
ring_changed (GtkWidget *timeline)
{
  g_autofree char *text = il_timeline_keys_describe (timeline);

  gtk_accessible_update_property (GTK_ACCESSIBLE (timeline), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  text != NULL ? text : _("Timeline"), -1);
  gtk_widget_set_tooltip_text (timeline, NULL);
  gtk_widget_trigger_tooltip_query (timeline);
  gtk_widget_queue_draw (timeline);
}

void
il_timeline_keys_move (GtkWidget *timeline, int dlane, int dtask)
{
  Ring *ring = ring_get (timeline);
  g_autoptr(IlLayout) layout = NULL;
  g_autoptr(GArray) rows = NULL;
  const IlLayoutRow *row;

  g_return_if_fail (GTK_IS_WIDGET (timeline));
  g_return_if_fail (ring != NULL);

  rows = lane_rows (timeline, &layout);
  if (rows->len == 0)
    return;
  if (!ring->active)
    {
      ring->active = TRUE;
      ring->lane = 0;
      ring->task = -1;
      dlane = 0;
    }
  if (dlane != 0)
    {
      int lane = CLAMP ((int) ring->lane + dlane, 0, (int) rows->len - 1);

      if ((guint) lane != ring->lane)
        ring->task = -1;
      ring->lane = (guint) lane;
    }
  ring->lane = MIN (ring->lane, rows->len - 1);
  row = &g_array_index (rows, IlLayoutRow, ring->lane);
  if (dtask != 0 && row->kind == IL_ROW_WORKER)
    {
      IlRunTrace *run = g_ptr_array_index (ring->host->get_runs (timeline), row->run);
      g_autoptr(GArray) tasks = worker_tasks (run, row->index);
      int at = -1;

      for (guint i = 0; i < tasks->len; i++)
        if (g_array_index (tasks, int, i) == ring->task)
          at = (int) i;
      if (tasks->len > 0)
        {
          /* From the lane itself, Right goes to its first task and Left to its last. */
          at = at < 0 ? (dtask > 0 ? 0 : (int) tasks->len - 1)
                      : CLAMP (at + dtask, 0, (int) tasks->len - 1);
          ring->task = g_array_index (tasks, int, at);
        }
    }
  ring_changed (timeline);
}

gboolean
il_timeline_keys_activate (GtkWidget *timeline)
{
  Ring *ring = ring_get (timeline);
  g_autoptr(IlLayout) layout = NULL;
  g_autoptr(GArray) rows = NULL;
  const IlLayoutRow *row;

  g_return_val_if_fail (GTK_IS_WIDGET (timeline), FALSE);

  if (ring == NULL || !ring->active || ring->task < 0)
    return FALSE;
  rows = lane_rows (timeline, &layout);
  if (ring->lane >= rows->len)
    return FALSE;
  row = &g_array_index (rows, IlLayoutRow, ring->lane);
  /* Same as a click: the task lights up in its worker lane and the core lanes, and the window
   * tells its details. */
  ring->host->set_highlight (timeline, (int) row->run, ring->task);
  return TRUE;
}

gboolean
il_timeline_keys_get_active (GtkWidget *timeline)
{
  Ring *ring = ring_get (timeline);

  return ring != NULL && ring->active;
}

void
il_timeline_keys_draw (GtkWidget *timeline, cairo_t *cr, int width, int height)
{
  Ring *ring = ring_get (timeline);
  g_autoptr(IlLayout) layout = NULL;
  g_autoptr(GArray) rows = NULL;
  const IlLayoutRow *row;
  double x0, x1;

  if (ring == NULL || !ring->active || !gtk_widget_has_focus (timeline))
    return;
  rows = lane_rows (timeline, &layout);
  if (ring->lane >= rows->len)
    return;
  row = &g_array_index (rows, IlLayoutRow, ring->lane);
  x0 = layout->label_x;
  x1 = layout->lane_x1;
  if (row->kind == IL_ROW_WORKER && ring->task >= 0)
    {
      IlRunTrace *run = g_ptr_array_index (ring->host->get_runs (timeline), row->run);
      IlTaskRecord *task = il_run_trace_get_task (run, (guint) ring->task);
      gint64 end = task->end_ns > task->start_ns ? task->end_ns : il_run_trace_get_end_ns (run);

      x0 = CLAMP (il_time_scale_to_x (&layout->scale, (double) task->start_ns), layout->lane_x0,
                  layout->lane_x1);
      x1 = CLAMP (il_time_scale_to_x (&layout->scale, (double) end), x0 + 2, layout->lane_x1 + 2);
    }
  /* The focus ring: the accent blue, two pixels, outside the lane so its colours stay visible. */
  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  cairo_set_line_width (cr, 2);
  cairo_rectangle (cr, x0 - 2, row->y - 2, x1 - x0 + 4, row->h + 4);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, GtkWidget *timeline)
{
  Ring *ring = ring_get (timeline);

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      il_timeline_keys_move (timeline, -1, 0);
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      il_timeline_keys_move (timeline, 1, 0);
      return TRUE;
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      /* Without the ring, Left and Right pan as before. */
      if (!ring->active)
        return FALSE;
      il_timeline_keys_move (timeline, 0, keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left ? -1 : 1);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      return il_timeline_keys_activate (timeline);
    case GDK_KEY_Escape:
      if (!ring->active)
        return FALSE;
      ring->active = FALSE;
      ring_changed (timeline);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
on_focus_changed (GtkWidget *timeline)
{
  gtk_widget_queue_draw (timeline);
}

void
il_timeline_keys_attach (GtkWidget *timeline, const IlTimelineKeysHost *host)
{
  GtkEventController *controller;
  Ring *ring;

  g_return_if_fail (GTK_IS_WIDGET (timeline));
  g_return_if_fail (host != NULL);

  controller = gtk_event_controller_key_new ();
  ring = g_new0 (Ring, 1);
  ring->task = -1;
  ring->host = host;
  g_object_set_data_full (G_OBJECT (timeline), KEY, ring, g_free);
  /* Before the class's own bindings, so Left and Right move the ring when it is on. */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (on_key_pressed), timeline, 0);
  gtk_widget_add_controller (timeline, controller);
  g_signal_connect_object (timeline, "notify::has-focus", G_CALLBACK (on_focus_changed), timeline,
                           G_CONNECT_SWAPPED);
}
