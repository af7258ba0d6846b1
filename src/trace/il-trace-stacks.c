/* il-trace-stacks.c: the store of sampled Python stacks: interned frames and stacks, samples per thread, lookups. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-trace-private.h"
#include "il-trace-stacks.h"

#define FLAG_ON_CPU    1u
#define FLAG_HOLDS_GIL 2u

/* 16 bytes a sample: a stack is interned once, so a thread sampled 300 times a second for a
 * minute in one loop costs 280 KB, not a copy of its frames each time. */
typedef struct
{
  gint64  time_ns;
  guint32 stack;
  guint32 flags;
} Sample;

typedef struct
{
  gint64  pid;
  gint64  tid;
  GArray *samples;   /* of Sample, in time order */
} Thread;

typedef struct
{
  guint32 offset;    /* into stack_frames */
  guint32 n;
} StackRef;

/* A hash key of an interned stack: its frames, owned by the table. */
typedef struct
{
  guint n;
  guint ids[];
} StackKey;

struct _IlTraceStacks
{
  GMutex        lock;
  GStringChunk *strings;       /* const-inserted: equal strings are one pointer */
  GArray       *frames;        /* of IlStackFrame */
  GHashTable   *frame_ids;     /* "function\x1ffile\x1fline" → id + 1 */
  GArray       *stack_frames;  /* of guint: every interned stack's frames back to back */
  GArray       *stacks;        /* of StackRef */
  GHashTable   *stack_ids;     /* StackKey → id + 1 */
  GPtrArray    *threads;       /* of Thread*, in order of their first sample */
  GHashTable   *thread_index;  /* gint64[2] {pid, tid} → index + 1 */
  guint64       n_samples;
  gint64        interval_ns;   /* set by the sampler; 0: derived */
  gint64        median_ns;     /* derived, for median_at samples */
  guint64       median_at;
};

static guint
stack_key_hash (gconstpointer key)
{
  const StackKey *k = key;
  guint h = 5381 + k->n;

  for (guint i = 0; i < k->n; i++)
    h = h * 33 + k->ids[i];
  return h;
}

static gboolean
stack_key_equal (gconstpointer a, gconstpointer b)
{
  const StackKey *x = a, *y = b;

  return x->n == y->n && memcmp (x->ids, y->ids, x->n * sizeof (guint)) == 0;
}

static guint
thread_key_hash (gconstpointer key)
{
  const gint64 *k = key;

  return g_int64_hash (&k[0]) * 31 + g_int64_hash (&k[1]);
}

static gboolean
thread_key_equal (gconstpointer a, gconstpointer b)
{
  const gint64 *x = a, *y = b;

  return x[0] == y[0] && x[1] == y[1];
}

static void
thread_free (gpointer data)
{
  Thread *t = data;

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
  self->stack_frames = g_array_new (FALSE, FALSE, sizeof (guint));
  self->stacks = g_array_new (FALSE, FALSE, sizeof (StackRef));
  self->stack_ids = g_hash_table_new_full (stack_key_hash, stack_key_equal, g_free, NULL);
  self->threads = g_ptr_array_new_with_free_func (thread_free);
  self->thread_index = g_hash_table_new_full (thread_key_hash, thread_key_equal, g_free, NULL);
  return self;
}

void
il_trace_stacks_free (IlTraceStacks *self)
{
  if (self == NULL)
    return;
  g_string_chunk_free (self->strings);
  g_array_unref (self->frames);
  g_hash_table_unref (self->frame_ids);
  g_array_unref (self->stack_frames);
  g_array_unref (self->stacks);
  g_hash_table_unref (self->stack_ids);
  g_ptr_array_unref (self->threads);
  g_hash_table_unref (self->thread_index);
  g_mutex_clear (&self->lock);
  g_free (self);
}

guint
il_trace_stacks_intern_frame (IlTraceStacks *self, const char *function, const char *file, guint line)
{
  g_autofree char *key = NULL;
  gpointer found;
  IlStackFrame f;
  guint id;

  g_return_val_if_fail (self != NULL, 0);
  /* Whatever the sampler read from the program's memory, the store keeps text. */
  function = function != NULL && *function != '\0' ? function : "?";
  file = file != NULL ? file : "";
  key = g_strdup_printf ("%s\x1f%s\x1f%u", function, file, line);
  g_mutex_lock (&self->lock);
  if ((found = g_hash_table_lookup (self->frame_ids, key)) != NULL)
    {
      g_mutex_unlock (&self->lock);
      return GPOINTER_TO_UINT (found) - 1;
    }
  f.function = g_utf8_validate (function, -1, NULL) ? g_string_chunk_insert_const (self->strings, function) : NULL;
  if (f.function == NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (function, -1);
      f.function = g_string_chunk_insert_const (self->strings, valid);
    }
  f.file = g_utf8_validate (file, -1, NULL) ? g_string_chunk_insert_const (self->strings, file) : NULL;
  if (f.file == NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (file, -1);
      f.file = g_string_chunk_insert_const (self->strings, valid);
    }
  f.line = line;
  id = self->frames->len;
  g_array_append_val (self->frames, f);
  g_hash_table_insert (self->frame_ids, g_steal_pointer (&key), GUINT_TO_POINTER (id + 1));
  g_mutex_unlock (&self->lock);
  return id;
}

/* Called with the lock held. */
static guint32
intern_stack (IlTraceStacks *self, const guint *frames, guint n)
{
  StackKey *key = g_malloc (sizeof (StackKey) + n * sizeof (guint));
  gpointer found;
  StackRef ref;

  key->n = n;
  if (n > 0)
    memcpy (key->ids, frames, n * sizeof (guint));
  if ((found = g_hash_table_lookup (self->stack_ids, key)) != NULL)
    {
      g_free (key);
      return GPOINTER_TO_UINT (found) - 1;
    }
  ref.offset = self->stack_frames->len;
  ref.n = n;
  g_array_append_vals (self->stack_frames, frames, n);
  g_array_append_val (self->stacks, ref);
  g_hash_table_insert (self->stack_ids, key, GUINT_TO_POINTER (self->stacks->len));
  return self->stacks->len - 1;
}

static Thread *
find_thread (IlTraceStacks *self, gint64 pid, gint64 tid, guint *index)
{
  gint64 key[2] = { pid, tid };
  gpointer found = g_hash_table_lookup (self->thread_index, key);

  if (found == NULL)
    return NULL;
  if (index != NULL)
    *index = GPOINTER_TO_UINT (found) - 1;
  return g_ptr_array_index (self->threads, GPOINTER_TO_UINT (found) - 1);
}

/* Index of the first sample at or after @t_ns (len when none). */
static guint
lower_bound (GArray *samples, gint64 t_ns)
{
  guint lo = 0, hi = samples->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (samples, Sample, mid).time_ns < t_ns)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
il_trace_stacks_add_sample (IlTraceStacks *self, gint64 pid, gint64 tid, gint64 time_ns, gboolean on_cpu,
                            gboolean holds_gil, const guint *frames, guint n_frames)
{
  Sample s;
  Thread *t;

  g_return_if_fail (self != NULL);
  g_return_if_fail (frames != NULL || n_frames == 0);
  g_mutex_lock (&self->lock);
  /* A frame id the store never gave would be a sampler's bug; dropping the sample keeps the
   * store one that files and lookups can trust. */
  for (guint i = 0; i < n_frames; i++)
    if (frames[i] >= self->frames->len)
      {
        g_mutex_unlock (&self->lock);
        g_critical ("il_trace_stacks_add_sample: unknown frame id %u", frames[i]);
        return;
      }
  s.time_ns = time_ns;
  s.stack = intern_stack (self, frames, n_frames);
  s.flags = (on_cpu ? FLAG_ON_CPU : 0) | (holds_gil ? FLAG_HOLDS_GIL : 0);
  if ((t = find_thread (self, pid, tid, NULL)) == NULL)
    {
      gint64 *key = g_new (gint64, 2);

      t = g_new0 (Thread, 1);
      t->pid = key[0] = pid;
      t->tid = key[1] = tid;
      t->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
      g_ptr_array_add (self->threads, t);
      g_hash_table_insert (self->thread_index, key, GUINT_TO_POINTER (self->threads->len));
    }
  if (t->samples->len == 0 || g_array_index (t->samples, Sample, t->samples->len - 1).time_ns <= time_ns)
    g_array_append_val (t->samples, s);
  else
    g_array_insert_val (t->samples, lower_bound (t->samples, time_ns + 1), s);
  self->n_samples++;
  g_mutex_unlock (&self->lock);
}

guint
il_trace_stacks_get_n_frames (IlTraceStacks *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->frames->len;
  g_mutex_unlock (&self->lock);
  return n;
}

gboolean
il_trace_stacks_get_frame (IlTraceStacks *self, guint id, IlStackFrame *out)
{
  gboolean ok;

  g_mutex_lock (&self->lock);
  if ((ok = id < self->frames->len))
    *out = g_array_index (self->frames, IlStackFrame, id);
  g_mutex_unlock (&self->lock);
  return ok;
}

char *
il_trace_stacks_format_frame (IlTraceStacks *self, guint id)
{
  IlStackFrame f;
  const char *base;

  if (!il_trace_stacks_get_frame (self, id, &f))
    return g_strdup ("?");
  /* The base name: a path from a venv or /usr/lib says little a tooltip has room for. */
  base = strrchr (f.file, '/');
  base = base != NULL ? base + 1 : f.file;
  if (*base == '\0')
    return g_strdup_printf ("%s()", f.function);
  if (f.line == 0)
    return g_strdup_printf ("%s()  %s", f.function, base);
  return g_strdup_printf ("%s()  %s:%u", f.function, base, f.line);
}

guint64
il_trace_stacks_get_n_samples (IlTraceStacks *self)
{
  guint64 n;

  g_mutex_lock (&self->lock);
  n = self->n_samples;
  g_mutex_unlock (&self->lock);
  return n;
}

void
il_trace_stacks_set_interval_ns (IlTraceStacks *self, gint64 interval_ns)
{
  g_return_if_fail (interval_ns >= 0);
  g_mutex_lock (&self->lock);
  self->interval_ns = interval_ns;
  g_mutex_unlock (&self->lock);
}

static int
compare_gint64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Called with the lock held. The median gap, not the mean: a thread that sleeps between bursts
 * has a few long gaps that are not the interval. */
static gint64
interval_locked (IlTraceStacks *self)
{
  g_autoptr(GArray) gaps = NULL;

  if (self->interval_ns > 0)
    return self->interval_ns;
  if (self->median_at == self->n_samples)
    return self->median_ns;
  gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < self->threads->len && gaps->len < 100000; i++)
    {
      GArray *samples = ((Thread *) g_ptr_array_index (self->threads, i))->samples;

      for (guint k = 1; k < samples->len && gaps->len < 100000; k++)
        {
          gint64 gap = g_array_index (samples, Sample, k).time_ns - g_array_index (samples, Sample, k - 1).time_ns;

          if (gap > 0)
            g_array_append_val (gaps, gap);
        }
    }
  if (gaps->len > 0)
    qsort (gaps->data, gaps->len, sizeof (gint64), compare_gint64);
  self->median_ns = gaps->len > 0 ? g_array_index (gaps, gint64, gaps->len / 2) : 0;
  self->median_at = self->n_samples;
  return self->median_ns;
}

gint64
il_trace_stacks_get_interval_ns (IlTraceStacks *self)
{
  gint64 v;

  g_mutex_lock (&self->lock);
  v = interval_locked (self);
  g_mutex_unlock (&self->lock);
  return v;
}

gint64
il_trace_stacks_get_max_gap_ns (IlTraceStacks *self)
{
  return MAX (2 * il_trace_stacks_get_interval_ns (self), G_TIME_SPAN_MILLISECOND * 1000);
}

guint
il_trace_stacks_get_n_threads (IlTraceStacks *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->threads->len;
  g_mutex_unlock (&self->lock);
  return n;
}

void
il_trace_stacks_get_thread (IlTraceStacks *self, guint index, gint64 *pid, gint64 *tid, guint *n_samples)
{
  Thread *t;

  g_mutex_lock (&self->lock);
  g_assert (index < self->threads->len);
  t = g_ptr_array_index (self->threads, index);
  *pid = t->pid;
  *tid = t->tid;
  *n_samples = t->samples->len;
  g_mutex_unlock (&self->lock);
}

/* Called with the lock held. */
static void
fill_sample (IlTraceStacks *self, const Thread *t, guint index, IlStackSample *out)
{
  const Sample *s = &g_array_index (t->samples, Sample, index);
  const StackRef *ref = &g_array_index (self->stacks, StackRef, s->stack);

  memset (out, 0, sizeof *out);
  out->pid = t->pid;
  out->tid = t->tid;
  out->time_ns = s->time_ns;
  out->on_cpu = (s->flags & FLAG_ON_CPU) != 0;
  out->holds_gil = (s->flags & FLAG_HOLDS_GIL) != 0;
  out->n_frames = ref->n;
  if (ref->n > 0)
    memcpy (out->frames, &g_array_index (self->stack_frames, guint, ref->offset),
            MIN (ref->n, IL_STACK_SAMPLE_FRAMES) * sizeof (guint));
}

gboolean
il_trace_stacks_get_thread_sample (IlTraceStacks *self, guint index, guint sample, IlStackSample *out)
{
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (index < self->threads->len)
    {
      Thread *t = g_ptr_array_index (self->threads, index);

      if ((ok = sample < t->samples->len))
        fill_sample (self, t, sample, out);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

guint
il_trace_stacks_get_thread_stack (IlTraceStacks *self, guint index, guint sample, guint *frames, guint max)
{
  guint n = 0;

  g_mutex_lock (&self->lock);
  if (index < self->threads->len)
    {
      Thread *t = g_ptr_array_index (self->threads, index);

      if (sample < t->samples->len)
        {
          const StackRef *ref = &g_array_index (self->stacks, StackRef,
                                                g_array_index (t->samples, Sample, sample).stack);

          n = ref->n;
          if (n > 0 && max > 0)
            memcpy (frames, &g_array_index (self->stack_frames, guint, ref->offset), MIN (n, max) * sizeof (guint));
        }
    }
  g_mutex_unlock (&self->lock);
  return n;
}

/* Called with the lock held: the index of @t's sample nearest @time_ns within @max_gap_ns and
 * satisfying @flags (all set), or -1. */
static gint64
nearest_locked (const Thread *t, gint64 time_ns, gint64 max_gap_ns, guint32 flags)
{
  guint i = lower_bound (t->samples, time_ns);
  gint64 best = -1, best_gap = G_MAXINT64;

  /* Forwards and backwards from @time_ns, each only as far as the gap allows. */
  for (guint k = i; k < t->samples->len; k++)
    {
      const Sample *s = &g_array_index (t->samples, Sample, k);

      if (s->time_ns - time_ns > max_gap_ns)
        break;
      if ((s->flags & flags) == flags)
        {
          best = k;
          best_gap = s->time_ns - time_ns;
          break;
        }
    }
  for (guint k = i; k > 0; k--)
    {
      const Sample *s = &g_array_index (t->samples, Sample, k - 1);

      if (time_ns - s->time_ns > max_gap_ns || time_ns - s->time_ns >= best_gap)
        break;
      if ((s->flags & flags) == flags)
        {
          best = k - 1;
          break;
        }
    }
  return best;
}

gboolean
il_trace_stacks_find_sample (IlTraceStacks *self, gint64 pid, gint64 tid, gint64 time_ns, gint64 max_gap_ns,
                             IlStackSample *out)
{
  gboolean ok = FALSE;
  Thread *t;

  g_return_val_if_fail (self != NULL, FALSE);
  g_mutex_lock (&self->lock);
  if ((t = find_thread (self, pid, tid, NULL)) != NULL)
    {
      gint64 k = nearest_locked (t, time_ns, max_gap_ns, 0);

      if ((ok = k >= 0))
        fill_sample (self, t, (guint) k, out);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
il_trace_stacks_find_worker_sample (IlTraceStacks *self, IlRunTrace *run, guint worker, gint64 time_ns,
                                    gint64 max_gap_ns, IlStackSample *out)
{
  const IlWorkerInfo *info;

  if (worker >= il_run_trace_get_n_workers (run))
    return FALSE;
  info = il_run_trace_get_worker (run, worker);
  return il_trace_stacks_find_sample (self, info->pid, info->tid, time_ns, max_gap_ns, out);
}

gboolean
il_trace_stacks_find_gil_holder (IlTraceStacks *self, gint64 pid, gint64 except_tid, gint64 time_ns,
                                 gint64 max_gap_ns, IlStackSample *out)
{
  const Thread *best_t = NULL;
  gint64 best = -1, best_gap = G_MAXINT64;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->threads->len; i++)
    {
      const Thread *t = g_ptr_array_index (self->threads, i);
      gint64 k, gap;

      if (t->pid != pid || t->tid == except_tid || (k = nearest_locked (t, time_ns, max_gap_ns, FLAG_HOLDS_GIL)) < 0)
        continue;
      gap = ABS (g_array_index (t->samples, Sample, k).time_ns - time_ns);
      if (gap < best_gap)
        {
          best_t = t;
          best = k;
          best_gap = gap;
        }
    }
  if (best_t != NULL)
    fill_sample (self, best_t, (guint) best, out);
  g_mutex_unlock (&self->lock);
  return best_t != NULL;
}

guint
il_trace_stacks_dominant_frame (IlTraceStacks *self, gint64 pid, gint64 tid, gint64 t0, gint64 t1, double *share)
{
  g_autoptr(GHashTable) counts = NULL;
  guint best = G_MAXUINT, best_n = 0, total = 0;
  GHashTableIter iter;
  gpointer key, value;
  Thread *t;

  if (share != NULL)
    *share = 0;
  g_mutex_lock (&self->lock);
  if ((t = find_thread (self, pid, tid, NULL)) == NULL)
    {
      g_mutex_unlock (&self->lock);
      return G_MAXUINT;
    }
  counts = g_hash_table_new (NULL, NULL);
  for (guint k = lower_bound (t->samples, t0); k < t->samples->len; k++)
    {
      const Sample *s = &g_array_index (t->samples, Sample, k);
      const StackRef *ref = &g_array_index (self->stacks, StackRef, s->stack);
      guint frame, n;

      if (s->time_ns >= t1)
        break;
      total++;
      if (ref->n == 0)
        continue;
      frame = g_array_index (self->stack_frames, guint, ref->offset);
      n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (frame + 1))) + 1;
      g_hash_table_insert (counts, GUINT_TO_POINTER (frame + 1), GUINT_TO_POINTER (n));
    }
  g_mutex_unlock (&self->lock);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint frame = GPOINTER_TO_UINT (key) - 1, n = GPOINTER_TO_UINT (value);

      /* Ties go to the lower id, so a label does not flicker between redraws. */
      if (n > best_n || (n == best_n && frame < best))
        {
          best = frame;
          best_n = n;
        }
    }
  if (share != NULL && total > 0)
    *share = (double) best_n / total;
  return best;
}
