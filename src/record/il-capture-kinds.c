/* il-capture-kinds.c: the one place that knows the capture kinds and picks one. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one place that knows the capture kinds: choosing a backend (kernel when allowed, self
 * otherwise) and, once per process, why the kernel refused its own. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "il-capture.h"
#include "il-capture-words.h"

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
      capture = il_capture_kernel_new (&local_error);
      /* Measuring the self capture against the kernel's (tests/bench/bench-capture.c). */
      if (capture != NULL && g_strcmp0 (g_getenv ("IL_CAPTURE_COMPARE"), "1") == 0)
        capture = il_capture_compare_new (capture);
      if (capture == NULL)
        g_set_error (error, local_error->domain, local_error->code, "%s. %s", local_error->message,
                     il_capture_allow_words ());
      return capture;

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

static gpointer
il_capture_probe_kernel (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  IlCapture *capture = il_capture_kernel_new (&error);
  int paranoid = -1000;

  if (capture != NULL)
    {
      il_capture_free (capture);
      return NULL;
    }
  {
    g_autofree char *contents = NULL;
    if (g_file_get_contents ("/proc/sys/kernel/perf_event_paranoid", &contents, NULL, NULL))
      paranoid = atoi (contents);
  }
  /* The usual reason first (Debian's 3, Ubuntu's 4); otherwise (a container's policy) the
   * kernel's own answer. */
  if (paranoid > 2)
    text = g_strdup_printf (_("The kernel does not let Interleave record context switches "
                              "(kernel.perf_event_paranoid is %d)."), paranoid);
  else
    text = g_strdup_printf ("%s.", error->message);
  return g_strdup_printf ("%s %s %s", text,
                          _("The workers observe themselves instead: their running and waiting "
                            "times agree with the kernel’s to within a few per cent, but time a "
                            "worker spent blocked inside the kernel (a page fault, a lock) counts "
                            "as waiting for a CPU, and very short interruptions are missed."),
                          il_capture_allow_words ());
}

const char *
il_capture_kernel_refusal (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, il_capture_probe_kernel, NULL);
}
