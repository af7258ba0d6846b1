/* il-executor-kinds.h: the executor kinds and the factory that picks one. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The executor kinds (threads, processes, async) and the one place that picks one for a
 * configuration. */
#pragma once

#include "il-executor.h"

G_BEGIN_DECLS

/* Creates the executor for config->executor; @capture is borrowed and must outlive it.
 * @worker_path is the interleave-worker program the processes kind spawns (the run finds it:
 * il_run_get_worker_path()); the other kinds ignore it. */
IlExecutor *il_executor_new           (const IlRunConfig *config, IlCapture *capture,
                                       gint64 origin_ns, const char *worker_path,
                                       GError **error);

/* The kinds, allocated with their class set; il_executor_new() fills the base. */
IlExecutor *il_executor_threads_new   (void);
IlExecutor *il_executor_processes_new (const char *worker_path);
IlExecutor *il_executor_async_new     (void);

/* Where the interleave-worker program is: @env ($IL_WORKER_PATH) when set; else @build_worker
 * only when the running executable @exe (its resolved path) lives inside @build_root, i.e. runs
 * uninstalled; else @installed_worker. An installed binary never runs what lies in its build
 * folder (which may be world-writable). Pure, for the tests. */
char       *il_executor_choose_worker_path (const char *env, const char *exe,
                                            const char *build_root, const char *build_worker,
                                            const char *installed_worker);

G_END_DECLS
