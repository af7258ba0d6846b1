/* main.c: interleave-cli, the headless front end: dispatches to the run, render, sweep and trace commands. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-cli.h"
#include "il-locale.h"

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s",
    _("Usage: interleave-cli COMMAND [OPTION…]\n"
      "\n"
      "Runs real work on executors, traces every worker and CPU core, and draws the timelines.\n"
      "\n"
      "Commands:\n"
      "  run      Run work (or a lesson's runs), print a summary, write traces and images\n"
      "  render   Re-draw or re-export a saved trace file\n"
      "  trace    Record any program's threads and processes: -- COMMAND [ARG…]\n"
      "  sweep    Run the same work at several worker counts; speedup curves and Amdahl fit\n"
      "\n"
      "Run “interleave-cli COMMAND --help” for a command's options.\n"
      "Exit status: 0 ok, 1 a run or writing a file failed (or was cancelled), 2 bad input.\n"));
}

int
main (int argc, char *argv[])
{
  const char *cmd;

  il_locale_init ();
  g_set_prgname ("interleave-cli");
  /* One rule for SIGINT and SIGTERM in every subcommand and at every moment: exit 1 (README).
   * A run replaces it with cancelling (il_cli_cancel_on_signals) and puts it back after. */
  il_cli_clean_up_on_signals ();

  if (argc < 2)
    {
      print_usage (stderr);
      return IL_CLI_EXIT_USAGE;
    }
  cmd = argv[1];
  if (strcmp (cmd, "--help") == 0 || strcmp (cmd, "-h") == 0 || strcmp (cmd, "help") == 0)
    {
      print_usage (stdout);
      return IL_CLI_EXIT_OK;
    }
  if (strcmp (cmd, "--version") == 0)
    {
      g_print ("interleave-cli %s\n", PACKAGE_VERSION);
      return IL_CLI_EXIT_OK;
    }

  /* Each command parses its own options; argv[0] becomes the command for its --help. */
  if (strcmp (cmd, "run") == 0)
    {
      g_set_prgname ("interleave-cli run");
      return il_cli_run (argc - 1, argv + 1);
    }
  if (strcmp (cmd, "render") == 0)
    {
      g_set_prgname ("interleave-cli render");
      return il_cli_render (argc - 1, argv + 1);
    }
  if (strcmp (cmd, "trace") == 0)
    {
      g_set_prgname ("interleave-cli trace");
      return il_cli_trace (argc - 1, argv + 1);
    }
  if (strcmp (cmd, "sweep") == 0)
    {
      g_set_prgname ("interleave-cli sweep");
      return il_cli_sweep (argc - 1, argv + 1);
    }

  g_printerr (_("interleave-cli: unknown command “%s” (run, render, trace or sweep; see --help)\n"), cmd);
  return IL_CLI_EXIT_USAGE;
}
