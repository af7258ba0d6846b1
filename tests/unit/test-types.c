/* test-types.c: the trace room's GTypes (enum nicks are machine names, boxed runs) and its cancel error. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "il-batch.h"
#include "il-run.h"
#include "il-sweep.h"
#include "il-trace-io.h"

/* The machine names as the documentation and the saved traces spell them, written out here so a
 * change to the names (in il-types.c or in the annotations of il-types.h) fails this test. */
static const char *const state_names[] = {
  "running", "ready", "gil-wait", "lock-wait", "io-wait", "loop-wait", "idle", "startup",
};
static const char *const executor_names[] = {
  "sequential", "threads", "processes", "async", "external",
};
static const char *const workload_names[] = {
  "cpu", "memory", "sleep", "disk", "mixed", "convoy",
};
static const char *const capture_names[] = {
  "auto", "kernel", "self", "sampled",
};
static const char *const wait_names[] = {
  "none", "sleep", "poll", "io", "child", "lock", "lock-unknown", "gil",
};
static const char *const task_status_names[] = {
  "ok", "cancelled", "failed", "pending",
};
/* These three have no _to_string(): the trace writer's words, the error codes, the basis. */
static const char *const worker_kind_names[] = { "thread", "process" };
static const char *const error_names[] = { "invalid", "failed", "cancelled", "unsupported" };
static const char *const speedup_basis_names[] = { "same-batch", "earlier-run" };

/* The _to_string() functions take their enum; these take an int so one loop checks them all. */
static const char *state_name (int v) { return il_state_to_string ((IlState) v); }
static const char *executor_name (int v) { return il_executor_to_string ((IlExecutorKind) v); }
static const char *workload_name (int v) { return il_workload_to_string ((IlWorkloadKind) v); }
static const char *capture_name (int v) { return il_capture_to_string ((IlCaptureKind) v); }
static const char *wait_name (int v) { return il_wait_kind_to_string ((IlWaitKind) v); }
static const char *task_status_name (int v) { return il_task_status_to_string ((IlTaskStatus) v); }

/* @type has exactly the values 0 … @n_names - 1, named @names; so has @to_string, when given. */
static void
check_enum (GType        type,
            const char  *type_name,
            const char  *const *names,
            guint        n_names,
            const char *(*to_string) (int v))
{
  g_autoptr(GEnumClass) klass = NULL;

  g_assert_true (G_TYPE_IS_ENUM (type));
  g_assert_cmpstr (g_type_name (type), ==, type_name);
  klass = g_type_class_ref (type);
  /* The IL_N_… counts are not values: a GtkDropDown over the type must not offer them. */
  g_assert_cmpuint (klass->n_values, ==, n_names);
  g_assert_null (g_enum_get_value (klass, (int) n_names));
  for (guint i = 0; i < n_names; i++)
    {
      GEnumValue *value = g_enum_get_value (klass, (int) i);

      g_assert_nonnull (value);
      g_assert_cmpstr (value->value_nick, ==, names[i]);
      g_assert_true (g_enum_get_value_by_nick (klass, names[i]) == value);
      if (to_string != NULL)
        g_assert_cmpstr (value->value_nick, ==, to_string ((int) i));
    }
}

static void
test_enums (void)
{
  check_enum (IL_TYPE_STATE, "IlState", state_names, G_N_ELEMENTS (state_names), state_name);
  g_assert_cmpuint (G_N_ELEMENTS (state_names), ==, IL_N_STATES);
  check_enum (IL_TYPE_EXECUTOR_KIND, "IlExecutorKind", executor_names,
              G_N_ELEMENTS (executor_names), executor_name);
  g_assert_cmpuint (G_N_ELEMENTS (executor_names), ==, IL_N_EXECUTORS);
  check_enum (IL_TYPE_WORKLOAD_KIND, "IlWorkloadKind", workload_names,
              G_N_ELEMENTS (workload_names), workload_name);
  g_assert_cmpuint (G_N_ELEMENTS (workload_names), ==, IL_N_WORKLOADS);
  check_enum (IL_TYPE_CAPTURE_KIND, "IlCaptureKind", capture_names,
              G_N_ELEMENTS (capture_names), capture_name);
  g_assert_cmpuint (G_N_ELEMENTS (capture_names), ==, IL_N_CAPTURES);
  check_enum (IL_TYPE_WAIT_KIND, "IlWaitKind", wait_names, G_N_ELEMENTS (wait_names), wait_name);
  g_assert_cmpuint (G_N_ELEMENTS (wait_names), ==, IL_N_WAITS);
  check_enum (IL_TYPE_TASK_STATUS, "IlTaskStatus", task_status_names,
              G_N_ELEMENTS (task_status_names), task_status_name);
  check_enum (IL_TYPE_WORKER_KIND, "IlWorkerKind", worker_kind_names,
              G_N_ELEMENTS (worker_kind_names), NULL);
  check_enum (IL_TYPE_ERROR, "IlError", error_names, G_N_ELEMENTS (error_names), NULL);
  check_enum (IL_TYPE_SPEEDUP_BASIS, "IlSpeedupBasis", speedup_basis_names,
              G_N_ELEMENTS (speedup_basis_names), NULL);
}

/* Worker kinds have no _to_string(): their names are checked against what a saved trace says. */
static void
test_worker_kind_in_file (void)
{
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(IlRunTrace) run = il_run_trace_new (NULL);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GEnumClass) klass = g_type_class_ref (IL_TYPE_WORKER_KIND);
  g_autoptr(GError) error = NULL;
  GMemoryOutputStream *mem;
  JsonObject *root, *first;
  JsonArray *workers;

  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 2, NULL);
  il_run_trace_add_worker (run, IL_WORKER_PROCESS, 3, 3, NULL);
  il_trace_add_run (trace, run);
  g_assert_true (il_trace_write (trace, out, "memory", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  mem = G_MEMORY_OUTPUT_STREAM (out);
  g_assert_true (json_parser_load_from_data (parser, g_memory_output_stream_get_data (mem),
                                             (gssize) g_memory_output_stream_get_data_size (mem),
                                             &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  first = json_array_get_object_element (json_object_get_array_member (root, "runs"), 0);
  workers = json_object_get_array_member (first, "workers");
  g_assert_cmpuint (json_array_get_length (workers), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *w = json_array_get_object_element (workers, i);
      const IlWorkerInfo *info = il_run_trace_get_worker (run, i);

      g_assert_cmpstr (json_object_get_string_member (w, "kind"), ==,
                       g_enum_get_value (klass, info->kind)->value_nick);
    }
}

static void
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* A run whose last reference sets @freed (data attached to a run goes with it). */
static IlRunTrace *
probed_run (gboolean *freed)
{
  IlRunTrace *run = il_run_trace_new (NULL);

  *freed = FALSE;
  il_run_trace_set_data (run, "probe", freed, set_flag);
  return run;
}

static void
test_boxed_run (void)
{
  gboolean freed;
  IlRunTrace *run = probed_run (&freed);
  IlRunTrace *copy;
  GValue value = G_VALUE_INIT;

  g_assert_true (G_TYPE_IS_BOXED (IL_TYPE_RUN_TRACE));
  g_assert_cmpstr (g_type_name (IL_TYPE_RUN_TRACE), ==, "IlRunTrace");

  /* A copy is the same run, one more reference. */
  copy = g_boxed_copy (IL_TYPE_RUN_TRACE, run);
  g_assert_true (copy == run);
  g_boxed_free (IL_TYPE_RUN_TRACE, copy);
  g_assert_false (freed);

  /* A GValue holds its own reference, and keeps the run when the caller lets go. */
  g_value_init (&value, IL_TYPE_RUN_TRACE);
  g_value_set_boxed (&value, run);
  il_run_trace_unref (run);
  g_assert_false (freed);
  g_assert_true (g_value_get_boxed (&value) == run);
  g_value_unset (&value);
  g_assert_true (freed);
}

static void
test_boxed_trace (void)
{
  gboolean freed;
  IlRunTrace *run = probed_run (&freed);
  IlTrace *trace = il_trace_new ();
  IlTrace *copy;

  g_assert_true (G_TYPE_IS_BOXED (IL_TYPE_TRACE));
  g_assert_cmpstr (g_type_name (IL_TYPE_TRACE), ==, "IlTrace");
  il_trace_add_run (trace, run);
  il_run_trace_unref (run);

  /* The trace's runs go with its last reference, not with a copy's. */
  copy = g_boxed_copy (IL_TYPE_TRACE, trace);
  g_assert_true (copy == trace);
  g_assert_true (il_trace_get_run (copy, 0) == run);
  g_boxed_free (IL_TYPE_TRACE, copy);
  g_assert_false (freed);
  il_trace_unref (trace);
  g_assert_true (freed);
}

/* A configuration is a value: a boxed copy is a new one, equal and independent. */
static void
test_boxed_config (void)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlRunConfig) copy = NULL;
  int cpu = 1;

  config->executor = IL_EXECUTOR_PROCESSES;
  config->label = g_strdup ("four processes");
  config->cpus = g_array_new (FALSE, FALSE, sizeof (int));
  g_array_append_val (config->cpus, cpu);
  copy = g_boxed_copy (IL_TYPE_RUN_CONFIG, config);
  g_assert_true (copy != config);
  g_assert_cmpint (copy->executor, ==, IL_EXECUTOR_PROCESSES);
  g_assert_cmpstr (copy->label, ==, "four processes");
  g_assert_true (copy->label != config->label);
  g_assert_true (copy->cpus != config->cpus);
  g_assert_cmpuint (copy->cpus->len, ==, 1);
  g_assert_true (il_run_config_same_work (copy, config));

  /* Traced programs: the same command is the same work; two programs never are, nor a program
   * and an executor run, whatever defaults they share. */
  {
    g_autoptr(IlRunConfig) a = il_run_config_new ();
    g_autoptr(IlRunConfig) b = il_run_config_new ();
    g_autoptr(IlRunConfig) plain = il_run_config_new ();
    char *argv_a[] = { "python3", "alone.py", "0", NULL };
    char *argv_b[] = { "python3", "alone.py", "2", NULL };

    il_run_config_set_program (a, g_strdupv (argv_a), NULL);
    il_run_config_set_program (b, g_strdupv (argv_b), NULL);
    g_assert_false (il_run_config_same_work (a, b));
    g_assert_false (il_run_config_same_work (a, plain));
    g_assert_false (il_run_config_same_work (plain, a));
    il_run_config_set_program (b, g_strdupv (argv_a), NULL);
    g_assert_true (il_run_config_same_work (a, b));
  }
}

/* A sweep is a value too: the copy has the same points and shares no array with the original. */
static void
test_boxed_sweep (void)
{
  g_autoptr(IlSweep) sweep = il_sweep_new ();
  g_autoptr(IlSweep) copy = NULL;
  IlSweepSeries *series = g_new0 (IlSweepSeries, 1);
  const IlSweepSeries *copied;
  guint counts[] = { 1, 2, 4 };
  gint64 walls[] = { 400, 210, 120 };

  g_assert_true (G_TYPE_IS_BOXED (IL_TYPE_SWEEP));
  g_array_append_vals (sweep->worker_counts, counts, G_N_ELEMENTS (counts));
  sweep->baseline_ns = 400;
  sweep->repeat = 3;
  sweep->title = g_strdup ("cpu");
  series->label = g_strdup ("threads");
  series->config = il_run_config_new ();
  series->wall_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (series->wall_ns, walls, G_N_ELEMENTS (walls));
  series->serial_fraction = 0.25;
  g_ptr_array_add (sweep->series, series);

  copy = g_boxed_copy (IL_TYPE_SWEEP, sweep);
  g_assert_true (copy != sweep);
  g_assert_true (copy->worker_counts != sweep->worker_counts);
  g_assert_cmpuint (copy->worker_counts->len, ==, 3);
  g_assert_cmpuint (g_array_index (copy->worker_counts, guint, 2), ==, 4);
  g_assert_cmpint (copy->baseline_ns, ==, 400);
  g_assert_cmpuint (copy->repeat, ==, 3);
  g_assert_cmpstr (copy->title, ==, "cpu");
  g_assert_cmpuint (copy->series->len, ==, 1);
  copied = g_ptr_array_index (copy->series, 0);
  g_assert_true (copied != series && copied->wall_ns != series->wall_ns);
  g_assert_true (copied->config != NULL && copied->config != series->config);
  g_assert_cmpstr (copied->label, ==, "threads");
  g_assert_cmpint (g_array_index (copied->wall_ns, gint64, 1), ==, 210);
  g_assert_null (copied->speedup_min);
  g_assert_cmpfloat (copied->serial_fraction, ==, 0.25);
  g_assert_cmpfloat (il_sweep_get_speedup (copy, copied, 2), ==,
                     il_sweep_get_speedup (sweep, series, 2));
}

/* A run stopped by its GCancellable fails with the documented IL_ERROR_CANCELLED (not GIO's), here
 * cancelled before it started: the run's own check, not the executor's. */
static void
test_cancel_error (void)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  config->executor = IL_EXECUTOR_SEQUENTIAL;
  config->workers = 1;
  config->workload = IL_WORKLOAD_SLEEP;
  config->tasks = 2;
  config->task_ms = 1;
  g_cancellable_cancel (cancellable);
  g_assert_null (il_run_sync (config, cancellable, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_CANCELLED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/types/enums", test_enums);
  g_test_add_func ("/types/worker-kind-in-file", test_worker_kind_in_file);
  g_test_add_func ("/types/boxed-run", test_boxed_run);
  g_test_add_func ("/types/boxed-trace", test_boxed_trace);
  g_test_add_func ("/types/boxed-config", test_boxed_config);
  g_test_add_func ("/types/boxed-sweep", test_boxed_sweep);
  g_test_add_func ("/types/cancel-error", test_cancel_error);
  return g_test_run ();
}
