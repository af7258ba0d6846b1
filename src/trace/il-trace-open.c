/* il-trace-open.c: opening a trace file (gzip unpacked): which reader reads it (trace v1 or Chrome Trace Event), by content. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "il-json-private.h"
#include "il-trace-io.h"
#include "il-file-map.h"
#include "il-trace-read-private.h"

/* The two readers sit side by side below this file and never call each other: a Chrome export's
 * trace v1 header is read through the function handed to the Chrome reader here. */

/* Does @src look like a Chrome Trace Event file rather than trace v1? A bare event array does,
 * and an object whose top-level keys reach "traceEvents" before trace v1's "format" or "runs". */
static gboolean
is_chrome (const IlTraceSource *src)
{
  IlJsonLexer lx;
  gboolean chrome = FALSE;

  /* No error: whatever is wrong is the reader's to report. */
  il_json_lexer_init (&lx, src->name, src->data, src->length, NULL);
  il_json_skip_ws (&lx);
  if (lx.p < lx.end && *lx.p == '[')
    chrome = TRUE;
  else if (lx.p < lx.end && *lx.p == '{')
    {
      lx.p++;
      while (!il_json_peek (&lx, '}') && il_json_key (&lx))
        {
          if (il_json_key_is (&lx, "traceEvents"))
            {
              chrome = TRUE;
              break;
            }
          if (il_json_key_is (&lx, "format") || il_json_key_is (&lx, "runs"))
            break;
          if (!il_json_skip_value (&lx, 1) || !il_json_peek (&lx, ','))
            break;
          lx.p++;
        }
    }
  il_json_lexer_clear (&lx);
  return chrome;
}

/* The trace v1 header of a Chrome export, read with the rules and messages of a trace v1 file. */
static IlTrace *
read_header (const char *data, gsize length, const char *name, GError **error)
{
  IlTraceSource src = { name, data, length, FALSE, 0 };

  return il_trace_read_native (&src, error);
}

char *
il_trace_gunzip (const char *data, gsize length, gsize limit, const char *name, gsize *out_length,
                 GError **error)
{
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_data (data, (gssize) length, NULL);
  g_autoptr(GConverter) gunzip = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
  g_autoptr(GInputStream) in = g_converter_input_stream_new (raw, gunzip);
  g_autoptr(GError) local = NULL;
  gsize size = MIN (limit + 1, 1 << 20), len = 0;
  g_autofree char *buf = g_malloc (size);

  /* Read until the end or one byte past the limit, which is enough to know it is too big. */
  while (len <= limit)
    {
      gssize n;

      if (len == size)
        {
          size = size > limit / 2 ? limit + 1 : size * 2;
          buf = g_realloc (buf, size);
        }
      n = g_input_stream_read (in, buf + len, size - len, NULL, &local);
      if (n < 0)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s: a broken gzip file: %s"), name,
                       local->message);
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
    }
  if (len > limit)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: the gzip file unpacks to more than %" PRIu64 " MiB; "
                     "unpack it with gunzip if it is a real trace"),
                   name, (guint64) (limit >> 20));
      return NULL;
    }
  *out_length = len;
  return g_steal_pointer (&buf);
}

/* Perfetto's own format is protobuf: a Trace message whose packets are field 1, length-delimited
 * (tag byte 0x0a). That byte is a newline to JSON, so a JSON file may start with it too: it is a
 * protobuf when no '{' or '[' follows the whitespace. */
static gboolean
is_protobuf (const IlTraceSource *src)
{
  gsize i = 0;

  if (src->length < 2 || (guchar) src->data[0] != 0x0a)
    return FALSE;
  while (i < src->length && (src->data[i] == ' ' || src->data[i] == '\t' || src->data[i] == '\r' ||
                              src->data[i] == '\n'))
    i++;
  return i < src->length && src->data[i] != '{' && src->data[i] != '[';
}

static IlTrace *
read_source (IlTraceSource *src, GError **error)
{
  if (src->length == 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s: the file is empty"), src->name);
      return NULL;
    }
  /* Chrome's and Perfetto's UI save traces as .json.gz. */
  if (src->length >= 2 && (guchar) src->data[0] == 0x1f && (guchar) src->data[1] == 0x8b)
    {
      g_autofree char *data = NULL;
      IlTraceSource unpacked = { src->name, NULL, 0, FALSE, 0 };

      data = il_trace_gunzip (src->data, src->length, IL_TRACE_GUNZIP_LIMIT, src->name,
                              &unpacked.length, error);
      if (data == NULL)
        return NULL;
      unpacked.data = data;
      /* A gzip inside a gzip is no trace; reading it again would loop on a crafted file. */
      if (unpacked.length >= 2 && (guchar) data[0] == 0x1f && (guchar) data[1] == 0x8b)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("%s: a gzip file inside a gzip file, not a trace"), src->name);
          return NULL;
        }
      return read_source (&unpacked, error);
    }
  if (is_protobuf (src))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: this is a Perfetto protobuf trace, which Interleave does not read; "
                     "convert it to JSON with Perfetto’s traceconv: "
                     "traceconv json TRACE.pftrace TRACE.json"), src->name);
      return NULL;
    }
  if (is_chrome (src))
    return il_trace_read_chrome (src, read_header, error);
  return il_trace_read_native (src, error);
}

IlTrace *
il_trace_load_from_data (const char *data, gsize length, const char *name, GError **error)
{
  IlTraceSource src = { name != NULL ? name : "trace", data, length, FALSE, 0 };

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  return read_source (&src, error);
}

IlTrace *
il_trace_load (const char *path, GError **error)
{
  const IlFileMapWords words = {
    _("Cannot read the trace: %s: %s"),
    _("Cannot read the trace: %s is a folder"),
    _("Cannot read the trace: %s is not a regular file (a FIFO, socket or device)"),
    NULL,
    _("Cannot read the trace: %s"),
  };
  g_autoptr(GMappedFile) mapped = NULL;
  g_autofree char *display = NULL;
  IlTraceSource src = { NULL, NULL, 0, TRUE, 0 };

  g_return_val_if_fail (path != NULL, NULL);

  display = g_filename_display_name (path);
  mapped = il_file_map_regular (path, 0, &words, error);
  if (mapped == NULL)
    return NULL;
  src.name = display;
  src.data = g_mapped_file_get_contents (mapped);
  src.length = g_mapped_file_get_length (mapped);
  /* An empty file is not mapped at all. */
  src.mapped = src.data != NULL;
  return read_source (&src, error);
}
