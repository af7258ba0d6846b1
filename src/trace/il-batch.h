/* il-batch.h: repeated runs of a batch: alternation, speedups from the same round, the median run kept and the ranges. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "il-trace.h"

G_BEGIN_DECLS

/* A configuration measured @count times (run.repeat in a trace file): the run kept is the median
 * by wall time, @kept its 0-based index in the alternation; each range is [min, max] over all
 * runs, NAN when a figure was not measured. */
typedef struct
{
  guint  count;
  guint  kept;
  double wall_ns[2];
  double cpu_ns[2];
  double avg_parallelism[2];
  double speedup[2];
  double other_share[2];
} IlRepeat;

/* The repeat attached to @run, or NULL for a run measured once. */
const IlRepeat *il_run_trace_get_repeat (IlRunTrace *run);
void            il_run_trace_set_repeat (IlRunTrace *run, const IlRepeat *repeat);

/* Where a run's speedup comes from: a sequential run of the same batch (the rule), or, when the
 * batch had none, the most recent earlier sequential run of the same work (said so wherever the
 * speedup is shown). */
typedef enum /*< prefix=IL_SPEEDUP >*/
{
  IL_SPEEDUP_SAME_BATCH = 0,
  IL_SPEEDUP_EARLIER_RUN,
} IlSpeedupBasis;

IlSpeedupBasis  il_run_trace_get_speedup_basis (IlRunTrace *run);
void            il_run_trace_set_speedup_basis (IlRunTrace *run, IlSpeedupBasis basis);

/* Speedups of one round of a batch (@runs of IlRunTrace, in order): each run against a
 * sequential run of the same work from @runs itself; a sequential run is 1 by definition.
 * Runs with no such sequential run keep what they had. */
void            il_batch_apply_speedups (GPtrArray *runs);

/* Reduces the @rounds (GPtrArray of GPtrArray of IlRunTrace: round k holds the configurations'
 * runs in order, a short round when the batch stopped early) to one run per configuration: the
 * median run by wall time (the lower middle one of an even count), with its repeat attached when
 * there were several. Speedups must already be set per round. Returns a new array of references. */
GPtrArray      *il_batch_reduce (GPtrArray *rounds);

/* run.repeat in a trace file: written when @run has one; read (optional) with every field
 * checked, @error_message naming the field (the reader adds the file and the run). */
void            il_repeat_write_json (IlRunTrace *run, JsonBuilder *b);
gboolean        il_repeat_read_json  (IlRunTrace *run, JsonObject *run_obj, char **error_message);

G_END_DECLS
