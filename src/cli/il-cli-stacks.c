/* il-cli-stacks.c: interleave-cli's words for sampled Python stacks: the function table and the profile export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-cli.h"
#include "il-clock.h"
#include "il-trace-stacks.h"

static gboolean summary_all_functions;

void
il_cli_set_summary_functions (gboolean all)
{
  summary_all_functions = all;
}

guint
il_cli_get_summary_functions (void)
{
  return summary_all_functions ? 0 : 5;
}

void
il_cli_print_functions (IlRunTrace *run, guint max_rows)
{
  IlTraceStacks *stacks = il_run_trace_get_stacks (run);
  g_autoptr(GArray) totals = NULL;
  g_autofree char *interval = NULL;
  guint shown;

  if (stacks == NULL || il_trace_stacks_get_n_samples (stacks) == 0)
    return;
  totals = il_trace_stacks_get_function_totals (stacks, run);
  interval = il_clock_format_duration (il_trace_stacks_get_interval_ns (stacks), IL_DURATION_SIGNIFICANT);
  shown = max_rows > 0 ? MIN (max_rows, totals->len) : totals->len;
  g_print (ngettext ("  Python functions (innermost frame, %" PRIu64 " sample every %s):\n",
                     "  Python functions (innermost frame, %" PRIu64 " samples, one every %s):\n",
                     il_trace_stacks_get_n_samples (stacks)),
           il_trace_stacks_get_n_samples (stacks), interval);
  {
    /* TRANSLATORS: column heads of the CLI's function table, each padded to 11 characters */
    g_autofree char *a = il_cli_pad (_("running"), 11);
    g_autofree char *b = il_cli_pad (_("GIL wait"), 11);
    g_autofree char *c = il_cli_pad (_("blocked"), 11);

    g_print ("    %s %s %s  %s\n", a, b, c, _("function"));
  }
  for (guint i = 0; i < shown; i++)
    {
      const IlStackFunctionTotal *t = &g_array_index (totals, IlStackFunctionTotal, i);
      g_autofree char *run_text = il_clock_format_duration (t->running_ns, IL_DURATION_FIXED);
      g_autofree char *gil = il_clock_format_duration (t->gil_wait_ns, IL_DURATION_FIXED);
      g_autofree char *blocked = il_clock_format_duration (t->blocked_ns, IL_DURATION_FIXED);
      g_autofree char *a = il_cli_pad (run_text, 11);
      g_autofree char *b = il_cli_pad (gil, 11);
      g_autofree char *c = il_cli_pad (blocked, 11);
      g_autofree char *frame = il_trace_stacks_format_frame (stacks, t->frame);

      g_print ("    %s %s %s  %s\n", a, b, c, frame);
    }
  if (shown < totals->len)
    g_print (ngettext ("    … and %u more function (--functions lists all)\n",
                       "    … and %u more functions (--functions lists all)\n", totals->len - shown),
             totals->len - shown);
}

gboolean
il_cli_write_profile (const char *path, IlTrace *trace, gboolean quiet, const char *prog)
{
  g_autoptr(GError) error = NULL;

  if (!il_trace_export_speedscope (trace, path, &error))
    {
      il_cli_report_error (prog, error);
      return FALSE;
    }
  if (!quiet)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_print (_("Wrote %s\n"), display);
    }
  return TRUE;
}
