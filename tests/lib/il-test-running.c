/* il-test-running.c: how much running time two lanes share, and whether perf is allowed (il-test-running.h). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "il-perf.h"
#include "il-test-running.h"

typedef struct
{
  gint64 s, e;
} Range;

static GArray *
running_ranges (IlRunTrace *run, guint w, gint64 from_ns, gint64 *total)
{
  const IlLane *lane = il_run_trace_get_lane (run, w);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Range));
  gint64 origin = il_run_trace_get_origin_ns (run);

  *total = 0;
  for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
    {
      const IlSpan *s = il_lane_get_span (lane, i);
      Range r = { MAX (origin + s->start_ns, from_ns), origin + s->end_ns };

      if (s->state != IL_STATE_RUNNING || r.e <= r.s)
        continue;
      g_array_append_val (out, r);
      *total += r.e - r.s;
    }
  return out;
}

gint64
il_test_running_overlap (IlRunTrace *a, guint wa, IlRunTrace *b, guint wb, gint64 from_ns,
                         gint64 *ta, gint64 *tb)
{
  g_autoptr(GArray) x = running_ranges (a, wa, from_ns, ta);
  g_autoptr(GArray) y = running_ranges (b, wb, from_ns, tb);
  gint64 both = 0;
  guint i = 0, j = 0;

  while (i < x->len && j < y->len)
    {
      const Range *p = &g_array_index (x, Range, i), *q = &g_array_index (y, Range, j);
      gint64 lo = MAX (p->s, q->s), hi = MIN (p->e, q->e);

      if (hi > lo)
        both += hi - lo;
      if (p->e < q->e)
        i++;
      else
        j++;
    }
  return both;
}

gboolean
il_test_perf_allowed (void)
{
  struct perf_event_attr attr;
  int fd;

  il_perf_switch_attr_init (&attr);
  fd = (int) syscall (SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  return fd >= 0 && close (fd) == 0;
}
