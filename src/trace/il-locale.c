/* il-locale.c: translations for the programs: the catalogues of the build tree when run from it, else the installed ones. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "il-locale.h"

gboolean
il_locale_exe_in_tree (const char *exe, const char *build_root)
{
  g_autofree char *real_exe = NULL;
  g_autofree char *real_root = NULL;
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (build_root != NULL, FALSE);

  /* Both resolved: a build folder reached through a symbolic link is still the same folder. */
  real_exe = realpath (exe != NULL ? exe : "/proc/self/exe", NULL);
  real_root = realpath (build_root, NULL);
  if (real_exe == NULL || real_root == NULL)
    return FALSE;
  prefix = g_strconcat (real_root, "/", NULL);
  return g_str_has_prefix (real_exe, prefix);
}

static gpointer
find_locale_dir (gpointer data)
{
  /* An installed program never reads the build tree, which may be anyone's folder by then; an
   * uninstalled one reads its own catalogues, so LANGUAGE=de works before `meson install`. The
   * test is the program's place, not a variable: `meson devenv` and a plain ./src/app/interleave
   * behave alike. */
  if (il_locale_exe_in_tree (NULL, IL_BUILD_ROOT) &&
      g_file_test (IL_BUILD_LOCALEDIR, G_FILE_TEST_IS_DIR))
    return (gpointer) IL_BUILD_LOCALEDIR;
  return (gpointer) LOCALEDIR;
}

const char *
il_locale_get_dir (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, find_locale_dir, NULL);
}

void
il_locale_init (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, il_locale_get_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
