/* il-trace-chrome-read.c: Chrome Trace Event JSON import (Chrome, Perfetto, VizTracer, ray, PyTorch). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-trace-io-private.h"

/* The file is read in one pass by a small pull tokenizer over the mapped bytes; nothing builds a
 * tree of the whole document (a 500 MB trace would need gigabytes as JsonNodes). Each event is
 * decoded into a fixed struct, the few members that matter kept, everything else skipped.
 *
 * Two kinds of file come in:
 * - Interleave's own export: "otherData.interleave" holds the trace v1 header (runs, workers,
 *   tasks, read by the trace v1 reader), every worker event's "args" the run, worker, task, CPU and
 *   exact nanoseconds, its "cat" the state. The file comes back as it was written; the core-lane
 *   copies ("cat" with "core") are skipped, the core lanes being derived from the spans again.
 * - Any other file: every (pid, tid) becomes a lane under its process, every slice ("X", or a
 *   "B"/"E" pair) a task named after the slice, drawn "running" on no known CPU. Nested slices
 *   are flattened: at each instant a lane shows the deepest slice open there. Instant events
 *   ("i", "I", "n") make their thread a lane but are not drawn (they have no length); counters,
 *   flows, samples and async events are skipped. Such a run has no core lanes and no parallelism
 *   strip: the file does not say which CPU ran what.
 * "ts" and "dur" are microseconds in every Chrome trace; "displayTimeUnit" ("ms" or "ns") only
 * says how viewers label the axis, so it is checked but changes nothing. */

#define MAX_DEPTH 64               /* nesting of arrays and objects */
#define MAX_STRING (1u << 20)      /* bytes in one string */
#define MAX_LANES 65535            /* a lane id is 16 bits */
#define MAX_TASKS ((1u << 23) - 1) /* a span's task is 24 bits */
/* Times from a run's start are at most 18 digits in trace v1 (31 years), so what loads saves. */
#define MAX_SPAN_NS G_GINT64_CONSTANT (999999999999999999)

typedef struct
{
  const char  *name;
  const char  *data;
  const char  *p;
  const char  *end;
  GError     **error;
  GString     *str;    /* the last decoded string */
  const char  *key;    /* the last object key (into the file, or lx->str when it had escapes) */
  gsize        key_len;
} Lexer;

static guint
line_at (Lexer *lx, const char *at)
{
  guint line = 1;
  const char *p = lx->data;

  while ((p = memchr (p, '\n', (gsize) (at - p))) != NULL)
    {
      line++;
      p++;
    }
  return line;
}

static gboolean G_GNUC_PRINTF (3, 4)
fail_at (Lexer *lx, const char *at, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  if (lx->error != NULL && *lx->error != NULL)
    return FALSE;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (lx->error, IL_ERROR, IL_ERROR_INVALID, "%s:%u: %s", lx->name, line_at (lx, at), msg);
  return FALSE;
}

#define fail(lx, ...) fail_at ((lx), (lx)->p, __VA_ARGS__)

static inline void
skip_ws (Lexer *lx)
{
  while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\n' || *lx->p == '\r' || *lx->p == '\t'))
    lx->p++;
}

/* Skips whitespace and reports whether the next byte is @c (without consuming it). */
static inline gboolean
peek (Lexer *lx, char c)
{
  skip_ws (lx);
  return lx->p < lx->end && *lx->p == c;
}

static gboolean
expect (Lexer *lx, char c)
{
  if (!peek (lx, c))
    return lx->p >= lx->end ? fail (lx, _("the file ends too early (expected “%c”)"), c)
                            : fail (lx, _("expected “%c”"), c);
  lx->p++;
  return TRUE;
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

/* A string into lx->str, escapes decoded, checked to be UTF-8. */
static gboolean
lex_string (Lexer *lx)
{
  const char *start;

  if (!expect (lx, '"'))
    return FALSE;
  g_string_truncate (lx->str, 0);
  start = lx->p;
  for (;;)
    {
      const char *q = lx->p;

      while (q < lx->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20)
        q++;
      g_string_append_len (lx->str, lx->p, q - lx->p);
      lx->p = q;
      if (lx->str->len > MAX_STRING)
        return fail_at (lx, start, _("a string is longer than %u bytes"), MAX_STRING);
      if (q >= lx->end)
        return fail_at (lx, start, _("unterminated string"));
      if (*q == '"')
        {
          lx->p++;
          break;
        }
      if ((guchar) *q < 0x20)
        return fail (lx, _("control character in a string"));
      /* A backslash. */
      if (q + 1 >= lx->end)
        return fail_at (lx, start, _("unterminated string"));
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
          {
            int u = lx->end - q >= 6 ? hex4 (q + 2) : -1;

            if (u < 0)
              return fail (lx, _("bad “\\u” escape in a string"));
            q += 4;
            if (u >= 0xD800 && u < 0xDC00 && lx->end - q >= 8 && q[2] == '\\' && q[3] == 'u')
              {
                int lo = hex4 (q + 4);

                if (lo >= 0xDC00 && lo < 0xE000)
                  {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    q += 6;
                  }
              }
            /* A lone surrogate is no character; it stands for one that got lost. */
            if (u >= 0xD800 && u < 0xE000)
              u = 0xFFFD;
            g_string_append_unichar (lx->str, (gunichar) u);
            break;
          }
        default:
          return fail (lx, _("bad escape in a string"));
        }
      lx->p = q + 2;
    }
  if (!g_utf8_validate (lx->str->str, (gssize) lx->str->len, NULL))
    return fail_at (lx, start, _("a string is not valid UTF-8"));
  return TRUE;
}

/* An object's key and its colon. Keys are compared, never kept: the common one without escapes
 * is not copied (most of a trace's bytes are keys). */
static gboolean
lex_key (Lexer *lx)
{
  const char *q;

  skip_ws (lx);
  if (lx->p < lx->end && *lx->p == '"')
    {
      for (q = lx->p + 1; q < lx->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20; q++)
        ;
      if (q < lx->end && *q == '"')
        {
          lx->key = lx->p + 1;
          lx->key_len = (gsize) (q - lx->p - 1);
          lx->p = q + 1;
          return expect (lx, ':');
        }
    }
  if (!lex_string (lx))
    return FALSE;
  lx->key = lx->str->str;
  lx->key_len = lx->str->len;
  return expect (lx, ':');
}

/* A number's text, checked against JSON's grammar; @start and @len point into the file. */
static gboolean
lex_number (Lexer *lx, const char **start, gsize *len)
{
  const char *p;

  skip_ws (lx);
  p = lx->p;
  if (p < lx->end && *p == '-')
    p++;
  if (p >= lx->end || !g_ascii_isdigit (*p))
    return fail (lx, _("expected a number"));
  if (*p == '0')
    p++;
  else
    while (p < lx->end && g_ascii_isdigit (*p))
      p++;
  if (p < lx->end && *p == '.')
    {
      p++;
      if (p >= lx->end || !g_ascii_isdigit (*p))
        return fail (lx, _("expected a number"));
      while (p < lx->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < lx->end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < lx->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= lx->end || !g_ascii_isdigit (*p))
        return fail (lx, _("expected a number"));
      while (p < lx->end && g_ascii_isdigit (*p))
        p++;
    }
  *start = lx->p;
  *len = (gsize) (p - lx->p);
  lx->p = p;
  return TRUE;
}

/* The exact value of a decimal number's text times 10^@scale, rounded to a whole number; FALSE
 * when it does not fit in 63 bits. Exact where a double would not be: a timestamp of 200 days'
 * uptime in microseconds with three decimals is 1.7e13, past the nanoseconds a double keeps. */
static gboolean
decimal_scaled (const char *s, gsize len, int scale, gint64 *out)
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

static gboolean skip_value (Lexer *lx, int depth);

static gboolean
skip_container (Lexer *lx, int depth, char open, char close)
{
  if (depth >= MAX_DEPTH)
    return fail (lx, _("nested deeper than %d levels"), MAX_DEPTH);
  lx->p++;   /* the opening bracket */
  if (peek (lx, close))
    {
      lx->p++;
      return TRUE;
    }
  for (;;)
    {
      if (open == '{')
        {
          if (!lex_key (lx))
            return FALSE;
        }
      if (!skip_value (lx, depth + 1))
        return FALSE;
      if (peek (lx, ','))
        {
          lx->p++;
          continue;
        }
      return expect (lx, close);
    }
}

static gboolean
skip_literal (Lexer *lx, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (lx->end - lx->p) < n || memcmp (lx->p, word, n) != 0)
    return fail (lx, _("expected a JSON value"));
  lx->p += n;
  return TRUE;
}

static gboolean
skip_value (Lexer *lx, int depth)
{
  const char *start;
  gsize len;

  skip_ws (lx);
  if (lx->p >= lx->end)
    return fail (lx, _("the file ends too early"));
  switch (*lx->p)
    {
    case '{':
      return skip_container (lx, depth, '{', '}');
    case '[':
      return skip_container (lx, depth, '[', ']');
    case '"':
      return lex_string (lx);
    case 't':
      return skip_literal (lx, "true");
    case 'f':
      return skip_literal (lx, "false");
    case 'n':
      return skip_literal (lx, "null");
    default:
      return lex_number (lx, &start, &len);
    }
}

/* ------------------------------------------------------------------------------------------------
 * Events */

/* A pid or tid: a number (its text) or a string (ray writes "Node 10.0.0.1"). */
typedef struct
{
  gboolean set;
  gboolean is_string;
  gint64   num;
  char    *str;
} Id;

typedef struct
{
  /* Buffers kept from event to event; name, cat and arg_name point into them or are NULL. */
  GString    *name_buf, *cat_buf, *arg_name_buf;
  const char *at;       /* where the event starts, for errors */
  char        ph;
  char       *name;
  char       *cat;
  Id          pid;
  Id          tid;
  gboolean    has_ts, has_dur;
  gboolean    ts_range;      /* "ts" or "dur" did not fit in nanoseconds */
  gint64      ts_ns, dur_ns;
  /* args */
  char       *arg_name;
  gboolean    has_sort_index;
  gint64      sort_index;
  gboolean    has_run, has_worker, has_task, has_cpu, has_start, has_end;
  gint64      run, worker, task, cpu, start_ns, end_ns;
} Event;

static void
event_clear (Event *e)
{
  GString *name_buf = e->name_buf, *cat_buf = e->cat_buf, *arg_name_buf = e->arg_name_buf;

  g_free (e->pid.str);
  g_free (e->tid.str);
  memset (e, 0, sizeof *e);
  e->name_buf = name_buf;
  e->cat_buf = cat_buf;
  e->arg_name_buf = arg_name_buf;
}

/* Keeps the string just lexed in *@buf by swapping buffers (no copy); returns its text. */
static char *
keep_string (Lexer *lx, GString **buf)
{
  GString *t = *buf;

  *buf = lx->str;
  lx->str = t;
  return (*buf)->str;
}

static gboolean
lex_int (Lexer *lx, const char *key, gint64 *out)
{
  const char *start;
  gsize len;

  if (!lex_number (lx, &start, &len))
    return FALSE;
  if (!decimal_scaled (start, len, 0, out))
    return fail_at (lx, start, _("“%s” is out of range"), key);
  return TRUE;
}

/* A time in microseconds, kept as whole nanoseconds; @range is set when it does not fit (an
 * Interleave event then still has its exact nanoseconds in "args"). */
static gboolean
lex_time (Lexer *lx, gint64 *out, gboolean *range)
{
  const char *start;
  gsize len;

  if (!lex_number (lx, &start, &len))
    return FALSE;
  if (!decimal_scaled (start, len, 3, out) || *out > G_MAXINT64 / 4 || *out < G_MININT64 / 4)
    {
      *out = 0;
      *range = TRUE;
    }
  return TRUE;
}

static gboolean
lex_id (Lexer *lx, const char *key, Id *id)
{
  id->set = TRUE;
  if (peek (lx, '"'))
    {
      if (!lex_string (lx))
        return FALSE;
      id->is_string = TRUE;
      g_free (id->str);
      id->str = g_strdup (lx->str->str);
      return TRUE;
    }
  return lex_int (lx, key, &id->num);
}

static inline gboolean
key_is (Lexer *lx, const char *key)
{
  gsize n = strlen (key);

  return lx->key_len == n && memcmp (lx->key, key, n) == 0;
}

static gboolean
lex_args (Lexer *lx, Event *e)
{
  if (!peek (lx, '{'))
    return skip_value (lx, 2);
  lx->p++;
  if (peek (lx, '}'))
    {
      lx->p++;
      return TRUE;
    }
  for (;;)
    {
      gboolean ok = TRUE;

      if (!lex_key (lx))
        return FALSE;
      skip_ws (lx);
      if (key_is (lx, "name") && peek (lx, '"'))
        {
          ok = lex_string (lx);
          if (ok)
            e->arg_name = keep_string (lx, &e->arg_name_buf);
        }
#define INT_ARG(k, field, flag)                                                                    \
      else if (key_is (lx, k) && lx->p < lx->end && (*lx->p == '-' || g_ascii_isdigit (*lx->p)))  \
        {                                                                                          \
          ok = lex_int (lx, "args." k, &e->field);                                                 \
          e->flag = TRUE;                                                                          \
        }
      INT_ARG ("sort_index", sort_index, has_sort_index)
      INT_ARG ("run", run, has_run)
      INT_ARG ("worker", worker, has_worker)
      INT_ARG ("task", task, has_task)
      INT_ARG ("cpu", cpu, has_cpu)
      INT_ARG ("start_ns", start_ns, has_start)
      INT_ARG ("end_ns", end_ns, has_end)
#undef INT_ARG
      else
        ok = skip_value (lx, 3);
      if (!ok)
        return FALSE;
      if (peek (lx, ','))
        {
          lx->p++;
          continue;
        }
      return expect (lx, '}');
    }
}

static gboolean
lex_event (Lexer *lx, Event *e)
{
  skip_ws (lx);
  e->at = lx->p;
  if (!peek (lx, '{'))
    return fail (lx, _("an event must be an object"));
  lx->p++;
  if (peek (lx, '}'))
    {
      lx->p++;
      return TRUE;
    }
  for (;;)
    {
      gboolean ok;

      if (!lex_key (lx))
        return FALSE;
      skip_ws (lx);
      if (key_is (lx, "ph"))
        {
          ok = lex_string (lx);
          if (ok)
            {
              if (lx->str->len != 1)
                return fail_at (lx, e->at, _("unknown event phase “%s”"), lx->str->str);
              e->ph = lx->str->str[0];
            }
        }
      else if (key_is (lx, "name") && peek (lx, '"'))
        {
          ok = lex_string (lx);
          if (ok)
            e->name = keep_string (lx, &e->name_buf);
        }
      else if (key_is (lx, "cat") && peek (lx, '"'))
        {
          ok = lex_string (lx);
          if (ok)
            e->cat = keep_string (lx, &e->cat_buf);
        }
      else if (key_is (lx, "pid"))
        ok = lex_id (lx, "pid", &e->pid);
      else if (key_is (lx, "tid"))
        ok = lex_id (lx, "tid", &e->tid);
      else if (key_is (lx, "ts"))
        {
          ok = lex_time (lx, &e->ts_ns, &e->ts_range);
          e->has_ts = TRUE;
        }
      else if (key_is (lx, "dur"))
        {
          ok = lex_time (lx, &e->dur_ns, &e->ts_range);
          e->has_dur = TRUE;
        }
      else if (key_is (lx, "args"))
        ok = lex_args (lx, e);
      else
        ok = skip_value (lx, 2);
      if (!ok)
        return FALSE;
      if (peek (lx, ','))
        {
          lx->p++;
          continue;
        }
      return expect (lx, '}');
    }
}

/* ------------------------------------------------------------------------------------------------
 * Lanes of a foreign file */

typedef struct
{
  gint64  start_ns;
  gint64  end_ns;
  guint32 name;     /* index in Import.names */
  guint32 order;    /* file order, to keep sorting stable */
} Slice;

typedef struct
{
  char    *key;      /* pid key, '\x1f', tid key */
  char    *pid_key;
  Id       pid, tid;
  char    *name;
  gboolean has_sort;
  gint64   sort;
  guint    order;    /* first appearance */
  GArray  *slices;   /* of Slice */
  GArray  *open;     /* of Slice: B events waiting for their E */
} Thread;

typedef struct
{
  char    *name;
  gboolean has_sort;
  gint64   sort;
  guint    order;
} Process;

typedef struct
{
  Lexer        lx;
  GHashTable  *threads;     /* key → Thread* */
  GPtrArray   *thread_list;
  GHashTable  *processes;   /* pid key → Process* */
  GHashTable  *name_ids;    /* slice name → index + 1 */
  GPtrArray   *names;       /* of char*, owned by name_chunk */
  GStringChunk *name_chunk;
  Thread      *last_thread;   /* events mostly come thread by thread: the last one is cached */
  guint64      n_slices;
  guint32      order;
  gint64       max_ts;
  gboolean     any_ts;
  /* Interleave's own export */
  const char  *header;
  gsize        header_len;
  GArray     **spans;       /* per run of the header's trace, of IlSpan */
  IlTrace     *own;
} Import;

static void
thread_free (Thread *t)
{
  g_free (t->key);
  g_free (t->pid_key);
  g_free (t->pid.str);
  g_free (t->tid.str);
  g_free (t->name);
  g_clear_pointer (&t->slices, g_array_unref);
  g_array_unref (t->open);
  g_free (t);
}

static void
process_free (Process *p)
{
  g_free (p->name);
  g_free (p);
}

static char *
id_key (const Id *id)
{
  if (!id->set)
    return g_strdup ("-");
  if (id->is_string)
    return g_strconcat ("s", id->str, NULL);
  return g_strdup_printf ("n%" G_GINT64_FORMAT, id->num);
}

static Process *
get_process (Import *im, const Id *pid)
{
  g_autofree char *key = id_key (pid);
  Process *p = g_hash_table_lookup (im->processes, key);

  if (p == NULL)
    {
      p = g_new0 (Process, 1);
      p->order = im->order++;
      g_hash_table_insert (im->processes, g_steal_pointer (&key), p);
    }
  return p;
}

static Thread *
get_thread_slow (Import *im, const Event *e)
{
  g_autofree char *pkey = id_key (&e->pid);
  g_autofree char *tkey = id_key (&e->tid);
  g_autofree char *key = g_strconcat (pkey, "\x1f", tkey, NULL);
  Thread *t = g_hash_table_lookup (im->threads, key);

  if (t == NULL)
    {
      if (im->thread_list->len >= MAX_LANES)
        {
          fail_at (&im->lx, e->at, _("more than %u threads"), MAX_LANES);
          return NULL;
        }
      get_process (im, &e->pid);
      t = g_new0 (Thread, 1);
      t->key = g_strdup (key);
      t->pid_key = g_steal_pointer (&pkey);
      t->pid = e->pid;
      t->pid.str = g_strdup (e->pid.str);
      t->tid = e->tid;
      t->tid.str = g_strdup (e->tid.str);
      t->order = im->order++;
      t->slices = g_array_new (FALSE, FALSE, sizeof (Slice));
      t->open = g_array_new (FALSE, FALSE, sizeof (Slice));
      /* The thread owns its key (the table frees no keys). */
      g_hash_table_insert (im->threads, t->key, t);
      g_ptr_array_add (im->thread_list, t);
    }
  return t;
}

static gboolean
id_equal (const Id *a, const Id *b)
{
  if (a->set != b->set || a->is_string != b->is_string)
    return FALSE;
  return a->is_string ? strcmp (a->str, b->str) == 0 : a->num == b->num;
}

static Thread *
get_thread (Import *im, const Event *e)
{
  if (im->last_thread != NULL && id_equal (&im->last_thread->pid, &e->pid) &&
      id_equal (&im->last_thread->tid, &e->tid))
    return im->last_thread;
  im->last_thread = get_thread_slow (im, e);
  return im->last_thread;
}

static guint32
intern_name (Import *im, const char *name)
{
  gpointer v;

  if (name == NULL)
    name = "";
  if (g_hash_table_lookup_extended (im->name_ids, name, NULL, &v))
    return GPOINTER_TO_UINT (v) - 1;
  name = g_string_chunk_insert (im->name_chunk, name);
  g_ptr_array_add (im->names, (gpointer) name);
  g_hash_table_insert (im->name_ids, (gpointer) name, GUINT_TO_POINTER (im->names->len));
  return im->names->len - 1;
}

static gboolean
add_slice (Import *im, Thread *t, const Event *e, gint64 start, gint64 end, const char *name)
{
  Slice s = { start, end, intern_name (im, name), im->n_slices };

  if (++im->n_slices > MAX_TASKS)
    return fail_at (&im->lx, e->at, _("more than %u slices (the most one run holds)"), MAX_TASKS);
  g_array_append_val (t->slices, s);
  return TRUE;
}

static gboolean
require_ts (Import *im, const Event *e)
{
  if (!e->has_ts)
    return fail_at (&im->lx, e->at, _("a “%c” event without “ts”"), e->ph);
  if (e->ts_range)
    return fail_at (&im->lx, e->at, _("“ts” or “dur” is out of range"));
  if (!im->any_ts || e->ts_ns > im->max_ts)
    im->max_ts = e->ts_ns;
  im->any_ts = TRUE;
  return TRUE;
}

/* An event of Interleave's own export, when the file has the header. */
static gboolean
own_event (Import *im, const Event *e)
{
  GArray *spans;
  IlRunTrace *run;
  IlSpan s = { 0 };
  IlState state;

  if (e->ph != 'X' || e->cat == NULL || strstr (e->cat, "core") != NULL)
    return TRUE;
  if (!e->has_run || !e->has_worker || !e->has_ts || !e->has_dur)
    return fail_at (&im->lx, e->at, _("an Interleave event needs “ts”, “dur” and args “run” and “worker”"));
  if (e->run < 0 || e->run >= il_trace_get_n_runs (im->own))
    return fail_at (&im->lx, e->at, _("run %" PRId64 " does not exist (the file has %u runs)"),
                    e->run, il_trace_get_n_runs (im->own));
  run = il_trace_get_run (im->own, (guint) e->run);
  if (e->worker < 0 || e->worker >= il_run_trace_get_n_workers (run))
    return fail_at (&im->lx, e->at, _("worker %" PRId64 " does not exist (the run has %u workers)"),
                    e->worker, il_run_trace_get_n_workers (run));
  if (!il_state_from_string (e->cat, &state))
    return fail_at (&im->lx, e->at, _("unknown state “%s”"), e->cat);
  if (e->has_task && (e->task < -1 || e->task >= il_run_trace_get_n_tasks (run)))
    return fail_at (&im->lx, e->at, _("task %" PRId64 " does not exist (the run has %u tasks; -1 means none)"),
                    e->task, il_run_trace_get_n_tasks (run));
  if (e->has_cpu && (e->cpu < -1 || e->cpu >= il_run_trace_get_n_cpus (run)))
    return fail_at (&im->lx, e->at, _("CPU %" PRId64 " does not exist (the machine has %u CPUs; -1 means none)"),
                    e->cpu, il_run_trace_get_n_cpus (run));
  /* The exact nanoseconds where the file has them; otherwise the microseconds, to the ns. */
  if (e->has_start && e->has_end)
    {
      s.start_ns = e->start_ns;
      s.end_ns = e->end_ns;
    }
  else if (e->ts_range)
    return fail_at (&im->lx, e->at, _("“ts” or “dur” is out of range"));
  else
    {
      s.start_ns = e->ts_ns - il_run_trace_get_origin_ns (run);
      s.end_ns = s.start_ns + e->dur_ns;
    }
  if (s.end_ns < s.start_ns)
    return fail_at (&im->lx, e->at, _("the span ends before it starts"));
  if (s.start_ns < -MAX_SPAN_NS || s.end_ns > MAX_SPAN_NS)
    return fail_at (&im->lx, e->at, _("“start_ns” or “end_ns” is out of range"));
  s.task = e->has_task ? (gint32) e->task : -1;
  s.cpu = e->has_cpu ? (gint16) e->cpu : -1;
  s.state = state;
  s.worker = (guint16) e->worker;
  spans = im->spans[e->run];
  g_array_append_val (spans, s);
  return TRUE;
}

static gboolean
foreign_event (Import *im, Event *e)
{
  Thread *t;

  switch (e->ph)
    {
    case 'M':
      if (e->name == NULL)
        return TRUE;
      if (strcmp (e->name, "process_name") == 0 && e->arg_name != NULL)
        {
          Process *p = get_process (im, &e->pid);

          g_free (p->name);
          p->name = g_strdup (e->arg_name);
        }
      else if (strcmp (e->name, "process_sort_index") == 0 && e->has_sort_index)
        {
          Process *p = get_process (im, &e->pid);

          p->has_sort = TRUE;
          p->sort = e->sort_index;
        }
      else if (strcmp (e->name, "thread_name") == 0 && e->arg_name != NULL)
        {
          if ((t = get_thread (im, e)) == NULL)
            return FALSE;
          g_free (t->name);
          t->name = g_strdup (e->arg_name);
        }
      else if (strcmp (e->name, "thread_sort_index") == 0 && e->has_sort_index)
        {
          if ((t = get_thread (im, e)) == NULL)
            return FALSE;
          t->has_sort = TRUE;
          t->sort = e->sort_index;
        }
      return TRUE;

    case 'X':
      if (!require_ts (im, e) || (t = get_thread (im, e)) == NULL)
        return FALSE;
      if (e->dur_ns < 0)
        return fail_at (&im->lx, e->at, _("negative “dur”"));
      if (e->ts_ns + e->dur_ns > im->max_ts)
        im->max_ts = e->ts_ns + e->dur_ns;
      return add_slice (im, t, e, e->ts_ns, e->ts_ns + e->dur_ns, e->name);

    case 'B':
      {
        Slice s = { 0 };

        if (!require_ts (im, e) || (t = get_thread (im, e)) == NULL)
          return FALSE;
        s.start_ns = e->ts_ns;
        s.name = intern_name (im, e->name);
        g_array_append_val (t->open, s);
        return TRUE;
      }

    case 'E':
      {
        Slice *s;

        if (!require_ts (im, e) || (t = get_thread (im, e)) == NULL)
          return FALSE;
        /* An "E" with nothing open is what a trace cut at its start looks like: skipped. */
        if (t->open->len == 0)
          return TRUE;
        s = &g_array_index (t->open, Slice, t->open->len - 1);
        if (e->ts_ns < s->start_ns)
          return fail_at (&im->lx, e->at, _("an “E” event before its “B”"));
        if (!add_slice (im, t, e, s->start_ns, e->ts_ns, im->names->pdata[s->name]))
          return FALSE;
        g_array_set_size (t->open, t->open->len - 1);
        return TRUE;
      }

    case 'i':
    case 'I':
    case 'n':
      if (!require_ts (im, e))
        return FALSE;
      return get_thread (im, e) != NULL;

    default:
      /* Counters, flows, samples, async and object events: not lanes. */
      return TRUE;
    }
}

static gboolean
parse_event_list (Import *im, Event *ep)
{
  Lexer *lx = &im->lx;

  if (!expect (lx, '['))
    return FALSE;
  if (peek (lx, ']'))
    {
      lx->p++;
      return TRUE;
    }
  for (;;)
    {
      gboolean ok = lex_event (lx, ep) &&
                    (im->own != NULL ? own_event (im, ep) : foreign_event (im, ep));

      event_clear (ep);
      if (!ok)
        return FALSE;
      if (peek (lx, ','))
        {
          lx->p++;
          /* Chrome's array form may end after a trailing comma when the writer was cut off. */
          skip_ws (lx);
          if (lx->p >= lx->end || *lx->p == ']')
            {
              if (lx->p < lx->end)
                lx->p++;
              return TRUE;
            }
          continue;
        }
      skip_ws (lx);
      /* The array form may also lack its closing bracket (the format allows it). */
      if (lx->p >= lx->end)
        return TRUE;
      return expect (lx, ']');
    }
}

static gboolean
parse_events (Import *im)
{
  Event e = { g_string_new (NULL), g_string_new (NULL), g_string_new (NULL) };
  gboolean ok = parse_event_list (im, &e);

  event_clear (&e);
  g_string_free (e.name_buf, TRUE);
  g_string_free (e.cat_buf, TRUE);
  g_string_free (e.arg_name_buf, TRUE);
  return ok;
}

/* Reads otherData, keeping the raw text of "interleave" for the trace v1 reader. */
static gboolean
parse_other_data (Import *im)
{
  Lexer *lx = &im->lx;

  if (!peek (lx, '{'))
    return skip_value (lx, 1);
  lx->p++;
  if (peek (lx, '}'))
    {
      lx->p++;
      return TRUE;
    }
  for (;;)
    {
      if (!lex_key (lx))
        return FALSE;
      if (key_is (lx, "interleave") && peek (lx, '{'))
        {
          const char *start = lx->p;

          if (!skip_value (lx, 2))
            return FALSE;
          im->header = start;
          im->header_len = (gsize) (lx->p - start);
        }
      else if (!skip_value (lx, 2))
        return FALSE;
      if (peek (lx, ','))
        {
          lx->p++;
          continue;
        }
      return expect (lx, '}');
    }
}

/* The header, read by the trace v1 reader, so its rules and messages are the same. */
static gboolean
load_header (Import *im)
{
  g_autofree char *name = g_strdup_printf ("%s (otherData.interleave)", im->lx.name);

  im->own = il_trace_load_from_data (im->header, im->header_len, name, im->lx.error);
  if (im->own == NULL)
    return FALSE;
  im->spans = g_new0 (GArray *, MAX (il_trace_get_n_runs (im->own), 1));
  for (guint r = 0; r < il_trace_get_n_runs (im->own); r++)
    im->spans[r] = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  return TRUE;
}

/* An object: events may come before otherData, so a header found late means a second pass over
 * traceEvents alone (the header is small and written first by Interleave). */
static gboolean
parse_object (Import *im)
{
  Lexer *lx = &im->lx;
  const char *events = NULL;

  lx->p++;
  if (peek (lx, '}'))
    {
      lx->p++;
      return TRUE;
    }
  for (;;)
    {
      if (!lex_key (lx))
        return FALSE;
      if (key_is (lx, "traceEvents"))
        {
          skip_ws (lx);
          events = lx->p;
          if (im->header != NULL && im->own == NULL && !load_header (im))
            return FALSE;
          if (!parse_events (im))
            return FALSE;
        }
      else if (key_is (lx, "otherData"))
        {
          if (!parse_other_data (im))
            return FALSE;
        }
      else if (key_is (lx, "displayTimeUnit"))
        {
          const char *at = (skip_ws (lx), lx->p);

          if (!lex_string (lx))
            return FALSE;
          if (strcmp (lx->str->str, "ms") != 0 && strcmp (lx->str->str, "ns") != 0)
            return fail_at (lx, at, _("“displayTimeUnit” must be “ms” or “ns”"));
        }
      else if (!skip_value (lx, 1))
        return FALSE;
      if (peek (lx, ','))
        {
          lx->p++;
          continue;
        }
      if (!expect (lx, '}'))
        return FALSE;
      break;
    }
  skip_ws (lx);
  if (lx->p < lx->end)
    return fail (lx, _("text after the end of the trace"));
  if (events == NULL)
    return fail_at (lx, lx->data, _("not a Chrome trace (no “traceEvents”)"));
  if (im->header != NULL && im->own == NULL)
    {
      /* The header came after the events: read them again, now as Interleave's own. */
      im->last_thread = NULL;
      g_hash_table_remove_all (im->threads);
      g_ptr_array_set_size (im->thread_list, 0);
      g_hash_table_remove_all (im->processes);
      im->n_slices = 0;
      if (!load_header (im))
        return FALSE;
      lx->p = events;
      return parse_events (im);
    }
  return TRUE;
}

/* ------------------------------------------------------------------------------------------------
 * Building the trace */

static int
compare_span (gconstpointer a, gconstpointer b)
{
  const IlSpan *x = a, *y = b;

  if (x->worker != y->worker)
    return x->worker < y->worker ? -1 : 1;
  return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

static IlTrace *
finish_own (Import *im)
{
  for (guint r = 0; r < il_trace_get_n_runs (im->own); r++)
    {
      IlRunTrace *run = il_trace_get_run (im->own, r);
      GArray *spans = im->spans[r];

      /* The header brought the idle spans the events leave out: merge both. */
      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        {
          const IlLane *lane = il_run_trace_get_lane (run, w);

          for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
            g_array_append_val (spans, *il_lane_get_span (lane, i));
        }
      il_run_trace_clear_spans (run);
      g_array_sort (spans, compare_span);
      for (guint i = 1; i < spans->len; i++)
        {
          const IlSpan *a = &g_array_index (spans, IlSpan, i - 1);
          const IlSpan *b = &g_array_index (spans, IlSpan, i);

          if (a->worker == b->worker && b->start_ns < a->end_ns)
            {
              g_set_error (im->lx.error, IL_ERROR, IL_ERROR_INVALID,
                           _("%s: run %u: spans of worker %u overlap"), im->lx.name, r, a->worker);
              return NULL;
            }
        }
      il_run_trace_append_many (run, (const IlSpan *) spans->data, spans->len);
    }
  return il_trace_ref (im->own);
}

static int
compare_slice (gconstpointer a, gconstpointer b)
{
  const Slice *x = a, *y = b;

  /* Outer slices first: earlier start, then later end, then file order. */
  if (x->start_ns != y->start_ns)
    return x->start_ns < y->start_ns ? -1 : 1;
  if (x->end_ns != y->end_ns)
    return x->end_ns > y->end_ns ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int
compare_thread (gconstpointer a, gconstpointer b, gpointer data)
{
  Import *im = data;
  const Thread *x = *(Thread *const *) a, *y = *(Thread *const *) b;
  const Process *px = g_hash_table_lookup (im->processes, x->pid_key);
  const Process *py = g_hash_table_lookup (im->processes, y->pid_key);

  /* Processes by sort index, then by first appearance; threads the same within. */
  if (px != py)
    {
      if (px->has_sort != py->has_sort)
        return px->has_sort ? -1 : 1;
      if (px->has_sort && px->sort != py->sort)
        return px->sort < py->sort ? -1 : 1;
      return px->order < py->order ? -1 : 1;
    }
  if (x->has_sort != y->has_sort)
    return x->has_sort ? -1 : 1;
  if (x->has_sort && x->sort != y->sort)
    return x->sort < y->sort ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int
small_id (const Id *id)
{
  return id->set && !id->is_string && id->num > 0 && id->num <= G_MAXINT32 ? (int) id->num : -1;
}

/* Flattens one thread's nested slices into its lane: the deepest slice open at each instant.
 * A slice that outlives the one it started in (not properly nested) is cut at its parent's end,
 * as Chrome's own viewers do. */
static void
flatten (IlRunTrace *run, guint worker, Thread *t, guint *next_task, gint64 origin,
         const GPtrArray *names)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Slice));
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  g_autoptr(GArray) task_of = g_array_new (FALSE, FALSE, sizeof (guint));
  gint64 cursor = G_MININT64;

  g_array_sort (t->slices, compare_slice);

#define EMIT(from, to, slice_index)                                                                \
  G_STMT_START {                                                                                   \
    if ((to) > (from))                                                                             \
      {                                                                                            \
        IlSpan sp = { (from) - origin, (to) - origin, 0, IL_STATE_RUNNING, 0, -1 };                \
        sp.task = (gint32) g_array_index (task_of, guint, (slice_index));                         \
        sp.worker = (guint16) worker;                                                              \
        g_array_append_val (out, sp);                                                              \
        if (out->len == 4096)                                                                      \
          {                                                                                        \
            il_run_trace_append_many (run, (const IlSpan *) out->data, out->len);                  \
            g_array_set_size (out, 0);                                                             \
          }                                                                                        \
      }                                                                                            \
  } G_STMT_END

  for (guint i = 0; i < t->slices->len; i++)
    {
      Slice s = g_array_index (t->slices, Slice, i);
      guint task = (*next_task)++;
      IlTaskRecord *rec = il_run_trace_get_task (run, task);

      rec->worker = (int) worker;
      rec->start_ns = s.start_ns - origin;
      rec->end_ns = s.end_ns - origin;
      rec->status = IL_TASK_OK;
      il_run_trace_set_task_name (run, task, names->pdata[s.name]);

      /* Close what ended before this slice starts. */
      while (stack->len > 0)
        {
          Slice *top = &g_array_index (stack, Slice, stack->len - 1);

          if (top->end_ns > s.start_ns)
            break;
          EMIT (MAX (cursor, top->start_ns), top->end_ns, stack->len - 1);
          cursor = MAX (cursor, top->end_ns);
          g_array_set_size (stack, stack->len - 1);
          g_array_set_size (task_of, task_of->len - 1);
        }
      if (stack->len > 0)
        {
          Slice *top = &g_array_index (stack, Slice, stack->len - 1);

          EMIT (MAX (cursor, top->start_ns), s.start_ns, stack->len - 1);
          if (s.end_ns > top->end_ns)
            s.end_ns = top->end_ns;
        }
      cursor = MAX (cursor, s.start_ns);
      g_array_append_val (stack, s);
      g_array_append_val (task_of, task);
    }
  while (stack->len > 0)
    {
      Slice *top = &g_array_index (stack, Slice, stack->len - 1);

      EMIT (MAX (cursor, top->start_ns), top->end_ns, stack->len - 1);
      cursor = MAX (cursor, top->end_ns);
      g_array_set_size (stack, stack->len - 1);
      g_array_set_size (task_of, task_of->len - 1);
    }
#undef EMIT
  il_run_trace_append_many (run, (const IlSpan *) out->data, out->len);
  /* The lane holds them now; a file of millions of slices needs its memory back at once. */
  g_clear_pointer (&t->slices, g_array_unref);
}

static IlTrace *
finish_foreign (Import *im)
{
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlRunTrace) run = NULL;
  g_autofree char *base = g_path_get_basename (im->lx.name);
  GPtrArray *threads = im->thread_list;
  gint64 origin = G_MAXINT64;
  guint next_task = 0;
  int next_pid = 1;
  g_autoptr(GHashTable) made_pids = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, NULL);

  if (threads->len == 0)
    {
      g_set_error (im->lx.error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: the Chrome trace has no thread with events"), im->lx.name);
      return NULL;
    }

  /* Unclosed "B" slices end where the trace ends, as Chrome draws them. */
  for (guint i = 0; i < threads->len; i++)
    {
      Thread *t = threads->pdata[i];

      for (guint k = 0; k < t->open->len; k++)
        {
          Slice s = g_array_index (t->open, Slice, k);

          s.end_ns = im->max_ts;
          s.order = (guint32) im->n_slices++;
          g_array_append_val (t->slices, s);
        }
      for (guint k = 0; k < t->slices->len; k++)
        origin = MIN (origin, g_array_index (t->slices, Slice, k).start_ns);
    }
  if (im->n_slices > MAX_TASKS)
    {
      g_set_error (im->lx.error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: more than %u slices (the most one run holds)"), im->lx.name, MAX_TASKS);
      return NULL;
    }
  if (origin == G_MAXINT64)
    origin = im->any_ts ? im->max_ts : 0;
  if (im->max_ts - origin > MAX_SPAN_NS)
    {
      g_set_error (im->lx.error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: the events span more than 31 years (from %" PRId64 " µs to %" PRId64 " µs)"),
                   im->lx.name, origin / 1000, im->max_ts / 1000);
      return NULL;
    }

  g_ptr_array_sort_with_data (threads, compare_thread, im);

  for (guint i = 0; i < threads->len; i++)
    {
      Id *pid = &((Thread *) threads->pdata[i])->pid;
      int n = small_id (pid);

      if (n > 0)
        next_pid = MAX (next_pid, n + 1);
    }

  config->executor = IL_EXECUTOR_EXTERNAL;
  config->workers = threads->len;
  config->tasks = (guint) im->n_slices;
  config->task_ms = 0;
  config->source = g_strdup ("chrome-trace");
  config->label = g_strdup (base);
  run = il_run_trace_new (config);
  il_run_trace_set_label (run, base);
  il_run_trace_set_live (run, FALSE);
  il_run_trace_set_origin_ns (run, origin);
  il_run_trace_set_capture (run, IL_CAPTURE_AUTO);
  il_run_trace_set_n_cpus (run, 1);
  il_run_trace_set_n_tasks (run, (guint) im->n_slices);

  for (guint i = 0; i < threads->len; i++)
    {
      Thread *t = threads->pdata[i];
      Process *p = g_hash_table_lookup (im->processes, t->pid_key);
      int pid = small_id (&t->pid);
      int tid = small_id (&t->tid);
      g_autofree char *tname = NULL;

      /* Processes named by a string (ray's "Node 10.0.0.1") get a made-up number, one each. */
      if (pid < 0)
        {
          gpointer v = g_hash_table_lookup (made_pids, t->pid_key);

          if (v == NULL)
            {
              v = GINT_TO_POINTER (next_pid++);
              g_hash_table_insert (made_pids, t->pid_key, v);
            }
          pid = GPOINTER_TO_INT (v);
        }
      if (t->name != NULL)
        tname = g_strdup (t->name);
      else if (t->tid.is_string)
        tname = g_strdup (t->tid.str);
      else
        tname = g_strdup_printf (_("thread %" PRId64), t->tid.num);
      il_run_trace_add_worker (run, IL_WORKER_THREAD, pid, tid, tname);
      /* Lanes belong to their process, as a traced program's do. */
      if (il_run_trace_find_process (run, pid) == NULL)
        {
          g_autofree char *pname = p->name != NULL ? g_strdup (p->name)
                                   : t->pid.is_string ? g_strdup (t->pid.str) : NULL;

          il_run_trace_add_process (run, pid, 0, NULL, pname);
        }
      flatten (run, i, t, &next_task, origin, im->names);
    }

  il_run_trace_compute_summary (run);
  il_run_trace_set_speedup (run, NAN);
  il_trace_set_machine (trace, 1, "", "");
  il_trace_add_run (trace, run);
  return g_steal_pointer (&trace);
}

/* ------------------------------------------------------------------------------------------------
 * Entry points */

gboolean
il_trace_data_is_chrome (const char *data, gsize length)
{
  Lexer lx = { "", data, data, data + length, NULL, g_string_new (NULL) };
  gboolean chrome = FALSE;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    lx.p += 3;
  skip_ws (&lx);
  if (lx.p < lx.end && *lx.p == '[')
    chrome = TRUE;
  else if (lx.p < lx.end && *lx.p == '{')
    {
      /* The top-level keys decide: trace v1 has "format", a Chrome trace "traceEvents". */
      lx.p++;
      while (!peek (&lx, '}') && lex_key (&lx))
        {
          if (key_is (&lx, "traceEvents"))
            {
              chrome = TRUE;
              break;
            }
          if (key_is (&lx, "format") || key_is (&lx, "runs"))
            break;
          if (!skip_value (&lx, 1) || !peek (&lx, ','))
            break;
          lx.p++;
        }
    }
  g_string_free (lx.str, TRUE);
  return chrome;
}

IlTrace *
il_trace_load_chrome (const char *data, gsize length, const char *name, GError **error)
{
  Import im = { { name != NULL ? name : "trace", data, data, data + length, error,
                  g_string_new (NULL) } };
  IlTrace *trace = NULL;
  gboolean ok;

  im.threads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) thread_free);
  im.thread_list = g_ptr_array_new ();
  im.processes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) process_free);
  im.name_ids = g_hash_table_new (g_str_hash, g_str_equal);
  im.names = g_ptr_array_new ();
  im.name_chunk = g_string_chunk_new (64 * 1024);

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    im.lx.p += 3;
  skip_ws (&im.lx);
  if (im.lx.p >= im.lx.end)
    ok = fail (&im.lx, _("the file is empty"));
  else if (*im.lx.p == '[')
    {
      ok = parse_events (&im);
      skip_ws (&im.lx);
      if (ok && im.lx.p < im.lx.end)
        ok = fail (&im.lx, _("text after the end of the trace"));
    }
  else if (*im.lx.p == '{')
    ok = parse_object (&im);
  else
    ok = fail (&im.lx, _("not a Chrome trace (neither an object nor an array of events)"));

  if (ok)
    trace = im.own != NULL ? finish_own (&im) : finish_foreign (&im);

  if (im.spans != NULL)
    {
      for (guint r = 0; r < il_trace_get_n_runs (im.own); r++)
        g_array_unref (im.spans[r]);
      g_free (im.spans);
    }
  g_clear_pointer (&im.own, il_trace_unref);
  g_ptr_array_unref (im.thread_list);
  g_hash_table_unref (im.threads);
  g_hash_table_unref (im.processes);
  g_hash_table_unref (im.name_ids);
  g_ptr_array_unref (im.names);
  g_string_chunk_free (im.name_chunk);
  g_string_free (im.lx.str, TRUE);
  return trace;
}
