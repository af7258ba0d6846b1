/* il-capture.c: choosing a capture backend (kernel when allowed, self otherwise). */
#include "config.h"

#include <glib/gi18n.h>

#include "il-capture.h"

IlCapture *
il_capture_new (IlCaptureKind   kind,
                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  IlCapture *capture;

  switch (kind)
    {
    case IL_CAPTURE_SELF:
      return il_capture_self_new ();

    case IL_CAPTURE_KERNEL:
      /* Measuring the self capture against the kernel's (tests/bench/bench-capture.c). */
      if (g_strcmp0 (g_getenv ("IL_CAPTURE_COMPARE"), "1") == 0)
        return il_capture_compare_new (error);
      return il_capture_kernel_new (error);

    case IL_CAPTURE_AUTO:
      /* The kernel knows more than we can observe; use it when it lets us, quietly fall back
       * otherwise: the trace records which capture was used. */
      capture = il_capture_kernel_new (&local_error);
      if (capture != NULL)
        return capture;
      g_debug ("kernel capture unavailable, using self capture: %s", local_error->message);
      return il_capture_self_new ();

    case IL_N_CAPTURES:
    default:
      break;
    }

  g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("Unknown capture kind %d"), (int) kind);
  return NULL;
}

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
