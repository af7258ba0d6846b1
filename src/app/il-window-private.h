/* il-window-private.h: the main window's state, shared by the il-window*.c files. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "il-batch-runner.h"
#include "il-history-item.h"
#include "il-lesson.h"
#include "il-run.h"
#include "il-setup-pane.h"
#include "il-summary-view.h"
#include "il-sweep-view.h"
#include "il-timeline-view.h"
#include "il-window.h"

G_BEGIN_DECLS

struct _IlWindow
{
  AdwApplicationWindow  parent_instance;

  /* owned */
  GSettings            *settings;
  GListStore           *history;        /* of IlHistoryItem: every run of the session, oldest first */
  GPtrArray            *shown;          /* of IlRunTrace: what the timeline and summary show */
  IlBatchRunner        *runner;         /* the batch going on, or NULL */
  IlRun                *run;            /* its run going on (or shown, to start), or NULL */
  GCancellable         *cancellable;    /* of the batch */
  IlLesson             *lesson;         /* the open lesson, or NULL */
  char                 *prediction;     /* what the user answered before running the lesson */
  gboolean              queue_is_baseline;  /* the batch measures sequential baselines only */
  gboolean              queue_is_lesson;
  gboolean              checking_quiet;     /* the quiet-machine check before a lesson goes on */
  gboolean              told_capture_refused;  /* the kernel's refusal was said this session */
  AdwToast             *busy_toast;         /* the busy-machine notice while shown or queued */
  gboolean              syncing_history;    /* guards the check buttons <-> shown loop */
  gint64                summary_shown_us;   /* when the live summary was last updated */
  gint64                progress_shown_us;  /* when the progress text was last set */
  guint                 status_lanes;       /* a traced program's: threads and processes it said */
  gint64                live_start_us;      /* the current run's start, for the live cost */
  gint64                live_start_cpu_ns;
  gint64                live_cpu_ns;        /* summed over the session's runs */
  gint64                live_wall_ns;
  gboolean              live_ui_due;        /* spans came: the progress may move at the next frame */
  gboolean              disposed;           /* a run's callback may come after the widgets went */
  gboolean              painted;            /* the first frame is on screen */
  gboolean              run_when_shown;     /* --run: press Run after the first frame */
  GdkFrameClock        *go_clock;           /* the prepared run starts after its frames... */
  gulong                go_paint_id;
  guint                 go_id;              /* ...when no frame came for a while */
  guint                 go_deadline_id;     /* ...or at the latest (a hidden window, animations) */

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *view_stack;
  GtkButton            *run_button;
  GtkButton            *stop_button;
  GtkMenuButton        *lessons_button;
  GtkProgressBar       *progress_bar;
  IlSetupPane          *setup_pane;
  GtkListBox           *history_list;
  GtkStack             *sidebar_stack;
  GtkLabel             *lesson_runs_label;
  GtkLabel             *lesson_title_label;
  GtkLabel             *lesson_explanation_label;
  GtkBox               *lesson_question_box;
  GtkLabel             *lesson_question_label;
  GtkTextView          *prediction_view;
  GtkStack             *timeline_stack;
  IlTimelineView       *timeline;
  IlSummaryView        *summary;
  GtkLabel             *status_label;
  IlSweepView          *sweep_view;
  guint                 history_number;     /* the last history row's number */
  AdwFlap              *flap;
  GtkLabel             *details_label;
  AdwStatusPage        *empty_page;
  char                 *empty_title;        /* the empty view's own words, for after a lesson */
  char                 *empty_description;
  GtkScrolledWindow    *timeline_scroller;
  GtkSearchBar         *lane_search_bar;
  GtkSearchEntry       *lane_filter;
  GtkScrolledWindow    *summary_scroller;
  GtkWidget            *lesson_commands_box;
  GtkLabel             *lesson_commands_label;
  GtkWidget            *lesson_commands_note;
  GtkWidget            *consent_dialog;     /* the question before a lesson's programs, or NULL */
  IlLesson             *consented_lesson;   /* the open lesson the user said Run to, or NULL */
  GtkLabel             *prediction_note;
  GtkWidget            *reflection_box;     /* shown once the lesson's answer is */
  GtkTextView          *reflection_view;
  /* il-window-session.c */
  char                 *session_dir;        /* where the session is kept, or NULL: not kept */
  guint                 session_save_id;    /* a save soon (texts typed, a run removed) */
  gboolean              session_failed;     /* a failed save was said once */
  gboolean              texts_saved;        /* prediction and reflection are in a written report */
  gboolean              close_confirmed;    /* the user answered the question on closing */
  GtkWidget            *close_dialog;
  /* il-window-report.c */
  gboolean              lab_mode;           /* --run: a prediction is required before Run */
  gboolean              student_asked;      /* who hands in reports was asked this session */
  /* il-window-present.c */
  gboolean              presenting;         /* presentation mode (F11) */
  gboolean              pane_before_presenting;
  gboolean              fullscreened;       /* by presentation mode, so leaving it ends it */
  GtkPaned             *presented_paned;    /* the summary's paned while the summary is out */
};

/* il-window-batch.c: a batch of runs on IlBatchRunner. */
void     il_window_start_batch          (IlWindow *self, GPtrArray *configs, gboolean lesson,
                                         gboolean baseline);
void     il_window_stop                 (IlWindow *self);
/* Before each frame: a live run's progress and summary move with the timeline's frames. */
void     il_window_live_before_paint    (GdkFrameClock *clock, IlWindow *self);
void     il_window_forget_go_clock      (IlWindow *self);
/* The progress bar and status: the run going on, its tasks, the batch's runs. */
void     il_window_update_progress      (IlWindow *self);

/* il-window.c */
/* Speedups for @runs that have none from their own batch, from earlier sequential runs. */
void     il_window_apply_speedups       (IlWindow *self, GPtrArray *runs);
/* The run of history item @index (borrowed), or NULL past the end. */
IlRunTrace *il_window_get_history_run   (IlWindow *self, guint index);
GtkWidget *il_window_find_row           (IlWindow *self, IlRunTrace *run);
void     il_window_update_history_rows  (IlWindow *self);
/* Ticks in the history list mirror what is shown. */
void     il_window_sync_history_checks  (IlWindow *self);
void     il_window_add_to_history       (IlWindow *self, IlRunTrace *run, gboolean checked);
void     il_window_update_actions       (IlWindow *self);
GPtrArray *il_window_missing_baselines  (IlWindow *self);

/* il-window-adaptive.c */
void     il_window_adaptive_class_init  (GtkWidgetClass *widget_class);
void     il_window_adaptive_init        (IlWindow *self);
void     il_window_reset_scroll         (IlWindow *self);
/* The empty view's words: predict and run a lesson, or set up a run. */
void     il_window_update_empty_state   (IlWindow *self);

/* il-window-history.c: win.remove-run, win.clear-history */
void     il_window_add_history_actions    (IlWindow *self);
void     il_window_update_history_actions (IlWindow *self, gboolean busy);

/* il-window-report.c: win.export-report */
void     il_window_add_report_action    (IlWindow *self);
void     il_window_update_report_action (IlWindow *self, gboolean busy);

/* il-window-consent.c: docs/lesson-format.md, "Trust". */
/* The open lesson's programs on its card, exactly as they run (none: hidden). */
void     il_window_show_lesson_commands (IlWindow *self);
/* Before a lesson's runs (@configs) start: TRUE when they may start now; else the user is asked,
 * and Run starts @configs (il_window_start_batch() again) after remembering the consent. */
gboolean il_window_consent_given        (IlWindow *self, GPtrArray *configs);
/* A lesson opened or closed, or the window going: the question goes unanswered, nothing runs. */
void     il_window_forget_consent       (IlWindow *self);

/* il-window-session.c: nothing lost (docs/inside.md, "Sessions"). */
void     il_window_add_session_actions  (IlWindow *self);
/* Appends @item to the history, its tick followed (il-window.c). */
void     il_window_append_history_item  (IlWindow *self, IlHistoryItem *item);
/* The history, the texts or the lesson changed: the session is written soon (not while a run goes
 * on); _now writes it at once (a batch ended). */
void     il_window_session_changed      (IlWindow *self);
void     il_window_session_save_now     (IlWindow *self);
/* The user wrote @runs (and with @texts the prediction and reflection) to a file of theirs. */
void     il_window_mark_saved           (IlWindow *self, GPtrArray *runs, gboolean texts);
/* TRUE: closing waits for the user's answer about unsaved results (a dialog is up). */
gboolean il_window_session_close_request (IlWindow *self);
/* Dispose: a pending save is written now. */
void     il_window_session_dispose      (IlWindow *self);
/* A lesson opened or closed: its prediction, reflection and answer go (never carried over). */
void     il_window_forget_lesson_texts  (IlWindow *self);
/* A lesson's batch ended: the reflection is asked for, and the session written. */
void     il_window_session_batch_done   (IlWindow *self);
/* A question about this window (AdwMessageDialog, not yet presented): Cancel, then @response
 * (@label, @appearance); Escape cancels; @on_response (dialog, response, self) answers. */
GtkWidget *il_window_ask                (IlWindow *self, const char *heading, const char *body,
                                         const char *response, const char *label,
                                         AdwResponseAppearance appearance,
                                         const char *default_response, GCallback on_response);
/* The text in @view, newly allocated. */
char    *il_window_view_text            (GtkTextView *view);
void     il_window_view_set_text        (GtkTextView *view, const char *text);
/* @text holds more than white space. */
gboolean il_window_text_given           (const char *text);

/* il-window-report.c: lab mode. May the open lesson run: in lab mode a lesson with a question
 * waits for a prediction; the note under the prediction says so. */
gboolean il_window_lesson_may_run       (IlWindow *self);
/* il-window-failure.c: a traced program that failed (non-zero exit, a signal): a notice with how
 * it ended and its last line on stderr, Details with its last lines. Returns the notice (not
 * owned), or NULL when @run's program did not fail. */
AdwToast *il_window_say_program_failed  (IlWindow *self, IlRun *run, IlRunTrace *trace);

/* il-window-present.c: win.presentation, win.text-zoom-in/-out/-reset, win.color-scheme. */
void     il_window_present_init         (IlWindow *self);
void     il_window_present_dispose      (IlWindow *self);

/* il-window-actions.c: the win.* actions live in the window's GActionMap, so tests and the
 * application's accelerators reach them the same way. */
void     il_window_add_actions          (IlWindow *self);
void     il_window_set_action_enabled   (IlWindow *self, const char *name, gboolean enabled);

G_END_DECLS
