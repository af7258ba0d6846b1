/* il-program-watch.c: the watcher, the small process that starts a traced program and ends its whole tree when we die. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Why the watcher is the program's parent: when Interleave dies (even by SIGKILL) everything the
 * program started must go too. PR_SET_PDEATHSIG covers one process; a process group misses a
 * descendant that left it (setsid, setpgid: a daemonising grandchild). A child subreaper
 * (PR_SET_CHILD_SUBREAPER) is given every orphan among its descendants, so the one that started
 * the program can always find what is left of its tree: its children, and after each one dies,
 * theirs. That subreaper cannot be Interleave itself, which would become the parent of every
 * orphan of anything it starts (the window, too), and would not outlive its own SIGKILL; so a
 * small process of ours is: it forks the program, reaps the orphans that come to it, tells us
 * when the program has ended (without reaping it, so its last /proc figures can be read), and
 * when the pipe only we hold closes (our death) kills every process below it until none is left.
 * At the run's end it is let go ('q') and the program's leftover processes keep running.
 *
 * Us → watcher (ctl): 'r' reap the program and send its wait status, 'k' kill every process
 * below, 'q' exit leaving them; end of file (we died): kill every process below, exit.
 * Watcher → us (status): the program's pid as an int (a negative errno if fork failed), then
 * 'x' when it has ended, then 's' and its wait status after 'r'. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "il-program-private.h"
#include "il-run.h"

/* From here on, in the watcher and the program before its exec: only async-signal-safe calls,
 * we may have been forked from a threaded GUI. */

static void
write_all (int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      p += n;
      len -= (size_t) n;
    }
}

/* Calls @fn with each pid in the text of @fd (space-separated numbers, read to its end). */
static void
each_number (int fd, void (*fn) (pid_t))
{
  char buf[1024];
  long value = -1;
  ssize_t n;

  while ((n = read (fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    for (ssize_t i = 0; i < n; i++)
      {
        if (buf[i] >= '0' && buf[i] <= '9')
          value = (value < 0 ? 0 : value * 10) + (buf[i] - '0');
        else if (value >= 0)
          {
            fn ((pid_t) value);
            value = -1;
          }
      }
  if (value >= 0)
    fn ((pid_t) value);
}

static void
kill_one (pid_t pid)
{
  if (pid > 0)
    kill (pid, SIGKILL);
}

/* The parent's pid in a /proc/PID/stat text: the number after the ")" and the state. */
static pid_t
stat_ppid (const char *text, ssize_t n)
{
  ssize_t i = n - 1;
  long ppid = 0;

  while (i >= 0 && text[i] != ')')
    i--;
  if (i < 0 || i + 4 >= n)
    return -1;
  for (i += 4; i < n && text[i] >= '0' && text[i] <= '9'; i++)
    ppid = ppid * 10 + (text[i] - '0');
  return (pid_t) ppid;
}

/* Without /proc/thread-self/children (CONFIG_PROC_CHILDREN): every process whose parent we are,
 * from the stat of each one in /proc (getdents64 and a buffer on the stack: no opendir). */
static void
kill_children_by_scan (void)
{
  char dents[4096], path[48], stat[512];
  pid_t self = getpid ();
  int dir = open ("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  long n;

  if (dir < 0)
    return;
  while ((n = syscall (SYS_getdents64, dir, dents, sizeof dents)) > 0)
    for (long off = 0; off < n;)
      {
        /* struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name. */
        unsigned short reclen;
        const char *name = dents + off + 19;
        size_t len = 0;
        int fd;
        ssize_t got;
        long pid = 0;

        memcpy (&reclen, dents + off + 16, sizeof reclen);
        off += reclen;
        for (const char *c = name; *c >= '0' && *c <= '9'; c++)
          pid = pid * 10 + (*c - '0');
        if (pid <= 0)
          continue;
        memcpy (path, "/proc/", 6);
        len = 6;
        for (const char *c = name; *c != '\0' && len < sizeof path - 6; c++)
          path[len++] = *c;
        memcpy (path + len, "/stat", 6);
        if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
          continue;
        got = read (fd, stat, sizeof stat);
        close (fd);
        if (got > 0 && stat_ppid (stat, got) == self)
          kill (pid, SIGKILL);
      }
  close (dir);
}

/* Kills every process below us: the program's group, then our children until none is left; each
 * one's own children come to us (the subreaper) as it dies, and are killed in their turn. */
static void
kill_everything (pid_t program)
{
  kill (-program, SIGKILL);
  for (;;)
    {
      int fd = open ("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);

      if (fd >= 0)
        {
          each_number (fd, kill_one);
          close (fd);
        }
      else
        kill_children_by_scan ();
      if (waitpid (-1, NULL, 0) < 0 && errno == ECHILD)
        return;
    }
}

/* The program, forked by the watcher: waits at the gate, then becomes the command. */
static void G_GNUC_NORETURN
program_main (const char *path, const char *cwd, char **command, int gate, int gate_out,
              int out_out, int err_out, pid_t watcher)
{
  extern char **environ;
  sigset_t none;
  char c;

  /* Its own process group, so Stop can end the whole tree and Ctrl+C in a terminal reaches us. */
  setpgid (0, 0);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  signal (SIGPIPE, SIG_DFL);
  /* Dies with the watcher, even by SIGKILL; if it is gone already, it does not start. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid () != watcher)
    _exit (127);
  close (gate_out);
  if (out_out >= 0 && dup2 (out_out, STDOUT_FILENO) < 0)
    _exit (127);
  if (err_out >= 0 && dup2 (err_out, STDERR_FILENO) < 0)
    _exit (127);
  if (read (gate, &c, 1) != 1)
    _exit (127);
  if (cwd != NULL && *cwd != '\0' && chdir (cwd) != 0)
    _exit (127);
  execve (path, command, environ);
  _exit (127);
}

/* Reaps the orphans that came to us, and says once that the program has ended. The program
 * itself is reaped only when asked ('r'): until then a waitid that would show another one shows
 * it, and the orphans wait. */
static void
reap (pid_t program, int status_out, gboolean *ended, gboolean reaped)
{
  if (reaped)
    {
      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;
      return;
    }
  while (!*ended)
    {
      siginfo_t info;

      memset (&info, 0, sizeof info);
      if (waitid (P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
        return;
      if (info.si_pid == program)
        {
          *ended = TRUE;
          write_all (status_out, "x", 1);
          return;
        }
      waitpid (info.si_pid, NULL, WNOHANG);
    }
}

static void G_GNUC_NORETURN
watcher_main (const char *path, const char *cwd, char **command, int ctl, int status_out, int gate,
              int gate_out, int out_out, int err_out)
{
  pid_t watcher = getpid (), program;
  gboolean ended = FALSE, reaped = FALSE;
  sigset_t chld;
  int sfd, status = -1;

  /* Ctrl+C in the terminal and a hang-up are ours to hear, not its: it only ends with us. A
   * write to our pipe after our death must not end it before it has killed the tree. */
  signal (SIGINT, SIG_IGN);
  signal (SIGTERM, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  signal (SIGPIPE, SIG_IGN);
  sigemptyset (&chld);
  sigaddset (&chld, SIGCHLD);
  sigprocmask (SIG_SETMASK, &chld, NULL);
  /* Without it (a kernel before 3.4) it still kills the program's group and its children. */
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  sfd = signalfd (-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

  program = fork ();
  if (program == 0)
    program_main (path, cwd, command, gate, gate_out, out_out, err_out, watcher);
  if (program < 0)
    {
      int e = -errno;

      write_all (status_out, &e, sizeof e);
      _exit (0);
    }
  setpgid (program, program);
  write_all (status_out, &program, sizeof program);
  /* Nothing of ours but the two pipes and the signals: no other pipe (a caller reading our
   * stdout, the program's stderr) stays open by it. */
  for (int fd = 0; fd < 1024; fd++)
    if (fd != ctl && fd != status_out && fd != sfd)
      close (fd);

  for (;;)
    {
      struct pollfd fds[2] = { { ctl, POLLIN, 0 }, { sfd, POLLIN, 0 } };
      /* Without a signalfd, looks for ended children every 10 ms. */
      int n = poll (fds, sfd >= 0 ? 2 : 1, sfd >= 0 ? -1 : 10);

      if (n < 0 && errno != EINTR)
        {
          kill_everything (program);
          _exit (0);
        }
      if (sfd >= 0 && (fds[1].revents & POLLIN))
        {
          struct signalfd_siginfo si;

          while (read (sfd, &si, sizeof si) > 0)
            ;
        }
      reap (program, status_out, &ended, reaped);
      if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          char c = 0;
          ssize_t got = read (ctl, &c, 1);

          if (got < 0 && errno == EINTR)
            continue;
          if (got != 1)
            {
              kill_everything (program);
              _exit (0);
            }
          if (c == 'r')
            {
              char reply[1 + sizeof (int)] = { 's' };

              while (!reaped && waitpid (program, &status, 0) < 0 && errno == EINTR)
                ;
              reaped = TRUE;
              memcpy (reply + 1, &status, sizeof status);
              write_all (status_out, reply, sizeof reply);
              reap (program, status_out, &ended, reaped);
            }
          else if (c == 'k')
            {
              kill_everything (program);
              reaped = TRUE;
            }
          else if (c == 'q')
            _exit (0);
        }
    }
}

/* The watcher started as `interleave-worker --watch PIPES CWD PATH ARGV…` with its pipes on
 * fixed descriptors (WATCH_FD_*): see spawn_watcher_exec(). */
enum { WATCH_FD_CTL = 3, WATCH_FD_STATUS, WATCH_FD_GATE, WATCH_FD_GATE_OUT, WATCH_FD_ERR,
       WATCH_FD_OUT, WATCH_N_FDS = 6 };

int
il_program_watcher_main (int argc, char **argv)
{
  /* argv: [0] the worker, [1] --watch, [2] which of the program's outputs are pipes ("e":
   * stderr is WATCH_FD_ERR, "o": stdout is WATCH_FD_OUT, "-": neither), [3] its folder ("" for
   * ours), [4] the program, [5…] its argument vector. */
  if (argc < 6 || strcmp (argv[1], "--watch") != 0)
    return 2;
  watcher_main (argv[4], argv[3], argv + 5, WATCH_FD_CTL, WATCH_FD_STATUS, WATCH_FD_GATE,
                WATCH_FD_GATE_OUT, strchr (argv[2], 'o') != NULL ? WATCH_FD_OUT : -1,
                strchr (argv[2], 'e') != NULL ? WATCH_FD_ERR : -1);
}

/* Starts the watcher as a program of its own (the worker binary, `--watch`) through
 * posix_spawn, which does not copy our memory: a fork of the window (100+ MB) made every page
 * it then wrote during the run a copy-on-write fault with a TLB shoot-down, a quarter of the
 * window's main thread in a Python lesson (perf, bench-window). The pipes go to WATCH_FD_*:
 * first copied above any of those numbers, so no dup2 overwrites one not yet copied. FALSE with
 * errno when it could not be started. */
static gboolean
spawn_watcher_exec (IlProgram *self, const char *worker, int ctl, int status, int out_out,
                    int err_out, pid_t *pid)
{
  extern char **environ;
  int from[WATCH_N_FDS] = { ctl, status, self->gate[0], self->gate[1], err_out, out_out };
  char pipes[3] = "-";
  int high[WATCH_N_FDS];
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t none, all;
  int e = 0;

  for (guint i = 0; i < WATCH_N_FDS; i++)
    high[i] = from[i] >= 0 ? fcntl (from[i], F_DUPFD_CLOEXEC, 64) : -1;
  g_ptr_array_add (argv, (gpointer) worker);
  g_ptr_array_add (argv, "--watch");
  if (out_out >= 0 || err_out >= 0)
    {
      pipes[0] = out_out >= 0 ? 'o' : 'e';
      pipes[1] = out_out >= 0 && err_out >= 0 ? 'e' : '\0';
    }
  g_ptr_array_add (argv, pipes);
  g_ptr_array_add (argv, self->config->cwd != NULL ? self->config->cwd : "");
  g_ptr_array_add (argv, self->path);
  for (guint i = 0; self->config->command[i] != NULL; i++)
    g_ptr_array_add (argv, self->config->command[i]);
  g_ptr_array_add (argv, NULL);

  posix_spawn_file_actions_init (&actions);
  for (guint i = 0; i < WATCH_N_FDS; i++)
    if (from[i] >= 0 && high[i] < 0)
      e = errno;
    else if (high[i] >= 0)
      posix_spawn_file_actions_adddup2 (&actions, high[i], WATCH_FD_CTL + (int) i);
  posix_spawnattr_init (&attr);
  sigemptyset (&none);
  sigfillset (&all);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &all);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (e == 0)
    e = posix_spawn (pid, worker, &actions, &attr, (char **) argv->pdata, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  for (guint i = 0; i < WATCH_N_FDS; i++)
    if (high[i] >= 0)
      close (high[i]);
  errno = e;
  return e == 0;
}

/* Starts the watcher, which forks the program; sets self->root, ->watcher and the pipes. The
 * program waits at self->gate; its stdout goes to @out_out and its stderr to @err_out when they
 * are not -1. The watcher is
 * the worker binary where it is found, else a fork of ours. */
gboolean
il_program_spawn (IlProgram *self, int out_out, int err_out, GError **error)
{
  const char *worker = il_run_get_worker_path ();
  int ctl[2], status[2];
  int got = 0;
  pid_t pid = -1;
  ssize_t n;

  if (pipe2 (ctl, O_CLOEXEC) != 0)
    goto failed;
  if (pipe2 (status, O_CLOEXEC) != 0)
    {
      close (ctl[0]);
      close (ctl[1]);
      goto failed;
    }
  if (worker != NULL && access (worker, X_OK) == 0)
    {
      if (!spawn_watcher_exec (self, worker, ctl[0], status[1], out_out, err_out, &pid))
        pid = -1;
    }
  else if ((pid = fork ()) == 0)
    {
      close (ctl[1]);
      close (status[0]);
      watcher_main (self->path, self->config->cwd, self->config->command, ctl[0], status[1],
                    self->gate[0], self->gate[1], out_out, err_out);
    }
  close (ctl[0]);
  close (status[1]);
  if (pid < 0)
    {
      int e = errno;

      close (ctl[1]);
      close (status[0]);
      errno = e;
      goto failed;
    }
  self->watcher = pid;
  self->watch_fd = ctl[1];
  self->status_fd = status[0];
  do
    n = read (self->status_fd, &got, sizeof got);
  while (n < 0 && errno == EINTR);
  if (n != sizeof got || got <= 0)
    {
      il_program_release_watcher (self, TRUE);
      errno = n == sizeof got ? -got : EAGAIN;
      goto failed;
    }
  self->root = got;
  fcntl (self->status_fd, F_SETFL, O_NONBLOCK);
  return TRUE;

failed:
  g_set_error (error, IL_ERROR, IL_ERROR_FAILED, "%s", g_strerror (errno));
  return FALSE;
}

/* Whether the program has ended (without reaping it); TRUE also when the watcher is gone. */
gboolean
il_program_watch_ended (IlProgram *self)
{
  char c;
  ssize_t n;

  if (self->root_ended)
    return TRUE;
  if (self->status_fd < 0)
    return TRUE;
  n = read (self->status_fd, &c, 1);
  if (n == 1 && c == 'x')
    self->root_ended = TRUE;
  else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
    self->root_ended = TRUE;
  return self->root_ended;
}

/* Once it has ended: reaps the program and returns its wait status (-1: not known). */
int
il_program_watch_reap (IlProgram *self)
{
  char reply[1 + sizeof (int)];
  gsize have = 0;
  int status;

  if (self->watch_fd < 0 || write (self->watch_fd, "r", 1) != 1)
    return -1;
  while (have < sizeof reply)
    {
      struct pollfd p = { self->status_fd, POLLIN, 0 };
      /* One byte at a time up to the 's': an 'x' it sent before it saw our 'r' comes first. */
      ssize_t n = read (self->status_fd, reply + have, have == 0 ? 1 : sizeof reply - have);

      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return -1;
      if (n < 0)
        {
          if (poll (&p, 1, -1) < 0 && errno != EINTR)
            return -1;
          continue;
        }
      if (have == 0 && reply[0] != 's')
        continue;
      have += (gsize) n;
    }
  memcpy (&status, reply + 1, sizeof status);
  return status;
}

/* Asks the watcher to kill every process left below it (a stopped run: nothing stays). */
void
il_program_watch_kill (IlProgram *self)
{
  if (self->watch_fd >= 0 && write (self->watch_fd, "k", 1) != 1)
    g_debug ("watcher: %s", g_strerror (errno));
}

/* Ends the watcher: let go ('q': the program's leftover processes keep running), or with
 * @kill_all, everything below it killed first. */
void
il_program_release_watcher (IlProgram *self, gboolean kill_all)
{
  if (self->watch_fd >= 0)
    {
      if (!kill_all && write (self->watch_fd, "q", 1) != 1)
        g_debug ("watcher: %s", g_strerror (errno));
      close (self->watch_fd);
      self->watch_fd = -1;
    }
  if (self->status_fd >= 0)
    {
      close (self->status_fd);
      self->status_fd = -1;
    }
  if (self->watcher > 0)
    while (waitpid (self->watcher, NULL, 0) < 0 && errno == EINTR)
      ;
  self->watcher = -1;
}
