/* il-trace-private.h: the insides of lanes, runs and traces, shared by the files of the trace model. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "il-trace.h"

G_BEGIN_DECLS

typedef struct _IlRunMarks IlRunMarks;

/* 4096 spans × 24 bytes = 96 KiB per chunk: big enough that the chunk table stays tiny, small
 * enough that a short run does not waste memory. Chunks never move once allocated. */
#define CHUNK_SHIFT 12
#define CHUNK_SIZE (1u << CHUNK_SHIFT)
#define CHUNK_MASK (CHUNK_SIZE - 1)
/* A lane starts small: a trace of 65 535 threads with a span or two each would otherwise take
 * 96 KB a thread (6 GB) for nothing. */
#define FIRST_CHUNK_SIZE 16u

struct _IlLane
{
  GPtrArray *chunks;   /* of IlSpan[CHUNK_SIZE]; the first one grows to that from FIRST_CHUNK_SIZE */
  guint      n_spans;
  guint      first_cap; /* spans the first chunk holds now */
};

struct _IlRunTrace
{
  gatomicrefcount  ref_count;
  IlRunConfig     *config;
  char            *label;
  IlCaptureKind    capture;
  gint64           origin_ns;
  gboolean         cancelled;
  gboolean         live;
  guint            n_cpus;
  GArray          *workers;   /* of IlWorkerInfo */
  GPtrArray       *lanes;     /* of IlLane* */
  GArray          *tasks;     /* of IlTaskRecord */
  guint64          n_spans;
  guint64          max_spans;          /* 0: no cap */
  guint64          truncated_at_spans; /* 0: nothing dropped */
  gint64           end_ns;
  guint64          generation;
  guint            states_seen;   /* bit (1 << IlState) for every state a span has had, and
                                   * STATES_SEEN_CPU once a span was on a known CPU */
  GStringChunk    *task_names;    /* NULL until a task is named */
  IlSummary        summary;
  IlCpuLoad       *cpu_load;
  GArray          *undrawn;            /* of IlSpan; NULL until a traced program's launcher ran */
  gint64           undrawn_max_ns;     /* the longest of them */
  GData           *data;
  /* Rare facts kept beside the arrays, so a million tasks cost no more for them: a failed
   * task's cause (task id → string) and a lane's replaced processes (worker → GArray of int). */
  GHashTable      *task_errors;
  GHashTable      *previous_pids;
  GArray          *processes;          /* of IlProcessInfo; NULL until a traced program has one */
  GPtrArray       *waits;              /* per worker: GArray of IlWaitEntry, or NULL */
  gint64           sample_interval_ns;
  int              exit_code;          /* -1: not known, or killed (exit_signal) */
  int              exit_signal;        /* 0: not killed by a signal */
  GArray          *lost;               /* of IlLostStretch; NULL when the kernel dropped nothing */
  IlRunMarks      *marks;              /* instants, counters, flows, slice args (il-trace-marks.c);
                                        * NULL until one is added */
  struct _IlTraceStacks *stacks;       /* sampled Python stacks (il-trace-stacks.c); NULL when none */
  struct _IlRunOutput *output;         /* stdout and stderr (il-trace-output.c); NULL until set */
};

struct _IlTrace
{
  gatomicrefcount  ref_count;
  guint            cpus;
  char            *kernel;
  char            *hostname;
  GPtrArray       *runs;
  GPtrArray       *warnings;  /* of char*: what the reader loaded despite (a cut-off file); NULL if none */
};

void il_run_output_free (struct _IlRunOutput *output);

static inline IlSpan *
lane_at (const IlLane *lane, guint index)
{
  IlSpan *chunk = g_ptr_array_index (lane->chunks, index >> CHUNK_SHIFT);
  return &chunk[index & CHUNK_MASK];
}

/* il-trace-marks.c */
void           il_run_marks_free             (IlRunMarks *marks);

/* il-trace-lane.c */
IlLane        *il_lane_new                   (void);
void           il_lane_free                  (gpointer data);
void           il_lane_append                (IlLane *lane, const IlSpan *span);

/* il-trace-program.c: a traced program's waits, kept beside the spans (run.waits). */
typedef struct
{
  gint64 start_ns;
  guint8 kind;   /* IlWaitKind */
} IlWaitEntry;

void           il_wait_array_free            (gpointer data);
void           il_run_trace_clear_processes  (IlRunTrace *self);

G_END_DECLS
