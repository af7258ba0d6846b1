/* il-gil.h: an emulated global interpreter lock with CPython's "new GIL" switching rules. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stdatomic.h>
#include "il-recorder.h"

G_BEGIN_DECLS

/* CPython 3.2+ (Python/ceval_gil.h): a thread that waits longer than the switch interval without
 * any switch happening sets a drop request; the holder checks the request at regular points
 * (here: every work quantum), releases, and with forced switching waits until another thread has
 * taken the lock before it competes again. Blocking waits release it and take it back after. */
typedef struct
{
  GMutex  mutex;
  GCond   cond;          /* signalled when the lock is released */
  GCond   switch_cond;   /* signalled when the lock changes hands */
  gboolean locked;
  int     holder;        /* worker id, -1 when free */
  int     last_holder;
  guint64 switch_number; /* incremented each time the lock goes to a different thread */
  guint   n_waiters;
  gint64  interval_ns;
  _Atomic int drop_request;
  _Atomic int *cancel;   /* optional: waiters give up when set */

  /* Statistics, under the mutex. */
  guint64 n_switches;
  guint64 n_drop_requests;
} IlGil;

IlGil   *il_gil_new   (double switch_interval_ms);
void     il_gil_free  (IlGil *gil);
void     il_gil_set_cancel_flag (IlGil *gil, _Atomic int *cancel);

/* Takes the lock for worker @id; while it must wait, @rec (may be NULL) records `gil-wait`.
 * Returns FALSE without the lock only when the cancel flag was raised while waiting. */
gboolean il_gil_take  (IlGil *gil, int id, IlRecorder *rec, int task);
/* Releases the lock; @rec (may be NULL) enters state @then just before, so the next holder's
 * running span never starts before this one's ended. With @forced (a drop request was honoured)
 * it waits, in `gil-wait`, until another thread has taken the lock, so the releasing thread
 * cannot immediately retake it. */
void     il_gil_drop  (IlGil *gil, int id, IlRecorder *rec, int task, IlState then,
                       gboolean forced);

/* The holder's check at every quantum: cheap, no lock. */
static inline gboolean
il_gil_drop_requested (IlGil *gil)
{
  return atomic_load_explicit (&gil->drop_request, memory_order_relaxed) != 0;
}

/* Honours a drop request: forced drop, then take again. */
gboolean il_gil_yield (IlGil *gil, int id, IlRecorder *rec, int task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlGil, il_gil_free)

G_END_DECLS
