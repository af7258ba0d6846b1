/* il-workload.c: the work itself, its once-per-machine calibration, and the synchronous task runner. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "il-workload.h"

#define IL_CALIBRATION_VERSION 1
/* Twice the largest last-level cache we expect on lab machines, so streaming really hits DRAM. */
#define IL_DISK_BLOCK_BYTES (16 * 1024)
#define IL_MIXED_CYCLE_MS 4.0
/* The convoy's I/O task: one wait per request, like a socket read with a short round trip, and
 * a sliver of computation (well under one work quantum) to handle each reply. Short waits are
 * what make the convoy: every return from one needs the GIL back. */
#define IL_CONVOY_WAIT_MS 1.0
#define IL_CONVOY_CPU_MS 0.05

/* ---- the work ---------------------------------------------------------------------------- */

/* A 64-bit finaliser (MurmurHash3's fmix64): a chain of multiplies and shifts that the compiler
 * cannot shorten, so the time is proportional to the number of blocks. */
static inline guint64
il_mix64 (guint64 x)
{
  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return x;
}

guint64
il_work_cpu_blocks (guint64 n_blocks,
                    guint64 seed)
{
  guint64 h = seed | 1;

  for (guint64 b = 0; b < n_blocks; b++)
    for (guint i = 0; i < 64; i++)
      h = il_mix64 (h + i);

  return h;
}

static guint64 *il_memory_buffer;

static gpointer
il_memory_buffer_init (gpointer data)
{
  gsize n = IL_MEMORY_BUFFER_BYTES / sizeof (guint64);
  guint64 *buf = g_new (guint64, n);

  /* Touch every page now: first-touch page faults are not the work we want to measure. */
  for (gsize i = 0; i < n; i++)
    buf[i] = i * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  il_memory_buffer = buf;
  return buf;
}

static guint64 *
il_memory_buffer_get (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, il_memory_buffer_init, NULL);
}

gsize
il_workload_get_memory_buffer_bytes (void)
{
  return IL_MEMORY_BUFFER_BYTES;
}

void
il_workload_prepare (IlWorkloadKind kind)
{
  if (kind == IL_WORKLOAD_MEMORY)
    il_memory_buffer_get ();
}

guint64
il_work_memory_bytes (gsize  n_bytes,
                      gsize *offset)
{
  const guint64 *buf = il_memory_buffer_get ();
  gsize n_words = IL_MEMORY_BUFFER_BYTES / sizeof (guint64);
  gsize pos = (*offset / sizeof (guint64)) % n_words;
  gsize left = n_bytes / sizeof (guint64);
  guint64 a = 0, b = 0, c = 0, d = 0;

  while (left > 0)
    {
      gsize chunk = MIN (left, n_words - pos);
      const guint64 *p = buf + pos;
      gsize i = 0;

      for (; i + 4 <= chunk; i += 4)
        {
          a += p[i];
          b ^= p[i + 1];
          c += p[i + 2];
          d ^= p[i + 3];
        }
      for (; i < chunk; i++)
        a += p[i];

      left -= chunk;
      pos = (pos + chunk) % n_words;
    }

  *offset = pos * sizeof (guint64);
  return a ^ b ^ c ^ d;
}

gboolean
il_work_disk_step (int      *fd,
                   guint64  *sink,
                   GError  **error)
{
  static const gsize n = IL_DISK_BLOCK_BYTES;
  guint8 out[IL_DISK_BLOCK_BYTES];
  guint8 in[IL_DISK_BLOCK_BYTES];

  if (*fd < 0)
    {
      g_autofree char *path = NULL;

      g_autoptr(GError) local_error = NULL;

      *fd = g_file_open_tmp ("interleave-disk-XXXXXX", &path, &local_error);
      if (*fd < 0)
        {
          /* Where the work goes is the user's to fix ($TMPDIR), so the message names it. */
          g_set_error (error, IL_ERROR, IL_ERROR_FAILED,
                       _("The disk workload needs a writable $TMPDIR: %s"), local_error->message);
          return FALSE;
        }
      /* Unlinked at once: the file disappears even when the worker is killed. */
      g_unlink (path);
    }

  for (gsize i = 0; i < n; i++)
    out[i] = (guint8) (*sink + i);

  if (pwrite (*fd, out, n, 0) != (gssize) n || fsync (*fd) != 0 || pread (*fd, in, n, 0) != (gssize) n)
    {
      int errsv = errno;
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Disk work in %s failed: %s"),
                   g_get_tmp_dir (), g_strerror (errsv));
      return FALSE;
    }

  *sink += in[*sink % n] + 1;
  return TRUE;
}

/* ---- calibration ------------------------------------------------------------------------- */

static gint64
il_thread_cpu_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static volatile guint64 il_calibration_sink;

/* Rates are measured against the thread's CPU time, not the wall clock, so a machine busy with
 * other programs while we calibrate still gives the rate of one idle core. Best of a few trials. */
void
il_calibration_measure (IlCalibration *out)
{
  const gint64 trial_ns = 25 * G_GINT64_CONSTANT (1000000);
  double best_cpu = 0, best_mem = 0;
  gsize offset = 0;

  g_return_if_fail (out != NULL);

  il_memory_buffer_get ();
  il_calibration_sink ^= il_work_cpu_blocks (2000, 7);

  for (guint trial = 0; trial < 4; trial++)
    {
      gint64 t0 = il_thread_cpu_now_ns (), t1;
      guint64 blocks = 0;

      do
        {
          il_calibration_sink ^= il_work_cpu_blocks (256, blocks);
          blocks += 256;
          t1 = il_thread_cpu_now_ns ();
        }
      while (t1 - t0 < trial_ns);
      best_cpu = MAX (best_cpu, blocks / ((t1 - t0) / 1e6));
    }

  for (guint trial = 0; trial < 4; trial++)
    {
      gint64 t0 = il_thread_cpu_now_ns (), t1;
      guint64 bytes = 0;

      do
        {
          il_calibration_sink ^= il_work_memory_bytes (256 * 1024, &offset);
          bytes += 256 * 1024;
          t1 = il_thread_cpu_now_ns ();
        }
      while (t1 - t0 < trial_ns);
      best_mem = MAX (best_mem, bytes / ((t1 - t0) / 1e6));
    }

  out->cpu_blocks_per_ms = best_cpu;
  out->memory_bytes_per_ms = best_mem;
}

gboolean
il_calibration_is_sane (double cpu_blocks_per_ms,
                        double memory_bytes_per_ms)
{
  /* Orders of magnitude around what any machine does (a few thousand blocks and ~10 MB per ms
   * here): a slow emulator and a fast server both fit, inf, NaN, zero and 1e300 do not. */
  return isfinite (cpu_blocks_per_ms) && cpu_blocks_per_ms >= 1 && cpu_blocks_per_ms <= 1e8 &&
         isfinite (memory_bytes_per_ms) && memory_bytes_per_ms >= 1e3 &&
         memory_bytes_per_ms <= 1e11;
}

static char *
il_calibration_machine_key (void)
{
  g_autofree char *cpuinfo = NULL;
  g_autofree char *model = NULL;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (cpuinfo, "\n", -1);

      for (guint i = 0; lines[i] != NULL && model == NULL; i++)
        if (g_str_has_prefix (lines[i], "model name"))
          {
            const char *colon = strchr (lines[i], ':');
            if (colon != NULL)
              model = g_strstrip (g_strdup (colon + 1));
          }
    }

  /* A different CPU or a different algorithm invalidates the cache. */
  return g_strdup_printf ("v%d|%s|%ld", IL_CALIBRATION_VERSION, model ? model : "unknown",
                          sysconf (_SC_NPROCESSORS_CONF));
}

static gboolean
il_calibration_load (const char    *path,
                     const char    *machine,
                     IlCalibration *out)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *stored = NULL;
  double cpu, mem;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
    return FALSE;
  stored = g_key_file_get_string (kf, "calibration", "machine", NULL);
  if (g_strcmp0 (stored, machine) != 0)
    return FALSE;
  cpu = g_key_file_get_double (kf, "calibration", "cpu_blocks_per_ms", NULL);
  mem = g_key_file_get_double (kf, "calibration", "memory_bytes_per_ms", NULL);
  /* A cache is only a hint: a damaged or planted one (inf made tasks do no work) is measured
   * again rather than trusted. */
  if (!il_calibration_is_sane (cpu, mem))
    {
      g_debug ("Ignoring the calibration cache %s: implausible rates %g and %g", path, cpu, mem);
      return FALSE;
    }
  out->cpu_blocks_per_ms = cpu;
  out->memory_bytes_per_ms = mem;
  return TRUE;
}

static void
il_calibration_save (const char          *path,
                     const char          *machine,
                     const IlCalibration *cal)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_key_file_set_string (kf, "calibration", "machine", machine);
  g_key_file_set_double (kf, "calibration", "cpu_blocks_per_ms", cal->cpu_blocks_per_ms);
  g_key_file_set_double (kf, "calibration", "memory_bytes_per_ms", cal->memory_bytes_per_ms);

  /* A cache: failing to write it only means calibrating again next time. */
  if (g_mkdir_with_parents (dir, 0755) != 0 || !g_key_file_save_to_file (kf, path, &error))
    g_debug ("Could not cache the calibration in %s: %s", path,
             error ? error->message : g_strerror (errno));
}

static GMutex il_calibration_mutex;
static gboolean il_calibration_valid;
static IlCalibration il_calibration;

const IlCalibration *
il_calibration_get (void)
{
  g_mutex_lock (&il_calibration_mutex);
  if (!il_calibration_valid)
    {
      g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "interleave",
                                                "calibration.ini", NULL);
      g_autofree char *machine = il_calibration_machine_key ();

      if (!il_calibration_load (path, machine, &il_calibration))
        {
          il_calibration_measure (&il_calibration);
          il_calibration_save (path, machine, &il_calibration);
        }
      il_calibration_valid = TRUE;
    }
  g_mutex_unlock (&il_calibration_mutex);
  return &il_calibration;
}

void
il_calibration_set (const IlCalibration *calibration)
{
  g_return_if_fail (calibration != NULL);

  g_mutex_lock (&il_calibration_mutex);
  il_calibration = *calibration;
  il_calibration_valid = TRUE;
  g_mutex_unlock (&il_calibration_mutex);
}

guint64
il_work_cpu_quantum (const IlCalibration *cal)
{
  return MAX (1, (guint64) (cal->cpu_blocks_per_ms * IL_WORK_QUANTUM_NS / 1e6));
}

gsize
il_work_memory_quantum (const IlCalibration *cal)
{
  gsize q = (gsize) (cal->memory_bytes_per_ms * IL_WORK_QUANTUM_NS / 1e6);

  return MAX (4096, q & ~(gsize) 63);
}

/* ---- task plans -------------------------------------------------------------------------- */

static guint
il_cycles (double task_ms,
           double cycle_ms)
{
  double cycles = task_ms / cycle_ms;

  return cycles < 1 ? 1 : (guint) (cycles + 0.5);
}

/* Only task 0 of a convoy run waits; with a single task that is the whole run. */
static gboolean
il_convoy_is_io_task (int task)
{
  return task == 0;
}

guint
il_workload_get_n_phases (IlWorkloadKind kind,
                          double         task_ms,
                          int            task)
{
  if (task_ms <= 0)
    return 0;
  if (kind == IL_WORKLOAD_MIXED)
    return 2 * il_cycles (task_ms, IL_MIXED_CYCLE_MS);
  if (kind == IL_WORKLOAD_CONVOY && il_convoy_is_io_task (task))
    return 2 * il_cycles (task_ms, IL_CONVOY_WAIT_MS);
  return 1;
}

void
il_workload_get_phase (const IlCalibration *cal,
                       IlWorkloadKind       kind,
                       double               task_ms,
                       int                  task,
                       guint                index,
                       IlPhase             *out)
{
  double ms = task_ms;

  g_return_if_fail (out != NULL);

  if (kind == IL_WORKLOAD_MIXED)
    {
      ms = task_ms / il_cycles (task_ms, IL_MIXED_CYCLE_MS) / 2;
      kind = index % 2 == 0 ? IL_WORKLOAD_CPU : IL_WORKLOAD_SLEEP;
    }
  else if (kind == IL_WORKLOAD_CONVOY && il_convoy_is_io_task (task))
    {
      /* Wait first, then handle the reply: the waits alone add up to task_ms. */
      if (index % 2 == 0)
        {
          ms = task_ms / il_cycles (task_ms, IL_CONVOY_WAIT_MS);
          kind = IL_WORKLOAD_SLEEP;
        }
      else
        {
          ms = IL_CONVOY_CPU_MS;
          kind = IL_WORKLOAD_CPU;
        }
    }
  else if (kind == IL_WORKLOAD_CONVOY)
    kind = IL_WORKLOAD_CPU;

  switch (kind)
    {
    case IL_WORKLOAD_CPU:
      out->kind = IL_PHASE_CPU;
      out->amount = (gint64) (ms * cal->cpu_blocks_per_ms + 0.5);
      break;
    case IL_WORKLOAD_MEMORY:
      out->kind = IL_PHASE_MEMORY;
      out->amount = (gint64) (ms * cal->memory_bytes_per_ms + 0.5);
      break;
    case IL_WORKLOAD_SLEEP:
      out->kind = IL_PHASE_SLEEP;
      out->amount = (gint64) (ms * 1e6);
      break;
    case IL_WORKLOAD_DISK:
      out->kind = IL_PHASE_DISK;
      out->amount = (gint64) (ms * 1e6);
      break;
    case IL_WORKLOAD_MIXED:
    case IL_WORKLOAD_CONVOY:
    case IL_N_WORKLOADS:
    default:
      g_assert_not_reached ();
    }
}

/* ---- the synchronous runner -------------------------------------------------------------- */

void
il_work_ctx_init (IlWorkCtx    *ctx,
                  IlRecorder   *rec,
                  IlGil        *gil,
                  int           worker,
                  _Atomic int  *cancel)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->rec = rec;
  ctx->gil = gil;
  ctx->worker = worker;
  ctx->cancel = cancel;
  ctx->disk_fd = -1;
  ctx->mem_offset = (gsize) worker * (IL_MEMORY_BUFFER_BYTES / 7);
}

void
il_work_ctx_clear (IlWorkCtx *ctx)
{
  if (ctx->disk_fd >= 0)
    close (ctx->disk_fd);
  ctx->disk_fd = -1;
  g_clear_error (&ctx->error);
}

static inline gboolean
il_work_cancelled (IlWorkCtx *ctx)
{
  return ctx->cancel != NULL && atomic_load_explicit (ctx->cancel, memory_order_relaxed) != 0;
}

static IlTaskStatus
il_run_compute (const IlCalibration *cal,
                const IlPhase       *phase,
                int                  task,
                IlWorkCtx           *ctx)
{
  gint64 left = phase->amount;
  gint64 quantum = phase->kind == IL_PHASE_CPU ? (gint64) il_work_cpu_quantum (cal)
                                               : (gint64) il_work_memory_quantum (cal);

  while (left > 0)
    {
      gint64 n = MIN (left, quantum);

      if (phase->kind == IL_PHASE_CPU)
        ctx->sink ^= il_work_cpu_blocks ((guint64) n, ctx->sink + (guint64) left);
      else
        ctx->sink ^= il_work_memory_bytes ((gsize) n, &ctx->mem_offset);
      left -= n;

      if (ctx->rec != NULL)
        il_recorder_quantum (ctx->rec);

      /* The check CPython's eval loop makes between bytecodes. */
      if (ctx->gil != NULL && il_gil_drop_requested (ctx->gil))
        {
          ctx->gil_held = il_gil_yield (ctx->gil, ctx->worker, ctx->rec, task);
          if (!ctx->gil_held)
            return IL_TASK_CANCELLED;
          if (ctx->rec != NULL)
            il_recorder_enter (ctx->rec, IL_STATE_RUNNING, task, il_clock_now_ns ());
        }

      if (il_work_cancelled (ctx))
        return IL_TASK_CANCELLED;
    }

  return IL_TASK_OK;
}

static IlTaskStatus
il_run_wait (const IlPhase *phase,
             int            task,
             IlWorkCtx     *ctx)
{
  IlTaskStatus status = IL_TASK_OK;
  gint64 now = il_clock_now_ns ();
  gint64 deadline = now + phase->amount;

  /* Blocking calls release the GIL (Py_BEGIN_ALLOW_THREADS) and take it back after. */
  if (ctx->gil_held)
    {
      il_gil_drop (ctx->gil, ctx->worker, ctx->rec, task, IL_STATE_IO_WAIT, FALSE);
      ctx->gil_held = FALSE;
    }
  else if (ctx->rec != NULL)
    il_recorder_enter (ctx->rec, IL_STATE_IO_WAIT, task, now);

  while (now < deadline)
    {
      if (phase->kind == IL_PHASE_SLEEP)
        {
          /* Slices of at most one split interval: a live view sees the wait grow, and a
           * cancellation is noticed quickly. Absolute deadlines keep the total exact. */
          gint64 until = MIN (deadline, now + IL_RECORDER_SPLIT_NS);
          struct timespec ts = { until / 1000000000, until % 1000000000 };

          while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
        }
      else
        {
          g_autoptr(GError) error = NULL;

          if (!il_work_disk_step (&ctx->disk_fd, &ctx->sink, &error))
            {
              if (ctx->error == NULL)
                ctx->error = g_steal_pointer (&error);
              status = IL_TASK_FAILED;
              break;
            }
        }

      now = il_clock_now_ns ();
      if (ctx->rec != NULL)
        il_recorder_split_if_due (ctx->rec, now);
      if (il_work_cancelled (ctx))
        {
          status = IL_TASK_CANCELLED;
          break;
        }
    }

  if (ctx->gil != NULL)
    {
      ctx->gil_held = il_gil_take (ctx->gil, ctx->worker, ctx->rec, task);
      if (!ctx->gil_held)
        return IL_TASK_CANCELLED;
    }
  if (ctx->rec != NULL)
    il_recorder_enter (ctx->rec, IL_STATE_RUNNING, task, il_clock_now_ns ());

  return status;
}

IlTaskStatus
il_workload_run_task (const IlCalibration *cal,
                      IlWorkloadKind       kind,
                      double               task_ms,
                      int                  task,
                      IlWorkCtx           *ctx)
{
  IlTaskStatus status = IL_TASK_OK;
  guint n_phases = il_workload_get_n_phases (kind, task_ms, task);
  gint64 start = il_clock_now_ns (), end;

  g_return_val_if_fail (cal != NULL, IL_TASK_FAILED);
  g_return_val_if_fail (ctx != NULL, IL_TASK_FAILED);

  if (ctx->gil != NULL)
    {
      ctx->gil_held = il_gil_take (ctx->gil, ctx->worker, ctx->rec, task);
      if (!ctx->gil_held)
        {
          status = IL_TASK_CANCELLED;
          goto out;
        }
    }
  if (ctx->rec != NULL)
    il_recorder_enter (ctx->rec, IL_STATE_RUNNING, task, il_clock_now_ns ());

  for (guint i = 0; i < n_phases && status == IL_TASK_OK; i++)
    {
      IlPhase phase;

      il_workload_get_phase (cal, kind, task_ms, task, i, &phase);
      if (phase.kind == IL_PHASE_CPU || phase.kind == IL_PHASE_MEMORY)
        status = il_run_compute (cal, &phase, task, ctx);
      else
        status = il_run_wait (&phase, task, ctx);
    }

out:
  end = il_clock_now_ns ();
  if (ctx->gil_held)
    {
      il_gil_drop (ctx->gil, ctx->worker, ctx->rec, task, IL_STATE_IDLE, FALSE);
      ctx->gil_held = FALSE;
    }
  else if (ctx->rec != NULL)
    il_recorder_enter (ctx->rec, IL_STATE_IDLE, -1, end);
  if (ctx->rec != NULL)
    il_recorder_task_done (ctx->rec, task, start, end, status);
  return status;
}
