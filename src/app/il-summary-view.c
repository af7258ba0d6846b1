/* il-summary-view.c: the summary of the shown runs: wall, CPU, parallelism, speedup, waits, capture. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <inttypes.h>

#include "il-clock.h"
#include "il-capture.h"
#include "il-capture-words.h"
#include "il-cpu-load.h"
#include <adwaita.h>

#include "il-batch.h"
#include "il-format.h"
#include "il-summary-view.h"
#include "il-output-view.h"

struct _IlSummaryView
{
  GtkBox       parent_instance;

  GHashTable  *values;   /* "row:column" -> label text, for tests and screen readers */
  GHashTable  *live;     /* IlRunTrace* -> its column + 1, while it records */

  GtkBox      *answer_box;
  GtkLabel    *answer_label;
  GtkGrid     *grid;        /* one row per run, one column per figure */
  GtkGrid     *tall_grid;   /* the same turned: one column per run, for narrow windows */
  AdwSqueezer *squeezer;
  gboolean     show_io_task;
  gboolean     imported;      /* every run is an imported file: no rows for states it lacks */
  GtkLabel    *capture_label;
  GtkButton   *speedup_button;
  GtkExpander *output_expander;
  IlOutputView *output_view;

  /* The answer card is composed from the lesson's texts and the shown runs' disturbance. */
  char        *question;
  char        *prediction;
  char        *answer;
  char        *disturbed;   /* NULL when no shown run lost more than 10 % of its CPUs */
};

G_DEFINE_FINAL_TYPE (IlSummaryView, il_summary_view, GTK_TYPE_BOX)

typedef enum
{
  ROW_WALL,
  ROW_CPU,
  ROW_AVG_PARALLELISM,
  ROW_MAX_PARALLELISM,
  ROW_SPEEDUP,
  ROW_EFFICIENCY,
  ROW_GIL_WAIT,
  ROW_IO_WAIT,
  ROW_READY,
  ROW_LOOP_WAIT,
  ROW_OTHER,
  ROW_IO_TASK,    /* only when a run has the convoy workload's I/O task */
  N_ROWS
} Row;

static const struct
{
  const char *id;
  const char *title;
  const char *tooltip;
} rows[N_ROWS] = {
  { "wall", N_("Wall time"), N_("From the first task’s start to the last task’s end") },
  { "cpu", N_("CPU time"), N_("Time the workers spent running on a core, added up") },
  { "avg-parallelism", N_("Average parallelism"), N_("CPU time divided by wall time: how many workers ran at once on average") },
  { "max-parallelism", N_("Maximum parallelism"), N_("The most workers running on cores at one instant") },
  { "speedup", N_("Speedup"), N_("Wall time of a sequential run of the same work divided by this run’s") },
  { "efficiency", N_("Efficiency"), N_("Speedup divided by the number of workers: 100 % means every worker pulled its full weight") },
  { "gil-wait", N_("GIL wait"), N_("Time workers were blocked on the global interpreter lock, added up") },
  { "io-wait", N_("I/O wait"), N_("Time workers were blocked in I/O or a latency wait, added up") },
  { "ready", N_("Ready (waiting for a CPU)"), N_("Time workers wanted a core but the kernel ran something else, added up") },
  { "loop-wait", N_("Loop wait"), N_("Time event-loop tasks were ready to go on while the loop’s one thread ran another, added up") },
  { "other", N_("Other programs"), N_("Share of the run’s CPUs that other programs took while it ran, and their CPU time") },
  { "io-task", N_("Task 0 (the I/O task)"), N_("How long task 0, the task that waits for I/O among computing tasks, took from its start to its end") },
};

static void
il_summary_view_clear (IlSummaryView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))) != NULL)
    gtk_grid_remove (self->grid, child);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tall_grid))) != NULL)
    gtk_grid_remove (self->tall_grid, child);
  g_hash_table_remove_all (self->values);
  g_hash_table_remove_all (self->live);
}

/* Puts a cell in both tables: at figure @figure (-1: the run names' column) of run @run (-1:
 * the figures' header row); @make builds each copy. */
static void
il_summary_view_attach (IlSummaryView *self, int figure, int run,
                        GtkWidget *(*make) (gpointer data), gpointer data)
{
  gtk_grid_attach (self->grid, make (data), 1 + figure, 1 + run, 1, 1);
  gtk_grid_attach (self->tall_grid, make (data), 1 + run, 1 + figure, 1, 1);
}

static GtkWidget *
make_value (gpointer data)
{
  GtkWidget *label = gtk_label_new (data);

  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  /* Selectable for the pointer, but no Tab stop of its own: Tab goes from region to region, and
   * the table is one stop (its grid, see init), not dozens of cells. */
  gtk_widget_set_focusable (label, FALSE);
  gtk_widget_add_css_class (label, "numeric");
  return label;
}

/* An imported file (a Chrome trace) has no GIL, I/O, ready or event-loop states and no measure of
 * other programs: rows for them would say it had. */
static gboolean
row_hidden (IlSummaryView *self, Row row)
{
  if (row == ROW_IO_TASK)
    return !self->show_io_task;
  return self->imported && (row == ROW_GIL_WAIT || row == ROW_IO_WAIT || row == ROW_READY ||
                            row == ROW_LOOP_WAIT || row == ROW_OTHER);
}

static void
il_summary_view_put (IlSummaryView *self, Row row, guint column, const char *text)
{
  if (row_hidden (self, row))
    return;
  il_summary_view_attach (self, (int) row, (int) column, make_value, (gpointer) text);
  g_hash_table_insert (self->values, g_strdup_printf ("%s:%u", rows[row].id, column),
                       g_strdup (text));
}

/* "35 % · 445 ms": how much of the run's CPUs other programs took, and their CPU time. */
static void
il_summary_view_put_other (IlSummaryView *self, IlRunTrace *run, guint column)
{
  const IlSummary *summary = il_run_trace_get_summary (run);
  g_autofree char *time = NULL;
  g_autofree char *text = NULL;

  if (il_run_trace_get_cpu_load (run) == NULL || !isfinite (summary->other_share))
    {
      il_summary_view_put (self, ROW_OTHER, column, _("not measured"));
      return;
    }
  time = il_clock_format_duration (summary->other_ns, IL_DURATION_SIGNIFICANT);
  /* TRANSLATORS: share of the CPUs other programs took, and their CPU time */
  text = g_strdup_printf (_("%d %% · %s"), (int) round (summary->other_share * 100), time);
  /* The verdict per run, judged by what the run needed (a waiting run beside a busy core is
   * not), with the program behind it when one is known. */
  if (il_run_trace_is_disturbed (run))
    {
      g_autofree char *culprit = il_cpu_load_describe_culprit (run);
      char *with = culprit != NULL
        /* TRANSLATORS: the "other programs" cell of a disturbed run; %s the share, then the culprit */
        ? g_strdup_printf (_("%s · disturbed: %s"), text, culprit)
        : g_strdup_printf (_("%s · disturbed"), text);

      g_free (text);
      text = with;
    }
  il_summary_view_put (self, ROW_OTHER, column, text);
}

static void il_summary_view_update_answer (IlSummaryView *self);

static char *
il_summary_view_live_text (IlRunTrace *run)
{
  g_autofree char *so_far = NULL;

  /* Shown before anything was recorded (the cells follow every 2 s): no "running… 0 ns". */
  if (il_run_trace_get_end_ns (run) <= 0)
    return g_strdup (_("running…"));
  so_far = il_clock_format_duration (il_run_trace_get_end_ns (run), IL_DURATION_SIGNIFICANT);
  return g_strdup_printf (_("running… %s"), so_far);
}

/* A repeated run's figure: "median (min–max)", the median being the kept run's own. */
static char *
with_range (const char *median, const IlRepeat *repeat, const double range[2], char *(*format) (double))
{
  g_autofree char *lo = NULL, *hi = NULL;

  if (repeat == NULL || !isfinite (range[0]) || !isfinite (range[1]))
    return g_strdup (median);
  lo = format (range[0]);
  hi = format (range[1]);
  /* Translators: a median with its range over repeated runs, e.g. "412 ms (398 ms–431 ms)" */
  return g_strdup_printf (_("%s (%s–%s)"), median, lo, hi);
}

/* with_range() hands its formatter doubles (a repeat keeps its range as doubles). */
static char *
format_ns (double ns)
{
  return il_clock_format_duration ((gint64) ns, IL_DURATION_SIGNIFICANT);
}

static char *
format_ratio (double v)
{
  return g_strdup_printf ("%.2f", v);
}

static char *
format_speedup (double v)
{
  return g_strdup_printf ("%.2f×", v);
}

/* The speedup cell: against a sequential run of the same batch; of the latest one, said so;
 * or, with no sequential run at all, the ratio to the first shown run of the same work. */
static char *
speedup_text (IlRunTrace *run, GPtrArray *runs)
{
  const IlSummary *summary = il_run_trace_get_summary (run);
  const IlRepeat *repeat = il_run_trace_get_repeat (run);
  IlRunTrace *first = g_ptr_array_index (runs, 0);

  if (isfinite (summary->speedup))
    {
      g_autofree char *median = format_speedup (summary->speedup);
      g_autofree char *text = with_range (median, repeat, repeat ? repeat->speedup : NULL, format_speedup);

      if (il_run_trace_get_speedup_basis (run) == IL_SPEEDUP_EARLIER_RUN)
        /* Translators: a speedup against the latest sequential run, not one of the same batch */
        return g_strdup_printf (_("%s (latest baseline)"), text);
      return g_steal_pointer (&text);
    }
  if (runs->len > 1 && il_run_trace_get_summary (first) != NULL &&
      il_run_trace_get_summary (first)->wall_ns > 0 && !il_run_trace_get_live (first) &&
      !il_run_trace_get_cancelled (first) && !il_run_trace_get_cancelled (run) &&
      il_run_config_same_work (il_run_trace_get_config (first), il_run_trace_get_config (run)))
    /* Translators: the ratio of the first run's wall time to this run's, when no sequential run was measured */
    return g_strdup_printf (_("%.2f× vs first run"),
                            (double) il_run_trace_get_summary (first)->wall_ns / summary->wall_ns);
  return NULL;
}

/* A live run's figures so far (NULL for the rows it has none yet), from the spans its lanes draw
 * now (il_run_trace_summarise): the table and the timeline read the same lanes at the same
 * moment, and the time so far is the timeline header's (the run's end so far). */
static void
live_texts (IlRunTrace *run, char *texts[N_ROWS])
{
  IlSummary s;

  memset (texts, 0, N_ROWS * sizeof texts[0]);
  texts[ROW_WALL] = il_summary_view_live_text (run);
  if (il_run_trace_get_end_ns (run) <= 0)
    return;
  il_run_trace_summarise (run, &s);
  texts[ROW_CPU] = il_clock_format_duration (s.cpu_ns, IL_DURATION_SIGNIFICANT);
  texts[ROW_AVG_PARALLELISM] = g_strdup_printf ("%.2f", s.avg_parallelism);
  texts[ROW_MAX_PARALLELISM] = g_strdup_printf ("%u", s.max_parallelism);
  texts[ROW_GIL_WAIT] = il_clock_format_duration (s.gil_wait_ns, IL_DURATION_SIGNIFICANT);
  texts[ROW_IO_WAIT] = il_clock_format_duration (s.io_wait_ns, IL_DURATION_SIGNIFICANT);
  texts[ROW_READY] = il_clock_format_duration (s.ready_ns, IL_DURATION_SIGNIFICANT);
}

void
il_summary_view_update_live (IlSummaryView *self)
{
  GHashTableIter iter;
  gpointer run, column;

  g_return_if_fail (IL_IS_SUMMARY_VIEW (self));

  /* Only the live runs' figures so far change: their cells get new text, nothing is rebuilt. */
  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, &run, &column))
    {
      char *texts[N_ROWS];
      int i = GPOINTER_TO_INT (column) - 1;

      live_texts (run, texts);
      for (guint r = 0; r < N_ROWS; r++)
        {
          GtkWidget *wide = gtk_grid_get_child_at (self->grid, 1 + r, 1 + i);
          GtkWidget *tall = gtk_grid_get_child_at (self->tall_grid, 1 + i, 1 + r);

          if (texts[r] == NULL || row_hidden (self, r))
            {
              g_free (texts[r]);
              continue;
            }
          /* A cell first filled now (the run's first spans came) is made as set_runs would. */
          if (!GTK_IS_LABEL (wide) || !GTK_IS_LABEL (tall))
            il_summary_view_put (self, r, i, texts[r]);
          if (GTK_IS_LABEL (wide))
            gtk_label_set_label (GTK_LABEL (wide), texts[r]);
          if (GTK_IS_LABEL (tall))
            gtk_label_set_label (GTK_LABEL (tall), texts[r]);
          g_hash_table_insert (self->values, g_strdup_printf ("%s:%d", rows[r].id, i), texts[r]);
        }
    }
}

void
il_summary_view_set_runs (IlSummaryView *self, GPtrArray *runs)
{
  GString *capture = g_string_new (NULL);
  gboolean all_known_speedup = TRUE;

  g_return_if_fail (IL_IS_SUMMARY_VIEW (self));

  il_summary_view_clear (self);
  g_clear_pointer (&self->disturbed, g_free);
  if (runs != NULL && runs->len > 0)
    {
      gboolean live = FALSE;
      for (guint i = 0; i < runs->len; i++)
        live |= il_run_trace_get_live (g_ptr_array_index (runs, i));
      if (!live)
        self->disturbed = il_cpu_load_describe_disturbed (runs);
    }
  il_summary_view_update_answer (self);
  il_output_view_set_runs (self->output_view, runs);
  gtk_widget_set_visible (GTK_WIDGET (self->output_expander),
                          il_output_view_get_n_runs (self->output_view) > 0);
  if (runs == NULL || runs->len == 0)
    {
      gtk_label_set_label (self->capture_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->speedup_button), FALSE);
      g_string_free (capture, TRUE);
      return;
    }

  /* One row per run, one column per figure: a comparison reads across, and the window is wider
   * than it is tall. A narrow window shows the turned table (the squeezer picks). */
  self->show_io_task = FALSE;
  self->imported = TRUE;
  for (guint i = 0; i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);

      self->imported &= il_run_trace_get_config (run)->source != NULL &&
                        !il_run_trace_has_state (run, IL_STATE_GIL_WAIT) &&
                        !il_run_trace_has_state (run, IL_STATE_IO_WAIT) &&
                        !il_run_trace_has_state (run, IL_STATE_READY);
    }
  for (guint i = 0; i < runs->len; i++)
    self->show_io_task |= il_run_trace_get_config (g_ptr_array_index (runs, i))->workload
                          == IL_WORKLOAD_CONVOY;
  for (guint r = 0; r < N_ROWS; r++)
    {
      GtkWidget *label;

      if (row_hidden (self, r))
        continue;
      label = gtk_label_new (_(rows[r].title));
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 11);
      gtk_widget_set_valign (label, GTK_ALIGN_END);
      gtk_widget_set_tooltip_text (label, _(rows[r].tooltip));
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_grid_attach (self->grid, label, 1 + r, 0, 1, 1);

      label = gtk_label_new (_(rows[r].title));
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_widget_set_tooltip_text (label, _(rows[r].tooltip));
      gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->tall_grid, label, 0, 1 + r, 1, 1);
    }

  for (guint i = 0; i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);
      const IlSummary *summary = il_run_trace_get_summary (run);
      g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));
      const char *name = il_run_trace_get_label (run) ? il_run_trace_get_label (run) : title;
      GtkWidget *header = gtk_label_new (name);
      char buf[64];

      /* The whole name: the wide table is only chosen when it fits in full. */
      gtk_label_set_xalign (GTK_LABEL (header), 0.0);
      gtk_widget_set_hexpand (header, TRUE);
      gtk_widget_set_tooltip_text (header, title);
      gtk_widget_add_css_class (header, "heading");
      gtk_grid_attach (self->grid, header, 0, 1 + i, 1, 1);

      header = gtk_label_new (name);
      gtk_label_set_xalign (GTK_LABEL (header), 1.0);
      gtk_label_set_justify (GTK_LABEL (header), GTK_JUSTIFY_RIGHT);
      gtk_label_set_wrap (GTK_LABEL (header), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (header), 16);
      gtk_widget_set_valign (header, GTK_ALIGN_END);
      gtk_widget_set_tooltip_text (header, title);
      gtk_widget_add_css_class (header, "heading");
      gtk_grid_attach (self->tall_grid, header, 1 + i, 0, 1, 1);

      if (il_run_trace_get_live (run) || summary == NULL)
        {
          char *texts[N_ROWS];

          live_texts (run, texts);
          for (guint r = 0; r < N_ROWS; r++)
            {
              if (texts[r] != NULL)
                il_summary_view_put (self, r, i, texts[r]);
              g_free (texts[r]);
            }
          g_hash_table_insert (self->live, il_run_trace_ref (run), GINT_TO_POINTER (i + 1));
          all_known_speedup = FALSE;
          continue;
        }

      {
        g_autofree char *wall = il_clock_format_duration (summary->wall_ns, IL_DURATION_SIGNIFICANT);
        g_autofree char *cpu = il_clock_format_duration (summary->cpu_ns, IL_DURATION_SIGNIFICANT);
        g_autofree char *gil = il_clock_format_duration (summary->gil_wait_ns, IL_DURATION_SIGNIFICANT);
        g_autofree char *io = il_clock_format_duration (summary->io_wait_ns, IL_DURATION_SIGNIFICANT);
        g_autofree char *ready = il_clock_format_duration (summary->ready_ns, IL_DURATION_SIGNIFICANT);
        double efficiency = il_format_get_efficiency (run);
        const IlRepeat *repeat = il_run_trace_get_repeat (run);
        g_autofree char *speedup = speedup_text (run, runs);

        if (il_run_trace_get_cancelled (run))
          {
            g_autofree char *text = g_strdup_printf (_("%s (stopped)"), wall);
            il_summary_view_put (self, ROW_WALL, i, text);
          }
        else if (il_run_trace_get_truncated_at_spans (run) > 0)
          {
            g_autofree char *text = g_strdup_printf (_("%s (trace truncated at %" PRIu64 " spans)"),
                                                     wall, il_run_trace_get_truncated_at_spans (run));
            il_summary_view_put (self, ROW_WALL, i, text);
          }
        else
          {
            g_autofree char *text = with_range (wall, repeat, repeat ? repeat->wall_ns : NULL, format_ns);
            il_summary_view_put (self, ROW_WALL, i, text);
          }
        {
          g_autofree char *text = with_range (cpu, repeat, repeat ? repeat->cpu_ns : NULL, format_ns);
          gint64 unknown_ns;
          guint64 lost = il_run_trace_get_lost_records (run, &unknown_ns);

          /* The kernel dropped records: the CPU time is what it kept, the rest is unknown. */
          if (lost > 0)
            {
              g_autofree char *unknown = il_clock_format_duration (unknown_ns, IL_DURATION_SIGNIFICANT);
              g_autofree char *known = g_steal_pointer (&text);
              text = g_strdup_printf (_("%s · %s unknown (%" PRIu64 " kernel records lost)"), known,
                                      unknown, lost);
            }
          il_summary_view_put (self, ROW_CPU, i, text);
        }
        g_snprintf (buf, sizeof buf, "%.2f", summary->avg_parallelism);
        {
          g_autofree char *text = with_range (buf, repeat, repeat ? repeat->avg_parallelism : NULL,
                                              format_ratio);
          il_summary_view_put (self, ROW_AVG_PARALLELISM, i, text);
        }
        g_snprintf (buf, sizeof buf, "%u", summary->max_parallelism);
        il_summary_view_put (self, ROW_MAX_PARALLELISM, i, buf);
        if (speedup != NULL)
          {
            il_summary_view_put (self, ROW_SPEEDUP, i, speedup);
            all_known_speedup &= isfinite (summary->speedup);
          }
        else
          {
            il_summary_view_put (self, ROW_SPEEDUP, i, _("not measured"));
            all_known_speedup = FALSE;
          }
        if (isfinite (efficiency))
          {
            g_snprintf (buf, sizeof buf, "%.0f %%", efficiency * 100);
            il_summary_view_put (self, ROW_EFFICIENCY, i, buf);
          }
        else
          il_summary_view_put (self, ROW_EFFICIENCY, i, "—");
        il_summary_view_put (self, ROW_GIL_WAIT, i, gil);
        {
          g_autoptr(GArray) loops = il_run_trace_find_event_loops (run);
          gint64 busy_ns = 0, idle_ns = 0;

          /* An event loop's thread: was it idle in its selector, or busy in a callback while
           * its other tasks waited? (il-trace-loops.c) */
          for (guint k = 0; k < loops->len; k++)
            {
              busy_ns += g_array_index (loops, IlEventLoop, k).busy_ns;
              idle_ns += g_array_index (loops, IlEventLoop, k).idle_ns;
            }
          if (loops->len > 0)
            {
              g_autofree char *busy = il_clock_format_duration (busy_ns, IL_DURATION_SIGNIFICANT);
              g_autofree char *idle = il_clock_format_duration (idle_ns, IL_DURATION_SIGNIFICANT);
              g_autofree char *text = g_strdup_printf (_("%s · loop busy in callbacks %s, loop idle in I/O wait %s"),
                                                       io, busy, idle);
              il_summary_view_put (self, ROW_IO_WAIT, i, text);
            }
          else
            il_summary_view_put (self, ROW_IO_WAIT, i, io);
        }
        il_summary_view_put (self, ROW_READY, i, ready);
        {
          g_autofree char *loop = il_clock_format_duration (summary->loop_wait_ns,
                                                            IL_DURATION_SIGNIFICANT);
          il_summary_view_put (self, ROW_LOOP_WAIT, i, loop);
        }
        il_summary_view_put_other (self, run, i);
        if (self->show_io_task)
          {
            IlTaskRecord *task = il_run_trace_get_n_tasks (run) > 0
                                   ? il_run_trace_get_task (run, 0) : NULL;

            if (task != NULL && task->worker >= 0 && task->end_ns > task->start_ns)
              {
                g_autofree char *took = il_clock_format_duration (task->end_ns - task->start_ns,
                                                                  IL_DURATION_SIGNIFICANT);
                il_summary_view_put (self, ROW_IO_TASK, i, took);
              }
            else
              il_summary_view_put (self, ROW_IO_TASK, i, "—");
          }
      }
    }

  /* Say how the truth was captured once when all runs agree, per run otherwise. */
  {
    IlCaptureKind first = il_run_trace_get_capture (g_ptr_array_index (runs, 0));
    gboolean same = TRUE;

    for (guint i = 1; i < runs->len; i++)
      same &= il_run_trace_get_capture (g_ptr_array_index (runs, i)) == first;
    if (same)
      g_string_append (capture, il_capture_describe (first, IL_CAPTURE_WORDS_SUMMARY));
    else
      for (guint i = 0; i < runs->len; i++)
        {
          IlRunTrace *run = g_ptr_array_index (runs, i);
          g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));

          g_string_append_printf (capture, "%s%s: %s", i > 0 ? "\n" : "", title,
                                  il_capture_describe (il_run_trace_get_capture (run),
                                                       IL_CAPTURE_WORDS_SUMMARY));
        }
  }
  /* The self capture because the kernel said no: what is lost and how an administrator allows it. */
  for (guint i = 0; i < runs->len; i++)
    if (il_run_trace_get_capture (g_ptr_array_index (runs, i)) == IL_CAPTURE_SELF &&
        il_capture_kernel_refusal () != NULL)
      {
        /* Instead of the general words when every run was self-captured. */
        if (g_strcmp0 (capture->str,
                       il_capture_describe (IL_CAPTURE_SELF, IL_CAPTURE_WORDS_SUMMARY)) == 0)
          g_string_assign (capture, il_capture_kernel_refusal ());
        else
          g_string_append_printf (capture, "\n%s", il_capture_kernel_refusal ());
        break;
      }
  /* Outside a lesson the warning goes under the table; in a lesson, on its answer card. */
  if (self->disturbed != NULL && self->question == NULL)
    g_string_append_printf (capture, "\n%s", self->disturbed);
  gtk_label_set_label (self->capture_label, capture->str);
  gtk_widget_set_visible (GTK_WIDGET (self->speedup_button), !all_known_speedup);
  g_string_free (capture, TRUE);
}

static void
il_summary_view_update_answer (IlSummaryView *self)
{
  GString *markup;
  g_autofree char *q = NULL;
  g_autofree char *p = NULL;

  if (self->question == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->answer_box), FALSE);
      gtk_label_set_label (self->answer_label, "");
      return;
    }
  markup = g_string_new (NULL);
  q = g_markup_escape_text (self->question, -1);
  p = g_markup_escape_text (self->prediction != NULL && *self->prediction != '\0' ? self->prediction
                            : _("(no prediction)"), -1);
  g_string_append_printf (markup, "<b>%s</b>\n", q);
  /* Translators: what the user predicted before running a lesson */
  g_string_append_printf (markup, _("You predicted: %s"), p);
  if (self->answer != NULL)
    {
      g_autofree char *a = g_markup_escape_text (self->answer, -1);

      g_string_append (markup, "\n");
      /* Translators: the lesson's own answer to its question, shown after the runs */
      g_string_append_printf (markup, _("The lesson says: %s"), a);
    }
  if (self->answer != NULL && self->disturbed != NULL)
    {
      g_autofree char *d = g_markup_escape_text (self->disturbed, -1);

      /* What this machine showed may contradict the lesson: say why, next to its answer. */
      g_string_append_printf (markup, "\n<b>%s</b>", d);
    }
  gtk_label_set_markup (self->answer_label, markup->str);
  gtk_widget_set_visible (GTK_WIDGET (self->answer_box), TRUE);
  g_string_free (markup, TRUE);
}

void
il_summary_view_set_answer (IlSummaryView *self, const char *question, const char *prediction,
                            const char *answer)
{
  g_return_if_fail (IL_IS_SUMMARY_VIEW (self));

  g_free (self->question);
  self->question = g_strdup (question);
  g_free (self->prediction);
  self->prediction = g_strdup (prediction);
  g_free (self->answer);
  self->answer = g_strdup (answer);
  il_summary_view_update_answer (self);
}

const char *
il_summary_view_get_answer_text (IlSummaryView *self)
{
  g_return_val_if_fail (IL_IS_SUMMARY_VIEW (self), NULL);
  return gtk_label_get_text (self->answer_label);
}

const char *
il_summary_view_get_value (IlSummaryView *self, const char *row, guint column)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (IL_IS_SUMMARY_VIEW (self), NULL);

  key = g_strdup_printf ("%s:%u", row, column);
  return g_hash_table_lookup (self->values, key);
}

GtkWidget *
il_summary_view_get_output (IlSummaryView *self)
{
  g_return_val_if_fail (IL_IS_SUMMARY_VIEW (self), NULL);
  return GTK_WIDGET (self->output_expander);
}

GtkWidget *
il_summary_view_get_table (IlSummaryView *self)
{
  g_return_val_if_fail (IL_IS_SUMMARY_VIEW (self), NULL);
  return adw_squeezer_get_visible_child (self->squeezer);
}

static void
il_summary_view_dispose (GObject *object)
{
  IlSummaryView *self = IL_SUMMARY_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_SUMMARY_VIEW);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_clear_pointer (&self->live, g_hash_table_unref);
  g_clear_pointer (&self->question, g_free);
  g_clear_pointer (&self->prediction, g_free);
  g_clear_pointer (&self->answer, g_free);
  g_clear_pointer (&self->disturbed, g_free);

  G_OBJECT_CLASS (il_summary_view_parent_class)->dispose (object);
}

static void
il_summary_view_class_init (IlSummaryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_summary_view_dispose;

  g_type_ensure (IL_TYPE_OUTPUT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/interleave/Interleave/il-summary-view.ui");
  gtk_widget_class_bind_template_child (widget_class, IlSummaryView, answer_box);
  gtk_widget_class_bind_template_child (widget_class, IlSummaryView, answer_label);
  gtk_widget_class_bind_template_child (widget_class, IlSummaryView, grid);
  gtk_widget_class_bind_template_child (widget_class, IlSummaryView, tall_grid);
  gtk_widget_class_bind_template_child (widget_class, IlSummaryView, squeezer);
  gtk_widget_class_bind_template_child (widget_class, IlSummaryView, capture_label);
  gtk_widget_class_bind_template_child (widget_class, IlSummaryView, speedup_button);
  gtk_widget_class_bind_template_child (widget_class, IlSummaryView, output_expander);
  gtk_widget_class_bind_template_child (widget_class, IlSummaryView, output_view);
}

static void
il_summary_view_init (IlSummaryView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->live = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) il_run_trace_unref, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->speedup_button), FALSE);
}

GtkWidget *
il_summary_view_new (void)
{
  return g_object_new (IL_TYPE_SUMMARY_VIEW, NULL);
}
