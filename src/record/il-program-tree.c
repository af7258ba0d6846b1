/* il-program-tree.c: a traced program's process tree: its processes, threads and launchers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The traced program's process tree: its processes and threads, found from the children files
 * (or by walking /proc for children of ours), launchers (shims, sh -c, env) told apart from the
 * program and folded into what they exec'd, and ending the whole tree. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "il-program-private.h"

char *
il_program_read_cmdline (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL) || len == 0)
    return NULL;
  for (gsize i = 0; i + 1 < len; i++)
    if (data[i] == '\0')
      data[i] = ' ';
  return g_strndup (data, len);
}

void
il_program_read_comm (int pid, int tid, char comm[16])
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/comm", pid, tid);
  g_autofree char *data = NULL;

  if (g_file_get_contents (path, &data, NULL, NULL))
    g_strlcpy (comm, g_strchomp (data), 16);
}

Proc *
il_program_get_proc (IlProgram *self, int pid, int ppid, gint64 t)
{
  Proc *p = g_hash_table_lookup (self->procs, GINT_TO_POINTER (pid));

  if (p != NULL)
    return p;
  p = g_new0 (Proc, 1);
  p->pid = pid;
  p->ppid = ppid;
  p->parent = pid == self->root ? NULL : g_hash_table_lookup (self->procs, GINT_TO_POINTER (ppid));
  p->fork_ns = t;
  p->exec_ns = G_MININT64;
  p->rt_tried_ns = G_MININT64;
  p->pidfd = -1;
  p->ended_ns = G_MININT64;
  p->cpu_last_ns = G_MININT64;
  p->stat_fd = -1;
  p->reaped_ns = p->reaped_prev_ns = G_MININT64;
  p->unseen_ns = -1;
  p->py_cpu_ns = -1;
  p->status = pid == self->root ? PROC_CONFIRMED : PROC_PENDING;
  self->last_new_proc_ns = t;
  if (p->parent != NULL)
    memcpy (p->comm, p->parent->comm, sizeof p->comm);
  g_hash_table_insert (self->procs, GINT_TO_POINTER (pid), p);
  g_ptr_array_add (self->proc_order, p);
  return p;
}

void
il_program_proc_free (gpointer data)
{
  Proc *p = data;

  if (p->pidfd >= 0)
    close (p->pidfd);
  if (p->stat_fd >= 0)
    close (p->stat_fd);
  g_free (p->command);
  g_free (p->announced_command);
  g_free (p->announced_name);
  g_free (p->exe);
  il_program_stacks_forget_proc (p);
  g_free (p->py_why);
  g_free (p);
}

static void
thread_open_files (Thread *th)
{
  char path[64];

  g_snprintf (path, sizeof path, "/proc/%d/task/%d/syscall", th->pid, th->tid);
  th->fd_syscall = open (path, O_RDONLY | O_CLOEXEC);
  g_snprintf (path, sizeof path, "/proc/%d/task/%d/stat", th->pid, th->tid);
  th->fd_stat = open (path, O_RDONLY | O_CLOEXEC);
  g_snprintf (path, sizeof path, "/proc/%d/task/%d/schedstat", th->pid, th->tid);
  th->fd_schedstat = open (path, O_RDONLY | O_CLOEXEC);
  /* Only with CONFIG_SCHED_DEBUG (Debian's kernels have it); without, placement estimates more. */
  g_snprintf (path, sizeof path, "/proc/%d/task/%d/sched", th->pid, th->tid);
  th->fd_sched = open (path, O_RDONLY | O_CLOEXEC);
}

void
il_program_thread_close_files (Thread *th)
{
  if (th->fd_syscall >= 0)
    close (th->fd_syscall);
  if (th->fd_stat >= 0)
    close (th->fd_stat);
  if (th->fd_schedstat >= 0)
    close (th->fd_schedstat);
  if (th->fd_children >= 0)
    close (th->fd_children);
  if (th->fd_sched >= 0)
    close (th->fd_sched);
  th->fd_syscall = th->fd_stat = th->fd_schedstat = th->fd_children = th->fd_sched = -1;
}

Thread *
il_program_get_thread (IlProgram *self, int pid, int tid, gint64 t)
{
  Thread *th = g_hash_table_lookup (self->threads, GINT_TO_POINTER (tid));

  if (th != NULL)
    return th;
  th = g_new0 (Thread, 1);
  th->pid = pid;
  th->tid = tid;
  th->proc = il_program_get_proc (self, pid, 0, t);
  th->lane = -1;
  th->cpu = -1;
  th->since_ns = t;
  th->preempted = TRUE;   /* a new thread is runnable from its creation */
  th->sample_ns = -1;
  th->first_tick = th->last_tick = th->placed_tick = -1;
  th->gil_index = -1;
  th->gone_unread = -1;
  th->block_state = CODE (IL_STATE_IO_WAIT, IL_WAIT_NONE);
  th->fd_syscall = th->fd_stat = th->fd_schedstat = th->fd_children = th->fd_sched = -1;
  th->reasons = g_array_new (FALSE, FALSE, sizeof (Reason));
  th->held = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  memcpy (th->comm, th->proc->comm, sizeof th->comm);
  if (th->comm[0] == '\0')
    il_program_read_comm (pid, tid, th->comm);
  thread_open_files (th);
  g_hash_table_insert (self->threads, GINT_TO_POINTER (tid), th);
  return th;
}

void
il_program_thread_free (gpointer data)
{
  Thread *th = data;

  il_program_thread_close_files (th);
  g_free (th->samples);
  g_array_unref (th->reasons);
  g_array_unref (th->held);
  g_free (th->announced_name);
  g_free (th->py_name);
  g_free (th);
}

/* A launcher's children (pyenv's helpers, the shell of a shim) were forked before it exec'd the
 * program: they are dropped with their spans. A child whose parent did not exec for CONFIRM_NS
 * after its fork (or to the end) is the program's own and keeps its lanes. */
void
il_program_resolve_processes (IlProgram *self, gint64 now)
{
  for (guint i = 0; i < self->proc_order->len; i++)
    {
      Proc *p = g_ptr_array_index (self->proc_order, i);
      gboolean confirm;

      if (p->status != PROC_PENDING)
        continue;
      if (p->parent == NULL)
        {
          confirm = TRUE;
        }
      else if (p->parent->status == PROC_DROPPED || p->parent->exec_ns >= p->fork_ns)
        {
          p->status = PROC_DROPPED;
          il_program_stacks_settle_proc (self, p, FALSE);
          continue;
        }
      else
        /* One that already ended young waits for the end: a launcher's helpers end before its
         * next exec, which may come much later on a busy machine. */
        confirm = p->parent->status == PROC_CONFIRMED &&
                  (self->ending || (!p->exited && now - p->fork_ns >= CONFIRM_NS));
      if (!confirm)
        continue;
      p->status = PROC_CONFIRMED;
      il_program_stacks_settle_proc (self, p, TRUE);
    }

  /* Threads of newly confirmed processes get their lanes and held spans. */
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->threads);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        Thread *th = value;

        if (th->held->len == 0 || th->proc->status == PROC_PENDING)
          continue;
        if (th->proc->status == PROC_CONFIRMED)
          {
            il_program_thread_announce (self, th);
            for (guint k = 0; k < th->held->len; k++)
              {
                IlSpan s = g_array_index (th->held, IlSpan, k);
                s.worker = (guint16) th->lane;
                il_program_push_span (self, &s);
              }
          }
        else
          for (guint k = 0; k < th->held->len; k++)
            il_program_push_undrawn (self, &g_array_index (th->held, IlSpan, k));
        g_array_set_size (th->held, 0);
      }
  }
}

void
il_program_proc_exec (IlProgram *self, Proc *p, gint64 t)
{
  p->exec_ns = t;
  p->rt_known = FALSE;
  p->rt_tried_ns = G_MININT64;
  il_program_stacks_forget_proc (p);
  /* Its pending children belonged to what it was before. */
  for (guint i = 0; i < self->proc_order->len; i++)
    {
      Proc *c = g_ptr_array_index (self->proc_order, i);
      if (c->status == PROC_PENDING && (c->parent == p || (c->parent != NULL && c->parent->status == PROC_DROPPED)) &&
          c->fork_ns <= t)
        {
          c->status = PROC_DROPPED;
          il_program_stacks_settle_proc (self, c, FALSE);
        }
    }
}

/* A process found by the scan: ours when its parent is a live process of ours. */
static void
scan_candidate (IlProgram *self, long pid, gint64 now)
{
  char path[64], buf[512];
  int fd, ppid = 0, cpu;
  char state;
  ssize_t n;
  Proc *parent;

  if (pid <= 0 || g_hash_table_contains (self->procs, GINT_TO_POINTER (pid)) ||
      g_hash_table_contains (self->not_ours, GINT_TO_POINTER (pid)))
    return;
  g_snprintf (path, sizeof path, "/proc/%ld/stat", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return;
  buf[n] = '\0';
  if (!il_program_parse_stat (buf, &state, &cpu, &ppid))
    return;
  parent = g_hash_table_lookup (self->procs, GINT_TO_POINTER (ppid));
  if (parent == NULL || parent->exited)
    {
      g_hash_table_add (self->not_ours, GINT_TO_POINTER (pid));
      return;
    }
  il_program_get_proc (self, (int) pid, ppid, now);
}

/* New processes from each live thread's /proc/PID/task/TID/children: a few small reads instead of
 * listing every process on the machine (every 5 ms that was a third of the tracer's time). FALSE
 * when the kernel has no such files (CONFIG_PROC_CHILDREN); a child missed while its parent forks
 * or exits is found at the next scan. */
gboolean
il_program_scan_children (IlProgram *self, gint64 now)
{
  static int available = -1;
  GArray *found = self->found;
  GHashTableIter iter;
  gpointer value;

  if (available < 0)
    {
      char path[64];

      g_snprintf (path, sizeof path, "/proc/%d/task/%d/children", getpid (), getpid ());
      available = access (path, R_OK) == 0;
    }
  if (!available)
    return FALSE;

  g_array_set_size (found, 0);
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;
      char buf[4096];
      ssize_t n;

      if (th->exited || th->proc == NULL || th->proc->exited)
        continue;
      /* Kept open and read again from the start, like its stat: every 1 ms after a new process,
       * opening it each time was most of the scan's cost. */
      if (th->fd_children < 0)
        {
          char path[64];

          g_snprintf (path, sizeof path, "/proc/%d/task/%d/children", th->pid, th->tid);
          if ((th->fd_children = open (path, O_RDONLY | O_CLOEXEC)) < 0)
            continue;
        }
      n = pread (th->fd_children, buf, sizeof buf - 1, 0);
      if (n <= 0)
        continue;
      buf[n] = '\0';
      for (char *p = buf, *end; *p != '\0'; p = end)
        {
          long pid = strtol (p, &end, 10);

          if (end == p)
            break;
          g_array_append_val (found, pid);
        }
    }
  /* After the walk: a new process adds threads to the table being walked. */
  for (guint i = 0; i < found->len; i++)
    scan_candidate (self, g_array_index (found, long, i), now);
  return TRUE;
}

/* @p was seen to exec (into @exe with command @cmd) at @now, and its children found up to then
 * count as the launcher's: forked before the exec. A scan that comes late (the tracer waited
 * 100 ms or more for a core on a loaded machine) finds the exec and the program's first children
 * at once, and those would be dropped with their lanes. A child that runs the new program with
 * its very command line did not exec itself and was forked from what @p became: it stays. */
static void
keep_children_of_exec (IlProgram *self, Proc *p, const char *exe, const char *cmd, gint64 now)
{
  if (exe == NULL || cmd == NULL)
    return;
  for (guint i = 0; i < self->proc_order->len; i++)
    {
      Proc *c = g_ptr_array_index (self->proc_order, i);
      char path[64];
      g_autofree char *c_exe = NULL;
      g_autofree char *c_cmd = NULL;

      if (c->parent != p || c->status != PROC_PENDING || c->fork_ns > now)
        continue;
      g_snprintf (path, sizeof path, "/proc/%d/exe", c->pid);
      c_exe = g_file_read_link (path, NULL);
      c_cmd = il_program_read_cmdline (c->pid);
      if (g_strcmp0 (c_exe, exe) == 0 && g_strcmp0 (c_cmd, cmd) == 0)
        c->fork_ns = now + 1;
    }
}

/* New threads of process @p, from /proc/PID/task. */
static void
scan_tasks (IlProgram *self, Proc *p, gint64 now)
{
  char path[64];
  struct dirent *de;
  DIR *tasks;

  g_snprintf (path, sizeof path, "/proc/%d/task", p->pid);
  tasks = opendir (path);
  if (tasks == NULL)
    return;
  while ((de = readdir (tasks)) != NULL)
    {
      char *end;
      long tid = strtol (de->d_name, &end, 10);

      if (*end != '\0' || tid <= 0 || g_hash_table_contains (self->threads, GINT_TO_POINTER (tid)))
        continue;
      il_program_get_thread (self, p->pid, (int) tid, now);
    }
  closedir (tasks);
}

/* New threads of the processes whose CPU clock counted one the last scan had not found (between
 * scans, every SCAN_NS: a thread that lived less than that was never seen, and what it ran was
 * lost). */
void
il_program_scan_tasks_soon (IlProgram *self, gint64 now)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;

      if (p->tasks_soon && !p->exited)
        scan_tasks (self, p, now);
      p->tasks_soon = FALSE;
    }
}

/* Sampled capture: finds new processes (children of ours) and new threads, and notices an exec by
 * the executable changing. */
void
il_program_sampled_scan (IlProgram *self, gint64 now)
{
  DIR *dir = il_program_scan_children (self, now) ? NULL : opendir ("/proc");
  struct dirent *de;
  GHashTableIter iter;
  gpointer value;

  while (dir != NULL && (de = readdir (dir)) != NULL)
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);

      if (*end == '\0')
        scan_candidate (self, pid, now);
    }
  if (dir != NULL)
    closedir (dir);

  /* New threads of every live process, and execs. */
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;
      char path[64];
      g_autofree char *exe = NULL;
      g_autofree char *cmd = NULL;
      gboolean execed;

      if (p->exited)
        continue;
      g_snprintf (path, sizeof path, "/proc/%d/exe", p->pid);
      exe = g_file_read_link (path, NULL);
      /* An exec changes the executable, or (a script exec'ing another script) the command line. */
      cmd = il_program_read_cmdline (p->pid);
      execed = (exe != NULL && p->exe != NULL && strcmp (exe, p->exe) != 0) ||
               (cmd != NULL && p->command != NULL && strcmp (cmd, p->command) != 0);
      if (execed)
        {
          keep_children_of_exec (self, p, exe, cmd, now);
          il_program_proc_exec (self, p, now);
        }
      if (exe != NULL)
        {
          g_free (p->exe);
          p->exe = g_steal_pointer (&exe);
        }
      if (cmd != NULL)
        {
          g_free (p->command);
          p->command = g_steal_pointer (&cmd);
        }
      /* The kernel names the process a moment after it swaps the program in, so the name is
       * read again on the scan after an exec too, or a lane could keep the launcher's ("env"). */
      if (execed || p->comm_recheck)
        {
          Thread *main_thread = g_hash_table_lookup (self->threads, GINT_TO_POINTER (p->pid));
          char comm[16] = "";

          il_program_read_comm (p->pid, p->pid, comm);
          if (comm[0] != '\0' && (execed || strcmp (comm, p->comm) != 0))
            {
              memcpy (p->comm, comm, sizeof p->comm);
              /* After the command is the new one, so a Python main thread is named by its script. */
              if (main_thread != NULL)
                {
                  memcpy (main_thread->comm, p->comm, sizeof p->comm);
                  if (main_thread->lane >= 0)
                    il_program_thread_announce (self, main_thread);
                }
            }
        }
      p->comm_recheck = execed;
      scan_tasks (self, p, now);
    }
}

void
il_program_kill_tree (IlProgram *self, int sig)
{
  GHashTableIter iter;
  gpointer value;

  /* The process group first, then every process we know that has left the group (one we never
   * saw is the watcher's to kill, il_program_watch_kill). Never twice to one process: a second
   * SIGINT that lands after Python handled the first raises KeyboardInterrupt again inside the
   * program's handler, and it dies of SIGINT instead of ending its finally blocks. */
  kill (-self->root, sig);
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;
      if (!p->exited && getpgid (p->pid) != self->root)
        kill (p->pid, sig);
    }
}

/* Whether @pid is alive: a zombie (ended, not yet reaped by whoever is its parent now) is not. */
static gboolean
pid_alive (int pid)
{
  char path[64], buf[512], state = 'X';
  int fd, cpu, ppid;
  ssize_t n;

  g_snprintf (path, sizeof path, "/proc/%d/stat", pid);
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return FALSE;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  return il_program_parse_stat (buf, &state, &cpu, &ppid) && state != 'Z' && state != 'X' &&
         state != 'x';
}

/* Marks which of the program's processes (not the command itself) are alive now; TRUE if any. */
gboolean
il_program_mark_alive (IlProgram *self)
{
  gboolean any = FALSE;

  for (guint i = 0; i < self->proc_order->len; i++)
    {
      Proc *p = g_ptr_array_index (self->proc_order, i);

      p->still_running = p->pid != self->root && p->status != PROC_DROPPED && !p->exited &&
                         pid_alive (p->pid);
      any |= p->still_running;
    }
  return any;
}

/* A launcher's helper that lived long enough to get its lanes (a slow machine) is known for what
 * it was only when its parent exec'd later: the owner removes it at the end. */
void
il_program_drop_late_launcher_helpers (IlProgram *self)
{
  g_autoptr(GHashTable) flagged = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < self->proc_order->len; i++)
    {
      Proc *p = g_ptr_array_index (self->proc_order, i);

      if (p->parent == NULL)
        continue;
      if (!g_hash_table_contains (flagged, p->parent) && p->parent->exec_ns < p->fork_ns)
        continue;
      g_hash_table_add (flagged, p);
      if (p->announced)
        {
          Note note = { NOTE_DROP, 0, p->pid, 0, 0, NULL, NULL };
          il_program_post_note (self, &note);
        }
    }
}

/* `sh -c 'python3 x.py'` (dash forks), `bash -c '…; true'`: a launcher that forked the program
 * and only waited for it. A process whose threads are all helpers, with a child process in the
 * trace, whose main thread waited for a child (wait4, waitid) more than on anything else we could
 * tell, is folded: its lanes go, its children hang under its parent. */
void
il_program_fold_waiting_launchers (IlRunTrace *trace)
{
  for (guint p = 0; p < il_run_trace_get_n_processes (trace); p++)
    {
      const IlProcessInfo *proc = il_run_trace_get_process (trace, p);
      int pid = proc->pid, ppid = proc->ppid;
      gboolean has_child = FALSE, all_helpers = TRUE;
      gint64 child_wait = 0, other_wait = 0;

      for (guint c = 0; c < il_run_trace_get_n_processes (trace); c++)
        has_child |= il_run_trace_get_process (trace, c)->ppid == pid;
      for (guint w = 0; w < il_run_trace_get_n_workers (trace) && has_child; w++)
        {
          const IlWorkerInfo *info = il_run_trace_get_worker (trace, w);
          const IlLane *lane = il_run_trace_get_lane (trace, w);
          guint n = il_lane_get_n_spans (lane);

          if (info->pid != pid)
            continue;
          all_helpers &= info->helper;
          if (info->tid != pid || n == 0)
            continue;
          for (guint i = 0; i < n; i++)
            {
              const IlSpan *s = il_lane_get_span (lane, i);
              IlWaitKind kind = il_run_trace_get_wait (trace, w, s->start_ns);

              if (kind == IL_WAIT_CHILD)
                child_wait += s->end_ns - s->start_ns;
              else if (kind != IL_WAIT_NONE)
                other_wait += s->end_ns - s->start_ns;
            }
        }
      if (!has_child || !all_helpers || child_wait == 0 || child_wait <= other_wait)
        continue;
      for (guint c = 0; c < il_run_trace_get_n_processes (trace); c++)
        {
          const IlProcessInfo *child = il_run_trace_get_process (trace, c);
          if (child->ppid == pid)
            {
              g_autofree char *command = g_strdup (child->command);
              g_autofree char *name = g_strdup (child->name);
              il_run_trace_add_process (trace, child->pid, ppid, command, name);
            }
        }
      il_run_trace_remove_process (trace, pid);
      p = (guint) -1;   /* the list changed: look again from the start */
    }
}
