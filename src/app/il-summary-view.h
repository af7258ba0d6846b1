/* il-summary-view.h: the summary of the shown runs: wall, CPU, parallelism, speedup, waits, capture. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "il-trace.h"

G_BEGIN_DECLS

#define IL_TYPE_SUMMARY_VIEW (il_summary_view_get_type ())
G_DECLARE_FINAL_TYPE (IlSummaryView, il_summary_view, IL, SUMMARY_VIEW, GtkBox)

GtkWidget  *il_summary_view_new        (void);
/* Rebuilds the figures from @runs (of IlRunTrace*); live runs show progress instead. */
void        il_summary_view_set_runs   (IlSummaryView *self, GPtrArray *runs);
/* Brings the live runs' "running… so far" up to date without rebuilding the table. */
void        il_summary_view_update_live (IlSummaryView *self);
/* A lesson's question, the user's prediction and the lesson's answer, shown beside the result;
 * a NULL question hides them. */
void        il_summary_view_set_answer (IlSummaryView *self, const char *question,
                                        const char *prediction, const char *answer);
/* The text shown beside the result (tests). */
const char *il_summary_view_get_answer_text (IlSummaryView *self);
/* The text of the figure in @row (e.g. "wall") for run @column, for tests; NULL when absent. */
const char *il_summary_view_get_value  (IlSummaryView *self, const char *row, guint column);

/* The table on screen: one row per run, or (when that does not fit) one column per run. */
GtkWidget  *il_summary_view_get_table  (IlSummaryView *self);
/* The expander with what the shown traced programs printed (hidden when none did). */
GtkWidget  *il_summary_view_get_output (IlSummaryView *self);

G_END_DECLS
