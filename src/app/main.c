/* main.c: starts the Interleave desktop app. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "il-application.h"
#include "il-timing.h"

int
main (int argc, char *argv[])
{
  g_autoptr(IlApplication) app = NULL;

  il_timing_mark_start ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = il_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
