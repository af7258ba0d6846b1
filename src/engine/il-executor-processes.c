/* il-executor-processes.c: a pool of interleave-worker processes (GSubprocess: fork+exec), tasks
 * over their stdin, spans back over their stdout, read by one reader thread. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <poll.h>
#include <sys/resource.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-executor.h"
#include "il-run.h"
#include "il-worker-protocol.h"

typedef struct
{
  GSubprocess *process;
  int          in_fd;       /* the worker's stdin: tasks */
  int          out_fd;      /* the worker's stdout: spans */
  gboolean     in_open;
  gboolean     out_open;
  gint64       spawn_ns;
  gboolean     ready;       /* said hello */
  guint        outstanding; /* tasks sent, not yet reported done */
  IlMsgReader  reader;
} IlProcWorker;

typedef struct
{
  IlExecutor    parent;
  IlProcWorker *workers;
  guint         n_spawned;
  guint         depth;      /* tasks in flight per worker */
  GThread      *reader;
  int           wake[2];    /* cancel wakes the reader thread through this pipe */
} IlExecutorProcesses;

static void
il_proc_close_stdin (IlProcWorker *w)
{
  if (!w->in_open)
    return;
  /* End of file on stdin tells the worker there is no more work; it flushes and exits. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (w->process), NULL, NULL);
  w->in_open = FALSE;
}

/* Hands out tasks until @w has its quota in flight; closes its stdin when none are left. */
static gboolean
il_proc_dispatch (IlExecutorProcesses  *self,
                  IlProcWorker         *w,
                  GError              **error)
{
  IlExecutor *ex = &self->parent;
  guint8 buf[64 * (sizeof (IlMsgHeader) + sizeof (IlMsgTask))];
  gsize len = 0;
  gboolean exhausted = FALSE;

  if (!w->in_open)
    return TRUE;

  while (w->outstanding < self->depth && len + sizeof (IlMsgHeader) + sizeof (IlMsgTask) <= sizeof buf)
    {
      IlMsgHeader header = { IL_MSG_TASK, sizeof (IlMsgTask) };
      IlMsgTask msg = { 0, 0, ex->config->task_ms };
      int task = il_executor_next_task (ex);

      if (task < 0)
        {
          exhausted = TRUE;
          break;
        }
      msg.task = task;
      memcpy (buf + len, &header, sizeof header);
      memcpy (buf + len + sizeof header, &msg, sizeof msg);
      len += sizeof header + sizeof msg;
      w->outstanding++;
    }

  /* One write for the whole batch: dispatch costs a fraction of a system call per task. */
  if (len > 0 && !il_worker_write_all (w->in_fd, buf, len, error))
    return FALSE;

  if (exhausted && w->outstanding == 0)
    il_proc_close_stdin (w);
  return TRUE;
}

static void
il_proc_push (IlExecutorProcesses *self,
              guint                lane,
              const IlSpan        *span)
{
  IlExecutor *ex = &self->parent;

  IlRing *ring = ex->lanes[lane].ring;

  /* The reader is not a worker: when the owner is slow it waits for room rather than drop. */
  while (!il_ring_push (ring, span))
    {
      if (il_executor_is_cancelled (ex))
        {
          il_ring_count_drop (ring);
          return;
        }
      il_executor_request_drain (ex);
      g_usleep (200);
    }
  if (il_ring_wants_drain (ring))
    il_executor_request_drain (ex);
}

static gboolean
il_proc_handle (IlExecutorProcesses  *self,
                guint                 lane,
                const IlMsgHeader    *header,
                const guint8         *payload,
                GError              **error)
{
  IlExecutor *ex = &self->parent;
  IlProcWorker *w = &self->workers[lane];

  switch (header->type)
    {
    case IL_MSG_HELLO:
      {
        IlMsgHello hello;
        IlSpan startup = { 0 };

        if (header->size != sizeof hello)
          break;
        memcpy (&hello, payload, sizeof hello);
        atomic_store (&ex->lanes[lane].pid, hello.pid);
        atomic_store (&ex->lanes[lane].tid, hello.tid);
        /* From the parent's spawn call to the worker saying it is ready: fork, exec, dynamic
         * linking, set-up. Both ends read the same system-wide monotonic clock. */
        startup.start_ns = w->spawn_ns - ex->origin_ns;
        startup.end_ns = hello.ready_ns - ex->origin_ns;
        startup.task = -1;
        startup.state = IL_STATE_STARTUP;
        startup.worker = (guint16) lane;
        startup.cpu = -1;
        if (startup.end_ns > startup.start_ns)
          il_proc_push (self, lane, &startup);
        w->ready = TRUE;
        return TRUE;
      }

    case IL_MSG_SPANS:
      {
        guint n = header->size / sizeof (IlSpan);
        guint finished = 0;

        for (guint i = 0; i < n; i++)
          {
            IlSpan span;

            memcpy (&span, payload + i * sizeof span, sizeof span);
            span.worker = (guint16) lane;
            il_proc_push (self, lane, &span);
            if (span.state == IL_RING_TASK_MARK)
              finished++;
          }
        w->outstanding -= MIN (finished, w->outstanding);
        return finished == 0 || il_proc_dispatch (self, w, error);
      }

    case IL_MSG_ERROR:
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Worker process %u failed: %.*s"), lane,
                   (int) header->size, (const char *) payload);
      return FALSE;

    default:
      break;
    }

  g_set_error (error, IL_ERROR, IL_ERROR_FAILED,
               _("Worker process %u sent a malformed message (type %u, %u bytes)"), lane,
               header->type, header->size);
  return FALSE;
}

static void
il_proc_kill_all (IlExecutorProcesses *self)
{
  for (guint i = 0; i < self->n_spawned; i++)
    g_subprocess_force_exit (self->workers[i].process);
}

static gpointer
il_proc_reader_main (gpointer data)
{
  IlExecutorProcesses *self = data;
  IlExecutor *ex = &self->parent;
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, self->n_spawned + 1);
  g_autofree guint *lane_of = g_new0 (guint, self->n_spawned + 1);
  gboolean killed = FALSE;

  for (;;)
    {
      guint n_fds = 0;

      if (il_executor_is_cancelled (ex) && !killed)
        {
          il_proc_kill_all (self);
          killed = TRUE;
        }

      fds[n_fds].fd = self->wake[0];
      fds[n_fds].events = POLLIN;
      n_fds++;
      for (guint i = 0; i < self->n_spawned; i++)
        if (self->workers[i].out_open)
          {
            fds[n_fds].fd = self->workers[i].out_fd;
            fds[n_fds].events = POLLIN;
            lane_of[n_fds] = i;
            n_fds++;
          }
      if (n_fds == 1)
        break;

      if (poll (fds, n_fds, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          il_executor_set_error (ex, g_error_new (IL_ERROR, IL_ERROR_FAILED, _("Waiting for the worker processes failed: %s"),
                                                  g_strerror (errno)));
          il_executor_cancel (ex);
          il_proc_kill_all (self);
          killed = TRUE;
          continue;
        }

      if (fds[0].revents != 0)
        {
          char c[64];
          while (read (self->wake[0], c, sizeof c) > 0)
            ;
        }

      for (guint k = 1; k < n_fds; k++)
        {
          guint lane = lane_of[k];
          IlProcWorker *w = &self->workers[lane];
          IlMsgHeader header;
          const guint8 *payload;
          GError *error = NULL;
          gssize n;

          if (fds[k].revents == 0)
            continue;

          n = il_msg_reader_fill (&w->reader, w->out_fd);
          if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;

          while (il_msg_reader_next (&w->reader, &header, &payload))
            if (!il_proc_handle (self, lane, &header, payload, &error))
              break;

          if (n <= 0 && error == NULL)
            {
              /* Ended (killed by a cancel) before it was ready: it was starting up until now. */
              if (!w->ready)
                {
                  IlSpan startup = { 0 };

                  startup.start_ns = w->spawn_ns - ex->origin_ns;
                  startup.end_ns = il_clock_now_ns () - ex->origin_ns;
                  startup.task = -1;
                  startup.state = IL_STATE_STARTUP;
                  startup.worker = (guint16) lane;
                  startup.cpu = -1;
                  il_proc_push (self, lane, &startup);
                }
              w->out_open = FALSE;
              il_proc_close_stdin (w);
              if (w->outstanding > 0 && !il_executor_is_cancelled (ex))
                error = g_error_new (IL_ERROR, IL_ERROR_FAILED,
                                     _("Worker process %u exited with %u tasks unfinished"),
                                     lane, w->outstanding);
            }

          if (error != NULL)
            {
              il_executor_set_error (ex, error);
              il_executor_cancel (ex);
            }
        }
    }

  il_executor_worker_exited (ex);
  return NULL;
}

static gboolean
il_executor_processes_start (IlExecutor  *ex,
                             GError     **error)
{
  IlExecutorProcesses *self = (IlExecutorProcesses *) ex;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *path = il_run_get_worker_path ();
  double task_us = ex->config->task_ms * 1000.0;
  IlMsgSetup setup = { 0 };

  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED,
                   _("The worker program %s was not found; set IL_WORKER_PATH"), path);
      return FALSE;
    }

  /* Short tasks: keep a queue per worker so it never waits for the round trip; long tasks: one
   * at a time, handed to whichever worker frees up first, like Pool.map(chunksize=1). */
  self->depth = task_us >= 2000 ? 1 : task_us >= 200 ? 4 : 128;

  /* A worker that dies while we write its next task must fail the run, not kill us with SIGPIPE:
   * the write then returns EPIPE. */
  signal (SIGPIPE, SIG_IGN);

  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, error))
    return FALSE;
  g_unix_set_fd_nonblocking (self->wake[0], TRUE, NULL);
  g_unix_set_fd_nonblocking (self->wake[1], TRUE, NULL);

  setup.version = IL_WORKER_PROTOCOL_VERSION;
  setup.workload = ex->config->workload;
  setup.capture = il_capture_get_kind (ex->capture);
  setup.origin_ns = ex->origin_ns;
  setup.cpu_blocks_per_ms = ex->calibration.cpu_blocks_per_ms;
  setup.memory_bytes_per_ms = ex->calibration.memory_bytes_per_ms;
  if (ex->config->cpus != NULL)
    for (guint i = 0; i < ex->config->cpus->len; i++)
      {
        int c = g_array_index (ex->config->cpus, int, i);
        if (c >= 0 && c < IL_WORKER_MAX_CPUS)
          setup.cpu_mask[c / 64] |= G_GUINT64_CONSTANT (1) << (c % 64);
      }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  self->workers = g_new0 (IlProcWorker, ex->n_lanes);

  for (guint i = 0; i < ex->n_lanes; i++)
    {
      IlProcWorker *w = &self->workers[i];
      const char *argv[] = { path, NULL };

      w->spawn_ns = il_clock_now_ns ();
      w->process = g_subprocess_launcher_spawnv (launcher, argv, error);
      if (w->process == NULL)
        goto fail;
      self->n_spawned = i + 1;
      il_msg_reader_init (&w->reader);
      w->in_fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (g_subprocess_get_stdin_pipe (w->process)));
      w->out_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (w->process)));
      w->in_open = TRUE;
      w->out_open = TRUE;

      {
        const char *ident = g_subprocess_get_identifier (w->process);
        int pid = ident != NULL ? atoi (ident) : 0;
        atomic_store (&ex->lanes[i].pid, pid);
        /* A worker process's threads inherit the priority it has before it reads its set-up. */
        if (ex->config->nice > 0 && pid > 0)
          (void) setpriority (PRIO_PROCESS, (id_t) pid, MIN (ex->config->nice, 19));
      }

      setup.worker = i;
      if (!il_worker_write_msg (w->in_fd, IL_MSG_SETUP, &setup, sizeof setup, error))
        goto fail;
    }

  /* First tasks go out right away: each worker finds them on its stdin as soon as it is ready. */
  for (guint i = 0; i < ex->n_lanes; i++)
    if (!il_proc_dispatch (self, &self->workers[i], error))
      goto fail;

  atomic_store (&ex->n_alive, 1);
  self->reader = g_thread_try_new ("il-proc-reader", il_proc_reader_main, self, error);
  if (self->reader == NULL)
    {
      atomic_store (&ex->n_alive, 0);
      goto fail;
    }
  return TRUE;

fail:
  il_proc_kill_all (self);
  for (guint i = 0; i < self->n_spawned; i++)
    g_subprocess_wait (self->workers[i].process, NULL, NULL);
  return FALSE;
}

static void
il_executor_processes_cancel (IlExecutor *ex)
{
  IlExecutorProcesses *self = (IlExecutorProcesses *) ex;

  if (self->wake[1] >= 0)
    {
      char c = 'x';
      /* Nonblocking: when the pipe is full the reader is already awake, so a failed write is
       * fine. */
      gssize n G_GNUC_UNUSED = write (self->wake[1], &c, 1);
    }
}

static void
il_executor_processes_join (IlExecutor *ex)
{
  IlExecutorProcesses *self = (IlExecutorProcesses *) ex;

  g_clear_pointer (&self->reader, g_thread_join);

  /* Every worker has closed its stdout by now; reap them, and a worker that died on its own
   * (not by our cancel) fails the run. */
  for (guint i = 0; i < self->n_spawned; i++)
    {
      GSubprocess *p = self->workers[i].process;

      if (p == NULL)
        continue;
      g_subprocess_wait (p, NULL, NULL);
      if (!il_executor_is_cancelled (ex) &&
          !(g_subprocess_get_if_exited (p) && g_subprocess_get_exit_status (p) == 0))
        il_executor_set_error (ex, g_error_new (IL_ERROR, IL_ERROR_FAILED,
                                                _("Worker process %u ended abnormally"), i));
    }
}

static void
il_executor_processes_finalize (IlExecutor *ex)
{
  IlExecutorProcesses *self = (IlExecutorProcesses *) ex;

  for (guint i = 0; i < ex->n_lanes && self->workers != NULL; i++)
    {
      g_clear_object (&self->workers[i].process);
      if (self->workers[i].reader.buf != NULL)
        il_msg_reader_clear (&self->workers[i].reader);
    }
  g_free (self->workers);
  if (self->wake[0] >= 0)
    close (self->wake[0]);
  if (self->wake[1] >= 0)
    close (self->wake[1]);
}

static const IlExecutorClass il_executor_processes_class = {
  .name = "processes",
  .start = il_executor_processes_start,
  .cancel = il_executor_processes_cancel,
  .join = il_executor_processes_join,
  .finalize = il_executor_processes_finalize,
};

IlExecutor *
il_executor_processes_new (void)
{
  IlExecutorProcesses *self = g_new0 (IlExecutorProcesses, 1);

  self->parent.klass = &il_executor_processes_class;
  self->wake[0] = self->wake[1] = -1;
  return &self->parent;
}
