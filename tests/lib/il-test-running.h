/* il-test-running.h: how much running time two lanes share, for the IoU of one capture against another. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "il-trace.h"

G_BEGIN_DECLS

/* The running time of lane @wa of @a and of lane @wb of @b (into @ta and @tb) and the time both
 * ran at once, all on the machine's clock (each run's origin added), so two runs recorded at once
 * compare. Each lane's spans are sorted and never overlap. */
gint64 il_test_running_overlap (IlRunTrace *a, guint wa, IlRunTrace *b, guint wb, gint64 *ta,
                                gint64 *tb);

G_END_DECLS
