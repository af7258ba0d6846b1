/* il-capture.c: what every capture backend shares: freeing, filtering, its kind. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-capture.h"

void
il_capture_free (IlCapture *capture)
{
  if (capture != NULL && capture->klass->free != NULL)
    capture->klass->free (capture);
}

void
il_capture_filter (IlCapture    *capture,
                   guint         lane,
                   gint64        origin_ns,
                   const IlSpan *spans,
                   guint         n_spans,
                   GArray       *out)
{
  if (capture != NULL && capture->klass->filter != NULL)
    capture->klass->filter (capture, lane, origin_ns, spans, n_spans, out);
  else
    g_array_append_vals (out, spans, n_spans);
}

IlCaptureKind
il_capture_get_kind (const IlCapture *capture)
{
  g_return_val_if_fail (capture != NULL, IL_CAPTURE_SELF);
  return capture->klass->kind;
}
