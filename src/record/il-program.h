/* il-program.h: a traced program as a run kind: runs a command in its own process group and
 * records its threads (kernel context switches, or /proc sampled every 1 ms where perf is
 * refused), with blocked time split into GIL, lock and I/O waits. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-run-config.h"
#include "il-trace.h"

G_BEGIN_DECLS

typedef struct _IlProgram IlProgram;

/* How often the sampled capture reads each thread's /proc files. */
#define IL_PROGRAM_SAMPLE_NS G_GINT64_CONSTANT (1000000)

/* Prepares to run config->command (il_run_config_is_program()). Nothing runs yet. @origin_ns
 * stands until il_program_start(), which moves it to the moment the forked program is let go
 * (il_program_get_origin_ns()): spans are relative to that. */
IlProgram     *il_program_new          (const IlRunConfig *config, gint64 origin_ns);
void           il_program_free         (IlProgram *self);

/* Starts the command and its tracer thread. The capture follows config->capture: kernel fails
 * with IL_ERROR_UNSUPPORTED (naming the sysctl that allows it) when perf_event_open is refused;
 * auto falls back to sampling; self and sampled sample. @done is called once from the tracer
 * thread when the program has ended (or was stopped) and everything is recorded; @drain when its
 * ring is more than half full. */
gboolean       il_program_start        (IlProgram *self,
                                        void (*done) (gpointer), void (*drain) (gpointer),
                                        gpointer data, GError **error);
/* What spans are relative to: once started, when the program was let go. */
gint64         il_program_get_origin_ns (IlProgram *self);
/* The capture in use (kernel or sampled), known once started. */
IlCaptureKind  il_program_get_capture  (IlProgram *self);
/* Thread-safe: ends the whole process tree (SIGINT to its process group, so a Python program's
 * finally blocks run; SIGTERM after 2 s, SIGKILL after 2 s more) and finishes the trace with
 * what was recorded. */
void           il_program_cancel       (IlProgram *self);
gboolean       il_program_is_cancelled (IlProgram *self);
gboolean       il_program_is_done      (IlProgram *self);
/* On the owner, once started: gives @trace the program's Python stacks store (when sampled), so a
 * live run's tooltips and labels name its code while it runs; the trace owns it from then on. */
void           il_program_attach_stacks (IlProgram *self, IlRunTrace *trace);
/* On the owner: moves new lanes, processes, names and spans into @trace. TRUE when spans came. */
gboolean       il_program_drain        (IlProgram *self, IlRunTrace *trace);
/* On the owner, once done: joins the tracer, drains the rest and marks helper threads. */
void           il_program_finish       (IlProgram *self, IlRunTrace *trace);
/* The command's wait status (as from waitpid), or -1 when it was never started. */
int            il_program_get_wait_status (IlProgram *self);
/* Once done: the last lines (at most IL_PROGRAM_STDERR_LINES, 4 KiB) the program and its
 * descendants wrote to stderr while it ran, which also went on to ours; NULL when none. */
#define IL_PROGRAM_STDERR_LINES 10
const char    *il_program_get_stderr_tail (IlProgram *self);
/* Where programs started from now on pass their stdout on to: our stdout (the default), or our
 * stderr when our stdout carries a file (`interleave-cli trace -o -`) that their words would
 * break. Either way it is kept with the run. */
void           il_program_set_stdout_to_stderr (gboolean to_stderr);

/* Where the GIL of a CPython process lives: [lo, hi) of its _PyRuntime (in the python binary's
 * or libpython's ELF symbol table, at the load address /proc/PID/maps gives). FALSE when the
 * process runs no CPython that exports it. Exposed for tests. */
gboolean       il_program_find_python_runtime (int pid, guint64 *lo, guint64 *hi);

/* The watcher (the traced program's parent, which ends its whole tree if we die), run by
 * `interleave-worker --watch …` as il_program_start() starts it: never returns but with 2 for a
 * wrong argument vector. */
int            il_program_watcher_main (int argc, char **argv);

/* Marks as helpers the lanes of @trace that never ran a task-like stretch (DESIGN.md). */
void           il_program_mark_helpers (IlRunTrace *trace);


G_END_DECLS
