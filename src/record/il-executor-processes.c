/* il-executor-processes.c: a pool of interleave-worker processes (posix_spawn), tasks
 * over their stdin, spans back over their stdout, all run by one supervisor thread that spawns
 * them, reads them, replaces the ones that die and reports the ones that stop. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <poll.h>
#include <sys/resource.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-executor-kinds.h"
#include "il-worker-protocol.h"

/* The supervisor looks at silent workers this often. */
#define IL_PROC_TICK_MS 250
/* A working worker reports at least every split interval (10 ms); one that said nothing for
 * this long while it holds a task is looked at (is it stopped?), and past IL_PROC_SILENT_NS it
 * is reported as silent. */
#define IL_PROC_QUIET_NS (1000 * G_GINT64_CONSTANT (1000000))
#define IL_PROC_SILENT_NS (3000 * G_GINT64_CONSTANT (1000000))
/* A lane whose worker dies this many times in a row before saying hello gives up: the program
 * cannot start, replacing it again would only loop. */
#define IL_PROC_MAX_STARTUP_DEATHS 3

typedef enum
{
  IL_STALL_NONE,
  IL_STALL_SILENT,
  IL_STALL_STOPPED,
} IlStall;

typedef struct
{
  int          pid;         /* 0 before the first spawn */
  gboolean     reaped;      /* pid was waited for: it is no longer ours to signal */
  int          wait_status; /* as from waitpid, once reaped */
  int          in_fd;       /* the worker's stdin: tasks */
  int          out_fd;      /* the worker's stdout: spans */
  gboolean     in_open;
  gboolean     out_open;
  gint64       spawn_ns;
  gint64       heard_ns;    /* last time it sent anything (absolute) */
  gboolean     ready;       /* said hello */
  IlMsgReader  reader;
  char        *failure;     /* what it said in an ERROR message */
  /* The tasks sent and not yet reported done, oldest first: the worker runs them in this order,
   * so the oldest is the one in flight. */
  int         *sent;
  guint        sent_head;
  guint        n_sent;
  gint64       front_start_ns; /* run-relative start of the oldest, from its first span; -1 */
  gint64       idle_since_ns;  /* run-relative end of its last task (or its hello) */
  guint        startup_deaths;
  IlStall      stall;
} IlProcWorker;

typedef struct
{
  IlExecutor           parent;
  IlProcWorker        *workers;
  guint                n_spawned;  /* lanes started so far (the supervisor starts them in turn) */
  guint                depth;      /* tasks in flight per worker */
  char                *path;
  IlMsgSetup           setup;
  GThread             *supervisor;
  GCancellable        *cancellable; /* cancelled with the run: ends waits for a dying worker */
  int                  wake[2];     /* cancel wakes the supervisor through this pipe */
  GArray              *retry;       /* tasks a dead worker had queued but not started */
  guint                n_failed;    /* tasks failed with their worker */
  char                *first_death; /* the first of those deaths, for the run's error */
} IlExecutorProcesses;

static void
il_proc_close_stdin (IlProcWorker *w)
{
  if (!w->in_open)
    return;
  /* End of file on stdin tells the worker there is no more work; it flushes and exits. */
  close (w->in_fd);
  w->in_fd = -1;
  w->in_open = FALSE;
}

static int
il_proc_front (IlProcWorker *w)
{
  return w->n_sent > 0 ? w->sent[w->sent_head] : -1;
}

static int
il_proc_pop_sent (IlExecutorProcesses *self,
                  IlProcWorker        *w)
{
  int task = w->sent[w->sent_head];

  w->sent_head = (w->sent_head + 1) % self->depth;
  w->n_sent--;
  w->front_start_ns = -1;
  return task;
}

static gboolean
il_proc_work_left (IlExecutorProcesses *self)
{
  IlExecutor *ex = &self->parent;

  return !il_executor_is_cancelled (ex) &&
         (self->retry->len > 0 || atomic_load (&ex->next_task) < (int) ex->config->tasks);
}

/* Tasks a dead worker never started go first, then the run's own counter. */
static int
il_proc_next_task (IlExecutorProcesses *self)
{
  IlExecutor *ex = &self->parent;

  if (il_executor_is_cancelled (ex))
    return -1;
  if (self->retry->len > 0)
    {
      int task = g_array_index (self->retry, int, self->retry->len - 1);
      g_array_set_size (self->retry, self->retry->len - 1);
      return task;
    }
  return il_executor_next_task (ex);
}

/* Hands out tasks until @w has its quota in flight; closes its stdin when none are left. A
 * failed write means the worker is gone: its end of file follows, and is handled there. */
static void
il_proc_dispatch (IlExecutorProcesses *self,
                  IlProcWorker        *w)
{
  IlExecutor *ex = &self->parent;
  guint8 buf[64 * (sizeof (IlMsgHeader) + sizeof (IlMsgTask))];
  gsize len = 0;
  gboolean exhausted = FALSE;
  g_autoptr(GError) error = NULL;

  if (!w->in_open)
    return;

  while (w->n_sent < self->depth && len + sizeof (IlMsgHeader) + sizeof (IlMsgTask) <= sizeof buf)
    {
      IlMsgHeader header = { IL_MSG_TASK, sizeof (IlMsgTask) };
      IlMsgTask msg = { 0, 0, ex->config->task_ms };
      int task = il_proc_next_task (self);

      if (task < 0)
        {
          exhausted = TRUE;
          break;
        }
      msg.task = task;
      memcpy (buf + len, &header, sizeof header);
      memcpy (buf + len + sizeof header, &msg, sizeof msg);
      len += sizeof header + sizeof msg;
      w->sent[(w->sent_head + w->n_sent) % self->depth] = task;
      w->n_sent++;
    }

  /* One write for the whole batch: dispatch costs a fraction of a system call per task. */
  if (len > 0 && !il_worker_write_all (w->in_fd, buf, len, &error))
    {
      g_debug ("%s", error->message);
      il_proc_close_stdin (w);
      return;
    }

  if (exhausted && w->n_sent == 0)
    il_proc_close_stdin (w);
}

static void
il_proc_push (IlExecutorProcesses *self,
              guint                lane,
              const IlSpan        *span)
{
  IlExecutor *ex = &self->parent;

  IlRing *ring = ex->lanes[lane].ring;

  /* The supervisor is not a worker: when the owner is slow it waits for room rather than drop. */
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

static void
il_proc_push_startup (IlExecutorProcesses *self,
                      guint                lane,
                      gint64               end_ns)
{
  IlExecutor *ex = &self->parent;
  IlSpan startup = { 0 };

  startup.start_ns = self->workers[lane].spawn_ns - ex->origin_ns;
  startup.end_ns = end_ns - ex->origin_ns;
  startup.task = -1;
  startup.state = IL_STATE_STARTUP;
  startup.worker = (guint16) lane;
  startup.cpu = -1;
  if (startup.end_ns > startup.start_ns)
    il_proc_push (self, lane, &startup);
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

        if (header->size != sizeof hello)
          break;
        memcpy (&hello, payload, sizeof hello);
        atomic_store (&ex->lanes[lane].pid, hello.pid);
        atomic_store (&ex->lanes[lane].tid, hello.tid);
        /* From the parent's spawn call to the worker saying it is ready: fork, exec, dynamic
         * linking, set-up. Both ends read the same system-wide monotonic clock. */
        il_proc_push_startup (self, lane, hello.ready_ns);
        w->ready = TRUE;
        w->startup_deaths = 0;
        w->idle_since_ns = hello.ready_ns - ex->origin_ns;
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
              {
                if (w->n_sent > 0)
                  il_proc_pop_sent (self, w);
                w->idle_since_ns = span.end_ns;
                finished++;
              }
            else if (w->front_start_ns < 0 && w->n_sent > 0 && span.task == il_proc_front (w))
              w->front_start_ns = span.start_ns;
          }
        if (finished > 0)
          il_proc_dispatch (self, w);
        return TRUE;
      }

    case IL_MSG_ERROR:
      /* The worker says why it stops (it cannot pin, its disk work failed): the run's error. */
      g_free (w->failure);
      w->failure = g_strndup ((const char *) payload, header->size);
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Worker process %u failed: %s"), lane,
                   w->failure);
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
    if (self->workers[i].pid > 0 && !self->workers[i].reaped)
      kill (self->workers[i].pid, SIGKILL);
}

static const char *
il_proc_signal_name (int sig)
{
  switch (sig)
    {
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGTERM: return "SIGTERM";
    case SIGABRT: return "SIGABRT";
    case SIGBUS:  return "SIGBUS";
    case SIGFPE:  return "SIGFPE";
    case SIGILL:  return "SIGILL";
    case SIGINT:  return "SIGINT";
    case SIGHUP:  return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    case SIGPIPE: return "SIGPIPE";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGXCPU: return "SIGXCPU";
    default:      return NULL;
    }
}

/* How a reaped worker ended, in the trace's words ("killed by SIGKILL", "exited with status 3"). */
static char *
il_proc_describe_end (int status)
{
  if (WIFSIGNALED (status))
    {
      int sig = WTERMSIG (status);
      const char *name = il_proc_signal_name (sig);

      return name != NULL ? g_strdup_printf ("killed by %s", name)
                          : g_strdup_printf ("killed by signal %d", sig);
    }
  if (WIFEXITED (status))
    return g_strdup_printf ("exited with status %d", WEXITSTATUS (status));
  return g_strdup ("ended");
}

/* Starts the worker binary reading @stdin_fd and writing @stdout_fd; its pid, or 0 and @error.
 *
 * A Ctrl+C at the terminal, or `timeout`'s SIGTERM, goes to the whole process group: the workers
 * must not die of it before their parent cancels the run cleanly (it kills them then). So each
 * worker gets a process group of its own, and starts with SIGINT blocked (a blocked signal stays
 * blocked across exec, and the worker never unblocks it). A signal sent to a worker's own pid
 * still reaches it.
 *
 * posix_spawn rather than fork: glibc's shares the parent's memory until the exec (vfork-like),
 * so a large parent spawns as fast as a small one. Forked from the window (GTK, fonts and the
 * shown traces mapped), a worker took 5-10 ms to start against 1-2 ms from the CLI, while the
 * workers already started were computing beside it. */
static int
il_proc_spawn_child (const char *path, int stdin_fd, int stdout_fd, GError **error)
{
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t mask;
  /* The worker dies with us (PR_SET_PDEATHSIG, which posix_spawn cannot set before the exec: it
   * sets it itself, first thing, and checks we are still its parent). */
  char parent[32];
  char *argv[] = { (char *) path, parent, NULL };
  pid_t pid = 0;
  int r;

  g_snprintf (parent, sizeof parent, "--parent=%d", (int) getpid ());
  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, stdin_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, stdout_fd, STDOUT_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  /* Nothing of ours but the two pipes: a worker must not hold another worker's pipe open. */
  posix_spawn_file_actions_addclosefrom_np (&actions, STDERR_FILENO + 1);
#endif
  posix_spawnattr_init (&attr);
  sigemptyset (&mask);
  sigaddset (&mask, SIGINT);
  posix_spawnattr_setsigmask (&attr, &mask);
  posix_spawnattr_setpgroup (&attr, 0);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  r = posix_spawn (&pid, path, &actions, &attr, argv, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  if (r != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (r), _("Could not start %s: %s"), path,
                   g_strerror (r));
      return 0;
    }
  return pid;
}

/* Starts lane @lane's worker (first or replacement), sends its set-up and first tasks. */
static gboolean
il_proc_spawn (IlExecutorProcesses  *self,
               guint                 lane,
               GError              **error)
{
  IlExecutor *ex = &self->parent;
  IlProcWorker *w = &self->workers[lane];
  g_autoptr(GError) write_error = NULL;
  int old_pid = w->pid;
  int to_child[2], from_child[2];
  int pid;

  if (!g_unix_open_pipe (to_child, FD_CLOEXEC, error))
    return FALSE;
  if (!g_unix_open_pipe (from_child, FD_CLOEXEC, error))
    {
      close (to_child[0]);
      close (to_child[1]);
      return FALSE;
    }
  w->spawn_ns = il_clock_now_ns ();
  pid = il_proc_spawn_child (self->path, to_child[0], from_child[1], error);
  close (to_child[0]);
  close (from_child[1]);
  if (pid == 0)
    {
      close (to_child[1]);
      close (from_child[0]);
      return FALSE;
    }

  /* The worker it replaces was reaped and its pipes are closed but for its stdout. */
  if (w->out_fd >= 0)
    close (w->out_fd);
  w->pid = pid;
  w->reaped = FALSE;
  w->wait_status = 0;
  if (w->reader.buf != NULL)
    il_msg_reader_clear (&w->reader);
  il_msg_reader_init (&w->reader);
  g_clear_pointer (&w->failure, g_free);
  w->in_fd = to_child[1];
  w->out_fd = from_child[0];
  w->in_open = TRUE;
  w->out_open = TRUE;
  w->ready = FALSE;
  w->heard_ns = w->spawn_ns;
  w->sent_head = 0;
  w->n_sent = 0;
  w->front_start_ns = -1;
  w->stall = IL_STALL_NONE;

  if (old_pid != 0)
    il_executor_replace_pid (ex, lane, old_pid, w->pid);
  else
    atomic_store (&ex->lanes[lane].pid, w->pid);
  /* A worker process's threads inherit the priority it has before it reads its set-up. */
  if (ex->config->nice > 0 && w->pid > 0)
    (void) setpriority (PRIO_PROCESS, (id_t) w->pid, MIN (ex->config->nice, 19));

  self->setup.worker = lane;
  if (!il_worker_write_msg (w->in_fd, IL_MSG_SETUP, &self->setup, sizeof self->setup, &write_error))
    {
      /* Died at once: its end of file comes next and says how. */
      g_debug ("%s", write_error->message);
      il_proc_close_stdin (w);
      return TRUE;
    }

  /* First tasks go out right away: the worker finds them on its stdin as soon as it is ready. */
  il_proc_dispatch (self, w);
  return TRUE;
}

/* Waits until the worker of @w has ended (its stdout is closed, so it is exiting). FALSE when
 * the run was cancelled meanwhile. */
static gboolean
il_proc_reap (IlExecutorProcesses *self,
              IlProcWorker        *w)
{
  while (!w->reaped)
    {
      pid_t r = waitpid (w->pid, &w->wait_status, WNOHANG);

      if (r == w->pid || (r < 0 && errno != EINTR))
        w->reaped = TRUE;
      else if (il_executor_is_cancelled (&self->parent))
        return FALSE;
      else if (r == 0)
        g_usleep (2000);   /* its stdout is closed: it is exiting, this is short */
    }
  return TRUE;
}

/* Waits for @w's process whatever happens (the join: none is left behind, not even as a zombie). */
static void
il_proc_reap_blocking (IlProcWorker *w)
{
  while (w->pid > 0 && !w->reaped)
    {
      pid_t r = waitpid (w->pid, &w->wait_status, 0);

      if (r == w->pid || (r < 0 && errno != EINTR))
        w->reaped = TRUE;
    }
}

/* Lane @lane's worker closed its stdout: it finished, or it died. A death fails only the task it
 * was running, gives its queued tasks to the others and puts a new worker in its lane. */
static void
il_proc_ended (IlExecutorProcesses *self,
               guint                lane)
{
  IlExecutor *ex = &self->parent;
  IlProcWorker *w = &self->workers[lane];
  gboolean finished_cleanly = !w->in_open && w->n_sent == 0;
  g_autofree char *cause = NULL;
  g_autofree char *cause_text = NULL;
  g_autoptr(GError) error = NULL;
  int old_pid = w->pid;
  gint64 now = il_clock_now_ns ();

  w->out_open = FALSE;
  il_proc_close_stdin (w);

  /* Ended before it was ready (killed by a cancel, or it could not start): it was starting up
   * until now. */
  if (!w->ready)
    il_proc_push_startup (self, lane, now);

  /* The cancel killed it, or it said why it stopped (the run's error), or it was told there is
   * no more work and had none left: the join reaps it. */
  if (il_executor_is_cancelled (ex) || w->failure != NULL || finished_cleanly)
    return;
  if (!il_proc_reap (self, w))
    return;

  cause = il_proc_describe_end (w->wait_status);
  if (WIFSIGNALED (w->wait_status))
    {
      const char *name = il_proc_signal_name (WTERMSIG (w->wait_status));
      cause_text = name != NULL ? g_strdup_printf (_("was killed by %s"), name)
                                : g_strdup_printf (_("was killed by signal %d"),
                                                   WTERMSIG (w->wait_status));
    }
  else if (WIFEXITED (w->wait_status))
    cause_text = g_strdup_printf (_("exited with status %d"), WEXITSTATUS (w->wait_status));
  else
    cause_text = g_strdup (_("ended"));

  if (!w->ready)
    {
      if (++w->startup_deaths >= IL_PROC_MAX_STARTUP_DEATHS)
        {
          il_executor_set_error (ex, g_error_new (IL_ERROR, IL_ERROR_FAILED,
                                                  _("Worker process %u could not start: it %s"),
                                                  lane, cause_text));
          il_executor_cancel (ex);
          return;
        }
    }
  else if (w->n_sent > 0)
    {
      /* The oldest task sent is the one it was running: it failed with the worker. */
      IlSpan mark = { 0 };
      int task = il_proc_pop_sent (self, w);

      mark.start_ns = w->front_start_ns >= 0 ? w->front_start_ns : w->idle_since_ns;
      mark.end_ns = MAX (now - ex->origin_ns, mark.start_ns);
      mark.task = task;
      mark.state = IL_RING_TASK_MARK;
      mark.worker = (guint16) lane;
      mark.cpu = IL_TASK_FAILED;
      il_proc_push (self, lane, &mark);
      il_executor_set_task_error (ex, task, cause);
      if (self->n_failed++ == 0)
        self->first_death = g_strdup_printf (_("worker process %u (pid %d) %s during task %d"),
                                             lane, old_pid, cause_text, task);
    }

  /* What it had queued never started: the others (or its replacement) run it. */
  while (w->n_sent > 0)
    {
      int task = il_proc_pop_sent (self, w);
      g_array_append_val (self->retry, task);
    }

  if (!il_proc_work_left (self))
    return;
  if (!il_proc_spawn (self, lane, &error))
    {
      g_prefix_error (&error, _("Could not replace worker process %u: "), lane);
      il_executor_set_error (ex, g_steal_pointer (&error));
      il_executor_cancel (ex);
      return;
    }
  {
    g_autofree char *warning = g_strdup_printf (_("Worker process %u (pid %d) %s; a new worker (pid %d) took its place"),
                                                lane, old_pid, cause_text, w->pid);
    il_executor_set_warning (ex, warning);
  }
  /* Workers that had nothing left may take the returned tasks too. */
  for (guint i = 0; i < self->n_spawned; i++)
    if (i != lane && self->workers[i].ready)
      il_proc_dispatch (self, &self->workers[i]);
}

/* Is process @pid stopped (SIGSTOP, SIGTSTP, or a debugger)? Read from /proc: the only way to
 * tell a stopped worker from a slow one. */
static gboolean
il_proc_is_stopped (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* "pid (comm) S …": comm may hold spaces and parentheses, the state follows the last ')'. */
  paren = strrchr (contents, ')');
  return paren != NULL && paren[1] == ' ' && (paren[2] == 'T' || paren[2] == 't');
}

/* Workers that hold a task (or are starting) and have been quiet: stopped or silent ones are
 * reported as the run's warning, cleared when they speak again. */
static void
il_proc_check_stalls (IlExecutorProcesses *self,
                      gint64               now)
{
  IlExecutor *ex = &self->parent;
  gboolean changed = FALSE;
  int first = -1;

  for (guint i = 0; i < self->n_spawned; i++)
    {
      IlProcWorker *w = &self->workers[i];
      IlStall stall = IL_STALL_NONE;

      if (w->out_open && (w->n_sent > 0 || !w->ready) && now - w->heard_ns >= IL_PROC_QUIET_NS)
        {
          if (il_proc_is_stopped (w->pid))
            stall = IL_STALL_STOPPED;
          else if (now - w->heard_ns >= IL_PROC_SILENT_NS)
            stall = IL_STALL_SILENT;
        }
      if (stall != w->stall)
        {
          w->stall = stall;
          changed = TRUE;
        }
      /* A stopped worker is the one to name: it is certain, silence may be load. */
      if (stall != IL_STALL_NONE &&
          (first < 0 || (stall == IL_STALL_STOPPED && self->workers[first].stall != IL_STALL_STOPPED)))
        first = (int) i;
    }

  if (!changed)
    return;
  if (first < 0)
    il_executor_set_warning (ex, NULL);
  else
    {
      IlProcWorker *w = &self->workers[first];
      g_autofree char *warning = NULL;

      if (w->stall == IL_STALL_STOPPED)
        warning = g_strdup_printf (_("Worker process %d (pid %d) is stopped; the run waits for it (SIGCONT resumes it, Stop ends the run)"),
                                   first, w->pid);
      else
        warning = g_strdup_printf (_("Worker process %d (pid %d) has sent nothing for more than %d s while it holds a task"),
                                   first, w->pid, (int) (IL_PROC_SILENT_NS / 1000000000));
      il_executor_set_warning (ex, warning);
    }
}

static gpointer
il_proc_supervisor_main (gpointer data)
{
  IlExecutorProcesses *self = data;
  IlExecutor *ex = &self->parent;
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, ex->n_lanes + 1);
  g_autofree guint *lane_of = g_new0 (guint, ex->n_lanes + 1);
  gboolean killed = FALSE;
  gint64 checked_ns = 0;

  for (;;)
    {
      guint n_fds = 0;
      gboolean spawning;
      gint64 now;
      int n;

      if (il_executor_is_cancelled (ex) && !killed)
        {
          il_proc_kill_all (self);
          killed = TRUE;
        }

      /* One worker per turn, so a cancel is seen between two spawns and the first workers'
       * output is read while the others start. */
      spawning = !killed && self->n_spawned < ex->n_lanes;
      if (spawning)
        {
          GError *error = NULL;

          if (il_proc_spawn (self, self->n_spawned, &error))
            self->n_spawned++;
          else
            {
              il_executor_set_error (ex, error);
              il_executor_cancel (ex);
              continue;
            }
          spawning = self->n_spawned < ex->n_lanes;
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
      if (n_fds == 1 && !spawning)
        break;

      n = poll (fds, n_fds, spawning ? 0 : IL_PROC_TICK_MS);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          il_executor_set_error (ex, g_error_new (IL_ERROR, IL_ERROR_FAILED, _("Waiting for the worker processes failed: %s"),
                                                  g_strerror (errno)));
          il_executor_cancel (ex);
          continue;
        }

      if (fds[0].revents != 0)
        {
          char c[64];
          while (read (self->wake[0], c, sizeof c) > 0)
            ;
        }

      now = il_clock_now_ns ();
      for (guint k = 1; k < n_fds; k++)
        {
          guint lane = lane_of[k];
          IlProcWorker *w = &self->workers[lane];
          IlMsgHeader header;
          const guint8 *payload;
          GError *error = NULL;
          gssize got;

          if (fds[k].revents == 0)
            continue;

          got = il_msg_reader_fill (&w->reader, w->out_fd);
          if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (got > 0)
            w->heard_ns = now;

          while (il_msg_reader_next (&w->reader, &header, &payload))
            if (!il_proc_handle (self, lane, &header, payload, &error))
              break;

          if (error != NULL)
            {
              il_executor_set_error (ex, error);
              il_executor_cancel (ex);
            }
          if (got <= 0)
            il_proc_ended (self, lane);
        }

      /* At most once a tick: with thousands of messages a second, not on every one. */
      if (!killed && now - checked_ns >= IL_PROC_TICK_MS * G_GINT64_CONSTANT (1000000))
        {
          il_proc_check_stalls (self, now);
          checked_ns = now;
        }
    }

  /* Workers died under tasks and the run went on without them: it completes, but failed. */
  if (self->n_failed > 0 && !il_executor_is_cancelled (ex))
    il_executor_set_error (ex, g_error_new (IL_ERROR, IL_ERROR_FAILED,
                                            g_dngettext (GETTEXT_PACKAGE, "%u task failed: %s",
                                                         "%u tasks failed: %s", self->n_failed),
                                            self->n_failed, self->first_death));
  /* The last warning stays: an owner that drained too rarely to see it live still shows it. */
  il_executor_worker_exited (ex);
  return NULL;
}

static gboolean
il_executor_processes_start (IlExecutor  *ex,
                             GError     **error)
{
  IlExecutorProcesses *self = (IlExecutorProcesses *) ex;
  double task_us = ex->config->task_ms * 1000.0;

  if (self->path == NULL || !g_file_test (self->path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED,
                   _("The worker program %s was not found; set IL_WORKER_PATH"), self->path);
      return FALSE;
    }

  /* Short tasks: keep a queue per worker so it never waits for the round trip; long tasks: one
   * at a time, handed to whichever worker frees up first, like Pool.map(chunksize=1). */
  self->depth = task_us >= 2000 ? 1 : task_us >= 200 ? 4 : 128;

  /* A worker that dies while we write its next task must not kill us with SIGPIPE: the write
   * then returns EPIPE, and its end of file says the rest. */
  signal (SIGPIPE, SIG_IGN);

  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, error))
    return FALSE;
  g_unix_set_fd_nonblocking (self->wake[0], TRUE, NULL);
  g_unix_set_fd_nonblocking (self->wake[1], TRUE, NULL);

  self->setup.version = IL_WORKER_PROTOCOL_VERSION;
  self->setup.workload = ex->config->workload;
  self->setup.capture = il_capture_get_kind (ex->capture);
  self->setup.origin_ns = ex->origin_ns;
  self->setup.cpu_blocks_per_ms = ex->calibration.cpu_blocks_per_ms;
  self->setup.memory_bytes_per_ms = ex->calibration.memory_bytes_per_ms;
  if (ex->config->cpus != NULL)
    for (guint i = 0; i < ex->config->cpus->len; i++)
      {
        int c = g_array_index (ex->config->cpus, int, i);
        if (c >= 0 && c < IL_WORKER_MAX_CPUS)
          self->setup.cpu_mask[c / 64] |= G_GUINT64_CONSTANT (1) << (c % 64);
      }

  self->workers = g_new0 (IlProcWorker, ex->n_lanes);
  for (guint i = 0; i < ex->n_lanes; i++)
    {
      self->workers[i].sent = g_new (int, self->depth);
      self->workers[i].in_fd = -1;
      self->workers[i].out_fd = -1;
    }
  self->retry = g_array_new (FALSE, FALSE, sizeof (int));
  self->cancellable = g_cancellable_new ();

  /* The supervisor spawns the workers one by one: start returns at once, and a cancel (Ctrl+C,
   * Stop) is seen between two spawns instead of after all 256. */
  atomic_store (&ex->n_alive, 1);
  self->supervisor = g_thread_try_new ("il-proc-supervisor", il_proc_supervisor_main, self, error);
  if (self->supervisor == NULL)
    {
      atomic_store (&ex->n_alive, 0);
      return FALSE;
    }
  return TRUE;
}

static void
il_executor_processes_cancel (IlExecutor *ex)
{
  IlExecutorProcesses *self = (IlExecutorProcesses *) ex;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->wake[1] >= 0)
    {
      char c = 'x';
      /* Nonblocking: when the pipe is full the supervisor is already awake, so a failed write is
       * fine. */
      gssize n G_GNUC_UNUSED = write (self->wake[1], &c, 1);
    }
}

static void
il_executor_processes_join (IlExecutor *ex)
{
  IlExecutorProcesses *self = (IlExecutorProcesses *) ex;

  g_clear_pointer (&self->supervisor, g_thread_join);

  /* Every worker has closed its stdout by now (finished, died, or killed by the cancel): reap
   * them all, so none is left behind, not even as a zombie. */
  for (guint i = 0; i < self->n_spawned; i++)
    il_proc_reap_blocking (&self->workers[i]);
}

static void
il_executor_processes_finalize (IlExecutor *ex)
{
  IlExecutorProcesses *self = (IlExecutorProcesses *) ex;

  for (guint i = 0; i < ex->n_lanes && self->workers != NULL; i++)
    {
      if (self->workers[i].in_fd >= 0)
        close (self->workers[i].in_fd);
      if (self->workers[i].out_fd >= 0)
        close (self->workers[i].out_fd);
      if (self->workers[i].reader.buf != NULL)
        il_msg_reader_clear (&self->workers[i].reader);
      g_free (self->workers[i].sent);
      g_free (self->workers[i].failure);
    }
  g_free (self->workers);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->retry, g_array_unref);
  g_free (self->first_death);
  g_free (self->path);
  if (self->wake[0] >= 0)
    close (self->wake[0]);
  if (self->wake[1] >= 0)
    close (self->wake[1]);
}

char *
il_executor_choose_worker_path (const char *env,
                                const char *exe,
                                const char *build_root,
                                const char *build_worker,
                                const char *installed_worker)
{
  g_return_val_if_fail (installed_worker != NULL, NULL);

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (exe != NULL && build_root != NULL && build_worker != NULL && *build_root != '\0')
    {
      g_autofree char *root = g_str_has_suffix (build_root, G_DIR_SEPARATOR_S)
                                ? g_strdup (build_root)
                                : g_strconcat (build_root, G_DIR_SEPARATOR_S, NULL);

      /* A whole path component: /tmp/build-2 is not inside /tmp/build. */
      if (g_str_has_prefix (exe, root))
        return g_strdup (build_worker);
    }
  return g_strdup (installed_worker);
}

static const IlExecutorClass il_executor_processes_class = {
  .name = "processes",
  .worker_kind = IL_WORKER_PROCESS,
  .start = il_executor_processes_start,
  .cancel = il_executor_processes_cancel,
  .join = il_executor_processes_join,
  .finalize = il_executor_processes_finalize,
};

IlExecutor *
il_executor_processes_new (const char *worker_path)
{
  IlExecutorProcesses *self = g_new0 (IlExecutorProcesses, 1);

  self->parent.klass = &il_executor_processes_class;
  self->path = g_strdup (worker_path);
  self->wake[0] = self->wake[1] = -1;
  return &self->parent;
}
