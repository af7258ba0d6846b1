/* il-clock.h: the monotonic nanosecond clock, CPU id helpers every recorder uses, durations in words. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <time.h>

G_BEGIN_DECLS

/* CLOCK_MONOTONIC in nanoseconds: the clock of trace v1 and of `perf record -k mono`. Inline,
 * because it sits on the recording hot path. */
static inline gint64
il_clock_now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* Thread CPU time of the calling thread, in nanoseconds. */
gint64   il_clock_thread_cpu_ns   (void);
/* CPU time used by all threads of this process so far, in ns. */
gint64   il_clock_process_cpu_ns  (void);

/* The CPU the calling thread runs on now, or -1 when the kernel does not say. */
int      il_cpu_current           (void);

/* Number of CPUs configured on the machine (the lanes of the core view). */
guint    il_cpu_count             (void);

/* CPU sets: a sorted GArray of int. Parses "0", "0-1", "0,2-3"; NULL or "" means every CPU. */
GArray  *il_cpu_set_parse         (const char *str, GError **error);
char    *il_cpu_set_to_string     (GArray *cpus);

/* Pin the calling thread (tid 0) or a process to a CPU set; empty or NULL set does nothing. */
gboolean il_cpu_set_apply         (GArray *cpus, int tid, GError **error);

/* The calling thread's kernel id. */
int      il_gettid                (void);

/* How a duration is written. The styles differ where they are read: pictures and the window,
 * the command line's aligned columns, and the other-programs sentence of a summary. */
typedef enum
{
  /* Three significant digits, ns to s: "812 ms", "1.25 s", "35.2 µs", "0 s". */
  IL_DURATION_SIGNIFICANT,
  /* s with two decimals, ms with one, µs whole: "1.25 s", "812.0 ms", "0.0 ms", "35 µs". */
  IL_DURATION_FIXED,
  /* Whole ms below a second, else s with two decimals, translated: "120 ms", "1.25 s". */
  IL_DURATION_COARSE,
} IlDurationStyle;

/* @ns as text in @style; free with g_free(). */
char    *il_clock_format_duration (gint64 ns, IlDurationStyle style);

G_END_DECLS
