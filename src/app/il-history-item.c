/* il-history-item.c: one run of the session as an item of the window's history model (its row is made from it). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-history-item.h"

struct _IlHistoryItem
{
  GObject     parent_instance;

  IlRunTrace *run;
  guint       number;
  GDateTime  *when;
  gboolean    checked;
  gboolean    saved;
  char       *file;
};

G_DEFINE_FINAL_TYPE (IlHistoryItem, il_history_item, G_TYPE_OBJECT)

enum { PROP_0, PROP_CHECKED, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
il_history_item_finalize (GObject *object)
{
  IlHistoryItem *self = IL_HISTORY_ITEM (object);

  g_clear_pointer (&self->run, il_run_trace_unref);
  g_clear_pointer (&self->when, g_date_time_unref);
  g_clear_pointer (&self->file, g_free);
  G_OBJECT_CLASS (il_history_item_parent_class)->finalize (object);
}

static void
il_history_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IlHistoryItem *self = IL_HISTORY_ITEM (object);

  switch (prop_id)
    {
    case PROP_CHECKED:
      g_value_set_boolean (value, self->checked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_history_item_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  IlHistoryItem *self = IL_HISTORY_ITEM (object);

  switch (prop_id)
    {
    case PROP_CHECKED:
      il_history_item_set_checked (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_history_item_class_init (IlHistoryItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = il_history_item_finalize;
  object_class->get_property = il_history_item_get_property;
  object_class->set_property = il_history_item_set_property;

  properties[PROP_CHECKED] =
    g_param_spec_boolean ("checked", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
il_history_item_init (IlHistoryItem *self)
{
}

IlHistoryItem *
il_history_item_new (IlRunTrace *run, guint number, GDateTime *when)
{
  IlHistoryItem *self;

  g_return_val_if_fail (run != NULL && when != NULL, NULL);

  self = g_object_new (IL_TYPE_HISTORY_ITEM, NULL);
  self->run = il_run_trace_ref (run);
  self->number = number;
  self->when = g_date_time_ref (when);
  return self;
}

IlRunTrace *
il_history_item_get_run (IlHistoryItem *self)
{
  g_return_val_if_fail (IL_IS_HISTORY_ITEM (self), NULL);
  return self->run;
}

guint
il_history_item_get_number (IlHistoryItem *self)
{
  g_return_val_if_fail (IL_IS_HISTORY_ITEM (self), 0);
  return self->number;
}

GDateTime *
il_history_item_get_when (IlHistoryItem *self)
{
  g_return_val_if_fail (IL_IS_HISTORY_ITEM (self), NULL);
  return self->when;
}

gboolean
il_history_item_get_checked (IlHistoryItem *self)
{
  g_return_val_if_fail (IL_IS_HISTORY_ITEM (self), FALSE);
  return self->checked;
}

void
il_history_item_set_checked (IlHistoryItem *self, gboolean checked)
{
  g_return_if_fail (IL_IS_HISTORY_ITEM (self));

  checked = !!checked;
  if (self->checked == checked)
    return;
  self->checked = checked;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKED]);
}

gboolean
il_history_item_get_saved (IlHistoryItem *self)
{
  g_return_val_if_fail (IL_IS_HISTORY_ITEM (self), FALSE);
  return self->saved;
}

void
il_history_item_set_saved (IlHistoryItem *self, gboolean saved)
{
  g_return_if_fail (IL_IS_HISTORY_ITEM (self));
  self->saved = !!saved;
}

const char *
il_history_item_get_file (IlHistoryItem *self)
{
  g_return_val_if_fail (IL_IS_HISTORY_ITEM (self), NULL);
  return self->file;
}

void
il_history_item_set_file (IlHistoryItem *self, const char *file)
{
  g_return_if_fail (IL_IS_HISTORY_ITEM (self));
  g_free (self->file);
  self->file = g_strdup (file);
}
