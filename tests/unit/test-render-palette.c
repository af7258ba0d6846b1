/* test-render-palette.c: the state colours stay apart for colour-blind readers and on a washed-out projector (simulated, CIEDE2000). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "il-palette.h"

/* The least CIEDE2000 difference between any two state colours, in every condition below. 10 is
 * a difference seen at a glance across a room (1 to 2 is the least one can see side by side);
 * the palette reaches 10.5 or more in each condition. */
#define MIN_DELTA_E 10.0

/* Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for Simulation of Color
 * Vision Deficiency", severity 1.0 (dichromacy: the strongest form), on linear RGB. */
static const double protan[3][3] = {
  { 0.152286, 1.052583, -0.204868 },
  { 0.114503, 0.786281, 0.099216 },
  { -0.003882, -0.048116, 1.051998 },
};
static const double deutan[3][3] = {
  { 0.367322, 0.860646, -0.227968 },
  { 0.280085, 0.672501, 0.047413 },
  { -0.011820, 0.042940, 0.968881 },
};
static const double tritan[3][3] = {
  { 1.255528, -0.076749, -0.178779 },
  { -0.078411, 0.930809, 0.147602 },
  { 0.004733, 0.691367, 0.303900 },
};

static const struct
{
  const char *name;
  const double (*matrix)[3];
} visions[] = {
  { "normal vision", NULL },
  { "protanopia", protan },
  { "deuteranopia", deutan },
  { "tritanopia", tritan },
};

typedef struct
{
  double l, a, b;
} Lab;

static double
to_linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
lab_f (double t)
{
  return t > 216.0 / 24389.0 ? cbrt (t) : (24389.0 / 27.0 * t + 16) / 116;
}

/* @c as seen with @matrix (NULL: normal vision), projected when @projector: a projector in a lit
 * room cannot make black, so a quarter of full white is added to every colour (a contrast of
 * 4 : 1, as a classroom's projector gives with the lights on). */
static Lab
seen (IlRgb c, const double (*matrix)[3], gboolean projector)
{
  double rgb[3] = { to_linear (c.r), to_linear (c.g), to_linear (c.b) };
  double s[3];
  double x, y, z;
  Lab out;

  for (int i = 0; i < 3; i++)
    {
      s[i] = rgb[i];
      if (matrix != NULL)
        s[i] = CLAMP (matrix[i][0] * rgb[0] + matrix[i][1] * rgb[1] + matrix[i][2] * rgb[2], 0, 1);
      if (projector)
        s[i] = 0.25 + 0.75 * s[i];
    }
  /* sRGB to XYZ (D65), then CIELAB. */
  x = (0.4124564 * s[0] + 0.3575761 * s[1] + 0.1804375 * s[2]) / 0.95047;
  y = 0.2126729 * s[0] + 0.7151522 * s[1] + 0.0721750 * s[2];
  z = (0.0193339 * s[0] + 0.1191920 * s[1] + 0.9503041 * s[2]) / 1.08883;
  out.l = 116 * lab_f (y) - 16;
  out.a = 500 * (lab_f (x) - lab_f (y));
  out.b = 200 * (lab_f (y) - lab_f (z));
  return out;
}

static double
rad (double deg)
{
  return deg * G_PI / 180;
}

/* CIEDE2000 (Sharma, Wu and Dalal 2005). */
static double
delta_e_2000 (Lab p, Lab q)
{
  double c1 = hypot (p.a, p.b), c2 = hypot (q.a, q.b), cb = (c1 + c2) / 2;
  double g = 0.5 * (1 - sqrt (pow (cb, 7) / (pow (cb, 7) + pow (25, 7))));
  double a1 = (1 + g) * p.a, a2 = (1 + g) * q.a;
  double c1p = hypot (a1, p.b), c2p = hypot (a2, q.b);
  double h1 = fmod (atan2 (p.b, a1) * 180 / G_PI + 360, 360);
  double h2 = fmod (atan2 (q.b, a2) * 180 / G_PI + 360, 360);
  double dl = q.l - p.l, dc = c2p - c1p, dh = 0, hb, t, dth, rc, sl, sc, sh, rt, lb, cbp;

  if (c1p * c2p != 0)
    {
      dh = h2 - h1;
      if (dh > 180)
        dh -= 360;
      else if (dh < -180)
        dh += 360;
    }
  dh = 2 * sqrt (c1p * c2p) * sin (rad (dh) / 2);
  lb = (p.l + q.l) / 2;
  cbp = (c1p + c2p) / 2;
  if (c1p * c2p == 0)
    hb = h1 + h2;
  else
    {
      hb = (h1 + h2) / 2;
      if (fabs (h1 - h2) > 180)
        hb += hb < 180 ? 180 : -180;
    }
  t = 1 - 0.17 * cos (rad (hb - 30)) + 0.24 * cos (rad (2 * hb)) + 0.32 * cos (rad (3 * hb + 6))
      - 0.20 * cos (rad (4 * hb - 63));
  dth = 30 * exp (-pow ((hb - 275) / 25, 2));
  rc = 2 * sqrt (pow (cbp, 7) / (pow (cbp, 7) + pow (25, 7)));
  sl = 1 + 0.015 * pow (lb - 50, 2) / sqrt (20 + pow (lb - 50, 2));
  sc = 1 + 0.045 * cbp;
  sh = 1 + 0.015 * cbp * t;
  rt = -sin (rad (2 * dth)) * rc;
  return sqrt (pow (dl / sl, 2) + pow (dc / sc, 2) + pow (dh / sh, 2) + rt * (dc / sc) * (dh / sh));
}

/* The reference pairs of Sharma et al.'s test data: the formula above is CIEDE2000. */
static void
test_delta_e_formula (void)
{
  static const struct { Lab p, q; double de; } pairs[] = {
    { { 50, 2.6772, -79.7751 }, { 50, 0, -82.7485 }, 2.0425 },
    { { 50, -1.3802, -84.2814 }, { 50, 0, -82.7485 }, 1.0000 },
    { { 50, 2.5, 0 }, { 73, 25, -18 }, 27.1492 },
    { { 60.2574, -34.0099, 36.2677 }, { 60.4626, -34.1751, 39.4387 }, 1.2644 },
    { { 22.7233, 20.0904, -46.6940 }, { 23.0331, 14.9730, -42.5619 }, 2.0373 },
    { { 90.8027, -2.0831, 1.4410 }, { 91.1528, -1.6435, 0.0447 }, 1.4441 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    g_assert_cmpfloat_with_epsilon (delta_e_2000 (pairs[i].p, pairs[i].q), pairs[i].de, 1e-4);
}

/* The simulation: pure red and green, apart for normal vision, look alike to a deuteranope;
 * yellow and light grey look alike to no one but on a projector get closer. */
static void
test_simulation (void)
{
  IlRgb red = { 0.8, 0.3, 0.1 }, green = { 0.45, 0.55, 0.05 };

  g_assert_cmpfloat (delta_e_2000 (seen (red, NULL, FALSE), seen (green, NULL, FALSE)), >, 25);
  g_assert_cmpfloat (delta_e_2000 (seen (red, deutan, FALSE), seen (green, deutan, FALSE)), <, 8);
  g_assert_cmpfloat (delta_e_2000 (seen (red, NULL, TRUE), seen (green, NULL, TRUE)), <,
                     delta_e_2000 (seen (red, NULL, FALSE), seen (green, NULL, FALSE)));
}

/* Every two state colours of @theme, in every vision and on paper and a projector. */
static void
test_states_apart (gconstpointer data)
{
  IlTheme theme = GPOINTER_TO_INT (data);
  const IlPalette *palette = il_palette_get (theme);
  double least = G_MAXDOUBLE;

  for (guint v = 0; v < G_N_ELEMENTS (visions); v++)
    for (int projector = 0; projector < 2; projector++)
      for (int i = 0; i < IL_N_STATES; i++)
        for (int j = i + 1; j < IL_N_STATES; j++)
          {
            double de = delta_e_2000 (seen (palette->states[i], visions[v].matrix, projector),
                                      seen (palette->states[j], visions[v].matrix, projector));

            least = MIN (least, de);
            if (de < MIN_DELTA_E)
              g_error ("%s theme, %s%s: %s and %s are only %.1f apart (CIEDE2000), not %.0f",
                       theme == IL_THEME_DARK ? "dark" : "light", visions[v].name,
                       projector ? " on a projector" : "", il_state_to_string (i),
                       il_state_to_string (j), de, MIN_DELTA_E);
          }
  g_test_message ("least difference between two states: %.1f", least);
}

/* Each state but idle (which is meant to recede) stands out from the lanes' background. */
static void
test_states_on_background (gconstpointer data)
{
  IlTheme theme = GPOINTER_TO_INT (data);
  const IlPalette *palette = il_palette_get (theme);

  for (guint v = 0; v < G_N_ELEMENTS (visions); v++)
    for (int i = 0; i < IL_N_STATES; i++)
      {
        double de = delta_e_2000 (seen (palette->states[i], visions[v].matrix, FALSE),
                                  seen (palette->background, visions[v].matrix, FALSE));

        if (i != IL_STATE_IDLE && de < MIN_DELTA_E)
          g_error ("%s theme, %s: %s is only %.1f from the background",
                   theme == IL_THEME_DARK ? "dark" : "light", visions[v].name,
                   il_state_to_string (i), de);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/palette/delta-e-formula", test_delta_e_formula);
  g_test_add_func ("/palette/simulation", test_simulation);
  g_test_add_data_func ("/palette/states-apart/light", GINT_TO_POINTER (IL_THEME_LIGHT), test_states_apart);
  g_test_add_data_func ("/palette/states-apart/dark", GINT_TO_POINTER (IL_THEME_DARK), test_states_apart);
  g_test_add_data_func ("/palette/on-background/light", GINT_TO_POINTER (IL_THEME_LIGHT),
                        test_states_on_background);
  g_test_add_data_func ("/palette/on-background/dark", GINT_TO_POINTER (IL_THEME_DARK),
                        test_states_on_background);
  return g_test_run ();
}
