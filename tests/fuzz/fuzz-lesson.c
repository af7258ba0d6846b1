/* fuzz-lesson.c: libFuzzer harness for the lesson reader: any input loads or is refused with a message, and a loaded lesson's runs are valid configurations. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-fuzz.h"
#include "il-lesson.h"

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
  return 0;
}
