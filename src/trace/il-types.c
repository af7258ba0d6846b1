/* il-types.c: names of states, executors, workloads and captures, and the engine's error domain. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-types.h"

G_DEFINE_QUARK (il-error-quark, il_error)

static const char *state_names[IL_N_STATES] = {
  "running", "ready", "gil-wait", "lock-wait", "io-wait", "loop-wait", "idle", "startup",
};

static const char *executor_names[IL_N_EXECUTORS] = {
  "sequential", "threads", "processes", "async", "external",
};

static const char *workload_names[IL_N_WORKLOADS] = {
  "cpu", "memory", "sleep", "disk", "mixed", "convoy",
};

static const char *capture_names[IL_N_CAPTURES] = {
  "auto", "kernel", "self", "sampled",
};

static const char *wait_names[IL_N_WAITS] = {
  "none", "sleep", "poll", "io", "child", "lock", "lock-unknown", "gil",
};

static const char *task_status_names[] = {
  "ok", "cancelled", "failed", "pending",
};

static gboolean
lookup (const char *const *names, guint n_names, const char *str, int *out)
{
  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < n_names; i++)
    if (g_ascii_strcasecmp (names[i], str) == 0)
      {
        *out = (int) i;
        return TRUE;
      }
  return FALSE;
}

#define DEFINE_NAMES(prefix, Type, names, count)                               \
  const char *prefix##_to_string (Type v)                                      \
  {                                                                            \
    g_return_val_if_fail ((guint) v < (count), NULL);                          \
    return names[v];                                                           \
  }                                                                            \
  gboolean prefix##_from_string (const char *str, Type *out)                   \
  {                                                                            \
    int v;                                                                     \
    if (!lookup (names, (count), str, &v))                                     \
      return FALSE;                                                            \
    *out = (Type) v;                                                           \
    return TRUE;                                                               \
  }

DEFINE_NAMES (il_state, IlState, state_names, IL_N_STATES)
DEFINE_NAMES (il_executor, IlExecutorKind, executor_names, IL_N_EXECUTORS)
DEFINE_NAMES (il_workload, IlWorkloadKind, workload_names, IL_N_WORKLOADS)
DEFINE_NAMES (il_capture, IlCaptureKind, capture_names, IL_N_CAPTURES)
DEFINE_NAMES (il_task_status, IlTaskStatus, task_status_names, G_N_ELEMENTS (task_status_names))

const char *
il_state_get_title (IlState state)
{
  switch (state)
    {
    case IL_STATE_RUNNING:  return _("Running");
    case IL_STATE_READY:    return _("Ready (waiting for a CPU)");
    /* One name per state everywhere people read it (docs/glossary.md, check-vocabulary.py). */
    case IL_STATE_GIL_WAIT: return _("GIL wait");
    case IL_STATE_LOCK_WAIT: return _("Lock wait");
    case IL_STATE_IO_WAIT:  return _("I/O wait");
    case IL_STATE_LOOP_WAIT: return _("Loop wait (a task waits for the loop’s thread)");
    case IL_STATE_IDLE:     return _("Idle");
    case IL_STATE_STARTUP:  return _("Starting up");
    case IL_N_STATES:
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
il_executor_get_title (IlExecutorKind kind)
{
  switch (kind)
    {
    case IL_EXECUTOR_SEQUENTIAL: return _("Sequential");
    case IL_EXECUTOR_THREADS:    return _("Threads");
    case IL_EXECUTOR_PROCESSES:  return _("Processes");
    case IL_EXECUTOR_ASYNC:      return _("Event loop (async)");
    case IL_EXECUTOR_EXTERNAL:   return _("Traced program");
    case IL_N_EXECUTORS:
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
il_workload_get_title (IlWorkloadKind kind)
{
  switch (kind)
    {
    case IL_WORKLOAD_CPU:    return _("CPU (hashing)");
    case IL_WORKLOAD_MEMORY: return _("Memory (streaming)");
    case IL_WORKLOAD_SLEEP:  return _("Latency wait (sleep)");
    case IL_WORKLOAD_DISK:   return _("Disk (write, fsync, read)");
    case IL_WORKLOAD_MIXED:  return _("Mixed (compute and wait)");
    case IL_WORKLOAD_CONVOY: return _("Convoy (one I/O task among CPU tasks)");
    case IL_N_WORKLOADS:
    default:
      g_return_val_if_reached (NULL);
    }
}

DEFINE_NAMES (il_wait_kind, IlWaitKind, wait_names, IL_N_WAITS)

const char *
il_wait_kind_get_title (IlWaitKind kind)
{
  switch (kind)
    {
    case IL_WAIT_SLEEP:
      return _("sleeping (time.sleep, nanosleep)");
    case IL_WAIT_POLL:
      return _("waiting until a file, socket or timer is ready (poll, select, epoll)");
    case IL_WAIT_IO:
      return _("reading or writing (a file, pipe, socket or disk)");
    case IL_WAIT_CHILD:
      return _("waiting for a child process to end");
    case IL_WAIT_LOCK:
      return _("blocked on a lock (a futex: Lock, join, queue)");
    case IL_WAIT_LOCK_UNKNOWN:
      return _("blocked (lock): a futex of a program whose GIL could not be located");
    case IL_WAIT_GIL:
      return _("waiting for CPython's GIL (a futex inside _PyRuntime)");
    case IL_WAIT_NONE:
    case IL_N_WAITS:
    default:
      return NULL;
    }
}
