/* il-trace-stacks.h: sampled Python stacks of a traced program's threads: frames, samples, lookups and per-function totals. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "il-trace.h"

G_BEGIN_DECLS

/* A traced Python program's threads, sampled: at each sample the thread's Python stack (frames
 * interned as (function, file, line)), whether the kernel had it runnable (state R) and whether
 * it held the GIL. The store knows nothing of Python versions: the sampler gives it names.
 *
 * Thread safety: every function takes the store's lock, so a sampler thread may add samples
 * while the owner's thread reads (a live run's tooltips). Lookups copy what they return (frame
 * ids into IlStackSample, strings that live as long as the store), never pointers into arrays
 * that may grow. Samples of one thread should come in time order; one that comes earlier than
 * the thread's last is put in its place (so lookups stay right), which is slower. */
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
/* "compute()  worker.py:12": the function, and the file's base name and line. Free it. */
char          *il_trace_stacks_format_frame  (IlTraceStacks *stacks, guint id);
guint64        il_trace_stacks_get_n_samples (IlTraceStacks *stacks);
/* The sampling interval, which each sample counts for in the totals: the one set, else the
 * median gap between consecutive samples of a thread (0 when no thread has two). */
void           il_trace_stacks_set_interval_ns (IlTraceStacks *stacks, gint64 interval_ns);
gint64         il_trace_stacks_get_interval_ns (IlTraceStacks *stacks);

/* Threads that have samples, in order of their first sample. */
guint          il_trace_stacks_get_n_threads (IlTraceStacks *stacks);
void           il_trace_stacks_get_thread    (IlTraceStacks *stacks, guint index, gint64 *pid, gint64 *tid,
                                              guint *n_samples);
/* Sample @sample of thread @index, in time order. */
gboolean       il_trace_stacks_get_thread_sample (IlTraceStacks *stacks, guint index, guint sample,
                                                  IlStackSample *out);
/* The whole stack of that sample, innermost first, into @frames (at most @max); returns its depth. */
guint          il_trace_stacks_get_thread_stack (IlTraceStacks *stacks, guint index, guint sample,
                                                 guint *frames, guint max);

/* The sample of thread (@pid, @tid) nearest @time_ns, if one is at most @max_gap_ns away. */
gboolean       il_trace_stacks_find_sample   (IlTraceStacks *stacks, gint64 pid, gint64 tid, gint64 time_ns,
                                              gint64 max_gap_ns, IlStackSample *out);
/* The same for lane @worker of @run (a traced program's thread: its pid and tid). */
gboolean       il_trace_stacks_find_worker_sample (IlTraceStacks *stacks, IlRunTrace *run, guint worker,
                                                   gint64 time_ns, gint64 max_gap_ns, IlStackSample *out);
/* The GIL's holder in process @pid at @time_ns: of the samples of its threads but @except_tid
 * (-1: none; a waiting thread asks who else held it) at most @max_gap_ns away that held the
 * GIL, the nearest (the holder's tid is in out->tid). */
gboolean       il_trace_stacks_find_gil_holder (IlTraceStacks *stacks, gint64 pid, gint64 except_tid,
                                                gint64 time_ns, gint64 max_gap_ns, IlStackSample *out);
/* The innermost frame most samples of thread (@pid, @tid) in [@t0, @t1) were in (a running
 * span's label), and in @share the fraction of those samples; G_MAXUINT when none is there. */
guint          il_trace_stacks_dominant_frame (IlTraceStacks *stacks, gint64 pid, gint64 tid, gint64 t0,
                                               gint64 t1, double *share);

/* Per function (innermost frame, grouped by function and file: lines of one function add up),
 * what its samples spent. Each sample counts the sampling interval, as:
 *   running:  the kernel had the thread runnable (on_cpu), with or without the GIL (C code that
 *             released it runs too);
 *   gil_wait: not runnable, not holding the GIL, and the trace's span of the thread there is a
 *             gil-wait (a sampler alone cannot tell a GIL wait from any other sleep);
 *   blocked:  not runnable otherwise (I/O, a lock, sleep, or no span known there). */
typedef struct
{
  guint  frame;          /* a frame of the function (its first line seen) */
  gint64 running_ns;
  gint64 gil_wait_ns;
  gint64 blocked_ns;
  guint  n_samples;
} IlStackFunctionTotal;

/* The totals, largest (running + gil_wait + blocked) first; @run (may be NULL: no gil_wait)
 * tells the span states, its workers found by pid and tid. Free with g_array_unref. */
GArray        *il_trace_stacks_get_function_totals (IlTraceStacks *stacks, IlRunTrace *run);

/* Tooltip lines for lane @worker of @run at @time_ns inside a span in @state: the function
 * running there and up to @max_outer frames around it ("compute()  worker.py:12\n  in main()
 * worker.py:30"), and on a gil-wait span which function held the GIL. NULL when the run has no
 * stacks or no sample is near. Free it. */
char          *il_trace_stacks_describe      (IlRunTrace *run, guint worker, gint64 time_ns, IlState state,
                                              guint max_outer);
/* How far from a time a sample may be and still tell what ran there: two sampling intervals
 * (at least 1 ms). */
gint64         il_trace_stacks_get_max_gap_ns (IlTraceStacks *stacks);

/* Profiles (il-trace-speedscope.c): does any run of @trace have samples? */
gboolean       il_trace_has_stacks           (IlTrace *trace);
/* The samples of every run as a speedscope file (one "sampled" profile per thread). Free it. */
char          *il_trace_to_speedscope        (IlTrace *trace, gsize *length);
/* Writes that file atomically; IL_ERROR_INVALID when no run has samples. */
gboolean       il_trace_export_speedscope    (IlTrace *trace, const char *path, GError **error);

G_END_DECLS
