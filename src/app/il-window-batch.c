/* il-window-batch.c: the main window's batch of runs on IlBatchRunner: each run shown, then started once painted, live progress, the medians to the history. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-batch.h"
#include "il-batch-runner.h"
#include "il-capture.h"
#include "il-clock.h"
#include "il-cpu-sampler.h"
#include "il-history-row.h"
#include "il-trace-dialog.h"
#include "il-window-private.h"

/* Nice value of workers started from the window when "responsive-runs" is on. */
#define IL_WORKER_NICE 19
/* A prepared run starts once the window has painted it and then had no frame for
 * IL_WINDOW_GO_QUIET_MS (its live redraws are LIVE_FRAME_MS = 125 ms apart, animations 16 ms),
 * or after IL_WINDOW_GO_TIMEOUT_MS whatever the window does. */
#define IL_WINDOW_GO_QUIET_MS 40
/* How often a live run's progress bar, and its summary cells and status text, change. */
#define IL_WINDOW_LIVE_PROGRESS_US G_USEC_PER_SEC
#define IL_WINDOW_LIVE_SUMMARY_US (2 * G_USEC_PER_SEC)
#define IL_WINDOW_GO_TIMEOUT_MS 400

static guint
il_window_batch_done (IlWindow *self)
{
  return self->runner != NULL ? il_batch_runner_get_done (self->runner) : 0;
}

static guint
il_window_batch_total (IlWindow *self)
{
  return self->runner != NULL ? il_batch_runner_get_total (self->runner) : 0;
}

/* How far the batch is: runs done, and the tasks done of the one going on. */
static double
il_window_progress_fraction (IlWindow *self)
{
  guint done, total;

  if (self->run == NULL)
    return 0;
  done = il_run_get_tasks_done (self->run);
  total = il_run_get_tasks_total (self->run);
  return (il_window_batch_done (self) + (total > 0 ? (double) done / total : 0)) /
         MAX (il_window_batch_total (self), 1);
}

void
il_window_update_progress (IlWindow *self)
{
  double fraction = il_window_progress_fraction (self);
  g_autofree char *status = NULL;

  if (self->run != NULL)
    {
      guint done = il_run_get_tasks_done (self->run);
      guint total = il_run_get_tasks_total (self->run);

      /* A traced program has no tasks: say what is being recorded instead. */
      if (il_run_config_is_program (il_run_get_config (self->run)))
        status = il_trace_dialog_progress_text (il_run_get_trace (self->run),
                                                il_window_batch_done (self),
                                                il_window_batch_total (self));
      else if (il_window_batch_total (self) > 1)
        /* Translators: progress of a batch of runs, e.g. "Run 1 of 2 · 3 of 8 tasks done" */
        status = g_strdup_printf (_("Run %u of %u · %u of %u tasks done"),
                                  il_window_batch_done (self) + 1, il_window_batch_total (self),
                                  done, total);
      else
        status = g_strdup_printf (_("%u of %u tasks done"), done, total);
    }
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), self->run != NULL);
  gtk_label_set_label (self->status_label, status ? status : "");
}

static void
on_tasks_done (IlWindow *self, GParamSpec *pspec, IlRun *run)
{
  if (run != self->run)
    return;
  /* Live, the progress follows with the summary (on_spans_added), so the two relayouts fall in
   * one frame; without spans coming (a baseline batch draws nothing) it follows here. */
  if (!self->queue_is_baseline)
    return;
  if (g_get_monotonic_time () - self->progress_shown_us < G_USEC_PER_SEC / 4)
    return;
  self->progress_shown_us = g_get_monotonic_time ();
  il_window_update_progress (self);
}

/* 64 CPU-bound workers on 2 cores would leave the window a 65th share of the CPU and frames of
 * a second. Workers started from the window take a lower priority before their first task (a
 * preference), so the window gets the little CPU it needs and the workers get everything else. */
static void
il_window_set_worker_priority (IlWindow *self, IlRunConfig *config)
{
  guint cores = config->cpus != NULL && config->cpus->len > 0 ? config->cpus->len : il_cpu_count ();

  /* Up to two workers per core the window still gets a fair share; only beyond that does it
   * starve, and only then is the run's priority (and so its timing) touched. Measured (see
   * bench-window): live drawing takes about 5-8 % of one core, so a lower priority for 2-4
   * workers would not give them that back; it would only make them lose to anything else
   * running, which the command line's runs do not. */
  if (g_settings_get_boolean (self->settings, "responsive-runs") && config->workers > 2 * cores)
    config->nice = IL_WORKER_NICE;
}

static void
on_spans_added (IlWindow *self, IlRun *run)
{
  if (run != self->run)
    return;
  if (!self->queue_is_baseline)
    {
      il_timeline_view_runs_changed (self->timeline);
      /* The progress and the summary's time so far follow in the timeline's next live frame
       * (on_live_before_paint), not in frames of their own. */
      self->live_ui_due = TRUE;
    }
}

/* Before a frame's layout: the progress bar moves once a second (it only reallocates itself);
 * new text (the summary's time so far, the status) relayouts the window, every 2 s. Done here,
 * they fall into the timeline's live frames instead of waking the window for frames of their
 * own. Measured with bench-window (7 rounds, 2 cores): with the progress four times a second and
 * the summary once a second, two-worker runs on two cores were 1.5-5.8 % slower in the window
 * than from the CLI; without either, 0.97-1.01. The timeline's header says the time so far. */
void
il_window_live_before_paint (GdkFrameClock *clock, IlWindow *self)
{
  gint64 now = g_get_monotonic_time ();

  IlRunTrace *trace = self->run != NULL ? il_run_get_trace (self->run) : NULL;
  guint lanes = trace != NULL ? il_run_trace_get_n_workers (trace) + 65536 * il_run_trace_get_n_processes (trace) : 0;

  if (!self->live_ui_due || self->run == NULL)
    return;
  self->live_ui_due = FALSE;
  /* A traced program's status counts its threads and processes: said in the frame its lanes
   * change, so it never says fewer than the timeline shows (it said "0 threads" for a second
   * while the first lanes were drawn). */
  if (il_run_config_is_program (il_run_get_config (self->run)) && lanes != self->status_lanes)
    {
      self->status_lanes = lanes;
      self->progress_shown_us = now;
      il_window_update_progress (self);
    }
  else if (now - self->progress_shown_us > IL_WINDOW_LIVE_PROGRESS_US)
    {
      self->progress_shown_us = now;
      /* A traced program has no tasks to count: its status (threads and processes seen) is its
       * progress, and says at once that its first lanes came. */
      if (il_run_config_is_program (il_run_get_config (self->run)))
        il_window_update_progress (self);
      else
        gtk_progress_bar_set_fraction (self->progress_bar, il_window_progress_fraction (self));
    }
  else
    self->live_ui_due = TRUE;
  if (now - self->summary_shown_us > IL_WINDOW_LIVE_SUMMARY_US)
    {
      self->summary_shown_us = now;
      il_summary_view_update_live (self->summary);
      il_window_update_progress (self);
    }
}

/* A worker process stopped, silent, or replaced after it died: said while the run goes on. */
static void
on_run_warning (IlWindow *self, GParamSpec *pspec, IlRun *run)
{
  AdwToast *toast;

  if (run != self->run || il_run_get_warning (run) == NULL)
    return;
  /* Ahead of any other notice: the run is waiting on it, or lost a task. */
  toast = adw_toast_new (il_run_get_warning (run));
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
il_window_show_lesson_answer (IlWindow *self)
{
  if (self->lesson == NULL || !self->queue_is_lesson)
    return;
  il_summary_view_set_answer (self->summary, il_lesson_get_question (self->lesson),
                              self->prediction, il_lesson_get_answer (self->lesson));
}

static void
on_batch_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(IlWindow) self = user_data;
  IlBatchRunner *runner = IL_BATCH_RUNNER (source);
  /* Each run's error was said as it ended (on_run_finished); a batch that ended early still has
   * the runs of the rounds it measured. */
  GPtrArray *finished = il_batch_runner_run_finish (runner, result, NULL);
  g_autoptr(GPtrArray) batch = g_ptr_array_ref (il_batch_runner_get_result (runner));
  guint repeat = il_batch_runner_get_repeat (runner);

  g_clear_pointer (&finished, g_ptr_array_unref);

  if (self->runner == runner)
    g_clear_object (&self->runner);
  g_clear_object (&self->cancellable);
  /* Closed while the run was stopping: the widgets are gone, there is nothing to show it in. */
  if (self->disposed)
    return;
  if (repeat > 1)
    {
      /* The median run of each configuration stands for it, with the range of all. */
      for (guint i = 0; i < batch->len; i++)
        il_window_add_to_history (self, g_ptr_array_index (batch, i), TRUE);
      g_ptr_array_set_size (self->shown, 0);
      for (guint i = 0; i < batch->len; i++)
        g_ptr_array_add (self->shown, il_run_trace_ref (g_ptr_array_index (batch, i)));
    }
  /* A lesson compares its own runs; other runs may use the latest sequential run, said so. */
  if (self->queue_is_baseline)
    il_window_apply_speedups (self, self->shown);
  else if (!self->queue_is_lesson)
    il_window_apply_speedups (self, batch);
  il_window_update_history_rows (self);
  if (self->queue_is_baseline)
    il_summary_view_set_runs (self->summary, self->shown);
  else
    il_window_show_runs (self, self->shown);
  il_window_show_lesson_answer (self);
  il_window_update_progress (self);
  il_window_update_actions (self);
  /* Kept for the next start now, between batches, where writing costs no run a core. */
  il_window_session_batch_done (self);
}

static void il_window_count_live_cost (IlWindow *self, IlRunTrace *trace);

/* A run ended (a failed or stopped one ends the batch: the next runs would compare against
 * nothing). Its round's median is picked when the batch ends (on_batch_done). */
static void
on_run_finished (IlWindow *self, IlRun *run, IlRunTrace *trace, guint round, guint index,
                 const GError *error, IlBatchRunner *runner)
{
  GtkWidget *row;

  if (trace != NULL)
    il_window_count_live_cost (self, trace);
  g_signal_handlers_disconnect_by_data (run, self);
  if (self->run == run)
    g_clear_object (&self->run);

  /* Closed while the run was stopping: the widgets are gone, there is nothing to show it in. */
  if (self->disposed)
    return;

  if (error != NULL && !g_error_matches (error, IL_ERROR, IL_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("The run failed: %s"), error->message);
      il_window_toast (self, message);
    }
  else if (error == NULL && trace != NULL)
    il_window_say_program_failed (self, run, trace);

  /* Once a session: the kernel refused its capture (the summary says what that costs and the
   * command an administrator runs). */
  if (trace != NULL && il_run_trace_get_capture (trace) == IL_CAPTURE_SELF &&
      il_capture_kernel_refusal () != NULL && !self->told_capture_refused)
    {
      self->told_capture_refused = TRUE;
      il_window_toast (self, _("The kernel does not allow the exact capture here: the workers "
                               "observed themselves. The summary says how an administrator "
                               "allows it."));
    }
  if (trace != NULL && (row = il_window_find_row (self, trace)) != NULL)
    il_history_row_update (IL_HISTORY_ROW (row));
  il_timeline_view_runs_changed (self->timeline);
}

static void on_go_painted (GdkFrameClock *clock, IlWindow *self);

/* A run ended: what the window (all its threads but the run's own workers) took meanwhile. */
static void
il_window_count_live_cost (IlWindow *self, IlRunTrace *trace)
{
  gint64 cpu = il_clock_process_cpu_ns () - self->live_start_cpu_ns;
  IlExecutorKind executor = il_run_trace_get_config (trace)->executor;

  if (self->live_start_us == 0)
    return;
  /* Worker processes and traced programs are other processes already. */
  if (executor == IL_EXECUTOR_SEQUENTIAL || executor == IL_EXECUTOR_THREADS ||
      executor == IL_EXECUTOR_ASYNC)
    cpu -= il_run_trace_get_summary (trace)->cpu_ns;
  self->live_cpu_ns += MAX (cpu, 0);
  self->live_wall_ns += (g_get_monotonic_time () - self->live_start_us) * 1000;
  self->live_start_us = 0;
}

void
il_window_get_live_cost (IlWindow *self, gint64 *cpu_ns, gint64 *wall_ns)
{
  g_return_if_fail (IL_IS_WINDOW (self));
  *cpu_ns = self->live_cpu_ns;
  *wall_ns = self->live_wall_ns;
}

void
il_window_forget_go_clock (IlWindow *self)
{
  /* By function: a frame clock that was disposed (its window closed) has no handlers left. */
  if (self->go_clock != NULL && self->go_paint_id != 0)
    g_signal_handlers_disconnect_by_func (self->go_clock, on_go_painted, self);
  self->go_paint_id = 0;
  g_clear_object (&self->go_clock);
}

/* The prepared run starts: the window has laid it out and painted it, and its animations (a
 * stack's crossfade, buttons' transitions) are over, so none of that work competes with the
 * workers for the CPU. On 2 cores a first paint of 50-80 ms made runs that use both cores
 * 10-20 % slower than from the command line. */
static void
il_window_go (IlWindow *self)
{
  il_window_forget_go_clock (self);
  g_clear_handle_id (&self->go_id, g_source_remove);
  g_clear_handle_id (&self->go_deadline_id, g_source_remove);
  self->live_start_us = g_get_monotonic_time ();
  self->live_start_cpu_ns = il_clock_process_cpu_ns ();
  /* The run was just shown whole: its first live changes come a period into it (a traced
   * program's status at its first frame: the threads it has). */
  self->summary_shown_us = self->live_start_us;
  self->progress_shown_us = self->run != NULL && il_run_config_is_program (il_run_get_config (self->run))
                              ? 0 : self->live_start_us;
  if (self->runner != NULL)
    il_batch_runner_go (self->runner);
}

/* The quiet timeout or the deadline: il_window_go() removes both (this one while it runs). */
static gboolean
il_window_go_cb (gpointer data)
{
  il_window_go (data);
  return G_SOURCE_REMOVE;
}

/* Each frame's paint puts the start off until the window has had no frame for a while. */
static void
on_go_painted (GdkFrameClock *clock, IlWindow *self)
{
  g_clear_handle_id (&self->go_id, g_source_remove);
  self->go_id = g_timeout_add (IL_WINDOW_GO_QUIET_MS, il_window_go_cb, self);
}

static void
il_window_go_when_painted (IlWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (clock == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      il_window_go (self);
      return;
    }
  self->go_clock = g_object_ref (clock);
  self->go_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_go_painted), self);
  gtk_widget_queue_draw (GTK_WIDGET (self->timeline));
  /* A window that gets no frames (minimised, on another workspace) or never stops animating
   * holds the run this long at most. */
  self->go_deadline_id = g_timeout_add (IL_WINDOW_GO_TIMEOUT_MS, il_window_go_cb, self);
}

/* Was @old a finished run of the program @line? */
static gboolean
il_window_same_program (IlRunTrace *old, const char *line)
{
  g_autofree char *old_line = NULL;

  if (!il_run_config_is_program (il_run_trace_get_config (old)) || il_run_trace_get_live (old) ||
      il_run_trace_get_summary (old)->wall_ns <= 0)
    return FALSE;
  old_line = il_run_config_command_line (il_run_trace_get_config (old), G_MAXUINT);
  return g_strcmp0 (old_line, line) == 0;
}

/* A traced program's live range fits its last run's length (the same command earlier in this
 * batch or in the history), not a range that doubles as it runs: each step is a whole paint. */
static void
il_window_expect_length (IlWindow *self, IlRunTrace *trace)
{
  g_autofree char *line = il_run_config_command_line (il_run_trace_get_config (trace), G_MAXUINT);
  IlRunTrace *last = NULL;
  gint64 *ns;

  GPtrArray *rounds = il_batch_runner_get_rounds (self->runner);

  for (guint k = rounds->len; last == NULL && k-- > 0;)
    {
      GPtrArray *round = g_ptr_array_index (rounds, k);

      for (guint i = round->len; last == NULL && i-- > 0;)
        if (il_window_same_program (g_ptr_array_index (round, i), line))
          last = g_ptr_array_index (round, i);
    }
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->history)); last == NULL && i-- > 0;)
    if (il_window_same_program (il_window_get_history_run (self, i), line))
      last = il_window_get_history_run (self, i);
  if (last == NULL)
    return;
  ns = g_new (gint64, 1);
  *ns = il_run_trace_get_summary (last)->wall_ns;
  il_run_trace_set_data (trace, IL_TIMELINE_EXPECTED_NS, ns, g_free);
}

/* A run is set up: shown first, started once on screen (il_window_go). */
static void
on_run_prepared (IlWindow *self, IlRun *run, guint round, guint index, IlBatchRunner *runner)
{
  IlRunTrace *trace = il_run_get_trace (run);

  g_set_object (&self->run, run);
  g_signal_connect_object (run, "notify::tasks-done", G_CALLBACK (on_tasks_done), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "spans-added", G_CALLBACK (on_spans_added), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "notify::warning", G_CALLBACK (on_run_warning), self,
                           G_CONNECT_SWAPPED);

  if (il_run_config_is_program (il_run_get_config (run)))
    il_window_expect_length (self, trace);
  /* Repeated runs go to the history once the batch has picked its median runs. */
  if (il_batch_runner_get_repeat (runner) == 1)
    il_window_add_to_history (self, trace, !self->queue_is_baseline);
  if (!self->queue_is_baseline)
    {
      /* Each round of a repeated batch is shown on its own, like a single run of it. */
      if (il_batch_runner_get_repeat (runner) > 1 && index == 0)
        g_ptr_array_set_size (self->shown, 0);
      g_ptr_array_add (self->shown, il_run_trace_ref (trace));
      il_timeline_view_set_runs (self->timeline, self->shown);
      il_summary_view_set_runs (self->summary, self->shown);
      gtk_stack_set_visible_child_name (self->timeline_stack, "timeline");
      gtk_widget_set_visible (GTK_WIDGET (self->summary_scroller), TRUE);
    }
  il_window_update_progress (self);
  il_window_update_actions (self);
  il_window_go_when_painted (self);
}

static void
on_busy_toast_dismissed (IlWindow *self, AdwToast *toast)
{
  if (self->busy_toast == toast)
    self->busy_toast = NULL;
}

/* Says that the machine is busy. The notice of the last lesson run may still be up (it stays 6 s,
 * and a lesson started again within them is busy again): that one says the new share, rather
 * than a second one queued behind it, which came in with its animation in the middle of the
 * runs (about 30 frames of the whole window, 2-3 ms each: 1-2 % of a core for that run). */
static void
il_window_say_busy (IlWindow *self, const char *warning)
{
  if (self->busy_toast != NULL)
    {
      adw_toast_set_title (self->busy_toast, warning);
      return;
    }
  self->busy_toast = adw_toast_new (warning);
  adw_toast_set_timeout (self->busy_toast, 6);
  g_signal_connect_object (self->busy_toast, "dismissed", G_CALLBACK (on_busy_toast_dismissed), self,
                           G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, self->busy_toast);
}

/* Before a lesson: 200 ms of /proc/stat. A busy machine is said once, then the lesson runs. */
static void
on_quiet_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(IlWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  double busy = il_cpu_load_measure_busy_finish (result, &error);
  g_autofree char *warning = il_cpu_load_describe_busy (busy);

  self->checking_quiet = FALSE;
  if (self->disposed)
    return;
  if (warning != NULL)
    il_window_say_busy (self, warning);
  /* Stopped meanwhile: the runner sees the cancel and ends the batch at once. */
  il_batch_runner_run_async (self->runner, self->cancellable, on_batch_done, g_object_ref (self));
}

void
il_window_start_batch (IlWindow *self, GPtrArray *configs, gboolean lesson, gboolean baseline)
{
  g_autoptr(GPtrArray) batch = NULL;
  guint repeat;

  g_return_if_fail (IL_IS_WINDOW (self));

  if (il_window_get_busy (self) || configs->len == 0)
    return;
  /* Every way a lesson runs comes here (Run, --run, --no-predict, a dropped or opened file, the
   * lessons menu): one that may start programs from elsewhere asks first. */
  if (lesson && !il_window_consent_given (self, configs))
    return;

  batch = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  for (guint i = 0; i < configs->len; i++)
    {
      IlRunConfig *config = il_run_config_copy (g_ptr_array_index (configs, i));

      il_window_set_worker_priority (self, config);
      /* Bounded memory whatever the run's length (a preference; the timeline says where it cut). */
      config->max_spans = g_settings_get_uint64 (self->settings, "max-spans");
      g_ptr_array_add (batch, config);
    }
  /* A lesson is measured several times, alternating (A B C A B C …), so drift in the machine
   * hits every run alike; each configuration then keeps its median run. */
  repeat = lesson && !baseline ? MAX (g_settings_get_uint (self->settings, "lesson-repeat"), 1) : 1;
  g_clear_object (&self->runner);
  self->runner = il_batch_runner_new (batch, repeat);
  /* Each run waits until the window has painted it (il_window_go). */
  il_batch_runner_set_hold_start (self->runner, TRUE);
  g_signal_connect_object (self->runner, "run-prepared", G_CALLBACK (on_run_prepared), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->runner, "run-finished", G_CALLBACK (on_run_finished), self,
                           G_CONNECT_SWAPPED);
  self->queue_is_lesson = lesson;
  self->queue_is_baseline = baseline;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (!baseline)
    {
      adw_view_stack_set_visible_child_name (self->view_stack, "timeline");
      il_window_show_pane (self, FALSE);
      /* The prediction field goes insensitive while the runs go on: the focus moves on to the
       * timeline, where the keyboard reads the lanes. */
      gtk_widget_grab_focus (GTK_WIDGET (self->timeline));
      g_ptr_array_set_size (self->shown, 0);
      il_window_sync_history_checks (self);
      il_summary_view_set_answer (self->summary, NULL, NULL, NULL);
      g_clear_pointer (&self->prediction, g_free);
      if (lesson)
        self->prediction = il_window_view_text (self->prediction_view);
    }
  if (lesson && !baseline)
    {
      self->checking_quiet = TRUE;
      il_cpu_load_measure_busy_async (200 * G_GINT64_CONSTANT (1000000), self->cancellable,
                                      on_quiet_checked, g_object_ref (self));
      il_window_update_actions (self);
      return;
    }
  il_batch_runner_run_async (self->runner, self->cancellable, on_batch_done, g_object_ref (self));
}

void
il_window_stop (IlWindow *self)
{
  g_return_if_fail (IL_IS_WINDOW (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* A run shown but not started yet ends now, cancelled, like a started one. */
  if (self->go_deadline_id != 0)
    il_window_go (self);
}

