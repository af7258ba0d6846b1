/* il-test-util.c: what the test programs share: running a command, waiting for an event with a deadline, temporary folders. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "il-test-util.h"

char *
il_test_tmpdir_new (const char *prefix)
{
  g_autofree char *tmpl = g_strdup_printf ("%s-XXXXXX", prefix);
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  g_assert_nonnull (dir);
  return dir;
}

void
il_test_remove_tree (const char *path)
{
  GStatBuf st;

  if (path == NULL || g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          il_test_remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

void
il_test_result_clear (IlTestResult *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

static void
run_spawn (IlTestResult *r, char **argv, char **envp, GSpawnChildSetupFunc setup, gpointer data)
{
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, argv, envp, G_SPAWN_DEFAULT, setup, data, &r->out, &r->err, &wait_status,
                &error);
  g_assert_no_error (error);
  /* A signal is never mistaken for an exit code: a crash cannot pass for a refusal. */
  r->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -WTERMSIG (wait_status);
  g_test_message ("%s: exit %d, stderr: %s", argv[0], r->status, r->err);
}

void
il_test_run (IlTestResult *r, const IlTestCommand *cmd, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (char *) cmd->program);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  run_spawn (r, (char **) argv->pdata, cmd->envp, cmd->child_setup, cmd->child_data);
}

void
il_test_run_argv (IlTestResult *r, const char * const *argv, char **envp)
{
  run_spawn (r, (char **) argv, envp, NULL, NULL);
}

guint
il_test_count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      n++;
  return n;
}

char *
il_test_read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static gboolean
raise_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
il_test_wait_for (IlTestDoneFunc done, gpointer data, guint timeout_s, const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (timeout_s, raise_flag, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("timed out after %u s waiting for %s", timeout_s, what);
  g_source_remove (id);
}

void
il_test_poll_for (IlTestDoneFunc done, gpointer data, guint timeout_s, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  /* The millisecond is how often we look, not a guess at how long the event takes. */
  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out after %u s waiting for %s", timeout_s, what);
      g_usleep (1000);
    }
}

GArray *
il_test_children_of (GPid pid)
{
  g_autofree char *task_dir = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr(GDir) dir = g_dir_open (task_dir, 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (task_dir, tid, "children", NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) words = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      words = g_strsplit (g_strstrip (text), " ", -1);
      for (guint i = 0; words[i] != NULL; i++)
        if (*words[i] != '\0')
          {
            int child = atoi (words[i]);
            g_array_append_val (pids, child);
          }
    }
  return pids;
}

guint64
il_test_cpu_ticks (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (paren = strrchr (text, ')')) == NULL)
    return 0;
  /* After "pid (comm) ": state is field 0 here, utime 11, stime 12. */
  fields = g_strsplit (paren + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return 0;
  return g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
}

GSubprocess *
il_test_hog_start (const char *hog_path, int cpu, int limit_s)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cpu_arg = g_strdup_printf ("%d", cpu);
  g_autofree char *limit_arg = g_strdup_printf ("%d", limit_s);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *hog;

  hog = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, hog_path, cpu_arg, limit_arg, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (hog));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
  return hog;
}

void
il_test_print_load (const char *label)
{
  g_autofree char *load = NULL;

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    printf ("%s: %s", label, load);
}

gint64
il_test_status_kib (const char *field)
{
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL) ||
      (at = strstr (text, field)) == NULL)
    return -1;
  return g_ascii_strtoll (at + strlen (field), NULL, 10);
}
