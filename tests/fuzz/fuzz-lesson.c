/* fuzz-lesson.c: libFuzzer harness for the lesson reader: any input loads or is refused with a message, a loaded lesson's runs are valid configurations, and its commands list as they run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "il-fuzz.h"
#include "il-lesson.h"
#include "il-lesson-trust.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlLesson) lesson = NULL;

  il_fuzz_init ();
  lesson = il_lesson_new_from_data ((const char *) data, size, "fuzz.lesson", "de_DE", &error);
  if (lesson == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_nonnull (il_lesson_get_title (lesson));
  g_assert_true (g_utf8_validate (il_lesson_get_title (lesson), -1, NULL));
  for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
    {
      const IlRunConfig *config = il_lesson_get_run_config (lesson, i);
      g_autofree char *title = il_run_config_get_title (config);

      g_assert_nonnull (il_lesson_get_run_id (lesson, i));
      g_assert_true (g_utf8_validate (title, -1, NULL));
      /* A traced program is never "valid to run" by design; everything else must be. */
      if (!il_run_config_is_program (config))
        g_assert_true (il_run_config_validate (config, NULL));
    }
  (void) il_lesson_get_baseline (lesson);

  /* What a user is asked about: one line per traced program, in the order of the runs, that
   * shows as what it is (issue 19: no line breaks or unreadable bytes to hide a command in). */
  {
    g_auto(GStrv) commands = il_lesson_trust_list_commands (lesson);
    guint programs = 0;

    for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
      programs += il_run_config_is_program (il_lesson_get_run_config (lesson, i));
    g_assert_cmpuint (g_strv_length (commands), ==, programs);
    g_assert_true (il_lesson_get_runs_programs (lesson) == (programs > 0));
    for (guint i = 0; commands[i] != NULL; i++)
      {
        g_assert_true (g_utf8_validate (commands[i], -1, NULL));
        g_assert_null (strpbrk (commands[i], "\n\r"));
        g_assert_null (strstr (commands[i], "\xe2\x80\xa8"));
        g_assert_null (strstr (commands[i], "\xe2\x80\xae"));
      }
  }
  return 0;
}
