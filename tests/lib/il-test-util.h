/* il-test-util.h: what the test programs share: running a command, waiting for an event with a deadline, temporary folders. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Temporary folders -------------------------------------------------------------------------- */

/* A new empty folder under the system's temporary folder, named from @prefix; fails the test if
 * it cannot be made. */
char     *il_test_tmpdir_new     (const char *prefix);
/* Removes @path and everything below it (links are removed, never followed). */
void      il_test_remove_tree    (const char *path);

/* Running a command ---------------------------------------------------------------------------- */

/* How a command ran: its exit code, or minus the signal that ended it, and what it wrote. */
typedef struct
{
  int   status;
  char *out;
  char *err;
} IlTestResult;

void      il_test_result_clear   (IlTestResult *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IlTestResult, il_test_result_clear)

/* The program a test runs again and again, and how. */
typedef struct
{
  const char           *program;
  char                **envp;         /* NULL: ours */
  GSpawnChildSetupFunc  child_setup;  /* may be NULL */
  gpointer              child_data;
} IlTestCommand;

/* Runs @cmd with the arguments after it (NULL-terminated) to its end, keeping stdout and stderr. */
void      il_test_run            (IlTestResult        *r,
                                  const IlTestCommand *cmd,
                                  const char          *first,
                                  ...) G_GNUC_NULL_TERMINATED;
/* The same with a NULL-terminated @argv, argv[0] included (no IlTestCommand needed). */
void      il_test_run_argv       (IlTestResult        *r,
                                  const char * const  *argv,
                                  char               **envp);

/* Newlines in @text. */
guint     il_test_count_lines    (const char *text);
/* The whole of @path; fails the test if it cannot be read. */
char     *il_test_read_text      (const char *path);

/* Waiting for an event ------------------------------------------------------------------------- */

typedef gboolean (*IlTestDoneFunc) (gpointer data);

/* Iterates the default main context until @done holds; fails the test (naming @what) after
 * @timeout_s. For what the main loop brings: the window's runs, frames, signals. */
void      il_test_wait_for       (IlTestDoneFunc  done,
                                  gpointer        data,
                                  guint           timeout_s,
                                  const char     *what);
/* Checks @done every millisecond until it holds; fails the test (naming @what) after @timeout_s.
 * For events no main loop sees: another process or thread getting somewhere. */
void      il_test_poll_for       (IlTestDoneFunc  done,
                                  gpointer        data,
                                  guint           timeout_s,
                                  const char     *what);

/* Other processes ------------------------------------------------------------------------------ */

/* The pids of @pid's children, from every one of its threads (any may have spawned them). */
GArray   *il_test_children_of    (GPid pid);
/* Starts tests/helpers/cpu-hog (at @hog_path) on CPU @cpu for at most @limit_s seconds and
 * returns once it says it spins: other programs' load, there from the first moment of what
 * follows. g_subprocess_force_exit() ends it (and it dies with us in any case). */
GSubprocess *il_test_hog_start   (const char *hog_path, int cpu, int limit_s);
/* CPU time process @pid has used (user and system), in clock ticks; 0 when it is gone. */
guint64   il_test_cpu_ticks      (int pid);
/* A field of /proc/self/status ("VmHWM:", "VmRSS:") in KiB, or -1. */
gint64    il_test_status_kib     (const char *field);
/* Prints "LABEL: " and /proc/loadavg: a benchmark's figures say how busy the machine was. */
void      il_test_print_load     (const char *label);

G_END_DECLS
