/* il-cpu-load.h: what the rest of the machine did during a run: the per-CPU "other programs"
 * series (busy time minus the run's own workers, steal apart) and the words that describe it.
 * The sampler that fills it is record's il-cpu-sampler.h. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The sampling interval: /proc/stat counts in 10 ms clock ticks, so sampling faster only adds
 * noise. */
#define IL_CPU_LOAD_INTERVAL_NS (G_GINT64_CONSTANT (10000000))

/* A comparison is disturbed when other programs took more than this share of a run's CPUs and
 * the run needed them (il_run_trace_is_disturbed()). */
#define IL_CPU_LOAD_DISTURBED_SHARE 0.10

/* One interval of one CPU: what programs other than the run's workers took, and steal time. */
typedef struct
{
  gint64 start_ns;
  gint64 end_ns;
  gint64 other_ns;
  gint64 steal_ns;
} IlCpuLoadRow;

/* The series of a run: rows per CPU of its CPU set, in time order, not overlapping. */
typedef struct _IlCpuLoad IlCpuLoad;

IlCpuLoad *il_cpu_load_new            (gint64 interval_ns);
void       il_cpu_load_free           (IlCpuLoad *self);
gint64     il_cpu_load_get_interval_ns (const IlCpuLoad *self);
/* Drops every row (the run's owner recomputes the series exactly when the run ends). */
void       il_cpu_load_clear          (IlCpuLoad *self);
/* Declares @cpu part of the series even before it has rows (a CPU of the run's set). */
void       il_cpu_load_add_cpu        (IlCpuLoad *self, int cpu);
/* Appends a row; a row starting before the CPU's last one ends is refused (FALSE). */
gboolean   il_cpu_load_append         (IlCpuLoad *self, int cpu, const IlCpuLoadRow *row);
gboolean   il_cpu_load_has_cpu        (const IlCpuLoad *self, int cpu);
/* CPUs with a series, ascending. */
guint      il_cpu_load_get_n_cpus     (const IlCpuLoad *self);
int        il_cpu_load_get_cpu        (const IlCpuLoad *self, guint index);
guint      il_cpu_load_get_n_rows     (const IlCpuLoad *self, int cpu);
const IlCpuLoadRow *il_cpu_load_get_row (const IlCpuLoad *self, int cpu, guint index);
/* Other and steal time of @cpu within [@t0, @t1), a row counted in proportion to its overlap.
 * O(log rows): the painter asks once per pixel column. */
void       il_cpu_load_sum_range      (const IlCpuLoad *self, int cpu, gint64 t0, gint64 t1,
                                       gint64 *other_ns, gint64 *steal_ns);
/* Totals over every CPU and row. */
gint64     il_cpu_load_get_other_ns   (const IlCpuLoad *self);
gint64     il_cpu_load_get_steal_ns   (const IlCpuLoad *self);
/* The end of the latest row of any CPU: the series is complete up to here. */
gint64     il_cpu_load_get_end_ns     (const IlCpuLoad *self);

/* The other program (not the run's own processes) that took the most CPU time during the run,
 * from /proc/[pid]/stat at its start and end: its name and CPU time, or NULL when none was seen
 * (run.cpu_load.top_other in a trace file). */
void       il_cpu_load_set_top_other  (IlCpuLoad *self, const char *name, gint64 cpu_ns);
const char *il_cpu_load_get_top_other (const IlCpuLoad *self, gint64 *cpu_ns);

typedef struct _IlRunTrace IlRunTrace;

/* The words every summary uses (CLI, window, image header), or NULL when there is nothing to say:
 * "other programs took 12 % of the CPUs (240 ms of CPU time)" for a run that measured it; the
 * warning that a comparison (@runs of IlRunTrace*) was disturbed, naming the worst run; the
 * warning of the quiet-machine check for a busy share measured before a lesson. */
char      *il_cpu_load_describe_run       (IlRunTrace *run);
char      *il_cpu_load_describe_disturbed (GPtrArray *runs);
/* The finished run of @runs whose other programs took the largest share, when it was disturbed;
 * NULL when none was (a live run is not judged before it ends). */
IlRunTrace *il_cpu_load_find_worst        (GPtrArray *runs);
/* The other program that took the most of the run's time, "firefox-esr took 48 % of a CPU", or
 * NULL when the run does not know one. */
char      *il_cpu_load_describe_culprit   (IlRunTrace *run);
char      *il_cpu_load_describe_busy      (double share);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlCpuLoad, il_cpu_load_free)

G_END_DECLS
