/* il-ring.c: allocation and the consumer side of the span ring. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-ring.h"

#if defined(__x86_64__) || defined(__i386__)
# include <emmintrin.h>
# define IL_HAVE_CLFLUSH 1
#endif

IlRing *
il_ring_new (guint capacity)
{
  IlRing *ring;
  guint64 size = 1;

  g_return_val_if_fail (capacity > 0, NULL);

  while (size < capacity)
    size <<= 1;

  /* Aligned so the producer's and the consumer's indices really sit on different lines. */
  ring = g_aligned_alloc0 (1, sizeof (IlRing), 64);
  ring->mask = size - 1;
  ring->slots = g_new (IlSpan, size);
  atomic_init (&ring->head, 0);
  atomic_init (&ring->tail, 0);
  atomic_init (&ring->dropped, 0);
  atomic_init (&ring->wake_pending, 0);
  return ring;
}

void
il_ring_free (IlRing *ring)
{
  if (ring == NULL)
    return;
  g_free (ring->slots);
  g_aligned_free (ring);
}

guint
il_ring_get_capacity (const IlRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return (guint) (ring->mask + 1);
}

guint64
il_ring_get_dropped (IlRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return atomic_load_explicit (&ring->dropped, memory_order_relaxed);
}

guint
il_ring_get_n_pending (IlRing *ring)
{
  guint64 head = atomic_load_explicit (&ring->head, memory_order_acquire);
  guint64 tail = atomic_load_explicit (&ring->tail, memory_order_relaxed);

  return (guint) (head - tail);
}

/* The producer rewrites these slots one lap later. Left shared in the consumer's cache, every
 * rewrite would first have to invalidate the consumer's copy: measured here, that doubles the
 * cost of recording an event. Flushing them after reading moves that cost to the consumer. */
static void
il_ring_release_lines (IlRing  *ring,
                       guint64  first,
                       guint    n)
{
#ifdef IL_HAVE_CLFLUSH
  while (n > 0)
    {
      guint64 index = first & ring->mask;
      guint chunk = (guint) MIN ((guint64) n, ring->mask + 1 - index);
      const char *p = (const char *) (ring->slots + index);
      const char *end = (const char *) (ring->slots + index + chunk);

      for (p = (const char *) ((guintptr) p & ~(guintptr) 63); p < end; p += 64)
        _mm_clflush (p);
      first += chunk;
      n -= chunk;
    }
#endif
}

guint
il_ring_pop_many (IlRing *ring, IlSpan *out, guint max)
{
  guint64 tail = atomic_load_explicit (&ring->tail, memory_order_relaxed);
  guint64 avail;
  guint n, i;

  g_return_val_if_fail (ring != NULL, 0);

  if (ring->cached_head - tail < max)
    ring->cached_head = atomic_load_explicit (&ring->head, memory_order_acquire);
  avail = ring->cached_head - tail;
  n = (guint) MIN (avail, (guint64) max);

  for (i = 0; i < n; i++)
    out[i] = ring->slots[(tail + i) & ring->mask];
  il_ring_release_lines (ring, tail, n);

  /* Release: the producer may reuse the slots only after the copies above are done. */
  atomic_store_explicit (&ring->tail, tail + n, memory_order_release);
  if (n > 0)
    atomic_store_explicit (&ring->wake_pending, 0, memory_order_relaxed);
  return n;
}

void
il_ring_count_drop (IlRing *ring)
{
  atomic_fetch_add_explicit (&ring->dropped, 1, memory_order_relaxed);
}
