/* il-types.h: the shared vocabulary of the engine: states, executors, workloads, captures, errors. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a worker lane shows at a moment (DESIGN.md, "What a lane shows"). */
typedef enum
{
  IL_STATE_RUNNING = 0,
  IL_STATE_READY,
  IL_STATE_GIL_WAIT,
  IL_STATE_LOCK_WAIT,  /* a traced program blocked on a lock other than the GIL (a futex) */
  IL_STATE_IO_WAIT,
  IL_STATE_LOOP_WAIT,  /* an event-loop task ready to go on while the loop thread runs another */
  IL_STATE_IDLE,
  IL_STATE_STARTUP,
  IL_N_STATES
} IlState;

typedef enum
{
  IL_EXECUTOR_SEQUENTIAL = 0,
  IL_EXECUTOR_THREADS,
  IL_EXECUTOR_PROCESSES,
  IL_EXECUTOR_ASYNC,
  /* A program recorded from outside by `interleave-cli trace`: never run by the engine, so it is
   * last, and the set-up pane and lessons (which run what they name) stop before it. */
  IL_EXECUTOR_EXTERNAL,
  IL_N_EXECUTORS
} IlExecutorKind;

typedef enum
{
  IL_WORKLOAD_CPU = 0,
  IL_WORKLOAD_MEMORY,
  IL_WORKLOAD_SLEEP,
  IL_WORKLOAD_DISK,
  IL_WORKLOAD_MIXED,
  IL_WORKLOAD_CONVOY,   /* task 0 waits in many short I/O waits, every other task computes */
  IL_N_WORKLOADS
} IlWorkloadKind;

typedef enum
{
  IL_CAPTURE_AUTO = 0,
  IL_CAPTURE_KERNEL,
  IL_CAPTURE_SELF,
  IL_CAPTURE_SAMPLED,  /* traced programs where perf is refused: /proc sampled every 1 ms */
  IL_N_CAPTURES
} IlCaptureKind;

typedef enum
{
  IL_WORKER_THREAD = 0,
  IL_WORKER_PROCESS,
} IlWorkerKind;

typedef enum
{
  IL_TASK_OK = 0,
  IL_TASK_CANCELLED,
  IL_TASK_FAILED,
  IL_TASK_PENDING,
} IlTaskStatus;

/* What a traced program's blocked thread waited on, read from its system call (il-program-wait.c):
 * the detail of an io-wait, lock-wait or gil-wait span, kept beside the spans (run.waits). */
typedef enum
{
  IL_WAIT_NONE = 0,
  IL_WAIT_SLEEP,         /* nanosleep, clock_nanosleep */
  IL_WAIT_POLL,          /* poll, select, epoll: waiting until a file, socket or timer is ready */
  IL_WAIT_IO,            /* read, write, recv, … or uninterruptible (disk) */
  IL_WAIT_CHILD,         /* wait4, waitid: waiting for a child process */
  IL_WAIT_LOCK,          /* a futex that is not the GIL: a lock, a join, a queue */
  IL_WAIT_LOCK_UNKNOWN,  /* a futex in a process whose interpreter state we cannot place */
  IL_WAIT_GIL,           /* a futex inside CPython's _PyRuntime: the GIL */
  IL_N_WAITS
} IlWaitKind;

#define IL_ERROR (il_error_quark ())

typedef enum
{
  IL_ERROR_INVALID,     /* bad input: options, lesson files, trace files (CLI exit 2) */
  IL_ERROR_FAILED,      /* a run or an I/O operation failed (CLI exit 1) */
  IL_ERROR_CANCELLED,
  IL_ERROR_UNSUPPORTED, /* e.g. kernel capture refused */
} IlError;

GQuark       il_error_quark          (void);

/* Stable machine names, as written in traces, lessons and on the command line. */
const char  *il_state_to_string      (IlState state);
gboolean     il_state_from_string    (const char *str, IlState *out);
const char  *il_executor_to_string   (IlExecutorKind kind);
gboolean     il_executor_from_string (const char *str, IlExecutorKind *out);
/* Each memory-workload worker streams through a buffer of this size (a thread pool shares one). */
#define IL_MEMORY_BUFFER_BYTES (64 * 1024 * 1024)

const char  *il_workload_to_string   (IlWorkloadKind kind);
gboolean     il_workload_from_string (const char *str, IlWorkloadKind *out);
const char  *il_capture_to_string    (IlCaptureKind kind);
gboolean     il_capture_from_string  (const char *str, IlCaptureKind *out);
const char  *il_wait_kind_to_string  (IlWaitKind kind);
gboolean     il_wait_kind_from_string (const char *str, IlWaitKind *out);
/* "sleeping (time.sleep, nanosleep)", translated, for tooltips. */
const char  *il_wait_kind_get_title  (IlWaitKind kind);
const char  *il_task_status_to_string   (IlTaskStatus status);
gboolean     il_task_status_from_string (const char *str, IlTaskStatus *out);

/* Human, translated names for the UI and image legends. */
const char  *il_state_get_title      (IlState state);
const char  *il_executor_get_title   (IlExecutorKind kind);
const char  *il_workload_get_title   (IlWorkloadKind kind);

G_END_DECLS
