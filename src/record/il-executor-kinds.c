/* il-executor-kinds.c: the one place that knows the executor kinds and picks one. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one place that knows the executor kinds: picks the kind of a configuration and lets the
 * base fill in the rest. */
#include "config.h"

#include <glib/gi18n.h>

#include "il-executor-kinds.h"

IlExecutor *
il_executor_new (const IlRunConfig  *config,
                 IlCapture          *capture,
                 gint64              origin_ns,
                 const char         *worker_path,
                 GError            **error)
{
  IlExecutor *self;
  guint n_lanes;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (capture != NULL, NULL);

  if (!il_run_config_validate (config, error))
    return NULL;

  switch (config->executor)
    {
    case IL_EXECUTOR_SEQUENTIAL:
    case IL_EXECUTOR_THREADS:
      self = il_executor_threads_new ();
      break;
    case IL_EXECUTOR_PROCESSES:
      self = il_executor_processes_new (worker_path);
      break;
    case IL_EXECUTOR_ASYNC:
      self = il_executor_async_new ();
      break;
    case IL_EXECUTOR_EXTERNAL:   /* refused by il_run_config_validate() above */
    case IL_N_EXECUTORS:
    default:
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("Unknown executor %d"), (int) config->executor);
      return NULL;
    }

  n_lanes = config->executor == IL_EXECUTOR_SEQUENTIAL ? 1 : MAX (1, config->workers);
  il_executor_init (self, config, capture, origin_ns, n_lanes);
  return self;
}
