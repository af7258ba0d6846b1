/* il-lesson-trust.h: which lessons may start programs: shipped ones, and others only once the user allowed their exact content. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "il-lesson.h"

G_BEGIN_DECLS

/* A lesson file is a document that can start programs (Command=). It may run them without asking
 * when it lies in a shipped lessons folder (il_lesson_get_search_dirs(), symlinks resolved), or
 * when the user allowed this file with exactly this content before (a SHA-256 of its bytes, kept
 * in USER_DATA_DIR/interleave/trusted-lessons.ini: a changed file asks again). Engine-only
 * lessons (no Command=) start nothing and need no consent. See docs/lesson-format.md, "Trust". */

/* Does @lesson need the user's consent before its first run? FALSE for engine-only lessons,
 * shipped ones and files allowed with this content. */
gboolean  il_lesson_trust_needs_consent  (IlLesson    *lesson);

/* Is @path (resolved) inside one of the shipped lessons folders? */
gboolean  il_lesson_trust_is_shipped     (const char  *path);

/* Remembers that the user allowed @lesson's commands for its current content. */
gboolean  il_lesson_trust_allow          (IlLesson    *lesson,
                                          GError     **error);

/* Every program the lesson would start, one line each: the exact argv as a shell would quote it,
 * with {lessondir} already resolved ("python3 /home/ann/course/cpu.py 4"), never the label. */
GStrv     il_lesson_trust_list_commands  (IlLesson    *lesson);

G_END_DECLS
