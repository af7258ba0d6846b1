/* fuzz-chrome-import.c: libFuzzer harness for the Chrome Trace Event import: any input loads or is refused with a message naming it, and whatever loads exports to Chrome JSON and reads back as the same lanes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "il-fuzz.h"
#include "il-trace-io.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(IlTrace) again = NULL;
  g_autoptr(GOutputStream) out = NULL;

  il_fuzz_init ();
  trace = il_trace_load_from_data ((const char *) data, size, "fuzz.json", &error);
  if (trace == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == IL_ERROR);
      g_assert_true (g_str_has_prefix (error->message, "fuzz.json"));
      return 0;
    }
  g_assert_no_error (error);

  /* Whatever loaded exports, and the export reads back span for span. */
  out = g_memory_output_stream_new_resizable ();
  g_assert_true (il_trace_write_chrome (trace, out, "fuzz-out.json", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  again = il_trace_load_from_data (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                                   "fuzz-out.json", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (again), ==, il_trace_get_n_runs (trace));
  for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
    {
      IlRunTrace *a = il_trace_get_run (trace, r);
      IlRunTrace *b = il_trace_get_run (again, r);

      g_assert_cmpuint (il_run_trace_get_n_workers (a), ==, il_run_trace_get_n_workers (b));
      for (guint w = 0; w < il_run_trace_get_n_workers (a); w++)
        {
          const IlLane *la = il_run_trace_get_lane (a, w);
          const IlLane *lb = il_run_trace_get_lane (b, w);

          g_assert_cmpuint (il_lane_get_n_spans (la), ==, il_lane_get_n_spans (lb));
          for (guint i = 0; i < il_lane_get_n_spans (la); i++)
            g_assert_cmpmem (il_lane_get_span (la, i), sizeof (IlSpan),
                             il_lane_get_span (lb, i), sizeof (IlSpan));
        }
    }
  return 0;
}
