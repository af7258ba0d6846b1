/* il-json-private.h: the one JSON lexer of the trace readers (trace v1 and Chrome Trace Event). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A pull lexer over bytes in memory (usually a mapped file): the readers ask for the token they
 * expect next and nothing builds a tree unless the reader does. Both trace readers use it, so a
 * string in a file means the same thing whichever reader opens it.
 *
 * The rules, the same for every caller:
 * - Strings: the escapes of RFC 8259. A \u escape of a high surrogate followed by one of a low
 *   surrogate is the code point of the pair; a surrogate without its partner (a "lone" one) is
 *   U+FFFD, the character that stands for one that got lost. \u0000 is U+FFFD too: C strings end
 *   at a NUL, so a name with one would silently lose its tail. Raw control characters (below
 *   0x20), other escapes and bytes that are not UTF-8 are refused. A string is at most
 *   IL_JSON_MAX_STRING bytes decoded.
 * - Numbers: JSON's grammar. One without fraction and exponent that fits is an exact gint64
 *   (IL_JSON_INT, -9223372036854775808 … 9223372036854775807); every other is IL_JSON_DOUBLE.
 * - Nesting: an array or object deeper than IL_JSON_MAX_DEPTH levels is refused before it is
 *   read (the readers, and json-glib's tree they fill, recurse per level).
 * - A UTF-8 byte order mark before the document is skipped.
 * - Errors are IL_ERROR_INVALID, "NAME:LINE: [WHERE: ]WHAT", LINE being the line of the byte
 *   that is wrong (or of the token it belongs to); only the first error is kept. */

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

#define IL_JSON_MAX_DEPTH  64
#define IL_JSON_MAX_STRING (1u << 20)

typedef enum
{
  IL_JSON_INT,
  IL_JSON_DOUBLE,
  IL_JSON_STRING,   /* decoded into lexer->str */
  IL_JSON_TRUE,
  IL_JSON_FALSE,
  IL_JSON_NULL,
  IL_JSON_ARRAY,    /* skipped by il_json_value() */
  IL_JSON_OBJECT,   /* skipped by il_json_value() */
} IlJsonKind;

typedef struct
{
  IlJsonKind  kind;
  gint64      i;      /* IL_JSON_INT */
  const char *text;   /* a number's text in the document, for exact decimal readings */
  gsize       len;
} IlJsonValue;

/* Appends where in the document the lexer is ("runs[0].tasks[3]: ") to an error message. */
typedef void (*IlJsonWhereFunc) (gpointer data, GString *message);

typedef struct
{
  const char     *name;       /* the file, for messages */
  const char     *data;       /* the document's first byte, for line numbers */
  const char     *p;          /* the next byte */
  const char     *end;
  GError        **error;
  GString        *str;        /* the last decoded string */
  const char     *key;        /* the last object key: into the document, or str when escaped */
  gsize           key_len;
  const char     *key_at;     /* the key's opening quote */
  const char     *key_end;    /* just past its closing quote */
  IlJsonWhereFunc where;
  gpointer        where_data;
} IlJsonLexer;

/* @data .. @data + @length; @name is used in messages, errors go to @error. */
void     il_json_lexer_init   (IlJsonLexer *lx, const char *name, const char *data, gsize length,
                               GError **error);
void     il_json_lexer_clear  (IlJsonLexer *lx);

/* The line (from 1) of @at. */
guint    il_json_line         (const IlJsonLexer *lx, const char *at);
/* Sets the error at @at unless one is set; returns FALSE. */
gboolean il_json_fail_at      (IlJsonLexer *lx, const char *at, const char *format, ...) G_GNUC_PRINTF (3, 4);
#define il_json_fail(lx, ...) il_json_fail_at ((lx), (lx)->p, __VA_ARGS__)

static inline void
il_json_skip_ws (IlJsonLexer *lx)
{
  while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\n' || *lx->p == '\r' || *lx->p == '\t'))
    lx->p++;
}

/* Skips whitespace; is the next byte @c? (not consumed) */
static inline gboolean
il_json_peek (IlJsonLexer *lx, char c)
{
  il_json_skip_ws (lx);
  return lx->p < lx->end && *lx->p == c;
}

/* Consumes @c after whitespace, or fails. */
gboolean il_json_expect       (IlJsonLexer *lx, char c);
/* Consumes @open ('{' or '[') after whitespace, and its closing bracket too when the object or
 * array is empty: *@more says whether members or elements follow. */
gboolean il_json_open         (IlJsonLexer *lx, char open, gboolean *more);
/* After a member or element: consumes ',' and returns TRUE with *@more set, or consumes @close
 * and returns TRUE with *@more unset, or fails. */
gboolean il_json_next         (IlJsonLexer *lx, char close, gboolean *more);
/* A string into lx->str. */
gboolean il_json_string       (IlJsonLexer *lx);
/* An object key and its colon into lx->key/key_len (not NUL-terminated); one without escapes is
 * not copied. */
gboolean il_json_key          (IlJsonLexer *lx);

static inline gboolean
il_json_key_is (const IlJsonLexer *lx, const char *key)
{
  gsize n = strlen (key);

  return lx->key_len == n && memcmp (lx->key, key, n) == 0;
}

/* A number (IL_JSON_INT or IL_JSON_DOUBLE). */
gboolean il_json_number       (IlJsonLexer *lx, IlJsonValue *v);
/* Any value; arrays and objects are checked and skipped. @depth: the arrays and objects around
 * it. */
gboolean il_json_value        (IlJsonLexer *lx, IlJsonValue *v, int depth);
gboolean il_json_skip_value   (IlJsonLexer *lx, int depth);
/* A number value as a double (the nearest one; ±inf when out of range). */
double   il_json_value_double (const IlJsonValue *v);
/* The exact value of a number's text times 10^@scale, rounded to a whole number; FALSE when it
 * does not fit in 63 bits. Exact where a double would not be. */
gboolean il_json_decimal_scaled (const char *text, gsize len, int scale, gint64 *out);

/* Fast skipping of a large array or object whose values a reader parses itself later: brackets
 * and strings only are looked at, nothing is decoded or validated. */
typedef struct
{
  int         depth;      /* open brackets inside the skipped one */
  guint       n_objects;  /* objects directly inside it */
} IlJsonBrackets;

typedef enum
{
  IL_JSON_SKIP_DONE,      /* lx->p is at the closing bracket */
  IL_JSON_SKIP_PAUSED,    /* lx->p passed @until: call again */
  IL_JSON_SKIP_FAILED,    /* nested past @allowed levels, or unterminated; the error is set */
} IlJsonSkip;

/* Call with lx->p just after the opening bracket and @b zeroed; @allowed levels may open inside. */
IlJsonSkip il_json_skip_brackets (IlJsonLexer *lx, IlJsonBrackets *b, int allowed,
                                  const char *until);

G_END_DECLS
