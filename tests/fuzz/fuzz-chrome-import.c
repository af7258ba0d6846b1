/* fuzz-chrome-import.c: libFuzzer harness for the Chrome Trace Event import (il-trace-chrome-read.c).
 * Seeds: the sample files in tests/chrome and an Interleave export. Every input must load or fail with an
 * IL_ERROR naming the input; a loaded trace must hold up to its own invariants and export again. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "il-trace-io.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  /* Bias towards the Chrome reader: without a leading '[' or '{' the sniff sends input to trace v1. */
  g_autofree char *text = g_malloc (size + 1);

  memcpy (text, data, size);
  text[size] = '\0';
  trace = il_trace_load_from_data (text, size, "fuzz.json", &error);
  if (trace == NULL)
    {
      g_assert (error != NULL && error->domain == IL_ERROR);
      g_assert (g_str_has_prefix (error->message, "fuzz.json"));
      return 0;
    }
  g_assert (error == NULL);
  for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);

      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        {
          const IlLane *lane = il_run_trace_get_lane (run, w);
          gint64 last = G_MININT64;

          for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
            {
              const IlSpan *s = il_lane_get_span (lane, i);

              g_assert (s->start_ns < s->end_ns && s->start_ns >= last);
              g_assert (s->task < 0 || (guint) s->task < il_run_trace_get_n_tasks (run));
              last = s->end_ns;
            }
        }
    }
  return 0;
}
