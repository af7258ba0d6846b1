/* il-lesson-find.c: where lessons are: the search folders, the shipped lessons, a lesson by name. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "il-lesson.h"
#include "il-lesson-private.h"

/* TRUE when this program runs from its build tree: a developer's uninstalled build. An installed
 * copy must never look in the source or build tree, which may be anyone's folder by then. */
static gboolean
running_uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL && g_str_has_prefix (exe, IL_BUILD_ROOT "/");
}

GStrv
il_lesson_get_search_dirs (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *candidates[] = {
    g_getenv ("IL_LESSONS_DIR"),
    running_uninstalled () ? IL_SOURCE_LESSONSDIR : NULL,
    IL_LESSONSDIR,
  };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      gboolean seen = FALSE;

      if (candidates[i] == NULL || candidates[i][0] == '\0' ||
          !g_file_test (candidates[i], G_FILE_TEST_IS_DIR))
        continue;
      for (guint k = 0; k < i && !seen; k++)
        seen = g_strcmp0 (candidates[k], candidates[i]) == 0;
      if (!seen)
        g_strv_builder_add (builder, candidates[i]);
    }
  return g_strv_builder_end (builder);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, LESSON_SUFFIX))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, compare_strings);
  return paths;
}

GStrv
il_lesson_list_shipped (void)
{
  g_auto(GStrv) dirs = il_lesson_get_search_dirs ();

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) paths = list_dir (dirs[i]);

      if (paths->len > 0)
        {
          g_ptr_array_add (paths, NULL);
          return (GStrv) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
        }
    }
  return g_new0 (char *, 1);
}

char *
il_lesson_find (const char *name, GError **error)
{
  g_auto(GStrv) dirs = NULL;
  g_autofree char *where = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  /* Names resolve one way: with a '/' or the ".lesson" ending, a path; otherwise a shipped
   * lesson only. The current folder is never searched for a name: a file called "08" planted
   * there must not stand in for shipped lesson 08. */
  if (strchr (name, G_DIR_SEPARATOR) != NULL || g_str_has_suffix (name, LESSON_SUFFIX))
    {
      if (g_file_test (name, G_FILE_TEST_IS_REGULAR))
        return g_strdup (name);
      if (g_file_test (name, G_FILE_TEST_EXISTS) && !g_file_test (name, G_FILE_TEST_IS_DIR))
        /* A FIFO or a device: reading it would block or never end. */
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                     _("Cannot read lesson: %s is not a regular file"), name);
      else if (strchr (name, G_DIR_SEPARATOR) == NULL)
        /* "08-….lesson" typed for a shipped lesson: say how to name it. */
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                     _("Lesson file %s does not exist here (a shipped lesson is named without “.lesson”: “%.*s”)"),
                     name, (int) (strlen (name) - strlen (LESSON_SUFFIX)), name);
      else
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("Lesson file %s does not exist"), name);
      return NULL;
    }
  if (name[0] == '\0')
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("Lesson file %s does not exist"), name);
      return NULL;
    }

  dirs = il_lesson_get_search_dirs ();
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *file = g_str_has_suffix (name, LESSON_SUFFIX)
                                ? g_strdup (name) : g_strconcat (name, LESSON_SUFFIX, NULL);
      g_autofree char *path = g_build_filename (dirs[i], file, NULL);
      g_autoptr(GPtrArray) all = NULL;
      const char *match = NULL;
      guint n_matches = 0;

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);

      /* "01" or "01-gil" is enough when only one shipped lesson starts that way. */
      all = list_dir (dirs[i]);
      for (guint k = 0; k < all->len; k++)
        {
          g_autofree char *base = g_path_get_basename (g_ptr_array_index (all, k));

          if (g_str_has_prefix (base, name))
            {
              match = g_ptr_array_index (all, k);
              n_matches++;
            }
        }
      if (n_matches == 1)
        return g_strdup (match);
      if (n_matches > 1)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("Lesson name “%s” is ambiguous: %u lessons in %s start with it"), name,
                       n_matches, dirs[i]);
          return NULL;
        }
    }

  where = dirs[0] != NULL ? g_strjoinv (", ", dirs) : g_strdup (_("no lesson directory found"));
  g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
               _("No lesson file or shipped lesson named “%s” (looked in: %s)"), name, where);
  return NULL;
}
