/* il-trace-output.c: a traced program's standard output and error, kept with its run and in the trace v1 file. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A lesson's answer can point at what the program printed, so the window shows it beside the
 * run, and the file and the saved session keep it. Bounded: a chatty program keeps its first and
 * its last words (a traceback comes last), and the file says how much between them was not kept.
 *
 * run.output: {"stdout": {"text": "…", "dropped_bytes": N, "dropped_at": K}, "stderr": {…}}
 * "dropped_bytes" and "dropped_at" (a byte offset into "text", on a character boundary) are left
 * out when nothing was dropped; a stream not recorded is left out, one that said nothing is "". */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-trace-private.h"
#include "il-trace-native-private.h"

typedef struct
{
  char    *text;        /* NULL: not recorded */
  guint64  dropped;
  gsize    dropped_at;
} Stream;

struct _IlRunOutput
{
  Stream streams[IL_N_OUTPUTS];
};

static const char *const stream_names[IL_N_OUTPUTS] = { "stdout", "stderr" };

void
il_run_output_free (struct _IlRunOutput *output)
{
  if (output == NULL)
    return;
  for (guint i = 0; i < IL_N_OUTPUTS; i++)
    g_free (output->streams[i].text);
  g_free (output);
}

/* @len bytes as valid UTF-8, a NUL (which would end the text early everywhere) as U+FFFD. */
static GString *
make_text (const char *bytes, gsize len)
{
  GString *s = g_string_sized_new (len);
  const char *p = bytes, *end = bytes + len;

  while (p < end)
    {
      const char *bad = NULL;

      if (g_utf8_validate_len (p, (gsize) (end - p), &bad))
        {
          g_string_append_len (s, p, end - p);
          break;
        }
      g_string_append_len (s, p, bad - p);
      g_string_append (s, "\xef\xbf\xbd");
      /* One replacement per invalid byte, as g_utf8_make_valid() does. */
      p = bad + 1;
    }
  return s;
}

/* The length of the longest prefix of @s up to @max bytes that ends on a character boundary. */
static gsize
cut_at_char (const char *s, gsize len, gsize max)
{
  if (len <= max)
    return len;
  while (max > 0 && (s[max] & 0xc0) == 0x80)
    max--;
  return max;
}

void
il_run_trace_set_output (IlRunTrace *self, IlOutputStream stream,
                         const char *head, gsize head_len, guint64 dropped,
                         const char *tail, gsize tail_len)
{
  g_autoptr(GString) h = NULL;
  g_autoptr(GString) t = NULL;
  Stream *out;
  gsize keep, skip;

  g_return_if_fail (self != NULL && stream < IL_N_OUTPUTS);

  if (self->output == NULL)
    self->output = g_new0 (struct _IlRunOutput, 1);
  out = &self->output->streams[stream];
  h = make_text (head != NULL ? head : "", head != NULL ? head_len : 0);
  t = make_text (tail != NULL ? tail : "", tail != NULL ? tail_len : 0);

  /* Half the bound for the start, the rest for the end; what does not fit is dropped in the
   * middle, on character boundaries. */
  keep = cut_at_char (h->str, h->len, IL_OUTPUT_MAX_BYTES / 2);
  dropped += h->len - keep;
  g_string_truncate (h, keep);
  skip = 0;
  if (t->len > IL_OUTPUT_MAX_BYTES - h->len)
    {
      skip = t->len - (IL_OUTPUT_MAX_BYTES - h->len);
      while (skip < t->len && (t->str[skip] & 0xc0) == 0x80)
        skip++;
    }
  dropped += skip;

  g_free (out->text);
  out->dropped = dropped;
  out->dropped_at = dropped > 0 ? h->len : 0;
  g_string_append_len (h, t->str + skip, (gssize) (t->len - skip));
  out->text = g_string_free (g_steal_pointer (&h), FALSE);
}

const char *
il_run_trace_get_output (IlRunTrace *self, IlOutputStream stream, guint64 *dropped, gsize *dropped_at)
{
  const Stream *s;

  g_return_val_if_fail (self != NULL && stream < IL_N_OUTPUTS, NULL);

  s = self->output != NULL ? &self->output->streams[stream] : NULL;
  if (dropped != NULL)
    *dropped = s != NULL ? s->dropped : 0;
  if (dropped_at != NULL)
    *dropped_at = s != NULL ? s->dropped_at : 0;
  return s != NULL ? s->text : NULL;
}

void
il_trace_output_write_v1 (JsonBuilder *b, IlRunTrace *run)
{
  if (run->output == NULL)
    return;
  json_builder_set_member_name (b, "output");
  json_builder_begin_object (b);
  for (guint i = 0; i < IL_N_OUTPUTS; i++)
    {
      const Stream *s = &run->output->streams[i];

      if (s->text == NULL)
        continue;
      json_builder_set_member_name (b, stream_names[i]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, s->text);
      if (s->dropped > 0)
        {
          json_builder_set_member_name (b, "dropped_bytes");
          json_builder_add_int_value (b, (gint64) MIN (s->dropped, (guint64) G_MAXINT64));
          json_builder_set_member_name (b, "dropped_at");
          json_builder_add_int_value (b, (gint64) s->dropped_at);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

gboolean
il_trace_output_read_v1 (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  g_autofree char *out_path = NULL;
  JsonObject *output;

  if (!json_object_has_member (obj, "output"))
    return TRUE;
  out_path = g_strdup_printf ("%s.output", path);
  if ((output = il_read_get_object (ctx, obj, path, "output")) == NULL)
    return FALSE;
  for (guint i = 0; i < IL_N_OUTPUTS; i++)
    {
      g_autofree char *sub = NULL;
      JsonObject *o;
      const char *text;
      gint64 dropped = 0, at = 0;
      gsize len;

      if (!json_object_has_member (output, stream_names[i]))
        continue;
      sub = g_strdup_printf ("%s.%s", out_path, stream_names[i]);
      if ((o = il_read_get_object (ctx, output, out_path, stream_names[i])) == NULL ||
          (text = il_read_get_string (ctx, o, sub, "text")) == NULL)
        return FALSE;
      len = strlen (text);
      if (json_object_has_member (o, "dropped_bytes") &&
          !il_read_get_int (ctx, o, sub, "dropped_bytes", 0, G_MAXINT64, &dropped))
        return FALSE;
      if (json_object_has_member (o, "dropped_at") &&
          !il_read_get_int (ctx, o, sub, "dropped_at", 0, (gint64) len, &at))
        return FALSE;
      if ((text[at] & 0xc0) == 0x80)
        return il_read_fail (ctx, sub, _("“dropped_at” must be at the start of a character"));
      il_run_trace_set_output (run, i, text, (gsize) at, (guint64) dropped,
                               text + at, len - (gsize) at);
    }
  return TRUE;
}
