/* test-json.c: the JSON lexer's rules (strings, numbers, nesting, errors), and both trace readers decoding a string alike. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "il-json-private.h"
#include "il-json-write.h"
#include "il-trace-io.h"
#include "il-types.h"

#define FFFD "\xEF\xBF\xBD"

/* The one string @json (quotes included) decodes to, or NULL with the error in @message. */
static char *
decode (const char *json, char **message)
{
  g_autoptr(GError) error = NULL;
  IlJsonLexer lx;
  char *out = NULL;

  il_json_lexer_init (&lx, "t.json", json, strlen (json), &error);
  if (il_json_string (&lx))
    out = g_strndup (lx.str->str, lx.str->len);
  else if (message != NULL)
    *message = g_strdup (error->message);
  il_json_lexer_clear (&lx);
  return out;
}

static void
assert_decodes (const char *json, const char *expected)
{
  g_autofree char *got = decode (json, NULL);

  g_assert_nonnull (got);
  g_assert_cmpstr (got, ==, expected);
}

static void
assert_refused (const char *json, const char *expected)
{
  g_autofree char *message = NULL;
  g_autofree char *got = decode (json, &message);

  g_assert_null (got);
  g_assert_cmpstr (message, ==, expected);
}

static void
test_surrogates (void)
{
  /* A pair is its code point, U+1F600. */
  assert_decodes ("\"\\ud83d\\ude00\"", "\xF0\x9F\x98\x80");
  assert_decodes ("\"\\uD83D\\uDE00\"", "\xF0\x9F\x98\x80");
  /* Lone halves are U+FFFD, one each; what follows them is read on its own. */
  assert_decodes ("\"\\ud800\"", FFFD);
  assert_decodes ("\"a\\ud800b\"", "a" FFFD "b");
  assert_decodes ("\"\\udc00\"", FFFD);
  assert_decodes ("\"\\udc00\\ud800\"", FFFD FFFD);
  assert_decodes ("\"\\ud800\\u0041\"", FFFD "A");
  assert_decodes ("\"\\ud800\\ud800\\udc00\"", FFFD "\xF0\x90\x80\x80");
  assert_decodes ("\"\\ud800\\n\"", FFFD "\n");
}

static void
test_nul (void)
{
  /* \u0000 is U+FFFD: a C string would end there and lose the rest. */
  assert_decodes ("\"a\\u0000b\"", "a" FFFD "b");
  assert_decodes ("\"\\u0000\"", FFFD);
}

static void
test_escapes (void)
{
  assert_decodes ("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t");
  assert_decodes ("\"\\u00e9\\u20AC\"", "\xC3\xA9\xE2\x82\xAC");
  assert_decodes ("\"plain\"", "plain");
  assert_decodes ("\"\"", "");
  assert_decodes ("\"caf\xC3\xA9\"", "caf\xC3\xA9");
  assert_refused ("\"\\q\"", "t.json:1: a bad escape inside a string");
  assert_refused ("\"\\u12g4\"", "t.json:1: a bad \\u escape inside a string");
  assert_refused ("\"a\tb\"", "t.json:1: a control character inside a string");
  assert_refused ("\"\xff\"", "t.json:1: a string that is not UTF-8");
  assert_refused ("\"\xC3\"", "t.json:1: a string that is not UTF-8");
  assert_refused ("42", "t.json:1: expected “\"”");
}

static void
test_truncated (void)
{
  g_autoptr(GError) error = NULL;
  IlJsonLexer lx;

  assert_refused ("\"abc", "t.json:1: unterminated string");
  assert_refused ("\"abc\\", "t.json:1: unterminated string");
  assert_refused ("\"\\u12", "t.json:1: a bad \\u escape inside a string");
  assert_refused ("\n\n\"abc", "t.json:3: unterminated string");
  assert_refused ("", "t.json:1: the file ends too early (expected “\"”)");

  il_json_lexer_init (&lx, "t.json", "[1,\n2", 5, &error);
  g_assert_false (il_json_skip_value (&lx, 0));
  g_assert_cmpstr (error->message, ==, "t.json:2: the file ends too early (expected “]”)");
  il_json_lexer_clear (&lx);
  g_clear_error (&error);

  il_json_lexer_init (&lx, "t.json", "[true,\n tru]", 12, &error);
  g_assert_false (il_json_skip_value (&lx, 0));
  g_assert_cmpstr (error->message, ==, "t.json:2: expected a value");
  il_json_lexer_clear (&lx);
  g_clear_error (&error);

  il_json_lexer_init (&lx, "t.json", "{\"a\" 1}", 7, &error);
  g_assert_false (il_json_skip_value (&lx, 0));
  g_assert_cmpstr (error->message, ==, "t.json:1: expected “:”");
  il_json_lexer_clear (&lx);
}

static IlJsonValue
number (const char *text, gboolean ok)
{
  g_autoptr(GError) error = NULL;
  IlJsonValue v = { IL_JSON_NULL, 0, NULL, 0 };
  IlJsonLexer lx;

  il_json_lexer_init (&lx, "t.json", text, strlen (text), &error);
  g_assert_cmpint (il_json_number (&lx, &v), ==, ok);
  if (ok)
    g_assert_cmpuint (v.len, ==, strlen (text));
  else
    g_assert_nonnull (strstr (error->message, "expected a number"));
  il_json_lexer_clear (&lx);
  return v;
}

static void
test_numbers (void)
{
  IlJsonValue v;

  v = number ("9223372036854775807", TRUE);
  g_assert_cmpint (v.kind, ==, IL_JSON_INT);
  g_assert_cmpint (v.i, ==, G_MAXINT64);
  v = number ("-9223372036854775808", TRUE);
  g_assert_cmpint (v.kind, ==, IL_JSON_INT);
  g_assert_cmpint (v.i, ==, G_MININT64);
  v = number ("999999999999999999", TRUE);
  g_assert_cmpint (v.kind, ==, IL_JSON_INT);
  g_assert_cmpint (v.i, ==, G_GINT64_CONSTANT (999999999999999999));
  /* Past gint64: doubles, never wrapped. */
  v = number ("9223372036854775808", TRUE);
  g_assert_cmpint (v.kind, ==, IL_JSON_DOUBLE);
  g_assert_cmpfloat (il_json_value_double (&v), ==, 9223372036854775808.0);
  v = number ("-9223372036854775809", TRUE);
  g_assert_cmpint (v.kind, ==, IL_JSON_DOUBLE);
  v = number ("99999999999999999999", TRUE);
  g_assert_cmpint (v.kind, ==, IL_JSON_DOUBLE);
  /* A fraction or an exponent makes a double, whole or not. */
  v = number ("1.0", TRUE);
  g_assert_cmpint (v.kind, ==, IL_JSON_DOUBLE);
  g_assert_cmpfloat (il_json_value_double (&v), ==, 1.0);
  v = number ("-2.5e3", TRUE);
  g_assert_cmpint (v.kind, ==, IL_JSON_DOUBLE);
  g_assert_cmpfloat (il_json_value_double (&v), ==, -2500.0);
  v = number ("-0", TRUE);
  g_assert_cmpint (v.kind, ==, IL_JSON_INT);
  g_assert_cmpint (v.i, ==, 0);
  v = number ("0", TRUE);
  g_assert_cmpint (v.i, ==, 0);
  number ("-", FALSE);
  number ("1.", FALSE);
  number ("1e", FALSE);
  number (".5", FALSE);
  number ("+1", FALSE);
  /* A leading zero ends the number: "0123" is 0, then "123". */
  {
    IlJsonLexer lx;

    il_json_lexer_init (&lx, "t.json", "0123", 4, NULL);
    g_assert_true (il_json_number (&lx, &v));
    g_assert_cmpuint (v.len, ==, 1);
    il_json_lexer_clear (&lx);
  }
}

static void
test_decimal_scaled (void)
{
  gint64 out = 0;

  g_assert_true (il_json_decimal_scaled ("5872113402.615", 14, 3, &out));
  g_assert_cmpint (out, ==, G_GINT64_CONSTANT (5872113402615));
  g_assert_true (il_json_decimal_scaled ("1.5e2", 5, 0, &out));
  g_assert_cmpint (out, ==, 150);
  g_assert_true (il_json_decimal_scaled ("-0.0005", 7, 3, &out));
  g_assert_cmpint (out, ==, -1);
  g_assert_false (il_json_decimal_scaled ("1e400", 5, 3, &out));
}

static void
nest (GString *s, guint levels)
{
  g_string_truncate (s, 0);
  for (guint i = 0; i < levels; i++)
    g_string_append (s, i % 2 ? "{\"k\":" : "[");
  g_string_append (s, "1");
  for (guint i = levels; i > 0; i--)
    g_string_append (s, (i - 1) % 2 ? "}" : "]");
}

static void
test_depth (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  IlJsonLexer lx;

  nest (s, IL_JSON_MAX_DEPTH);
  il_json_lexer_init (&lx, "t.json", s->str, s->len, &error);
  g_assert_true (il_json_skip_value (&lx, 0));
  g_assert_no_error (error);
  g_assert_true (lx.p == lx.end);
  il_json_lexer_clear (&lx);

  nest (s, IL_JSON_MAX_DEPTH + 1);
  il_json_lexer_init (&lx, "t.json", s->str, s->len, &error);
  g_assert_false (il_json_skip_value (&lx, 0));
  g_assert_cmpstr (error->message, ==, "t.json:1: values are nested more than 64 levels deep");
  il_json_lexer_clear (&lx);
  g_clear_error (&error);

  /* An unterminated 100 000 levels: refused at the 65th, no recursion past it. */
  g_string_truncate (s, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  il_json_lexer_init (&lx, "t.json", s->str, s->len, &error);
  g_assert_false (il_json_skip_value (&lx, 0));
  g_assert_cmpstr (error->message, ==, "t.json:1: values are nested more than 64 levels deep");
  g_assert_cmpuint (lx.p - lx.data, ==, IL_JSON_MAX_DEPTH);
  il_json_lexer_clear (&lx);
}

/* The bracket skipper: counts the objects inside, stops at the close, pauses where told. */
static void
test_brackets (void)
{
  const char *text = "[{\"a\":\"]\\\"]\"},\n[{}],{\"b\":[1]}] tail";
  g_autoptr(GError) error = NULL;
  IlJsonBrackets b = { 0, 0 };
  IlJsonLexer lx;
  IlJsonSkip r;
  guint pauses = 0;

  il_json_lexer_init (&lx, "t.json", text, strlen (text), &error);
  lx.p++;
  do
    {
      r = il_json_skip_brackets (&lx, &b, 3, lx.p + 4);
      pauses += r == IL_JSON_SKIP_PAUSED;
    }
  while (r == IL_JSON_SKIP_PAUSED);
  g_assert_cmpint (r, ==, IL_JSON_SKIP_DONE);
  g_assert_cmpuint (pauses, >, 2);
  g_assert_cmpint (*lx.p, ==, ']');
  g_assert_cmpstr (lx.p, ==, "] tail");
  g_assert_cmpuint (b.n_objects, ==, 2);
  il_json_lexer_clear (&lx);

  memset (&b, 0, sizeof b);
  il_json_lexer_init (&lx, "t.json", "[[\n[[1]]]]", 10, &error);
  lx.p++;
  g_assert_cmpint (il_json_skip_brackets (&lx, &b, 2, lx.end), ==, IL_JSON_SKIP_FAILED);
  g_assert_cmpstr (error->message, ==, "t.json:2: values are nested more than 64 levels deep");
  il_json_lexer_clear (&lx);
}

/* Keys: plain ones point into the document; escaped ones are decoded like strings. */
static void
test_keys (void)
{
  const char *text = "{\"plain\" : 1, \"sp\\u0061ns\":2, \"\\ud800\":3}";
  IlJsonLexer lx;

  il_json_lexer_init (&lx, "t.json", text, strlen (text), NULL);
  lx.p++;
  g_assert_true (il_json_key (&lx));
  g_assert_true (il_json_key_is (&lx, "plain"));
  g_assert_true (lx.key >= text && lx.key < text + strlen (text));
  g_assert_true (il_json_skip_value (&lx, 1));
  g_assert_true (il_json_expect (&lx, ','));
  g_assert_true (il_json_key (&lx));
  g_assert_true (il_json_key_is (&lx, "spans"));
  g_assert_cmpuint (lx.key_end - lx.key_at, ==, strlen ("\"sp\\u0061ns\""));
  g_assert_true (il_json_skip_value (&lx, 1));
  g_assert_true (il_json_expect (&lx, ','));
  g_assert_true (il_json_key (&lx));
  g_assert_true (il_json_key_is (&lx, FFFD));
  il_json_lexer_clear (&lx);
}

/* A byte order mark is skipped; line numbers count from the document's first byte. */
static void
test_bom (void)
{
  const char *text = "\xEF\xBB\xBF\"x\"";
  IlJsonLexer lx;

  il_json_lexer_init (&lx, "t.json", text, strlen (text), NULL);
  g_assert_true (il_json_string (&lx));
  g_assert_cmpstr (lx.str->str, ==, "x");
  il_json_lexer_clear (&lx);
}

/* The same escaped name read by the trace v1 reader (worker name, task name) and the Chrome
 * reader (thread name, slice name) comes out as the same bytes. */
#define ODD_NAME "a\\ud800b\\u0000c\\udc00d\\ud83d\\ude00\\u00e9"
#define ODD_BYTES "a" FFFD "b" FFFD "c" FFFD "d\xF0\x9F\x98\x80\xC3\xA9"

static void
test_readers_agree (void)
{
  const char *native =
    "{\"format\":\"interleave-trace\",\"version\":1,\n"
    "\"machine\":{\"cpus\":2,\"kernel\":\"6.1\",\"hostname\":\"h\"},\"runs\":[{\"label\":\"x\",\n"
    "\"spans_columns\":[\"worker\",\"state\",\"cpu\",\"task\",\"start_ns\",\"end_ns\"],\"spans\":[\n"
    "[0, \"running\", 0, 0, 0, 10]],\n"
    "\"config\":{\"executor\":\"external\",\"gil\":false,\"switch_interval_ms\":5,\"workers\":1,"
    "\"cpus\":[]},"
    "\"capture\":\"self\",\"clock\":{\"id\":\"CLOCK_MONOTONIC\",\"origin_ns\":1},"
    "\"summary\":{\"wall_ns\":20,\"cpu_ns\":5,\"avg_parallelism\":0.25,\"max_parallelism\":1,"
    "\"gil_wait_ns\":0,\"io_wait_ns\":0,\"ready_ns\":0,\"speedup\":null},"
    "\"workers\":[{\"id\":0,\"kind\":\"thread\",\"pid\":1,\"tid\":2,\"name\":\"" ODD_NAME "\"}],"
    "\"tasks\":[{\"id\":0,\"worker\":0,\"start_ns\":0,\"end_ns\":10,\"status\":\"ok\","
    "\"name\":\"" ODD_NAME "\"}]}]}\n";
  const char *chrome =
    "{\"traceEvents\":[\n"
    "{\"ph\":\"M\",\"pid\":1,\"tid\":2,\"name\":\"thread_name\",\"args\":{\"name\":\"" ODD_NAME "\"}},\n"
    "{\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":1,\"dur\":2,\"name\":\"" ODD_NAME "\"}]}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) a = il_trace_load_from_data (native, strlen (native), "native.json", &error);
  g_autoptr(IlTrace) b = NULL;
  IlRunTrace *ra, *rb;

  g_assert_no_error (error);
  b = il_trace_load_from_data (chrome, strlen (chrome), "chrome.json", &error);
  g_assert_no_error (error);
  ra = il_trace_get_run (a, 0);
  rb = il_trace_get_run (b, 0);
  g_assert_cmpstr (il_run_trace_get_worker (ra, 0)->name, ==, ODD_BYTES);
  g_assert_cmpstr (il_run_trace_get_worker (rb, 0)->name, ==, ODD_BYTES);
  g_assert_cmpstr (il_run_trace_get_task (ra, 0)->name, ==, ODD_BYTES);
  g_assert_cmpstr (il_run_trace_get_task (rb, 0)->name, ==, ODD_BYTES);
}

/* The readers' refusals are the lexer's, with the file's line. */
static void
test_readers_errors (void)
{
  const char *native = "{\"format\":\"interleave-trace\",\n\"version\":1,\n\"machine\":{\"cpus\":\"\\x\"}}";
  const char *chrome = "[{\"ph\":\"X\",\n\"name\":\"\\x\"}]";
  const char *nested = "{\"format\":\"interleave-trace\",\n\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                       "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
                       "]]]]]]]]]]]]]]]]]]]]]]]]]]]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;

  trace = il_trace_load_from_data (native, strlen (native), "n.json", &error);
  g_assert_null (trace);
  g_assert_cmpstr (error->message, ==, "n.json:3: a bad escape inside a string");
  g_clear_error (&error);
  trace = il_trace_load_from_data (chrome, strlen (chrome), "c.json", &error);
  g_assert_null (trace);
  g_assert_cmpstr (error->message, ==, "c.json:2: a bad escape inside a string");
  g_clear_error (&error);
  trace = il_trace_load_from_data (nested, strlen (nested), "d.json", &error);
  g_assert_null (trace);
  g_assert_cmpstr (error->message, ==, "d.json:2: values are nested more than 64 levels deep");
}

/* A trace v1 file with @spans as its span rows. */
static char *
native_with_spans (const char *spans)
{
  return g_strdup_printf (
    "{\"format\":\"interleave-trace\",\"version\":1,\n"
    "\"machine\":{\"cpus\":2,\"kernel\":\"6.1\",\"hostname\":\"h\"},\"runs\":[{\"label\":\"x\",\n"
    "\"spans_columns\":[\"worker\",\"state\",\"cpu\",\"task\",\"start_ns\",\"end_ns\"],\"spans\":[\n"
    "%s],\n"
    "\"config\":{\"executor\":\"external\",\"gil\":false,\"switch_interval_ms\":5,\"workers\":1,"
    "\"cpus\":[]},"
    "\"capture\":\"self\",\"clock\":{\"id\":\"CLOCK_MONOTONIC\",\"origin_ns\":1},"
    "\"summary\":{\"wall_ns\":20,\"cpu_ns\":5,\"avg_parallelism\":0.25,\"max_parallelism\":1,"
    "\"gil_wait_ns\":0,\"io_wait_ns\":0,\"ready_ns\":0,\"speedup\":null},"
    "\"workers\":[{\"id\":0,\"kind\":\"thread\",\"pid\":1,\"tid\":2,\"name\":\"w\"}],"
    "\"tasks\":[]}]}\n", spans);
}

/* The span rows' fast path reads a state name written with escapes as the lexer decodes it, and
 * the arrays found by their brackets must close with the right one. Keys are decoded before they
 * are compared: "sp\u0061ns" is the spans array. */
static void
test_native_rows (void)
{
  g_autofree char *escaped = native_with_spans ("[0, \"\\u0072unning\", 0, -1, 0, 10]\n");
  g_autofree char *unknown = native_with_spans ("[0, \"\\u0072unn\", 0, -1, 0, 10]\n");
  g_autofree char *wrong_close = native_with_spans ("[0, \"running\", 0, -1, 0, 10]}\n");
  g_autofree char *escaped_key = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = il_trace_load_from_data (escaped, strlen (escaped), "n.json", &error);
  g_autoptr(GString) key = g_string_new (escaped);

  g_assert_no_error (error);
  g_assert_cmpuint (il_run_trace_get_n_spans (il_trace_get_run (trace, 0)), ==, 1);
  g_assert_cmpint (il_lane_get_span (il_run_trace_get_lane (il_trace_get_run (trace, 0), 0), 0)->state,
                   ==, IL_STATE_RUNNING);
  g_clear_pointer (&trace, il_trace_unref);

  trace = il_trace_load_from_data (unknown, strlen (unknown), "n.json", &error);
  g_assert_null (trace);
  g_assert_cmpstr (error->message, ==, "n.json:4: runs[0].spans: unknown state “runn”");
  g_clear_error (&error);

  trace = il_trace_load_from_data (wrong_close, strlen (wrong_close), "n.json", &error);
  g_assert_null (trace);
  g_assert_cmpstr (error->message, ==, "n.json:4: expected “]”");
  g_clear_error (&error);

  g_string_replace (key, "\"spans\":[", "\"sp\\u0061ns\":[", 1);
  escaped_key = g_string_free (g_steal_pointer (&key), FALSE);
  trace = il_trace_load_from_data (escaped_key, strlen (escaped_key), "n.json", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_run_trace_get_n_spans (il_trace_get_run (trace, 0)), ==, 1);
}

/* json-glib 1.6's numbers that are no JSON, repaired; strings and the rest left alone. */
static void
test_repair (void)
{
  static const struct
  {
    const char *in, *out;
  } cases[] = {
    { "[1e+55.0,2.5,-3e-07.0,1.5e+300]", "[1e+55,2.5,-3e-07,1.5e+300]" },
    { "{\"a\":inf.0,\"b\":-inf.0,\"c\":nan.0}", "{\"a\":null,\"b\":null,\"c\":null}" },
    { "[true,false,null,1e5]", "[true,false,null,1e5]" },
    { "{\"1e+5.0 inf.0\":\"x\\\"1e+5.0\"}", "{\"1e+5.0 inf.0\":\"x\\\"1e+5.0\"}" },
    { "{\n  \"k\" : 2e+20.0\n}", "{\n  \"k\" : 2e+20\n}" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup (cases[i].in);
      gsize len = il_json_repair_numbers (text, strlen (text));

      g_assert_cmpstr (text, ==, cases[i].out);
      g_assert_cmpuint (len, ==, strlen (cases[i].out));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/surrogates", test_surrogates);
  g_test_add_func ("/json/nul", test_nul);
  g_test_add_func ("/json/escapes", test_escapes);
  g_test_add_func ("/json/truncated", test_truncated);
  g_test_add_func ("/json/numbers", test_numbers);
  g_test_add_func ("/json/decimal-scaled", test_decimal_scaled);
  g_test_add_func ("/json/depth", test_depth);
  g_test_add_func ("/json/brackets", test_brackets);
  g_test_add_func ("/json/keys", test_keys);
  g_test_add_func ("/json/repair", test_repair);
  g_test_add_func ("/json/bom", test_bom);
  g_test_add_func ("/json/readers-agree", test_readers_agree);
  g_test_add_func ("/json/readers-errors", test_readers_errors);
  g_test_add_func ("/json/native-rows", test_native_rows);
  return g_test_run ();
}
