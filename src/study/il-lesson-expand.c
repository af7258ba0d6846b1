/* il-lesson-expand.c: lesson values relative to the machine (cores) and text placeholders filled at load. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-lesson-private.h"
#include "il-types.h"

typedef struct
{
  const char     *text;   /* the whole expression, for messages */
  const char     *at;
  IlLessonLookup  lookup;
  gpointer        user_data;
  GError        **error;
  gboolean        failed;
} Eval;

static double eval_compare (Eval *e);

static void G_GNUC_PRINTF (2, 3)
eval_fail (Eval *e, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  if (e->failed)
    return;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  e->failed = TRUE;
  g_set_error_literal (e->error, IL_ERROR, IL_ERROR_INVALID, msg);
}

static void
skip_space (Eval *e)
{
  while (g_ascii_isspace (*e->at))
    e->at++;
}

static gboolean
accept (Eval *e, const char *token)
{
  skip_space (e);
  if (strncmp (e->at, token, strlen (token)) != 0)
    return FALSE;
  e->at += strlen (token);
  return TRUE;
}

static double
eval_primary (Eval *e)
{
  skip_space (e);
  if (e->failed)
    return 0;
  if (accept (e, "("))
    {
      double v = eval_compare (e);

      if (!accept (e, ")"))
        eval_fail (e, _("a “)” is missing"));
      return v;
    }
  if (accept (e, "-"))
    return -eval_primary (e);
  if (g_ascii_isdigit (*e->at))
    {
      char *end = NULL;
      double v = g_ascii_strtod (e->at, &end);

      e->at = end;
      return v;
    }
  if (g_ascii_isalpha (*e->at) || *e->at == '_')
    {
      const char *start = e->at;
      g_autofree char *name = NULL;
      double v = 0;

      while (g_ascii_isalnum (*e->at) || *e->at == '_' || *e->at == '.')
        e->at++;
      name = g_strndup (start, (gsize) (e->at - start));
      if (strcmp (name, "min") == 0 || strcmp (name, "max") == 0)
        {
          gboolean is_min = name[1] == 'i';

          if (!accept (e, "("))
            {
              eval_fail (e, _("%s needs its arguments in parentheses"), name);
              return 0;
            }
          v = eval_compare (e);
          while (!e->failed && accept (e, ","))
            {
              double w = eval_compare (e);
              v = is_min ? MIN (v, w) : MAX (v, w);
            }
          if (!accept (e, ")"))
            eval_fail (e, _("a “)” is missing"));
          return v;
        }
      if (e->lookup == NULL || !e->lookup (name, &v, e->user_data))
        eval_fail (e, _("unknown name “%s”"), name);
      return v;
    }
  if (*e->at == '\0')
    eval_fail (e, _("a value is missing at the end"));
  else
    eval_fail (e, _("unexpected “%c”"), *e->at);
  return 0;
}

static double
eval_product (Eval *e)
{
  double v = eval_primary (e);

  while (!e->failed)
    {
      if (accept (e, "*"))
        v *= eval_primary (e);
      else if (accept (e, "/") || accept (e, "%"))
        {
          gboolean modulo = e->at[-1] == '%';
          double d = eval_primary (e);

          if (d == 0)
            {
              eval_fail (e, _("division by zero"));
              return 0;
            }
          v = modulo ? fmod (v, d) : v / d;
        }
      else
        break;
    }
  return v;
}

static double
eval_sum (Eval *e)
{
  double v = eval_product (e);

  while (!e->failed)
    {
      if (accept (e, "+"))
        v += eval_product (e);
      else if (accept (e, "-"))
        v -= eval_product (e);
      else
        break;
    }
  return v;
}

static double
eval_compare (Eval *e)
{
  double v = eval_sum (e);

  /* Two-character operators first, so "<=" is not read as "<" then "=". */
  if (accept (e, "=="))
    return v == eval_sum (e);
  if (accept (e, "!="))
    return v != eval_sum (e);
  if (accept (e, "<="))
    return v <= eval_sum (e);
  if (accept (e, ">="))
    return v >= eval_sum (e);
  if (accept (e, "<"))
    return v < eval_sum (e);
  if (accept (e, ">"))
    return v > eval_sum (e);
  return v;
}

gboolean
il_lesson_eval (const char      *expr,
                IlLessonLookup   lookup,
                gpointer         user_data,
                gint64          *out,
                GError         **error)
{
  Eval e = { expr, expr, lookup, user_data, error, FALSE };
  double v;

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  v = eval_compare (&e);
  skip_space (&e);
  if (!e.failed && *e.at != '\0')
    eval_fail (&e, _("unexpected “%s” after the value"), e.at);
  if (!e.failed && (!isfinite (v) || fabs (v) > 1e15))
    eval_fail (&e, _("the value is out of range"));
  if (e.failed)
    return FALSE;
  *out = (gint64) llround (v);
  return TRUE;
}

/* The end of a placeholder that starts after the "{" at @p: its closing "}" at depth 0. */
static const char *
find_close (const char *p)
{
  int depth = 0;

  for (; *p != '\0'; p++)
    {
      if (*p == '{')
        depth++;
      else if (*p == '}' && depth-- == 0)
        return p;
    }
  return NULL;
}

/* The first @c at brace depth 0 in [p, end), or NULL. */
static const char *
find_top (const char *p, const char *end, char c)
{
  int depth = 0;

  for (; p < end; p++)
    {
      if (*p == '{')
        depth++;
      else if (*p == '}')
        depth--;
      else if (*p == c && depth == 0)
        return p;
    }
  return NULL;
}

static gboolean
eval_placeholder (const char *expr, IlLessonLookup lookup, gpointer user_data, gint64 *out,
                  GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (il_lesson_eval (expr, lookup, user_data, out, &local_error))
    return TRUE;
  g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("placeholder “{%s}”: %s"), expr,
               local_error->message);
  return FALSE;
}

static gboolean
fill_into (GString *out, const char *text, gsize len, IlLessonLookup lookup, gpointer user_data,
           GError **error)
{
  const char *p = text;
  const char *end = text + len;

  while (p < end)
    {
      const char *close, *question, *bar;
      g_autofree char *inner = NULL;

      if (p[0] == '{' && p + 1 < end && p[1] == '{')
        {
          g_string_append_c (out, '{');
          p += 2;
          continue;
        }
      if (p[0] == '}' && p + 1 < end && p[1] == '}')
        {
          g_string_append_c (out, '}');
          p += 2;
          continue;
        }
      if (p[0] == '}')
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("a “}” closes no placeholder (write “}}” for a brace)"));
          return FALSE;
        }
      if (p[0] != '{')
        {
          g_string_append_c (out, *p++);
          continue;
        }

      close = find_close (p + 1);
      if (close == NULL || close >= end)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("a placeholder “{” is not closed (write “{{” for a brace)"));
          return FALSE;
        }
      question = find_top (p + 1, close, '?');
      if (question == NULL)
        {
          gint64 v;

          inner = g_strndup (p + 1, (gsize) (close - p - 1));
          if (!eval_placeholder (inner, lookup, user_data, &v, error))
            return FALSE;
          g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
        }
      else
        {
          gint64 v;

          bar = find_top (question + 1, close, '|');
          inner = g_strndup (p + 1, (gsize) (question - p - 1));
          if (bar == NULL)
            {
              g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                           _("the choice “{%s?…}” needs a “|” between its two texts"), inner);
              return FALSE;
            }
          if (!eval_placeholder (inner, lookup, user_data, &v, error))
            return FALSE;
          /* One space around ? and | is layout, not text. */
          {
            const char *a = v != 0 ? question + 1 : bar + 1, *b = v != 0 ? bar : close;

            if (a < b && *a == ' ')
              a++;
            if (b > a && b[-1] == ' ')
              b--;
            if (!fill_into (out, a, (gsize) (b - a), lookup, user_data, error))
              return FALSE;
          }
        }
      p = close + 1;
    }
  return TRUE;
}

char *
il_lesson_fill (const char      *text,
                IlLessonLookup   lookup,
                gpointer         user_data,
                GError         **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text) + 16);
  if (!fill_into (out, text, strlen (text), lookup, user_data, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gint
compare_int (gconstpointer a, gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

static gboolean
parse_cpu_number (const char *str, guint n_cores, int *out, GError **error)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (str, 10, 0, G_MAXINT, &v, NULL))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("“%s” is not a CPU number (expected 0 to %u, first or all)"), str,
                   n_cores - 1);
      return FALSE;
    }
  if (v >= n_cores)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("CPU %d does not exist: this machine has CPUs 0 to %u"), (int) v, n_cores - 1);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

gboolean
il_lesson_parse_cpus (const char      *value,
                      guint            n_cores,
                      IlLessonLookup   lookup,
                      gpointer         user_data,
                      GArray         **out,
                      GError         **error)
{
  g_autoptr(GArray) cpus = NULL;
  g_autofree char *filled = NULL;
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (n_cores > 0, FALSE);

  *out = NULL;
  if (strcmp (value, "all") == 0)
    return TRUE;
  cpus = g_array_new (FALSE, FALSE, sizeof (int));
  if (strcmp (value, "first") == 0)
    {
      int zero = 0;

      g_array_append_val (cpus, zero);
      *out = g_steal_pointer (&cpus);
      return TRUE;
    }

  if ((filled = il_lesson_fill (value, lookup, user_data, error)) == NULL)
    return FALSE;
  parts = g_strsplit (filled, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *part = g_strstrip (g_strdup (parts[i]));
      char *dash = strchr (part, '-');
      int lo, hi;

      if (dash != NULL)
        *dash = '\0';
      if (!parse_cpu_number (part, n_cores, &lo, error) ||
          !parse_cpu_number (dash != NULL ? g_strstrip (dash + 1) : part, n_cores, &hi, error))
        return FALSE;
      if (hi < lo)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("CPU range “%s” runs backwards"), parts[i]);
          return FALSE;
        }
      for (int c = lo; c <= hi; c++)
        {
          gboolean seen = FALSE;

          for (guint k = 0; k < cpus->len; k++)
            seen |= g_array_index (cpus, int, k) == c;
          if (!seen)
            g_array_append_val (cpus, c);
        }
    }
  if (cpus->len == 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("lists no CPU"));
      return FALSE;
    }
  g_array_sort (cpus, compare_int);
  *out = g_steal_pointer (&cpus);
  return TRUE;
}
