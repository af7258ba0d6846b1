/* test-ring.c: the span ring: order, capacity, and a threaded producer/consumer that must lose
 * and duplicate nothing. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-ring.h"

static void
test_ring_basic (void)
{
  IlRing *ring = il_ring_new (100);
  IlSpan s = { 0 }, out[256];
  guint pushed = 0, n;

  g_assert_cmpuint (il_ring_get_capacity (ring), ==, 128);

  /* Fill it: the 129th push is refused, nothing is overwritten. */
  for (guint i = 0; i < 200; i++)
    {
      s.start_ns = i;
      if (il_ring_push (ring, &s))
        pushed++;
    }
  g_assert_cmpuint (pushed, ==, 128);
  g_assert_cmpuint (il_ring_get_n_pending (ring), ==, 128);

  n = il_ring_pop_many (ring, out, 10);
  g_assert_cmpuint (n, ==, 10);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (out[i].start_ns, ==, i);

  /* Room again, and the order survives the wrap-around. */
  for (guint i = 0; i < 10; i++)
    {
      s.start_ns = 1000 + i;
      g_assert_true (il_ring_push (ring, &s));
    }
  n = il_ring_pop_many (ring, out, G_N_ELEMENTS (out));
  g_assert_cmpuint (n, ==, 128);
  g_assert_cmpint (out[0].start_ns, ==, 10);
  g_assert_cmpint (out[117].start_ns, ==, 127);
  g_assert_cmpint (out[118].start_ns, ==, 1000);
  g_assert_cmpint (out[127].start_ns, ==, 1009);
  g_assert_cmpuint (il_ring_pop_many (ring, out, 10), ==, 0);

  il_ring_count_drop (ring);
  g_assert_cmpuint (il_ring_get_dropped (ring), ==, 1);
  il_ring_free (ring);
}

#define N_ITEMS 2000000

typedef struct
{
  IlRing  *ring;
  guint64  full_waits;
} Producer;

static gpointer
producer_main (gpointer data)
{
  Producer *p = data;
  IlSpan s = { 0 };

  for (gint64 i = 0; i < N_ITEMS; i++)
    {
      s.start_ns = i;
      s.end_ns = i * 3 + 1;   /* a second field that must travel with the first */
      s.task = (int) (i & 0x7fffff);
      while (!il_ring_push (p->ring, &s))
        {
          p->full_waits++;
          g_thread_yield ();
        }
    }
  return NULL;
}

static void
test_ring_threaded (void)
{
  Producer p = { il_ring_new (1024), 0 };
  GThread *thread = g_thread_new ("producer", producer_main, &p);
  IlSpan out[300];
  gint64 expected = 0;

  /* Small pops, so the consumer and the producer really interleave on the ring's indices. */
  while (expected < N_ITEMS)
    {
      guint n = il_ring_pop_many (p.ring, out, 1 + (guint) (expected % 300));

      for (guint i = 0; i < n; i++)
        {
          if (out[i].start_ns != expected || out[i].end_ns != expected * 3 + 1 ||
              out[i].task != (int) (expected & 0x7fffff))
            g_error ("item %" G_GINT64_FORMAT " arrived as %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                     expected, out[i].start_ns, out[i].end_ns);
          expected++;
        }
      if (n == 0)
        g_thread_yield ();
    }

  g_thread_join (thread);
  g_assert_cmpint (expected, ==, N_ITEMS);
  g_assert_cmpuint (il_ring_pop_many (p.ring, out, 10), ==, 0);
  g_test_message ("producer found the ring full %" G_GUINT64_FORMAT " times", p.full_waits);
  il_ring_free (p.ring);
}

static void
test_ring_wants_drain (void)
{
  IlRing *ring = il_ring_new (64);
  IlSpan s = { 0 }, out[64];
  guint asked = 0;

  for (guint i = 0; i < 64; i++)
    {
      g_assert_true (il_ring_push (ring, &s));
      if (il_ring_wants_drain (ring))
        asked++;
    }
  /* Asked once when it passed half, not again while the request is pending. */
  g_assert_cmpuint (asked, ==, 1);
  g_assert_cmpuint (il_ring_pop_many (ring, out, 64), ==, 64);
  for (guint i = 0; i < 40; i++)
    {
      g_assert_true (il_ring_push (ring, &s));
      if (il_ring_wants_drain (ring))
        asked++;
    }
  g_assert_cmpuint (asked, ==, 2);
  il_ring_free (ring);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ring/basic", test_ring_basic);
  g_test_add_func ("/ring/threaded", test_ring_threaded);
  g_test_add_func ("/ring/wants-drain", test_ring_wants_drain);

  return g_test_run ();
}
