/* fuzz-worker-protocol.c: libFuzzer harness for what a worker process sends back: messages reassembled from a pipe in arbitrary pieces, decoded as the processes executor does, the spans recorded and summarised. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "il-fuzz.h"
#include "il-ring.h"
#include "il-worker-protocol.h"

/* Feeds @data through a pipe in pieces whose sizes come from the input itself, so the reader
 * meets messages split anywhere. */
int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlRunTrace) run = NULL;
  IlMsgReader reader;
  gsize pos = 0;
  guint step;
  int fds[2];

  il_fuzz_init ();
  if (size < 1)
    return 0;
  step = 1 + data[0] % 97;
  data++;
  size--;

  config->workers = 1;
  config->tasks = 4;
  run = il_run_trace_new (config);
  il_run_trace_add_worker (run, IL_WORKER_PROCESS, 1, 1, "worker 0");
  il_run_trace_set_n_tasks (run, 4);

  g_assert_cmpint (pipe (fds), ==, 0);
  il_msg_reader_init (&reader);
  for (;;)
    {
      gsize piece = MIN (step, size - pos);
      IlMsgHeader header;
      const guint8 *payload;
      gssize n;

      if (piece > 0)
        g_assert_cmpint (write (fds[1], data + pos, piece), ==, (gssize) piece);
      pos += piece;
      if (pos == size)
        close (fds[1]);
      n = il_msg_reader_fill (&reader, fds[0]);
      g_assert_cmpint (n, >=, 0);
      while (il_msg_reader_next (&reader, &header, &payload))
        {
          switch (header.type)
            {
            case IL_MSG_SPANS:
              for (guint i = 0; i < header.size / sizeof (IlSpan); i++)
                {
                  IlSpan span;

                  memcpy (&span, payload + i * sizeof span, sizeof span);
                  /* The executor sets the lane itself; task marks end a task, they are no span. */
                  span.worker = 0;
                  if (span.state == IL_RING_TASK_MARK)
                    continue;
                  /* Anything else goes in as the worker sent it, like the drain does. */
                  il_run_trace_append (run, &span);
                }
              break;
            case IL_MSG_ERROR:
              {
                g_autofree char *message = g_strndup ((const char *) payload, header.size);
                (void) message;
                break;
              }
            default:
              break;
            }
        }
      if (n == 0)
        break;
    }
  close (fds[0]);
  il_msg_reader_clear (&reader);

  il_run_trace_compute_summary (run);
  g_assert_cmpint (il_run_trace_get_summary (run)->wall_ns, >=, 0);
  return 0;
}
