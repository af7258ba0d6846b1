/* il-capture-self.c: the self capture: workers observe their CPU and off-CPU gaps in the work loop. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-capture.h"
#include "il-recorder.h"

static void
il_capture_self_quantum (IlRecorder *rec,
                         gint64      now_ns)
{
  il_recorder_observe (rec, now_ns);
}

static void
il_capture_self_free (IlCapture *capture)
{
  g_free (capture);
}

static const IlCaptureClass il_capture_self_class = {
  .kind = IL_CAPTURE_SELF,
  .name = "self",
  .worker_begin = NULL,
  .quantum = il_capture_self_quantum,
  .worker_end = NULL,
  .filter = NULL,
  .free = il_capture_self_free,
};

IlCapture *
il_capture_self_new (void)
{
  IlCapture *capture = g_new0 (IlCapture, 1);

  capture->klass = &il_capture_self_class;
  return capture;
}

/* Comparing the self capture with the kernel's ------------------------------------------------
 * A test-only capture that records one run both ways at once: the workers observe themselves as
 * under the self capture, and the kernel's switch streams are opened as under the kernel capture.
 * The trace gets the kernel's view, computed from the application's spans with the self
 * capture's `ready` folded back into `running` (what the kernel capture sees from the
 * application); the self capture's own spans are kept per lane for the comparison. */

typedef struct
{
  IlCapture  parent;
  IlCapture *kernel;
  GPtrArray *self_lanes;   /* of GArray of IlSpan, per lane; the owner's thread only */
  GArray    *merged;
} IlCaptureCompare;

static gboolean
il_capture_compare_worker_begin (IlCapture *capture, IlRecorder *rec, GError **error)
{
  IlCaptureCompare *self = (IlCaptureCompare *) capture;
  return self->kernel->klass->worker_begin (self->kernel, rec, error);
}

static void
il_capture_compare_filter (IlCapture *capture, guint lane, gint64 origin_ns, const IlSpan *spans,
                           guint n_spans, GArray *out)
{
  IlCaptureCompare *self = (IlCaptureCompare *) capture;
  GArray *kept;

  while (self->self_lanes->len <= lane)
    g_ptr_array_add (self->self_lanes, g_array_new (FALSE, FALSE, sizeof (IlSpan)));
  kept = g_ptr_array_index (self->self_lanes, lane);
  g_array_append_vals (kept, spans, n_spans);

  /* What the application alone would have recorded: executing code from the start of a CPU
   * phase to its end, whatever the self capture saw of the kernel meanwhile. */
  g_array_set_size (self->merged, 0);
  for (guint i = 0; i < n_spans; i++)
    {
      IlSpan s = spans[i];

      if (s.state == IL_STATE_READY)
        {
          s.state = IL_STATE_RUNNING;
          s.cpu = -1;
        }
      if (self->merged->len > 0)
        {
          IlSpan *last = &g_array_index (self->merged, IlSpan, self->merged->len - 1);
          if (last->state == IL_STATE_RUNNING && s.state == IL_STATE_RUNNING &&
              last->task == s.task && last->end_ns == s.start_ns)
            {
              last->end_ns = s.end_ns;
              continue;
            }
        }
      g_array_append_val (self->merged, s);
    }
  self->kernel->klass->filter (self->kernel, lane, origin_ns,
                               (const IlSpan *) (gpointer) self->merged->data, self->merged->len,
                               out);
}

static void
il_capture_compare_free (IlCapture *capture)
{
  IlCaptureCompare *self = (IlCaptureCompare *) capture;

  il_capture_free (self->kernel);
  g_ptr_array_unref (self->self_lanes);
  g_array_unref (self->merged);
  g_free (self);
}

static const IlCaptureClass il_capture_compare_class = {
  .kind = IL_CAPTURE_KERNEL,
  .name = "kernel+self",
  .worker_begin = il_capture_compare_worker_begin,
  .quantum = il_capture_self_quantum,
  .worker_end = NULL,
  .filter = il_capture_compare_filter,
  .free = il_capture_compare_free,
};

IlCapture *
il_capture_compare_new (IlCapture *kernel)
{
  IlCaptureCompare *self;

  g_return_val_if_fail (kernel != NULL && il_capture_get_kind (kernel) == IL_CAPTURE_KERNEL, NULL);

  self = g_new0 (IlCaptureCompare, 1);
  self->parent.klass = &il_capture_compare_class;
  self->kernel = kernel;
  self->self_lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->merged = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  return &self->parent;
}

gboolean
il_capture_is_compare (const IlCapture *capture)
{
  return capture != NULL && capture->klass == &il_capture_compare_class;
}

IlRunTrace *
il_capture_compare_build_self_trace (IlCapture *capture, IlRunTrace *kernel_trace)
{
  IlCaptureCompare *self = (IlCaptureCompare *) capture;
  IlRunTrace *run;

  g_return_val_if_fail (il_capture_is_compare (capture), NULL);

  run = il_run_trace_new (il_run_trace_get_config (kernel_trace));
  il_run_trace_set_capture (run, IL_CAPTURE_SELF);
  il_run_trace_set_origin_ns (run, il_run_trace_get_origin_ns (kernel_trace));
  for (guint w = 0; w < il_run_trace_get_n_workers (kernel_trace); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (kernel_trace, w);
      il_run_trace_add_worker (run, info->kind, info->pid, info->tid, info->name);
    }
  for (guint lane = 0; lane < self->self_lanes->len; lane++)
    {
      GArray *spans = g_ptr_array_index (self->self_lanes, lane);

      if (lane >= il_run_trace_get_n_workers (run))
        break;
      for (guint i = 0; i < spans->len; i++)
        g_array_index (spans, IlSpan, i).worker = (guint16) lane;
      il_run_trace_append_many (run, (const IlSpan *) (gpointer) spans->data, spans->len);
    }
  il_run_trace_compute_summary (run);
  return run;
}
