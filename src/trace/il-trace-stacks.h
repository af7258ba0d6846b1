/* il-trace-stacks.h: sampled Python stacks of a traced program's threads (a minimal store; pyview owns the real one). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "il-trace.h"

G_BEGIN_DECLS

/* A traced Python program's threads, sampled: at each sample the thread's Python stack (frames
 * interned as (function, file, line)), whether the kernel had it runnable (state R) and whether
 * it held the GIL. Every function takes the store's lock: the tracer thread adds while another
 * may read. This is the subset the sampler writes against; the full store (lookups, totals,
 * persistence) comes with issue 20's views, under the same declarations. */
typedef struct _IlTraceStacks IlTraceStacks;

IlTraceStacks *il_trace_stacks_new (void);
void           il_trace_stacks_free (IlTraceStacks *stacks);
/* Interned; the same (function, file, line) gives the same id. */
guint          il_trace_stacks_intern_frame (IlTraceStacks *stacks, const char *function, const char *file, guint line);
/* frames: innermost first. on_cpu: the kernel's state was R. holds_gil: this thread state was the GIL's holder. */
void           il_trace_stacks_add_sample (IlTraceStacks *stacks, gint64 pid, gint64 tid, gint64 time_ns, gboolean on_cpu, gboolean holds_gil, const guint *frames, guint n_frames);
/* The run's trace keeps it (takes ownership); NULL when none. */
void           il_run_trace_set_stacks (IlRunTrace *trace, IlTraceStacks *stacks);
IlTraceStacks *il_run_trace_get_stacks (IlRunTrace *trace);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlTraceStacks, il_trace_stacks_free)

/* One frame: strings owned by the store, valid while it lives. */
typedef struct
{
  const char *function;
  const char *file;
  guint       line;
} IlStackFrame;

/* Frames a sample lookup copies out (the innermost ones; a deeper stack says how deep in
 * n_frames but keeps only these). */
#define IL_STACK_SAMPLE_FRAMES 16

typedef struct
{
  gint64   pid;
  gint64   tid;
  gint64   time_ns;
  gboolean on_cpu;
  gboolean holds_gil;
  guint    n_frames;                         /* the stack's depth */
  guint    frames[IL_STACK_SAMPLE_FRAMES];   /* innermost first, MIN (n_frames, 16) of them */
} IlStackSample;

guint          il_trace_stacks_get_n_frames  (IlTraceStacks *stacks);
/* Frame @id (< get_n_frames); FALSE for an unknown id. */
gboolean       il_trace_stacks_get_frame     (IlTraceStacks *stacks, guint id, IlStackFrame *out);
guint64        il_trace_stacks_get_n_samples (IlTraceStacks *stacks);
/* Threads that have samples, in order of their first sample. */
guint          il_trace_stacks_get_n_threads (IlTraceStacks *stacks);
void           il_trace_stacks_get_thread    (IlTraceStacks *stacks, guint index, gint64 *pid, gint64 *tid,
                                              guint *n_samples);
/* Sample @sample of thread @index, in time order. */
gboolean       il_trace_stacks_get_thread_sample (IlTraceStacks *stacks, guint index, guint sample,
                                                  IlStackSample *out);

G_END_DECLS
