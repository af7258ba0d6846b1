/* il-lesson.h: a lesson (.lesson GKeyFile): title, explanation, a question and the runs it compares. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "il-run-config.h"

G_BEGIN_DECLS

#define IL_TYPE_LESSON (il_lesson_get_type ())
G_DECLARE_FINAL_TYPE (IlLesson, il_lesson, IL, LESSON, GObject)

/* Loads a lesson. Text keys (Title, Explanation, Question, Answer, Label) are taken in the user's
 * language when the file has a variant (Title[de]=…). Errors are IL_ERROR_INVALID (or
 * IL_ERROR_FAILED when the file cannot be read) and name the file, the group and key (or the line)
 * and what is wrong. */
IlLesson          *il_lesson_new_from_file  (const char  *path,
                                             GError     **error);
/* Same, from text; @name stands for the file in error messages. @locale (NULL: the user's) picks
 * the translation of the text keys. */
IlLesson          *il_lesson_new_from_data  (const char  *data,
                                             gsize        length,
                                             const char  *name,
                                             const char  *locale,
                                             GError     **error);
/* Same, filled as if the machine had @cores cores (0: this machine's): worker counts and CPU sets
 * relative to the machine (Workers=2*cores, Cpus=first) and text placeholders ({cores},
 * {workers}, {cores > 1 ? … | …}) take that count. Lets tests check a lesson on any machine. */
IlLesson          *il_lesson_new_for_cores  (const char  *data,
                                             gsize        length,
                                             const char  *name,
                                             const char  *locale,
                                             guint        cores,
                                             GError     **error);

const char        *il_lesson_get_path        (IlLesson *self);
/* The SHA-256 (hex) of the bytes the lesson was read from, or NULL when it was made from data:
 * what a consent is given for, even if the file changes after it was read. */
const char        *il_lesson_get_checksum    (IlLesson *self);
/* Does the lesson trace programs (runs with Command=)? Why they cannot run here, or NULL. */
gboolean           il_lesson_get_runs_programs (IlLesson *self);
const char        *il_lesson_get_unavailable (IlLesson *self);   /* NULL when loaded from data */
/* The file's base name without ".lesson" ("01-gil-vs-processes"). */
const char        *il_lesson_get_id          (IlLesson *self);
/* The core count the lesson's values and texts were filled for. */
guint              il_lesson_get_cores       (IlLesson *self);
const char        *il_lesson_get_title       (IlLesson *self);
const char        *il_lesson_get_explanation (IlLesson *self);
const char        *il_lesson_get_question    (IlLesson *self);   /* NULL when none */
const char        *il_lesson_get_answer      (IlLesson *self);   /* NULL when none */
guint              il_lesson_get_n_runs      (IlLesson *self);
/* The run's group name after "Run " ("gil"). */
const char        *il_lesson_get_run_id      (IlLesson *self, guint index);
/* The run's configuration; its label is the run's Label (translated). */
const IlRunConfig *il_lesson_get_run_config  (IlLesson *self, guint index);
/* Index of the first sequential run (the baseline of speedups), or -1 when there is none. */
int                il_lesson_get_baseline    (IlLesson *self);

/* Where shipped lessons are, in search order: $IL_LESSONS_DIR, the source tree (only when the
 * program runs from its build tree), the installed data directory. Only existing directories are
 * returned. */
GStrv              il_lesson_get_search_dirs (void);
/* Paths of the shipped lessons (the first directory that has any), sorted by name. */
GStrv              il_lesson_list_shipped    (void);
/* Resolves what a user typed, one way: a name with a '/' or ending in ".lesson" is a path;
 * anything else names a shipped lesson, by base name with or without ".lesson"
 * ("01-gil-vs-processes", or a unique prefix like "01"), and never a file in the current folder.
 * Returns a path or sets IL_ERROR_INVALID naming what was looked for and where. */
char              *il_lesson_find            (const char  *name,
                                              GError     **error);

G_END_DECLS
