/* il-ring.h: a lock-free single-producer, single-consumer ring of spans: one per worker lane. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stdatomic.h>
#include "il-trace.h"

G_BEGIN_DECLS

/* A ring entry whose state is this marker is not a span but a finished task: task, start_ns and
 * end_ns are the task's, cpu holds its IlTaskStatus. It travels the same ring so a task record
 * never arrives before the spans it covers. */
#define IL_RING_TASK_MARK 0xF0

/* The producer and the consumer each keep their index on their own cache line and a private copy
 * of the other's, so in the common case a push touches no line the consumer writes. */
typedef struct
{
  _Alignas (64) _Atomic guint64 head;   /* next slot to write; written by the producer only */
  guint64 cached_tail;
  _Alignas (64) _Atomic guint64 tail;   /* next slot to read; written by the consumer only */
  guint64 cached_head;
  _Alignas (64) guint64 mask;
  IlSpan *slots;
  _Atomic guint64 dropped;              /* entries lost because the ring stayed full */
  _Atomic int     wake_pending;         /* the producer asked the consumer to drain soon */
} IlRing;

/* @capacity is rounded up to a power of two. */
IlRing  *il_ring_new          (guint capacity);
void     il_ring_free         (IlRing *ring);
guint    il_ring_get_capacity (const IlRing *ring);
guint64  il_ring_get_dropped  (IlRing *ring);
/* Consumer side: copies up to @max entries into @out and frees their slots; returns how many. */
guint    il_ring_pop_many     (IlRing *ring, IlSpan *out, guint max);
/* Number of entries waiting (exact for the consumer, a lower bound for anyone else). */
guint    il_ring_get_n_pending (IlRing *ring);

/* Producer side, on the recording hot path: no lock, no allocation, no system call. Returns FALSE
 * when the consumer has fallen a whole ring behind (the caller decides: wait, or drop). When
 * @wants_drain is given, it is set once the ring is more than half full and nobody asked for a
 * drain yet: the caller then wakes the consumer. Usually that costs one compare against the
 * producer's own copy of the consumer's index. */
static inline gboolean
il_ring_push_full (IlRing *ring, const IlSpan *span, gboolean *wants_drain)
{
  guint64 head = atomic_load_explicit (&ring->head, memory_order_relaxed);

  if (G_UNLIKELY (head - ring->cached_tail > ring->mask))
    {
      ring->cached_tail = atomic_load_explicit (&ring->tail, memory_order_acquire);
      if (head - ring->cached_tail > ring->mask)
        return FALSE;
    }

  ring->slots[head & ring->mask] = *span;
  atomic_store_explicit (&ring->head, head + 1, memory_order_release);

  if (G_UNLIKELY (head + 1 - ring->cached_tail > (ring->mask + 1) / 2) && wants_drain != NULL &&
      atomic_load_explicit (&ring->wake_pending, memory_order_relaxed) == 0)
    {
      ring->cached_tail = atomic_load_explicit (&ring->tail, memory_order_acquire);
      *wants_drain = head + 1 - ring->cached_tail > (ring->mask + 1) / 2 &&
                     atomic_exchange_explicit (&ring->wake_pending, 1, memory_order_relaxed) == 0;
    }
  return TRUE;
}

static inline gboolean
il_ring_push (IlRing *ring, const IlSpan *span)
{
  return il_ring_push_full (ring, span, NULL);
}

/* Producer side, for a producer that does not use il_ring_push_full(): the same question. */
static inline gboolean
il_ring_wants_drain (IlRing *ring)
{
  guint64 head = atomic_load_explicit (&ring->head, memory_order_relaxed);

  if (G_LIKELY (head - ring->cached_tail <= (ring->mask + 1) / 2))
    return FALSE;
  ring->cached_tail = atomic_load_explicit (&ring->tail, memory_order_acquire);
  if (head - ring->cached_tail <= (ring->mask + 1) / 2)
    return FALSE;
  return atomic_exchange_explicit (&ring->wake_pending, 1, memory_order_relaxed) == 0;
}

/* Counts an entry lost for good (the run was cancelled while the ring was full). */
void     il_ring_count_drop   (IlRing *ring);

G_END_DECLS
