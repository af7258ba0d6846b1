/* il-trace-writer.c: the buffered writer and atomic file replacement every trace export uses. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-atomic-file.h"
#include "il-trace-io-private.h"

const char *const il_span_column_names[] = {
  "worker", "state", "cpu", "task", "start_ns", "end_ns",
};

/* ------------------------------------------------------------------------------------------------
 * Buffered output to a GOutputStream: the exports write tens of megabytes in small pieces. */


void
il_writer_flush (IlWriter *w)
{
  gsize written = 0;

  if (w->error != NULL || w->len == 0)
    {
      w->len = 0;
      return;
    }
  if (!g_output_stream_write_all (w->stream, w->buf, w->len, &written, w->cancellable, &w->error))
    g_prefix_error (&w->error, "%s: ", w->name);
  w->len = 0;
}

/* Nanoseconds as microseconds with three decimals, the unit of the Chrome trace format. */
void
il_writer_us (IlWriter *w, gint64 ns)
{
  gint64 a = ns < 0 ? -ns : ns;
  char frac[5];

  if (ns < 0)
    il_writer_putc (w, '-');
  il_writer_int (w, a / 1000);
  frac[0] = '.';
  frac[1] = (char) ('0' + (a % 1000) / 100);
  frac[2] = (char) ('0' + (a % 100) / 10);
  frac[3] = (char) ('0' + a % 10);
  frac[4] = 0;
  il_writer_append (w, frac, 4);
}

/* A JSON string literal (quotes included). Bytes that are not UTF-8 (a thread name or an argv
 * taken as it was) become U+FFFD: JSON must be UTF-8, or no reader opens the file. */
void
il_writer_json_string (IlWriter *w, const char *str)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (str, -1, NULL))
    str = valid = g_utf8_make_valid (str, -1);
  il_writer_putc (w, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          il_writer_putc (w, '\\');
          il_writer_putc (w, (char) c);
        }
      else if (c == '\n')
        il_writer_puts (w, "\\n");
      else if (c == '\t')
        il_writer_puts (w, "\\t");
      else if (c == '\r')
        il_writer_puts (w, "\\r");
      else if (c < 0x20)
        {
          char esc[8];
          g_snprintf (esc, sizeof esc, "\\u%04x", c);
          il_writer_puts (w, esc);
        }
      else
        il_writer_putc (w, (char) c);
    }
  il_writer_putc (w, '"');
}

/* A CSV field, quoted only when it has to be (RFC 4180). */
void
il_writer_csv_string (IlWriter *w, const char *str)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (str, -1, NULL))
    str = valid = g_utf8_make_valid (str, -1);
  if (strpbrk (str, ",\"\r\n") == NULL)
    {
      il_writer_puts (w, str);
      return;
    }
  il_writer_putc (w, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      if (*p == '"')
        il_writer_putc (w, '"');
      il_writer_putc (w, *p);
    }
  il_writer_putc (w, '"');
}

gboolean
il_writer_finish (IlWriter *w, GError **error)
{
  il_writer_flush (w);
  if (w->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&w->error));
      return FALSE;
    }
  return TRUE;
}


/* Writes to a temporary file in the destination's folder and renames it into place, so a failed,
 * cancelled or killed export never leaves half a file, neither in place of a good one nor new. */
gboolean
il_trace_write_file (IlTrace *trace, const char *path, IlTraceWriteFunc func, GError **error)
{
  g_autoptr(IlAtomicFile) file = NULL;
  g_autofree IlWriter *w = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (trace != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  display = g_filename_display_name (path);
  if ((file = il_atomic_file_new (path, error)) == NULL)
    return FALSE;

  w = g_new0 (IlWriter, 1);
  w->stream = il_atomic_file_get_stream (file);
  w->name = display;
  func (trace, w);
  if (!il_writer_finish (w, &local_error))
    {
      /* The writer's message already starts with the file's name. */
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Cannot write %s"), local_error->message);
      return FALSE;
    }
  return il_atomic_file_commit (g_steal_pointer (&file), error);
}

gboolean
il_trace_write_stream (IlTrace        *trace,
                       GOutputStream  *stream,
                       const char     *name,
                       GCancellable   *cancellable,
                       IlTraceWriteFunc func,
                       GError        **error)
{
  g_autofree IlWriter *w = NULL;

  g_return_val_if_fail (trace != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  w = g_new0 (IlWriter, 1);
  w->stream = stream;
  w->cancellable = cancellable;
  w->name = name != NULL ? name : "trace";
  func (trace, w);
  return il_writer_finish (w, error);
}
