/* il-trace.h: the trace model: spans stored per worker lane in chunks, runs, and the whole trace. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include "il-types.h"
#include "il-run-config.h"

G_BEGIN_DECLS

/* One interval of one worker in one state. 24 bytes: a trace of 10 M spans fits in 240 MB.
 * Times are nanoseconds from the run's start. */
typedef struct
{
  gint64  start_ns;
  gint64  end_ns;
  gint32  task : 24;   /* -1 when none; up to 8 M tasks */
  guint32 state : 8;   /* IlState */
  guint16 worker;
  gint16  cpu;         /* -1 when not on a CPU */
} IlSpan;

G_STATIC_ASSERT (sizeof (IlSpan) == 24);

typedef struct
{
  guint         id;
  IlWorkerKind  kind;
  int           pid;
  int           tid;
  char         *name;
  gboolean      helper;   /* traced programs: a thread that never ran a task-like stretch */
  /* Imported traces: a thread's nested slices are rows of their own, consecutive lanes of the
   * same pid and tid, depth 0 (its outermost slices) first; an async track's rows likewise,
   * @async set (their time is not a thread's, so the summary leaves it out). */
  guint         depth;
  gboolean      async;
} IlWorkerInfo;

/* A process of a traced program whose threads are lanes (workers name it by pid). */
typedef struct
{
  int   pid;
  int   ppid;
  char *command;   /* its final command line, arguments joined by spaces */
  char *name;      /* the kernel's name of its main thread */
  gboolean still_running; /* alive when the run ended (the main process had exited): its lanes
                           * stop there, not at its end */
} IlProcessInfo;

typedef struct
{
  guint         id;
  int           worker;   /* -1 while not started */
  gint64        start_ns;
  gint64        end_ns;
  IlTaskStatus  status;
  const char   *name;     /* NULL, or an imported slice's name; owned by the run (set_task_name) */
} IlTaskRecord;

typedef struct
{
  gint64  wall_ns;
  gint64  cpu_ns;            /* total running time of all workers */
  double  avg_parallelism;   /* cpu_ns / wall_ns */
  guint   max_parallelism;   /* most workers running at one instant */
  gint64  gil_wait_ns;
  gint64  io_wait_ns;
  gint64  ready_ns;
  gint64  lock_wait_ns;      /* traced programs: blocked on a lock other than the GIL */
  gint64  loop_wait_ns;      /* event loop: tasks ready while the loop thread ran another */
  gint64  other_ns;          /* CPU time other programs took on the run's CPUs (run.cpu_load) */
  gint64  steal_ns;          /* time the hypervisor took from the run's CPUs */
  double  other_share;       /* other_ns / (wall_ns × CPUs in the set); NAN when not measured */
  double  speedup;           /* against a sequential run of the same work; NAN when unknown */
} IlSummary;

/* A lane: the spans of one worker, in time order, non-overlapping, stored in fixed-size chunks so
 * appending never moves what is already recorded (a viewer may hold pointers while a run goes on). */
typedef struct _IlLane IlLane;

guint          il_lane_get_n_spans     (const IlLane *lane);
const IlSpan  *il_lane_get_span        (const IlLane *lane, guint index);
/* Index of the first span whose end is after @t_ns (il_lane_get_n_spans() when none). */
guint          il_lane_find            (const IlLane *lane, gint64 t_ns);
/* Calls @func for each span that intersects [@t0, @t1); stops early when it returns FALSE. */
void           il_lane_foreach_in_range (const IlLane *lane, gint64 t0, gint64 t1,
                                         gboolean (*func) (const IlSpan *span, gpointer data),
                                         gpointer data);
/* Contiguous run of spans starting at @index (within one chunk); returns how many, sets @out. */
guint          il_lane_get_block       (const IlLane *lane, guint index, const IlSpan **out);

/* One run: its configuration, workers, tasks, spans and summary. Reference counted, not a GObject:
 * it is a plain data container that threads never touch (the owner appends drained spans). A boxed
 * type whose copy is a new reference, so GValues, properties and signals can carry one. */
typedef struct _IlRunTrace IlRunTrace;

#define IL_TYPE_RUN_TRACE (il_run_trace_get_type ())
GType          il_run_trace_get_type        (void) G_GNUC_CONST;

IlRunTrace    *il_run_trace_new             (const IlRunConfig *config);
IlRunTrace    *il_run_trace_ref             (IlRunTrace *self);
void           il_run_trace_unref           (IlRunTrace *self);

const char    *il_run_trace_get_label       (IlRunTrace *self);
void           il_run_trace_set_label       (IlRunTrace *self, const char *label);
const IlRunConfig *il_run_trace_get_config  (IlRunTrace *self);
/* Replaces the configuration with a copy of @config, for a recorder that learns it while
 * recording (a traced program's thread count); pointers from get_config() become invalid. */
void           il_run_trace_set_config      (IlRunTrace *self, const IlRunConfig *config);
IlCaptureKind  il_run_trace_get_capture     (IlRunTrace *self);
void           il_run_trace_set_capture     (IlRunTrace *self, IlCaptureKind capture);
gint64         il_run_trace_get_origin_ns   (IlRunTrace *self);
void           il_run_trace_set_origin_ns   (IlRunTrace *self, gint64 origin_ns);
gboolean       il_run_trace_get_cancelled   (IlRunTrace *self);
void           il_run_trace_set_cancelled   (IlRunTrace *self, gboolean cancelled);
/* Is the run still recording? (live views follow the newest time while it is) */
gboolean       il_run_trace_get_live        (IlRunTrace *self);
void           il_run_trace_set_live        (IlRunTrace *self, gboolean live);
/* Number of CPUs of the machine the run ran on (lanes of the core view). */
guint          il_run_trace_get_n_cpus      (IlRunTrace *self);
void           il_run_trace_set_n_cpus      (IlRunTrace *self, guint n_cpus);

/* Workers: adding one adds its lane. Ids are 0 … n-1 in order of addition. */
guint          il_run_trace_add_worker      (IlRunTrace *self, IlWorkerKind kind, int pid, int tid,
                                             const char *name);
guint          il_run_trace_get_n_workers   (IlRunTrace *self);
const IlWorkerInfo *il_run_trace_get_worker (IlRunTrace *self, guint worker);
void           il_run_trace_set_worker_ids  (IlRunTrace *self, guint worker, int pid, int tid);
/* A lane whose process died and was replaced keeps the dead ones' pids, oldest first (trace
 * field worker "previous_pids"). NULL and 0 when none. */
void           il_run_trace_add_previous_pid (IlRunTrace *self, guint worker, int pid);
const int     *il_run_trace_get_previous_pids (IlRunTrace *self, guint worker, guint *n_pids);
const IlLane  *il_run_trace_get_lane        (IlRunTrace *self, guint worker);
/* Imported traces: the depth of lane @worker's row in its thread (or async track), and whether
 * it is an async track's; worker "depth" and "async" in trace files. */
void           il_run_trace_set_worker_depth (IlRunTrace *self, guint worker, guint depth, gboolean async);
/* The rows of @worker's thread: the first one (its depth-0 row) and, in @n_rows, how many. */
guint          il_run_trace_get_worker_group (IlRunTrace *self, guint worker, guint *n_rows);
/* The slices open at @t_ns in @worker's thread, outermost first: one span per row that has one
 * there, at most @max, written to @out; returns how many. */
guint          il_run_trace_get_stack       (IlRunTrace *self, guint worker, gint64 t_ns,
                                             IlSpan *out, guint max);

/* Traced programs (il-trace-program.c): the processes, helper threads, worker names
 * learnt late, and the sampling interval of a "sampled" capture (0 otherwise). Adding a process
 * whose pid is known already replaces it. */
void           il_run_trace_add_process     (IlRunTrace *self, int pid, int ppid, const char *command,
                                             const char *name);
guint          il_run_trace_get_n_processes (IlRunTrace *self);
const IlProcessInfo *il_run_trace_get_process (IlRunTrace *self, guint index);
/* The process @pid, or NULL. */
const IlProcessInfo *il_run_trace_find_process (IlRunTrace *self, int pid);
void           il_run_trace_set_worker_helper (IlRunTrace *self, guint worker, gboolean helper);
/* The name worker lanes, core lanes, tooltips and exports show: a traced program's thread name
 * ("python3 · 4242"), else "worker 2 · tid 4242" / "process 1 · pid 4243". */
char          *il_run_trace_get_worker_label (IlRunTrace *self, guint worker);
/* Traced programs: what the blocked span of @worker starting at @start_ns waited on. Added in
 * time order per worker; IL_WAIT_NONE when not known. */
void           il_run_trace_add_wait        (IlRunTrace *self, guint worker, gint64 start_ns,
                                             IlWaitKind kind);
IlWaitKind     il_run_trace_get_wait        (IlRunTrace *self, guint worker, gint64 start_ns);
/* Calls @func for every recorded wait, worker by worker, in time order. */
void           il_run_trace_foreach_wait    (IlRunTrace *self,
                                             void (*func) (guint worker, gint64 start_ns,
                                                           IlWaitKind kind, gpointer data),
                                             gpointer data);
void           il_run_trace_set_worker_name (IlRunTrace *self, guint worker, const char *name);
/* Removes the workers of process @pid and the process, renumbering the workers after them; caches
 * attached with il_run_trace_set_data() are dropped (a launcher's helpers, known only at the end). */
void           il_run_trace_remove_process  (IlRunTrace *self, int pid);
gint64         il_run_trace_get_sample_interval_ns (IlRunTrace *self);
void           il_run_trace_set_sample_interval_ns (IlRunTrace *self, gint64 interval_ns);
/* Marks process @pid (added already) as alive when the run ended. */
void           il_run_trace_set_process_still_running (IlRunTrace *self, int pid, gboolean still_running);
/* How the traced program's main process ended: its exit code (0-255), or the signal that killed
 * it (@signal > 0, @code -1). FALSE when not known (not a traced program, or not reaped). */
void           il_run_trace_set_exit        (IlRunTrace *self, int code, int signal);
gboolean       il_run_trace_get_exit        (IlRunTrace *self, int *code, int *signal);
/* "exit status 3", "killed by SIGSEGV", with how many processes were still running at the end;
 * NULL when not known. */
char          *il_run_trace_describe_exit   (IlRunTrace *self);
/* What a traced program wrote on its standard output and error (trace field run "output"). */
typedef enum
{
  IL_OUTPUT_STDOUT,
  IL_OUTPUT_STDERR,
  IL_N_OUTPUTS
} IlOutputStream;
/* At most this many bytes of each stream are kept, half from its start and half from its end. */
#define IL_OUTPUT_MAX_BYTES (1000u * 1024u)
/* Keeps what the program wrote on @stream: @head, then (when @dropped > 0) @dropped bytes that
 * were not kept, then @tail. Made valid UTF-8 (a NUL becomes U+FFFD) and cut to
 * IL_OUTPUT_MAX_BYTES, what is cut counted in the dropped bytes. */
void           il_run_trace_set_output      (IlRunTrace *self, IlOutputStream stream,
                                             const char *head, gsize head_len, guint64 dropped,
                                             const char *tail, gsize tail_len);
/* The kept text ("" when the program wrote nothing; NULL when it was not recorded), the bytes
 * not kept and where in the text they were (@dropped_at, a byte offset). */
const char    *il_run_trace_get_output      (IlRunTrace *self, IlOutputStream stream,
                                             guint64 *dropped, gsize *dropped_at);

/* Traced programs under the kernel capture: records the kernel dropped because its ring for CPU
 * @cpu overflowed (PERF_RECORD_LOST), @records of them, covering [@start_ns, @end_ns) of that CPU
 * (from its ring's last record kept to the loss's report). What the run's threads did there is
 * not known: the tracer leaves their lanes empty, and the painter hatches it (run "lost"). */
typedef struct
{
  gint64  start_ns;
  gint64  end_ns;
  int     cpu;
  guint64 records;
} IlLostStretch;

void           il_run_trace_add_lost        (IlRunTrace *self, int cpu, gint64 start_ns, gint64 end_ns,
                                             guint64 records);
/* The stretches in the order added, @n_stretches of them (NULL and 0 when nothing was lost). */
const IlLostStretch *il_run_trace_get_lost  (IlRunTrace *self, guint *n_stretches);
/* How many records were lost, and (@covered_ns, may be NULL) the sum of the stretches' lengths. */
guint64        il_run_trace_get_lost_records (IlRunTrace *self, gint64 *covered_ns);

/* Traced programs: a thread that ran an event loop (asyncio's): it blocked in epoll_wait, select
 * or poll at least 3 times, there for most of its blocked time from the first such wait to the
 * end of the last (il-trace-loops.c). In that stretch: */
typedef struct
{
  guint  worker;
  gint64 busy_ns;   /* the loop busy in a callback: running, ready, or blocked in anything else */
  gint64 idle_ns;   /* the loop idle, waiting for I/O in its selector */
} IlEventLoop;

/* The event-loop threads of the run, in worker order; an empty array when none. Free with
 * g_array_unref(). */
GArray        *il_run_trace_find_event_loops (IlRunTrace *self);

/* Tasks: created pending, ids 0 … n-1. */
void           il_run_trace_set_n_tasks     (IlRunTrace *self, guint n_tasks);
guint          il_run_trace_get_n_tasks     (IlRunTrace *self);
IlTaskRecord  *il_run_trace_get_task        (IlRunTrace *self, guint task);
/* Names a task (an imported trace's slice name); equal names share one copy. */
void           il_run_trace_set_task_name   (IlRunTrace *self, guint task, const char *name);
/* Why a failed task failed ("killed by SIGKILL"; trace field task "error"), NULL when unknown. */
void           il_run_trace_set_task_error  (IlRunTrace *self, guint task, const char *error);
const char    *il_run_trace_get_task_error  (IlRunTrace *self, guint task);

/* Appends a span to its worker's lane. Spans of one worker must come in time order; a span that
 * starts before the previous one ends is clipped. Zero-length spans are dropped. */
void           il_run_trace_append          (IlRunTrace *self, const IlSpan *span);
void           il_run_trace_append_many     (IlRunTrace *self, const IlSpan *spans, guint n_spans);
guint64        il_run_trace_get_n_spans     (IlRunTrace *self);
/* A cap on kept spans (from the configuration's max_spans; 0: none). Past it spans are dropped,
 * but still extend the run's end, so wall time and tasks stay complete. The count the recording
 * stopped at, or 0 when it never did (trace field run "truncated_at_spans"). */
void           il_run_trace_set_max_spans   (IlRunTrace *self, guint64 max_spans);
guint64        il_run_trace_get_truncated_at_spans (IlRunTrace *self);
void           il_run_trace_set_truncated_at_spans (IlRunTrace *self, guint64 n_spans);
/* Removes every span (an importer that gets a run's spans in two parts merges them again). */
void           il_run_trace_clear_spans     (IlRunTrace *self);
/* Latest end time of any span (the run's extent so far). */
gint64         il_run_trace_get_end_ns      (IlRunTrace *self);
/* Has any span of the run been in @state? (legends list the rarer states only when they occur) */
gboolean       il_run_trace_has_state       (IlRunTrace *self, IlState state);
/* Has any span of the run been on a known CPU? (an imported trace without CPU data has no core
 * lanes and no parallelism strip) */
gboolean       il_run_trace_has_cpu_data    (IlRunTrace *self);
/* Bumped on every append: caches (level-of-detail summaries) compare it to know they are stale. */
guint64        il_run_trace_get_generation  (IlRunTrace *self);

/* The summary: il_run_trace_compute_summary() derives it from the spans; speedup is kept. */
const IlSummary *il_run_trace_get_summary   (IlRunTrace *self);
void           il_run_trace_set_summary     (IlRunTrace *self, const IlSummary *summary);
void           il_run_trace_compute_summary (IlRunTrace *self);
/* The same figures from the spans recorded so far, into @out, the run's summary left alone: a
 * live run's, from exactly what its lanes draw (other_ns and steal_ns 0, other_share NAN). */
void           il_run_trace_summarise       (IlRunTrace *self, IlSummary *out);
void           il_run_trace_set_speedup     (IlRunTrace *self, double speedup);

/* What other programs took of each CPU while the run went on (NULL when not measured, e.g. an
 * older file). The run owns @load; il_run_trace_compute_summary() derives other_ns, steal_ns and
 * other_share from it. */
typedef struct _IlCpuLoad IlCpuLoad;
IlCpuLoad     *il_run_trace_get_cpu_load    (IlRunTrace *self);
void           il_run_trace_set_cpu_load    (IlRunTrace *self, IlCpuLoad *load);
/* The series got new rows: bumps the generation so caches redraw. */
void           il_run_trace_cpu_load_changed (IlRunTrace *self);
/* Fills the summary's other_ns, steal_ns and other_share from the series (NAN share without one). */
void           il_run_trace_summarise_cpu_load (IlRunTrace *self);
/* CPU time of the run's own processes that have no lane (a traced program's launchers: a shim's
 * helpers, dropped with their lanes), so the other-programs series does not count it. Running
 * spans with a CPU, added in any order and kept in order of start; kept while the trace lives,
 * not written to files (the series computed from them is). NULL until one is added. */
void           il_run_trace_add_undrawn     (IlRunTrace *self, const IlSpan *span);
/* The spans, and in @max_ns (may be NULL) the longest one's length. */
GArray        *il_run_trace_get_undrawn     (IlRunTrace *self, gint64 *max_ns);
/* Did other programs take more than IL_CPU_LOAD_DISTURBED_SHARE of the run's CPUs while the run
 * needed them (its threads waited ready)? A waiting-only run beside a busy core is not. */
gboolean       il_run_trace_is_disturbed    (IlRunTrace *self);

/* Attach data to a run (the painter keeps its level-of-detail summaries here). */
gpointer       il_run_trace_get_data        (IlRunTrace *self, const char *key);
void           il_run_trace_set_data        (IlRunTrace *self, const char *key, gpointer data,
                                             GDestroyNotify destroy);
/* Approximate memory held by the spans, in bytes. */
gsize          il_run_trace_get_span_bytes  (IlRunTrace *self);

/* A trace file: machine facts and one or more runs (a lesson's comparison). Boxed like a run:
 * copying is a new reference. */
typedef struct _IlTrace IlTrace;

#define IL_TYPE_TRACE (il_trace_get_type ())
GType          il_trace_get_type            (void) G_GNUC_CONST;

IlTrace       *il_trace_new                 (void);
IlTrace       *il_trace_ref                 (IlTrace *self);
void           il_trace_unref               (IlTrace *self);
guint          il_trace_get_machine_cpus    (IlTrace *self);
const char    *il_trace_get_machine_kernel  (IlTrace *self);
const char    *il_trace_get_machine_hostname (IlTrace *self);
void           il_trace_set_machine         (IlTrace *self, guint cpus, const char *kernel,
                                             const char *hostname);
/* Fills the machine facts from this machine. */
void           il_trace_set_machine_local   (IlTrace *self);
/* What a reader loaded despite, said to the user once (a file cut off mid-array); not saved. */
void           il_trace_add_warning         (IlTrace *self, const char *warning);
guint          il_trace_get_n_warnings      (IlTrace *self);
const char    *il_trace_get_warning         (IlTrace *self, guint index);
void           il_trace_add_run             (IlTrace *self, IlRunTrace *run);
guint          il_trace_get_n_runs          (IlTrace *self);
IlRunTrace    *il_trace_get_run             (IlTrace *self, guint index);
GPtrArray     *il_trace_get_runs            (IlTrace *self);   /* of IlRunTrace, borrowed */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlRunTrace, il_run_trace_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlTrace, il_trace_unref)

G_END_DECLS
