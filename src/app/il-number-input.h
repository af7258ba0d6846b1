/* il-number-input.h: spin buttons that round what is typed and say so when it is not a number. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Makes @spin read typed text strictly: a number (with "." or ",", or an exponent as in "1e9")
 * is rounded to the spin's digits and clamped to its range, a clamp said in @message; anything
 * else keeps the previous value and shows why in @message (an error label, hidden again by the
 * next good input). @what names the field. */
void     il_number_input_attach (GtkSpinButton *spin,
                                 GtkLabel      *message,
                                 const char    *what);
/* Parses @text as a number: digits, one "." or ",", a leading "-" and an exponent ("1e9",
 * "2,5E-3"); FALSE for anything else. */
gboolean il_number_input_parse  (const char    *text,
                                 double        *out);

G_END_DECLS
