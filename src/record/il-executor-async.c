/* il-executor-async.c: the async executor: one thread, one GMainContext, tasks as cooperative
 * state machines (coroutines) that yield at every wait, like asyncio. `workers` is the number of
 * tasks in flight at once; each of those slots is a lane, all on the same thread. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-executor-kinds.h"

/* A CPU-bound coroutine yields to the loop after this much work, so the others get a turn (an
 * asyncio coroutine would `await asyncio.sleep(0)`). */
#define IL_ASYNC_SLICE_NS (2 * G_GINT64_CONSTANT (1000000))
/* A timer served later than this after its deadline was held up by the loop, not by the
 * kernel's timer slack (50 µs by default). */
#define IL_ASYNC_LATE_NS (100 * G_GINT64_CONSTANT (1000))

typedef struct _IlExecutorAsync IlExecutorAsync;

typedef struct
{
  IlExecutorAsync *owner;
  guint            index;
  IlRecorder       rec;
  GSource         *source;
  int              task;       /* -1 when the slot has finished */
  gint64           task_start;
  guint            phase;
  guint            n_phases;
  IlPhase          current;
  gint64           left;       /* of the current phase: blocks, bytes, or the deadline (ns) */
  IlTaskStatus     status;
  int              disk_fd;
  gsize            mem_offset;
  guint64          sink;
} IlSlot;

struct _IlExecutorAsync
{
  IlExecutor    parent;
  GThread      *thread;
  GMainContext *context;
  IlSlot       *slots;
  guint         n_active;
};

static void il_slot_next_task  (IlSlot *slot);
static void il_slot_next_phase (IlSlot *slot);

static IlExecutor *
il_slot_executor (IlSlot *slot)
{
  return &slot->owner->parent;
}

static void
il_slot_clear_source (IlSlot *slot)
{
  if (slot->source != NULL)
    {
      g_source_destroy (slot->source);
      g_clear_pointer (&slot->source, g_source_unref);
    }
}

static void
il_slot_schedule (IlSlot      *slot,
                  GSource     *source,
                  GSourceFunc  func)
{
  il_slot_clear_source (slot);
  g_source_set_callback (source, func, slot, NULL);
  g_source_attach (source, slot->owner->context);
  slot->source = source;
}

static void
il_slot_finish_task (IlSlot *slot)
{
  gint64 end = il_clock_now_ns ();

  il_slot_clear_source (slot);
  il_recorder_enter (&slot->rec, IL_STATE_IDLE, -1, end);
  il_recorder_task_done (&slot->rec, slot->task, slot->task_start, end, slot->status);
  il_slot_next_task (slot);
}

/* One slice of CPU work, then back to the loop. */
static gboolean
il_slot_compute_cb (gpointer data)
{
  IlSlot *slot = data;
  IlExecutor *ex = il_slot_executor (slot);
  gint64 now = il_clock_now_ns ();
  gint64 slice_end = now + IL_ASYNC_SLICE_NS;
  gint64 quantum = slot->current.kind == IL_PHASE_CPU ? (gint64) il_work_cpu_quantum (&ex->calibration)
                                                      : (gint64) il_work_memory_quantum (&ex->calibration);

  il_recorder_enter (&slot->rec, IL_STATE_RUNNING, slot->task, now);

  while (slot->left > 0)
    {
      gint64 n = MIN (slot->left, quantum);

      if (slot->current.kind == IL_PHASE_CPU)
        slot->sink ^= il_work_cpu_blocks ((guint64) n, slot->sink + (guint64) slot->left);
      else
        slot->sink ^= il_work_memory_bytes ((gsize) n, &slot->mem_offset);
      slot->left -= n;
      il_recorder_quantum (&slot->rec);

      if (il_executor_is_cancelled (ex))
        {
          slot->status = IL_TASK_CANCELLED;
          il_slot_finish_task (slot);
          return G_SOURCE_REMOVE;
        }
      if (slot->rec.last_check_ns >= slice_end)
        break;
    }

  if (slot->left > 0)
    {
      /* Yielded with work left: runnable, waiting for the loop to come back to it (loop-wait). */
      il_recorder_enter (&slot->rec, IL_STATE_LOOP_WAIT, slot->task, il_clock_now_ns ());
      return G_SOURCE_CONTINUE;
    }

  g_clear_pointer (&slot->source, g_source_unref);
  il_slot_next_phase (slot);
  return G_SOURCE_REMOVE;
}

static gboolean
il_slot_timer_cb (gpointer data)
{
  IlSlot *slot = data;
  gint64 now = il_clock_now_ns ();

  if (now < slot->left)
    {
      /* A long wait wakes up every split interval so a live view sees it grow. */
      il_recorder_split_if_due (&slot->rec, now);
      g_source_set_ready_time (slot->source, MIN (slot->left, now + IL_RECORDER_SPLIT_NS) / 1000);
      return G_SOURCE_CONTINUE;
    }

  /* The wait ended at its deadline. When the loop came back much later (another coroutine was
   * computing and does not yield before its slice ends), this one was runnable meanwhile: like
   * a task in asyncio's ready queue, that is `loop-wait` (waiting for the loop thread, not for a
   * CPU: the kernel's `ready` means something else), not more waiting. */
  if (now - slot->left > IL_ASYNC_LATE_NS)
    il_recorder_enter (&slot->rec, IL_STATE_LOOP_WAIT, slot->task, slot->left);

  g_clear_pointer (&slot->source, g_source_unref);
  il_slot_next_phase (slot);
  return G_SOURCE_REMOVE;
}

/* Disk calls block the loop (as file I/O does in asyncio unless offloaded); between steps the
 * coroutine yields so the others run. */
static gboolean
il_slot_disk_cb (gpointer data)
{
  IlSlot *slot = data;
  IlExecutor *ex = il_slot_executor (slot);
  g_autoptr(GError) error = NULL;

  if (!il_work_disk_step (&slot->disk_fd, &slot->sink, &error))
    {
      il_executor_set_error (ex, g_steal_pointer (&error));
      /* Every task would fail the same way: stop with the cause, like the other executors. */
      il_executor_cancel (ex);
      slot->status = IL_TASK_FAILED;
      il_slot_finish_task (slot);
      return G_SOURCE_REMOVE;
    }
  il_recorder_split_if_due (&slot->rec, il_clock_now_ns ());

  if (il_clock_now_ns () < slot->left)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&slot->source, g_source_unref);
  il_slot_next_phase (slot);
  return G_SOURCE_REMOVE;
}

static gboolean
il_timer_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     data)
{
  return callback (data);
}

static GSourceFuncs il_timer_funcs = {
  .dispatch = il_timer_dispatch,
};

static void
il_slot_next_phase (IlSlot *slot)
{
  IlExecutor *ex = il_slot_executor (slot);
  gint64 now = il_clock_now_ns ();
  GSource *source;

  if (il_executor_is_cancelled (ex))
    slot->status = IL_TASK_CANCELLED;
  if (slot->phase >= slot->n_phases || slot->status != IL_TASK_OK)
    {
      il_slot_finish_task (slot);
      return;
    }

  il_workload_get_phase (&ex->calibration, ex->config->workload, ex->config->task_ms, slot->task,
                         slot->phase, &slot->current);
  slot->phase++;

  switch (slot->current.kind)
    {
    case IL_PHASE_CPU:
    case IL_PHASE_MEMORY:
      slot->left = slot->current.amount;
      il_recorder_enter (&slot->rec, IL_STATE_LOOP_WAIT, slot->task, now);
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      il_slot_schedule (slot, source, il_slot_compute_cb);
      break;

    case IL_PHASE_SLEEP:
      /* The await: a timer on the loop, nobody blocks. */
      slot->left = now + slot->current.amount;
      il_recorder_enter (&slot->rec, IL_STATE_IO_WAIT, slot->task, now);
      source = g_source_new (&il_timer_funcs, sizeof (GSource));
      g_source_set_ready_time (source, MIN (slot->left, now + IL_RECORDER_SPLIT_NS) / 1000);
      il_slot_schedule (slot, source, il_slot_timer_cb);
      break;

    case IL_PHASE_DISK:
      slot->left = now + slot->current.amount;
      il_recorder_enter (&slot->rec, IL_STATE_IO_WAIT, slot->task, now);
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      il_slot_schedule (slot, source, il_slot_disk_cb);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
il_slot_next_task (IlSlot *slot)
{
  IlExecutor *ex = il_slot_executor (slot);

  /* Tasks that finish at once (empty, or the run was cancelled) are taken in this loop rather
   * than through il_slot_finish_task(), which would recurse once per task and overflow the stack
   * on a long list of empty tasks. */
  for (;;)
    {
      int task = il_executor_next_task (ex);
      gint64 end;

      if (task < 0)
        {
          il_recorder_close (&slot->rec, il_clock_now_ns ());
          slot->task = -1;
          slot->owner->n_active--;
          return;
        }

      slot->task = task;
      slot->task_start = il_clock_now_ns ();
      slot->phase = 0;
      slot->n_phases = il_workload_get_n_phases (ex->config->workload, ex->config->task_ms, task);
      slot->status = IL_TASK_OK;
      /* A coroutine starts running when the loop gets to it; an empty task is just that. */
      il_recorder_enter (&slot->rec, IL_STATE_RUNNING, task, slot->task_start);

      if (il_executor_is_cancelled (ex))
        slot->status = IL_TASK_CANCELLED;
      if (slot->n_phases > 0 && slot->status == IL_TASK_OK)
        {
          il_slot_next_phase (slot);
          return;
        }

      end = il_clock_now_ns ();
      il_slot_clear_source (slot);
      il_recorder_enter (&slot->rec, IL_STATE_IDLE, -1, end);
      il_recorder_task_done (&slot->rec, slot->task, slot->task_start, end, slot->status);
    }
}

static gpointer
il_async_thread_main (gpointer data)
{
  IlExecutorAsync *self = data;
  IlExecutor *ex = &self->parent;
  GError *error = NULL;
  int pid = (int) getpid (), tid = il_gettid ();

  g_main_context_push_thread_default (self->context);

  for (guint i = 0; i < ex->n_lanes; i++)
    {
      atomic_store (&ex->lanes[i].pid, pid);
      atomic_store (&ex->lanes[i].tid, tid);
    }

  if (!il_executor_apply_affinity (ex, &error))
    {
      il_executor_set_error (ex, error);
      il_executor_cancel (ex);
    }
  else
    {
      self->slots = g_new0 (IlSlot, ex->n_lanes);
      self->n_active = ex->n_lanes;
      for (guint i = 0; i < ex->n_lanes; i++)
        {
          IlSlot *slot = &self->slots[i];

          slot->owner = self;
          slot->index = i;
          slot->disk_fd = -1;
          slot->mem_offset = (gsize) i * 4096 * 1024;
          il_executor_init_recorder (ex, &slot->rec, i);
          /* One thread: its coroutines can never run at once, so on the CPU board they are one. */
          slot->rec.board_owner = 0;
        }
      /* Each coroutine's lane gets its own capture stream of this one thread. */
      for (guint i = 0; i < ex->n_lanes && error == NULL; i++)
        if (ex->capture->klass->worker_begin != NULL)
          ex->capture->klass->worker_begin (ex->capture, &self->slots[i].rec, &error);
      if (error != NULL)
        {
          il_executor_set_error (ex, error);
          il_executor_cancel (ex);
        }

      /* Like asyncio.gather: every coroutine is started, then the loop runs them. */
      for (guint i = 0; i < ex->n_lanes; i++)
        il_slot_next_task (&self->slots[i]);

      while (self->n_active > 0)
        {
          g_main_context_iteration (self->context, TRUE);

          if (il_executor_is_cancelled (ex))
            for (guint i = 0; i < ex->n_lanes; i++)
              if (self->slots[i].task >= 0)
                {
                  self->slots[i].status = IL_TASK_CANCELLED;
                  il_slot_finish_task (&self->slots[i]);
                }
        }

      for (guint i = 0; i < ex->n_lanes; i++)
        if (self->slots[i].disk_fd >= 0)
          close (self->slots[i].disk_fd);
    }

  g_main_context_pop_thread_default (self->context);
  il_executor_worker_exited (ex);
  return NULL;
}

static gboolean
il_executor_async_start (IlExecutor  *ex,
                         GError     **error)
{
  IlExecutorAsync *self = (IlExecutorAsync *) ex;

  self->context = g_main_context_new ();
  atomic_store (&ex->n_alive, 1);
  self->thread = g_thread_try_new ("il-async", il_async_thread_main, self, error);
  if (self->thread == NULL)
    {
      atomic_store (&ex->n_alive, 0);
      return FALSE;
    }
  return TRUE;
}

static void
il_executor_async_cancel (IlExecutor *ex)
{
  IlExecutorAsync *self = (IlExecutorAsync *) ex;

  /* The loop may be asleep in poll() waiting for a timer. */
  if (self->context != NULL)
    g_main_context_wakeup (self->context);
}

static void
il_executor_async_join (IlExecutor *ex)
{
  IlExecutorAsync *self = (IlExecutorAsync *) ex;

  g_clear_pointer (&self->thread, g_thread_join);
}

static void
il_executor_async_finalize (IlExecutor *ex)
{
  IlExecutorAsync *self = (IlExecutorAsync *) ex;

  g_free (self->slots);
  g_clear_pointer (&self->context, g_main_context_unref);
}

static const IlExecutorClass il_executor_async_class = {
  .name = "async",
  .worker_kind = IL_WORKER_THREAD,
  .start = il_executor_async_start,
  .cancel = il_executor_async_cancel,
  .join = il_executor_async_join,
  .finalize = il_executor_async_finalize,
};

IlExecutor *
il_executor_async_new (void)
{
  IlExecutorAsync *self = g_new0 (IlExecutorAsync, 1);

  self->parent.klass = &il_executor_async_class;
  return &self->parent;
}
