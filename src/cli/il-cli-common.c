/* il-cli-common.c: what interleave-cli's subcommands share: output files, numbers, summaries, signals. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <gio/gunixoutputstream.h>
#include <unistd.h>
#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-atomic-file.h"
#include "il-capture-words.h"
#include "il-cli.h"
#include "il-clock.h"
#include "il-cpu-load.h"
#include "il-program.h"

#define MIN_SIZE 64
#define MAX_SIZE 16384

void
il_cli_outputs_add_group (GOptionContext *context, IlCliOutputs *o, gboolean with_trace)
{
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->trace_path,
      N_("Write the trace (Interleave trace v1 JSON) to FILE"), N_("FILE") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o->csv_path,
      N_("Write every span as a CSV row to FILE"), N_("FILE") },
    { "chrome-trace", 0, 0, G_OPTION_ARG_FILENAME, &o->chrome_path,
      N_("Write a Chrome Trace Event file (Perfetto, chrome://tracing) to FILE"), N_("FILE") },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &o->png_path,
      N_("Draw the timeline (runs stacked) to a PNG image"), N_("FILE") },
    { "svg", 0, 0, G_OPTION_ARG_FILENAME, &o->svg_path,
      N_("Draw the timeline to an SVG (vector) image"), N_("FILE") },
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &o->pdf_path,
      N_("Draw the timeline to a PDF (vector) document"), N_("FILE") },
    { "view", 0, 0, G_OPTION_ARG_STRING, &o->view,
      N_("Lanes to draw: workers, cores or both (default: both, with the parallelism strip)"),
      N_("VIEW") },
    { "width", 0, 0, G_OPTION_ARG_STRING, &o->width,
      N_("Image width in pixels (points for SVG/PDF); default 1920"), N_("PX") },
    { "height", 0, 0, G_OPTION_ARG_STRING, &o->height,
      N_("Image height in pixels (points for SVG/PDF); default 1080"), N_("PX") },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &o->scale,
      N_("PNG scale for HiDPI and slides: 1920×1080 at 2 gives 3840×2160; default 1"), N_("S") },
    { "theme", 0, 0, G_OPTION_ARG_STRING, &o->theme,
      N_("Image colours: light or dark (default light)"), N_("THEME") },
    /* Bytes as given: il_cli_text_from_arg() makes them UTF-8 without refusing them. */
    { "title", 0, 0, G_OPTION_ARG_FILENAME, &o->title,
      N_("Title of the image (default: from the runs)"), N_("TEXT") },
    { "color-by-cpu", 0, 0, G_OPTION_ARG_NONE, &o->color_by_cpu,
      N_("Colour running spans by CPU instead of by task"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
      N_("Print nothing but errors"), NULL },
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &o->profile_path,
      N_("Write the sampled Python stacks as a speedscope profile to FILE"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };

  /* In the main group, so plain --help lists them. */
  g_option_context_add_main_entries (context, with_trace ? entries : entries + 1, GETTEXT_PACKAGE);
}

gboolean
il_cli_write_file (const char *path, const char *data, gsize len, GError **error)
{
  g_autoptr(IlAtomicFile) file = NULL;
  g_autoptr(GError) local_error = NULL;

  /* "-": standard output (il_cli_outputs_check() allowed it and made the run quiet). */
  if (strcmp (path, "-") == 0)
    {
      if (fwrite (data, 1, len, stdout) != len || fflush (stdout) != 0)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Cannot write %s: %s"),
                       _("standard output"), g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }
  if ((file = il_atomic_file_new (path, error)) == NULL)
    return FALSE;
  if (!g_output_stream_write_all (il_atomic_file_get_stream (file), data, len, NULL, NULL,
                                  &local_error))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Cannot write %s: %s"), display,
                   local_error->message);
      return FALSE;
    }
  return il_atomic_file_commit (g_steal_pointer (&file), error);
}

char *
il_cli_text_from_arg (const char *arg)
{
  char *text;

  g_return_val_if_fail (arg != NULL, NULL);

  if (g_utf8_validate (arg, -1, NULL))
    return g_strdup (arg);
  /* Text typed in a terminal with another charset, or bytes that are no text at all. */
  text = g_locale_to_utf8 (arg, -1, NULL, NULL, NULL);
  return text != NULL ? text : g_utf8_make_valid (arg, -1);
}

gboolean
il_cli_parse_uint (const char *option, const char *str, guint64 min, guint64 max, guint *out,
                   GError **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 v;

  g_assert (max <= G_MAXUINT);
  if (!g_ascii_string_to_unsigned (str, 10, min, max, &v, &local_error))
    {
      if (g_error_matches (local_error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                     _("%s must be between %" PRIu64 " and %" PRIu64 ", not %s"),
                     option, min, max, str);
      else
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                     _("%s needs a whole number from %" PRIu64 " to %" PRIu64 ", not “%s”"),
                     option, min, max, str);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

gboolean
il_cli_parse_double (const char *option, const char *str, double min, double max, double *out,
                     GError **error)
{
  char *end = NULL;
  double v;

  errno = 0;
  v = g_ascii_strtod (str, &end);
  if (str[0] == '\0' || g_ascii_isspace (str[0]) || end == NULL || *end != '\0' || errno != 0 ||
      !isfinite (v))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s needs a number, not “%s”"), option, str);
      return FALSE;
    }
  if (v < min || v > max)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s must be between %g and %g, not %s"),
                   option, min, max, str);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
il_cli_work_options_apply (const IlCliWorkOptions *o, guint min_tasks, IlRunConfig *config,
                           GError **error)
{
  guint u;

  g_return_val_if_fail (o != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (o->switch_interval != NULL &&
      !il_cli_parse_double ("--switch-interval", o->switch_interval, 0.1, 1000.0,
                            &config->switch_interval_ms, error))
    return FALSE;
  if (o->workers != NULL)
    {
      if (!il_cli_parse_uint ("--workers", o->workers, 1, IL_MAX_WORKERS, &u, error))
        return FALSE;
      config->workers = u;
    }
  if (o->cpus != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      GArray *cpus = il_cpu_set_parse (o->cpus, &local_error);

      if (cpus == NULL)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID, "--cpus: %s", local_error->message);
          return FALSE;
        }
      g_clear_pointer (&config->cpus, g_array_unref);
      config->cpus = cpus;
    }
  if (o->workload != NULL && !il_workload_from_string (o->workload, &config->workload))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("unknown workload “%s” (cpu, memory, sleep, disk, mixed or convoy)"), o->workload);
      return FALSE;
    }
  if (o->tasks != NULL)
    {
      if (!il_cli_parse_uint ("--tasks", o->tasks, min_tasks, IL_MAX_TASKS, &u, error))
        return FALSE;
      config->tasks = u;
    }
  if (o->task_ms != NULL &&
      !il_cli_parse_double ("--task-ms", o->task_ms, 0.0, IL_MAX_TASK_MS, &config->task_ms, error))
    return FALSE;
  return il_cli_parse_max_spans (o->max_spans, &config->max_spans, error);
}

void
il_cli_add_max_spans_option (GOptionContext *context, char **max_spans)
{
  const GOptionEntry entries[] = {
    { "max-spans", 0, 0, G_OPTION_ARG_STRING, max_spans,
      N_("Keep at most N spans per run (default 20000000; 0: no limit); past it spans are dropped, times and tasks stay complete"),
      N_("N") },
    G_OPTION_ENTRY_NULL
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

gboolean
il_cli_parse_max_spans (const char *str, guint64 *out, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 v;

  if (str == NULL)
    {
      *out = IL_DEFAULT_MAX_SPANS;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (str, 10, 0, G_GUINT64_CONSTANT (1) << 40, &v, &local_error))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s needs a whole number from %" PRIu64 " to %" PRIu64 ", not “%s”"),
                   "--max-spans", (guint64) 0, G_GUINT64_CONSTANT (1) << 40, str);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

void
il_cli_work_options_clear (IlCliWorkOptions *o)
{
  g_clear_pointer (&o->max_spans, g_free);
  g_clear_pointer (&o->switch_interval, g_free);
  g_clear_pointer (&o->workers, g_free);
  g_clear_pointer (&o->cpus, g_free);
  g_clear_pointer (&o->workload, g_free);
  g_clear_pointer (&o->tasks, g_free);
  g_clear_pointer (&o->task_ms, g_free);
  g_clear_pointer (&o->capture, g_free);
}

gboolean
il_cli_parse_capture (const char *str, IlCaptureKind *out, GError **error)
{
  /* "sampled" is for traced programs only (`trace --capture sampled`). */
  if (!il_capture_from_string (str, out) || *out == IL_CAPTURE_SAMPLED)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("--capture must be auto, kernel or self, not “%s”"), str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_stdout (const char *path)
{
  return path != NULL && strcmp (path, "-") == 0;
}

/* "-" is standard output for the text formats (never a file called "-"), for one of them at a
 * time; then the summary is left out (--quiet), so what is piped on is that file alone. An image
 * is binary and refused there: a terminal is no place for it. */
static gboolean
check_stdout (IlCliOutputs *o, GError **error)
{
  const struct { const char *option; const char *path; } images[] = {
    { "--png", o->png_path }, { "--svg", o->svg_path }, { "--pdf", o->pdf_path },
    { "--profile", o->profile_path },
  };
  guint n = is_stdout (o->trace_path) + is_stdout (o->csv_path) + is_stdout (o->chrome_path);

  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    if (is_stdout (images[i].path))
      {
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                     _("%s cannot write to standard output (-); give a file name"),
                     images[i].option);
        return FALSE;
      }
  if (n > 1)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID,
                           _("only one of -o, --csv and --chrome-trace can be standard output (-)"));
      return FALSE;
    }
  if (n == 1)
    o->quiet = TRUE;
  /* What a traced program prints would be read as part of that file. */
  il_program_set_stdout_to_stderr (n == 1);
  return TRUE;
}

/* An output's folder must exist before a run of minutes starts, not be found missing after it. */
static gboolean
check_output_path (const char *option, const char *path, GError **error)
{
  g_autofree char *dir = NULL;

  if (path == NULL || is_stdout (path))
    return TRUE;
  if (path[0] == '\0')
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s needs a file name"), option);
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s: %s is a folder, not a file"), option,
                   path);
      return FALSE;
    }
  dir = g_path_get_dirname (path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s: the folder %s does not exist"), option,
                   dir);
      return FALSE;
    }
  return TRUE;
}

gboolean
il_cli_outputs_check (IlCliOutputs *o, GError **error)
{
  guint v;

  il_export_options_init (&o->export);

  if (o->view != NULL && !il_view_flags_from_string (o->view, &o->export.view))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("--view must be workers, cores or both, not “%s”"), o->view);
      return FALSE;
    }
  if (o->theme != NULL && !il_theme_from_string (o->theme, &o->export.theme))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("--theme must be light or dark, not “%s”"), o->theme);
      return FALSE;
    }
  if (o->width != NULL)
    {
      if (!il_cli_parse_uint ("--width", o->width, MIN_SIZE, MAX_SIZE, &v, error))
        return FALSE;
      o->export.width = (int) v;
    }
  if (o->height != NULL)
    {
      if (!il_cli_parse_uint ("--height", o->height, MIN_SIZE, MAX_SIZE, &v, error))
        return FALSE;
      o->export.height = (int) v;
    }
  if (o->scale != NULL &&
      !il_cli_parse_double ("--scale", o->scale, 0.25, 8.0, &o->export.scale, error))
    return FALSE;
  /* Refused here, as bad input before a run of minutes, not as a failed write after it. */
  if ((o->png_path != NULL || o->svg_path != NULL || o->pdf_path != NULL) &&
      !il_export_options_check (&o->export, error))
    return FALSE;
  if (o->png_path != NULL && o->export.width * o->export.scale * o->export.height * o->export.scale
                               > 400.0e6)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("--png: %g × %g pixels is too large an image"),
                   o->export.width * o->export.scale, o->export.height * o->export.scale);
      return FALSE;
    }
  o->export.color_by_cpu = o->color_by_cpu;
  if (o->title != NULL)
    {
      char *title = il_cli_text_from_arg (o->title);

      g_free (o->title);
      o->title = title;
    }
  o->export.title = o->title;

  if (!check_stdout (o, error))
    return FALSE;
  return check_output_path ("-o", o->trace_path, error) &&
         check_output_path ("--csv", o->csv_path, error) &&
         check_output_path ("--chrome-trace", o->chrome_path, error) &&
         check_output_path ("--png", o->png_path, error) &&
         check_output_path ("--svg", o->svg_path, error) &&
         check_output_path ("--pdf", o->pdf_path, error) &&
         check_output_path ("--profile", o->profile_path, error);
}

gboolean
il_cli_outputs_any (const IlCliOutputs *o)
{
  return o->trace_path || o->csv_path || o->chrome_path || o->png_path || o->svg_path ||
         o->pdf_path || o->profile_path;
}

/* The one output that is "-", to standard output, as it is made: a pipe reader sees it at once
 * and a full disk or a closed pipe is an error (SIGPIPE is ignored for it). */
static gboolean
write_stdout (IlCliOutputs *o, IlTrace *trace, const char *prog)
{
  g_autoptr(GOutputStream) stream = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  fflush (stdout);
  signal (SIGPIPE, SIG_IGN);
  if (is_stdout (o->trace_path))
    ok = il_trace_write (trace, stream, _("standard output"), NULL, &error);
  else if (is_stdout (o->csv_path))
    ok = il_trace_write_csv (trace, stream, _("standard output"), NULL, &error);
  else
    ok = il_trace_write_chrome (trace, stream, _("standard output"), NULL, &error);
  if (ok)
    ok = g_output_stream_flush (stream, NULL, &error);
  if (!ok)
    {
      il_cli_report_error (prog, error);
      return FALSE;
    }
  return TRUE;
}

/* Reports one output's result and clears @error. */
static gboolean
report_write (const IlCliOutputs *o, const char *prog, gboolean ok, GError **error,
              const char *path)
{
  if (!ok)
    {
      g_assert (*error != NULL);
      il_cli_report_error (prog, *error);
      g_clear_error (error);
      return FALSE;
    }
  if (!o->quiet)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_print (_("Wrote %s\n"), display);
    }
  return TRUE;
}

gboolean
il_cli_outputs_write (IlCliOutputs *o, IlTrace *trace, const char *prog)
{
  const struct { const char *path; IlImageFormat format; } images[] = {
    { o->png_path, IL_IMAGE_PNG },
    { o->svg_path, IL_IMAGE_SVG },
    { o->pdf_path, IL_IMAGE_PDF },
  };
  gboolean ok = TRUE;
  gboolean written;
  GError *error = NULL;

  il_cli_clean_up_on_signals ();
  if (is_stdout (o->trace_path) || is_stdout (o->csv_path) || is_stdout (o->chrome_path))
    ok = write_stdout (o, trace, prog);

  /* Each call completes before its error is looked at: passing `error` and `&error` in one call
   * leaves the order to the compiler, and gcc read the pointer before it was set. */
  if (o->trace_path != NULL && !is_stdout (o->trace_path))
    {
      written = il_trace_save (trace, o->trace_path, &error);
      ok &= report_write (o, prog, written, &error, o->trace_path);
    }
  if (o->csv_path != NULL && !is_stdout (o->csv_path))
    {
      written = il_trace_export_csv (trace, o->csv_path, &error);
      ok &= report_write (o, prog, written, &error, o->csv_path);
    }
  if (o->chrome_path != NULL && !is_stdout (o->chrome_path))
    {
      written = il_trace_export_chrome (trace, o->chrome_path, &error);
      ok &= report_write (o, prog, written, &error, o->chrome_path);
    }
  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    if (images[i].path != NULL)
      {
        written = il_export_runs (il_trace_get_runs (trace), &o->export, images[i].format,
                                  images[i].path, &error);
        ok &= report_write (o, prog, written, &error, images[i].path);
      }
  if (o->profile_path != NULL)
    ok &= il_cli_write_profile (o->profile_path, trace, o->quiet, prog);
  return ok;
}

void
il_cli_outputs_clear (IlCliOutputs *o)
{
  g_clear_pointer (&o->trace_path, g_free);
  g_clear_pointer (&o->csv_path, g_free);
  g_clear_pointer (&o->chrome_path, g_free);
  g_clear_pointer (&o->png_path, g_free);
  g_clear_pointer (&o->svg_path, g_free);
  g_clear_pointer (&o->pdf_path, g_free);
  g_clear_pointer (&o->view, g_free);
  g_clear_pointer (&o->width, g_free);
  g_clear_pointer (&o->height, g_free);
  g_clear_pointer (&o->scale, g_free);
  g_clear_pointer (&o->theme, g_free);
  g_clear_pointer (&o->title, g_free);
  g_clear_pointer (&o->profile_path, g_free);
}

int
il_cli_report_error (const char *prog, const GError *error)
{
  g_autofree char *msg = g_strdup (error->message);

  /* One line, always: a multi-line message would break scripts that read the first line. */
  g_strdelimit (msg, "\r\n", ' ');
  g_printerr ("%s: %s\n", prog, msg);
  if (error->domain == G_OPTION_ERROR ||
      (error->domain == IL_ERROR && error->code == IL_ERROR_INVALID))
    return IL_CLI_EXIT_USAGE;
  return IL_CLI_EXIT_FAILED;
}

char *
il_cli_pad (const char *str, guint width)
{
  glong len = g_utf8_strlen (str, -1);
  GString *s = g_string_new (str);

  for (glong i = len; i < (glong) width; i++)
    g_string_append_c (s, ' ');
  return g_string_free (s, FALSE);
}

/* Right-aligned in @width characters. */
static char *
rpad (const char *str, guint width)
{
  glong len = g_utf8_strlen (str, -1);
  GString *s = g_string_new (NULL);

  for (glong i = len; i < (glong) width; i++)
    g_string_append_c (s, ' ');
  g_string_append (s, str);
  return g_string_free (s, FALSE);
}

static const char *
run_label (IlRunTrace *run, char **to_free)
{
  const char *label = il_run_trace_get_label (run);

  if (label != NULL)
    return label;
  *to_free = il_run_config_get_title (il_run_trace_get_config (run));
  return *to_free;
}

/* The convoy's I/O task (task 0) from its start to its end, or -1 when it did not finish. The
 * run's averages hide it, yet it is what a convoy is about: how late the I/O-bound work ends. */
static gint64
convoy_task_ns (IlRunTrace *run)
{
  const IlTaskRecord *task;

  if (il_run_trace_get_config (run)->workload != IL_WORKLOAD_CONVOY ||
      il_run_trace_get_config (run)->executor == IL_EXECUTOR_EXTERNAL ||
      il_run_trace_get_n_tasks (run) == 0)
    return -1;
  task = il_run_trace_get_task (run, 0);
  if (task->status != IL_TASK_OK)
    return -1;
  return task->end_ns - task->start_ns;
}

static guint
count_tasks (IlRunTrace *run, IlTaskStatus status)
{
  guint n = 0;

  for (guint i = 0; i < il_run_trace_get_n_tasks (run); i++)
    if (il_run_trace_get_task (run, i)->status == status)
      n++;
  return n;
}

/* "other programs took 12 % of the CPUs (…)" under a run's figures, when the run measured it. */
static void
print_other_programs (IlRunTrace *run)
{
  g_autofree char *text = il_cpu_load_describe_run (run);

  if (text != NULL)
    g_print (_("  machine        %s\n"), text);
}

/* One line under a comparison: each run's share of the CPUs that other programs took. */
static void
print_comparison_other_programs (GPtrArray *runs)
{
  GString *line = g_string_new (NULL);

  for (guint r = 0; r < runs->len; r++)
    {
      IlRunTrace *run = runs->pdata[r];
      const IlSummary *s = il_run_trace_get_summary (run);
      g_autofree char *free_label = NULL;

      if (il_run_trace_get_cpu_load (run) == NULL || !isfinite (s->other_share))
        continue;
      if (line->len > 0)
        g_string_append (line, ", ");
      /* TRANSLATORS: a run's label and the share of the CPUs other programs took during it */
      g_string_append_printf (line, _("“%s” %d %%"), run_label (run, &free_label),
                              (int) round (s->other_share * 100));
    }
  if (line->len > 0)
    g_print (_("other programs took of the CPUs during each run: %s\n"), line->str);
  g_string_free (line, TRUE);
}

void
il_cli_print_disturbed (GPtrArray *runs)
{
  g_autofree char *text = NULL;

  g_return_if_fail (runs != NULL);

  if ((text = il_cpu_load_describe_disturbed (runs)) != NULL)
    g_print ("\n%s\n", text);
}

/* A traced program's event-loop threads: busy in a callback (its other tasks wait) or idle. */
static void
print_event_loops (IlRunTrace *run)
{
  g_autoptr(GArray) loops = il_run_trace_find_event_loops (run);

  for (guint i = 0; i < loops->len; i++)
    {
      const IlEventLoop *l = &g_array_index (loops, IlEventLoop, i);
      g_autofree char *name = il_run_trace_get_worker_label (run, l->worker);
      g_autofree char *busy = il_clock_format_duration (l->busy_ns, IL_DURATION_FIXED);
      g_autofree char *idle = il_clock_format_duration (l->idle_ns, IL_DURATION_FIXED);

      /* TRANSLATORS: an event-loop thread's name, then two durations */
      g_print (_("  event loop     %s: loop busy in callbacks %s, loop idle waiting for I/O %s\n"),
               name, busy, idle);
    }
}

void
il_cli_print_run_summary (IlRunTrace *run, const char *baseline_label)
{
  const IlSummary *s = il_run_trace_get_summary (run);
  const IlRunConfig *config = il_run_trace_get_config (run);
  g_autofree char *free_label = NULL;
  g_autofree char *describe = il_run_config_describe (config);
  const char *label = run_label (run, &free_label);
  g_autofree char *wall = il_clock_format_duration (s->wall_ns, IL_DURATION_FIXED);
  g_autofree char *cpu = il_clock_format_duration (s->cpu_ns, IL_DURATION_FIXED);
  g_autofree char *gil = il_clock_format_duration (s->gil_wait_ns, IL_DURATION_FIXED);
  g_autofree char *io = il_clock_format_duration (s->io_wait_ns, IL_DURATION_FIXED);
  g_autofree char *ready = il_clock_format_duration (s->ready_ns, IL_DURATION_FIXED);
  guint n_tasks = il_run_trace_get_n_tasks (run);

  /* A traced program (interleave-cli trace) has no tasks or sequential baseline. */
  gboolean has_tasks = config->executor != IL_EXECUTOR_EXTERNAL;
  gboolean imported = config->source != NULL;

  g_print ("%s\n", label);
  if (g_strcmp0 (label, describe) != 0)
    g_print ("  %s\n", describe);
  g_print (_("  wall time      %s\n"), wall);
  /* An imported file says when its slices ran, not on which CPU, and has no GIL or ready
   * states: its summary says what it has. */
  if (imported)
    {
      g_print (_("  in slices      %s (all threads)\n"), cpu);
      g_print (_("  slices at once average %.2f · max %u\n"), s->avg_parallelism, s->max_parallelism);
      il_cli_print_imported_marks (run);
    }
  else
    {
      g_print (_("  CPU time       %s (running, all workers)\n"), cpu);
      g_print (_("  parallelism    average %.2f · max %u · %u CPUs\n"), s->avg_parallelism,
               s->max_parallelism, il_run_trace_get_n_cpus (run));
    }
  if (isfinite (s->speedup))
    g_print (_("  speedup        %.2f× against %s\n"), s->speedup,
             baseline_label ? baseline_label : _("a sequential run of the same work"));
  else if (has_tasks)
    g_print (_("  speedup        unknown (add --baseline to run the same work sequentially first)\n"));
  if (!imported || s->gil_wait_ns > 0)
    g_print (_("  gil-wait       %s\n"), gil);
  if (s->lock_wait_ns > 0)
    {
      g_autofree char *lock = il_clock_format_duration (s->lock_wait_ns, IL_DURATION_FIXED);
      g_print (_("  lock-wait      %s (blocked on a lock, a join or a queue)\n"), lock);
    }
  if (!imported || s->io_wait_ns > 0)
    g_print (_("  io-wait        %s\n"), io);
  if (!imported || s->ready_ns > 0)
    g_print (_("  ready          %s (runnable, waiting for a CPU)\n"), ready);
  if (s->loop_wait_ns > 0)
    {
      g_autofree char *loop = il_clock_format_duration (s->loop_wait_ns, IL_DURATION_FIXED);
      g_print (_("  loop-wait      %s (ready to go on, waiting for the event loop's thread)\n"), loop);
    }
  print_event_loops (run);
  if (has_tasks)
    g_print (_("  tasks          %u of %u done\n"), count_tasks (run, IL_TASK_OK), n_tasks);
  if (convoy_task_ns (run) >= 0)
    {
      g_autofree char *io_task = il_clock_format_duration (convoy_task_ns (run), IL_DURATION_FIXED);
      g_autofree char *waits = il_clock_format_duration ((gint64) (config->task_ms * 1e6),
                                                         IL_DURATION_FIXED);

      g_print (_("  I/O task 0     %s, start to end (its waits alone add up to %s)\n"), io_task,
               waits);
    }
  if (count_tasks (run, IL_TASK_FAILED) > 0)
    g_print (_("  failed tasks   %u\n"), count_tasks (run, IL_TASK_FAILED));
  print_other_programs (run);
  il_cli_print_functions (run, il_cli_get_summary_functions ());
  g_print (_("  capture        %s\n"),
           il_capture_describe (il_run_trace_get_capture (run), IL_CAPTURE_WORDS_CLI));
  if (il_run_trace_get_lost_records (run, NULL) > 0)
    {
      gint64 unknown_ns;
      guint64 lost = il_run_trace_get_lost_records (run, &unknown_ns);
      g_autofree char *unknown = il_clock_format_duration (unknown_ns, IL_DURATION_FIXED);

      g_print (_("  LOST: the kernel dropped %" PRIu64 " records (its buffer overflowed): %s of the CPUs' time is unknown (hatched)\n"),
               lost, unknown);
    }
  if (il_run_trace_get_cancelled (run))
    g_print (_("  CANCELLED: the trace is partial\n"));
  if (il_run_trace_get_truncated_at_spans (run) > 0)
    g_print (_("  TRUNCATED: trace truncated at %" PRIu64 " spans (--max-spans); times and tasks are complete\n"),
             il_run_trace_get_truncated_at_spans (run));
}

/* Up to this many runs every pair gets a line (28 lines); beyond, a line per group of runs of
 * the same work: a lesson of 1000 runs printed 499 500 lines. */
#define MAX_PAIRWISE_RUNS 8

/* Every pair, so "who wins, by how much" needs no arithmetic from the reader. */
static void
print_pairs (GPtrArray *runs)
{
  gboolean first_pair = TRUE;

  for (guint a = 0; a < runs->len; a++)
    for (guint b = a + 1; b < runs->len; b++)
      {
        IlRunTrace *ra = runs->pdata[a], *rb = runs->pdata[b];
        gint64 wa = il_run_trace_get_summary (ra)->wall_ns;
        gint64 wb = il_run_trace_get_summary (rb)->wall_ns;
        g_autofree char *fa = NULL, *fb = NULL;
        const char *la = run_label (ra, &fa), *lb = run_label (rb, &fb);

        if (wa <= 0 || wb <= 0 ||
            !il_run_config_same_work (il_run_trace_get_config (ra), il_run_trace_get_config (rb)))
          continue;
        if (first_pair)
          g_print (_("between runs (same work, ratio of wall times):\n"));
        first_pair = FALSE;
        if (wb <= wa)
          g_print (_("  “%s” is %.2f× as fast as “%s”\n"), lb, (double) wa / wb, la);
        else
          g_print (_("  “%s” is %.2f× as fast as “%s”\n"), la, (double) wb / wa, lb);
      }
}

/* Runs grouped by their work (in order of first appearance): the fastest and the slowest of each
 * group, one line per group, so the output grows with the runs, not with their pairs. */
static void
print_groups (GPtrArray *runs)
{
  g_autofree gboolean *done = g_new0 (gboolean, runs->len);
  gboolean first = TRUE;

  for (guint a = 0; a < runs->len; a++)
    {
      IlRunTrace *ra = runs->pdata[a];
      IlRunTrace *fastest = NULL, *slowest = NULL;
      guint n = 0;
      g_autofree char *ff = NULL, *fs = NULL, *wf = NULL, *ws = NULL;

      if (done[a])
        continue;
      for (guint b = a; b < runs->len; b++)
        {
          IlRunTrace *rb = runs->pdata[b];
          gint64 w = il_run_trace_get_summary (rb)->wall_ns;

          if (done[b] ||
              !il_run_config_same_work (il_run_trace_get_config (ra), il_run_trace_get_config (rb)))
            continue;
          done[b] = TRUE;
          if (w <= 0)
            continue;
          n++;
          if (fastest == NULL || w < il_run_trace_get_summary (fastest)->wall_ns)
            fastest = rb;
          if (slowest == NULL || w > il_run_trace_get_summary (slowest)->wall_ns)
            slowest = rb;
        }
      if (n < 2)
        continue;
      if (first)
        g_print (_("between runs (same work, ratio of wall times; %u runs, so the fastest and the slowest of each work):\n"),
                 runs->len);
      first = FALSE;
      wf = il_clock_format_duration (il_run_trace_get_summary (fastest)->wall_ns, IL_DURATION_FIXED);
      ws = il_clock_format_duration (il_run_trace_get_summary (slowest)->wall_ns, IL_DURATION_FIXED);
      g_print (_("  %u runs: fastest “%s” (%s), slowest “%s” (%s), %.2f× apart\n"), n,
               run_label (fastest, &ff), wf, run_label (slowest, &fs), ws,
               (double) il_run_trace_get_summary (slowest)->wall_ns /
               (double) il_run_trace_get_summary (fastest)->wall_ns);
    }
}

void
il_cli_print_comparison (GPtrArray *runs, int baseline)
{
  const char *headers[] = {
    N_("wall"), N_("CPU"), N_("avg par"), N_("max"), N_("speedup"), N_("gil-wait"),
    N_("io-wait"), N_("ready"),
  };
  const guint widths[] = { 10, 10, 8, 4, 8, 10, 10, 10 };
  guint label_width = 4;
  g_autofree char *pad = NULL;
  gboolean convoy = FALSE;
  double convoy_task_ms = 0;

  for (guint r = 0; r < runs->len; r++)
    if (convoy_task_ns (runs->pdata[r]) >= 0)
      {
        convoy = TRUE;
        convoy_task_ms = il_run_trace_get_config (runs->pdata[r])->task_ms;
      }

  for (guint r = 0; r < runs->len; r++)
    {
      g_autofree char *free_label = NULL;
      label_width = MAX (label_width, (guint) g_utf8_strlen (run_label (runs->pdata[r], &free_label), -1));
    }
  label_width = MIN (label_width, 48);

  pad = il_cli_pad (_("run"), label_width);
  g_print ("%s", pad);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    {
      g_autofree char *h = rpad (_(headers[c]), widths[c]);
      g_print (" %s", h);
    }
  if (convoy)
    {
      g_autofree char *h = rpad (_("I/O task 0"), 11);
      g_print (" %s", h);
    }
  g_print ("\n");

  for (guint r = 0; r < runs->len; r++)
    {
      IlRunTrace *run = runs->pdata[r];
      const IlSummary *s = il_run_trace_get_summary (run);
      g_autofree char *free_label = NULL;
      g_autofree char *label = il_cli_pad (run_label (run, &free_label), label_width);
      char *cells[8];

      cells[0] = il_clock_format_duration (s->wall_ns, IL_DURATION_FIXED);
      cells[1] = il_clock_format_duration (s->cpu_ns, IL_DURATION_FIXED);
      cells[2] = g_strdup_printf ("%.2f", s->avg_parallelism);
      cells[3] = g_strdup_printf ("%u", s->max_parallelism);
      cells[4] = isfinite (s->speedup) ? g_strdup_printf ("%.2f×", s->speedup) : g_strdup ("—");
      cells[5] = il_clock_format_duration (s->gil_wait_ns, IL_DURATION_FIXED);
      cells[6] = il_clock_format_duration (s->io_wait_ns, IL_DURATION_FIXED);
      cells[7] = il_clock_format_duration (s->ready_ns, IL_DURATION_FIXED);
      g_print ("%s", label);
      for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
        {
          g_autofree char *cell = rpad (cells[c], widths[c]);
          g_print (" %s", cell);
          g_free (cells[c]);
        }
      if (convoy)
        {
          gint64 ns = convoy_task_ns (run);
          g_autofree char *value = ns >= 0 ? il_clock_format_duration (ns, IL_DURATION_FIXED)
                                           : g_strdup ("—");
          g_autofree char *cell = rpad (value, 11);

          g_print (" %s", cell);
        }
      if (il_run_trace_get_cancelled (run))
        g_print (_("  (cancelled)"));
      if (il_run_trace_get_truncated_at_spans (run) > 0)
        g_print (_("  (trace truncated at %" PRIu64 " spans)"), il_run_trace_get_truncated_at_spans (run));
      g_print ("\n");
    }

  print_comparison_other_programs (runs);
  if (convoy)
    {
      g_autofree char *waits = il_clock_format_duration ((gint64) (convoy_task_ms * 1e6),
                                                         IL_DURATION_FIXED);

      g_print (_("I/O task 0: how long the one I/O-bound task took, start to end; its waits alone add up to %s\n"),
               waits);
    }
  if (baseline >= 0)
    {
      g_autofree char *free_label = NULL;
      g_print (_("speedup: wall time of “%s” divided by each run's wall time, both measured in this batch\n"),
               run_label (runs->pdata[baseline], &free_label));
    }

  if (runs->len <= MAX_PAIRWISE_RUNS)
    print_pairs (runs);
  else
    print_groups (runs);
}

static GCancellable *signal_cancellable;
static guint signal_ids[2];

static gboolean
on_signal (gpointer data)
{
  if (!g_cancellable_is_cancelled (signal_cancellable))
    g_printerr (_("Cancelling: stopping the workers…\n"));
  g_cancellable_cancel (signal_cancellable);
  return G_SOURCE_CONTINUE;
}

void
il_cli_cancel_on_signals (GCancellable *cancellable)
{
  g_set_object (&signal_cancellable, cancellable);
  signal_ids[0] = g_unix_signal_add (SIGINT, on_signal, NULL);
  signal_ids[1] = g_unix_signal_add (SIGTERM, on_signal, NULL);
}

/* Said by the handler below, which may only write(): translated beforehand. */
static char *cancelled_message;

/* While files are written the run is over: a signal ends the process, after removing the
 * temporary files of writes in progress (unlink is async-signal-safe). It exits 1, as README
 * says of every cancelled run or export, in every subcommand: not 128 + the signal, which a
 * script would have to know as a second code for the same thing. */
static void
on_signal_while_writing (int signum)
{
  il_atomic_file_unlink_pending ();
  if (cancelled_message != NULL && write (STDERR_FILENO, cancelled_message,
                                          strlen (cancelled_message)) < 0)
    {
      /* Nothing more can be said. */
    }
  _exit (IL_CLI_EXIT_FAILED);
}

void
il_cli_clean_up_on_signals (void)
{
  struct sigaction action;

  if (cancelled_message == NULL)
    cancelled_message = g_strdup_printf ("%s: %s\n", g_get_prgname (),
                                         _("cancelled; no file is left half written"));

  memset (&action, 0, sizeof action);
  action.sa_handler = on_signal_while_writing;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
}

void
il_cli_remove_signals (void)
{
  g_clear_handle_id (&signal_ids[0], g_source_remove);
  g_clear_handle_id (&signal_ids[1], g_source_remove);
  g_clear_object (&signal_cancellable);
  /* GLib's handlers are gone with their sources (back to the default action); what follows a
   * run is writing files, which a signal must not leave half done. */
  il_cli_clean_up_on_signals ();
}
