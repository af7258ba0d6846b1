/* il-program.c: a traced program as a run kind: starts a command in its own process group, follows
 * its processes and threads (perf context switches, or /proc sampled every 1 ms), folds launcher
 * processes (shims, sh -c, env) into what they exec'd, and tells GIL, lock and I/O waits apart by
 * the futex a blocked thread sleeps on. One tracer thread produces; the owner drains a ring. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-perf.h"
#include "il-program.h"
#include "il-ring.h"

#define PERF_PAGES 256              /* 1 MB ring per CPU: ~40 000 switch records between drains */
#define PERF_DRAIN_NS    G_GINT64_CONSTANT (10000000)
#define PERF_MARGIN_NS   G_GINT64_CONSTANT (20000000)  /* records may land this late in a ring (a
                                                        * virtual CPU can be stopped between an
                                                        * event's time stamp and its record) */
#define SCAN_NS          G_GINT64_CONSTANT (5000000)   /* sampled: new threads and processes; new
                                                        * processes every 1 ms for CONFIRM_NS after
                                                        * one: a launcher's helpers (pyenv's shims
                                                        * fork a dozen, 1-5 ms each) are the run's
                                                        * own time only if seen */
#define HOUSEKEEP_NS     G_GINT64_CONSTANT (10000000)
#define REASON_NS        G_GINT64_CONSTANT (2000000)   /* kernel: what blocked threads wait on;
                                                        * every 1 ms, the tracer's wake-ups were
                                                        * 4 % of a core beside a Python lesson */
#define STAT_EVERY_NS    G_GINT64_CONSTANT (10000000)  /* sampled: a blocked thread's stat at least */
#define FLUSH_NS         G_GINT64_CONSTANT (10000000)  /* open spans are split so a live view moves */
#define KEEP_OPEN_NS     G_GINT64_CONSTANT (60000000)  /* …keeping their newest part open, which a
                                                        * record that comes late may still cut */
#define CONFIRM_NS       G_GINT64_CONSTANT (250000000) /* a child younger than this may be a launcher's */
#define REASON_KEEP_NS   G_GINT64_CONSTANT (50000000)
#define KILL_GRACE_NS    G_GINT64_CONSTANT (1000000000)
#define RING_CAPACITY    (1u << 16)

typedef enum { PROC_PENDING, PROC_CONFIRMED, PROC_DROPPED } ProcStatus;

typedef struct _Proc Proc;
struct _Proc
{
  int         pid;
  int         ppid;
  Proc       *parent;          /* the traced process that forked it; NULL for the command */
  gint64      fork_ns;
  gint64      exec_ns;         /* its last exec (G_MININT64: none seen) */
  ProcStatus  status;
  gboolean    exited;
  gboolean    announced;
  char       *command;
  char       *announced_command;
  char        comm[16];
  char       *exe;             /* sampled: /proc/PID/exe, to notice an exec */
  /* Where its GIL lives, resolved when first needed after its last exec. */
  gboolean    rt_known;
  gint64      rt_tried_ns;
  guint64     rt_lo, rt_hi;
};

typedef struct
{
  gint64 t;
  guint8 state;
} Reason;

typedef struct
{
  int       pid, tid;
  Proc     *proc;
  int       lane;              /* -1 until announced */
  char      comm[16];
  char     *announced_name;
  gboolean  exited;
  /* Kernel capture: the state since the last switch. */
  gboolean  on_cpu;
  int       cpu;
  gint64    since_ns;
  gboolean  preempted;         /* off CPU and still runnable: ready */
  gboolean  before_exec;       /* the root before its exec: not the program yet, nothing to show */
  /* Sampling: /proc files kept open (pread at 0 re-reads them). */
  int       fd_syscall, fd_stat, fd_schedstat;
  int       fd_children;       /* sampled: its children, opened at the first scan (-1: none) */
  guint64   run_ns, wait_ns;   /* schedstat at the last sample */
  guint64   pcount;            /* schedstat's times on a CPU at the last sample */
  gint64    stat_ns;           /* when /proc/…/stat was last read */
  gint64    sample_ns;         /* time of the last sample; -1 before the first */
  char      state;             /* /proc stat state at the last sample */
  guint8    block_state;       /* what it blocked on at the last blocked sample (a CODE) */
  GArray   *reasons;           /* of Reason: blocked samples, oldest first */
  /* Output: the open span (merged while state and CPU stay) and spans held while pending. */
  IlSpan    open;
  gboolean  has_open;
  GArray   *held;
} Thread;

typedef enum { NOTE_LANE, NOTE_PROCESS, NOTE_NAME, NOTE_DROP } NoteKind;

typedef struct
{
  NoteKind kind;
  guint    lane;
  int      pid, ppid, tid;
  char    *text, *text2;
} Note;

typedef struct
{
  guint64 time;
  guint32 type, misc;
  int     pid, tid, ppid;
  int     cpu;
  char    comm[16];
} Event;

struct _IlProgram
{
  IlRunConfig  *config;
  gint64        origin_ns;
  IlCaptureKind capture;
  char         *path;           /* resolved program */
  pid_t         root;
  int           wait_status;
  int           gate[2];

  /* Kernel capture */
  guint         n_cpus;
  int          *fds;
  struct perf_event_mmap_page **rings;
  gsize         map_size;
  GArray       *events;         /* of Event, waiting for the horizon */
  guint64       lost;

  /* Tracer state (tracer thread only) */
  GThread      *thread;
  GHashTable   *procs;          /* pid → Proc */
  GPtrArray    *proc_order;     /* of Proc, in creation order (parents first) */
  GHashTable   *threads;        /* tid → Thread */
  GHashTable   *not_ours;       /* sampled: pids seen that are not descendants */
  GArray       *found;          /* sampled: children read by the last scan (of long), reused */
  gint64        last_new_proc_ns; /* when the newest process was found */
  GHashTable   *elf_cache;      /* path → ElfRuntime */
  guint         next_lane;
  gboolean      ending;

  /* Owner side */
  IlRing       *ring;
  GMutex        note_mutex;
  GArray       *notes;          /* of Note */
  IlSpan       *scratch;
  GArray       *drop_pids;      /* of int: launcher helpers to remove once all is drained */

  void        (*done_notify) (gpointer);
  void        (*drain_notify) (gpointer);
  gpointer      notify_data;
  _Atomic int   cancel;
  _Atomic int   done;
  _Atomic int   notify;         /* the owner wants the callbacks (cleared when it frees us) */
};

/* ------------------------------------------------------------------ where the GIL lives */

typedef struct
{
  gboolean found;
  gboolean dyn;                 /* ET_DYN: addresses are relative to the load base */
  guint64  value, size;
  guint64  first_vaddr;         /* of the first PT_LOAD, mapped at the file's offset 0 */
} ElfRuntime;

/* Looks _PyRuntime up in the dynamic symbol table (every CPython exports it: ctypes and
 * debuggers rely on it), else in .symtab. 64-bit ELF only. */
static void
elf_find_runtime (const char *path, ElfRuntime *out)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  const guint8 *map;
  const Elf64_Ehdr *eh;

  memset (out, 0, sizeof *out);
  if (fd < 0)
    return;
  if (fstat (fd, &st) != 0 || st.st_size < (off_t) sizeof (Elf64_Ehdr))
    {
      close (fd);
      return;
    }
  map = mmap (NULL, (gsize) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close (fd);
  if (map == MAP_FAILED)
    return;
  eh = (const Elf64_Ehdr *) (gconstpointer) map;
  if (memcmp (eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shoff == 0 || eh->e_shoff + (guint64) eh->e_shnum * sizeof (Elf64_Shdr) > (guint64) st.st_size ||
      eh->e_phoff + (guint64) eh->e_phnum * sizeof (Elf64_Phdr) > (guint64) st.st_size)
    goto out;

  out->dyn = eh->e_type == ET_DYN;
  for (guint i = 0; i < eh->e_phnum; i++)
    {
      const Elf64_Phdr *ph = (const Elf64_Phdr *) (gconstpointer) (map + eh->e_phoff + i * sizeof *ph);
      if (ph->p_type == PT_LOAD)
        {
          out->first_vaddr = ph->p_vaddr - ph->p_offset;
          break;
        }
    }

  for (int pass = 0; pass < 2 && !out->found; pass++)
    for (guint i = 0; i < eh->e_shnum && !out->found; i++)
      {
        const Elf64_Shdr *sh = (const Elf64_Shdr *) (gconstpointer) (map + eh->e_shoff + i * sizeof *sh);
        const Elf64_Shdr *strsh;

        if (sh->sh_type != (pass == 0 ? SHT_DYNSYM : SHT_SYMTAB) || sh->sh_link >= eh->e_shnum ||
            sh->sh_offset + sh->sh_size > (guint64) st.st_size || sh->sh_entsize != sizeof (Elf64_Sym))
          continue;
        strsh = (const Elf64_Shdr *) (gconstpointer) (map + eh->e_shoff + sh->sh_link * sizeof *sh);
        if (strsh->sh_offset + strsh->sh_size > (guint64) st.st_size)
          continue;
        for (guint64 k = 0; k < sh->sh_size / sizeof (Elf64_Sym); k++)
          {
            const Elf64_Sym *sym = (const Elf64_Sym *) (gconstpointer) (map + sh->sh_offset + k * sizeof *sym);

            if (sym->st_name >= strsh->sh_size || sym->st_shndx == SHN_UNDEF || sym->st_size == 0)
              continue;
            if (strncmp ((const char *) map + strsh->sh_offset + sym->st_name, "_PyRuntime",
                         strsh->sh_size - sym->st_name) == 0)
              {
                out->found = TRUE;
                out->value = sym->st_value;
                out->size = sym->st_size;
                break;
              }
          }
      }
out:
  munmap ((gpointer) map, (gsize) st.st_size);
}

static gboolean
find_runtime_cached (GHashTable *cache, int pid, guint64 *lo, guint64 *hi)
{
  g_autofree char *maps_path = g_strdup_printf ("/proc/%d/maps", pid);
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (maps_path, &maps, NULL, NULL))
    return FALSE;
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long start, end, offset;
      char perms[8];
      int name_at = 0;
      const char *path, *base;
      ElfRuntime *rt;

      if (sscanf (lines[i], "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &offset,
                  &name_at) < 4 || name_at == 0 || offset != 0)
        continue;
      path = lines[i] + name_at;
      base = strrchr (path, '/');
      base = base != NULL ? base + 1 : path;
      /* Only CPython's own files: the interpreter binary or libpython. */
      if (path[0] != '/' || (!g_str_has_prefix (base, "python") && !g_str_has_prefix (base, "libpython")))
        continue;
      rt = cache != NULL ? g_hash_table_lookup (cache, path) : NULL;
      if (rt == NULL)
        {
          rt = g_new0 (ElfRuntime, 1);
          elf_find_runtime (path, rt);
          if (cache != NULL)
            g_hash_table_insert (cache, g_strdup (path), rt);
        }
      if (rt->found)
        {
          guint64 addr = rt->dyn ? start + rt->value - rt->first_vaddr : rt->value;

          *lo = addr;
          *hi = addr + rt->size;
          if (cache == NULL)
            g_free (rt);
          return TRUE;
        }
      if (cache == NULL)
        g_free (rt);
    }
  return FALSE;
}

gboolean
il_program_find_python_runtime (int pid, guint64 *lo, guint64 *hi)
{
  g_return_val_if_fail (lo != NULL && hi != NULL, FALSE);
  return find_runtime_cached (NULL, pid, lo, hi);
}

/* ------------------------------------------------------------------ what a blocked thread waits on */

static gboolean
proc_runtime (IlProgram *self, Proc *p, gint64 now)
{
  if (p->rt_known)
    return TRUE;
  /* Not (yet) found: libpython may not be mapped the instant after an exec; try again later. */
  if (p->rt_tried_ns != G_MININT64 && now - p->rt_tried_ns < G_GINT64_CONSTANT (50000000))
    return FALSE;
  p->rt_tried_ns = now;
  p->rt_known = find_runtime_cached (self->elf_cache, p->pid, &p->rt_lo, &p->rt_hi);
  return p->rt_known;
}

/* A blocked thread's state and what it waits on, in one byte: the state in the low four bits,
 * the IlWaitKind in the high four. NO_REASON: running, or nothing to tell. */
#define CODE(state, kind) ((guint8) ((state) | ((kind) << 4)))
#define CODE_STATE(c)     ((IlState) ((c) & 0xf))
#define CODE_KIND(c)      ((IlWaitKind) ((c) >> 4))
#define NO_REASON         0xff

static guint8
read_block_reason (IlProgram *self, Thread *th, gint64 now)
{
  char buf[256];
  ssize_t n;
  long nr;
  unsigned long long arg0 = 0;
  char *end;

  if (th->fd_syscall < 0)
    return NO_REASON;
  n = pread (th->fd_syscall, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return NO_REASON;
  buf[n] = '\0';
  if (buf[0] == 'r')   /* "running" */
    return NO_REASON;
  nr = strtol (buf, &end, 10);
  if (end == buf || nr < 0)   /* "-1 …": off CPU outside a system call (preempted): no answer */
    return NO_REASON;
  if (*end == ' ')
    arg0 = strtoull (end + 1, NULL, 16);

  switch (nr)
    {
    case __NR_futex:
#ifdef __NR_futex_waitv
    case __NR_futex_waitv:
#endif
      if (th->proc == NULL || !proc_runtime (self, th->proc, now))
        return CODE (IL_STATE_LOCK_WAIT, IL_WAIT_LOCK_UNKNOWN);
      if (nr == __NR_futex && arg0 >= th->proc->rt_lo && arg0 < th->proc->rt_hi)
        return CODE (IL_STATE_GIL_WAIT, IL_WAIT_GIL);
      return CODE (IL_STATE_LOCK_WAIT, IL_WAIT_LOCK);
#ifdef __NR_nanosleep
    case __NR_nanosleep:
#endif
    case __NR_clock_nanosleep:
      return CODE (IL_STATE_IO_WAIT, IL_WAIT_SLEEP);
#ifdef __NR_poll
    case __NR_poll:
#endif
#ifdef __NR_select
    case __NR_select:
#endif
#ifdef __NR_epoll_wait
    case __NR_epoll_wait:
#endif
    case __NR_ppoll:
    case __NR_pselect6:
    case __NR_epoll_pwait:
#ifdef __NR_epoll_pwait2
    case __NR_epoll_pwait2:
#endif
      return CODE (IL_STATE_IO_WAIT, IL_WAIT_POLL);
    case __NR_wait4:
    case __NR_waitid:
      return CODE (IL_STATE_IO_WAIT, IL_WAIT_CHILD);
    default:
      return CODE (IL_STATE_IO_WAIT, IL_WAIT_IO);
    }
}

static void
note_reason (Thread *th, gint64 t, guint8 code)
{
  Reason r = { t, code };

  if (th->reasons->len > 0 && g_array_index (th->reasons, Reason, th->reasons->len - 1).t >= t)
    return;
  g_array_append_val (th->reasons, r);
}

/* The state of blocked time [a, b): the most frequent blocked sample in it; without one (shorter
 * than a sample) the thread's latest one before it, if recent; I/O wait otherwise. */
static guint8
blocked_state_between (Thread *th, gint64 a, gint64 b)
{
  guint counts[256] = { 0 };
  guint8 best = NO_REASON, before = NO_REASON;
  guint best_n = 0;

  for (guint i = 0; i < th->reasons->len; i++)
    {
      const Reason *r = &g_array_index (th->reasons, Reason, i);

      if (r->t < a)
        {
          if (a - r->t <= REASON_KEEP_NS)
            before = r->state;
          continue;
        }
      if (r->t >= b)
        break;
      if (++counts[r->state] >= best_n)
        {
          best_n = counts[r->state];
          best = r->state;
        }
    }
  if (best != NO_REASON)
    return best;
  return before != NO_REASON ? before : CODE (IL_STATE_IO_WAIT, IL_WAIT_NONE);
}

static void
prune_reasons (Thread *th, gint64 before)
{
  guint k = 0;

  while (k < th->reasons->len && g_array_index (th->reasons, Reason, k).t < before)
    k++;
  /* Keep one older sample: blocked_state_between() may use it for a short wait. */
  if (k > 1)
    g_array_remove_range (th->reasons, 0, k - 1);
}

/* ------------------------------------------------------------------ processes and lanes */

static void
post_note (IlProgram *self, Note *note)
{
  g_mutex_lock (&self->note_mutex);
  g_array_append_val (self->notes, *note);
  g_mutex_unlock (&self->note_mutex);
}

static char *
read_cmdline (int pid)
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

static void
read_comm (int pid, int tid, char comm[16])
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/comm", pid, tid);
  g_autofree char *data = NULL;

  if (g_file_get_contents (path, &data, NULL, NULL))
    g_strlcpy (comm, g_strchomp (data), 16);
}

static Proc *
get_proc (IlProgram *self, int pid, int ppid, gint64 t)
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
  p->status = pid == self->root ? PROC_CONFIRMED : PROC_PENDING;
  self->last_new_proc_ns = t;
  if (p->parent != NULL)
    memcpy (p->comm, p->parent->comm, sizeof p->comm);
  g_hash_table_insert (self->procs, GINT_TO_POINTER (pid), p);
  g_ptr_array_add (self->proc_order, p);
  return p;
}

static void
proc_free (gpointer data)
{
  Proc *p = data;

  g_free (p->command);
  g_free (p->announced_command);
  g_free (p->exe);
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
}

static void
thread_close_files (Thread *th)
{
  if (th->fd_syscall >= 0)
    close (th->fd_syscall);
  if (th->fd_stat >= 0)
    close (th->fd_stat);
  if (th->fd_schedstat >= 0)
    close (th->fd_schedstat);
  if (th->fd_children >= 0)
    close (th->fd_children);
  th->fd_syscall = th->fd_stat = th->fd_schedstat = th->fd_children = -1;
}

static Thread *
get_thread (IlProgram *self, int pid, int tid, gint64 t)
{
  Thread *th = g_hash_table_lookup (self->threads, GINT_TO_POINTER (tid));

  if (th != NULL)
    return th;
  th = g_new0 (Thread, 1);
  th->pid = pid;
  th->tid = tid;
  th->proc = get_proc (self, pid, 0, t);
  th->lane = -1;
  th->cpu = -1;
  th->since_ns = t;
  th->preempted = TRUE;   /* a new thread is runnable from its creation */
  th->sample_ns = -1;
  th->block_state = CODE (IL_STATE_IO_WAIT, IL_WAIT_NONE);
  th->fd_syscall = th->fd_stat = th->fd_schedstat = th->fd_children = -1;
  th->reasons = g_array_new (FALSE, FALSE, sizeof (Reason));
  th->held = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  memcpy (th->comm, th->proc->comm, sizeof th->comm);
  if (th->comm[0] == '\0')
    read_comm (pid, tid, th->comm);
  thread_open_files (th);
  g_hash_table_insert (self->threads, GINT_TO_POINTER (tid), th);
  return th;
}

static void
thread_free (gpointer data)
{
  Thread *th = data;

  thread_close_files (th);
  g_array_unref (th->reasons);
  g_array_unref (th->held);
  g_free (th->announced_name);
  g_free (th);
}

static char *
thread_name (Thread *th)
{
  /* The kernel's thread name (what `ps -L` and `top -H` show; CPython ≥ 3.14 sets it from
   * threading's names), with the tid that tells a process's threads apart. */
  return g_strdup_printf ("%s · %d", th->comm[0] ? th->comm : "?", th->tid);
}

static void
announce_process (IlProgram *self, Proc *p)
{
  Note note = { NOTE_PROCESS, 0, p->pid, p->ppid, 0, NULL, NULL };
  const char *command = p->command != NULL ? p->command : p->comm;

  if (p->announced && g_strcmp0 (p->announced_command, command) == 0)
    return;
  g_free (p->announced_command);
  p->announced_command = g_strdup (command);
  p->announced = TRUE;
  note.text = g_strdup (command);
  note.text2 = g_strdup (p->comm);
  post_note (self, &note);
}

static void
push_span (IlProgram *self, const IlSpan *span)
{
  for (guint tries = 0; !il_ring_push (self->ring, span); tries++)
    {
      /* The owner is behind: ask it to drain and wait, up to a second. */
      if (atomic_load (&self->notify) && self->drain_notify != NULL && il_ring_wants_drain (self->ring))
        self->drain_notify (self->notify_data);
      if (tries > 1000 || !atomic_load (&self->notify))
        {
          il_ring_count_drop (self->ring);
          return;
        }
      g_usleep (1000);
    }
  if (atomic_load (&self->notify) && self->drain_notify != NULL && il_ring_wants_drain (self->ring))
    self->drain_notify (self->notify_data);
}

/* Gives a confirmed process's thread its lane (once) and keeps its name current. */
static void
thread_announce (IlProgram *self, Thread *th)
{
  g_autofree char *name = thread_name (th);

  if (th->lane < 0)
    {
      Note note = { NOTE_LANE, self->next_lane, th->pid, th->proc->ppid, th->tid, NULL, NULL };

      announce_process (self, th->proc);
      th->lane = (int) self->next_lane++;
      note.text = g_strdup (name);
      post_note (self, &note);
      th->announced_name = g_steal_pointer (&name);
      return;
    }
  if (g_strcmp0 (th->announced_name, name) != 0)
    {
      Note note = { NOTE_NAME, (guint) th->lane, th->pid, 0, th->tid, g_strdup (name), NULL };

      post_note (self, &note);
      g_free (th->announced_name);
      th->announced_name = g_steal_pointer (&name);
    }
}

/* A span of a dropped process (a launcher's helper) travels with this worker index: it gets no
 * lane, but its time on a CPU is the run's own, not other programs' (il_run_trace_add_undrawn). */
#define UNDRAWN_WORKER G_MAXUINT16

static void
push_undrawn (IlProgram *self, const IlSpan *span)
{
  IlSpan s = *span;

  if (s.state != IL_STATE_RUNNING || s.cpu < 0)
    return;
  s.worker = UNDRAWN_WORKER;
  s.task = -1;
  push_span (self, &s);
}

static void
flush_span (IlProgram *self, Thread *th, const IlSpan *span)
{
  IlSpan s = *span;

  switch (th->proc->status)
    {
    case PROC_DROPPED:
      push_undrawn (self, &s);
      return;
    case PROC_PENDING:
      g_array_append_val (th->held, s);
      return;
    case PROC_CONFIRMED:
    default:
      thread_announce (self, th);
      s.worker = (guint16) th->lane;
      push_span (self, &s);
    }
}

static void
flush_open (IlProgram *self, Thread *th)
{
  if (th->has_open)
    flush_span (self, th, &th->open);
  th->has_open = FALSE;
}

/* Adds [start, end) in @state (absolute times) to @th's output, merged with the open span. */
static void
emit (IlProgram *self, Thread *th, guint8 code, int cpu, gint64 start, gint64 end)
{
  IlState state = CODE_STATE (code);
  /* What a blocked span waited on travels in its task field (traced programs have no tasks);
   * the owner moves it beside the spans (il_program_drain). */
  gint32 detail = CODE_KIND (code) != IL_WAIT_NONE ? -2 - (gint32) CODE_KIND (code) : -1;

  start -= self->origin_ns;
  end -= self->origin_ns;
  if (start < 0)
    start = 0;
  if (end <= start)
    return;
  if (th->has_open && th->open.state == state && th->open.cpu == cpu && th->open.task == detail &&
      th->open.end_ns >= start)
    {
      th->open.end_ns = MAX (th->open.end_ns, end);
      return;
    }
  if (th->has_open && start < th->open.end_ns)
    start = th->open.end_ns;
  if (end <= start)
    return;
  flush_open (self, th);
  th->open.start_ns = start;
  th->open.end_ns = end;
  th->open.state = state;
  th->open.cpu = (gint16) cpu;
  th->open.task = detail;
  th->open.worker = 0;
  th->has_open = TRUE;
}

/* A launcher's children (pyenv's helpers, the shell of a shim) were forked before it exec'd the
 * program: they are dropped with their spans. A child whose parent did not exec for CONFIRM_NS
 * after its fork (or to the end) is the program's own and keeps its lanes. */
static void
resolve_processes (IlProgram *self, gint64 now)
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
            thread_announce (self, th);
            for (guint k = 0; k < th->held->len; k++)
              {
                IlSpan s = g_array_index (th->held, IlSpan, k);
                s.worker = (guint16) th->lane;
                push_span (self, &s);
              }
          }
        else
          for (guint k = 0; k < th->held->len; k++)
            push_undrawn (self, &g_array_index (th->held, IlSpan, k));
        g_array_set_size (th->held, 0);
      }
  }
}

static void
proc_exec (IlProgram *self, Proc *p, gint64 t)
{
  p->exec_ns = t;
  p->rt_known = FALSE;
  p->rt_tried_ns = G_MININT64;
  /* Its pending children belonged to what it was before. */
  for (guint i = 0; i < self->proc_order->len; i++)
    {
      Proc *c = g_ptr_array_index (self->proc_order, i);
      if (c->status == PROC_PENDING && (c->parent == p || (c->parent != NULL && c->parent->status == PROC_DROPPED)) &&
          c->fork_ns <= t)
        c->status = PROC_DROPPED;
    }
}

/* ------------------------------------------------------------------ kernel capture */

static void
collect_record (const struct perf_event_header *h, gpointer data)
{
  IlProgram *self = data;
  const guchar *rec = (const guchar *) h;
  struct { guint32 pid, tid; guint64 time; guint32 cpu, res; } id;
  Event e = { 0 };

  if (h->type == PERF_RECORD_LOST)
    {
      guint64 lost;
      memcpy (&lost, rec + sizeof *h + 8, 8);
      self->lost += lost;
      return;
    }
  if (h->size < sizeof *h + sizeof id)
    return;
  memcpy (&id, rec + h->size - sizeof id, sizeof id);
  e.type = h->type;
  e.misc = h->misc;
  e.time = id.time;
  e.pid = (int) id.pid;
  e.tid = (int) id.tid;
  e.cpu = (int) id.cpu;

  switch (h->type)
    {
    case PERF_RECORD_SWITCH:
      break;
    case PERF_RECORD_COMM:
      {
        guint32 pid, tid;
        memcpy (&pid, rec + sizeof *h, 4);
        memcpy (&tid, rec + sizeof *h + 4, 4);
        e.pid = (int) pid;
        e.tid = (int) tid;
        g_strlcpy (e.comm, (const char *) rec + sizeof *h + 8, sizeof e.comm);
        break;
      }
    case PERF_RECORD_FORK:
    case PERF_RECORD_EXIT:
      {
        /* pid, ppid, tid, ptid, time */
        guint32 pid, ppid, tid;
        memcpy (&pid, rec + sizeof *h, 4);
        memcpy (&ppid, rec + sizeof *h + 4, 4);
        memcpy (&tid, rec + sizeof *h + 8, 4);
        memcpy (&e.time, rec + sizeof *h + 16, 8);
        e.pid = (int) pid;
        e.ppid = (int) ppid;
        e.tid = (int) tid;
        break;
      }
    default:
      return;
    }
  g_array_append_val (self->events, e);
}

/* A record older than what was already laid out (its ring was read late: a virtual CPU can be
 * stopped between an event's time stamp and its record): the open span is cut back to it. */
static void
rewind_to (IlProgram *self, Thread *th, gint64 t)
{
  gint64 rel = t - self->origin_ns;

  if (t >= th->since_ns)
    return;
  if (th->has_open && th->open.end_ns > rel)
    {
      if (th->open.start_ns < rel)
        th->open.end_ns = rel;
      else
        th->has_open = FALSE;
    }
  th->since_ns = t;
}

static void
handle_event (IlProgram *self, const Event *e)
{
  Thread *th;
  gint64 t = (gint64) e->time;

  switch (e->type)
    {
    case PERF_RECORD_SWITCH:
      th = get_thread (self, e->pid, e->tid, t);
      if (th->exited)
        break;
      th->before_exec = FALSE;   /* its exec record went missing: from its start, as before */
      rewind_to (self, th, t);
      if (e->misc & PERF_RECORD_MISC_SWITCH_OUT)
        {
          /* Without a switch-in seen (on CPU when tracing began at its exec), it ran on the CPU
           * it now leaves. */
          emit (self, th, IL_STATE_RUNNING, th->on_cpu ? th->cpu : e->cpu, th->since_ns, t);
          th->on_cpu = FALSE;
          th->preempted = (e->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0;
        }
      else
        {
          if (!th->on_cpu)
            emit (self, th, th->preempted ? IL_STATE_READY : blocked_state_between (th, th->since_ns, t),
                  -1, th->since_ns, t);
          th->on_cpu = TRUE;
          th->cpu = e->cpu;
        }
      th->since_ns = t;
      break;

    case PERF_RECORD_COMM:
      th = get_thread (self, e->pid, e->tid, t);
      g_strlcpy (th->comm, e->comm, sizeof th->comm);
      if (th->tid == th->pid)
        {
          memcpy (th->proc->comm, th->comm, sizeof th->comm);
          if (e->misc & PERF_RECORD_MISC_COMM_EXEC)
            proc_exec (self, th->proc, t);
          /* Our child's records start at its exec (enable_on_exec), on a CPU. Before, it was still
           * ours, waiting for the gate and a CPU: tens of ms on a busy machine, which, laid out as
           * the program's running, made a waiting `sh -c` look like a worker. */
          if (th->before_exec && (e->misc & PERF_RECORD_MISC_COMM_EXEC))
            {
              th->before_exec = FALSE;
              th->on_cpu = TRUE;
              th->cpu = e->cpu;
              th->preempted = FALSE;
              th->since_ns = MAX (th->since_ns, t);
            }
        }
      if (th->lane >= 0)
        thread_announce (self, th);
      break;

    case PERF_RECORD_FORK:
      if (e->pid == e->tid)
        get_proc (self, e->pid, e->ppid, t);
      th = get_thread (self, e->pid, e->tid, t);
      break;

    case PERF_RECORD_EXIT:
      th = g_hash_table_lookup (self->threads, GINT_TO_POINTER (e->tid));
      if (th != NULL && !th->exited)
        {
          rewind_to (self, th, t);
          if (th->on_cpu)
            emit (self, th, IL_STATE_RUNNING, th->cpu, th->since_ns, t);
          th->on_cpu = FALSE;
          th->exited = TRUE;
          flush_open (self, th);
          thread_close_files (th);
          if (th->tid == th->pid)
            th->proc->exited = TRUE;
        }
      break;

    default:
      break;
    }
}

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const Event *x = a, *y = b;

  return x->time < y->time ? -1 : x->time > y->time;
}

/* Reads every ring, then handles the records older than @horizon in time order (rings are per
 * CPU, so a thread's switch-out and its next switch-in can sit in different rings). */
static void
perf_process (IlProgram *self, gint64 horizon)
{
  guint keep = 0;
  GHashTableIter iter;
  gpointer value;

  for (guint c = 0; c < self->n_cpus; c++)
    il_perf_ring_read (self->rings[c], (const guint8 *) self->rings[c] + self->rings[c]->data_offset,
                       self->rings[c]->data_size, collect_record, self);
  g_array_sort (self->events, compare_events);
  while (keep < self->events->len && (gint64) g_array_index (self->events, Event, keep).time < horizon)
    keep++;
  for (guint i = 0; i < keep; i++)
    handle_event (self, &g_array_index (self->events, Event, i));
  g_array_remove_range (self->events, 0, keep);

  /* What is known up to the horizon is recorded now, so a thread that runs for seconds without
   * a switch still shows live. */
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;

      if (th->exited || th->before_exec || th->since_ns >= horizon)
        continue;
      if (th->on_cpu)
        emit (self, th, IL_STATE_RUNNING, th->cpu, th->since_ns, horizon);
      else
        emit (self, th, th->preempted ? IL_STATE_READY : blocked_state_between (th, th->since_ns, horizon),
              -1, th->since_ns, horizon);
      th->since_ns = horizon;
      prune_reasons (th, horizon - REASON_KEEP_NS);
    }
}

static int
perf_open (IlProgram *self, int cpu, int *saved_errno)
{
  struct perf_event_attr attr;
  int fd;

  il_perf_switch_attr_init (&attr);
  /* Follow the program's threads and children from its exec on, with their names. */
  attr.comm = 1;
  attr.comm_exec = 1;
  attr.task = 1;
  attr.inherit = 1;
  attr.disabled = 1;
  attr.enable_on_exec = 1;
  attr.watermark = 1;
  attr.wakeup_watermark = PERF_PAGES * 4096 / 4;
  /* One event per CPU: the kernel maps a ring only for those when children inherit it. */
  fd = (int) syscall (SYS_perf_event_open, &attr, self->root, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0)
    *saved_errno = errno;
  return fd;
}

static gboolean
perf_setup (IlProgram *self, GError **error)
{
  self->n_cpus = MAX (il_cpu_count (), 1);
  self->map_size = (1 + PERF_PAGES) * (gsize) sysconf (_SC_PAGESIZE);
  self->fds = g_new (int, self->n_cpus);
  self->rings = g_new0 (struct perf_event_mmap_page *, self->n_cpus);
  for (guint c = 0; c < self->n_cpus; c++)
    self->fds[c] = -1;
  for (guint c = 0; c < self->n_cpus; c++)
    {
      int saved = 0;
      gpointer map;

      self->fds[c] = perf_open (self, (int) c, &saved);
      if (self->fds[c] < 0)
        {
          g_autofree char *msg = il_perf_refused_message (saved);
          g_set_error_literal (error, IL_ERROR, IL_ERROR_UNSUPPORTED, msg);
          return FALSE;
        }
      map = mmap (NULL, self->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fds[c], 0);
      if (map == MAP_FAILED)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                       _("Cannot map the kernel's trace buffer: %s"), g_strerror (errno));
          return FALSE;
        }
      self->rings[c] = map;
    }
  return TRUE;
}

static void
perf_teardown (IlProgram *self)
{
  for (guint c = 0; self->fds != NULL && c < self->n_cpus; c++)
    {
      if (self->rings[c] != NULL)
        munmap (self->rings[c], self->map_size);
      if (self->fds[c] >= 0)
        close (self->fds[c]);
    }
  g_clear_pointer (&self->fds, g_free);
  g_clear_pointer (&self->rings, g_free);
}

/* Kernel capture: which blocked system call each live thread is in, sampled every 2 ms (switch
 * records say when a thread blocked, not on what). */
static void
perf_sample_reasons (IlProgram *self, gint64 now)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;
      guint8 s;

      if (th->exited)
        continue;
      s = read_block_reason (self, th, now);
      if (s != NO_REASON)
        note_reason (th, now, s);
    }
}

/* ------------------------------------------------------------------ sampled capture */

/* Parses state, processor from /proc/…/stat (the name in parentheses may hold spaces). */
static gboolean
parse_stat (const char *buf, char *state, int *cpu, int *ppid)
{
  const char *p = strrchr (buf, ')');
  int field = 3;

  if (p == NULL || p[1] != ' ')
    return FALSE;
  p += 2;
  *state = *p;
  *cpu = -1;
  if (ppid != NULL)
    *ppid = (int) strtol (p + 2, NULL, 10);
  while (*p != '\0' && field < 39)
    {
      if (*p == ' ')
        field++;
      p++;
    }
  if (field == 39)
    *cpu = (int) strtol (p, NULL, 10);
  return TRUE;
}

/* One sample of one thread: its schedstat (time on a CPU and waiting in the run queue, in ns,
 * exact) since the last sample, laid out as running, ready and blocked time in the order its
 * states at both samples suggest. */
static void
sample_thread (IlProgram *self, Thread *th, gint64 now)
{
  char buf[1024];
  ssize_t n;
  char state;
  int cpu;
  unsigned long long run_ns, wait_ns, pcount;
  gint64 dt, drun, dwait, t;
  gboolean was_blocked, is_blocked;
  guint8 block = th->block_state;

  if (th->exited || th->fd_stat < 0 || th->fd_schedstat < 0)
    return;
  n = pread (th->fd_schedstat, buf, sizeof buf - 1, 0);
  if (n <= 0)
    goto gone;
  buf[n] = '\0';
  if (sscanf (buf, "%llu %llu %llu", &run_ns, &wait_ns, &pcount) != 3)
    goto gone;

  /* Blocked at the last sample and not on a CPU since (schedstat counts each time it gets one):
   * still blocked on the same thing, so its stat and system call need not be read. Most threads
   * of a GIL or I/O lesson wait most of the time, and these reads were most of the sampled
   * tracer's cost. Read anyway every STAT_EVERY_NS: a main thread that ended stays a zombie
   * without running again. */
  if (th->sample_ns >= 0 && th->state == 'S' && pcount == th->pcount &&
      now - th->stat_ns < STAT_EVERY_NS)
    {
      state = 'S';
      cpu = -1;
      is_blocked = TRUE;
    }
  else
    {
      n = pread (th->fd_stat, buf, sizeof buf - 1, 0);
      if (n <= 0)
        goto gone;
      buf[n] = '\0';
      if (!parse_stat (buf, &state, &cpu, NULL) || state == 'Z' || state == 'X' || state == 'x')
        goto gone;
      th->stat_ns = now;
      is_blocked = state == 'S' || state == 'D' || state == 'T' || state == 't' || state == 'I';
      if (is_blocked)
        {
          guint8 r = state == 'D' ? CODE (IL_STATE_IO_WAIT, IL_WAIT_IO) : read_block_reason (self, th, now);
          if (r != NO_REASON)
            block = r;
        }
    }
  th->pcount = pcount;

  if (th->sample_ns < 0)
    {
      /* First sight: from its start (or the run's) to now, what it did is in schedstat. */
      th->sample_ns = MAX (th->since_ns, self->origin_ns);
      th->run_ns = 0;
      th->wait_ns = 0;
      th->state = 'R';
    }
  dt = now - th->sample_ns;
  if (dt <= 0)
    return;
  was_blocked = th->state == 'S' || th->state == 'D';
  t = th->sample_ns;
  /* run_ns and wait_ns are what was laid out so far; the counters may be ahead of it (read a
   * moment after @now: the rest goes to the next sample, so totals stay exact) or behind it. */
  if (!was_blocked && !is_blocked)
    {
      /* Runnable at both samples: on a CPU but for its run-queue wait. A running task's run
       * counter is brought up to date only at the scheduler's tick or a switch, so it lags;
       * the wait counter tells how much of the interval it did not run. */
      dwait = CLAMP ((gint64) (wait_ns - th->wait_ns), 0, dt);
      drun = dt - dwait;
    }
  else
    {
      drun = CLAMP ((gint64) (run_ns - th->run_ns), 0, dt);
      dwait = CLAMP ((gint64) (wait_ns - th->wait_ns), 0, dt - drun);
    }
  th->run_ns += (guint64) drun;
  th->wait_ns += (guint64) dwait;

  if (!was_blocked && !is_blocked)
    {
      emit (self, th, IL_STATE_RUNNING, cpu, t, t + drun);
      emit (self, th, IL_STATE_READY, -1, t + drun, now);
    }
  else if (was_blocked)
    {
      gint64 blocked = dt - drun - dwait;
      emit (self, th, th->block_state, -1, t, t + blocked);
      t += blocked;
      emit (self, th, IL_STATE_READY, -1, t, t + dwait);
      t += dwait;
      emit (self, th, IL_STATE_RUNNING, cpu, t, t + drun);
    }
  else
    {
      emit (self, th, IL_STATE_RUNNING, cpu, t, t + drun);
      t += drun;
      emit (self, th, IL_STATE_READY, -1, t, t + dwait);
      t += dwait;
      emit (self, th, is_blocked ? block : (guint8) IL_STATE_READY, -1, t, now);
    }
  th->sample_ns = now;
  th->state = is_blocked ? 'S' : 'R';
  th->block_state = block;
  return;

gone:
  th->exited = TRUE;
  if (th->tid == th->pid)
    th->proc->exited = TRUE;
  flush_open (self, th);
  thread_close_files (th);
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
  if (!parse_stat (buf, &state, &cpu, &ppid))
    return;
  parent = g_hash_table_lookup (self->procs, GINT_TO_POINTER (ppid));
  if (parent == NULL || parent->exited)
    {
      g_hash_table_add (self->not_ours, GINT_TO_POINTER (pid));
      return;
    }
  get_proc (self, (int) pid, ppid, now);
}

/* New processes from each live thread's /proc/PID/task/TID/children: a few small reads instead of
 * listing every process on the machine (every 5 ms that was a third of the tracer's time). FALSE
 * when the kernel has no such files (CONFIG_PROC_CHILDREN); a child missed while its parent forks
 * or exits is found at the next scan. */
static gboolean
scan_children (IlProgram *self, gint64 now)
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

/* Sampled capture: finds new processes (children of ours) and new threads, and notices an exec by
 * the executable changing. */
static void
sampled_scan (IlProgram *self, gint64 now)
{
  DIR *dir = scan_children (self, now) ? NULL : opendir ("/proc");
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
      DIR *tasks;

      if (p->exited)
        continue;
      g_snprintf (path, sizeof path, "/proc/%d/exe", p->pid);
      exe = g_file_read_link (path, NULL);
      /* An exec changes the executable, or (a script exec'ing another script) the command line. */
      cmd = read_cmdline (p->pid);
      if ((exe != NULL && p->exe != NULL && strcmp (exe, p->exe) != 0) ||
          (cmd != NULL && p->command != NULL && strcmp (cmd, p->command) != 0))
        {
          Thread *main_thread = g_hash_table_lookup (self->threads, GINT_TO_POINTER (p->pid));

          proc_exec (self, p, now);
          read_comm (p->pid, p->pid, p->comm);
          if (main_thread != NULL)
            {
              memcpy (main_thread->comm, p->comm, sizeof p->comm);
              if (main_thread->lane >= 0)
                thread_announce (self, main_thread);
            }
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
      g_snprintf (path, sizeof path, "/proc/%d/task", p->pid);
      tasks = opendir (path);
      if (tasks == NULL)
        continue;
      while ((de = readdir (tasks)) != NULL)
        {
          char *end;
          long tid = strtol (de->d_name, &end, 10);

          if (*end != '\0' || tid <= 0 || g_hash_table_contains (self->threads, GINT_TO_POINTER (tid)))
            continue;
          get_thread (self, p->pid, (int) tid, now);
        }
      closedir (tasks);
    }
}

/* ------------------------------------------------------------------ the tracer thread */

static void
housekeeping (IlProgram *self, gint64 now, gint64 horizon)
{
  GHashTableIter iter;
  gpointer value;

  /* Commands and names change at exec; /proc has the current ones. */
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;
      char *cmd;

      if (p->exited || p->status == PROC_DROPPED)
        continue;
      if ((cmd = read_cmdline (p->pid)) != NULL)
        {
          g_free (p->command);
          p->command = cmd;
        }
      if (p->status == PROC_CONFIRMED && p->announced)
        announce_process (self, p);
    }
  resolve_processes (self, horizon);

  /* Sampled: a thread names itself after it starts (pthread_setname_np; CPython 3.14 passes on
   * threading's names); the kernel capture hears it as a COMM record. */
  if (self->capture == IL_CAPTURE_SAMPLED)
    {
      g_hash_table_iter_init (&iter, self->threads);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Thread *th = value;
          char comm[16] = "";

          if (th->exited)
            continue;
          read_comm (th->pid, th->tid, comm);
          if (comm[0] != '\0' && strcmp (comm, th->comm) != 0)
            {
              memcpy (th->comm, comm, sizeof comm);
              if (th->lane >= 0)
                thread_announce (self, th);
            }
        }
    }

  /* Long open spans go out in pieces so a live view moves. */
  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *th = value;

      if (th->has_open && th->open.end_ns - th->open.start_ns >= FLUSH_NS + KEEP_OPEN_NS &&
          th->proc->status == PROC_CONFIRMED)
        {
          IlSpan rest = th->open;

          th->open.end_ns = rest.end_ns - KEEP_OPEN_NS;
          flush_open (self, th);
          th->open = rest;
          th->open.start_ns = rest.end_ns - KEEP_OPEN_NS;
          th->has_open = TRUE;
        }
    }
}

static void
kill_tree (IlProgram *self, int sig)
{
  GHashTableIter iter;
  gpointer value;

  /* The process group first, then every process we know: a child may have left the group. */
  kill (-self->root, sig);
  g_hash_table_iter_init (&iter, self->procs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Proc *p = value;
      if (!p->exited)
        kill (p->pid, sig);
    }
}

/* A launcher's helper that lived long enough to get its lanes (a slow machine) is known for what
 * it was only when its parent exec'd later: the owner removes it at the end. */
static void
drop_late_launcher_helpers (IlProgram *self)
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
          post_note (self, &note);
        }
    }
}

static gpointer
tracer_thread (gpointer data)
{
  IlProgram *self = data;
  gboolean perf = self->capture == IL_CAPTURE_KERNEL;
  gint64 next = il_clock_now_ns ();
  gint64 last_drain = next, last_scan = 0, last_house = next, cancel_ns = 0;
  gint64 horizon = self->origin_ns;
  gboolean root_done = FALSE;

  for (;;)
    {
      gint64 now = il_clock_now_ns ();
      siginfo_t info;

      if (!perf && now - last_scan >= SCAN_NS)
        {
          sampled_scan (self, now);
          last_scan = now;
        }
      else if (!perf && now - self->last_new_proc_ns < CONFIRM_NS)
        scan_children (self, now);

      if (perf)
        perf_sample_reasons (self, now);
      else
        {
          GHashTableIter iter;
          gpointer value;

          g_hash_table_iter_init (&iter, self->threads);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            sample_thread (self, value, now);
          horizon = now;
        }

      if (perf && now - last_drain >= PERF_DRAIN_NS)
        {
          horizon = now - PERF_MARGIN_NS;
          perf_process (self, horizon);
          last_drain = now;
        }
      if (now - last_house >= HOUSEKEEP_NS)
        {
          housekeeping (self, now, horizon);
          last_house = now;
        }

      if (atomic_load (&self->cancel) && cancel_ns == 0)
        {
          cancel_ns = now;
          kill_tree (self, SIGTERM);
        }
      else if (cancel_ns != 0 && now - cancel_ns > KILL_GRACE_NS)
        {
          kill_tree (self, SIGKILL);
          cancel_ns = G_MAXINT64 / 2;
        }

      /* Ended? Look without reaping, so its threads' last /proc figures can still be read. */
      memset (&info, 0, sizeof info);
      {
        int r = waitid (P_PID, (id_t) self->root, &info, WEXITED | WNOHANG | WNOWAIT);
        root_done = (r == 0 && info.si_pid == self->root) || (r < 0 && errno == ECHILD);
      }
      if (root_done)
        break;

      next += perf ? REASON_NS : IL_PROGRAM_SAMPLE_NS;
      if (next < now)
        next = now + (perf ? REASON_NS : IL_PROGRAM_SAMPLE_NS);
      {
        struct timespec ts = { next / G_GINT64_CONSTANT (1000000000), next % G_GINT64_CONSTANT (1000000000) };
        while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
          ;
      }
    }

  /* The last figures, then reap the command; its descendants go with it. */
  {
    gint64 now = il_clock_now_ns ();
    GHashTableIter iter;
    gpointer value;

    if (!perf)
      {
        g_hash_table_iter_init (&iter, self->threads);
        while (g_hash_table_iter_next (&iter, NULL, &value))
          sample_thread (self, value, now);
      }
    waitpid (self->root, &self->wait_status, 0);
    if (atomic_load (&self->cancel))
      kill_tree (self, SIGKILL);
    now = il_clock_now_ns ();
    self->ending = TRUE;
    if (perf)
      {
        perf_process (self, G_MAXINT64);
        /* Still on a CPU at the end (a descendant outliving the command): ran until now. */
        g_hash_table_iter_init (&iter, self->threads);
        while (g_hash_table_iter_next (&iter, NULL, &value))
          {
            Thread *th = value;
            if (!th->exited && th->on_cpu)
              emit (self, th, IL_STATE_RUNNING, th->cpu, th->since_ns, now);
          }
      }
    housekeeping (self, now, now);
    g_hash_table_iter_init (&iter, self->threads);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      flush_open (self, value);
    resolve_processes (self, now);
    drop_late_launcher_helpers (self);
  }

  atomic_store (&self->done, 1);
  /* Not while the owner is being freed (il_program_free joins us): it would revive it. */
  if (atomic_load (&self->notify) && self->done_notify != NULL)
    self->done_notify (self->notify_data);
  return NULL;
}

/* ------------------------------------------------------------------ public */

IlProgram *
il_program_new (const IlRunConfig *config, gint64 origin_ns)
{
  IlProgram *self;

  g_return_val_if_fail (il_run_config_is_program (config), NULL);

  self = g_new0 (IlProgram, 1);
  self->config = il_run_config_copy (config);
  self->origin_ns = origin_ns;
  self->capture = IL_CAPTURE_KERNEL;
  self->root = -1;
  self->wait_status = -1;
  self->gate[0] = self->gate[1] = -1;
  self->events = g_array_new (FALSE, FALSE, sizeof (Event));
  self->procs = g_hash_table_new_full (NULL, NULL, NULL, proc_free);
  self->proc_order = g_ptr_array_new ();
  self->threads = g_hash_table_new_full (NULL, NULL, NULL, thread_free);
  self->not_ours = g_hash_table_new (NULL, NULL);
  self->found = g_array_new (FALSE, FALSE, sizeof (long));
  self->elf_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ring = il_ring_new (RING_CAPACITY);
  self->notes = g_array_new (FALSE, FALSE, sizeof (Note));
  self->scratch = g_new (IlSpan, 4096);
  self->drop_pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_mutex_init (&self->note_mutex);
  return self;
}

static char *
resolve_program (const IlRunConfig *config, GError **error)
{
  const char *arg0 = config->command[0];

  if (!il_run_config_validate (config, error))
    return NULL;
  if (strchr (arg0, '/') != NULL)
    {
      if (config->cwd != NULL && !g_path_is_absolute (arg0))
        return g_build_filename (config->cwd, arg0, NULL);
      return g_strdup (arg0);
    }
  return g_find_program_in_path (arg0);
}

gboolean
il_program_start (IlProgram *self,
                  void (*done) (gpointer), void (*drain) (gpointer),
                  gpointer data, GError **error)
{
  g_autoptr(GError) perf_error = NULL;
  extern char **environ;
  pid_t child;
  char go = 'g';

  g_return_val_if_fail (self != NULL && self->root < 0, FALSE);

  self->done_notify = done;
  self->drain_notify = drain;
  atomic_store (&self->notify, done != NULL || drain != NULL);
  self->notify_data = data;

  if ((self->path = resolve_program (self->config, error)) == NULL)
    return FALSE;

  /* The child waits on a pipe until its tracing is set up, so the trace starts at its exec. */
  if (pipe2 (self->gate, O_CLOEXEC) != 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, "%s", g_strerror (errno));
      return FALSE;
    }
  child = fork ();
  if (child < 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, "%s", g_strerror (errno));
      return FALSE;
    }
  if (child == 0)
    {
      /* Only async-signal-safe calls from here: we may have been forked from a threaded GUI. Its
       * own process group, so Stop can end the whole tree and Ctrl+C in a terminal reaches us. */
      char c;
      sigset_t none;

      setpgid (0, 0);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      signal (SIGINT, SIG_DFL);
      signal (SIGTERM, SIG_DFL);
      signal (SIGPIPE, SIG_DFL);
      close (self->gate[1]);
      if (read (self->gate[0], &c, 1) != 1)
        _exit (127);
      if (self->config->cwd != NULL && *self->config->cwd != '\0' && chdir (self->config->cwd) != 0)
        _exit (127);
      execve (self->path, self->config->command, environ);
      _exit (127);
    }
  setpgid (child, child);
  close (self->gate[0]);
  self->gate[0] = -1;
  self->root = child;

  if (self->config->capture == IL_CAPTURE_KERNEL || self->config->capture == IL_CAPTURE_AUTO)
    {
      if (!perf_setup (self, &perf_error))
        {
          perf_teardown (self);
          if (self->config->capture == IL_CAPTURE_KERNEL)
            {
              kill (child, SIGKILL);
              waitpid (child, &self->wait_status, 0);
              close (self->gate[1]);
              self->gate[1] = -1;
              g_propagate_error (error, g_steal_pointer (&perf_error));
              return FALSE;
            }
          g_debug ("%s", perf_error->message);
          self->capture = IL_CAPTURE_SAMPLED;
        }
    }
  else
    self->capture = IL_CAPTURE_SAMPLED;

  /* The program's time starts here, as it is let go: forking took 5-10 ms from the window (its
   * page tables are large) and 1-2 ms from the command line, and that is Interleave's time, not
   * the program's. The child has done nothing of its own yet but wait at the gate. */
  self->origin_ns = il_clock_now_ns ();
  {
    Proc *p = get_proc (self, child, getpid (), self->origin_ns);
    g_autofree char *base = g_path_get_basename (self->path);
    Thread *th;

    g_strlcpy (p->comm, base, sizeof p->comm);
    p->command = g_strjoinv (" ", self->config->command);
    th = get_thread (self, child, child, self->origin_ns);
    g_strlcpy (th->comm, base, sizeof th->comm);
    th->before_exec = self->capture == IL_CAPTURE_KERNEL;
  }

  if (write (self->gate[1], &go, 1) != 1)
    g_debug ("gate: %s", g_strerror (errno));
  close (self->gate[1]);
  self->gate[1] = -1;

  self->thread = g_thread_new ("il-program", tracer_thread, self);
  return TRUE;
}

gint64
il_program_get_origin_ns (IlProgram *self)
{
  return self->origin_ns;
}

IlCaptureKind
il_program_get_capture (IlProgram *self)
{
  return self->capture;
}

void
il_program_cancel (IlProgram *self)
{
  atomic_store (&self->cancel, 1);
}

gboolean
il_program_is_cancelled (IlProgram *self)
{
  return atomic_load (&self->cancel) != 0;
}

gboolean
il_program_is_done (IlProgram *self)
{
  return self->root < 0 || atomic_load (&self->done) != 0;
}

int
il_program_get_wait_status (IlProgram *self)
{
  return self->wait_status;
}

static void
apply_notes (IlProgram *self, IlRunTrace *trace)
{
  g_autoptr(GArray) notes = NULL;

  g_mutex_lock (&self->note_mutex);
  notes = self->notes;
  self->notes = g_array_new (FALSE, FALSE, sizeof (Note));
  g_mutex_unlock (&self->note_mutex);

  for (guint i = 0; i < notes->len; i++)
    {
      Note *n = &g_array_index (notes, Note, i);

      switch (n->kind)
        {
        case NOTE_LANE:
          {
            guint id = il_run_trace_add_worker (trace, n->tid == n->pid ? IL_WORKER_PROCESS : IL_WORKER_THREAD,
                                                n->pid, n->tid, n->text);
            g_warn_if_fail (id == n->lane);
          }
          break;
        case NOTE_PROCESS:
          il_run_trace_add_process (trace, n->pid, n->ppid, n->text, n->text2);
          break;
        case NOTE_NAME:
          if (n->lane < il_run_trace_get_n_workers (trace))
            il_run_trace_set_worker_name (trace, n->lane, n->text);
          break;
        case NOTE_DROP:
          g_array_append_val (self->drop_pids, n->pid);
          break;
        default:
          break;
        }
      g_free (n->text);
      g_free (n->text2);
    }
}

gboolean
il_program_drain (IlProgram *self, IlRunTrace *trace)
{
  gboolean added = FALSE;
  guint n;

  /* Lanes are announced before their spans enter the ring: notes first, then spans. */
  apply_notes (self, trace);
  while ((n = il_ring_pop_many (self->ring, self->scratch, 4096)) > 0)
    {
      guint kept = 0;

      apply_notes (self, trace);
      for (guint i = 0; i < n; i++)
        {
          IlSpan *s = &self->scratch[i];

          if (s->worker == UNDRAWN_WORKER)
            {
              il_run_trace_add_undrawn (trace, s);
              continue;
            }
          if (s->task <= -2)
            {
              if (s->worker < il_run_trace_get_n_workers (trace))
                il_run_trace_add_wait (trace, s->worker, s->start_ns, (IlWaitKind) (-2 - s->task));
              s->task = -1;
            }
          self->scratch[kept++] = *s;
        }
      if (kept > 0)
        il_run_trace_append_many (trace, self->scratch, kept);
      added = TRUE;
    }
  return added;
}

void
il_program_mark_helpers (IlRunTrace *trace)
{
  /* A helper never ran a task-like stretch (2 ms on a CPU without waiting in between, split spans
   * and preemption joined) or ran less than 2 % of its life, and did not spend most of its life
   * sleeping on purpose (time.sleep standing in for I/O is work). Helpers: a pool's handler
   * threads, a runtime's timer thread, threads that wait on locks and pipes. */
  for (guint w = 0; w < il_run_trace_get_n_workers (trace); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (trace, w);
      guint n = il_lane_get_n_spans (lane);
      gint64 stretch = 0, best = 0, end = G_MININT64, total = 0, life, slept = 0;

      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *s = il_lane_get_span (lane, i);

          if (s->state == IL_STATE_IO_WAIT &&
              il_run_trace_get_wait (trace, w, s->start_ns) == IL_WAIT_SLEEP)
            slept += s->end_ns - s->start_ns;
          /* Preempted (ready) is still the same stretch: only a wait ends it. */
          if (s->state == IL_STATE_READY && s->start_ns == end)
            {
              end = s->end_ns;
              continue;
            }
          if (s->state != IL_STATE_RUNNING)
            {
              stretch = 0;
              end = G_MININT64;
              continue;
            }
          stretch = s->start_ns == end ? stretch + (s->end_ns - s->start_ns) : s->end_ns - s->start_ns;
          end = s->end_ns;
          best = MAX (best, stretch);
          total += s->end_ns - s->start_ns;
        }
      life = n > 0 ? il_lane_get_span (lane, n - 1)->end_ns - il_lane_get_span (lane, 0)->start_ns : 0;
      il_run_trace_set_worker_helper (trace, w, (best < G_GINT64_CONSTANT (2000000) || total * 50 < life) &&
                                                slept * 2 < life);
    }
}

/* `sh -c 'python3 x.py'` (dash forks), `bash -c '…; true'`: a launcher that forked the program
 * and only waited for it. A process whose threads are all helpers, with a child process in the
 * trace, whose main thread waited for a child (wait4, waitid) more than on anything else we could
 * tell, is folded: its lanes go, its children hang under its parent. */
static void
fold_waiting_launchers (IlRunTrace *trace)
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

void
il_program_finish (IlProgram *self, IlRunTrace *trace)
{
  g_autoptr(IlRunConfig) config = NULL;

  if (self->thread != NULL)
    g_clear_pointer (&self->thread, g_thread_join);
  il_program_drain (self, trace);
  for (guint i = 0; i < self->drop_pids->len; i++)
    il_run_trace_remove_process (trace, g_array_index (self->drop_pids, int, i));
  il_program_mark_helpers (trace);
  fold_waiting_launchers (trace);
  if (self->lost > 0)
    g_warning ("%" G_GUINT64_FORMAT " kernel records were lost (the buffer overflowed)", self->lost);

  /* Its threads are the workers: known only now that the program has ended. */
  config = il_run_config_copy (il_run_trace_get_config (trace));
  config->workers = il_run_trace_get_n_workers (trace);
  config->tasks = 0;
  config->task_ms = 0;
  il_run_trace_set_config (trace, config);
}

void
il_program_free (IlProgram *self)
{
  if (self == NULL)
    return;
  if (self->thread != NULL)
    {
      atomic_store (&self->notify, 0);
      il_program_cancel (self);
      g_clear_pointer (&self->thread, g_thread_join);
    }
  else if (self->root > 0 && self->wait_status == -1)
    {
      kill (-self->root, SIGKILL);
      waitpid (self->root, &self->wait_status, 0);
    }
  perf_teardown (self);
  for (guint i = 0; i < self->notes->len; i++)
    {
      g_free (g_array_index (self->notes, Note, i).text);
      g_free (g_array_index (self->notes, Note, i).text2);
    }
  g_array_unref (self->notes);
  g_mutex_clear (&self->note_mutex);
  g_hash_table_unref (self->threads);
  g_ptr_array_unref (self->proc_order);
  g_hash_table_unref (self->procs);
  g_hash_table_unref (self->not_ours);
  g_array_unref (self->found);
  g_hash_table_unref (self->elf_cache);
  g_array_unref (self->events);
  il_ring_free (self->ring);
  g_free (self->scratch);
  g_array_unref (self->drop_pids);
  if (self->gate[0] >= 0)
    close (self->gate[0]);
  if (self->gate[1] >= 0)
    close (self->gate[1]);
  g_free (self->path);
  il_run_config_free (self->config);
  g_free (self);
}
