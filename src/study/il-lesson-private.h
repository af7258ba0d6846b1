/* il-lesson-private.h: machine-relative values and text placeholders of lessons, shared by il-lesson*.c. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a lesson file's name ends with. */
#define LESSON_SUFFIX ".lesson"

/* Looks up a name used in an expression ("cores", "workers", "gil.workers"); FALSE when unknown. */
typedef gboolean (*IlLessonLookup) (const char *name,
                                    double     *value,
                                    gpointer    user_data);

/* Evaluates an integer expression such as "2*cores", "max(2, cores)" or "cores > 1": numbers,
 * names, + - * / %, comparisons (1 or 0), parentheses, min() and max(). Division is exact; the
 * result is rounded to the nearest integer. Errors are IL_ERROR_INVALID and say what is wrong. */
gboolean il_lesson_eval (const char      *expr,
                         IlLessonLookup   lookup,
                         gpointer         user_data,
                         gint64          *out,
                         GError         **error);

/* Fills the placeholders of a lesson text: "{EXPR}" becomes the expression's value,
 * "{EXPR ? YES | NO}" the text YES when it is not 0 and NO otherwise (both may hold placeholders
 * again), and "{{" and "}}" stand for literal braces. */
char    *il_lesson_fill (const char      *text,
                         IlLessonLookup   lookup,
                         gpointer         user_data,
                         GError         **error);

/* A CPU set relative to a machine with @n_cores cores: "all" (NULL: every CPU), "first" (CPU 0),
 * or a list such as "0-3,6" after its placeholders are filled ("0-{min(cores,2)-1}"). */
gboolean il_lesson_parse_cpus (const char      *value,
                               guint            n_cores,
                               IlLessonLookup   lookup,
                               gpointer         user_data,
                               GArray         **out,
                               GError         **error);

G_END_DECLS
