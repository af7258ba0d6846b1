/* il-json-write.c: JSON text from a json-glib tree, as every JSON reader reads it (il-json-write.h). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "il-json-write.h"

gsize
il_json_repair_numbers (char *text, gsize len)
{
  gsize r = 0, w = 0;
  gboolean in_string = FALSE;

  while (r < len)
    {
      char c = text[r++];

      text[w++] = c;
      if (in_string)
        {
          if (c == '\\' && r < len)
            text[w++] = text[r++];
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      /* A number's exponent (after a digit: not the e of true or false), its sign and digits,
       * and then no ".0". */
      else if ((c == 'e' || c == 'E') && w >= 2 && g_ascii_isdigit (text[w - 2]))
        {
          if (r < len && (text[r] == '+' || text[r] == '-'))
            text[w++] = text[r++];
          while (r < len && g_ascii_isdigit (text[r]))
            text[w++] = text[r++];
          if (r + 1 < len && text[r] == '.' && text[r + 1] == '0')
            r += 2;
        }
      /* Infinity or NaN (a file's 1e999 read as a double): "inf.0", "-inf.0", "nan.0". JSON has
       * no such number: null. (No other token outside strings starts so; null is "nu".) */
      else if ((c == 'i' || c == 'n') && len - (r - 1) >= 3 &&
               (strncmp (text + r - 1, "inf", 3) == 0 || strncmp (text + r - 1, "nan", 3) == 0))
        {
          r += 2;
          if (r + 1 < len && text[r] == '.' && text[r + 1] == '0')
            r += 2;
          w--;
          if (w > 0 && text[w - 1] == '-')
            w--;
          memcpy (text + w, "null", 4);
          w += 4;
        }
    }
  text[w] = '\0';
  return w;
}

char *
il_json_to_data (JsonNode *root, gboolean pretty, guint indent, gsize *length)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  char *text;
  gsize len = 0;

  json_generator_set_pretty (gen, pretty);
  if (pretty)
    json_generator_set_indent (gen, indent);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  len = il_json_repair_numbers (text, len);
  if (length != NULL)
    *length = len;
  return text;
}
