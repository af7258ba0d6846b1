/* test-lesson.c: .lesson parsing, translations, malformed files with their exact errors, shipped lessons. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "il-lesson.h"

static const char *design_example =
  "[Lesson]\n"
  "Title=CPU-bound work: threads under a GIL vs processes\n"
  "Title[de]=Rechenlast: Threads mit GIL vs. Prozesse\n"
  "Explanation=Four workers share the same eight tasks\n"
  "Question=Which run finishes first, and why?\n"
  "Runs=gil;procs\n"
  "\n"
  "[Run gil]\n"
  "Label=4 threads + GIL\n"
  "Label[de]=4 Threads + GIL\n"
  "Executor=threads\n"
  "GIL=true\n"
  "SwitchIntervalMs=5\n"
  "Workers=4\n"
  "Workload=cpu\n"
  "Tasks=8\n"
  "TaskMs=100\n"
  "\n"
  "[Run procs]\n"
  "Label=4 processes\n"
  "Executor=processes\n"
  "Workers=4\n"
  "Cpus=0-1\n"
  "Workload=cpu\n"
  "Tasks=8\n"
  "TaskMs=100\n";

static void
test_design_example (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlLesson) lesson = il_lesson_new_from_data (design_example, strlen (design_example),
                                                        "example.lesson", "C", &error);
  const IlRunConfig *gil, *procs;

  g_assert_no_error (error);
  g_assert_cmpstr (il_lesson_get_id (lesson), ==, "example");
  g_assert_null (il_lesson_get_path (lesson));
  g_assert_cmpstr (il_lesson_get_title (lesson), ==, "CPU-bound work: threads under a GIL vs processes");
  g_assert_cmpstr (il_lesson_get_explanation (lesson), ==, "Four workers share the same eight tasks");
  g_assert_cmpstr (il_lesson_get_question (lesson), ==, "Which run finishes first, and why?");
  g_assert_null (il_lesson_get_answer (lesson));
  g_assert_cmpuint (il_lesson_get_n_runs (lesson), ==, 2);
  g_assert_cmpint (il_lesson_get_baseline (lesson), ==, -1);
  g_assert_cmpstr (il_lesson_get_run_id (lesson, 0), ==, "gil");
  g_assert_cmpstr (il_lesson_get_run_id (lesson, 1), ==, "procs");

  gil = il_lesson_get_run_config (lesson, 0);
  g_assert_cmpstr (gil->label, ==, "4 threads + GIL");
  g_assert_cmpint (gil->executor, ==, IL_EXECUTOR_THREADS);
  g_assert_true (gil->gil);
  g_assert_cmpfloat (gil->switch_interval_ms, ==, 5.0);
  g_assert_cmpuint (gil->workers, ==, 4);
  g_assert_cmpint (gil->workload, ==, IL_WORKLOAD_CPU);
  g_assert_cmpuint (gil->tasks, ==, 8);
  g_assert_cmpfloat (gil->task_ms, ==, 100.0);
  g_assert_true (gil->cpus == NULL || gil->cpus->len == 0);

  procs = il_lesson_get_run_config (lesson, 1);
  g_assert_cmpint (procs->executor, ==, IL_EXECUTOR_PROCESSES);
  g_assert_false (procs->gil);
  g_assert_nonnull (procs->cpus);
  g_assert_cmpuint (procs->cpus->len, ==, 2);
  g_assert_cmpint (g_array_index (procs->cpus, int, 0), ==, 0);
  g_assert_cmpint (g_array_index (procs->cpus, int, 1), ==, 1);
}

static void
test_translation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlLesson) de = il_lesson_new_from_data (design_example, strlen (design_example),
                                                    "example.lesson", "de_DE.UTF-8", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (il_lesson_get_title (de), ==, "Rechenlast: Threads mit GIL vs. Prozesse");
  g_assert_cmpstr (il_lesson_get_run_config (de, 0)->label, ==, "4 Threads + GIL");
  /* Untranslated keys fall back to the untranslated text. */
  g_assert_cmpstr (il_lesson_get_run_config (de, 1)->label, ==, "4 processes");
  g_assert_cmpstr (il_lesson_get_question (de), ==, "Which run finishes first, and why?");
}

/* Replaces the first occurrence of @from in the example with @to. */
static char *
edit_example (const char *from, const char *to)
{
  const char *at = strstr (design_example, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - design_example), design_example, to,
                          at + strlen (from));
}

static void
assert_error (const char *text, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlLesson) lesson = il_lesson_new_from_data (text, strlen (text), "bad.lesson", "C",
                                                        &error);

  g_assert_null (lesson);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
assert_edit_error (const char *from, const char *to, const char *expected)
{
  g_autofree char *text = edit_example (from, to);

  assert_error (text, expected);
}

static void
test_malformed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlLesson) lesson = NULL;

  assert_error ("", "bad.lesson: not a lesson: the [Lesson] group is missing");
  /* GKeyFile's own syntax errors keep its wording, which quotes the line. */
  lesson = il_lesson_new_from_data ("[Lesson]\nthis is not a key\n", 27, "bad.lesson", "C", &error);
  g_assert_null (lesson);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "bad.lesson: "));
  g_assert_nonnull (strstr (error->message, "this is not a key"));

  assert_edit_error ("Title=CPU-bound work: threads under a GIL vs processes\n", "",
                     "bad.lesson: [Lesson] Title: is missing");
  assert_edit_error ("Title=CPU-bound work: threads under a GIL vs processes", "Title=  ",
                     "bad.lesson: [Lesson] Title: is empty");
  assert_edit_error ("Runs=gil;procs", "Runs=gil;proc",
                     "bad.lesson: [Lesson] Runs: lists “proc” but there is no [Run proc] group");
  assert_edit_error ("Runs=gil;procs", "Runs=gil;gil",
                     "bad.lesson: [Lesson] Runs: lists “gil” twice");
  assert_edit_error ("Runs=gil;procs", "Runs=gil",
                     "bad.lesson: [Run procs]: this run is not listed in Runs= of [Lesson]");
  assert_edit_error ("Runs=gil;procs\n", "",
                     "bad.lesson: [Lesson] Runs: is missing (a list of run names such as gil;procs)");
  assert_edit_error ("Question=", "Questoin=",
                     "bad.lesson: [Lesson] Questoin: unknown key (known keys: Title, Explanation, Question, Answer, Runs)");
  assert_edit_error ("Executor=threads", "Executor=fibers",
                     "bad.lesson: [Run gil] Executor: unknown executor “fibers” (known: sequential, threads, processes, async)");
  assert_edit_error ("Executor=threads\n", "",
                     "bad.lesson: [Run gil] Executor: is missing");
  assert_edit_error ("Executor=threads", "Executor=external",
                     "bad.lesson: [Run gil]: External programs are not run but recorded: use “interleave-cli trace -- COMMAND”");
  assert_edit_error ("Workers=4", "Workers=four",
                     "bad.lesson: [Run gil] Workers: “four” is not a whole number or an expression of cores (unknown name “four”)");
  assert_edit_error ("Workers=4", "Workers=0",
                     "bad.lesson: [Run gil] Workers: 0 is out of range (1…256)");
  assert_edit_error ("Tasks=8", "Tasks=-3",
                     "bad.lesson: [Run gil] Tasks: “-3” is not a whole number");
  assert_edit_error ("TaskMs=100", "TaskMs=100ms",
                     "bad.lesson: [Run gil] TaskMs: “100ms” is not a number of milliseconds");
  assert_edit_error ("GIL=true", "GIL=maybe",
                     "bad.lesson: [Run gil] GIL: “maybe” is not true or false");
  assert_edit_error ("Workload=cpu", "Workload=gpu",
                     "bad.lesson: [Run gil] Workload: unknown workload “gpu” (known: cpu, memory, sleep, disk, mixed, convoy)");
  assert_edit_error ("Executor=processes", "Executor=processes\nGIL=true",
                     "bad.lesson: [Run procs]: The GIL applies to threads only; the processes executor has no GIL");
  assert_edit_error ("Workers=4", "Workers[de]=4",
                     "bad.lesson: [Run gil] Workers[de]: only text keys can have translations");
  assert_edit_error ("[Run procs]", "[Runs procs]",
                     "bad.lesson: [Lesson] Runs: lists “procs” but there is no [Run procs] group");
  /* A bad escape, then a backslash at the end: GLib 2.74 would set its error twice. */
  assert_edit_error ("Label=4 threads", "Label=4 thr\\qeads\\",
                     "bad.lesson: [Run gil] Label: has a backslash that starts no escape (write \\\\ for a backslash)");
  assert_edit_error ("\n[Run procs]", "\n[Extra]\nA=b\n[Run procs]",
                     "bad.lesson: [Extra]: unknown group (a lesson has [Lesson] and [Run NAME] groups)");
}

static void
test_cpus_error (void)
{
  g_autofree char *text = edit_example ("Cpus=0-1", "Cpus=zero");
  g_autoptr(GError) error = NULL;
  g_autoptr(IlLesson) lesson = il_lesson_new_from_data (text, strlen (text), "bad.lesson", "C",
                                                        &error);

  /* The CPU-set parser words the reason; the lesson names where it is. */
  g_assert_null (lesson);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "bad.lesson: [Run procs] Cpus: "));
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlLesson) lesson = il_lesson_new_from_file ("/nonexistent/x.lesson", &error);

  g_assert_null (lesson);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.lesson"));
}

/* Every shipped lesson loads, in English and German, and is a real comparison. */
static void
test_shipped (void)
{
  g_auto(GStrv) paths = il_lesson_list_shipped ();

  /* Seven lessons of the engine's executors, three that trace Python programs. */
  g_assert_cmpuint (g_strv_length (paths), ==, 10);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IlLesson) lesson = il_lesson_new_from_file (paths[i], &error);
      g_autoptr(IlLesson) de = NULL;
      g_autofree char *data = NULL;
      gsize len;

      g_test_message ("%s", paths[i]);
      g_assert_no_error (error);
      g_assert_cmpstr (il_lesson_get_path (lesson), ==, paths[i]);
      g_assert_true (g_ascii_isdigit (il_lesson_get_id (lesson)[0]));
      g_assert_cmpuint (strlen (il_lesson_get_explanation (lesson)), >, 100);
      g_assert_nonnull (il_lesson_get_question (lesson));
      g_assert_nonnull (il_lesson_get_answer (lesson));
      g_assert_cmpuint (il_lesson_get_n_runs (lesson), >=, 2);
      for (guint r = 0; r < il_lesson_get_n_runs (lesson); r++)
        {
          const IlRunConfig *config = il_lesson_get_run_config (lesson, r);

          g_assert_nonnull (config->label);
          g_assert_true (il_run_config_validate (config, NULL));
          /* A comparison of executors compares the same work; traced programs are each their
           * own work (no ratio between two different programs). */
          if (config->executor != IL_EXECUTOR_EXTERNAL &&
              il_lesson_get_run_config (lesson, 0)->executor != IL_EXECUTOR_EXTERNAL)
            g_assert_true (il_run_config_same_work (config, il_lesson_get_run_config (lesson, 0)));
          else
            g_assert_true (il_run_config_same_work (config, il_lesson_get_run_config (lesson, 0)) ==
                           (r == 0));
        }

      g_assert_true (g_file_get_contents (paths[i], &data, &len, NULL));
      de = il_lesson_new_from_data (data, len, paths[i], "de", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (il_lesson_get_title (de), !=, il_lesson_get_title (lesson));
      g_assert_cmpstr (il_lesson_get_explanation (de), !=, il_lesson_get_explanation (lesson));
      g_assert_cmpstr (il_lesson_get_question (de), !=, il_lesson_get_question (lesson));
      g_assert_cmpstr (il_lesson_get_answer (de), !=, il_lesson_get_answer (lesson));
      for (guint r = 0; r < il_lesson_get_n_runs (lesson); r++)
        g_assert_cmpstr (il_lesson_get_run_config (de, r)->label, !=,
                         il_lesson_get_run_config (lesson, r)->label);
    }
}

static void
test_find (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *by_name = il_lesson_find ("01-gil-vs-processes", &error);
  g_autofree char *by_file = NULL;
  g_autofree char *by_prefix = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *ambiguous = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (by_name, "/01-gil-vs-processes.lesson"));
  /* A name ending in ".lesson" is a path, never a shipped lesson: here, none. */
  by_file = il_lesson_find ("03-one-core-vs-two.lesson", &error);
  g_assert_null (by_file);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_clear_error (&error);
  by_prefix = il_lesson_find ("05", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (by_prefix, "/05-oversubscription.lesson"));
  /* An existing path is taken as it is. */
  {
    g_autofree char *again = il_lesson_find (by_name, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, by_name);
  }

  missing = il_lesson_find ("no-such-lesson", &error);
  g_assert_null (missing);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "No lesson file or shipped lesson named “no-such-lesson”"));
  g_clear_error (&error);

  ambiguous = il_lesson_find ("0", &error);
  g_assert_null (ambiguous);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "ambiguous"));
}

/* A file named "08" (or "08.lesson" asked for as "08") planted in the current folder never stands
 * in for shipped lesson 08. */
static void
test_find_ignores_current_folder (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-planted-XXXXXX", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *planted = g_build_filename (dir, "08", NULL);
  g_autofree char *planted2 = g_build_filename (dir, "08.lesson", NULL);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (planted, "[Lesson]\nTitle=planted\n", -1, NULL));
  g_assert_true (g_file_set_contents (planted2, "[Lesson]\nTitle=planted\n", -1, NULL));
  g_assert_cmpint (g_chdir (dir), ==, 0);
  found = il_lesson_find ("08", &error);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (found, "/08-python-threads-vs-processes.lesson"));
  g_assert_false (g_str_has_prefix (found, dir));
  g_unlink (planted);
  g_unlink (planted2);
  g_rmdir (dir);
}

/* A shipped lesson loaded as if the machine had @cores cores, in @locale. */
static IlLesson *
load_for_cores (const char *id, guint cores, const char *locale)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = il_lesson_find (id, &error);
  g_autofree char *data = NULL;
  gsize len = 0;
  IlLesson *lesson;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  lesson = il_lesson_new_for_cores (data, len, path, locale, cores, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_lesson_get_cores (lesson), ==, cores);
  return lesson;
}

static gboolean
contains (const char *text, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
contains (const char *text, const char *format, ...)
{
  g_autofree char *needle = NULL;
  va_list args;

  va_start (args, format);
  needle = g_strdup_vprintf (format, args);
  va_end (args);
  if (strstr (text, needle) == NULL)
    {
      g_test_message ("“%s” not in: %s", needle, text);
      return FALSE;
    }
  return TRUE;
}

static const IlRunConfig *
run_named (IlLesson *lesson, const char *id)
{
  for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
    if (strcmp (il_lesson_get_run_id (lesson, i), id) == 0)
      return il_lesson_get_run_config (lesson, i);
  g_assert_not_reached ();
}

/* Every text of a lesson, for checks that apply to all of them. */
static char *
all_text (IlLesson *lesson)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s\n%s\n%s\n%s\n", il_lesson_get_title (lesson),
                          il_lesson_get_explanation (lesson), il_lesson_get_question (lesson),
                          il_lesson_get_answer (lesson));
  for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
    g_string_append_printf (s, "%s\n", il_lesson_get_run_config (lesson, i)->label);
  return g_string_free (s, FALSE);
}

/* Each shipped lesson on 1, 2, 4, 8 and 16 cores, in English and German: the counts follow the
 * machine, the texts name them, and no claim assumes a core count the machine lacks. */
static void
test_shipped_any_machine (void)
{
  static const guint core_counts[] = { 1, 2, 4, 8, 16 };
  static const char *const locales[] = { "C", "de" };
  g_auto(GStrv) paths = il_lesson_list_shipped ();

  for (guint c = 0; c < G_N_ELEMENTS (core_counts); c++)
    for (guint l = 0; l < G_N_ELEMENTS (locales); l++)
      {
        guint cores = core_counts[c];
        gboolean de = strcmp (locales[l], "de") == 0;

        g_test_message ("%u cores, %s", cores, locales[l]);
        for (guint i = 0; paths[i] != NULL; i++)
          {
            g_autoptr(IlLesson) lesson = load_for_cores (paths[i], cores, locales[l]);
            g_autofree char *text = all_text (lesson);

            /* Every placeholder filled, no grammar of a wrong count. */
            g_assert_null (strchr (text, '{'));
            g_assert_null (strchr (text, '}'));
            g_assert_null (strstr (text, " 1 cores"));
            g_assert_null (strstr (text, " 1 processes"));
            g_assert_null (strstr (text, " 1 Kerne"));
            g_assert_null (strstr (text, "two cores. With"));
            g_assert_null (strstr (text, "This machine has two cores"));
            g_assert_null (strstr (text, "Dieser Rechner hat zwei Kerne"));
            for (guint r = 0; r < il_lesson_get_n_runs (lesson); r++)
              {
                const IlRunConfig *config = il_lesson_get_run_config (lesson, r);

                g_assert_cmpuint (config->workers, >=, 1);
                g_assert_cmpuint (config->workers, <=, 256);
                for (guint k = 0; config->cpus != NULL && k < config->cpus->len; k++)
                  g_assert_cmpint (g_array_index (config->cpus, int, k), <, (int) cores);
              }
          }

        /* 1: processes one per core, the GIL threads at least two, the times from the counts. */
        {
          g_autoptr(IlLesson) lesson = load_for_cores ("01-gil-vs-processes", cores, locales[l]);
          guint tasks = MAX (8, 2 * cores);

          g_assert_cmpuint (run_named (lesson, "procs")->workers, ==, cores);
          g_assert_cmpuint (run_named (lesson, "gil")->workers, ==, MAX (2, cores));
          g_assert_cmpuint (run_named (lesson, "seq")->tasks, ==, tasks);
          g_assert_true (contains (il_lesson_get_explanation (lesson), "%u %s", tasks,
                                   de ? "Aufgaben" : "tasks"));
          g_assert_true (contains (il_lesson_get_answer (lesson), "%u ms", tasks * 100));
          if (cores > 1)
            g_assert_true (contains (il_lesson_get_answer (lesson), "%u ms", tasks * 100 / cores));
          else
            g_assert_true (contains (il_lesson_get_answer (lesson), "%s",
                                     de ? "Auf diesem einen Kern" : "On this single core"));
          g_assert_true (contains (run_named (lesson, "procs")->label, "%u %s", cores,
                                   cores == 1 ? (de ? "Prozess" : "process")
                                              : (de ? "Prozesse" : "processes")));
        }

        /* 3: one core, then two where the machine has them. */
        {
          g_autoptr(IlLesson) lesson = load_for_cores ("03-one-core-vs-two", cores, locales[l]);
          const IlRunConfig *one = run_named (lesson, "one");
          const IlRunConfig *two = run_named (lesson, "two");

          g_assert_cmpuint (one->cpus->len, ==, 1);
          g_assert_cmpint (g_array_index (one->cpus, int, 0), ==, 0);
          g_assert_cmpuint (two->cpus->len, ==, MIN (cores, 2));
          g_assert_cmpuint (one->workers, ==, 2);
          g_assert_cmpuint (two->workers, ==, 2);
          if (cores == 1)
            g_assert_true (contains (il_lesson_get_answer (lesson), "%s",
                                     de ? "nur einen Kern" : "only one core"));
          else
            g_assert_true (contains (il_lesson_get_answer (lesson), "%s",
                                     de ? "halb so lange" : "half as long"));
        }

        /* 5: one process per core, then four per core; the time is the work over the cores. */
        {
          g_autoptr(IlLesson) lesson = load_for_cores ("05-oversubscription", cores, locales[l]);

          g_assert_cmpuint (run_named (lesson, "fit")->workers, ==, cores);
          g_assert_cmpuint (run_named (lesson, "over")->workers, ==, 4 * cores);
          g_assert_cmpuint (run_named (lesson, "over")->tasks, ==, 4 * cores);
          g_assert_true (contains (il_lesson_get_question (lesson), "%u %s", cores,
                                   cores == 1 ? (de ? "Kern" : "core")
                                              : (de ? "Kernen" : "cores")));
          g_assert_true (contains (il_lesson_get_answer (lesson), "%s 400 ms",
                                   de ? "etwa" : "about"));
          g_assert_true (contains (il_lesson_get_answer (lesson), "%s %u",
                                   de ? "bei etwa" : "at about", cores));
        }

        /* 6: a thread per core, at least two; the saving follows the cores. */
        {
          g_autoptr(IlLesson) lesson = load_for_cores ("06-gil-vs-free-threaded", cores, locales[l]);
          guint workers = MAX (2, cores);
          guint tasks = MAX (8, 2 * cores);

          g_assert_cmpuint (run_named (lesson, "gil")->workers, ==, workers);
          g_assert_cmpuint (run_named (lesson, "free")->workers, ==, workers);
          g_assert_true (run_named (lesson, "gil")->gil);
          g_assert_false (run_named (lesson, "free")->gil);
          if (cores > 1)
            g_assert_true (contains (il_lesson_get_answer (lesson), "%u ms %s %u ms",
                                     tasks * 100 / cores, de ? "statt etwa" : "instead of about",
                                     tasks * 100));
          else
            g_assert_true (contains (il_lesson_get_answer (lesson), "%s",
                                     de ? "nicht schneller" : "not faster"));
        }

        /* 7: the window's own figure for the I/O task is what the text points at. */
        {
          g_autoptr(IlLesson) lesson = load_for_cores ("07-gil-convoy", cores, locales[l]);

          g_assert_cmpuint (run_named (lesson, "gil")->workers, ==, 3);
          g_assert_true (contains (il_lesson_get_explanation (lesson), "%s",
                                   de ? "„Aufgabe 0 (die I/O-Aufgabe)“"
                                      : "“Task 0 (the I/O task)”"));
          g_assert_null (strstr (il_lesson_get_explanation (lesson), "last column"));
        }
      }
}

static void
test_placeholders (void)
{
  static const struct { const char *text; const char *expected; } cases[] = {
    { "{cores} {cores == 1 ? core | cores}", "3 cores" },
    { "{2 * cores}, {max(2, cores - 2)}, {min(cores, 2)}", "6, 2, 2" },
    { "{cores > 1 ? {cores} at once | one}", "3 at once" },
    { "{cores < 2 ? x | {cores * 100 / 4} ms}", "75 ms" },
    { "{{literal}} braces", "{literal} braces" },
    { "{w.workers} of {workers}", "4 of 4" },
  };
  static const struct { const char *text; const char *expected; } errors[] = {
    { "Label={cores", "a placeholder “{” is not closed (write “{{” for a brace)" },
    { "Label=x}", "a “}” closes no placeholder (write “}}” for a brace)" },
    { "Label={kernels}", "placeholder “{kernels}”: unknown name “kernels”" },
    { "Label={cores ? a}", "the choice “{cores ?…}” needs a “|” between its two texts" },
    { "Label={cores / 0}", "placeholder “{cores / 0}”: division by zero" },
    { "Workers=cores +", "“cores +” is not a whole number or an expression of cores (a value is missing at the end)" },
    { "Workers=cores - 3", "cores - 3 is 0 on 3 cores, out of range (1…256)" },
    { "Cpus=0-{cores}", "CPU 3 does not exist: this machine has CPUs 0 to 2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("[Lesson]\nTitle=%s\nExplanation=e\nRuns=w\n"
                                               "[Run w]\nExecutor=threads\nWorkers=cores + 1\n",
                                               cases[i].text);
      g_autoptr(GError) error = NULL;
      g_autoptr(IlLesson) lesson = il_lesson_new_for_cores (text, strlen (text), "p.lesson", "C",
                                                            3, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (il_lesson_get_title (lesson), ==, cases[i].expected);
    }
  for (guint i = 0; i < G_N_ELEMENTS (errors); i++)
    {
      g_autofree char *text = g_strdup_printf ("[Lesson]\nTitle=t\nExplanation=e\nRuns=w\n"
                                               "[Run w]\nExecutor=threads\n%s\n", errors[i].text);
      g_autoptr(GError) error = NULL;
      g_autoptr(IlLesson) lesson = il_lesson_new_for_cores (text, strlen (text), "p.lesson", "C",
                                                            3, &error);
      g_autofree char *key = g_strndup (errors[i].text, strcspn (errors[i].text, "="));
      g_autofree char *expected = g_strdup_printf ("p.lesson: [Run w] %s: %s", key,
                                                   errors[i].expected);

      g_assert_null (lesson);
      g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, expected);
    }

  /* Cpus=all is every CPU; first is CPU 0; a list may take the core count. */
  {
    const char *text = "[Lesson]\nTitle=t\nExplanation=e\nRuns=a;f;l\n"
                       "[Run a]\nExecutor=threads\nCpus=all\n"
                       "[Run f]\nExecutor=threads\nCpus=first\n"
                       "[Run l]\nExecutor=threads\nCpus=1-{cores - 1}\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(IlLesson) lesson = il_lesson_new_for_cores (text, strlen (text), "p.lesson", "C", 16,
                                                          &error);

    g_assert_no_error (error);
    g_assert_null (il_lesson_get_run_config (lesson, 0)->cpus);
    g_assert_cmpuint (il_lesson_get_run_config (lesson, 1)->cpus->len, ==, 1);
    g_assert_cmpint (g_array_index (il_lesson_get_run_config (lesson, 1)->cpus, int, 0), ==, 0);
    g_assert_cmpuint (il_lesson_get_run_config (lesson, 2)->cpus->len, ==, 15);
    g_assert_cmpint (g_array_index (il_lesson_get_run_config (lesson, 2)->cpus, int, 14), ==, 15);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lesson/design-example", test_design_example);
  g_test_add_func ("/lesson/translation", test_translation);
  g_test_add_func ("/lesson/malformed", test_malformed);
  g_test_add_func ("/lesson/cpus-error", test_cpus_error);
  g_test_add_func ("/lesson/missing-file", test_missing_file);
  g_test_add_func ("/lesson/shipped", test_shipped);
  g_test_add_func ("/lesson/find-ignores-current-folder", test_find_ignores_current_folder);
  g_test_add_func ("/lesson/find", test_find);
  g_test_add_func ("/lesson/shipped-any-machine", test_shipped_any_machine);
  g_test_add_func ("/lesson/placeholders", test_placeholders);
  return g_test_run ();
}
