/* interleave-worker: one process of the processes executor: runs the tasks it reads on stdin and
 * streams its recorded spans back on stdout. Not meant to be started by hand. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "il-capture.h"
#include "il-clock.h"
#include "il-program.h"
#include "il-recorder.h"
#include "il-ring.h"
#include "il-worker-protocol.h"
#include "il-workload.h"

/* Send what was recorded at least this often while a task runs, and whenever the ring has this
 * many entries, so the parent's view stays live and its queue of tasks for us stays full. */
#define FLUSH_INTERVAL_NS (10 * G_GINT64_CONSTANT (1000000))
#define FLUSH_ENTRIES 96

typedef struct
{
  IlRing    *ring;
  IlSpan    *batch;
  IlCapture *capture;
  guint      lane;
  gint64     origin_ns;
  GArray    *filtered;
  IlSpan    *marks;
  gint64   last_flush_ns;
  gboolean broken;
} Worker;

static Worker worker;

static void
worker_flush (void)
{
  guint n;

  while (!worker.broken && (n = il_ring_pop_many (worker.ring, worker.batch, IL_MSG_MAX_SPANS / 2)) > 0)
    {
      g_autoptr(GError) error = NULL;
      guint n_spans = 0, n_marks = 0;

      /* Spans go through the capture's filter (the kernel's switches split `running`); task
       * marks follow the spans they close. */
      g_array_set_size (worker.filtered, 0);
      for (guint i = 0; i < n; i++)
        if (worker.batch[i].state != IL_RING_TASK_MARK)
          worker.batch[n_spans++] = worker.batch[i];
        else
          worker.marks[n_marks++] = worker.batch[i];
      il_capture_filter (worker.capture, worker.lane, worker.origin_ns, worker.batch, n_spans,
                         worker.filtered);
      g_array_append_vals (worker.filtered, worker.marks, n_marks);

      if (!il_worker_write_msg (STDOUT_FILENO, IL_MSG_SPANS, worker.filtered->data,
                                worker.filtered->len * sizeof (IlSpan), &error))
        {
          /* The parent is gone: nothing left to report to. */
          worker.broken = TRUE;
          break;
        }
    }
  worker.last_flush_ns = il_clock_now_ns ();
}

static void
worker_split_flush (IlRecorder *rec,
                    gpointer    data)
{
  worker_flush ();
}

static void
worker_wake_flush (gpointer data)
{
  worker_flush ();
}

static void
worker_fail (const char *message)
{
  il_worker_write_msg (STDOUT_FILENO, IL_MSG_ERROR, message, strlen (message), NULL);
  exit (1);
}

static gboolean
read_setup (IlMsgReader *reader,
            IlMsgSetup  *setup)
{
  IlMsgHeader header;
  const guint8 *payload;

  while (!il_msg_reader_has_msg (reader))
    {
      gssize n = il_msg_reader_fill (reader, STDIN_FILENO);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
    }
  il_msg_reader_next (reader, &header, &payload);
  if (header.type != IL_MSG_SETUP || header.size != sizeof *setup)
    return FALSE;
  memcpy (setup, payload, sizeof *setup);
  return setup->version == IL_WORKER_PROTOCOL_VERSION && setup->workload < IL_N_WORKLOADS &&
         il_calibration_is_sane (setup->cpu_blocks_per_ms, setup->memory_bytes_per_ms);
}

static void
apply_affinity (const IlMsgSetup *setup)
{
  cpu_set_t set;
  gboolean any = FALSE;

  CPU_ZERO (&set);
  for (int c = 0; c < IL_WORKER_MAX_CPUS; c++)
    if (setup->cpu_mask[c / 64] & (G_GUINT64_CONSTANT (1) << (c % 64)))
      {
        CPU_SET (c, &set);
        any = TRUE;
      }
  if (any && sched_setaffinity (0, sizeof set, &set) != 0)
    {
      g_autofree char *msg = g_strdup_printf ("could not pin to its CPUs: %s", g_strerror (errno));
      worker_fail (msg);
    }
}

int
main (int   argc,
      char *argv[])
{
  IlMsgReader reader;
  IlMsgSetup setup;
  IlCalibration cal;
  g_autoptr(IlCapture) capture = NULL;
  IlRecorder rec;
  IlWorkCtx ctx;
  IlMsgHello hello;
  gboolean eof = FALSE;

  /* Not a pool worker: the watcher of a traced program (il-program-watch.c). */
  if (argc > 1 && strcmp (argv[1], "--watch") == 0)
    return il_program_watcher_main (argc, argv);

  /* Nothing left behind: we go with the process that started us, even if it is SIGKILLed. Set
   * here because posix_spawn has no hook before the exec; if it died before this line our parent
   * is no longer the pid it gave us, and we stop. */
  if (argc > 1 && g_str_has_prefix (argv[1], "--parent="))
    {
      int parent = atoi (argv[1] + strlen ("--parent="));

      if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid () != parent)
        return 1;
    }

  setlocale (LC_ALL, "");

  if (isatty (STDIN_FILENO))
    {
      fprintf (stderr, "interleave-worker is started by Interleave's processes executor; "
                       "it speaks a binary protocol on stdin and stdout.\n");
      return 2;
    }

  il_msg_reader_init (&reader);
  if (!read_setup (&reader, &setup))
    worker_fail ("bad or missing set-up message");

  apply_affinity (&setup);

  /* The parent's calibration: the same task list means the same work in every executor. */
  cal.cpu_blocks_per_ms = setup.cpu_blocks_per_ms;
  cal.memory_bytes_per_ms = setup.memory_bytes_per_ms;
  il_calibration_set (&cal);
  /* Part of this process's start-up, before it says it is ready. */
  il_workload_prepare ((IlWorkloadKind) setup.workload);

  /* The parent has chosen the capture (and checked that the kernel allows it). */
  if (setup.capture == IL_CAPTURE_KERNEL)
    {
      g_autoptr(GError) error = NULL;

      capture = il_capture_kernel_new (&error);
      if (capture == NULL)
        worker_fail (error->message);
    }
  else
    capture = il_capture_self_new ();

  worker.ring = il_ring_new (16384);
  worker.batch = g_new (IlSpan, IL_MSG_MAX_SPANS);
  worker.marks = g_new (IlSpan, IL_MSG_MAX_SPANS);
  worker.filtered = g_array_sized_new (FALSE, FALSE, sizeof (IlSpan), IL_MSG_MAX_SPANS);

  il_recorder_init (&rec, worker.ring, capture, setup.worker, setup.origin_ns);
  if (capture->klass->worker_begin != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!capture->klass->worker_begin (capture, &rec, &error))
        worker_fail (error->message);
    }
  worker.capture = capture;
  worker.lane = setup.worker;
  worker.origin_ns = setup.origin_ns;
  rec.flush = worker_split_flush;
  /* This process is the ring's only producer and consumer: "drain" means write to the pipe. */
  rec.wake = worker_wake_flush;
  il_work_ctx_init (&ctx, &rec, NULL, (int) setup.worker, NULL);

  hello.pid = getpid ();
  hello.tid = il_gettid ();
  hello.ready_ns = il_clock_now_ns ();
  if (!il_worker_write_msg (STDOUT_FILENO, IL_MSG_HELLO, &hello, sizeof hello, NULL))
    return 1;
  il_recorder_enter (&rec, IL_STATE_IDLE, -1, hello.ready_ns);
  worker.last_flush_ns = hello.ready_ns;

  while (!eof && !worker.broken)
    {
      IlMsgHeader header;
      const guint8 *payload;

      while (il_msg_reader_next (&reader, &header, &payload))
        {
          IlMsgTask task;

          if (header.type != IL_MSG_TASK || header.size != sizeof task)
            worker_fail ("unexpected message");
          memcpy (&task, payload, sizeof task);

          if (il_workload_run_task (&cal, (IlWorkloadKind) setup.workload, task.task_ms, task.task,
                                    &ctx) == IL_TASK_FAILED && ctx.error != NULL)
            {
              /* The failed task's record first, then why: the parent stops the run with it. */
              worker_flush ();
              worker_fail (ctx.error->message);
            }

          if (il_ring_get_n_pending (worker.ring) >= FLUSH_ENTRIES ||
              il_clock_now_ns () - worker.last_flush_ns >= FLUSH_INTERVAL_NS)
            worker_flush ();
        }

      /* Nothing queued: report everything before blocking, so the parent sees the finished tasks
       * and sends more. */
      worker_flush ();
      for (;;)
        {
          gssize n = il_msg_reader_fill (&reader, STDIN_FILENO);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            eof = TRUE;
          break;
        }
    }

  il_recorder_close (&rec, il_clock_now_ns ());
  worker_flush ();
  il_work_ctx_clear (&ctx);
  il_msg_reader_clear (&reader);
  il_ring_free (worker.ring);
  g_free (worker.batch);
  g_free (worker.marks);
  g_array_unref (worker.filtered);
  return 0;
}
