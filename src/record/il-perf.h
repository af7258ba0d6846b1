/* il-perf.h: the perf_event_open attributes of a context-switch stream, shared by the kernel
 * capture and `interleave-cli trace`. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <linux/perf_event.h>

#include <glib.h>

G_BEGIN_DECLS

/* Clears @attr and fills what every context-switch stream of ours needs: switch records with
 * tid, time and CPU on CLOCK_MONOTONIC (the trace's clock, so records line up with our spans),
 * user space only. Callers add what differs (inherit, enable-on-exec, wake-ups) before opening. */
void il_perf_switch_attr_init (struct perf_event_attr *attr);

/* Called with one record of a perf ring; @record is only valid during the call. */
typedef void (*IlPerfRecordFunc) (const struct perf_event_header *record, gpointer user_data);

/* Hands every complete record of the ring @page (whose data area is @data, @data_size bytes) to
 * @func, oldest first, then gives their space back to the kernel. One reader per ring. */
void il_perf_ring_read (struct perf_event_mmap_page *page,
                        const guint8                *data,
                        gsize                        data_size,
                        IlPerfRecordFunc             func,
                        gpointer                     user_data);

/* The message for a refused perf_event_open (@saved_errno), naming the sysctl command that allows
 * it and how to keep it (a drop-in under /etc/sysctl.d/). */
char *il_perf_refused_message (int saved_errno);

G_END_DECLS
