/* fuzz-trace-read.c: libFuzzer harness for the trace v1 reader: any input loads or is refused with a message, and whatever loads saves and loads again the same. */
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
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(IlTrace) again = NULL;
  gsize len;

  il_fuzz_init ();
  trace = il_trace_load_from_data ((const char *) data, size, "fuzz.json", &error);
  if (trace == NULL)
    {
      /* Refused: always with a message that names the input. */
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "fuzz.json"));
      return 0;
    }
  g_assert_no_error (error);

  /* What was accepted is a trace Interleave can write, and what it writes it reads back. */
  out = g_memory_output_stream_new_resizable ();
  g_assert_true (il_trace_write (trace, out, "fuzz-out.json", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  again = il_trace_load_from_data (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                                   len, "fuzz-out.json", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (again), ==, il_trace_get_n_runs (trace));
  for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
    {
      IlRunTrace *a = il_trace_get_run (trace, r), *b = il_trace_get_run (again, r);

      g_assert_cmpuint (il_run_trace_get_n_spans (a), ==, il_run_trace_get_n_spans (b));
      g_assert_cmpuint (il_run_trace_get_n_tasks (a), ==, il_run_trace_get_n_tasks (b));
      g_assert_cmpuint (il_run_trace_get_n_workers (a), ==, il_run_trace_get_n_workers (b));
    }
  return 0;
}
