/* il-task-details.h: one task of a run in words: how long it took and where its time went. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-trace.h"

G_BEGIN_DECLS

/* Per-state time of @task's spans on its worker's lane (IL_N_STATES entries); FALSE when the
 * task has not started. @start_ns and @end_ns get its start and end. */
gboolean il_task_details_totals   (IlRunTrace *run,
                                   int         task,
                                   gint64     *start_ns,
                                   gint64     *end_ns,
                                   gint64      totals[IL_N_STATES]);
/* "Task 0 of “3 threads + GIL”: 612 ms from start to end on worker 0 — running 12 ms, waiting
 * for the GIL 480 ms, waiting for I/O 110 ms"; NULL when the task has not started. */
char    *il_task_details_describe (IlRunTrace *run,
                                   int         task);

G_END_DECLS
