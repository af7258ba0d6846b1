/* il-number-input.h: spin buttons that round what is typed and say so when it is not a number. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Makes @spin read typed text strictly: a number (with "." or ",") is rounded to the spin's
 * digits and clamped to its range; anything else keeps the previous value and shows why in
 * @message (an error label, hidden again by the next good input). @what names the field. */
void     il_number_input_attach (GtkSpinButton *spin,
                                 GtkLabel      *message,
                                 const char    *what);
/* Parses @text as a number: digits, one "." or "," and a leading "-"; FALSE for anything else. */
gboolean il_number_input_parse  (const char    *text,
                                 double        *out);

G_END_DECLS
