/* il-cli-trace.c: `interleave-cli trace -- COMMAND`: runs a program as a traced run (il-program.c)
 * and records its threads from the kernel's context switches, or sampled where perf is refused. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-cli.h"
#include "il-run.h"

#define PROG "interleave-cli trace"

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} TraceWait;

static void
trace_done_cb (GObject *object, GAsyncResult *result, gpointer data)
{
  TraceWait *wait = data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

int
il_cli_trace (int argc, char **argv)
{
  IlCliOutputs out = { 0 };
  g_autofree char *label = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *capture = NULL;
  g_autofree char *max_spans = NULL;
  gboolean wait_all = FALSE;
  gboolean functions = FALSE;
  const GOptionEntry entries[] = {
    { "label", 0, 0, G_OPTION_ARG_FILENAME, &label,
      N_("Name of the run in the trace (default: the command line)"), N_("TEXT") },
    { "cwd", 0, 0, G_OPTION_ARG_FILENAME, &cwd,
      N_("Run the command in this folder"), N_("FOLDER") },
    { "capture", 0, 0, G_OPTION_ARG_STRING, &capture,
      N_("auto (kernel when allowed, else sampled), kernel or sampled"), N_("KIND") },
    { "wait-all", 0, 0, G_OPTION_ARG_NONE, &wait_all,
      N_("End when every process the command started has ended, not when the command has"), NULL },
    { "functions", 0, 0, G_OPTION_ARG_NONE, &functions,
      N_("Print every Python function of the runs' sampled stacks: time running, waiting for the GIL, blocked"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(IlRun) run = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(IlRunTrace) result = NULL;
  TraceWait wait = { NULL, NULL };
  int status = IL_CLI_EXIT_OK;
  g_autofree char *ending = NULL;

  context = g_option_context_new (_("-- COMMAND [ARG…] — record any program's threads"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Runs COMMAND (in its own process group, never through a shell) and records when each of\n"
      "its threads and child processes ran, on which CPU, when it was ready (waiting for a CPU)\n"
      "and what it blocked on: CPython's GIL (gil-wait), another lock (lock-wait), or I/O and\n"
      "sleep (io-wait). The kernel's context switches (perf_event_open) are used when allowed;\n"
      "otherwise /proc is sampled every 1 ms. Writes the same outputs as run."));
  {
    g_autofree char *description =
      g_strconcat (_("Example:\n"
                     "  interleave-cli trace --png py.png -- python3 -c 'import threading; …'\n"
                     "\n"
                     "Exit status: 0 ok, 1 the command failed (its exit status or signal is said), could not be\n"
                     "traced or was cancelled, 2 bad input (a command that cannot be run, with the reason)."),
                   "\n\n",
                   _("Python programs (CPython 3.11; 3.13 untested): the names the program gave its threads\n"
                     "and, every 5 ms, each thread's Python stack and the GIL's holder are read from its\n"
                     "memory (as py-spy does; a process whose memory cannot be read is said and left out).\n"
                     "Environment: IL_NO_STACKS=1 reads no stacks (the names still); IL_DEBUG_STACKS=1\n"
                     "prints the sampler's rounds, samples and CPU time at the end."),
                   NULL);

    g_option_context_set_description (context, description);
  }
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  il_cli_add_max_spans_option (context, &max_spans);
  il_cli_outputs_add_group (context, &out, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !il_cli_outputs_check (&out, &error))
    {
      status = il_cli_report_error (PROG, error);
      goto done;
    }
  il_cli_set_summary_functions (functions);
  if (argc < 2 || (strcmp (argv[1], "--") == 0 && argc < 3))
    {
      g_printerr (_("%s: which command? Give it after -- (see --help)\n"), PROG);
      status = IL_CLI_EXIT_USAGE;
      goto done;
    }
  if (strcmp (argv[1], "--") == 0)
    {
      argv++;
      argc--;
    }

  config->executor = IL_EXECUTOR_EXTERNAL;
  config->workers = 1;
  config->tasks = 0;
  config->task_ms = 0;
  config->command = g_strdupv (argv + 1);
  config->cwd = g_strdup (cwd);
  config->wait_all = wait_all;
  config->label = label != NULL ? il_cli_text_from_arg (label) : NULL;
  if (!il_cli_parse_max_spans (max_spans, &config->max_spans, &error))
    {
      status = il_cli_report_error (PROG, error);
      goto done;
    }
  if (capture != NULL)
    {
      if (g_strcmp0 (capture, "sampled") == 0)
        config->capture = IL_CAPTURE_SAMPLED;
      else if (!il_cli_parse_capture (capture, &config->capture, &error) ||
               config->capture == IL_CAPTURE_SELF)
        {
          if (error == NULL)
            g_set_error (&error, IL_ERROR, IL_ERROR_INVALID,
                         _("--capture must be auto, kernel or sampled, not “%s”"), capture);
          status = il_cli_report_error (PROG, error);
          goto done;
        }
    }
  if (!il_cli_check_program (config, &error) || !il_run_config_validate (config, &error))
    {
      status = il_cli_report_error (PROG, error);
      goto done;
    }

  /* Ctrl+C reaches only us (the command has its own process group): Stop ends its whole tree
   * and the partial trace is still written. */
  il_cli_cancel_on_signals (cancellable);
  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  run = il_run_new (config);
  il_run_start_async (run, cancellable, trace_done_cb, &wait);
  g_main_loop_run (loop);
  il_cli_remove_signals ();

  result = il_run_start_finish (run, wait.result, &error);
  g_clear_object (&wait.result);
  if (result == NULL)
    {
      if (!g_error_matches (error, IL_ERROR, IL_ERROR_CANCELLED) ||
          il_run_get_trace (run) == NULL || il_run_get_running (run))
        {
          status = il_cli_report_error (PROG, error);
          if (status == IL_CLI_EXIT_USAGE)
            status = IL_CLI_EXIT_FAILED;
          goto done;
        }
      result = il_run_trace_ref (il_run_get_trace (run));
      status = IL_CLI_EXIT_FAILED;
    }

  trace = il_trace_new ();
  il_trace_set_machine_local (trace);
  il_trace_add_run (trace, result);

  if (!out.quiet)
    {
      g_autofree char *ended = il_run_trace_describe_exit (result);

      il_cli_print_run_summary (result, NULL);
      g_print (_("  threads        %u in %u processes\n"), il_run_trace_get_n_workers (result),
               il_run_trace_get_n_processes (result));
      if (ended != NULL)
        g_print (_("  ended          %s\n"), ended);
      g_print ("\n");
    }
  if (!il_cli_outputs_write (&out, trace, PROG))
    status = IL_CLI_EXIT_FAILED;

  ending = il_cli_describe_end (il_run_get_exit_status (run));
  if (il_run_trace_get_cancelled (result))
    g_printerr (_("%s: stopped; the trace holds what was recorded until then\n"), PROG);
  else if (ending != NULL)
    {
      /* Its stderr went to ours as it ran, and its last lines are said again here: with how it
       * ended, they are the message (a log may keep only this). */
      g_autoptr(GString) tail = g_string_new (NULL);

      il_cli_append_stderr_tail (tail, il_run_get_stderr_tail (run));
      g_printerr (_("%s: the command %s\n"), PROG, ending);
      g_printerr ("%s", tail->str);
      status = IL_CLI_EXIT_FAILED;
    }

done:
  il_cli_outputs_clear (&out);
  return status;
}
