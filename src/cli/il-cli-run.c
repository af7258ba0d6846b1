/* il-cli-run.c: `interleave-cli run`: one configuration or a lesson's runs, summary and output files. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-batch.h"
#include "il-batch-runner.h"
#include "il-cli.h"
#include "il-capture.h"
#include "il-clock.h"
#include "il-cpu-sampler.h"
#include "il-lesson.h"
#include "il-lesson-trust.h"
#include "il-report.h"
#include "il-run.h"

#define PROG "interleave-cli run"

typedef struct
{
  char     *lesson;
  gboolean  allow_commands;  /* run a lesson's programs although it is not shipped */
  char     *executor;
  gboolean  gil;
  IlCliWorkOptions work;
  gboolean  baseline;
  char     *repeat;
  char     *report;       /* a lab report PDF */
  char     *prediction;   /* the student's prediction, for the report */
  char     *student;      /* who hands the report in: name, ID, group */
  char     *student_id;
  char     *group;
  IlCliOutputs out;
} RunOptions;

static void
run_options_clear (RunOptions *o)
{
  g_free (o->lesson);
  g_free (o->executor);
  g_free (o->repeat);
  g_free (o->report);
  g_free (o->prediction);
  g_free (o->student);
  g_free (o->student_id);
  g_free (o->group);
  il_cli_work_options_clear (&o->work);
  il_cli_outputs_clear (&o->out);
}

/* Applies the run options to @config; only options that were given change it. */
static gboolean
apply_options (RunOptions *o, IlRunConfig *config, GError **error)
{
  if (o->executor != NULL && !il_executor_from_string (o->executor, &config->executor))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("unknown executor “%s” (sequential, threads, processes or async; add --gil for threads under a GIL)"),
                   o->executor);
      return FALSE;
    }
  if (o->gil)
    config->gil = TRUE;
  /* --tasks 0 is a valid run configuration (il_run_config_validate() allows it). */
  return il_cli_work_options_apply (&o->work, 0, config, error);
}

/* Before a lesson: a short look at /proc/stat, so a comparison on a busy machine is not a surprise. */
static void
quiet_machine_check (gboolean quiet)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *warning = NULL;
  double busy = il_cpu_load_measure_busy (200 * G_GINT64_CONSTANT (1000000), &error);

  if (busy < 0)
    {
      g_debug ("%s", error->message);
      return;
    }
  if ((warning = il_cpu_load_describe_busy (busy)) != NULL)
    g_printerr ("%s: %s\n", PROG, warning);
  else if (!quiet)
    g_debug ("quiet-machine check: %.1f %% busy", busy * 100);
}

/* The configurations to run, in order: a lesson's runs, or one run from the options. */
static GPtrArray *
build_configs (RunOptions *o, IlLesson **lesson_out, GError **error)
{
  g_autoptr(GPtrArray) configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  IlCaptureKind capture = IL_CAPTURE_AUTO;

  if (o->work.capture != NULL && !il_cli_parse_capture (o->work.capture, &capture, error))
    return NULL;

  if (o->lesson != NULL)
    {
      const struct { const char *name; gboolean given; } conflicts[] = {
        { "--executor", o->executor != NULL }, { "--gil", o->gil },
        { "--switch-interval", o->work.switch_interval != NULL },
        { "--workers", o->work.workers != NULL },
        { "--cpus", o->work.cpus != NULL }, { "--workload", o->work.workload != NULL },
        { "--tasks", o->work.tasks != NULL }, { "--task-ms", o->work.task_ms != NULL },
      };
      g_autofree char *path = NULL;
      g_autoptr(IlLesson) lesson = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (conflicts); i++)
        if (conflicts[i].given)
          {
            g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                         _("%s cannot be combined with --lesson: the lesson sets its runs"),
                         conflicts[i].name);
            return NULL;
          }
      if ((path = il_lesson_find (o->lesson, error)) == NULL ||
          (lesson = il_lesson_new_from_file (path, error)) == NULL)
        return NULL;
      /* A lesson from elsewhere is a document that can start programs: it runs them only when
       * the user says so (there is no one to ask on a terminal-less run, so never a prompt). */
      if (!o->allow_commands && il_lesson_trust_needs_consent (lesson))
        {
          g_auto(GStrv) commands = il_lesson_trust_list_commands (lesson);
          g_autofree char *list = g_strjoinv (" ; ", commands);

          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("%s is not a shipped lesson and would run these programs: %s — read "
                         "them; to run them, add --allow-commands"),
                       path, list);
          return NULL;
        }
      for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
        {
          IlRunConfig *config = il_run_config_copy (il_lesson_get_run_config (lesson, i));

          if (o->work.capture != NULL)
            config->capture = capture;
          g_ptr_array_add (configs, config);
          if (!il_cli_parse_max_spans (o->work.max_spans, &config->max_spans, error))
            return NULL;
        }
      *lesson_out = g_steal_pointer (&lesson);
    }
  else
    {
      g_autoptr(IlRunConfig) config = il_run_config_new ();

      if (!apply_options (o, config, error))
        return NULL;
      config->capture = capture;
      g_ptr_array_add (configs, g_steal_pointer (&config));
    }

  for (guint i = 0; i < configs->len; i++)
    {
      g_autoptr(GError) local_error = NULL;

      /* A program that cannot start is named with the reason before anything runs. */
      if (!il_cli_check_program (configs->pdata[i], &local_error) ||
          !il_run_config_validate (configs->pdata[i], &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  /* --baseline: the same work, sequentially, first (unless a sequential run is there already). */
  if (o->baseline)
    {
      const IlRunConfig *first = configs->pdata[0];
      gboolean have = FALSE;

      for (guint i = 0; i < configs->len; i++)
        have |= ((const IlRunConfig *) configs->pdata[i])->executor == IL_EXECUTOR_SEQUENTIAL;
      if (!have)
        {
          IlRunConfig *seq = il_run_config_copy (first);

          seq->executor = IL_EXECUTOR_SEQUENTIAL;
          seq->gil = FALSE;
          seq->workers = 1;
          g_clear_pointer (&seq->label, g_free);
          seq->label = g_strdup (_("Sequential baseline"));
          g_ptr_array_insert (configs, 0, seq);
        }
    }
  return g_steal_pointer (&configs);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
  guint         repeat;
  guint         n_runs;
  guint         index;
  char         *label;      /* the run going on, with its round when repeated */
  char         *failed;     /* the title of the run that failed */
  GString      *program_failed;  /* each traced program that ended badly: how, and its last words */
  gboolean      progress;
} RunWatch;

static void
batch_done_cb (GObject *object, GAsyncResult *result, gpointer data)
{
  RunWatch *watch = data;

  watch->result = g_object_ref (result);
  g_main_loop_quit (watch->loop);
}

static void
tasks_done_cb (IlRun *run, GParamSpec *pspec, RunWatch *watch)
{
  /* One rewritten line on a terminal; nothing when stderr is a file or a pipe. */
  g_printerr ("\r\033[K[%u/%u] %s: %u/%u tasks", watch->index + 1, watch->n_runs, watch->label,
              il_run_get_tasks_done (run), il_run_get_tasks_total (run));
}

/* A stopped or silent worker process, or one that died and was replaced: said at once, on
 * stderr, whether or not progress is shown. */
static void
warning_cb (IlRun *run, GParamSpec *pspec, RunWatch *watch)
{
  if (il_run_get_warning (run) == NULL)
    return;
  if (watch->progress)
    g_printerr ("\r\033[K");
  g_printerr ("%s: %s\n", PROG, il_run_get_warning (run));
}

static void
run_prepared_cb (IlBatchRunner *runner, IlRun *run, guint round, guint index, RunWatch *watch)
{
  g_autofree char *title = il_run_config_get_title (il_run_get_config (run));

  g_free (watch->label);
  watch->label = watch->repeat > 1 ? g_strdup_printf ("%s (%u/%u)", title, round + 1, watch->repeat)
                                   : g_steal_pointer (&title);
  watch->index = index;
  if (watch->progress)
    g_signal_connect (run, "notify::tasks-done", G_CALLBACK (tasks_done_cb), watch);
  g_signal_connect (run, "notify::warning", G_CALLBACK (warning_cb), watch);
}

static void
run_finished_cb (IlBatchRunner *runner, IlRun *run, IlRunTrace *trace, guint round, guint index,
                 const GError *error, RunWatch *watch)
{
  g_autofree char *title = il_run_config_get_title (il_run_get_config (run));

  g_signal_handlers_disconnect_by_data (run, watch);
  if (watch->progress)
    g_printerr ("\r\033[K");
  if (trace != NULL && il_run_trace_get_label (trace) == NULL)
    il_run_trace_set_label (trace, title);
  if (error != NULL)
    {
      g_free (watch->failed);
      watch->failed = g_steal_pointer (&title);
    }
  else if (il_run_config_is_program (il_run_get_config (run)) && trace != NULL &&
           !il_run_trace_get_cancelled (trace))
    {
      /* A lesson's program that fails is a failed run, though its trace is whole: how it ended
       * and its last lines on stderr (which also went to ours as it ran). */
      g_autofree char *ending = il_cli_describe_end (il_run_get_exit_status (run));
      g_autofree char *line = il_run_config_command_line (il_run_get_config (run), 200);

      if (ending != NULL)
        {
          g_string_append_printf (watch->program_failed, "%s: ", PROG);
          g_string_append_printf (watch->program_failed, _("run “%s” failed: its program %s %s\n"),
                                  il_run_trace_get_label (trace), line, ending);
          il_cli_append_stderr_tail (watch->program_failed, il_run_get_stderr_tail (run));
        }
    }
}

static gboolean
is_cancel_error (const GError *error)
{
  return g_error_matches (error, IL_ERROR, IL_ERROR_CANCELLED);
}

/* Runs the batch on the default main context (so SIGINT is seen), every configuration once per
 * round, so drift in the machine hits all alike. Returns each configuration's median run, also
 * when the batch was cancelled or a run failed (then from the runs measured). */
static GPtrArray *
run_batch (GPtrArray *configs, guint repeat, gboolean progress, GCancellable *cancellable,
           gboolean *cancelled, GError **run_error, GString *program_failed)
{
  g_autoptr(IlBatchRunner) runner = il_batch_runner_new (configs, repeat);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  RunWatch watch = { loop, NULL, repeat, configs->len, 0, NULL, NULL, program_failed, progress };

  g_signal_connect (runner, "run-prepared", G_CALLBACK (run_prepared_cb), &watch);
  g_signal_connect (runner, "run-finished", G_CALLBACK (run_finished_cb), &watch);
  il_batch_runner_run_async (runner, cancellable, batch_done_cb, &watch);
  g_main_loop_run (loop);
  kept = il_batch_runner_run_finish (runner, watch.result, &error);
  if (kept == NULL)
    kept = g_ptr_array_ref (il_batch_runner_get_result (runner));
  if (error != NULL && (is_cancel_error (error) || g_cancellable_is_cancelled (cancellable)))
    *cancelled = TRUE;
  else if (error != NULL)
    {
      g_prefix_error (&error, _("run “%s” failed: "), watch.failed);
      *run_error = g_steal_pointer (&error);
    }
  g_clear_object (&watch.result);
  g_free (watch.label);
  g_free (watch.failed);
  return g_steal_pointer (&kept);
}

/* Each repeated configuration in one line: the median shown above, and the range of every run. */
static void
print_repeats (IlTrace *trace)
{
  for (guint i = 0; i < il_trace_get_n_runs (trace); i++)
    {
      IlRunTrace *run = il_trace_get_run (trace, i);
      const IlRepeat *r = il_run_trace_get_repeat (run);
      g_autofree char *wall = NULL, *lo = NULL, *hi = NULL;

      if (r == NULL)
        continue;
      wall = il_clock_format_duration (il_run_trace_get_summary (run)->wall_ns, IL_DURATION_FIXED);
      lo = il_clock_format_duration ((gint64) r->wall_ns[0], IL_DURATION_FIXED);
      hi = il_clock_format_duration ((gint64) r->wall_ns[1], IL_DURATION_FIXED);
      /* Translators: "“4 threads”: 3 runs, wall median 412 ms (398 ms–431 ms)" */
      g_print (g_dngettext (GETTEXT_PACKAGE, "“%s”: %u run, wall median %s (%s–%s)",
                            "“%s”: %u runs, wall median %s (%s–%s)", r->count),
               il_run_trace_get_label (run), r->count, wall, lo, hi);
      if (isfinite (il_run_trace_get_summary (run)->speedup) && isfinite (r->speedup[0]))
        g_print (_(", speedup %.2f× (%.2f×–%.2f×)"), il_run_trace_get_summary (run)->speedup,
                 r->speedup[0], r->speedup[1]);
      g_print ("\n");
    }
}

int
il_cli_run (int argc, char **argv)
{
  RunOptions o = { 0 };
  gboolean functions = FALSE;
  const GOptionEntry entries[] = {
    { "lesson", 'l', 0, G_OPTION_ARG_FILENAME, &o.lesson,
      N_("Run a lesson: a .lesson file or a shipped lesson's name (e.g. 01-gil-vs-processes, or 01); combines only with --capture, --baseline and the outputs"),
      N_("FILE|NAME") },
    { "allow-commands", 0, 0, G_OPTION_ARG_NONE, &o.allow_commands,
      N_("Let a lesson that is not shipped with Interleave run the programs it names (Command=); without it such a lesson is refused, listing them"),
      NULL },
    { "executor", 'e', 0, G_OPTION_ARG_STRING, &o.executor,
      N_("sequential, threads, processes or async (default threads)"), N_("E") },
    { "gil", 0, 0, G_OPTION_ARG_NONE, &o.gil,
      N_("Threads share one emulated global interpreter lock, like CPython"), NULL },
    { "switch-interval", 0, 0, G_OPTION_ARG_STRING, &o.work.switch_interval,
      N_("GIL switch interval in ms (default 5)"), N_("MS") },
    { "workers", 'w', 0, G_OPTION_ARG_STRING, &o.work.workers,
      N_("Number of workers, 1 to 256 (default 4)"), N_("N") },
    { "cpus", 'c', 0, G_OPTION_ARG_STRING, &o.work.cpus,
      N_("Allowed CPUs, e.g. 0 or 0-1 or 0,2 (default: all)"), N_("LIST") },
    { "workload", 0, 0, G_OPTION_ARG_STRING, &o.work.workload,
      N_("cpu, memory, sleep, disk, mixed or convoy (default cpu)"), N_("W") },
    { "tasks", 't', 0, G_OPTION_ARG_STRING, &o.work.tasks,
      N_("Number of tasks (default 8)"), N_("N") },
    { "task-ms", 0, 0, G_OPTION_ARG_STRING, &o.work.task_ms,
      N_("Length of one task in ms of work on one idle core; 0 is an empty task (default 100)"),
      N_("MS") },
    { "capture", 0, 0, G_OPTION_ARG_STRING, &o.work.capture,
      N_("Where states come from: auto, kernel or self (default auto)"), N_("HOW") },
    { "baseline", 'b', 0, G_OPTION_ARG_NONE, &o.baseline,
      N_("Also run the same work sequentially first, for the speedup"), NULL },
    { "repeat", 0, 0, G_OPTION_ARG_STRING, &o.repeat,
      N_("Run every configuration N times, alternating (A B A B …); figures are the median run's, with the range of all (default 1)"),
      N_("N") },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &o.report,
      N_("Write a lab report (PDF, A4 or Letter from the locale): the lesson, the prediction, the answer, every run's picture, the figures and the machine"),
      N_("FILE.pdf") },
    { "prediction", 0, 0, G_OPTION_ARG_STRING, &o.prediction,
      N_("The prediction made before running, for the lab report"), N_("TEXT") },
    { "student", 0, 0, G_OPTION_ARG_STRING, &o.student,
      N_("The student's name, for the lab report"), N_("NAME") },
    { "student-id", 0, 0, G_OPTION_ARG_STRING, &o.student_id,
      N_("The student's ID, for the lab report"), N_("ID") },
    { "group", 0, 0, G_OPTION_ARG_STRING, &o.group,
      N_("The student's group or class, for the lab report"), N_("GROUP") },
    { "functions", 0, 0, G_OPTION_ARG_NONE, &functions,
      N_("Print every Python function of the runs' sampled stacks: time running, waiting for the GIL, blocked"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) configs = NULL;
  g_autoptr(IlLesson) lesson = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) run_error = NULL;
  g_autoptr(GString) program_failed = g_string_new (NULL);
  gboolean cancelled = FALSE;
  int baseline = -1;
  int status;
  guint repeat = 1;
  g_autoptr(GPtrArray) kept = NULL;

  context = g_option_context_new (_("— run work on an executor and trace it"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Runs tasks of real work on an executor, records what every worker did on which CPU, and\n"
      "prints a summary: wall time, CPU time, average and maximum parallelism, speedup, and the\n"
      "time spent in gil-wait, io-wait and ready. With --lesson, runs each of the lesson's runs\n"
      "and compares them. Ctrl+C stops the run; the partial trace is still written."));
  g_option_context_set_description (context,
    _("Examples:\n"
      "  interleave-cli run --executor threads --gil --workers 4 --tasks 8 --task-ms 100\n"
      "  interleave-cli run --executor processes --workers 2 --baseline --png run.png\n"
      "  interleave-cli run --lesson 01-gil-vs-processes --png lesson.png -o lesson.interleave.json\n"
      "\n"
      "Exit status: 0 ok, 1 the run or writing a file failed or was cancelled, 2 bad input."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  il_cli_add_max_spans_option (context, &o.work.max_spans);
  il_cli_outputs_add_group (context, &o.out, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = il_cli_report_error (PROG, error);
      run_options_clear (&o);
      return status;
    }
  il_cli_set_summary_functions (functions);
  if (argc > 1)
    {
      g_printerr (_("%s: unexpected argument “%s” (see --help)\n"), PROG, argv[1]);
      run_options_clear (&o);
      return IL_CLI_EXIT_USAGE;
    }
  if (o.repeat != NULL)
    {
      guint64 n;

      if (!g_ascii_string_to_unsigned (o.repeat, 10, 1, 100, &n, NULL))
        {
          g_printerr (_("%s: --repeat must be a whole number from 1 to 100, not “%s”\n"), PROG, o.repeat);
          run_options_clear (&o);
          return IL_CLI_EXIT_USAGE;
        }
      repeat = (guint) n;
    }
  if (o.report != NULL && strcmp (o.report, "-") == 0)
    {
      g_printerr (_("%s: --report writes a PDF file and cannot go to standard output (-); give a file name\n"),
                  PROG);
      run_options_clear (&o);
      return IL_CLI_EXIT_USAGE;
    }
  if (o.report == NULL && (o.student != NULL || o.student_id != NULL || o.group != NULL ||
                           o.prediction != NULL))
    {
      /* They would go nowhere: said, not silently dropped. */
      g_printerr (_("%s: --prediction, --student, --student-id and --group are for the lab report; add --report FILE.pdf\n"),
                  PROG);
      run_options_clear (&o);
      return IL_CLI_EXIT_USAGE;
    }
  if (!il_cli_outputs_check (&o.out, &error) ||
      (configs = build_configs (&o, &lesson, &error)) == NULL)
    {
      status = il_cli_report_error (PROG, error);
      run_options_clear (&o);
      return status;
    }

  if (lesson != NULL && !o.out.quiet)
    {
      g_print ("%s\n\n", il_lesson_get_title (lesson));
      if (il_lesson_get_question (lesson) != NULL)
        g_print (_("Predict first: %s\n\n"), il_lesson_get_question (lesson));
    }
  if (lesson != NULL)
    quiet_machine_check (o.out.quiet);

  trace = il_trace_new ();
  il_trace_set_machine_local (trace);
  il_cli_cancel_on_signals (cancellable);

  kept = run_batch (configs, repeat, !o.out.quiet && isatty (2), cancellable, &cancelled,
                    &run_error, program_failed);
  il_cli_remove_signals ();

  /* Each configuration keeps its median run (by wall time), with the range of all its runs. */
  for (guint i = 0; i < kept->len; i++)
    il_trace_add_run (trace, g_ptr_array_index (kept, i));
  for (guint i = 0; i < il_trace_get_n_runs (trace); i++)
    if (il_run_trace_get_config (il_trace_get_run (trace, i))->executor == IL_EXECUTOR_SEQUENTIAL &&
        !il_run_trace_get_cancelled (il_trace_get_run (trace, i)))
      {
        baseline = (int) i;
        break;
      }

  if (!o.out.quiet && il_trace_get_n_runs (trace) > 0)
    {
      if (il_trace_get_n_runs (trace) == 1)
        il_cli_print_run_summary (il_trace_get_run (trace, 0), NULL);
      else if (lesson == NULL && il_trace_get_n_runs (trace) == 2 && baseline == 0)
        {
          /* run --baseline: the run itself in detail, the baseline in one line. */
          IlRunTrace *base = il_trace_get_run (trace, 0);
          g_autofree char *wall = il_clock_format_duration (il_run_trace_get_summary (base)->wall_ns,
                                                            IL_DURATION_FIXED);

          il_cli_print_run_summary (il_trace_get_run (trace, 1), il_run_trace_get_label (base));
          g_print (_("  baseline       %s: %s\n"), il_run_trace_get_label (base), wall);
        }
      else
        il_cli_print_comparison (il_trace_get_runs (trace), baseline);
      print_repeats (trace);
      if (lesson != NULL && il_lesson_get_answer (lesson) != NULL && !cancelled)
        g_print (_("\nWhat to see: %s\n"), il_lesson_get_answer (lesson));
      il_cli_print_disturbed (il_trace_get_runs (trace));
      g_print ("\n");
    }

  /* Said once: the runs fell back to the self capture because the kernel refused its own. */
  for (guint i = 0; i < il_trace_get_n_runs (trace); i++)
    if (il_run_trace_get_capture (il_trace_get_run (trace, i)) == IL_CAPTURE_SELF &&
        il_run_trace_get_config (il_trace_get_run (trace, i))->capture == IL_CAPTURE_AUTO &&
        il_capture_kernel_refusal () != NULL)
      {
        g_printerr ("%s: %s\n", PROG, il_capture_kernel_refusal ());
        break;
      }

  status = IL_CLI_EXIT_OK;
  if (il_trace_get_n_runs (trace) > 0 && !il_cli_outputs_write (&o.out, trace, PROG))
    status = IL_CLI_EXIT_FAILED;
  if (o.report != NULL && il_trace_get_n_runs (trace) > 0)
    {
      IlReportOptions report;
      IlReportLesson texts;
      g_autoptr(GError) report_error = NULL;
      g_autofree char *prediction = o.prediction != NULL ? il_cli_text_from_arg (o.prediction)
                                                         : NULL;
      g_autofree char *student = o.student != NULL ? il_cli_text_from_arg (o.student) : NULL;
      g_autofree char *student_id = o.student_id != NULL ? il_cli_text_from_arg (o.student_id)
                                                         : NULL;
      g_autofree char *group = o.group != NULL ? il_cli_text_from_arg (o.group) : NULL;

      il_report_options_init (&report);
      if (lesson != NULL)
        {
          texts.title = il_lesson_get_title (lesson);
          texts.explanation = il_lesson_get_explanation (lesson);
          texts.question = il_lesson_get_question (lesson);
          texts.answer = il_lesson_get_answer (lesson);
          texts.id = il_lesson_get_id (lesson);
          texts.checksum = il_lesson_get_checksum (lesson);
          report.lesson = &texts;
        }
      report.prediction = prediction;
      report.student = student;
      report.student_id = student_id;
      report.group = group;
      report.runs = il_trace_get_runs (trace);
      report.view = o.out.export.view;
      if (!il_report_write (o.report, &report, &report_error))
        {
          il_cli_report_error (PROG, report_error);
          status = IL_CLI_EXIT_FAILED;
        }
      else if (!o.out.quiet)
        {
          g_autofree char *display = g_filename_display_name (o.report);
          g_print (_("Wrote %s\n"), display);
        }
    }
  if (cancelled)
    {
      g_printerr (_("%s: cancelled; the trace written is partial and marked cancelled\n"), PROG);
      status = IL_CLI_EXIT_FAILED;
    }
  if (run_error != NULL)
    {
      il_cli_report_error (PROG, run_error);
      status = IL_CLI_EXIT_FAILED;
    }
  if (program_failed->len > 0)
    {
      g_printerr ("%s", program_failed->str);
      status = IL_CLI_EXIT_FAILED;
    }

  run_options_clear (&o);
  return status;
}
