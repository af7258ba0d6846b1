/* main.c: starts the Interleave desktop app. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-application.h"
#include "il-locale.h"
#include "il-timing.h"

int
main (int argc, char *argv[])
{
  g_autoptr(IlApplication) app = NULL;

  il_timing_mark_start ();

  il_locale_init ();

  app = il_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
