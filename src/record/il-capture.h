/* il-capture.h: where a worker's running / ready truth comes from, as a swappable part. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-types.h"
#include "il-trace.h"

G_BEGIN_DECLS

typedef struct _IlRecorder IlRecorder;
typedef struct _IlCapture IlCapture;

/* A capture backend. The recorder calls it; executors never look inside.
 * - worker_begin/worker_end run on the worker's own thread around its life;
 * - quantum runs in the CPU work loop at every work quantum (self capture observes the CPU and
 *   detects off-CPU gaps there; a kernel capture leaves it NULL because the kernel reports
 *   switches itself);
 * - filter, when set, runs where a lane's spans are drained (the owner, or a worker process
 *   before it sends): it turns the application's spans into the spans the trace stores, e.g.
 *   splitting `running` by the kernel's switch records. Spans come in time order per lane. */
typedef struct
{
  IlCaptureKind kind;
  const char   *name;
  gboolean    (*worker_begin) (IlCapture *capture, IlRecorder *rec, GError **error);
  void        (*quantum)      (IlRecorder *rec, gint64 now_ns);
  void        (*worker_end)   (IlCapture *capture, IlRecorder *rec);
  void        (*filter)       (IlCapture *capture, guint lane, gint64 origin_ns,
                               const IlSpan *spans, guint n_spans, GArray *out);
  void        (*free)         (IlCapture *capture);
} IlCaptureClass;

struct _IlCapture
{
  const IlCaptureClass *klass;
};

/* Chooses the backend for @kind (il-capture-kinds.c: the one place that knows the kinds; the
 * base, il-capture.c, knows none). IL_CAPTURE_AUTO takes the kernel when it accepts us and falls
 * back to self otherwise; IL_CAPTURE_KERNEL fails with IL_ERROR_UNSUPPORTED when refused. */
IlCapture     *il_capture_new       (IlCaptureKind kind, GError **error);
void           il_capture_free      (IlCapture *capture);
IlCaptureKind  il_capture_get_kind  (const IlCapture *capture);

/* The self capture (il-capture-self.c); always available. */
IlCapture     *il_capture_self_new  (void);
/* The kernel capture (il-capture-kernel.c): perf_event_open context-switch records per worker
 * thread. NULL and an error when the kernel refuses. */
IlCapture     *il_capture_kernel_new (GError **error);

/* Test-only (IL_CAPTURE_COMPARE=1 in the environment with the kernel capture): records one run
 * both ways at once, the trace from the kernel, the self capture's view kept aside; after the
 * run, il_capture_compare_build_self_trace() makes a run of the self capture's spans with
 * @kernel_trace's workers (il-run.c attaches it to the trace as "il-self-capture"). Takes
 * @kernel, a kernel capture (il_capture_new() makes it: the self file constructs no other kind). */
IlCapture     *il_capture_compare_new (IlCapture *kernel);
gboolean       il_capture_is_compare  (const IlCapture *capture);
IlRunTrace    *il_capture_compare_build_self_trace (IlCapture *capture, IlRunTrace *kernel_trace);

/* When the kernel refuses its capture: what is lost and the exact commands an administrator runs
 * to allow it, in plain words; NULL when the kernel allows it. Asked once per process. */
const char    *il_capture_kernel_refusal (void);

/* Runs the capture's filter on @spans of @lane into @out (of IlSpan), or copies them when the
 * capture has none. */
void           il_capture_filter    (IlCapture *capture, guint lane, gint64 origin_ns,
                                     const IlSpan *spans, guint n_spans, GArray *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlCapture, il_capture_free)

G_END_DECLS
