/* il-run-config.h: what to run: executor, GIL, workers, CPU set, workload and task list size. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include "il-types.h"

G_BEGIN_DECLS

#define IL_MAX_WORKERS 256
#define IL_MAX_TASKS 100000
#define IL_MAX_TASK_MS 60000.0
/* The front ends' default cap on recorded spans per run (20 M spans are 480 MB). */
#define IL_DEFAULT_MAX_SPANS G_GUINT64_CONSTANT (20000000)

typedef struct
{
  char           *label;              /* NULL: il_run_config_describe() is used */
  IlExecutorKind  executor;
  gboolean        gil;                /* threads only */
  double          switch_interval_ms; /* default 5 */
  guint           workers;
  GArray         *cpus;               /* of int, sorted; NULL or empty: every CPU */
  IlWorkloadKind  workload;
  guint           tasks;
  double          task_ms;            /* 0 means an empty task (dispatch cost only) */
  IlCaptureKind   capture;
  int             nice;               /* 0, or a lower priority (1-19) every worker takes before its
                                       * first task: the window asks for it when a run has many more
                                       * workers than cores, so drawing is not starved */
  char          **command;            /* external: the traced program's argv (NULL otherwise) */
  char           *cwd;                /* external: its working folder (NULL: ours) */
  gboolean        wait_all;           /* external: the run ends when every descendant has ended,
                                       * not when the command's main process has */
  guint64         max_spans;          /* 0: no cap; else the run keeps its first max_spans spans
                                       * and drops the rest (times and tasks stay complete) */
  char           *source;             /* NULL, or where an external run came from: "chrome-trace"
                                       * for an imported Chrome Trace Event file */
} IlRunConfig;

#define IL_TYPE_RUN_CONFIG (il_run_config_get_type ())
GType        il_run_config_get_type  (void) G_GNUC_CONST;

/* Defaults: threads, 4 workers, cpu, 8 tasks of 100 ms, switch interval 5 ms, capture auto. */
IlRunConfig *il_run_config_new       (void);
IlRunConfig *il_run_config_copy      (const IlRunConfig *self);
void         il_run_config_free      (IlRunConfig *self);
/* Checks ranges and combinations; the message says what is wrong in words a user understands.
 * An external (traced) configuration is never valid to run. */
gboolean     il_run_config_validate  (const IlRunConfig *self, GError **error);
/* "4 threads + GIL (5 ms) · cpu · 8 × 100 ms · CPUs 0-1"; a traced program: "traced program · 3 threads". */
char        *il_run_config_describe  (const IlRunConfig *self);
/* The label, or the description when there is none. */
char        *il_run_config_get_title (const IlRunConfig *self);
/* TRUE for a program the engine runs and traces (external with a command; il-program.c). */
gboolean     il_run_config_is_program (const IlRunConfig *self);
/* Makes @self a traced program: executor external, one lane to start with, no tasks; takes
 * @argv and @cwd (NULL: the current folder). */
void         il_run_config_set_program (IlRunConfig *self, char **argv, char *cwd);
/* The command as one line for titles: arguments joined by spaces, cut to @max_chars with "…". */
char        *il_run_config_command_line (const IlRunConfig *self, guint max_chars);
/* TRUE when two configs run the same work (workload, tasks, task_ms; traced programs: the same
 * command): speedups and ratios of wall times compare only them. */
gboolean     il_run_config_same_work (const IlRunConfig *a, const IlRunConfig *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlRunConfig, il_run_config_free)

G_END_DECLS
