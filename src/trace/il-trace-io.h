/* il-trace-io.h: trace files in and out: trace v1 JSON (read and write), CSV and Chrome Trace export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "il-trace.h"

G_BEGIN_DECLS

#define IL_TRACE_FORMAT_NAME "interleave-trace"
#define IL_TRACE_FORMAT_VERSION 1
/* The most CPUs a trace's machine may have (Linux's default NR_CPUS); more is refused. */
#define IL_TRACE_MAX_CPUS 4096
/* Deepest nesting of arrays and objects a trace file may have; deeper files are refused before
 * json-glib, which recurses once per level, parses them. A trace needs 6. */
#define IL_TRACE_MAX_DEPTH 64

/* Writes @trace as trace v1 JSON (DESIGN.md, "Trace file, version 1") to @path, replacing it
 * atomically. Errors name the file. */
gboolean  il_trace_save         (IlTrace     *trace,
                                 const char  *path,
                                 GError     **error);

/* Same, into a stream (the caller closes it). @name is used in error messages. */
gboolean  il_trace_write        (IlTrace        *trace,
                                 GOutputStream  *stream,
                                 const char     *name,
                                 GCancellable   *cancellable,
                                 GError        **error);

/* Reads a trace v1 file. Every field is validated; an IL_ERROR_INVALID error names the file, the
 * line where that is known, and what is wrong. Loaded runs are not live and keep the saved
 * summary. */
IlTrace  *il_trace_load         (const char  *path,
                                 GError     **error);

/* Same, from memory; @name is used in error messages. */
IlTrace  *il_trace_load_from_data (const char  *data,
                                   gsize        length,
                                   const char  *name,
                                   GError     **error);

/* One row per span: run,label,worker,pid,tid,state,cpu,task,start_ns,end_ns,cpu_time_ns (with a
 * header line; cpu_time_ns empty), then per run and CPU the intervals where other programs took
 * CPU time (state "other-programs") or the hypervisor did ("steal"), that time in cpu_time_ns. */
gboolean  il_trace_export_csv   (IlTrace     *trace,
                                 const char  *path,
                                 GError     **error);

/* Same, into a stream (the caller closes it); @name is used in error messages. */
gboolean  il_trace_write_csv    (IlTrace        *trace,
                                 GOutputStream  *stream,
                                 const char     *name,
                                 GCancellable   *cancellable,
                                 GError        **error);

/* Chrome Trace Event JSON (DevTools, speedscope, Perfetto): complete ("X") events on CLOCK_MONOTONIC
 * microseconds, a process per run (or per traced process) with a track per worker, and one with a
 * track per CPU core; il_trace_load() reads it back as the same trace (docs/trace-format.md,
 * "Chrome traces out"). Any Chrome Trace Event file opens through il_trace_load() too ("Chrome
 * traces in"). */
gboolean  il_trace_export_chrome (IlTrace     *trace,
                                  const char  *path,
                                  GError     **error);

/* Same, into a stream (the caller closes it); @name is used in error messages. */
gboolean  il_trace_write_chrome  (IlTrace        *trace,
                                  GOutputStream  *stream,
                                  const char     *name,
                                  GCancellable   *cancellable,
                                  GError        **error);

G_END_DECLS
