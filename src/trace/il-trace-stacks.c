/* il-trace-stacks.c: sampled Python stacks of a traced program's threads (a minimal store). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Frames interned in a string chunk and a table; samples kept per thread in arrival order (the
 * sampler adds them in time order). The minimal subset the tracer's sampler needs; the store of
 * issue 20's views replaces it under the same declarations. */
#include "config.h"

#include <string.h>

#include "il-trace-stacks.h"

typedef struct
{
  gint64  pid, tid;
  GArray *samples;      /* of IlStackSample */
} StackThread;

struct _IlTraceStacks
{
  GMutex        lock;
  GStringChunk *strings;
  GArray       *frames;     /* of IlStackFrame */
  GHashTable   *frame_ids;  /* "function\nfile\nline" → id + 1 */
  GPtrArray    *threads;    /* of StackThread */
  GHashTable   *by_tid;     /* (pid, tid) key string → StackThread */
  guint64       n_samples;
};

static void
stack_thread_free (gpointer data)
{
  StackThread *t = data;

  g_array_unref (t->samples);
  g_free (t);
}

IlTraceStacks *
il_trace_stacks_new (void)
{
  IlTraceStacks *self = g_new0 (IlTraceStacks, 1);

  g_mutex_init (&self->lock);
  self->strings = g_string_chunk_new (4096);
  self->frames = g_array_new (FALSE, FALSE, sizeof (IlStackFrame));
  self->frame_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->threads = g_ptr_array_new_with_free_func (stack_thread_free);
  self->by_tid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
il_trace_stacks_free (IlTraceStacks *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->by_tid);
  g_ptr_array_unref (self->threads);
  g_hash_table_unref (self->frame_ids);
  g_array_unref (self->frames);
  g_string_chunk_free (self->strings);
  g_mutex_clear (&self->lock);
  g_free (self);
}

guint
il_trace_stacks_intern_frame (IlTraceStacks *self, const char *function, const char *file, guint line)
{
  g_autofree char *key = NULL;
  gpointer found;
  guint id;

  g_return_val_if_fail (self != NULL, 0);
  function = function != NULL ? function : "";
  file = file != NULL ? file : "";
  key = g_strdup_printf ("%s\n%s\n%u", function, file, line);
  g_mutex_lock (&self->lock);
  if ((found = g_hash_table_lookup (self->frame_ids, key)) != NULL)
    id = GPOINTER_TO_UINT (found) - 1;
  else
    {
      IlStackFrame f = { g_string_chunk_insert_const (self->strings, function),
                         g_string_chunk_insert_const (self->strings, file), line };

      id = self->frames->len;
      g_array_append_val (self->frames, f);
      g_hash_table_insert (self->frame_ids, g_steal_pointer (&key), GUINT_TO_POINTER (id + 1));
    }
  g_mutex_unlock (&self->lock);
  return id;
}

void
il_trace_stacks_add_sample (IlTraceStacks *self, gint64 pid, gint64 tid, gint64 time_ns, gboolean on_cpu,
                            gboolean holds_gil, const guint *frames, guint n_frames)
{
  char key[48];
  StackThread *t;
  IlStackSample s = { pid, tid, time_ns, on_cpu, holds_gil, n_frames, { 0 } };

  g_return_if_fail (self != NULL && (frames != NULL || n_frames == 0));
  memcpy (s.frames, frames, MIN (n_frames, IL_STACK_SAMPLE_FRAMES) * sizeof *frames);
  g_snprintf (key, sizeof key, "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, pid, tid);
  g_mutex_lock (&self->lock);
  if ((t = g_hash_table_lookup (self->by_tid, key)) == NULL)
    {
      t = g_new0 (StackThread, 1);
      t->pid = pid;
      t->tid = tid;
      t->samples = g_array_new (FALSE, FALSE, sizeof (IlStackSample));
      g_ptr_array_add (self->threads, t);
      g_hash_table_insert (self->by_tid, g_strdup (key), t);
    }
  g_array_append_val (t->samples, s);
  self->n_samples++;
  g_mutex_unlock (&self->lock);
}

guint
il_trace_stacks_get_n_frames (IlTraceStacks *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  n = self->frames->len;
  g_mutex_unlock (&self->lock);
  return n;
}

gboolean
il_trace_stacks_get_frame (IlTraceStacks *self, guint id, IlStackFrame *out)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL && out != NULL, FALSE);
  g_mutex_lock (&self->lock);
  ok = id < self->frames->len;
  if (ok)
    *out = g_array_index (self->frames, IlStackFrame, id);
  g_mutex_unlock (&self->lock);
  return ok;
}

guint64
il_trace_stacks_get_n_samples (IlTraceStacks *self)
{
  guint64 n;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  n = self->n_samples;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
il_trace_stacks_get_n_threads (IlTraceStacks *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  n = self->threads->len;
  g_mutex_unlock (&self->lock);
  return n;
}

void
il_trace_stacks_get_thread (IlTraceStacks *self, guint index, gint64 *pid, gint64 *tid, guint *n_samples)
{
  g_return_if_fail (self != NULL);
  g_mutex_lock (&self->lock);
  if (index < self->threads->len)
    {
      StackThread *t = g_ptr_array_index (self->threads, index);

      if (pid != NULL)
        *pid = t->pid;
      if (tid != NULL)
        *tid = t->tid;
      if (n_samples != NULL)
        *n_samples = t->samples->len;
    }
  g_mutex_unlock (&self->lock);
}

gboolean
il_trace_stacks_get_thread_sample (IlTraceStacks *self, guint index, guint sample, IlStackSample *out)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL && out != NULL, FALSE);
  g_mutex_lock (&self->lock);
  if (index < self->threads->len)
    {
      StackThread *t = g_ptr_array_index (self->threads, index);

      ok = sample < t->samples->len;
      if (ok)
        *out = g_array_index (t->samples, IlStackSample, sample);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

#define STACKS_KEY "il-trace-stacks"

void
il_run_trace_set_stacks (IlRunTrace *trace, IlTraceStacks *stacks)
{
  g_return_if_fail (trace != NULL);
  il_run_trace_set_data (trace, STACKS_KEY, stacks, (GDestroyNotify) il_trace_stacks_free);
}

IlTraceStacks *
il_run_trace_get_stacks (IlRunTrace *trace)
{
  g_return_val_if_fail (trace != NULL, NULL);
  return il_run_trace_get_data (trace, STACKS_KEY);
}
