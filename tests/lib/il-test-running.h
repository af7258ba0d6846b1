/* il-test-running.h: what the program tests share that needs the engine: how much running time two lanes share (the IoU of one capture against another), and whether perf is allowed. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "il-trace.h"

G_BEGIN_DECLS

/* Whether this process may open the kernel capture's perf events (the attributes the tracer asks
 * for, on itself): FALSE where perf_event_paranoid or a seccomp filter refuses them. */
gboolean il_test_perf_allowed (void);

/* The running time of lane @wa of @a and of lane @wb of @b (into @ta and @tb) and the time both
 * ran at once, all on the machine's clock (each run's origin added), so two runs recorded at once
 * compare; only from @from_ns on (on that clock). Each lane's spans are sorted and never overlap. */
gint64 il_test_running_overlap (IlRunTrace *a, guint wa, IlRunTrace *b, guint wb, gint64 from_ns,
                                gint64 *ta, gint64 *tb);

G_END_DECLS
