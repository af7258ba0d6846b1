/* il-setup-pane.c: the set-up pane: executor, GIL, workers, CPUs and work of the next run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

#include "il-clock.h"
#include "il-number-input.h"
#include "il-setup-pane.h"

struct _IlSetupPane
{
  GtkBox       parent_instance;

  GSettings   *settings;
  GPtrArray   *cpu_toggles;     /* of GtkToggleButton, index = CPU id */
  char        *problem;
  gboolean     valid;
  gboolean     syncing_cpus;    /* guards the toggles <-> settings loop */

  /* template */
  AdwComboRow     *executor_row;
  AdwActionRow    *gil_row;
  GtkSwitch       *gil_switch;
  AdwActionRow    *switch_interval_row;
  GtkAdjustment   *switch_interval_adjustment;
  GtkAdjustment   *workers_adjustment;
  GtkBox          *cpus_box;
  AdwComboRow     *workload_row;
  GtkAdjustment   *tasks_adjustment;
  GtkAdjustment   *task_ms_adjustment;
  GtkLabel        *problem_label;
  GtkLabel        *hint_label;
  GtkLabel        *input_label;
  AdwActionRow    *workers_row;
  GtkSpinButton   *workers_spin;
  GtkSpinButton   *tasks_spin;
  GtkSpinButton   *task_ms_spin;
  GtkSpinButton   *switch_interval_spin;
};

G_DEFINE_FINAL_TYPE (IlSetupPane, il_setup_pane, GTK_TYPE_BOX)

enum { PROP_0, PROP_VALID, N_PROPS };
enum { CHANGED, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* GSettings stores machine names; the combo rows show translated titles in enum order. */
static gboolean
executor_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  IlExecutorKind kind;

  if (!il_executor_from_string (g_variant_get_string (variant, NULL), &kind) ||
      kind == IL_EXECUTOR_EXTERNAL)
    return FALSE;
  g_value_set_uint (value, kind);
  return TRUE;
}

static GVariant *
executor_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint kind = g_value_get_uint (value);

  if (kind >= IL_EXECUTOR_EXTERNAL)
    return NULL;
  return g_variant_new_string (il_executor_to_string (kind));
}

static gboolean
workload_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  IlWorkloadKind kind;

  if (!il_workload_from_string (g_variant_get_string (variant, NULL), &kind))
    return FALSE;
  g_value_set_uint (value, kind);
  return TRUE;
}

static GVariant *
workload_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint kind = g_value_get_uint (value);

  if (kind >= IL_N_WORKLOADS)
    return NULL;
  return g_variant_new_string (il_workload_to_string (kind));
}

/* TRUE when the settings key @key accepts the machine name @name as a value. */
static gboolean
settings_accept (GSettings *settings, const char *key, const char *name)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new_string (name));

  g_object_get (settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);
  return g_settings_schema_key_range_check (schema_key, value);
}

static GArray *
selected_cpus (IlSetupPane *self)
{
  GArray *cpus = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < self->cpu_toggles->len; i++)
    if (gtk_toggle_button_get_active (g_ptr_array_index (self->cpu_toggles, i)))
      {
        int c = i;
        g_array_append_val (cpus, c);
      }
  return cpus;
}

IlRunConfig *
il_setup_pane_get_config (IlSetupPane *self)
{
  IlRunConfig *config;
  g_autoptr(GArray) cpus = NULL;
  g_autofree char *capture = NULL;

  g_return_val_if_fail (IL_IS_SETUP_PANE (self), NULL);

  config = il_run_config_new ();
  config->executor = adw_combo_row_get_selected (self->executor_row);
  config->gil = gtk_switch_get_active (self->gil_switch);
  config->switch_interval_ms = gtk_adjustment_get_value (self->switch_interval_adjustment);
  config->workers = (guint) round (gtk_adjustment_get_value (self->workers_adjustment));
  config->workload = adw_combo_row_get_selected (self->workload_row);
  config->tasks = (guint) round (gtk_adjustment_get_value (self->tasks_adjustment));
  config->task_ms = gtk_adjustment_get_value (self->task_ms_adjustment);
  capture = g_settings_get_string (self->settings, "capture");
  if (!il_capture_from_string (capture, &config->capture))
    config->capture = IL_CAPTURE_AUTO;

  /* All toggles on is the same as no restriction: say so, so the trace reads "every CPU". */
  cpus = selected_cpus (self);
  if (cpus->len > 0 && cpus->len < self->cpu_toggles->len)
    {
      g_clear_pointer (&config->cpus, g_array_unref);
      config->cpus = g_steal_pointer (&cpus);
    }
  /* None ticked cannot be expressed in a config (empty means every CPU): revalidate catches it. */
  return config;
}

gboolean
il_setup_pane_get_valid (IlSetupPane *self)
{
  g_return_val_if_fail (IL_IS_SETUP_PANE (self), FALSE);
  return self->valid;
}

const char *
il_setup_pane_get_problem (IlSetupPane *self)
{
  g_return_val_if_fail (IL_IS_SETUP_PANE (self), NULL);
  return self->problem;
}

static void
il_setup_pane_revalidate (IlSetupPane *self)
{
  g_autoptr(IlRunConfig) config = il_setup_pane_get_config (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) hint = g_string_new (NULL);
  g_autoptr(GArray) ticked = selected_cpus (self);
  gboolean valid;
  guint n_cpus;

  g_clear_pointer (&self->problem, g_free);
  valid = il_run_config_validate (config, &error);
  if (valid && ticked->len == 0)
    {
      valid = FALSE;
      self->problem = g_strdup (_("Choose at least one CPU for the workers to run on."));
    }
  else if (!valid)
    self->problem = g_strdup (error->message);

  gtk_label_set_label (self->problem_label, self->problem ? self->problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), self->problem != NULL);

  /* The GIL belongs to threads: rather than hide the switch, show why it does not apply. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->switch_interval_row), config->gil);
  /* One worker runs a sequential run, whatever the count says. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->workers_row),
                            config->executor != IL_EXECUTOR_SEQUENTIAL);

  n_cpus = config->cpus != NULL && config->cpus->len > 0 ? config->cpus->len : il_cpu_count ();
  if (config->executor == IL_EXECUTOR_SEQUENTIAL && config->workers > 1)
    g_string_append (hint, _("Sequential runs every task on one worker; the worker count is ignored. "));
  if (config->executor == IL_EXECUTOR_ASYNC && config->workers > 1)
    g_string_append (hint, _("The event loop runs on one thread; workers is how many tasks may wait at once. "));
  if (config->executor == IL_EXECUTOR_PROCESSES || config->executor == IL_EXECUTOR_THREADS)
    {
      if (config->workers > n_cpus && !config->gil)
        g_string_append_printf (hint,
                                ngettext ("%u workers share %u core: they take turns, and the waiting shows as “ready”. ",
                                          "%u workers share %u cores: they take turns, and the waiting shows as “ready”. ",
                                          n_cpus),
                                config->workers, n_cpus);
    }
  if (config->gil && config->workload == IL_WORKLOAD_CPU)
    g_string_append (hint, _("Under the GIL only one thread computes at a time, whatever the number of cores. "));
  gtk_label_set_label (self->hint_label, hint->str);
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), hint->len > 0 && valid);

  if (valid != self->valid)
    {
      self->valid = valid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_cpu_toggled (IlSetupPane *self, GtkToggleButton *button)
{
  g_autoptr(GArray) cpus = NULL;
  g_autofree char *str = NULL;

  if (self->syncing_cpus)
    return;
  cpus = selected_cpus (self);
  /* All selected is stored as "" (every CPU) so the choice survives a machine with more cores. */
  str = cpus->len == self->cpu_toggles->len ? g_strdup ("") :
        cpus->len == 0 ? g_strdup ("none") : il_cpu_set_to_string (cpus);
  g_settings_set_string (self->settings, "cpus", str);
}

static void
sync_cpus_from_settings (IlSetupPane *self)
{
  g_autofree char *str = g_settings_get_string (self->settings, "cpus");
  g_autoptr(GArray) cpus = NULL;

  self->syncing_cpus = TRUE;
  if (g_strcmp0 (str, "none") == 0)
    cpus = g_array_new (FALSE, FALSE, sizeof (int));
  else
    cpus = il_cpu_set_parse (str, NULL);
  for (guint i = 0; i < self->cpu_toggles->len; i++)
    {
      gboolean on = cpus == NULL || (cpus->len == 0 && g_strcmp0 (str, "none") != 0);

      if (cpus != NULL)
        for (guint j = 0; j < cpus->len; j++)
          if (g_array_index (cpus, int, j) == (int) i)
            on = TRUE;
      gtk_toggle_button_set_active (g_ptr_array_index (self->cpu_toggles, i), on);
    }
  self->syncing_cpus = FALSE;
  il_setup_pane_revalidate (self);
}

static void
on_settings_changed (IlSetupPane *self, const char *key, GSettings *settings)
{
  if (g_strcmp0 (key, "cpus") == 0)
    sync_cpus_from_settings (self);
  else if (g_strcmp0 (key, "capture") == 0)
    il_setup_pane_revalidate (self);
}

void
il_setup_pane_set_config (IlSetupPane *self, const IlRunConfig *config)
{
  g_autofree char *cpus = NULL;

  g_return_if_fail (IL_IS_SETUP_PANE (self));
  g_return_if_fail (config != NULL);

  g_settings_delay (self->settings);
  /* A traced program's configuration (or a value this schema is too old for) leaves the choice
   * as it was: storing it would be refused. */
  if (settings_accept (self->settings, "executor", il_executor_to_string (config->executor)))
    g_settings_set_string (self->settings, "executor", il_executor_to_string (config->executor));
  g_settings_set_boolean (self->settings, "gil", config->gil);
  g_settings_set_double (self->settings, "switch-interval-ms",
                         CLAMP (config->switch_interval_ms, 0.1, 1000));
  g_settings_set_uint (self->settings, "workers", CLAMP (config->workers, 1, IL_MAX_WORKERS));
  cpus = config->cpus != NULL ? il_cpu_set_to_string (config->cpus) : g_strdup ("");
  g_settings_set_string (self->settings, "cpus", cpus);
  if (settings_accept (self->settings, "workload", il_workload_to_string (config->workload)))
    g_settings_set_string (self->settings, "workload", il_workload_to_string (config->workload));
  g_settings_set_uint (self->settings, "tasks", MIN (config->tasks, IL_MAX_TASKS));
  g_settings_set_double (self->settings, "task-ms", CLAMP (config->task_ms, 0, IL_MAX_TASK_MS));
  g_settings_apply (self->settings);
}

static GListModel *
make_title_model (GSettings *settings, gboolean executors)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  /* Model position = enum value, which the settings mappings rely on, so the list stops at the
   * first value that cannot be offered: a traced program is recorded, not run, and the schema
   * may not list a value newer than itself (selecting it could not be stored). */
  if (executors)
    for (int i = 0; i < IL_EXECUTOR_EXTERNAL &&
                    settings_accept (settings, "executor", il_executor_to_string (i)); i++)
      gtk_string_list_append (list, il_executor_get_title (i));
  else
    for (int i = 0; i < IL_N_WORKLOADS &&
                    settings_accept (settings, "workload", il_workload_to_string (i)); i++)
      gtk_string_list_append (list, il_workload_get_title (i));
  return G_LIST_MODEL (list);
}

/* The value a combo row shows at its end, where the other rows show theirs: the choice's name
 * without its explanation in brackets ("Convoy" of "Convoy (one I/O task among CPU tasks)"), in
 * one line that is never cut; the whole title in its tooltip and in the popover's list. One
 * line, as the row's list measures its items' height before it knows their width (a label that
 * wrapped in a narrower place would lose its second line). */
static void
value_setup (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_list_item_set_child (item, label);
}

static void
value_bind (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  const char *title = gtk_string_object_get_string (gtk_list_item_get_item (item));
  const char *bracket = strstr (title, " (");
  g_autofree char *name = g_strndup (title, bracket != NULL ? (gsize) (bracket - title)
                                                            : strlen (title));
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_label (GTK_LABEL (label), name);
  gtk_widget_set_tooltip_text (label, bracket != NULL ? title : NULL);
}

/* The row's value through the label above; the popover keeps libadwaita's own list (with its
 * check mark on the current choice). */
static void
show_value_whole (AdwComboRow *row)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  adw_combo_row_set_list_factory (row, adw_combo_row_get_factory (row));
  g_signal_connect (factory, "setup", G_CALLBACK (value_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (value_bind), NULL);
  adw_combo_row_set_factory (row, factory);
}

static void
il_setup_pane_build_cpu_toggles (IlSetupPane *self)
{
  guint n = il_cpu_count ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *label = g_strdup_printf ("%u", i);
      g_autofree char *a11y = g_strdup_printf (_("Allow CPU %u"), i);
      g_autofree char *tooltip = g_strdup_printf (_("Let the workers run on CPU %u"), i);
      GtkWidget *button = gtk_toggle_button_new_with_label (label);

      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
      g_signal_connect_object (button, "toggled", G_CALLBACK (on_cpu_toggled), self,
                               G_CONNECT_SWAPPED);
      gtk_box_append (self->cpus_box, button);
      g_ptr_array_add (self->cpu_toggles, button);
    }
}

static void
il_setup_pane_dispose (GObject *object)
{
  IlSetupPane *self = IL_SETUP_PANE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_SETUP_PANE);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->cpu_toggles, g_ptr_array_unref);
  g_clear_pointer (&self->problem, g_free);

  G_OBJECT_CLASS (il_setup_pane_parent_class)->dispose (object);
}

static void
il_setup_pane_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IlSetupPane *self = IL_SETUP_PANE (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_setup_pane_class_init (IlSetupPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_setup_pane_dispose;
  object_class->get_property = il_setup_pane_get_property;

  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/interleave/Interleave/il-setup-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, executor_row);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, gil_row);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, gil_switch);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, switch_interval_row);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, switch_interval_adjustment);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, workers_adjustment);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, cpus_box);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, workload_row);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, tasks_adjustment);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, task_ms_adjustment);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, problem_label);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, hint_label);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, input_label);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, workers_row);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, tasks_spin);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, task_ms_spin);
  gtk_widget_class_bind_template_child (widget_class, IlSetupPane, switch_interval_spin);
}

static void
il_setup_pane_init (IlSetupPane *self)
{
  g_autoptr(GListModel) executors = NULL;
  g_autoptr(GListModel) workloads = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->valid = TRUE;
  self->cpu_toggles = g_ptr_array_new ();
  self->settings = g_settings_new (APP_ID);

  executors = make_title_model (self->settings, TRUE);
  workloads = make_title_model (self->settings, FALSE);
  adw_combo_row_set_model (self->executor_row, executors);
  adw_combo_row_set_model (self->workload_row, workloads);
  show_value_whole (self->executor_row);
  show_value_whole (self->workload_row);
  il_setup_pane_build_cpu_toggles (self);

  g_settings_bind_with_mapping (self->settings, "executor", self->executor_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, executor_get_mapping,
                                executor_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "workload", self->workload_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, workload_get_mapping,
                                workload_set_mapping, NULL, NULL);
  g_settings_bind (self->settings, "gil", self->gil_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "switch-interval-ms", self->switch_interval_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "workers", self->workers_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "tasks", self->tasks_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "task-ms", self->task_ms_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (self->executor_row, "notify::selected",
                           G_CALLBACK (il_setup_pane_revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workload_row, "notify::selected",
                           G_CALLBACK (il_setup_pane_revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->gil_switch, "notify::active",
                           G_CALLBACK (il_setup_pane_revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->switch_interval_adjustment, "value-changed",
                           G_CALLBACK (il_setup_pane_revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workers_adjustment, "value-changed",
                           G_CALLBACK (il_setup_pane_revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tasks_adjustment, "value-changed",
                           G_CALLBACK (il_setup_pane_revalidate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->task_ms_adjustment, "value-changed",
                           G_CALLBACK (il_setup_pane_revalidate), self, G_CONNECT_SWAPPED);

  il_number_input_attach (self->workers_spin, self->input_label, _("Workers"));
  il_number_input_attach (self->tasks_spin, self->input_label, _("Tasks"));
  il_number_input_attach (self->task_ms_spin, self->input_label, _("Task length"));
  il_number_input_attach (self->switch_interval_spin, self->input_label, _("Switch interval"));

  sync_cpus_from_settings (self);
}

/* The spin button for @field ("workers", "tasks", "task-ms", "switch-interval"), for tests. */
GtkSpinButton *
il_setup_pane_get_spin (IlSetupPane *self, const char *field)
{
  g_return_val_if_fail (IL_IS_SETUP_PANE (self), NULL);

  if (g_strcmp0 (field, "workers") == 0)
    return self->workers_spin;
  if (g_strcmp0 (field, "tasks") == 0)
    return self->tasks_spin;
  if (g_strcmp0 (field, "task-ms") == 0)
    return self->task_ms_spin;
  if (g_strcmp0 (field, "switch-interval") == 0)
    return self->switch_interval_spin;
  return NULL;
}

/* The message about typed text that was not taken, or NULL when none is shown. */
const char *
il_setup_pane_get_input_message (IlSetupPane *self)
{
  g_return_val_if_fail (IL_IS_SETUP_PANE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->input_label))
           ? gtk_label_get_label (self->input_label) : NULL;
}

IlSetupPane *
il_setup_pane_new (void)
{
  return g_object_new (IL_TYPE_SETUP_PANE, NULL);
}
