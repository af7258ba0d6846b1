/* il-timing.h: start-up and frame-time figures, printed when IL_DEBUG_TIMING=1. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint  n_frames;
  double sum_ms;
  double max_ms;
  double samples[4096];   /* for the 95th percentile; wraps around on long runs */
} IlFrameStats;

gboolean il_timing_enabled            (void);
/* Called first thing in main(): the origin of "time to first frame". */
void     il_timing_mark_start         (void);
gint64   il_timing_get_start_us       (void);
/* Milliseconds since il_timing_mark_start(); prints "first_frame_ms: N" the first time only. */
void     il_timing_first_frame        (void);
double   il_timing_get_first_frame_ms (void);
/* Same for the first frame whose timeline showed recorded spans ("first_spans_frame_ms"). */
void     il_timing_first_spans_frame  (void);

void     il_frame_stats_reset         (IlFrameStats *stats);
void     il_frame_stats_add           (IlFrameStats *stats, double ms);
double   il_frame_stats_percentile    (const IlFrameStats *stats, double p);

G_END_DECLS
