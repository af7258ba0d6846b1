/* il-trace-speedscope.c: a trace's sampled Python stacks as a speedscope profile (one "sampled" profile per thread). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-atomic-file.h"
#include "il-json-write.h"
#include "il-trace-stacks.h"

/* speedscope's file format (https://www.speedscope.app/file-format-schema.json): frames shared
 * by every profile, and per thread a "sampled" profile whose samples list frame indices from the
 * outermost call to the innermost, each weighing the sampling interval in nanoseconds. Samples
 * where the thread ran no Python code (an empty stack) are left out. */

#define DEPTH_MAX 4096

static char *
profile_name (IlRunTrace *run, guint n_runs, gint64 pid, gint64 tid)
{
  g_autofree char *thread = NULL;

  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, w);

      if (info->pid == pid && info->tid == tid)
        {
          thread = il_run_trace_get_worker_label (run, w);
          break;
        }
    }
  if (thread == NULL)
    thread = g_strdup_printf ("pid %" G_GINT64_FORMAT " · tid %" G_GINT64_FORMAT, pid, tid);
  if (n_runs > 1)
    return g_strdup_printf ("%s — %s", il_run_trace_get_label (run), thread);
  return g_steal_pointer (&thread);
}

static void
add_run (JsonBuilder *frames, JsonBuilder *profiles, IlRunTrace *run, guint n_runs, guint *n_frames)
{
  IlTraceStacks *stacks = il_run_trace_get_stacks (run);
  guint base = *n_frames;
  gint64 interval;
  g_autofree guint *ids = g_new (guint, DEPTH_MAX);

  if (stacks == NULL)
    return;
  interval = MAX (il_trace_stacks_get_interval_ns (stacks), 1);
  for (guint i = 0; i < il_trace_stacks_get_n_frames (stacks); i++)
    {
      IlStackFrame f;

      il_trace_stacks_get_frame (stacks, i, &f);
      json_builder_begin_object (frames);
      json_builder_set_member_name (frames, "name");
      json_builder_add_string_value (frames, f.function);
      if (*f.file != '\0')
        {
          json_builder_set_member_name (frames, "file");
          json_builder_add_string_value (frames, f.file);
        }
      if (f.line > 0)
        {
          json_builder_set_member_name (frames, "line");
          json_builder_add_int_value (frames, f.line);
        }
      json_builder_end_object (frames);
      (*n_frames)++;
    }
  for (guint t = 0; t < il_trace_stacks_get_n_threads (stacks); t++)
    {
      g_autofree char *name = NULL;
      gint64 pid, tid, first = -1, last = 0;
      guint n_samples;

      il_trace_stacks_get_thread (stacks, t, &pid, &tid, &n_samples);
      name = profile_name (run, n_runs, pid, tid);
      json_builder_begin_object (profiles);
      json_builder_set_member_name (profiles, "type");
      json_builder_add_string_value (profiles, "sampled");
      json_builder_set_member_name (profiles, "name");
      json_builder_add_string_value (profiles, name);
      json_builder_set_member_name (profiles, "unit");
      json_builder_add_string_value (profiles, "nanoseconds");
      json_builder_set_member_name (profiles, "samples");
      json_builder_begin_array (profiles);
      for (guint k = 0; k < n_samples; k++)
        {
          IlStackSample s;
          guint n = il_trace_stacks_get_thread_stack (stacks, t, k, ids, DEPTH_MAX);

          il_trace_stacks_get_thread_sample (stacks, t, k, &s);
          if (n == 0)
            continue;
          n = MIN (n, DEPTH_MAX);
          if (first < 0)
            first = s.time_ns;
          last = s.time_ns;
          json_builder_begin_array (profiles);
          for (guint i = n; i > 0; i--)
            json_builder_add_int_value (profiles, base + ids[i - 1]);
          json_builder_end_array (profiles);
        }
      json_builder_end_array (profiles);
      json_builder_set_member_name (profiles, "weights");
      json_builder_begin_array (profiles);
      for (guint k = 0; k < n_samples; k++)
        if (il_trace_stacks_get_thread_stack (stacks, t, k, NULL, 0) > 0)
          json_builder_add_int_value (profiles, interval);
      json_builder_end_array (profiles);
      /* The profile's extent: its samples' times on the run's clock, so threads line up. */
      json_builder_set_member_name (profiles, "startValue");
      json_builder_add_int_value (profiles, first < 0 ? 0 : first);
      json_builder_set_member_name (profiles, "endValue");
      json_builder_add_int_value (profiles, first < 0 ? 0 : last + interval);
      json_builder_end_object (profiles);
    }
}

char *
il_trace_to_speedscope (IlTrace *trace, gsize *length)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonBuilder) frames = json_builder_new ();
  g_autoptr(JsonBuilder) profiles = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  guint n_frames = 0, n_runs = il_trace_get_n_runs (trace);
  const char *name = n_runs > 0 ? il_run_trace_get_label (il_trace_get_run (trace, 0)) : NULL;

  json_builder_begin_array (frames);
  json_builder_begin_array (profiles);
  for (guint r = 0; r < n_runs; r++)
    add_run (frames, profiles, il_trace_get_run (trace, r), n_runs, &n_frames);
  json_builder_end_array (frames);
  json_builder_end_array (profiles);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "$schema");
  json_builder_add_string_value (b, "https://www.speedscope.app/file-format-schema.json");
  json_builder_set_member_name (b, "exporter");
  json_builder_add_string_value (b, "Interleave " PACKAGE_VERSION);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name != NULL ? name : "Interleave");
  json_builder_set_member_name (b, "activeProfileIndex");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "shared");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "frames");
  json_builder_add_value (b, json_builder_get_root (frames));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "profiles");
  json_builder_add_value (b, json_builder_get_root (profiles));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return il_json_to_data (root, FALSE, 0, length);
}

gboolean
il_trace_has_stacks (IlTrace *trace)
{
  for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
    {
      IlTraceStacks *stacks = il_run_trace_get_stacks (il_trace_get_run (trace, r));

      if (stacks != NULL && il_trace_stacks_get_n_samples (stacks) > 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
il_trace_export_speedscope (IlTrace *trace, const char *path, GError **error)
{
  g_autoptr(IlAtomicFile) file = NULL;
  g_autofree char *text = NULL;
  gsize length;

  if (!il_trace_has_stacks (trace))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("The trace has no Python stacks to export as a profile"));
      return FALSE;
    }
  text = il_trace_to_speedscope (trace, &length);
  if ((file = il_atomic_file_new (path, error)) == NULL ||
      !g_output_stream_write_all (il_atomic_file_get_stream (file), text, length, NULL, NULL, error))
    return FALSE;
  return il_atomic_file_commit (g_steal_pointer (&file), error);
}
