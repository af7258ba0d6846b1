/* il-format.h: numbers of a run in words for labels, tooltips and screen readers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-trace.h"

G_BEGIN_DECLS

/* Durations are il_clock_format_duration (ns, IL_DURATION_SIGNIFICANT) ("412 ms", "1.25 s"), as in
 * the pictures, so the window and the pictures write them the same way. */
/* A paragraph describing one run for screen readers: what ran, how long, how parallel. */
char *il_format_run_description (IlRunTrace *run);
/* Efficiency of a run: speedup divided by its number of workers (NAN when speedup is unknown). */
double il_format_get_efficiency (IlRunTrace *run);

G_END_DECLS
