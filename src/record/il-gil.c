/* il-gil.c: the emulated GIL: take, drop with forced switching, and the holder's drop check. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-gil.h"

IlGil *
il_gil_new (double switch_interval_ms)
{
  IlGil *gil;

  g_return_val_if_fail (switch_interval_ms > 0, NULL);

  gil = g_new0 (IlGil, 1);
  g_mutex_init (&gil->mutex);
  g_cond_init (&gil->cond);
  g_cond_init (&gil->switch_cond);
  gil->holder = -1;
  gil->last_holder = -1;
  gil->interval_ns = (gint64) (switch_interval_ms * 1e6);
  if (gil->interval_ns < 1000)
    gil->interval_ns = 1000;
  atomic_init (&gil->drop_request, 0);
  return gil;
}

void
il_gil_free (IlGil *gil)
{
  if (gil == NULL)
    return;
  g_mutex_clear (&gil->mutex);
  g_cond_clear (&gil->cond);
  g_cond_clear (&gil->switch_cond);
  g_free (gil);
}

void
il_gil_set_cancel_flag (IlGil        *gil,
                        _Atomic int  *cancel)
{
  g_return_if_fail (gil != NULL);
  gil->cancel = cancel;
}

static inline gboolean
il_gil_cancelled (IlGil *gil)
{
  return gil->cancel != NULL && atomic_load_explicit (gil->cancel, memory_order_relaxed) != 0;
}

gboolean
il_gil_take (IlGil      *gil,
             int         id,
             IlRecorder *rec,
             int         task)
{
  gboolean waited = FALSE;

  g_return_val_if_fail (gil != NULL, FALSE);

  g_mutex_lock (&gil->mutex);

  if (gil->locked && rec != NULL && !(rec->open && rec->state == IL_STATE_GIL_WAIT))
    il_recorder_enter (rec, IL_STATE_GIL_WAIT, task, il_clock_now_ns ());

  gil->n_waiters++;
  while (gil->locked)
    {
      guint64 saved_switch = gil->switch_number;
      gint64 deadline_us = g_get_monotonic_time () + gil->interval_ns / 1000;
      gboolean timed_out;

      waited = TRUE;
      timed_out = !g_cond_wait_until (&gil->cond, &gil->mutex, deadline_us);

      /* Only ask the holder to drop when nobody switched during the whole interval: another
       * waiter may have had its turn meanwhile, and then this one waits a fresh interval. */
      if (timed_out && gil->locked && gil->switch_number == saved_switch)
        {
          atomic_store_explicit (&gil->drop_request, 1, memory_order_relaxed);
          gil->n_drop_requests++;
        }

      if (rec != NULL)
        il_recorder_split_if_due (rec, il_clock_now_ns ());

      if (il_gil_cancelled (gil))
        {
          gil->n_waiters--;
          g_mutex_unlock (&gil->mutex);
          return FALSE;
        }
    }
  gil->n_waiters--;

  g_assert (gil->holder == -1);
  gil->locked = TRUE;
  gil->holder = id;
  if (gil->last_holder != id)
    {
      gil->last_holder = id;
      gil->switch_number++;
      gil->n_switches++;
    }
  /* A forced dropper waits for exactly this hand-over. */
  g_cond_broadcast (&gil->switch_cond);

  /* The request was for whoever held it before; it is served now. */
  if (waited || il_gil_drop_requested (gil))
    atomic_store_explicit (&gil->drop_request, 0, memory_order_relaxed);

  g_mutex_unlock (&gil->mutex);
  return TRUE;
}

void
il_gil_drop (IlGil      *gil,
             int         id,
             IlRecorder *rec,
             int         task,
             IlState     then,
             gboolean    forced)
{
  g_return_if_fail (gil != NULL);

  if (forced)
    then = IL_STATE_GIL_WAIT;

  g_mutex_lock (&gil->mutex);

  g_assert (gil->locked && gil->holder == id);
  if (rec != NULL)
    il_recorder_enter (rec, then, then == IL_STATE_IDLE ? -1 : task, il_clock_now_ns ());
  gil->locked = FALSE;
  gil->holder = -1;
  g_cond_signal (&gil->cond);

  if (forced && gil->n_waiters > 0)
    {
      /* Forced switching: do not compete again before a waiter has had the lock. Give up the
       * wait only if every waiter left (cancelled) so nobody can ever take it. */
      while (gil->last_holder == id && gil->n_waiters > 0)
        {
          gint64 deadline_us = g_get_monotonic_time () + gil->interval_ns / 1000;

          g_cond_wait_until (&gil->switch_cond, &gil->mutex, deadline_us);
          if (il_gil_cancelled (gil))
            break;
        }
    }

  g_mutex_unlock (&gil->mutex);
}

gboolean
il_gil_yield (IlGil      *gil,
              int         id,
              IlRecorder *rec,
              int         task)
{
  il_gil_drop (gil, id, rec, task, IL_STATE_GIL_WAIT, TRUE);
  return il_gil_take (gil, id, rec, task);
}
