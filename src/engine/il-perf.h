/* il-perf.h: the perf_event_open attributes of a context-switch stream, shared by the kernel
 * capture and `interleave-cli trace`. */
#pragma once

#include <linux/perf_event.h>

#include <glib.h>

G_BEGIN_DECLS

/* Clears @attr and fills what every context-switch stream of ours needs: switch records with
 * tid, time and CPU on CLOCK_MONOTONIC (the trace's clock, so records line up with our spans),
 * user space only. Callers add what differs (inherit, enable-on-exec, wake-ups) before opening. */
void il_perf_switch_attr_init (struct perf_event_attr *attr);

G_END_DECLS
