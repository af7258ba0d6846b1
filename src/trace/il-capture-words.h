/* il-capture-words.h: the one description of the captures, in every place's words. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one description of the captures: what each kind recorded, in the words each place shows
 * it, and the commands that allow the kernel's. */
#pragma once

#include <glib.h>
#include "il-types.h"

G_BEGIN_DECLS

/* Where the words are shown: each place has its own length and grammar. */
typedef enum
{
  IL_CAPTURE_WORDS_SUMMARY,  /* the window's summary: whole sentences on what is exact */
  IL_CAPTURE_WORDS_HEADER,   /* a painted timeline's header, after the run; NULL for auto */
  IL_CAPTURE_WORDS_HEADER_BRIEF, /* …what stays of it when the header needs the room; NULL:
                                  * nothing needs to stay (the exact captures) */
  IL_CAPTURE_WORDS_REPORT,   /* the lab report's "Scheduling recorded from %s." */
  IL_CAPTURE_WORDS_CLI,      /* interleave-cli's "capture" line: the kind, then how */
} IlCaptureWords;

/* How @capture recorded a run, for @words; translated, static. */
const char *il_capture_describe    (IlCaptureKind capture, IlCaptureWords words);

/* The exact commands an administrator runs to allow the kernel capture and keep it after a
 * restart, in the words every refusal uses; translated, static. */
const char *il_capture_allow_words (void);

G_END_DECLS
