/* il-capture.h: where a worker's running / ready truth comes from, as a swappable part. */
#pragma once

#include <glib.h>
#include "il-types.h"

G_BEGIN_DECLS

typedef struct _IlRecorder IlRecorder;
typedef struct _IlCapture IlCapture;

/* A capture backend. The recorder calls it; executors never look inside.
 * - worker_begin/worker_end run on the worker's own thread around its life;
 * - quantum runs in the CPU work loop at every work quantum (self capture observes the CPU and
 *   detects off-CPU gaps there; a kernel capture leaves it NULL because the kernel reports
 *   switches itself). */
typedef struct
{
  IlCaptureKind kind;
  const char   *name;
  gboolean    (*worker_begin) (IlCapture *capture, IlRecorder *rec, GError **error);
  void        (*quantum)      (IlRecorder *rec, gint64 now_ns);
  void        (*worker_end)   (IlCapture *capture, IlRecorder *rec);
  void        (*free)         (IlCapture *capture);
} IlCaptureClass;

struct _IlCapture
{
  const IlCaptureClass *klass;
};

/* Chooses the backend for @kind. IL_CAPTURE_AUTO takes the kernel when it accepts us and falls
 * back to self otherwise; IL_CAPTURE_KERNEL fails with IL_ERROR_UNSUPPORTED when refused. */
IlCapture     *il_capture_new       (IlCaptureKind kind, GError **error);
void           il_capture_free      (IlCapture *capture);
IlCaptureKind  il_capture_get_kind  (const IlCapture *capture);

/* The self capture (il-capture-self.c); always available. */
IlCapture     *il_capture_self_new  (void);
/* The kernel capture; NULL and an error when the kernel refuses. */
IlCapture     *il_capture_kernel_new (GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlCapture, il_capture_free)

G_END_DECLS
