/* il-palette.h: the colours of the painter per theme: states, CPUs, workers, text, grid (Okabe–Ito based). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>
#include "il-types.h"
#include "il-paint-options.h"

G_BEGIN_DECLS

typedef struct
{
  double r, g, b;
} IlRgb;

typedef struct
{
  IlRgb background;
  IlRgb panel;          /* lane background where nothing was recorded */
  IlRgb text;
  IlRgb text_dim;
  IlRgb grid;
  IlRgb axis;
  IlRgb separator;      /* task boundaries */
  IlRgb highlight;
  IlRgb in_flight;      /* parallelism strip */
  IlRgb running;
  IlRgb reference;      /* the core count line */
  IlRgb other_programs; /* core lanes: CPU time other programs took */
  IlRgb steal;          /* core lanes: time the hypervisor took (steal) */
  IlRgb states[IL_N_STATES];
} IlPalette;

const IlPalette *il_palette_get           (IlTheme theme);
/* Running coloured by task: two shades of the running colour alternate so boundaries show. */
IlRgb            il_palette_task_color    (const IlPalette *palette, int task);
/* Running coloured by CPU k, and the colour of worker w in core lanes and labels. */
IlRgb            il_palette_cpu_color     (const IlPalette *palette, int cpu);
IlRgb            il_palette_worker_color  (const IlPalette *palette, int worker);
/* One colour per sweep series. */
IlRgb            il_palette_series_color  (const IlPalette *palette, guint index);

static inline void
il_rgb_set_source (cairo_t *cr, IlRgb c)
{
  cairo_set_source_rgb (cr, c.r, c.g, c.b);
}

static inline void
il_rgb_set_source_alpha (cairo_t *cr, IlRgb c, double alpha)
{
  cairo_set_source_rgba (cr, c.r, c.g, c.b, alpha);
}

/* Mixes @a toward @b by @t (0 … 1). */
IlRgb            il_rgb_mix               (IlRgb a, IlRgb b, double t);
/* Perceived brightness 0 … 1: picks dark or light text on a colour. */
double           il_rgb_luminance         (IlRgb c);
/* Packs to 0xRRGGBB (for comparing colours cheaply when merging columns). */
guint32          il_rgb_pack              (IlRgb c);
IlRgb            il_rgb_unpack            (guint32 packed);

G_END_DECLS
