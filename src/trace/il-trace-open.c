/* il-trace-open.c: opening a trace file: which reader reads it (trace v1 or Chrome Trace Event), by content. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

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

static IlTrace *
read_source (IlTraceSource *src, GError **error)
{
  if (src->length == 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s: the file is empty"), src->name);
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
