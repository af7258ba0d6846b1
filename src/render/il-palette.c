/* il-palette.c: the theme colours, states chosen by simulation so colour-blind readers and projectors tell them apart. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-palette.h"

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex) & 0xff) / 255.0 }

/* State colours: running is Okabe–Ito's strong blue (work being done), ready a red (wants a CPU
 * and is refused: the bad news), gil-wait the orange, lock-wait the yellow, io-wait a purple,
 * loop-wait a lavender, idle a quiet grey so it recedes, startup a darker grey. Hue alone does not
 * survive colour-blindness or a washed-out projector, so each state also has a lightness of its
 * own: the colours were searched for the largest least CIEDE2000 difference between any two
 * states under protanopia, deuteranopia and tritanopia (Machado 2009) and a projector that adds a
 * quarter of white, and tests/unit/test-render-palette.c keeps every pair at least 10 apart in
 * each of those (about 11.5 in light, 10 in dark). */
static const IlPalette light_palette = {
  .background = RGB (0xffffff),
  .panel      = RGB (0xf4f4f6),
  .text       = RGB (0x1e1e24),
  .text_dim   = RGB (0x5e5e68),
  .grid       = RGB (0xdedee4),
  .axis       = RGB (0x8a8a94),
  .separator  = RGB (0xffffff),
  .highlight  = RGB (0x000000),
  .in_flight  = RGB (0xf2c46d),
  .running    = RGB (0x0072b2),
  .reference  = RGB (0xd55e00),
  /* Neutral greys, darker than idle: the core was taken, by something that is not the run. */
  .other_programs = RGB (0x5d5d6b),
  .steal      = RGB (0x2e2e36),
  .states = {
    [IL_STATE_RUNNING]  = RGB (0x0072b2),
    [IL_STATE_READY]    = RGB (0x933811),
    [IL_STATE_GIL_WAIT] = RGB (0xea883b),
    [IL_STATE_LOCK_WAIT] = RGB (0xf7e945),
    [IL_STATE_IO_WAIT]  = RGB (0x470654),
    [IL_STATE_LOOP_WAIT] = RGB (0xe8adff),
    [IL_STATE_IDLE]     = RGB (0xe3e3e8),
    [IL_STATE_STARTUP]  = RGB (0x90909d),
  },
};

static const IlPalette dark_palette = {
  .background = RGB (0x1d1d21),
  .panel      = RGB (0x27272c),
  .text       = RGB (0xf0f0f4),
  .text_dim   = RGB (0xa8a8b2),
  .grid       = RGB (0x38383f),
  .axis       = RGB (0x85858f),
  .separator  = RGB (0x1d1d21),
  .highlight  = RGB (0xffffff),
  .in_flight  = RGB (0x9a7630),
  .running    = RGB (0x3d9fe0),
  .reference  = RGB (0xff7a2e),
  .other_programs = RGB (0x9c9ca8),
  .steal      = RGB (0xdcdce4),
  .states = {
    [IL_STATE_RUNNING]  = RGB (0x3d9fe0),
    [IL_STATE_READY]    = RGB (0xf10f00),
    [IL_STATE_GIL_WAIT] = RGB (0xfdd660),
    [IL_STATE_LOCK_WAIT] = RGB (0xfff5cc),
    [IL_STATE_IO_WAIT]  = RGB (0x954e97),
    [IL_STATE_LOOP_WAIT] = RGB (0xcdcee4),
    [IL_STATE_IDLE]     = RGB (0x3a3a42),
    [IL_STATE_STARTUP]  = RGB (0x8f8f8f),
  },
};

/* CPU colours stay in the blue–green family so "running" keeps reading as running. */
static const guint32 cpu_hex[] = { 0x0072b2, 0x009e73, 0x56b4e9, 0x2f6b4f, 0x7fa7d9, 0x35b69a };
static const guint32 cpu_hex_dark[] = { 0x3d9fe0, 0x1fbf8f, 0x8fd0f5, 0x5fa383, 0xa9c4ec, 0x6fd8bd };

/* Worker identities (core lanes, lane keys). Only cool hues: orange, red, yellow, purple and
 * grey already mean gil-wait, ready, lock-wait, io-wait and start-up, and a core lane in those
 * colours would read as a waiting state. Okabe–Ito's blues and greens, then Paul Tol's muted cool hues. */
static const guint32 worker_hex[] = { 0x0072b2, 0x009e73, 0x56b4e9, 0x332288, 0x44aa99, 0x117733,
                                      0x88ccee, 0x999933 };
static const guint32 series_hex[] = { 0x0072b2, 0x009e73, 0xcc79a7, 0xe69f00, 0x56b4e9, 0xd55e00 };
static const guint32 series_hex_dark[] = { 0x3d9fe0, 0x1fbf8f, 0xd98cb8, 0xf0b030, 0x8fd0f5,
                                           0xf0712a };
static const guint32 worker_hex_dark[] = { 0x3d9fe0, 0x1fbf8f, 0x8fd0f5, 0x8a7fe0, 0x5cc4b0,
                                           0x4cb868, 0xa8dcf2, 0xc4c45e };

const IlPalette *
il_palette_get (IlTheme theme)
{
  return theme == IL_THEME_DARK ? &dark_palette : &light_palette;
}

IlRgb
il_rgb_mix (IlRgb a, IlRgb b, double t)
{
  IlRgb c = { a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t };
  return c;
}

double
il_rgb_luminance (IlRgb c)
{
  return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
}

guint32
il_rgb_pack (IlRgb c)
{
  guint r = (guint) CLAMP (c.r * 255.0 + 0.5, 0, 255);
  guint g = (guint) CLAMP (c.g * 255.0 + 0.5, 0, 255);
  guint b = (guint) CLAMP (c.b * 255.0 + 0.5, 0, 255);
  return r << 16 | g << 8 | b;
}

IlRgb
il_rgb_unpack (guint32 packed)
{
  IlRgb c = RGB (packed);
  return c;
}

IlRgb
il_palette_task_color (const IlPalette *palette, int task)
{
  IlRgb base = palette->states[IL_STATE_RUNNING];

  /* Even tasks the plain running colour, odd ones lighter: neighbours always differ. */
  if (task >= 0 && (task & 1))
    return il_rgb_mix (base, (IlRgb) { 1, 1, 1 }, palette == &dark_palette ? 0.30 : 0.28);
  return base;
}

static IlRgb
cycle_color (const guint32 *hex, guint n, int index, IlRgb toward, double step)
{
  guint i = (guint) MAX (index, 0);
  IlRgb c = il_rgb_unpack (hex[i % n]);
  guint round = i / n;

  /* Past the table, the same hues again, mixed toward the background so they stay distinct. */
  if (round > 0)
    c = il_rgb_mix (c, toward, MIN (0.6, step * round));
  return c;
}

IlRgb
il_palette_cpu_color (const IlPalette *palette, int cpu)
{
  gboolean dark = palette == &dark_palette;
  return cycle_color (dark ? cpu_hex_dark : cpu_hex, G_N_ELEMENTS (cpu_hex), cpu,
                      palette->background, 0.35);
}

IlRgb
il_palette_worker_color (const IlPalette *palette, int worker)
{
  gboolean dark = palette == &dark_palette;
  return cycle_color (dark ? worker_hex_dark : worker_hex, G_N_ELEMENTS (worker_hex), worker,
                      palette->background, 0.4);
}

IlRgb
il_palette_series_color (const IlPalette *palette, guint index)
{
  gboolean dark = palette == &dark_palette;

  /* Sweep curves stand alone on their chart, so they take the most distinct Okabe–Ito hues. */
  return cycle_color (dark ? series_hex_dark : series_hex, G_N_ELEMENTS (series_hex), (int) index,
                      palette->background, 0.4);
}
