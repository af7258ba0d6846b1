/* il-trace-marks.h: what a trace says beyond slices: instants, counters, flows, and each slice's category and arguments. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "il-trace.h"

G_BEGIN_DECLS

/* An imported Chrome trace (and its trace v1 copy) keeps more than its slices: the instant events
 * ("i"/"I") as marks, the counters ("C") as series of values, the flows ("s"/"t"/"f", and
 * "bind_id" with "flow_in"/"flow_out") as arrows from one thread and time to another, and the
 * "cat" and "args" of each slice. The run owns all of it; strings are shared and live as long as
 * the run. Times are nanoseconds from the run's start. A run without any has none of the cost. */

typedef enum
{
  IL_MARK_SCOPE_THREAD,    /* on its lane */
  IL_MARK_SCOPE_PROCESS,   /* across its process */
  IL_MARK_SCOPE_GLOBAL,    /* across the whole run */
} IlMarkScope;

typedef struct
{
  gint64       ts_ns;
  int          worker;     /* the lane it was recorded on, or -1 when no lane is known */
  int          pid;        /* the process (process scope: the one it spans) */
  IlMarkScope  scope;
  const char  *name;
  const char  *category;   /* NULL when the file gave none */
  const char  *args;       /* compact JSON object text, NULL when none */
} IlInstant;

typedef struct
{
  gint64 ts_ns;
  double value;
} IlCounterPoint;

/* One series of a counter: a Chrome "C" event's member @key under @name, of process @pid. */
typedef struct
{
  const char           *name;
  const char           *key;       /* the "args" member; the series' own name when alone */
  const char           *category;
  int                   pid;
  double                min, max;  /* of its values */
  guint                 n_points;
  const IlCounterPoint *points;    /* in time order */
} IlCounter;

/* An arrow from (from_worker, from_ns) to (to_worker, to_ns): one step of a flow. A flow whose
 * start the file never continued has to_worker -1 and to_ns = from_ns. */
typedef struct
{
  const char *id;          /* the flow's id as the file wrote it */
  const char *name;
  const char *category;
  int         from_worker;
  gint64      from_ns;
  int         to_worker;
  gint64      to_ns;
} IlFlow;

/* Instants: added in any order; read back in time order (lane by lane for il_run_trace_find_instants). */
void              il_run_trace_add_instant     (IlRunTrace *self, const IlInstant *instant);
guint             il_run_trace_get_n_instants  (IlRunTrace *self);
/* In time order, ties in order of addition. */
const IlInstant  *il_run_trace_get_instant     (IlRunTrace *self, guint index);
/* The instants of lane @worker (-1: those of process or global scope) with @t0 <= ts < @t1, in
 * time order: a pointer array into the run's (valid until the next addition) and its length. */
const IlInstant *const *il_run_trace_find_instants (IlRunTrace *self, int worker, gint64 t0,
                                                    gint64 t1, guint *n);

/* Counters: a series is found or made by (pid, name, key); points come in any order. */
guint             il_run_trace_add_counter     (IlRunTrace *self, int pid, const char *name,
                                                const char *key, const char *category);
void              il_run_trace_add_counter_point (IlRunTrace *self, guint counter, gint64 ts_ns,
                                                  double value);
guint             il_run_trace_get_n_counters  (IlRunTrace *self);
const IlCounter  *il_run_trace_get_counter     (IlRunTrace *self, guint index);
/* The series' label: "name" for a lone "value", else "name: key"; with the process when the run
 * has several. Free it. */
char             *il_run_trace_get_counter_label (IlRunTrace *self, guint index);
guint64           il_run_trace_get_n_counter_points (IlRunTrace *self);

void              il_run_trace_add_flow        (IlRunTrace *self, const IlFlow *flow);
guint             il_run_trace_get_n_flows     (IlRunTrace *self);
const IlFlow     *il_run_trace_get_flow        (IlRunTrace *self, guint index);

/* A slice's (task's) category and arguments (compact JSON object text); NULL when none. */
void              il_run_trace_set_task_meta   (IlRunTrace *self, guint task, const char *category,
                                                const char *args);
const char       *il_run_trace_get_task_category (IlRunTrace *self, guint task);
const char       *il_run_trace_get_task_args   (IlRunTrace *self, guint task);
/* Does any task have a category or arguments? (CSV then has those columns filled) */
gboolean          il_run_trace_has_task_meta   (IlRunTrace *self);

/* @json (an object's text, any spacing) without the spaces outside strings, or NULL when it is
 * empty ("{}"). Free it. */
char             *il_json_compact              (const char *json, gsize len);
/* The same into @out (emptied first), for callers compacting many; FALSE when empty. */
gboolean          il_json_compact_into         (GString *out, const char *json, gsize len);
/* Arguments for a tooltip: one "key: value" a line, at most @max_lines lines of @max_chars. */
char             *il_json_args_describe        (const char *args, guint max_lines, guint max_chars);

G_END_DECLS
