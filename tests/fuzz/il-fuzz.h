/* il-fuzz.h: what every fuzz harness shares: the libFuzzer entry point and a one-time set-up. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each harness defines it; libFuzzer calls it, and so does replay.c for the regression files. */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A critical or warning is a bug the fuzzer should stop at, not a line to scroll past. */
static inline void
il_fuzz_init (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

G_END_DECLS
