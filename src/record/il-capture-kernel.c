/* il-capture-kernel.c: the kernel capture: one perf_event_open context-switch stream per worker
 * thread (DESIGN.md, "Capture", 1), merged with the application's spans where a lane is drained. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <linux/perf_event.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "il-capture.h"
#include "il-perf.h"
#include "il-recorder.h"
#include "il-run-config.h"

/* 64 KiB of switch records (~1600 switches) for each of the first workers, far more than one
 * drain interval needs; 8 KiB beyond, so 256 workers stay within the default locked-memory
 * allowance that perf buffers count against. */
#define IL_PERF_DATA_PAGES 16
#define IL_PERF_DATA_PAGES_MANY 2
#define IL_PERF_FEW_LANES 16
#define IL_MAX_LANES IL_MAX_WORKERS

typedef struct
{
  gint64  time_ns;   /* absolute CLOCK_MONOTONIC */
  gint16  cpu;
  guint8  in;        /* switched in (TRUE) or out */
  guint8  preempt;   /* switched out while runnable */
} IlSwitch;

/* One worker's switch stream and where the merge stands in it. */
typedef struct
{
  int                           fd;
  struct perf_event_mmap_page  *page;
  guint8                       *data;
  gsize                         data_size;
  gsize                         map_size;

  GArray                       *pending;   /* IlSwitch not yet merged */
  guint                         pos;
  gboolean                      on_cpu;
  int                           cpu;
  gboolean                      preempted;
  guint64                       lost;
} IlKernelLane;

typedef struct
{
  IlCapture               parent;
  _Atomic (IlKernelLane *) lanes[IL_MAX_LANES];
} IlCaptureKernel;

static int
il_perf_open_self (GError **error)
{
  struct perf_event_attr attr;
  int fd;

  il_perf_switch_attr_init (&attr);

  fd = (int) syscall (SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0)
    {
      int errsv = errno;
      /* Without the commands: il_capture_new() adds them once, in the words of every refusal. */
      g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                   _("The kernel refused to record context switches (perf_event_open: %s)"),
                   g_strerror (errsv));
    }
  return fd;
}

static void
il_kernel_lane_free (IlKernelLane *kl)
{
  if (kl == NULL)
    return;
  if (kl->page != NULL)
    munmap (kl->page, kl->map_size);
  if (kl->fd >= 0)
    close (kl->fd);
  g_array_unref (kl->pending);
  g_free (kl);
}

static gboolean
il_capture_kernel_worker_begin (IlCapture   *capture,
                                IlRecorder  *rec,
                                GError     **error)
{
  IlCaptureKernel *self = (IlCaptureKernel *) capture;
  gsize page_size = (gsize) sysconf (_SC_PAGESIZE);
  IlKernelLane *kl;
  void *map;

  if (rec->worker >= IL_MAX_LANES)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Too many workers for the kernel capture"));
      return FALSE;
    }

  kl = g_new0 (IlKernelLane, 1);
  kl->pending = g_array_new (FALSE, FALSE, sizeof (IlSwitch));
  kl->fd = il_perf_open_self (error);
  if (kl->fd < 0)
    {
      il_kernel_lane_free (kl);
      return FALSE;
    }

  kl->map_size = (1 + (rec->worker < IL_PERF_FEW_LANES ? IL_PERF_DATA_PAGES
                                                       : IL_PERF_DATA_PAGES_MANY)) * page_size;
  map = mmap (NULL, kl->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, kl->fd, 0);
  if (map == MAP_FAILED)
    {
      int errsv = errno;
      g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                   _("Could not map the kernel's switch records (%s); try the self capture"),
                   g_strerror (errsv));
      il_kernel_lane_free (kl);
      return FALSE;
    }
  kl->page = map;
  kl->data = (guint8 *) map + page_size;
  kl->data_size = kl->map_size - page_size;

  /* The stream says when this thread is switched; it is on a CPU right now. */
  kl->on_cpu = TRUE;
  kl->cpu = il_cpu_current ();

  /* Published once; the owner reads it only after this worker recorded something. */
  atomic_store_explicit (&self->lanes[rec->worker], kl, memory_order_release);
  return TRUE;
}

static void
il_kernel_lane_record (const struct perf_event_header *header,
                       gpointer                        user_data)
{
  IlKernelLane *kl = user_data;
  const guint8 *record = (const guint8 *) header;

  if (header->type == PERF_RECORD_SWITCH &&
      header->size >= sizeof *header + 4 * sizeof (guint32) + sizeof (guint64))
    {
      /* sample_id: pid, tid (u32 each), time (u64), cpu, res (u32 each) */
      const guint8 *id = record + sizeof *header;
      IlSwitch sw;
      guint64 time;
      guint32 cpu;

      memcpy (&time, id + 8, sizeof time);
      memcpy (&cpu, id + 16, sizeof cpu);
      sw.time_ns = (gint64) time;
      sw.cpu = (gint16) cpu;
      sw.in = (header->misc & PERF_RECORD_MISC_SWITCH_OUT) == 0;
      sw.preempt = (header->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0;
      g_array_append_val (kl->pending, sw);
    }
  else if (header->type == PERF_RECORD_LOST)
    kl->lost++;
}

/* Moves new records from the kernel's buffer into kl->pending. */
static void
il_kernel_lane_read (IlKernelLane *kl)
{
  il_perf_ring_read (kl->page, kl->data, kl->data_size, il_kernel_lane_record, kl);
}

static void
il_kernel_lane_apply (IlKernelLane   *kl,
                      const IlSwitch *sw)
{
  kl->on_cpu = sw->in;
  kl->preempted = !sw->in && sw->preempt;
  if (sw->in)
    kl->cpu = sw->cpu;
}

static void
il_kernel_emit (GArray       *out,
                const IlSpan *app,
                IlKernelLane *kl,
                gint64        start,
                gint64        end)
{
  IlSpan piece = *app;

  if (end <= start)
    return;
  piece.start_ns = start;
  piece.end_ns = end;

  /* Where the application was executing code, the kernel says whether it had a CPU: on one
   * (which), preempted (ready), or blocked in the kernel (a page fault, a lock: waiting). The
   * application's own waits (gil-wait, io-wait, idle) stay what they are. */
  if (app->state == IL_STATE_RUNNING)
    {
      if (kl->on_cpu)
        piece.cpu = (gint16) kl->cpu;
      else
        {
          piece.state = kl->preempted ? IL_STATE_READY : IL_STATE_IO_WAIT;
          piece.cpu = -1;
        }
    }

  /* Merge with the previous piece when nothing changed. */
  if (out->len > 0)
    {
      IlSpan *last = &g_array_index (out, IlSpan, out->len - 1);
      if (last->end_ns == piece.start_ns && last->state == piece.state && last->cpu == piece.cpu &&
          last->task == piece.task && last->worker == piece.worker)
        {
          last->end_ns = piece.end_ns;
          return;
        }
    }
  g_array_append_val (out, piece);
}

static void
il_capture_kernel_filter (IlCapture    *capture,
                          guint         lane,
                          gint64        origin_ns,
                          const IlSpan *spans,
                          guint         n_spans,
                          GArray       *out)
{
  IlCaptureKernel *self = (IlCaptureKernel *) capture;
  IlKernelLane *kl = lane < IL_MAX_LANES
                       ? atomic_load_explicit (&self->lanes[lane], memory_order_acquire) : NULL;

  if (kl == NULL)
    {
      g_array_append_vals (out, spans, n_spans);
      return;
    }

  /* Every switch before the end of these spans is in the buffer already: the worker was running
   * when it recorded their end. */
  il_kernel_lane_read (kl);

  for (guint i = 0; i < n_spans; i++)
    {
      const IlSpan *app = &spans[i];
      gint64 t = app->start_ns;

      while (kl->pos < kl->pending->len)
        {
          const IlSwitch *sw = &g_array_index (kl->pending, IlSwitch, kl->pos);
          gint64 st = sw->time_ns - origin_ns;

          if (st >= app->end_ns)
            break;
          if (st > t)
            {
              il_kernel_emit (out, app, kl, t, st);
              t = st;
            }
          il_kernel_lane_apply (kl, sw);
          kl->pos++;
        }
      il_kernel_emit (out, app, kl, t, app->end_ns);
    }

  if (kl->pos > 0)
    {
      g_array_remove_range (kl->pending, 0, kl->pos);
      kl->pos = 0;
    }
}

static void
il_capture_kernel_free (IlCapture *capture)
{
  IlCaptureKernel *self = (IlCaptureKernel *) capture;

  for (guint i = 0; i < IL_MAX_LANES; i++)
    il_kernel_lane_free (atomic_load (&self->lanes[i]));
  g_free (self);
}

static const IlCaptureClass il_capture_kernel_class = {
  .kind = IL_CAPTURE_KERNEL,
  .name = "kernel",
  .worker_begin = il_capture_kernel_worker_begin,
  .quantum = NULL,
  .worker_end = NULL,
  .filter = il_capture_kernel_filter,
  .free = il_capture_kernel_free,
};

IlCapture *
il_capture_kernel_new (GError **error)
{
  IlCaptureKernel *self;
  int fd;

  /* Ask once up front, so `auto` can fall back before any worker starts. */
  fd = il_perf_open_self (error);
  if (fd < 0)
    return NULL;
  close (fd);

  self = g_new0 (IlCaptureKernel, 1);
  self->parent.klass = &il_capture_kernel_class;
  for (guint i = 0; i < IL_MAX_LANES; i++)
    atomic_init (&self->lanes[i], NULL);
  return &self->parent;
}
