/* il-workload.h: real, calibrated work: cpu, memory, sleep, disk, mixed and convoy tasks sized in time. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stdatomic.h>
#include "il-types.h"
#include "il-recorder.h"
#include "il-gil.h"

G_BEGIN_DECLS

/* One work quantum: the CPU loop observes the clock and CPU, honours GIL drop requests and checks
 * for cancellation this often. The self capture's full observation costs ~0.6 µs here, almost all
 * of it the thread CPU clock (a system call in this VM) that makes off-CPU detection exact, so it
 * takes it only every fifth quantum or after a long step (il-recorder.c); the light one (wall
 * clock and CPU) costs ~0.05 µs. 15 µs places a preemption to within 15 µs (the self capture then
 * agrees with the kernel's), keeps the observations under 1 % of the work, and a GIL hand-over or
 * a cancel waits at most this long. */
#define IL_WORK_QUANTUM_NS (15 * G_GINT64_CONSTANT (1000))

/* How much real work one millisecond is on one idle core of this machine. */
typedef struct
{
  double cpu_blocks_per_ms;     /* blocks of integer hashing (il_work_cpu_blocks) */
  double memory_bytes_per_ms;   /* bytes streamed from a buffer larger than the caches */
} IlCalibration;

/* The machine's calibration: measured once per process at most, cached across processes under
 * $XDG_CACHE_HOME/interleave/calibration.ini. Thread-safe. */
const IlCalibration *il_calibration_get      (void);
/* Uses @calibration instead (a worker process receives its parent's). Call before any task. */
void                 il_calibration_set      (const IlCalibration *calibration);
/* Are these rates possible on a real machine? (finite, positive, within wide bounds) */
gboolean             il_calibration_is_sane  (double cpu_blocks_per_ms, double memory_bytes_per_ms);
/* Measures now, without the cache (the benchmark and the cache use it). */
void                 il_calibration_measure  (IlCalibration *out);

/* Bytes of the memory workload's buffer: one per process (threads share it). */
gsize                il_workload_get_memory_buffer_bytes (void);

/* Sets up what @kind needs once per process (the memory workload's buffer, whose first touch is
 * not the work), so it happens before a run's clock starts. */
void                 il_workload_prepare     (IlWorkloadKind kind);

/* The phases of a task: CPU work (cpu, memory) and waits (sleep, disk). */
typedef enum
{
  IL_PHASE_CPU,
  IL_PHASE_MEMORY,
  IL_PHASE_SLEEP,
  IL_PHASE_DISK,
} IlPhaseKind;

typedef struct
{
  IlPhaseKind kind;
  gint64      amount;   /* cpu: blocks; memory: bytes; sleep and disk: nanoseconds */
} IlPhase;

/* How many phases task number @task of @kind and @task_ms has, and the @index-th of them. Mixed
 * work alternates compute and wait in cycles of about 4 ms. Convoy work depends on the task: task
 * 0 is I/O-bound (waits of 1 ms adding up to @task_ms, each followed by a sliver of computation,
 * like a thread that reads a socket and parses what came), every other task computes for
 * @task_ms. An empty task (0 ms) has no phases. */
guint    il_workload_get_n_phases (IlWorkloadKind kind, double task_ms, int task);
void     il_workload_get_phase    (const IlCalibration *cal, IlWorkloadKind kind, double task_ms,
                                   int task, guint index, IlPhase *out);

/* Raw work primitives (no recording), for the runners below, the async executor and benchmarks. */
guint64  il_work_cpu_blocks       (guint64 n_blocks, guint64 seed);
guint64  il_work_memory_bytes     (gsize n_bytes, gsize *offset);
/* One write + fsync + read back of a small block of a private temporary file; opens it on first
 * use into *@fd. */
gboolean il_work_disk_step        (int *fd, guint64 *sink, GError **error);
/* Blocks of CPU work and bytes of memory work in one quantum. */
guint64  il_work_cpu_quantum      (const IlCalibration *cal);
gsize    il_work_memory_quantum   (const IlCalibration *cal);

/* The per-worker context of the synchronous runner. */
typedef struct
{
  IlRecorder   *rec;        /* NULL: untraced */
  IlGil        *gil;        /* NULL: no GIL */
  int           worker;
  _Atomic int  *cancel;     /* may be NULL */
  gboolean      gil_held;
  int           disk_fd;    /* -1 until the first disk phase */
  gsize         mem_offset;
  guint64       sink;       /* keeps the compiler from removing the work */
  GError       *error;      /* why the last failed task failed (disk work), for the executor */
} IlWorkCtx;

void     il_work_ctx_init         (IlWorkCtx *ctx, IlRecorder *rec, IlGil *gil, int worker,
                                   _Atomic int *cancel);
void     il_work_ctx_clear        (IlWorkCtx *ctx);

/* Runs one task on the calling thread: records running / ready / io-wait / gil-wait spans on
 * ctx->rec, takes and releases ctx->gil by its rules, and records the task's completion.
 * Returns the task's status (cancelled when the cancel flag was raised, failed on an I/O error:
 * then ctx->error says why, and the executor makes it the run's error). */
IlTaskStatus il_workload_run_task (const IlCalibration *cal, IlWorkloadKind kind, double task_ms,
                                   int task, IlWorkCtx *ctx);

G_END_DECLS
