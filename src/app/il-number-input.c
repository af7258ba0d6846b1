/* il-number-input.c: spin buttons that round what is typed and say so when it is not a number or out of range. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "il-number-input.h"

gboolean
il_number_input_parse (const char *text, double *out)
{
  g_autofree char *copy = NULL;
  char *end = NULL;
  guint n_points = 0;
  gboolean seen_e = FALSE;
  double v;

  g_return_val_if_fail (text != NULL, FALSE);

  copy = g_strstrip (g_strdup (text));
  if (copy[0] == '\0')
    return FALSE;
  for (char *c = copy; *c != '\0'; c++)
    {
      /* A German "3,5" is the same number as "3.5". */
      if (*c == ',' || *c == '.')
        {
          *c = '.';
          n_points++;
        }
      /* "1e9" is a number too (then clamped, and said so), with digits before and after. */
      else if ((*c == 'e' || *c == 'E') && c > copy && g_ascii_isdigit (c[-1]) && !seen_e)
        {
          seen_e = TRUE;
          if (c[1] == '-' || c[1] == '+')
            c++;
          if (!g_ascii_isdigit (c[1]))
            return FALSE;
        }
      else if (!g_ascii_isdigit (*c) && !(c == copy && *c == '-'))
        return FALSE;
    }
  if (n_points > 1)
    return FALSE;
  v = g_ascii_strtod (copy, &end);
  if (end == NULL || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

static int
on_input (GtkSpinButton *spin, double *new_value, GtkLabel *message)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  const char *what = g_object_get_data (G_OBJECT (spin), "il-number-input-what");
  GtkAdjustment *adj = gtk_spin_button_get_adjustment (spin);
  double scale = pow (10, gtk_spin_button_get_digits (spin));
  double v;

  if (!il_number_input_parse (text, &v))
    {
      g_autofree char *msg = NULL;
      g_autofree char *kept = g_strdup_printf ("%.*f", (int) gtk_spin_button_get_digits (spin),
                                               gtk_adjustment_get_value (adj));

      /* Translators: "“abc” is not a number: Workers stays 4" */
      msg = g_strdup_printf (_("“%s” is not a number: %s stays %s"), text, what, kept);
      gtk_label_set_label (message, msg);
      gtk_widget_set_visible (GTK_WIDGET (message), TRUE);
      *new_value = gtk_adjustment_get_value (adj);
      return GTK_INPUT_ERROR;
    }
  gtk_widget_set_visible (GTK_WIDGET (message), FALSE);
  /* Rounded as shown: 3.7 workers is 4, not 3. */
  v = round (v * scale) / scale;
  *new_value = CLAMP (v, gtk_adjustment_get_lower (adj), gtk_adjustment_get_upper (adj));
  /* Clamped: never silently (1000 workers becoming 256 changes the lesson). */
  if (*new_value != v)
    {
      int digits = (int) gtk_spin_button_get_digits (spin);
      g_autofree char *bound = g_strdup_printf ("%.*f", digits, *new_value);
      g_autofree char *typed = g_strstrip (g_strdup (text));
      g_autofree char *msg = NULL;

      if (v > *new_value)
        /* Translators: "Workers is at most 256: 1000 became 256" */
        msg = g_strdup_printf (_("%s is at most %s: %s became %s"), what, bound, typed, bound);
      else
        /* Translators: "Tasks is at least 0: -3 became 0" */
        msg = g_strdup_printf (_("%s is at least %s: %s became %s"), what, bound, typed, bound);
      gtk_label_set_label (message, msg);
      gtk_widget_set_visible (GTK_WIDGET (message), TRUE);
    }
  return TRUE;
}

void
il_number_input_attach (GtkSpinButton *spin, GtkLabel *message, const char *what)
{
  g_return_if_fail (GTK_IS_SPIN_BUTTON (spin));
  g_return_if_fail (GTK_IS_LABEL (message));

  g_object_set_data_full (G_OBJECT (spin), "il-number-input-what", g_strdup (what), g_free);
  g_signal_connect_object (spin, "input", G_CALLBACK (on_input), message, 0);
}
