/* il-cli-sweep.c: `interleave-cli sweep`: speedup by worker count per executor, Amdahl fit, curve image. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-cli.h"
#include "il-clock.h"
#include "il-json-write.h"
#include "il-sweep-run.h"

#define PROG "interleave-cli sweep"
#define DEFAULT_WORKERS_LIST "1,2,4,8"

typedef struct
{
  char     **executors;
  gboolean   gil;
  char      *workers_list;
  IlCliWorkOptions work;     /* workers stays NULL: the sweep sets the counts */
  char      *data_path;
  char      *png_path;
  char      *svg_path;
  char      *pdf_path;
  char      *width;
  char      *height;
  char      *scale;
  char      *theme;
  char      *title;
  char      *repeat;
  gboolean   quiet;
} SweepOptions;

static void
sweep_options_clear (SweepOptions *o)
{
  g_strfreev (o->executors);
  g_free (o->workers_list);
  il_cli_work_options_clear (&o->work);
  g_free (o->data_path);
  g_free (o->png_path);
  g_free (o->svg_path);
  g_free (o->pdf_path);
  g_free (o->width);
  g_free (o->height);
  g_free (o->scale);
  g_free (o->theme);
  g_free (o->title);
  g_free (o->repeat);
}

static GArray *
parse_workers_list (const char *str, GError **error)
{
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) parts = g_strsplit (str, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint n;

      g_strstrip (parts[i]);
      if (!il_cli_parse_uint ("--workers-list", parts[i], 1, IL_MAX_WORKERS, &n, error))
        return NULL;
      for (guint k = 0; k < counts->len; k++)
        if (g_array_index (counts, guint, k) == n)
          {
            g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                         _("--workers-list names %u twice"), n);
            return NULL;
          }
      g_array_append_val (counts, n);
    }
  if (counts->len == 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("--workers-list is empty"));
      return NULL;
    }
  return g_steal_pointer (&counts);
}

/* "threads+gil" (or threads with --gil) is a series of its own: the same pool under the GIL. */
static IlRunConfig *
parse_executor (const char *name, gboolean gil, const IlRunConfig *base, GError **error)
{
  g_autoptr(IlRunConfig) config = il_run_config_copy (base);
  g_autofree char *lower = g_ascii_strdown (name, -1);

  config->gil = FALSE;
  if (g_str_equal (lower, "threads+gil") || g_str_equal (lower, "threads-gil") ||
      g_str_equal (lower, "gil"))
    {
      config->executor = IL_EXECUTOR_THREADS;
      config->gil = TRUE;
    }
  else if (!il_executor_from_string (lower, &config->executor))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("unknown executor “%s” (sequential, threads, threads+gil, processes or async)"),
                   name);
      return NULL;
    }
  else if (gil && config->executor == IL_EXECUTOR_THREADS)
    config->gil = TRUE;
  if (!il_run_config_validate (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

typedef struct
{
  const IlRunConfig *const *configs;
  guint                      n_configs;
  GArray                    *counts;
  guint                      repeat;
  gboolean                   quiet;
} SweepJob;

static void
progress_cb (guint done, guint total, gpointer data)
{
  SweepJob *job = data;

  /* One rewritten line on a terminal; nothing when stderr is a file or a pipe. */
  if (!job->quiet && isatty (2))
    g_printerr ("\r\033[K");
  if (!job->quiet && isatty (2) && done < total)
    g_printerr (_("sweep: %u of %u runs done"), done, total);
}

static void
sweep_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  SweepJob *job = data;
  GError *error = NULL;
  IlSweep *sweep = il_sweep_run_repeated (job->configs, job->n_configs, job->counts, job->repeat,
                                          cancellable, progress_cb, job, &error);

  if (sweep == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sweep, (GDestroyNotify) il_sweep_free);
}

static void
sweep_done_cb (GObject *object, GAsyncResult *result, gpointer data)
{
  GAsyncResult **out = data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* With --repeat: each point's median and the range of its rounds, each against its own round's
 * baseline. */
static void
print_sweep_ranges (const IlSweep *sweep)
{
  if (sweep->repeat < 2)
    return;
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "median of %u round, with the spread (min–max) of the rounds' speedups, each against its own round's baseline:\n",
                        "median of %u rounds, with the spread (min–max) of the rounds' speedups, each against its own round's baseline:\n",
                        sweep->repeat),
           sweep->repeat);
  for (guint s = 0; s < sweep->series->len; s++)
    {
      const IlSweepSeries *series = sweep->series->pdata[s];

      g_print ("  %s:", series->label);
      for (guint i = 0; i < sweep->worker_counts->len && series->speedup_min != NULL; i++)
        {
          double sp = il_sweep_get_speedup (sweep, series, i);
          double lo = g_array_index (series->speedup_min, double, i);
          double hi = g_array_index (series->speedup_max, double, i);

          if (isfinite (sp) && isfinite (lo))
            g_print ("  %u: %.2f× (%.2f–%.2f)", g_array_index (sweep->worker_counts, guint, i), sp, lo, hi);
        }
      g_print ("\n");
    }
}

static gboolean
all_disturbed (const IlSweep *sweep)
{
  for (guint s = 0; s < sweep->series->len; s++)
    for (guint i = 0; i < sweep->worker_counts->len; i++)
      if (il_sweep_get_disturbed (sweep, sweep->series->pdata[s], i) == 0)
        return FALSE;
  return TRUE;
}

/* The points whose runs other programs slowed: "!" in the table, said in words here. */
static void
print_sweep_disturbed (const IlSweep *sweep)
{
  if (!il_sweep_is_disturbed (sweep))
    return;
  g_print ("%s", _("! disturbed: other programs took CPU time these points needed:"));
  /* Every point (a disturbed baseline taints them all): one phrase, not a line of twelve. */
  if (all_disturbed (sweep))
    g_print ("%s", _(" every point"));
  for (guint s = 0; s < sweep->series->len && !all_disturbed (sweep); s++)
    {
      const IlSweepSeries *series = sweep->series->pdata[s];

      for (guint i = 0; i < sweep->worker_counts->len; i++)
        {
          guint k = il_sweep_get_disturbed (sweep, series, i);

          if (k > 0)
            /* TRANSLATORS: a sweep point: its series, worker count, disturbed rounds of all */
            g_print (_(" %s at %u (%u of %u rounds);"), series->label,
                     g_array_index (sweep->worker_counts, guint, i), k, sweep->repeat);
        }
    }
  g_print ("\n");
  if (sweep->culprit != NULL)
    /* TRANSLATORS: %s is "firefox-esr took 48 % of a CPU" */
    g_print (_("  the busiest of them: %s; close it and sweep again\n"), sweep->culprit);
  else
    g_print ("%s\n", _("  close other programs and sweep again"));
}

static void
print_sweep (const IlSweep *sweep)
{
  g_autofree char *base = il_clock_format_duration (sweep->baseline_ns, IL_DURATION_FIXED);
  guint label_width = 6;

  g_print ("%s\n", sweep->title);
  g_print (_("sequential baseline: %s (speedup 1)\n"), base);
  for (guint s = 0; s < sweep->series->len; s++)
    label_width = MAX (label_width, (guint) g_utf8_strlen (((IlSweepSeries *) sweep->series->pdata[s])->label, -1));

  {
    g_autofree char *h = il_cli_pad (_("workers"), label_width);
    g_print ("%s", h);
  }
  for (guint i = 0; i < sweep->worker_counts->len; i++)
    g_print (" %9u", g_array_index (sweep->worker_counts, guint, i));
  g_print (_("   serial fraction (Amdahl fit)\n"));

  for (guint s = 0; s < sweep->series->len; s++)
    {
      const IlSweepSeries *series = sweep->series->pdata[s];
      g_autofree char *label = il_cli_pad (series->label, label_width);

      g_print ("%s", label);
      for (guint i = 0; i < sweep->worker_counts->len; i++)
        {
          double speedup = il_sweep_get_speedup (sweep, series, i);

          /* A disturbed point carries a mark, explained under the table. */
          if (isfinite (speedup))
            g_print (" %7.2f×%s", speedup, il_sweep_get_disturbed (sweep, series, i) > 0 ? "!" : " ");
          else
            g_print (" %9s", _("failed"));
        }
      if (isfinite (series->serial_fraction))
        g_print ("   %.3f\n", series->serial_fraction);
      else
        g_print ("   —\n");
    }
  g_print (_("speedup = sequential wall time / wall time; Amdahl: speedup(n) = 1 / (s + (1 − s) / n)\n"));
  print_sweep_ranges (sweep);
  print_sweep_disturbed (sweep);
}

/* With --repeat: "repeat": N once, and per series "speedup_range": [[min, max] or null, …]. */
static void
write_sweep_json_ranges (const IlSweep *sweep, const IlSweepSeries *series, JsonBuilder *b)
{
  if (sweep->repeat < 2 || series->speedup_min == NULL)
    return;
  json_builder_set_member_name (b, "speedup_range");
  json_builder_begin_array (b);
  for (guint i = 0; i < series->speedup_min->len; i++)
    {
      double lo = g_array_index (series->speedup_min, double, i);
      double hi = g_array_index (series->speedup_max, double, i);

      if (!isfinite (lo) || !isfinite (hi))
        {
          json_builder_add_null_value (b);
          continue;
        }
      json_builder_begin_array (b);
      json_builder_add_double_value (b, lo);
      json_builder_add_double_value (b, hi);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
}

static gboolean
write_sweep_json (const IlSweep *sweep, const char *path, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "interleave-sweep");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, sweep->title);
  json_builder_set_member_name (b, "baseline_ns");
  json_builder_add_int_value (b, sweep->baseline_ns);
  json_builder_set_member_name (b, "repeat");
  json_builder_add_int_value (b, sweep->repeat);
  if (sweep->culprit != NULL)
    {
      json_builder_set_member_name (b, "culprit");
      json_builder_add_string_value (b, sweep->culprit);
    }
  json_builder_set_member_name (b, "workers");
  json_builder_begin_array (b);
  for (guint i = 0; i < sweep->worker_counts->len; i++)
    json_builder_add_int_value (b, g_array_index (sweep->worker_counts, guint, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "series");
  json_builder_begin_array (b);
  for (guint s = 0; s < sweep->series->len; s++)
    {
      const IlSweepSeries *series = sweep->series->pdata[s];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, series->label);
      json_builder_set_member_name (b, "executor");
      json_builder_add_string_value (b, il_executor_to_string (series->config->executor));
      json_builder_set_member_name (b, "gil");
      json_builder_add_boolean_value (b, series->config->gil);
      json_builder_set_member_name (b, "wall_ns");
      json_builder_begin_array (b);
      for (guint i = 0; i < series->wall_ns->len; i++)
        json_builder_add_int_value (b, g_array_index (series->wall_ns, gint64, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "speedup");
      json_builder_begin_array (b);
      for (guint i = 0; i < series->wall_ns->len; i++)
        {
          double v = il_sweep_get_speedup (sweep, series, i);
          if (isfinite (v))
            json_builder_add_double_value (b, v);
          else
            json_builder_add_null_value (b);
        }
      json_builder_end_array (b);
      write_sweep_json_ranges (sweep, series, b);
      json_builder_set_member_name (b, "disturbed_rounds");
      json_builder_begin_array (b);
      for (guint i = 0; i < series->wall_ns->len; i++)
        json_builder_add_int_value (b, il_sweep_get_disturbed (sweep, series, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "serial_fraction");
      if (isfinite (series->serial_fraction))
        json_builder_add_double_value (b, series->serial_fraction);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  {
    gsize len = 0;
    g_autofree char *text = il_json_to_data (root, TRUE, 2, &len);

    return il_cli_write_file (path, text, len, error);
  }
}

static gboolean
write_sweep_csv (const IlSweep *sweep, const char *path, GError **error)
{
  g_autoptr(GString) s = g_string_new ("executor,gil,label,workers,wall_ns,speedup,serial_fraction,disturbed_rounds\n");

  for (guint k = 0; k < sweep->series->len; k++)
    {
      const IlSweepSeries *series = sweep->series->pdata[k];
      g_autofree char *label = g_strdup (series->label);

      g_strdelimit (label, ",\"\n", ' ');
      for (guint i = 0; i < series->wall_ns->len; i++)
        {
          char speedup[G_ASCII_DTOSTR_BUF_SIZE] = "";
          char serial[G_ASCII_DTOSTR_BUF_SIZE] = "";
          double v = il_sweep_get_speedup (sweep, series, i);

          if (isfinite (v))
            g_ascii_formatd (speedup, sizeof speedup, "%.4f", v);
          if (isfinite (series->serial_fraction))
            g_ascii_formatd (serial, sizeof serial, "%.4f", series->serial_fraction);
          g_string_append_printf (s, "%s,%s,%s,%u,%" G_GINT64_FORMAT ",%s,%s,%u\n",
                                  il_executor_to_string (series->config->executor),
                                  series->config->gil ? "true" : "false", label,
                                  g_array_index (sweep->worker_counts, guint, i),
                                  g_array_index (series->wall_ns, gint64, i), speedup, serial,
                                  il_sweep_get_disturbed (sweep, series, i));
        }
    }
  return il_cli_write_file (path, s->str, s->len, error);
}

int
il_cli_sweep (int argc, char **argv)
{
  SweepOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "workers-list", 'W', 0, G_OPTION_ARG_STRING, &o.workers_list,
      N_("Worker counts to run, comma-separated (default 1,2,4,8)"), N_("LIST") },
    { "executor", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &o.executors,
      N_("An executor to sweep; repeat for several: sequential, threads, threads+gil, processes, async (default: threads, threads+gil, processes)"),
      N_("E") },
    { "gil", 0, 0, G_OPTION_ARG_NONE, &o.gil,
      N_("Run the threads executor under the GIL"), NULL },
    { "switch-interval", 0, 0, G_OPTION_ARG_STRING, &o.work.switch_interval,
      N_("GIL switch interval in ms (default 5)"), N_("MS") },
    { "cpus", 'c', 0, G_OPTION_ARG_STRING, &o.work.cpus,
      N_("Allowed CPUs, e.g. 0-1 (default: all)"), N_("LIST") },
    { "workload", 0, 0, G_OPTION_ARG_STRING, &o.work.workload,
      N_("cpu, memory, sleep, disk, mixed or convoy (default cpu)"), N_("W") },
    { "tasks", 't', 0, G_OPTION_ARG_STRING, &o.work.tasks,
      N_("Number of tasks (default 8)"), N_("N") },
    { "task-ms", 0, 0, G_OPTION_ARG_STRING, &o.work.task_ms,
      N_("Length of one task in ms (default 100)"), N_("MS") },
    { "capture", 0, 0, G_OPTION_ARG_STRING, &o.work.capture,
      N_("auto, kernel or self (default auto)"), N_("HOW") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.data_path,
      N_("Write the measurements to FILE: JSON, or CSV when FILE ends in .csv"), N_("FILE") },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &o.png_path,
      N_("Draw the speedup curves to a PNG image"), N_("FILE") },
    { "svg", 0, 0, G_OPTION_ARG_FILENAME, &o.svg_path,
      N_("Draw the speedup curves to an SVG image"), N_("FILE") },
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &o.pdf_path,
      N_("Draw the speedup curves to a PDF document"), N_("FILE") },
    { "width", 0, 0, G_OPTION_ARG_STRING, &o.width, N_("Image width (default 1920)"), N_("PX") },
    { "height", 0, 0, G_OPTION_ARG_STRING, &o.height, N_("Image height (default 1080)"), N_("PX") },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &o.scale, N_("PNG scale (default 1)"), N_("S") },
    { "theme", 0, 0, G_OPTION_ARG_STRING, &o.theme, N_("light or dark (default light)"), N_("THEME") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &o.title, N_("Title of the image"), N_("TEXT") },
    { "repeat", 0, 0, G_OPTION_ARG_STRING, &o.repeat,
      N_("Measure the whole sweep N times, alternating; each point is the median of its speedups against the same round's baseline, with bars for their spread (default 3)"),
      N_("N") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, N_("Print nothing but errors"), NULL },
    G_OPTION_ENTRY_NULL
  };
  const char *default_executors[] = { "threads", "threads+gil", "processes", NULL };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlRunConfig) base = il_run_config_new ();
  g_autoptr(GPtrArray) configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  g_autoptr(GArray) counts = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTask) task = NULL;
  g_autoptr(IlSweep) sweep = NULL;
  GAsyncResult *result = NULL;
  IlCliOutputs out = { 0 };
  const char *const *names;
  int status = IL_CLI_EXIT_OK;
  SweepJob job;

  context = g_option_context_new (_("— speedup by number of workers"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Runs the same work sequentially once, then at every worker count for each executor, and\n"
      "prints the speedups with Amdahl's law fitted to each executor (its serial fraction)."));
  g_option_context_set_description (context,
    _("Example:\n"
      "  interleave-cli sweep --workers-list 1,2,4,8 --png sweep.png -o sweep.csv\n"
      "\n"
      "Exit status: 0 ok, 1 the sweep or writing a file failed or was cancelled, 2 bad input."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  il_cli_add_max_spans_option (context, &o.work.max_spans);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
  if (argc > 1)
    {
      g_printerr (_("%s: unexpected argument “%s” (see --help)\n"), PROG, argv[1]);
      status = IL_CLI_EXIT_USAGE;
      goto out;
    }

  /* Image options share their checks with run and render. */
  out.png_path = o.png_path;
  out.svg_path = o.svg_path;
  out.pdf_path = o.pdf_path;
  out.trace_path = o.data_path;
  out.width = o.width;
  out.height = o.height;
  out.scale = o.scale;
  out.theme = o.theme;
  out.title = o.title;
  if (!il_cli_outputs_check (&out, &error))
    goto fail;
  /* -o - is the sweep's data on standard output, alone. */
  o.quiet |= out.quiet;

  if ((counts = parse_workers_list (o.workers_list ? o.workers_list : DEFAULT_WORKERS_LIST,
                                    &error)) == NULL)
    goto fail;
  /* A sweep of no tasks would measure nothing, so --tasks starts at 1 here. */
  if (!il_cli_work_options_apply (&o.work, 1, base, &error) ||
      (o.work.capture != NULL && !il_cli_parse_capture (o.work.capture, &base->capture, &error)))
    goto fail;

  names = o.executors != NULL ? (const char *const *) o.executors : default_executors;
  for (guint i = 0; names[i] != NULL; i++)
    {
      IlRunConfig *config = parse_executor (names[i], o.gil, base, &error);

      if (config == NULL)
        goto fail;
      g_ptr_array_add (configs, config);
    }

  /* The runs go on a thread so the main context stays free for Ctrl+C. */
  job.configs = (const IlRunConfig *const *) configs->pdata;
  job.n_configs = configs->len;
  job.counts = counts;
  job.quiet = o.quiet;
  /* Three rounds by default: one sample says nothing about noise. */
  job.repeat = 3;
  if (o.repeat != NULL)
    {
      guint64 n;

      if (!g_ascii_string_to_unsigned (o.repeat, 10, 1, 100, &n, NULL))
        {
          g_set_error (&error, IL_ERROR, IL_ERROR_INVALID,
                       _("--repeat must be a whole number from 1 to 100, not “%s”"), o.repeat);
          goto fail;
        }
      job.repeat = (guint) n;
    }
  il_cli_cancel_on_signals (cancellable);
  task = g_task_new (NULL, cancellable, sweep_done_cb, &result);
  g_task_set_task_data (task, &job, NULL);
  g_task_run_in_thread (task, sweep_thread);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  il_cli_remove_signals ();
  sweep = g_task_propagate_pointer (G_TASK (result), &error);
  g_clear_object (&result);
  if (sweep == NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_printerr (_("%s: cancelled\n"), PROG);
          status = IL_CLI_EXIT_FAILED;
          goto out;
        }
      goto fail;
    }

  if (!o.quiet)
    print_sweep (sweep);

  if (o.data_path != NULL)
    {
      gboolean ok = g_str_has_suffix (o.data_path, ".csv")
                      ? write_sweep_csv (sweep, o.data_path, &error)
                      : write_sweep_json (sweep, o.data_path, &error);
      if (!ok)
        {
          il_cli_report_error (PROG, error);
          g_clear_error (&error);
          status = IL_CLI_EXIT_FAILED;
        }
      else if (!o.quiet)
        g_print (_("Wrote %s\n"), o.data_path);
    }
  {
    const struct { const char *path; IlImageFormat format; } images[] = {
      { o.png_path, IL_IMAGE_PNG }, { o.svg_path, IL_IMAGE_SVG }, { o.pdf_path, IL_IMAGE_PDF },
    };

    for (guint i = 0; i < G_N_ELEMENTS (images); i++)
      {
        if (images[i].path == NULL)
          continue;
        if (!il_export_sweep (sweep, &out.export, images[i].format, images[i].path, &error))
          {
            il_cli_report_error (PROG, error);
            g_clear_error (&error);
            status = IL_CLI_EXIT_FAILED;
          }
        else if (!o.quiet)
          g_print (_("Wrote %s\n"), images[i].path);
      }
  }
  goto out;

fail:
  status = il_cli_report_error (PROG, error);
out:
  sweep_options_clear (&o);
  return status;
}
