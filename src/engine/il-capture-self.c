/* il-capture-self.c: the self capture: workers observe their CPU and off-CPU gaps in the work loop. */
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
