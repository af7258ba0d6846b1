/* il-trace-native-private.h: what the parts of the trace v1 reader share (document, run header, rows). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The reader is cut by job: il-trace-read.c reads the document with the JSON lexer into a
 * json-glib tree, but for the two arrays that hold almost all of a trace's bytes, runs[i].spans
 * and runs[i].tasks, which it only finds; il-trace-read-run.c checks a run's header (config,
 * clock, summary, workers, CPU load, traced programs) in that tree; il-trace-read-rows.c parses
 * the span rows and the tasks straight into the run (a JsonNode per value would cost a 1 M-span
 * file gigabytes). */

#include <json-glib/json-glib.h>

#include "il-trace-io-private.h"
#include "il-trace-read-private.h"

G_BEGIN_DECLS

/* Where runs[run].spans or runs[run].tasks is in the source. */
typedef struct
{
  guint run;         /* index in "runs" */
  gsize start;       /* offset just after '[' */
  gsize end;         /* offset of the matching ']' */
  guint n_objects;   /* top-level '{' inside: the number of tasks */
} IlRowRange;

typedef struct
{
  const IlTraceSource *src;
  GError             **error;
} IlReadCtx;

/* Sets "NAME: PATH: MESSAGE"; returns FALSE. */
gboolean    il_read_fail         (IlReadCtx *ctx, const char *path, const char *format, ...) G_GNUC_PRINTF (3, 4);
gboolean    il_read_get_int      (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key,
                                  gint64 min, gint64 max, gint64 *out);
const char *il_read_get_string   (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key);
JsonObject *il_read_get_object   (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key);
JsonArray  *il_read_get_array    (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key);
JsonObject *il_read_array_object (IlReadCtx *ctx, JsonArray *array, guint i, const char *path);

/* Everything of runs[@index] but its spans and tasks (il-trace-read-run.c). */
IlRunTrace *il_read_run_header   (IlReadCtx *ctx, JsonObject *obj, guint index, guint machine_cpus);
/* runs[@index].spans_columns: file column → field. */
gboolean    il_read_columns      (IlReadCtx *ctx, JsonObject *obj, guint index, int columns[N_COLS]);

/* il-trace-marks-v1.c: a run's optional "instants", "counters" and "flows" (the writer's half
 * is declared in il-trace-io-private.h). */
gboolean    il_trace_marks_read_v1  (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run);
/* il-trace-stacks-v1.c: a run's optional "stacks". */
gboolean    il_trace_stacks_read_v1 (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run);
/* il-trace-output.c: a run's optional "output". */
gboolean    il_trace_output_read_v1 (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run);

/* il-trace-read-rows.c */
gboolean    il_read_span_rows    (IlTraceSource *src, const IlRowRange *range, IlRunTrace *run,
                                  const int columns[N_COLS], GError **error);
gboolean    il_read_tasks        (IlTraceSource *src, const IlRowRange *range, IlRunTrace *run,
                                  GError **error);

/* Gives the pages of a mapped file before @offset back once they were read (il-trace-read.c). */
void        il_trace_source_drop_behind (IlTraceSource *src, gsize offset);

G_END_DECLS
