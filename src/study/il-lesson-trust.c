/* il-lesson-trust.c: which lessons may start programs: shipped ones, and others only once the user allowed their exact content. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-atomic-file.h"
#include "il-lesson-trust.h"
#include "il-types.h"

#define TRUST_GROUP "trusted"

static char *
store_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "interleave", "trusted-lessons.ini", NULL);
}

/* The file's real path (symlinks and ".." resolved), or NULL when it does not exist. */
static char *
real_path (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *copy;

  if (resolved == NULL)
    return NULL;
  copy = g_strdup (resolved);
  free (resolved);
  return copy;
}

gboolean
il_lesson_trust_is_shipped (const char *path)
{
  g_autofree char *file = NULL;
  g_auto(GStrv) dirs = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if ((file = real_path (path)) == NULL)
    return FALSE;
  dirs = il_lesson_get_search_dirs ();
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *dir = real_path (dirs[i]);
      g_autofree char *parent = g_path_get_dirname (file);

      /* Directly in the folder: a shipped lesson is never in a subfolder of it. */
      if (dir != NULL && strcmp (parent, dir) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The SHA-256 of the bytes the lesson was read from (not of the file now: a file changed after
 * the user saw its commands must not be allowed in their place), or NULL without a file. */
static char *
content_hash (IlLesson *lesson)
{
  return g_strdup (il_lesson_get_checksum (lesson));
}

static gboolean
has_commands (IlLesson *lesson)
{
  for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
    if (il_lesson_get_run_config (lesson, i)->command != NULL)
      return TRUE;
  return FALSE;
}

gboolean
il_lesson_trust_needs_consent (IlLesson *lesson)
{
  g_autoptr(GKeyFile) store = g_key_file_new ();
  g_autofree char *file = NULL, *store_file = NULL, *hash = NULL, *known = NULL;
  const char *path;

  g_return_val_if_fail (IL_IS_LESSON (lesson), TRUE);

  if (!has_commands (lesson))
    return FALSE;
  path = il_lesson_get_path (lesson);
  /* A lesson made from text has no file to trust: it always asks. */
  if (path == NULL || (file = real_path (path)) == NULL)
    return TRUE;
  if (il_lesson_trust_is_shipped (file))
    return FALSE;
  store_file = store_path ();
  if ((hash = content_hash (lesson)) == NULL
      || !g_key_file_load_from_file (store, store_file, G_KEY_FILE_NONE, NULL))
    return TRUE;
  known = g_key_file_get_string (store, TRUST_GROUP, file, NULL);
  return known == NULL || strcmp (known, hash) != 0;
}

gboolean
il_lesson_trust_allow (IlLesson *lesson, GError **error)
{
  g_autoptr(GKeyFile) store = g_key_file_new ();
  g_autoptr(IlAtomicFile) out = NULL;
  g_autofree char *file = NULL, *store_file = store_path (), *hash = NULL, *dir = NULL;
  g_autofree char *text = NULL;
  const char *path;
  gsize len;

  g_return_val_if_fail (IL_IS_LESSON (lesson), FALSE);

  path = il_lesson_get_path (lesson);
  if (path == NULL || (file = real_path (path)) == NULL || (hash = content_hash (lesson)) == NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("%s: cannot be read to remember it"),
                   path != NULL ? path : "lesson");
      return FALSE;
    }
  /* A store that cannot be read starts over: losing consents only means asking again. */
  g_key_file_load_from_file (store, store_file, G_KEY_FILE_KEEP_COMMENTS, NULL);
  g_key_file_set_string (store, TRUST_GROUP, file, hash);
  dir = g_path_get_dirname (store_file);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("%s: cannot create the folder"), dir);
      return FALSE;
    }
  text = g_key_file_to_data (store, &len, NULL);
  if ((out = il_atomic_file_new (store_file, error)) == NULL
      || !g_output_stream_write_all (il_atomic_file_get_stream (out), text, len, NULL, NULL, error))
    return FALSE;
  return il_atomic_file_commit (g_steal_pointer (&out), error);
}

/* Whether @word shows as what it is: no control characters (a newline would make one command
 * look like two), no invisible ones or direction overrides (U+202E shows text backwards), no
 * line separators, valid UTF-8. */
static gboolean
shows_as_itself (const char *word)
{
  if (!g_utf8_validate (word, -1, NULL))
    return FALSE;
  for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT || type == G_UNICODE_LINE_SEPARATOR ||
          type == G_UNICODE_PARAGRAPH_SEPARATOR || type == G_UNICODE_UNASSIGNED ||
          type == G_UNICODE_PRIVATE_USE || type == G_UNICODE_SURROGATE)
        return FALSE;
    }
  return TRUE;
}

/* @word as bash's $'…' would give it back, every character that does not show as itself
 * written as an escape: still the exact argument, and nothing hidden in how it is drawn. */
static void
append_escaped (GString *line, const char *word)
{
  g_string_append (line, "$'");
  for (const char *p = word; *p != '\0';)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (line, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      if (c == '\n')
        g_string_append (line, "\\n");
      else if (c == '\t')
        g_string_append (line, "\\t");
      else if (c == '\\' || c == '\'')
        g_string_append_printf (line, "\\%c", (char) c);
      else if (c < 0x80 && (c < 0x20 || c == 0x7f))
        g_string_append_printf (line, "\\x%02x", c);
      else if (c >= 0x80)
        {
          char one[8] = { 0 };

          g_unichar_to_utf8 (c, one);
          if (shows_as_itself (one))
            g_string_append (line, one);
          else
            g_string_append_printf (line, "\\U%08x", c);
        }
      else
        g_string_append_c (line, (char) c);
      p = g_utf8_next_char (p);
    }
  g_string_append_c (line, '\'');
}

GStrv
il_lesson_trust_list_commands (IlLesson *lesson)
{
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();

  g_return_val_if_fail (IL_IS_LESSON (lesson), NULL);

  for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
    {
      char **argv = il_lesson_get_run_config (lesson, i)->command;
      g_autoptr(GString) line = NULL;

      if (argv == NULL)
        continue;
      line = g_string_new (NULL);
      for (guint k = 0; argv[k] != NULL; k++)
        {
          g_autofree char *quoted = NULL;

          if (k > 0)
            g_string_append_c (line, ' ');
          /* Plain words stay plain: quotes only where a shell would need them. */
          if (argv[k][0] != '\0' && strspn (argv[k], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                        "0123456789_-+=/.,:@%") == strlen (argv[k]))
            g_string_append (line, argv[k]);
          else if (!shows_as_itself (argv[k]))
            append_escaped (line, argv[k]);
          else
            {
              quoted = g_shell_quote (argv[k]);
              g_string_append (line, quoted);
            }
        }
      g_strv_builder_add (lines, line->str);
    }
  return g_strv_builder_end (lines);
}
