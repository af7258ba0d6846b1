/* il-json-lexer.c: the one JSON lexer of the trace readers: tokens, strings, numbers, skipping. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <glib/gi18n.h>

#include "il-json-private.h"
#include "il-types.h"

void
il_json_lexer_init (IlJsonLexer *lx, const char *name, const char *data, gsize length,
                    GError **error)
{
  memset (lx, 0, sizeof *lx);
  lx->name = name != NULL ? name : "trace";
  lx->data = data;
  lx->p = data;
  lx->end = data + length;
  lx->error = error;
  lx->str = g_string_sized_new (64);
  /* Editors on Windows start UTF-8 files with a byte order mark; it is no JSON. */
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    lx->p += 3;
}

void
il_json_lexer_clear (IlJsonLexer *lx)
{
  if (lx->str != NULL)
    g_string_free (lx->str, TRUE);
  lx->str = NULL;
}

guint
il_json_line (const IlJsonLexer *lx, const char *at)
{
  guint line = 1;
  const char *p = lx->data;

  if (at > lx->end)
    at = lx->end;
  while (p < at && (p = memchr (p, '\n', (gsize) (at - p))) != NULL)
    {
      line++;
      p++;
    }
  return line;
}

gboolean
il_json_fail_at (IlJsonLexer *lx, const char *at, const char *format, ...)
{
  g_autoptr(GString) msg = NULL;
  va_list args;

  if (lx->error == NULL || *lx->error != NULL)
    return FALSE;
  msg = g_string_new (NULL);
  g_string_append_printf (msg, "%s:%u: ", lx->name, il_json_line (lx, at));
  if (lx->where != NULL)
    lx->where (lx->where_data, msg);
  va_start (args, format);
  g_string_append_vprintf (msg, format, args);
  va_end (args);
  g_set_error_literal (lx->error, IL_ERROR, IL_ERROR_INVALID, msg->str);
  return FALSE;
}

gboolean
il_json_expect (IlJsonLexer *lx, char c)
{
  if (!il_json_peek (lx, c))
    return lx->p >= lx->end ? il_json_fail (lx, _("the file ends too early (expected “%c”)"), c)
                            : il_json_fail (lx, _("expected “%c”"), c);
  lx->p++;
  return TRUE;
}

gboolean
il_json_open (IlJsonLexer *lx, char open, gboolean *more)
{
  *more = FALSE;
  if (!il_json_expect (lx, open))
    return FALSE;
  *more = !il_json_peek (lx, open == '{' ? '}' : ']');
  if (!*more)
    lx->p++;
  return TRUE;
}

gboolean
il_json_next (IlJsonLexer *lx, char close, gboolean *more)
{
  *more = il_json_peek (lx, ',');
  if (*more)
    {
      lx->p++;
      return TRUE;
    }
  return il_json_expect (lx, close);
}

static int
hex4 (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);

      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* The \u escape at @q (its backslash) into lx->str; returns the byte after it, NULL on error. */
static const char *
unicode_escape (IlJsonLexer *lx, const char *q)
{
  int u = lx->end - q >= 6 ? hex4 (q + 2) : -1;

  if (u < 0)
    {
      il_json_fail_at (lx, q, _("a bad \\u escape inside a string"));
      return NULL;
    }
  q += 6;
  if (u >= 0xD800 && u < 0xDC00 && lx->end - q >= 6 && q[0] == '\\' && q[1] == 'u')
    {
      int lo = hex4 (q + 2);

      if (lo >= 0xDC00 && lo < 0xE000)
        {
          u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
          q += 6;
        }
    }
  /* A lone surrogate is no character: it stands for one that got lost. A NUL would end the C
   * string early. */
  if ((u >= 0xD800 && u < 0xE000) || u == 0)
    u = 0xFFFD;
  g_string_append_unichar (lx->str, (gunichar) u);
  return q;
}

gboolean
il_json_string (IlJsonLexer *lx)
{
  const char *start;

  if (!il_json_expect (lx, '"'))
    return FALSE;
  g_string_truncate (lx->str, 0);
  start = lx->p - 1;
  for (;;)
    {
      const char *q = lx->p;

      while (q < lx->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20)
        q++;
      g_string_append_len (lx->str, lx->p, q - lx->p);
      lx->p = q;
      if (lx->str->len > IL_JSON_MAX_STRING)
        return il_json_fail_at (lx, start, _("a string is longer than %u bytes"), IL_JSON_MAX_STRING);
      if (q >= lx->end || (*q == '\\' && q + 1 >= lx->end))
        return il_json_fail_at (lx, start, _("unterminated string"));
      if (*q == '"')
        {
          lx->p++;
          break;
        }
      if ((guchar) *q < 0x20)
        return il_json_fail (lx, _("a control character inside a string"));
      switch (q[1])
        {
        case '"': g_string_append_c (lx->str, '"'); break;
        case '\\': g_string_append_c (lx->str, '\\'); break;
        case '/': g_string_append_c (lx->str, '/'); break;
        case 'b': g_string_append_c (lx->str, '\b'); break;
        case 'f': g_string_append_c (lx->str, '\f'); break;
        case 'n': g_string_append_c (lx->str, '\n'); break;
        case 'r': g_string_append_c (lx->str, '\r'); break;
        case 't': g_string_append_c (lx->str, '\t'); break;
        case 'u':
          if ((q = unicode_escape (lx, q)) == NULL)
            return FALSE;
          lx->p = q;
          continue;
        default:
          return il_json_fail (lx, _("a bad escape inside a string"));
        }
      lx->p = q + 2;
    }
  if (!g_utf8_validate_len (lx->str->str, lx->str->len, NULL))
    return il_json_fail_at (lx, start, _("a string that is not UTF-8"));
  return TRUE;
}

gboolean
il_json_key (IlJsonLexer *lx)
{
  const char *q;

  il_json_skip_ws (lx);
  lx->key_at = lx->p;
  /* Most of a trace's bytes are keys: the common one, plain ASCII, is not copied. */
  if (lx->p < lx->end && *lx->p == '"')
    {
      for (q = lx->p + 1; q < lx->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20 &&
           (guchar) *q < 0x80; q++)
        ;
      if (q < lx->end && *q == '"')
        {
          lx->key = lx->p + 1;
          lx->key_len = (gsize) (q - lx->p - 1);
          lx->p = q + 1;
          lx->key_end = lx->p;
          return il_json_expect (lx, ':');
        }
    }
  if (!il_json_string (lx))
    return FALSE;
  lx->key = lx->str->str;
  lx->key_len = lx->str->len;
  lx->key_end = lx->p;
  return il_json_expect (lx, ':');
}

gboolean
il_json_number (IlJsonLexer *lx, IlJsonValue *v)
{
  const char *p;
  gboolean neg = FALSE, whole = TRUE;
  guint64 u = 0;
  int digits = 0;

  il_json_skip_ws (lx);
  p = lx->p;
  if (p < lx->end && *p == '-')
    {
      neg = TRUE;
      p++;
    }
  if (p >= lx->end || !g_ascii_isdigit (*p))
    return il_json_fail (lx, _("expected a number"));
  if (*p == '0')
    {
      p++;
      digits = 1;
    }
  else
    for (; p < lx->end && g_ascii_isdigit (*p); p++, digits++)
      u = u * 10 + (guint64) (*p - '0');
  if (p < lx->end && *p == '.')
    {
      whole = FALSE;
      p++;
      if (p >= lx->end || !g_ascii_isdigit (*p))
        return il_json_fail (lx, _("expected a number"));
      while (p < lx->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < lx->end && (*p == 'e' || *p == 'E'))
    {
      whole = FALSE;
      p++;
      if (p < lx->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= lx->end || !g_ascii_isdigit (*p))
        return il_json_fail (lx, _("expected a number"));
      while (p < lx->end && g_ascii_isdigit (*p))
        p++;
    }
  v->text = lx->p;
  v->len = (gsize) (p - lx->p);
  lx->p = p;
  v->kind = IL_JSON_DOUBLE;
  /* 19 digits may overflow the accumulator; those are checked by strtoll. */
  if (whole && digits <= 18)
    {
      v->kind = IL_JSON_INT;
      v->i = neg ? -(gint64) u : (gint64) u;
    }
  else if (whole && digits == 19)
    {
      char buf[24];
      char *endp = NULL;
      gint64 i;

      memcpy (buf, v->text, v->len);
      buf[v->len] = '\0';
      errno = 0;
      i = g_ascii_strtoll (buf, &endp, 10);
      if (errno == 0 && *endp == '\0')
        {
          v->kind = IL_JSON_INT;
          v->i = i;
        }
    }
  return TRUE;
}

double
il_json_value_double (const IlJsonValue *v)
{
  g_autofree char *text = NULL;

  if (v->kind == IL_JSON_INT)
    return (double) v->i;
  text = g_strndup (v->text, v->len);
  return g_ascii_strtod (text, NULL);
}

gboolean
il_json_decimal_scaled (const char *s, gsize len, int scale, gint64 *out)
{
  const char *p = s, *end = s + len;
  gboolean neg = FALSE, frac = FALSE, dropped = FALSE, round_up = FALSE;
  guint64 mant = 0;
  int kept = 0;
  gint64 exp10 = scale;

  if (p < end && *p == '-')
    {
      neg = TRUE;
      p++;
    }
  for (; p < end; p++)
    {
      int d;

      if (*p == '.')
        {
          frac = TRUE;
          continue;
        }
      if (!g_ascii_isdigit (*p))
        break;
      d = *p - '0';
      if (kept < 19)
        {
          /* Leading zeros are not significant digits. */
          mant = mant * 10 + (guint64) d;
          if (mant > 0)
            kept++;
          if (frac)
            exp10--;
        }
      else
        {
          if (!dropped)
            round_up = d >= 5;
          dropped = TRUE;
          if (!frac)
            exp10++;
        }
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    exp10 += CLAMP (g_ascii_strtoll (p + 1, NULL, 10), -1000, 1000);
  if (round_up)
    mant++;
  if (mant == 0 || exp10 < -19)
    {
      *out = 0;
      return TRUE;
    }
  for (; exp10 > 0; exp10--)
    {
      if (mant > (guint64) G_MAXINT64 / 10)
        return FALSE;
      mant *= 10;
    }
  if (exp10 < 0)
    {
      guint64 div = 1, r;

      for (; exp10 < 0; exp10++)
        div *= 10;
      r = mant % div;
      mant = mant / div + (r >= div - r ? 1 : 0);
    }
  if (mant > (guint64) G_MAXINT64)
    return FALSE;
  *out = neg ? -(gint64) mant : (gint64) mant;
  return TRUE;
}

static gboolean
literal (IlJsonLexer *lx, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (lx->end - lx->p) < n || memcmp (lx->p, word, n) != 0)
    return il_json_fail (lx, _("expected a value"));
  lx->p += n;
  return TRUE;
}

static gboolean
skip_container (IlJsonLexer *lx, int depth, char close)
{
  gboolean object = close == '}';
  gboolean more;
  IlJsonValue inner;

  if (depth >= IL_JSON_MAX_DEPTH)
    return il_json_fail (lx, _("values are nested more than %d levels deep"), IL_JSON_MAX_DEPTH);
  if (!il_json_open (lx, object ? '{' : '[', &more))
    return FALSE;
  while (more)
    {
      if (object && !il_json_key (lx))
        return FALSE;
      if (!il_json_value (lx, &inner, depth + 1) || !il_json_next (lx, close, &more))
        return FALSE;
    }
  return TRUE;
}

gboolean
il_json_value (IlJsonLexer *lx, IlJsonValue *v, int depth)
{
  il_json_skip_ws (lx);
  if (lx->p >= lx->end)
    return il_json_fail (lx, _("the file ends too early"));
  switch (*lx->p)
    {
    case '{':
      v->kind = IL_JSON_OBJECT;
      return skip_container (lx, depth, '}');
    case '[':
      v->kind = IL_JSON_ARRAY;
      return skip_container (lx, depth, ']');
    case '"':
      v->kind = IL_JSON_STRING;
      return il_json_string (lx);
    case 't':
      v->kind = IL_JSON_TRUE;
      return literal (lx, "true");
    case 'f':
      v->kind = IL_JSON_FALSE;
      return literal (lx, "false");
    case 'n':
      v->kind = IL_JSON_NULL;
      return literal (lx, "null");
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return il_json_number (lx, v);
    default:
      return il_json_fail (lx, _("expected a value"));
    }
}

gboolean
il_json_skip_value (IlJsonLexer *lx, int depth)
{
  IlJsonValue v;

  return il_json_value (lx, &v, depth);
}

/* Offset just past the string that starts at @p (a '"'), or @end when it is unterminated. */
static const char *
skip_string (const char *p, const char *end)
{
  const char *from = ++p;

  while (p < end)
    {
      const char *q = memchr (p, '"', (gsize) (end - p));
      gsize backslashes = 0;

      if (q == NULL)
        return end;
      while (q - backslashes > from && q[-(gssize) backslashes - 1] == '\\')
        backslashes++;
      if (backslashes % 2 == 0)
        return q + 1;
      p = q + 1;
    }
  return end;
}

IlJsonSkip
il_json_skip_brackets (IlJsonLexer *lx, IlJsonBrackets *b, int allowed, const char *until)
{
  const char *p = lx->p, *end = lx->end;

  while (p < end)
    {
      if (p >= until)
        {
          lx->p = p;
          return IL_JSON_SKIP_PAUSED;
        }
      switch (*p)
        {
        case '"':
          p = skip_string (p, end);
          continue;
        case '[':
        case '{':
          if (b->depth == 0 && *p == '{')
            b->n_objects++;
          b->depth++;
          if (b->depth > allowed)
            {
              lx->p = p;
              il_json_fail_at (lx, p, _("values are nested more than %d levels deep"),
                               IL_JSON_MAX_DEPTH);
              return IL_JSON_SKIP_FAILED;
            }
          break;
        case ']':
        case '}':
          if (b->depth == 0)
            {
              lx->p = p;
              return IL_JSON_SKIP_DONE;
            }
          b->depth--;
          break;
        default:
          break;
        }
      p++;
    }
  lx->p = end;
  il_json_fail (lx, _("the file ends too early (expected “%c”)"), ']');
  return IL_JSON_SKIP_FAILED;
}
