/* il-locale.h: translations for the programs: the catalogues of the build tree when run from it, else the installed ones. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when @exe (a program's path; NULL: this process's, from /proc/self/exe) lies inside the
 * build tree @build_root: a developer's uninstalled build. */
gboolean    il_locale_exe_in_tree  (const char *exe, const char *build_root);
/* Where the catalogues are: the build tree's po/ (IL_BUILD_LOCALEDIR) when this program runs from
 * its build tree and they were built there, else the installed LOCALEDIR. */
const char *il_locale_get_dir      (void);
/* setlocale() from the environment, then the text domain bound to il_locale_get_dir() in UTF-8:
 * the first thing main() of every program does. */
void        il_locale_init         (void);

G_END_DECLS
