/* il-json-write.h: JSON text from a json-glib tree, as every JSON reader reads it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The text of @root (pretty, with @indent spaces a level, when @pretty), into @length, as
 * json_generator_to_data() makes it but for one fault of json-glib 1.6: it appends ".0" to a
 * double whose shortest form has no point, an exponent's too ("1e+55.0"), which is no JSON; no
 * reader opened such a file again, ours neither. Here that number is "1e+55"; and an infinity or
 * NaN (a file's 1e999 read as a double), "inf.0" there, is null. */
char *il_json_to_data (JsonNode *root, gboolean pretty, guint indent, gsize *length);

/* The same repair on @text of @len bytes (any JSON json-glib wrote), in place (it only shrinks);
 * returns the new length (text[length] is '\0'). */
gsize il_json_repair_numbers (char *text, gsize len);

G_END_DECLS
