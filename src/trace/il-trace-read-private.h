/* il-trace-read-private.h: the two trace readers as the format dispatcher (il-trace-open.c) sees them. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* il-trace-open.c opens the file, decides by its content which reader reads it and calls that
 * one; the readers never call each other. A Chrome export of Interleave's carries a trace v1
 * header, which the Chrome reader reads through the IlTraceHeaderReader the dispatcher hands it. */

#include <glib.h>

#include "il-trace.h"

G_BEGIN_DECLS

/* A whole file in memory. */
typedef struct
{
  const char *name;     /* for messages */
  const char *data;
  gsize       length;
  gboolean    mapped;   /* data is a read-only file mapping whose pages may be dropped */
  gsize       dropped;  /* pages before this offset were given back */
} IlTraceSource;

/* Most bytes a gzip'd trace may unpack to (4 GiB): more is refused, a guard against zip bombs. */
#define IL_TRACE_GUNZIP_LIMIT ((gsize) MIN (G_GUINT64_CONSTANT (4) << 30, G_MAXSIZE / 2))

/* Unpacks gzip @data (il-trace-open.c): a new buffer of *@out_length bytes, or NULL with @error
 * when it is broken or unpacks to more than @limit bytes. */
char     *il_trace_gunzip       (const char *data, gsize length, gsize limit, const char *name,
                                 gsize *out_length, GError **error);

/* Reads a trace v1 document from @data (il-trace-read.c). */
typedef IlTrace *(*IlTraceHeaderReader) (const char *data, gsize length, const char *name,
                                         GError **error);

/* Trace v1 ("Interleave trace v1", DESIGN.md), il-trace-read.c. */
IlTrace  *il_trace_read_native  (IlTraceSource *src, GError **error);

/* Chrome Trace Event JSON, il-trace-chrome-read.c; @header reads the trace v1 header of
 * Interleave's own export. */
IlTrace  *il_trace_read_chrome  (IlTraceSource *src, IlTraceHeaderReader header, GError **error);

G_END_DECLS
