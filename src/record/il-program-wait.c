/* il-program-wait.c: what a blocked thread of a traced program waits on (GIL, lock, I/O). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a blocked thread of a traced program waits on, from its system call in
 * /proc/PID/task/TID/syscall: a futex inside its process's _PyRuntime is the GIL, another futex
 * a lock, sleeps, polls and waits for children apart from other I/O. */
#include "config.h"

#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "il-program-private.h"

gboolean
il_program_proc_runtime (IlProgram *self, Proc *p, gint64 now)
{
  if (p->rt_known)
    return TRUE;
  /* Not (yet) found: libpython may not be mapped the instant after an exec; try again later. */
  if (p->rt_tried_ns != G_MININT64 && now - p->rt_tried_ns < G_GINT64_CONSTANT (50000000))
    return FALSE;
  p->rt_tried_ns = now;
  p->rt_known = il_program_find_runtime_cached (self->elf_cache, p->pid, &p->rt_lo, &p->rt_hi);
  return p->rt_known;
}

guint8
il_program_read_block_reason (IlProgram *self, Thread *th, gint64 now)
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
  /* The kernel's state at this read, which the stacks sampler takes instead of reading stat. */
  th->syscall_ns = now;
  th->syscall_running = buf[0] == 'r';
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
      if (th->proc == NULL || !il_program_proc_runtime (self, th->proc, now))
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

void
il_program_note_reason (Thread *th, gint64 t, guint8 code)
{
  Reason r = { t, code };

  if (th->reasons->len > 0 && g_array_index (th->reasons, Reason, th->reasons->len - 1).t >= t)
    return;
  g_array_append_val (th->reasons, r);
}

/* The state of blocked time [a, b): the most frequent blocked sample in it; without one (shorter
 * than a sample) the thread's latest one before it, if recent, else its first one after it, if
 * soon; I/O wait otherwise. */
guint8
il_program_blocked_state_between (Thread *th, gint64 a, gint64 b)
{
  guint counts[256] = { 0 };
  guint8 best = NO_REASON, before = NO_REASON, after = NO_REASON;
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
        {
          if (r->t - b <= REASON_KEEP_NS)
            after = r->state;
          break;
        }
      if (++counts[r->state] >= best_n)
        {
          best_n = counts[r->state];
          best = r->state;
        }
    }
  if (best != NO_REASON)
    return best;
  if (before != NO_REASON)
    return before;
  /* Nothing before either: a new thread's first wait (a Python thread's is the GIL's, before
   * its first bytecode), or a thread the tracer first heard of late (the kernel capture learns
   * of threads from records it reads every 10 ms). The sample after it is the best guess. */
  return after != NO_REASON ? after : CODE (IL_STATE_IO_WAIT, IL_WAIT_NONE);
}

void
il_program_prune_reasons (Thread *th, gint64 before)
{
  guint k = 0;

  while (k < th->reasons->len && g_array_index (th->reasons, Reason, k).t < before)
    k++;
  /* Keep one older sample: blocked_state_between() may use it for a short wait. */
  if (k > 1)
    g_array_remove_range (th->reasons, 0, k - 1);
}
