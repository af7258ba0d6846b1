/* il-window.h: the main window: set-up, live timeline, summary, history, lessons, sweep, export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "il-history-item.h"
#include "il-lesson.h"
#include "il-setup-pane.h"
#include "il-summary-view.h"
#include "il-sweep-view.h"
#include "il-timeline-view.h"

G_BEGIN_DECLS

#define IL_TYPE_WINDOW (il_window_get_type ())
G_DECLARE_FINAL_TYPE (IlWindow, il_window, IL, WINDOW, AdwApplicationWindow)

IlWindow       *il_window_new             (AdwApplication *application);
/* Opens a .lesson or a trace file (chosen by content: a trace is JSON). */
gboolean        il_window_open_file       (IlWindow *self, GFile *file, GError **error);
gboolean        il_window_open_lesson     (IlWindow *self, const char *path, GError **error);
/* Moves the keyboard focus to the lesson's prediction field (revealing a folded side pane) once
 * pending popovers have closed: the student predicts before pressing Run. */
void            il_window_focus_prediction (IlWindow *self);
/* Writes the lab report of the shown runs (with the open lesson and the prediction) as a PDF on
 * the locale's paper. */
gboolean        il_window_write_report    (IlWindow *self, const char *path, GError **error);
/* Removes history run number @number (as its row shows, "#3"); FALSE when there is none or it
 * is still recording. */
gboolean        il_window_remove_run      (IlWindow *self, guint number);
/* Removes every run from the history but one still recording; the view empties. */
void            il_window_clear_history   (IlWindow *self);
gboolean        il_window_open_trace      (IlWindow *self, const char *path, GError **error);
/* Saves the shown runs as a trace file. */
gboolean        il_window_save_trace      (IlWindow *self, const char *path, GError **error);
/* Exports what is shown: images (png, svg, pdf) with the export settings, or trace data. */
gboolean        il_window_export_to       (IlWindow *self, const char *format, const char *path,
                                           GError **error);

/* Says @message in a short notice over the window (the dialogs and the application say theirs
 * here too). */
void            il_window_toast           (IlWindow *self, const char *message);

gboolean        il_window_get_busy        (IlWindow *self);
IlLesson       *il_window_get_lesson      (IlWindow *self);
GListModel     *il_window_get_history     (IlWindow *self);   /* of IlHistoryItem, borrowed */
GPtrArray      *il_window_get_shown       (IlWindow *self);   /* of IlRunTrace, borrowed */
/* What the window cost while its runs went on (from each start to its end, summed over the
 * session): this process's CPU time minus what its in-process workers ran, and the wall time. */
void            il_window_get_live_cost   (IlWindow *self, gint64 *cpu_ns, gint64 *wall_ns);
IlTimelineView *il_window_get_timeline    (IlWindow *self);
/* The timeline's lane filter (a GtkSearchEntry, shown by win.find-lanes, Ctrl+F). */
GtkWidget      *il_window_get_lane_filter (IlWindow *self);
IlSetupPane    *il_window_get_setup_pane  (IlWindow *self);
IlSummaryView  *il_window_get_summary     (IlWindow *self);
IlSweepView    *il_window_get_sweep_view  (IlWindow *self);
/* Shows @runs (of IlRunTrace) in the timeline and summary; the history's ticks follow. */
void            il_window_show_runs       (IlWindow *self, GPtrArray *runs);
/* Reveals (or hides) the side pane where it is folded over the timeline. */
void            il_window_show_pane       (IlWindow *self, gboolean show);
/* Presses Run once the window has drawn its first frame (at once when it has). */
void            il_window_run_when_shown  (IlWindow *self);
/* The lesson's prediction field, so tests can type a prediction. */
void            il_window_set_prediction  (IlWindow *self, const char *text);
/* Presentation mode (win.presentation, F11): the pictures enlarged for a projector, without the
 * side pane and the table, full screen. */
void            il_window_set_presenting  (IlWindow *self, gboolean presenting);
gboolean        il_window_get_presenting  (IlWindow *self);
/* The text zoom (GSettings "text-zoom", Ctrl + / − / 0). */
double          il_window_get_text_zoom   (IlWindow *self);

/* Lab work (il-window-session.c, il-window-report.c; docs/inside.md, "Sessions"). */
/* The prediction and the reflection (after the answer) as typed, newly allocated. */
char           *il_window_get_prediction  (IlWindow *self);
char           *il_window_get_reflection  (IlWindow *self);
void            il_window_set_reflection  (IlWindow *self, const char *text);
/* Lab mode (--run): Run waits until a lesson's question has a prediction. */
void            il_window_set_lab_mode    (IlWindow *self, gboolean lab_mode);
gboolean        il_window_get_lab_mode    (IlWindow *self);
/* Keeps the session in @dir (NULL: $XDG_DATA_HOME/interleave/session): restores the runs,
 * lesson, prediction and reflection kept there, and from then on writes them there as they
 * happen. The set-up starts from its defaults. FALSE (and the session not kept) when @dir
 * cannot be made; runs that cannot be read back are said as toasts and left out. */
gboolean        il_window_open_session    (IlWindow *self, const char *dir, GError **error);
const char     *il_window_get_session_dir (IlWindow *self);  /* NULL when not kept */
/* Finished runs, or a run lesson's prediction or reflection, that the user has not written to a
 * file of theirs (Save Shown Runs, a data export, a lab report). */
gboolean        il_window_get_unsaved     (IlWindow *self);
/* Starts over without asking (win.new-session asks first): no runs in the history, no
 * prediction or reflection, the set-up at its defaults; an open lesson stays open, fresh. */
void            il_window_new_session     (IlWindow *self);

G_END_DECLS
