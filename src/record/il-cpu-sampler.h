/* il-cpu-sampler.h: the sampler of /proc/stat that fills a run's "other programs" series
 * (il-cpu-load.h), and the quiet-machine check before a lesson. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "il-cpu-load.h"
#include "il-trace.h"

G_BEGIN_DECLS

/* The sampler: a small thread reading each CPU's busy and steal time from /proc/stat at a steady
 * interval into a buffer that grows by doubling (no allocation per sample). */
typedef struct _IlCpuSampler IlCpuSampler;

/* Opens /proc/stat, takes the first sample at once and starts sampling. NULL and an error when
 * /proc/stat cannot be read (not Linux, or /proc not mounted). */
IlCpuSampler *il_cpu_sampler_start    (gint64 interval_ns, GError **error);
/* Takes a last sample and stops the thread; the samples stay readable. */
void       il_cpu_sampler_stop        (IlCpuSampler *self);
void       il_cpu_sampler_free        (IlCpuSampler *self);
/* Once stopped: the process outside the run (not this one, nor any it started) whose CPU time
 * grew the most while sampling, from /proc/[pid]/stat at the start and the stop; its name and
 * that CPU time, or NULL when none used any. */
const char *il_cpu_sampler_get_top_other (IlCpuSampler *self, gint64 *cpu_ns);

/* Turns the samples taken so far into rows of @load for the CPUs of @load: each interval's busy
 * time minus the running time of @run's workers on that CPU in it (from the recorded spans).
 * Only intervals that end before @upto_ns (run time) are added, each once, and none reaches
 * past @clip_ns (the run's end: a last interval beyond it counts in proportion); @origin_ns is the
 * run's start on CLOCK_MONOTONIC. The sampler's own ticks make busy time come in 10 ms steps,
 * so what an interval's rounding gave too much or too little is carried into the next one.
 * Returns how many intervals were added. */
guint      il_cpu_sampler_update      (IlCpuSampler *self, IlCpuLoad *load, IlRunTrace *run,
                                       gint64 origin_ns, gint64 upto_ns, gint64 clip_ns);
/* Starts the rows over (after il_cpu_load_clear()): the final, exact pass. */
void       il_cpu_sampler_rewind      (IlCpuSampler *self);

/* The quiet-machine check: samples /proc/stat over @duration_ns (blocking) and returns the share
 * of all CPUs that other programs kept busy (steal included; this process's own CPU time, such
 * as a window still drawing its first frames, left out), 0 … 1, or -1 and an error. */
double     il_cpu_load_measure_busy   (gint64 duration_ns, GError **error);
/* The same in a thread, for the window. */
void       il_cpu_load_measure_busy_async  (gint64 duration_ns, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
double     il_cpu_load_measure_busy_finish (GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlCpuSampler, il_cpu_sampler_free)

G_END_DECLS
