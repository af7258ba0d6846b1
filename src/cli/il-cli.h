/* il-cli.h: interleave-cli's subcommands and what they share: outputs, number parsing, summaries. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "il-export.h"
#include "il-trace.h"
#include "il-trace-io.h"

G_BEGIN_DECLS

/* Exit codes of DESIGN.md: 0 ok, 1 the run (or writing a file) failed, 2 bad usage or bad input. */
enum
{
  IL_CLI_EXIT_OK = 0,
  IL_CLI_EXIT_FAILED = 1,
  IL_CLI_EXIT_USAGE = 2,
};

/* The file outputs and image options every subcommand shares, as typed on the command line. */
typedef struct
{
  char     *trace_path;
  char     *csv_path;
  char     *chrome_path;
  char     *png_path;
  char     *svg_path;
  char     *pdf_path;
  char     *view;
  char     *width;
  char     *height;
  char     *scale;
  char     *theme;
  char     *title;
  gboolean  color_by_cpu;
  gboolean  quiet;
  char     *profile_path;   /* --profile: the Python stacks as a speedscope file */

  /* Parsed by il_cli_outputs_check(). */
  IlExportOptions export;
} IlCliOutputs;

/* Adds the output options to @context as their own group. @with_trace adds -o (not for render). */
void      il_cli_outputs_add_group (GOptionContext *context, IlCliOutputs *outputs,
                                    gboolean with_trace);
/* Checks and parses the image options; FALSE with an IL_ERROR_INVALID error naming the option. */
gboolean  il_cli_outputs_check     (IlCliOutputs *outputs, GError **error);
gboolean  il_cli_outputs_any       (const IlCliOutputs *outputs);
/* Writes every requested file; prints "wrote FILE" lines unless quiet. Keeps going after a
 * failure so one bad path does not lose the others; returns FALSE if any failed (printed). */
gboolean  il_cli_outputs_write     (IlCliOutputs *outputs, IlTrace *trace, const char *prog);
void      il_cli_outputs_clear     (IlCliOutputs *outputs);

/* A command-line argument as UTF-8 text for a label or title: valid UTF-8 as it is, else from the
 * locale's charset, else with U+FFFD for the bytes that are not text. Never fails. */
char     *il_cli_text_from_arg     (const char *arg);
/* Writes @data to @path atomically (il-atomic-file.h), or to standard output when @path is "-";
 * IL_ERROR_FAILED naming the file. */
gboolean  il_cli_write_file        (const char *path, const char *data, gsize len, GError **error);
/* Strict number parsing: the whole string, in range; the error names @option. */
gboolean  il_cli_parse_uint        (const char *option, const char *str, guint64 min, guint64 max,
                                    guint *out, GError **error);
gboolean  il_cli_parse_double      (const char *option, const char *str, double min, double max,
                                    double *out, GError **error);

/* The work options `run` and `sweep` share, as typed on the command line. */
typedef struct
{
  char *switch_interval;
  char *workers;           /* `run` only; NULL in `sweep` */
  char *cpus;
  char *workload;
  char *tasks;
  char *task_ms;
  char *capture;
  char *max_spans;         /* --max-spans, added by il_cli_add_max_spans_option() */
} IlCliWorkOptions;

/* Applies the given work options (all but --capture) to @config, in the order they are checked;
 * options not given leave @config as it is. --tasks must be at least @min_tasks. FALSE with an
 * IL_ERROR_INVALID error naming the option. */
gboolean  il_cli_work_options_apply (const IlCliWorkOptions *options, guint min_tasks,
                                     IlRunConfig *config, GError **error);
void      il_cli_work_options_clear (IlCliWorkOptions *options);
/* Adds --max-spans N to @context's main group, storing the text in @max_spans. */
void      il_cli_add_max_spans_option (GOptionContext *context, char **max_spans);
/* Parses --max-spans (NULL: IL_DEFAULT_MAX_SPANS; 0: no cap); FALSE with an IL_ERROR_INVALID
 * error naming the option. */
gboolean  il_cli_parse_max_spans   (const char *str, guint64 *out, GError **error);
/* Parses --capture; FALSE with an IL_ERROR_INVALID error listing the choices. */
gboolean  il_cli_parse_capture     (const char *str, IlCaptureKind *out, GError **error);

/* Prints one line "interleave-cli CMD: MESSAGE" on stderr and returns the exit code for @error:
 * IL_ERROR_INVALID and option errors are usage errors (2), everything else a failure (1). */
int       il_cli_report_error      (const char *prog, const GError *error);

/* Pads a UTF-8 string to @width characters (left-aligned). */
char     *il_cli_pad               (const char *str, guint width);

/* Summaries: one run in detail, or a table of several with the speedups between them. */
void      il_cli_print_run_summary (IlRunTrace *run, const char *baseline_label);
/* An imported file's slices, instants, counters and flows (il-cli-render.c). */
void      il_cli_print_imported_marks (IlRunTrace *run);
void      il_cli_print_comparison  (GPtrArray *runs, int baseline);
/* The warning that other programs disturbed the run or comparison (nothing when they did not). */
void      il_cli_print_disturbed   (GPtrArray *runs);

/* SIGINT and SIGTERM cancel @cancellable; the handlers run on the default main context, so the
 * caller must iterate it while it waits (a GMainLoop). */
void      il_cli_cancel_on_signals (GCancellable *cancellable);
void      il_cli_remove_signals    (void);
/* From here on, SIGINT and SIGTERM remove the temporary files of writes in progress and end the
 * process by that signal. il_cli_remove_signals() and il_cli_outputs_write() call it. */
void      il_cli_clean_up_on_signals (void);

/* Whether a traced program's command can start: FALSE with an IL_ERROR_INVALID error naming the
 * program and why not (not found, a folder, not executable, another architecture, a script whose
 * interpreter is missing). TRUE for runs that are no traced program. */
gboolean  il_cli_check_program     (const IlRunConfig *config, GError **error);
/* How a traced program ended, from its wait status ("exited with status 3", "was ended by signal
 * 9 (Killed)"), or NULL when it ended well or its end is not known (-1). */
char     *il_cli_describe_end      (int wait_status);
/* Appends a failed program's last lines on stderr (il_run_get_stderr_tail()), each indented and
 * marked, to @out: what it said before it failed, in the same message as how it ended. */
void      il_cli_append_stderr_tail (GString *out, const char *tail);

/* il-cli-stacks.c: a run's Python functions (the innermost frames of its sampled stacks), at
 * most @max_rows of them (0: all), nothing when it has no stacks; the samples as a speedscope
 * profile (prints "Wrote FILE" unless @quiet; FALSE, reported, when it has none or fails). */
void      il_cli_print_functions   (IlRunTrace *run, guint max_rows);
/* How many of them a run's summary lists: 5, or all once --functions asked for every one. */
void      il_cli_set_summary_functions (gboolean all);
guint     il_cli_get_summary_functions (void);
gboolean  il_cli_write_profile     (const char *path, IlTrace *trace, gboolean quiet, const char *prog);

int       il_cli_run               (int argc, char **argv);
int       il_cli_render            (int argc, char **argv);
int       il_cli_sweep             (int argc, char **argv);
int       il_cli_trace             (int argc, char **argv);

G_END_DECLS
