/* il-trace-io-private.h: what the trace file formats share: the buffered writer, atomic file
 * replacement and the span columns of trace v1. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The spans array holds almost all of a trace's bytes (a 1 M-span file is ~40 MB of rows). Building
 * a JsonNode per value for it would cost gigabytes and seconds, so the rows are written and parsed
 * by hand: the writer generates each run's object with json-glib and appends the rows; the reader
 * (il-trace-native-private.h) reads the document with the JSON lexer into a json-glib tree but
 * for the rows, which it parses straight into IlSpan chunks. */

#include <string.h>
#include <gio/gio.h>

#include "il-trace-io.h"

G_BEGIN_DECLS

/* The column names of a trace v1 "spans_columns" array, in the order the writer uses. */
extern const char *const il_span_column_names[];

enum
{
  COL_WORKER,
  COL_STATE,
  COL_CPU,
  COL_TASK,
  COL_START,
  COL_END,
  N_COLS
};

/* Buffered output to a GOutputStream: the exports write tens of megabytes in small pieces. The
 * first error is kept and every later write is skipped; il_writer_finish() reports it. */
typedef struct
{
  GOutputStream *stream;
  GCancellable  *cancellable;
  const char    *name;
  GError        *error;
  gboolean       more;   /* Chrome export: an array element was written, the next needs a comma */
  gsize          len;
  char           buf[64 * 1024];
} IlWriter;

void     il_writer_flush        (IlWriter *w);
/* Nanoseconds as microseconds with three decimals, the unit of the Chrome trace format. */
void     il_writer_us           (IlWriter *w, gint64 ns);
/* A JSON string literal (quotes included). */
void     il_writer_json_string  (IlWriter *w, const char *str);
/* A CSV field, quoted per RFC 4180 when it needs to be. */
void     il_writer_csv_string   (IlWriter *w, const char *str);
/* Flushes; returns FALSE with the first error of any write. */
gboolean il_writer_finish       (IlWriter *w, GError **error);

typedef gboolean (*IlTraceWriteFunc) (IlTrace *trace, IlWriter *w);

#define IL_TRACE_ALL_STATES ((1u << IL_N_STATES) - 1)

/* Trace v1 into @w, with the span rows whose state is in @states, a set of (1 << IlState) bits
 * (IL_TRACE_ALL_STATES for the file; the Chrome export embeds the header with idle only). */
void     il_trace_write_v1      (IlTrace *trace, IlWriter *w, guint states);

/* Writes @trace into @stream through @func (the caller closes it); @name is used in messages. */
gboolean il_trace_write_stream  (IlTrace *trace, GOutputStream *stream, const char *name,
                                 GCancellable *cancellable, IlTraceWriteFunc func, GError **error);

/* Writes @trace to @path through @func, replacing the file only when everything was written. */
gboolean il_trace_write_file    (IlTrace *trace, const char *path, IlTraceWriteFunc func,
                                 GError **error);

static inline void
il_writer_append (IlWriter *w, const char *data, gsize len)
{
  if (len > sizeof w->buf - w->len)
    {
      il_writer_flush (w);
      if (len > sizeof w->buf)
        {
          gsize written = 0;

          if (w->error == NULL &&
              !g_output_stream_write_all (w->stream, data, len, &written, w->cancellable, &w->error))
            g_prefix_error (&w->error, "%s: ", w->name);
          return;
        }
    }
  memcpy (w->buf + w->len, data, len);
  w->len += len;
}

static inline void
il_writer_puts (IlWriter *w, const char *str)
{
  il_writer_append (w, str, strlen (str));
}

static inline void
il_writer_putc (IlWriter *w, char c)
{
  if (w->len == sizeof w->buf)
    il_writer_flush (w);
  w->buf[w->len++] = c;
}

/* snprintf costs more than the rest of a row together; integers are the bulk of every export. */
static inline void
il_writer_int (IlWriter *w, gint64 v)
{
  char tmp[24];
  int n = 0;
  guint64 u;

  if (v < 0)
    {
      il_writer_putc (w, '-');
      u = (guint64) 0 - (guint64) v;
    }
  else
    u = (guint64) v;
  do
    {
      tmp[n++] = (char) ('0' + u % 10);
      u /= 10;
    }
  while (u != 0);
  if ((gsize) n > sizeof w->buf - w->len)
    il_writer_flush (w);
  while (n > 0)
    w->buf[w->len++] = tmp[--n];
}

/* il-trace-marks-v1.c: a run's instants, counters and flows into its trace v1 header. */
typedef struct _JsonBuilder JsonBuilder;
void      il_trace_marks_write_v1 (JsonBuilder *b, IlRunTrace *run);
/* il-trace-stacks-v1.c: a run's sampled Python stacks ("stacks"), when it has them. */
void      il_trace_stacks_write_v1 (IlRunTrace *run, IlWriter *w);
/* Opens member @key as {"columns": @names, "rows": [ … (the caller adds the rows and closes). */
void      il_trace_begin_table    (JsonBuilder *b, const char *key, const char *const *names, guint n);
/* il-trace-output.c: a traced program's stdout and stderr into its trace v1 header. */
void      il_trace_output_write_v1 (JsonBuilder *b, IlRunTrace *run);

G_END_DECLS
