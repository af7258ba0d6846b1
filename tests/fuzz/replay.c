/* replay.c: runs one fuzz harness over files (its seed corpus and the crashers it once found), so every build replays them without libFuzzer. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include "il-fuzz.h"

static guint n_inputs;

static void
replay (const char *path)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.')
          g_ptr_array_add (names, g_build_filename (path, name, NULL));
      for (guint i = 0; i < names->len; i++)
        replay (names->pdata[i]);
      return;
    }
  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  printf ("# %s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  fflush (stdout);
  LLVMFuzzerTestOneInput ((const guint8 *) data, len);
  n_inputs++;
}

int
main (int argc, char *argv[])
{
  for (int i = 1; i < argc; i++)
    replay (argv[i]);
  if (n_inputs == 0)
    {
      fprintf (stderr, "no inputs to replay\n");
      return 1;
    }
  printf ("replayed %u inputs\n", n_inputs);
  return 0;
}
