/* il-run-config.c: run configurations: defaults, copies, validation and descriptions in words. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-run-config.h"

G_DEFINE_BOXED_TYPE (IlRunConfig, il_run_config, il_run_config_copy, il_run_config_free)

IlRunConfig *
il_run_config_new (void)
{
  IlRunConfig *self = g_new0 (IlRunConfig, 1);

  self->executor = IL_EXECUTOR_THREADS;
  self->gil = FALSE;
  self->switch_interval_ms = 5.0;
  self->workers = 4;
  self->cpus = g_array_new (FALSE, FALSE, sizeof (int));
  self->workload = IL_WORKLOAD_CPU;
  self->tasks = 8;
  self->task_ms = 100.0;
  self->capture = IL_CAPTURE_AUTO;
  return self;
}

IlRunConfig *
il_run_config_copy (const IlRunConfig *self)
{
  IlRunConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->label = g_strdup (self->label);
  copy->source = g_strdup (self->source);
  copy->cpus = g_array_new (FALSE, FALSE, sizeof (int));
  if (self->cpus != NULL && self->cpus->len > 0)
    g_array_append_vals (copy->cpus, self->cpus->data, self->cpus->len);
  copy->command = g_strdupv (self->command);
  copy->cwd = g_strdup (self->cwd);
  return copy;
}

void
il_run_config_free (IlRunConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->label);
  g_free (self->source);
  g_clear_pointer (&self->cpus, g_array_unref);
  g_strfreev (self->command);
  g_free (self->cwd);
  g_free (self);
}

/* A traced program: a command to run from its argv (never a shell) in an existing folder. */
static gboolean
il_run_config_validate_program (const IlRunConfig *self, GError **error)
{
  g_autofree char *found = NULL;

  if (self->command[0] == NULL || *self->command[0] == '\0')
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("Which program? The command is empty"));
      return FALSE;
    }
  if (self->cwd != NULL && *self->cwd != '\0' && !g_file_test (self->cwd, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("The working folder “%s” does not exist"),
                   self->cwd);
      return FALSE;
    }
  if (strchr (self->command[0], '/') != NULL)
    {
      g_autofree char *path = self->cwd != NULL && !g_path_is_absolute (self->command[0])
                              ? g_build_filename (self->cwd, self->command[0], NULL)
                              : g_strdup (self->command[0]);
      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) || g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("“%s” is not a program that can be run"),
                       self->command[0]);
          return FALSE;
        }
      return TRUE;
    }
  found = g_find_program_in_path (self->command[0]);
  if (found == NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("Command not found: %s"), self->command[0]);
      return FALSE;
    }
  return TRUE;
}

/* Memory-workload processes each touch a buffer of their own: refuse a run whose buffers would
 * take more than half of the machine's memory. */
static gboolean
check_memory (IlWorkloadKind   kind,
              IlExecutorKind   executor,
              guint            workers,
              GError         **error)
{
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);
  guint64 physical, needed;

  if (kind != IL_WORKLOAD_MEMORY || executor != IL_EXECUTOR_PROCESSES || pages <= 0 || page_size <= 0)
    return TRUE;

  physical = (guint64) pages * (guint64) page_size;
  needed = (guint64) workers * IL_MEMORY_BUFFER_BYTES;
  /* Half: the buffers are touched in full (first-touch is not the work), and the machine still
   * needs room for everything else; beyond it the run would measure swapping, or be killed. */
  if (needed > physical / 2)
    {
      g_autofree char *need_str = g_format_size (needed);
      g_autofree char *each_str = g_format_size (IL_MEMORY_BUFFER_BYTES);
      g_autofree char *phys_str = g_format_size (physical);

      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%u worker processes with the memory workload need %s of buffers (%s each), more than half of this machine’s %s of memory; use fewer workers, or threads, which share one buffer"),
                   workers, need_str, each_str, phys_str);
      return FALSE;
    }
  return TRUE;
}

gboolean
il_run_config_validate (const IlRunConfig *self, GError **error)
{
  guint n_cpus = il_cpu_count ();

  g_return_val_if_fail (self != NULL, FALSE);

  if ((guint) self->executor >= IL_N_EXECUTORS)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("Unknown executor"));
      return FALSE;
    }
  if (self->executor == IL_EXECUTOR_EXTERNAL && self->command != NULL)
    return il_run_config_validate_program (self, error);
  if (self->executor == IL_EXECUTOR_EXTERNAL)
    {
      /* Such a configuration only describes a recording: there is nothing for the engine to run. */
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID,
                           _("External programs are not run but recorded: use “interleave-cli trace -- COMMAND”"));
      return FALSE;
    }
  if ((guint) self->workload >= IL_N_WORKLOADS)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("Unknown workload"));
      return FALSE;
    }
  if (self->workers < 1 || self->workers > IL_MAX_WORKERS)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("Workers must be between 1 and %d, not %u"), IL_MAX_WORKERS, self->workers);
      return FALSE;
    }
  if (self->tasks > IL_MAX_TASKS)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("Tasks must be between 0 and %d, not %u"), IL_MAX_TASKS, self->tasks);
      return FALSE;
    }
  if (!isfinite (self->task_ms) || self->task_ms < 0 || self->task_ms > IL_MAX_TASK_MS)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("Task duration must be between 0 and %.0f ms"), IL_MAX_TASK_MS);
      return FALSE;
    }
  if (self->gil && self->executor != IL_EXECUTOR_THREADS)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("The GIL applies to threads only; the %s executor has no GIL"),
                   il_executor_to_string (self->executor));
      return FALSE;
    }
  if (self->gil && (!isfinite (self->switch_interval_ms) || self->switch_interval_ms < 0.1 ||
                    self->switch_interval_ms > 1000.0))
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID,
                           _("The switch interval must be between 0.1 and 1000 ms"));
      return FALSE;
    }
  if (self->cpus != NULL)
    for (guint i = 0; i < self->cpus->len; i++)
      {
        int c = g_array_index (self->cpus, int, i);
        if (c < 0 || (guint) c >= n_cpus)
          {
            g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                         _("CPU %d does not exist: this machine has CPUs 0 to %u"), c, n_cpus - 1);
            return FALSE;
          }
      }
  return check_memory (self->workload, self->executor, self->workers, error);
}

static char *
format_ms (double ms)
{
  if (ms == floor (ms))
    return g_strdup_printf ("%.0f", ms);
  return g_strdup_printf ("%g", ms);
}

char *
il_run_config_describe (const IlRunConfig *self)
{
  GString *s = g_string_new (NULL);
  g_autofree char *task_ms = format_ms (self->task_ms);

  switch (self->executor)
    {
    case IL_EXECUTOR_SEQUENTIAL:
      g_string_append (s, _("sequential"));
      break;
    case IL_EXECUTOR_THREADS:
      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "%u thread", "%u threads",
                                              self->workers), self->workers);
      if (self->gil)
        {
          g_autofree char *si = format_ms (self->switch_interval_ms);
          g_string_append_printf (s, _(" + GIL (%s ms)"), si);
        }
      break;
    case IL_EXECUTOR_PROCESSES:
      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "%u process", "%u processes",
                                              self->workers), self->workers);
      break;
    case IL_EXECUTOR_ASYNC:
      g_string_append (s, _("event loop (1 thread)"));
      break;
    case IL_EXECUTOR_EXTERNAL:
      /* Nothing of workload, tasks or CPU set applies to a program we only watched; its command
       * is the label, which titles show already. An imported file was never traced by us. */
      if (g_strcmp0 (self->source, "chrome-trace") == 0)
        {
          g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "imported Chrome trace · %u thread",
                                                  "imported Chrome trace · %u threads", self->workers),
                                  self->workers);
          return g_string_free (s, FALSE);
        }
      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "traced program · %u thread",
                                              "traced program · %u threads", self->workers),
                              self->workers);
      return g_string_free (s, FALSE);
    case IL_N_EXECUTORS:
    default:
      g_assert_not_reached ();
    }

  g_string_append_printf (s, " · %s · %u × %s ms", il_workload_to_string (self->workload),
                          self->tasks, task_ms);

  if (self->cpus != NULL && self->cpus->len > 0)
    {
      g_autofree char *cpus = il_cpu_set_to_string (self->cpus);
      if (self->cpus->len == 1)
        g_string_append_printf (s, _(" · CPU %s"), cpus);
      else
        g_string_append_printf (s, _(" · CPUs %s"), cpus);
    }
  return g_string_free (s, FALSE);
}

char *
il_run_config_get_title (const IlRunConfig *self)
{
  if (self->label != NULL && *self->label != '\0')
    return g_strdup (self->label);
  return il_run_config_describe (self);
}

void
il_run_config_set_program (IlRunConfig *self, char **argv, char *cwd)
{
  g_return_if_fail (self != NULL);

  self->executor = IL_EXECUTOR_EXTERNAL;
  self->workers = 1;
  self->tasks = 0;
  self->task_ms = 0;
  g_strfreev (self->command);
  self->command = argv;
  g_free (self->cwd);
  self->cwd = cwd;
}

gboolean
il_run_config_is_program (const IlRunConfig *self)
{
  return self != NULL && self->executor == IL_EXECUTOR_EXTERNAL && self->command != NULL &&
         self->command[0] != NULL;
}

char *
il_run_config_command_line (const IlRunConfig *self, guint max_chars)
{
  g_autofree char *line = NULL;

  if (self->command == NULL)
    return g_strdup ("");
  line = g_strjoinv (" ", self->command);
  /* One line: scripts given with -c span many, which titles cannot show. */
  g_strdelimit (line, "\t\r\n", ' ');
  if (max_chars > 1 && g_utf8_strlen (line, -1) > max_chars)
    {
      char *cut = g_utf8_offset_to_pointer (line, max_chars - 1);
      *cut = '\0';
      return g_strconcat (line, "…", NULL);
    }
  return g_steal_pointer (&line);
}

gboolean
il_run_config_same_work (const IlRunConfig *a, const IlRunConfig *b)
{
  gboolean a_program = a->executor == IL_EXECUTOR_EXTERNAL, b_program = b->executor == IL_EXECUTOR_EXTERNAL;

  /* Traced programs have no workload of ours: two of them do the same work only when they are
   * the same command (a repeat), never two programs that happen to share our defaults. */
  if (a_program || b_program)
    return a_program && b_program && a->command != NULL && b->command != NULL &&
           g_strv_equal ((const char *const *) a->command, (const char *const *) b->command);
  return a->workload == b->workload && a->tasks == b->tasks && a->task_ms == b->task_ms;
}
