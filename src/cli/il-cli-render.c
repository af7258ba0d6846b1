/* il-cli-render.c: `interleave-cli render`: re-draws and re-exports a saved trace file. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-cli.h"
#include "il-trace-marks.h"
#include "il-trace-stacks.h"

#define PROG "interleave-cli render"

int
il_cli_render (int argc, char **argv)
{
  IlCliOutputs out = { 0 };
  gboolean summary = FALSE;
  gboolean functions = FALSE;
  const GOptionEntry entries[] = {
    { "summary", 's', 0, G_OPTION_ARG_NONE, &summary,
      N_("Print the runs' summaries saved in the trace"), NULL },
    { "functions", 0, 0, G_OPTION_ARG_NONE, &functions,
      N_("Print every Python function of the runs' sampled stacks: time running, waiting for the GIL, blocked"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  int status = IL_CLI_EXIT_OK;

  context = g_option_context_new (_("TRACE.json — re-draw a saved trace"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Loads a trace written by `interleave-cli run -o` or the app and draws all of its runs,\n"
      "stacked and aligned at zero, to PNG, SVG or PDF; can also re-export CSV and Chrome traces."));
  g_option_context_set_description (context,
    _("Example:\n"
      "  interleave-cli render lesson.interleave.json --png slide.png --width 1920 --height 1080 --scale 2 --theme dark\n"
      "\n"
      "Exit status: 0 ok, 1 writing a file failed, 2 bad input (options, a missing or invalid trace)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  il_cli_outputs_add_group (context, &out, FALSE);

  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !il_cli_outputs_check (&out, &error))
    {
      status = il_cli_report_error (PROG, error);
      goto out;
    }
  if (argc != 2)
    {
      g_printerr (argc < 2 ? _("%s: which trace? Give one TRACE.json file (see --help)\n")
                           : _("%s: give exactly one TRACE.json file (see --help)\n"), PROG);
      status = IL_CLI_EXIT_USAGE;
      goto out;
    }
  if (!il_cli_outputs_any (&out) && !summary && !functions)
    {
      g_printerr (_("%s: nothing to do: add --png, --svg, --pdf, --csv, --chrome-trace or --summary\n"),
                  PROG);
      status = IL_CLI_EXIT_USAGE;
      goto out;
    }

  trace = il_trace_load (argv[1], &error);
  if (trace == NULL)
    {
      status = il_cli_report_error (PROG, error);
      goto out;
    }
  /* Loaded despite something (a file cut off): said even with -q, since the picture is partial. */
  for (guint i = 0; i < il_trace_get_n_warnings (trace); i++)
    g_printerr (_("%s: warning: %s\n"), PROG, il_trace_get_warning (trace, i));
  if (il_trace_get_n_runs (trace) == 0)
    {
      g_printerr (_("%s: %s has no runs to draw\n"), PROG, argv[1]);
      status = IL_CLI_EXIT_USAGE;
      goto out;
    }

  if (summary && !out.quiet)
    {
      if (il_trace_get_n_runs (trace) == 1)
        il_cli_print_run_summary (il_trace_get_run (trace, 0), NULL);
      else
        il_cli_print_comparison (il_trace_get_runs (trace), -1);
      il_cli_print_disturbed (il_trace_get_runs (trace));
    }
  if (functions && !out.quiet)
    for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
      {
        IlRunTrace *run = il_trace_get_run (trace, r);

        if (il_run_trace_get_stacks (run) == NULL)
          continue;
        g_print ("%s\n", il_run_trace_get_label (run));
        il_cli_print_functions (run, 0);
      }
  if (!il_cli_outputs_write (&out, trace, PROG))
    status = IL_CLI_EXIT_FAILED;

out:
  il_cli_outputs_clear (&out);
  return status;
}

/* What an imported file has beyond its slices: instants, counters, flows. */
void
il_cli_print_imported_marks (IlRunTrace *run)
{
  g_print (_("  slices         %u\n"), il_run_trace_get_n_tasks (run));
  if (il_run_trace_get_n_instants (run) > 0)
    g_print (_("  instants       %u\n"), il_run_trace_get_n_instants (run));
  if (il_run_trace_get_n_counters (run) > 0)
    g_print (_("  counters       %u series, %" PRIu64 " values\n"), il_run_trace_get_n_counters (run),
             il_run_trace_get_n_counter_points (run));
  if (il_run_trace_get_n_flows (run) > 0)
    g_print (_("  flows          %u arrows\n"), il_run_trace_get_n_flows (run));
}
