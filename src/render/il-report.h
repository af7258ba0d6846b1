/* il-report.h: a lab report as one PDF: the lesson, the prediction, the answer, every run's picture, the figures, the machine. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-trace.h"
#include "il-export.h"

G_BEGIN_DECLS

typedef enum
{
  IL_REPORT_PAPER_AUTO,     /* from the locale (LC_PAPER): Letter where that is the custom, else A4 */
  IL_REPORT_PAPER_A4,
  IL_REPORT_PAPER_LETTER,
} IlReportPaper;

/* The lesson's texts, as the report prints them (the caller copies them from its lesson). */
typedef struct
{
  const char *title;
  const char *explanation;
  const char *question;        /* NULL when none */
  const char *answer;          /* NULL when none */
  const char *id;              /* the file's name without ".lesson", NULL when none */
  const char *checksum;        /* SHA-256 (hex) of the lesson file read, NULL when none */
} IlReportLesson;

typedef struct
{
  const IlReportLesson *lesson; /* NULL: a report of runs alone */
  const char    *prediction;   /* the student's, NULL or "" when none */
  GPtrArray     *runs;         /* of IlRunTrace*: the runs to report, in order */
  IlViewFlags    view;         /* what the pictures show */
  gint64         t0_ns;        /* the time range of the pictures; t1 <= t0: each whole run */
  gint64         t1_ns;
  IlReportPaper  paper;
  /* Who hands it in, so a teacher can grade it; each NULL or "" when not given. */
  const char    *student;      /* the name */
  const char    *student_id;
  const char    *group;
  const char    *reflection;   /* written after the answer; NULL: no such section */
} IlReportOptions;

/* Everything shown, A4 or Letter from the locale, no lesson or prediction. */
void          il_report_options_init      (IlReportOptions *options);
/* The paper the locale asks for: Letter for LC_PAPER of the Americas' Letter countries, else A4. */
IlReportPaper il_report_paper_from_locale (void);
/* "Intel(R) Core(TM) i5 · 4 cores · Linux 6.1.0": this machine, from /proc/cpuinfo and uname. */
char         *il_report_describe_machine  (void);
/* Writes the report (atomically: a failure leaves no half file). Errors are IL_ERROR_FAILED for
 * a file that cannot be written, IL_ERROR_INVALID for no runs. */
gboolean      il_report_write             (const char             *path,
                                           const IlReportOptions  *options,
                                           GError                **error);

G_END_DECLS
