/* il-batch.c: repeated runs of a batch: alternation, speedups from the same round, the median run kept and the ranges. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "il-batch.h"

#define REPEAT_KEY "il-repeat"
#define BASIS_KEY "il-speedup-basis"

IlSpeedupBasis
il_run_trace_get_speedup_basis (IlRunTrace *run)
{
  g_return_val_if_fail (run != NULL, IL_SPEEDUP_SAME_BATCH);
  return (IlSpeedupBasis) GPOINTER_TO_INT (il_run_trace_get_data (run, BASIS_KEY));
}

void
il_run_trace_set_speedup_basis (IlRunTrace *run, IlSpeedupBasis basis)
{
  g_return_if_fail (run != NULL);
  il_run_trace_set_data (run, BASIS_KEY, GINT_TO_POINTER (basis), NULL);
}

const IlRepeat *
il_run_trace_get_repeat (IlRunTrace *run)
{
  g_return_val_if_fail (run != NULL, NULL);
  return il_run_trace_get_data (run, REPEAT_KEY);
}

void
il_run_trace_set_repeat (IlRunTrace *run, const IlRepeat *repeat)
{
  g_return_if_fail (run != NULL);

  il_run_trace_set_data (run, REPEAT_KEY, repeat != NULL ? g_memdup2 (repeat, sizeof *repeat) : NULL,
                         g_free);
}

void
il_batch_apply_speedups (GPtrArray *runs)
{
  g_return_if_fail (runs != NULL);

  for (guint i = 0; i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);
      const IlRunConfig *config = il_run_trace_get_config (run);
      gint64 wall = il_run_trace_get_summary (run)->wall_ns;

      if (il_run_trace_get_cancelled (run) || wall <= 0)
        continue;
      /* The baseline itself: 1 by definition, never a ratio to another sequential run. */
      if (config->executor == IL_EXECUTOR_SEQUENTIAL)
        {
          il_run_trace_set_speedup (run, 1.0);
          continue;
        }
      for (guint j = 0; j < runs->len; j++)
        {
          IlRunTrace *base = g_ptr_array_index (runs, j);
          const IlRunConfig *bc = il_run_trace_get_config (base);
          gint64 base_wall = il_run_trace_get_summary (base)->wall_ns;

          if (bc->executor == IL_EXECUTOR_SEQUENTIAL && !il_run_trace_get_cancelled (base) &&
              base_wall > 0 && il_run_config_same_work (bc, config))
            {
              il_run_trace_set_speedup (run, (double) base_wall / (double) wall);
              break;
            }
        }
    }
}

static void
range_add (double range[2], double value)
{
  if (!isfinite (value))
    return;
  if (!isfinite (range[0]) || value < range[0])
    range[0] = value;
  if (!isfinite (range[1]) || value > range[1])
    range[1] = value;
}

static int
cmp_wall (gconstpointer a, gconstpointer b)
{
  gint64 x = il_run_trace_get_summary (*(IlRunTrace *const *) a)->wall_ns;
  gint64 y = il_run_trace_get_summary (*(IlRunTrace *const *) b)->wall_ns;

  return x < y ? -1 : x > y;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

GPtrArray *
il_batch_reduce (GPtrArray *rounds)
{
  GPtrArray *kept = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  guint n_configs = 0;

  g_return_val_if_fail (rounds != NULL, kept);

  for (guint k = 0; k < rounds->len; k++)
    n_configs = MAX (n_configs, ((GPtrArray *) g_ptr_array_index (rounds, k))->len);

  for (guint c = 0; c < n_configs; c++)
    {
      g_autoptr(GPtrArray) all = g_ptr_array_new ();
      g_autoptr(GPtrArray) sorted = NULL;
      IlRunTrace *median;
      IlRepeat repeat = { 0 };

      /* A cancelled run did part of the work: it is kept only when nothing complete is there. */
      for (guint k = 0; k < rounds->len; k++)
        {
          GPtrArray *round = g_ptr_array_index (rounds, k);

          if (c < round->len && !il_run_trace_get_cancelled (g_ptr_array_index (round, c)))
            g_ptr_array_add (all, g_ptr_array_index (round, c));
        }
      if (all->len == 0)
        {
          for (guint k = rounds->len; k-- > 0;)
            {
              GPtrArray *round = g_ptr_array_index (rounds, k);
              if (c < round->len)
                {
                  g_ptr_array_add (kept, il_run_trace_ref (g_ptr_array_index (round, c)));
                  break;
                }
            }
          continue;
        }

      sorted = g_ptr_array_copy (all, NULL, NULL);
      g_ptr_array_sort (sorted, cmp_wall);
      median = g_ptr_array_index (sorted, (sorted->len - 1) / 2);
      g_ptr_array_add (kept, il_run_trace_ref (median));
      if (all->len < 2)
        continue;

      repeat.count = all->len;
      for (guint i = 0; i < all->len; i++)
        if (g_ptr_array_index (all, i) == median)
          repeat.kept = i;
      for (guint r = 0; r < 2; r++)
        repeat.wall_ns[r] = repeat.cpu_ns[r] = repeat.avg_parallelism[r] = repeat.speedup[r] =
          repeat.other_share[r] = NAN;
      for (guint i = 0; i < all->len; i++)
        {
          const IlSummary *s = il_run_trace_get_summary (g_ptr_array_index (all, i));

          range_add (repeat.wall_ns, (double) s->wall_ns);
          range_add (repeat.cpu_ns, (double) s->cpu_ns);
          range_add (repeat.avg_parallelism, s->avg_parallelism);
          range_add (repeat.speedup, s->speedup);
          range_add (repeat.other_share, s->other_share);
        }
      il_run_trace_set_repeat (median, &repeat);
      /* The speedup shown is the median of the rounds' own ratios (each run against its own
       * round's baseline), so it lies inside the spread printed beside it; the median run's
       * ratio alone could sit at one end of it. */
      {
        g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));

        for (guint i = 0; i < all->len; i++)
          {
            double sp = il_run_trace_get_summary (g_ptr_array_index (all, i))->speedup;

            if (isfinite (sp) && sp > 0)
              g_array_append_val (ratios, sp);
          }
        if (ratios->len >= 2)
          {
            guint n = ratios->len;

            g_array_sort (ratios, cmp_double);
            il_run_trace_set_speedup (median, n % 2 ? g_array_index (ratios, double, n / 2)
                                                    : (g_array_index (ratios, double, n / 2 - 1) +
                                                       g_array_index (ratios, double, n / 2)) / 2);
          }
      }
    }
  return kept;
}

static void
write_range (JsonBuilder *b, const char *key, const double range[2], gboolean whole)
{
  if (!isfinite (range[0]) || !isfinite (range[1]))
    return;
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (guint i = 0; i < 2; i++)
    if (whole)
      json_builder_add_int_value (b, (gint64) range[i]);
    else
      json_builder_add_double_value (b, range[i]);
  json_builder_end_array (b);
}

void
il_repeat_write_json (IlRunTrace *run, JsonBuilder *b)
{
  const IlRepeat *r = il_run_trace_get_repeat (run);

  if (r == NULL)
    return;
  json_builder_set_member_name (b, "repeat");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, r->count);
  json_builder_set_member_name (b, "kept");
  json_builder_add_int_value (b, r->kept);
  json_builder_set_member_name (b, "ranges");
  json_builder_begin_object (b);
  write_range (b, "wall_ns", r->wall_ns, TRUE);
  write_range (b, "cpu_ns", r->cpu_ns, TRUE);
  write_range (b, "avg_parallelism", r->avg_parallelism, FALSE);
  write_range (b, "speedup", r->speedup, FALSE);
  write_range (b, "other_share", r->other_share, FALSE);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static gboolean
read_range (JsonObject *ranges, const char *key, double range[2], char **error_message)
{
  JsonNode *node = json_object_get_member (ranges, key);
  JsonArray *a;

  range[0] = range[1] = NAN;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (a = json_node_get_array (node)) != 2)
    {
      *error_message = g_strdup_printf (_("“%s” must be an array of two numbers [min, max]"), key);
      return FALSE;
    }
  for (guint i = 0; i < 2; i++)
    {
      JsonNode *v = json_array_get_element (a, i);

      if (!JSON_NODE_HOLDS_VALUE (v) || (json_node_get_value_type (v) != G_TYPE_INT64 &&
                                         json_node_get_value_type (v) != G_TYPE_DOUBLE))
        {
          *error_message = g_strdup_printf (_("“%s” must be an array of two numbers [min, max]"), key);
          return FALSE;
        }
      range[i] = json_node_get_double (v);
    }
  if (range[0] > range[1])
    {
      *error_message = g_strdup_printf (_("“%s” has its minimum above its maximum"), key);
      return FALSE;
    }
  return TRUE;
}

gboolean
il_repeat_read_json (IlRunTrace *run, JsonObject *run_obj, char **error_message)
{
  JsonNode *node = json_object_get_member (run_obj, "repeat");
  JsonObject *o, *ranges;
  JsonNode *count, *kept, *rn;
  IlRepeat r = { 0 };

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      *error_message = g_strdup (_("“repeat” must be an object"));
      return FALSE;
    }
  o = json_node_get_object (node);
  count = json_object_get_member (o, "count");
  kept = json_object_get_member (o, "kept");
  if (count == NULL || !JSON_NODE_HOLDS_VALUE (count) || json_node_get_value_type (count) != G_TYPE_INT64 ||
      json_node_get_int (count) < 1 || json_node_get_int (count) > 10000)
    {
      *error_message = g_strdup (_("repeat: “count” must be a whole number from 1 to 10000"));
      return FALSE;
    }
  r.count = (guint) json_node_get_int (count);
  if (kept == NULL || !JSON_NODE_HOLDS_VALUE (kept) || json_node_get_value_type (kept) != G_TYPE_INT64 ||
      json_node_get_int (kept) < 0 || json_node_get_int (kept) >= r.count)
    {
      *error_message = g_strdup (_("repeat: “kept” must be a whole number below “count”"));
      return FALSE;
    }
  r.kept = (guint) json_node_get_int (kept);
  rn = json_object_get_member (o, "ranges");
  if (rn == NULL || !JSON_NODE_HOLDS_OBJECT (rn))
    {
      *error_message = g_strdup (_("repeat: “ranges” must be an object"));
      return FALSE;
    }
  ranges = json_node_get_object (rn);
  {
    g_autofree char *inner = NULL;

    if (!read_range (ranges, "wall_ns", r.wall_ns, &inner) ||
        !read_range (ranges, "cpu_ns", r.cpu_ns, &inner) ||
        !read_range (ranges, "avg_parallelism", r.avg_parallelism, &inner) ||
        !read_range (ranges, "speedup", r.speedup, &inner) ||
        !read_range (ranges, "other_share", r.other_share, &inner))
      {
        *error_message = g_strdup_printf ("repeat.ranges: %s", inner);
        return FALSE;
      }
  }
  il_run_trace_set_repeat (run, &r);
  return TRUE;
}
