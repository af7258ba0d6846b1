/* test-atomic-file.c: files are written whole or not at all, and a read-only file is refused, never replaced. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "il-atomic-file.h"
#include "il-types.h"

static gboolean
write_text (const char *path, const char *text, GError **error)
{
  g_autoptr(IlAtomicFile) file = il_atomic_file_new (path, error);

  if (file == NULL)
    return FALSE;
  if (!g_output_stream_write_all (il_atomic_file_get_stream (file), text, strlen (text), NULL, NULL,
                                  error))
    return FALSE;
  return il_atomic_file_commit (g_steal_pointer (&file), error);
}

static void
test_read_only_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (write_text (path, "first\n", &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);

  g_assert_false (write_text (path, "second\n", &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "first\n");

  g_chmod (path, 0644);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_replaces_writable (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_true (write_text (path, "first\n", &error));
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_true (write_text (path, "second\n", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "second\n");
  /* The replacement keeps the old file's permissions. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/atomic-file/read-only-refused", test_read_only_refused);
  g_test_add_func ("/atomic-file/replaces-writable", test_replaces_writable);
  return g_test_run ();
}
