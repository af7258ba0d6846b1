/* test-cli-lab.c: interleave-cli for lab work: German from the build tree, the lab report's student, date, lesson hash and verdicts (issue 21). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "il-test-util.h"

static IlTestCommand cli;
static char *tmpdir;

/* Two quick runs with a question and an answer. */
static const char quick_lesson[] =
  "[Lesson]\nTitle=Quick lesson\nExplanation=Two short runs.\n"
  "Question=Which run is faster?\nAnswer=The one with two threads.\nRuns=one;two\n\n"
  "[Run one]\nLabel=1 thread\nExecutor=threads\nWorkers=1\nWorkload=cpu\nTasks=4\nTaskMs=10\n\n"
  "[Run two]\nLabel=2 threads\nExecutor=threads\nWorkers=2\nWorkload=cpu\nTasks=4\nTaskMs=10\n";

/* Our environment in @language (LANGUAGE, with LANG=C.UTF-8 so that LANGUAGE counts at all). */
static char **
environment_in (const char *language)
{
  char **env = g_get_environ ();

  env = g_environ_unsetenv (env, "LC_ALL");
  env = g_environ_unsetenv (env, "LC_MESSAGES");
  env = g_environ_setenv (env, "LANG", "C.UTF-8", TRUE);
  return g_environ_setenv (env, "LANGUAGE", language, TRUE);
}

/* The build tree's interleave-cli speaks German without `meson install`: its help, its errors and
 * a command's options. */
static void
test_german (void)
{
  g_auto(GStrv) german = environment_in ("de");
  g_auto(GStrv) english = environment_in ("en");
  IlTestCommand de = { cli.program, german, NULL, NULL };
  IlTestCommand en = { cli.program, english, NULL, NULL };
  g_auto(IlTestResult) help = { 0 };
  g_auto(IlTestResult) unknown = { 0 };
  g_auto(IlTestResult) run_help = { 0 };
  g_auto(IlTestResult) plain = { 0 };

  il_test_run (&help, &de, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "Aufruf: interleave-cli BEFEHL"));
  il_test_run (&unknown, &de, "frob", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "unbekannter Befehl „frob“"));
  il_test_run (&run_help, &de, "run", "--help", NULL);
  g_assert_nonnull (strstr (run_help.out, "Laborbericht"));
  /* The same program in English: it is the catalogue, not a German build. */
  il_test_run (&plain, &en, "--help", NULL);
  g_assert_nonnull (strstr (plain.out, "Usage: interleave-cli COMMAND"));
}

static char *
tmp (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
pdf_text (const char *path)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  const char *argv[] = { pdftotext, "-layout", path, "-", NULL };
  g_auto(IlTestResult) r = { 0 };

  if (pdftotext == NULL)
    return NULL;
  il_test_run_argv (&r, argv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  return g_steal_pointer (&r.out);
}

/* The words after "Disturbed" on the report's table row: one verdict per run. */
static guint
count_verdicts (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      guint n = 0;

      if (g_strcmp0 (words[0], "Disturbed") != 0)
        continue;
      for (guint k = 1; words[k] != NULL; k++)
        n += g_str_equal (words[k], "yes") || g_str_equal (words[k], "no") ||
             g_str_equal (words[k], "measured");
      return n;
    }
  return 0;
}

/* run --report with --student, --student-id and --group: a report a teacher can grade. */
static void
test_report_fields (void)
{
  g_autofree char *lesson = tmp ("quick.lesson");
  g_autofree char *pdf = tmp ("quick-report.pdf");
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, quick_lesson, -1);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *text = NULL;
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) lost = { 0 };

  g_assert_true (g_file_set_contents (lesson, quick_lesson, -1, NULL));
  il_test_run (&r, &cli, "run", "--lesson", lesson, "-q", "--report", pdf,
               "--prediction", "Two threads,\nhalf the time", "--student", "Grace Hopper",
               "--student-id", "S-1906", "--group", "Lab C", NULL);
  g_assert_cmpint (r.status, ==, 0);
  text = pdf_text (pdf);
  if (text == NULL)
    {
      g_test_message ("poppler-utils missing: the report's text is not checked");
      return;
    }
  g_assert_nonnull (strstr (text, "Student: Grace Hopper · Student ID: S-1906 · Group: Lab C"));
  g_assert_nonnull (strstr (text, today));
  g_assert_nonnull (strstr (text, "quick.lesson"));
  g_assert_nonnull (strstr (text, sum));
  g_assert_nonnull (strstr (text, "Two threads,"));
  g_assert_nonnull (strstr (text, "half the time"));
  g_assert_cmpuint (count_verdicts (text), ==, 2);
  /* The CLI has no reflection to give: no empty section for it. */
  g_assert_null (strstr (text, "reflection"));

  /* Report words without a report would go nowhere: refused, not dropped. */
  il_test_run (&lost, &cli, "run", "--lesson", lesson, "-q", "--student", "Grace Hopper", NULL);
  g_assert_cmpint (lost.status, ==, 2);
  g_assert_nonnull (strstr (lost.err, "--report"));
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  cli.program = argc > 1 ? argv[1] : g_getenv ("IL_CLI_PATH");
  if (cli.program == NULL)
    {
      g_printerr ("usage: test-cli-lab PATH-TO-interleave-cli\n");
      return 1;
    }
  tmpdir = il_test_tmpdir_new ("test-cli-lab");

  g_test_add_func ("/cli-lab/german", test_german);
  g_test_add_func ("/cli-lab/report-fields", test_report_fields);
  ret = g_test_run ();

  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return ret;
}
