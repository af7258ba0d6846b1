/* il-cpu-sampler.c: the rest of the machine while a run goes on: /proc/stat sampled by a small
 * thread into the per-CPU "other programs" series of the run, and the quiet-machine check. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-cpu-sampler.h"
#include "il-trace.h"
#include "il-types.h"

/* Reading /proc/stat ---------------------------------------------------------------------------- */

/* Clock ticks of /proc/stat per nanosecond. */
static gint64
tick_ns (void)
{
  long hz = sysconf (_SC_CLK_TCK);
  return G_GINT64_CONSTANT (1000000000) / (hz > 0 ? hz : 100);
}

/* Reads the "cpuN user nice system idle iowait irq softirq steal …" lines into @busy and @steal
 * (nanoseconds, indexed by CPU, @n entries; CPUs without a line stay 0). No allocation. */
static gboolean
read_proc_stat (int fd, char *buf, gsize size, guint n, gint64 ns_per_tick, gint64 *busy,
                gint64 *steal, gint64 *total_out)
{
  gsize len = 0;
  const char *p;

  if (lseek (fd, 0, SEEK_SET) < 0)
    return FALSE;
  while (len < size - 1)
    {
      ssize_t r = read (fd, buf + len, size - 1 - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return FALSE;
      if (r == 0)
        break;
      len += (gsize) r;
    }
  buf[len] = '\0';

  memset (busy, 0, n * sizeof (gint64));
  memset (steal, 0, n * sizeof (gint64));
  if (total_out != NULL)
    *total_out = 0;

  for (p = buf; p != NULL && *p != '\0'; p = strchr (p, '\n'), p = p != NULL ? p + 1 : NULL)
    {
      guint64 f[8] = { 0 };
      char *end;
      gboolean aggregate;
      unsigned long cpu = 0;

      if (strncmp (p, "cpu", 3) != 0)
        {
          /* The cpu lines come first: nothing after them matters. */
          if (p != buf)
            break;
          continue;
        }
      aggregate = p[3] == ' ';
      if (!aggregate)
        {
          cpu = strtoul (p + 3, &end, 10);
          p = end;
        }
      else
        p += 3;
      for (guint i = 0; i < G_N_ELEMENTS (f); i++)
        {
          f[i] = g_ascii_strtoull (p, &end, 10);
          if (end == p)
            break;
          p = end;
        }
      /* user nice system idle iowait irq softirq steal; guest time is already in user. */
      if (aggregate)
        {
          if (total_out != NULL)
            *total_out = (gint64) (f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7]) * ns_per_tick;
          continue;
        }
      if (cpu < n)
        {
          busy[cpu] = (gint64) (f[0] + f[1] + f[2] + f[5] + f[6]) * ns_per_tick;
          steal[cpu] = (gint64) f[7] * ns_per_tick;
        }
    }
  return TRUE;
}

/* Other processes ------------------------------------------------------------------------------- */

/* One process in /proc at one moment: its parent and the CPU time it has used. */
typedef struct
{
  int    ppid;
  gint64 ticks;    /* utime + stime */
  char   comm[32];
} ProcStat;

/* /proc/[pid]/stat: "pid (comm) state ppid … utime stime …"; comm may hold spaces and
 * parentheses, so the fields are counted from its last ')'. */
static gboolean
read_proc_pid_stat (const char *pid, ProcStat *out)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *buf = NULL;
  const char *open_paren, *close_paren, *p;

  /* A process may end between the listing and here: then it has nothing to count. */
  if (!g_file_get_contents (path, &buf, NULL, NULL))
    return FALSE;
  if ((open_paren = strchr (buf, '(')) == NULL || (close_paren = strrchr (buf, ')')) == NULL ||
      close_paren < open_paren)
    return FALSE;
  g_strlcpy (out->comm, open_paren + 1,
             MIN (sizeof out->comm, (gsize) (close_paren - open_paren)));
  /* Fields 3 (state) on: ppid is the 2nd after ')', utime the 12th, stime the 13th. */
  p = close_paren + 1;
  out->ticks = 0;
  for (guint field = 1; field <= 13; field++)
    {
      char *end;
      guint64 v;

      while (*p == ' ')
        p++;
      if (field == 1)
        {
          while (*p != '\0' && *p != ' ')
            p++;
          continue;
        }
      v = g_ascii_strtoull (p, &end, 10);
      if (end == p)
        return FALSE;
      p = end;
      if (field == 2)
        out->ppid = (int) v;
      else if (field >= 12)
        out->ticks += (gint64) v;
    }
  return TRUE;
}

/* Every process's CPU time now, by pid. A few hundred small reads: taken twice per run, on the
 * sampler's thread at the start and once the run has ended. */
static GHashTable *
proc_snapshot (void)
{
  GHashTable *procs = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  GDir *dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  if (dir == NULL)
    return procs;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      ProcStat st = { 0 };

      if (!g_ascii_isdigit (name[0]) || !read_proc_pid_stat (name, &st))
        continue;
      g_hash_table_insert (procs, GINT_TO_POINTER (atoi (name)), g_memdup2 (&st, sizeof st));
    }
  g_dir_close (dir);
  return procs;
}

/* This process or one it started (workers, a traced program and its children): the run's own. */
static gboolean
proc_is_ours (GHashTable *a, GHashTable *b, int pid, int self)
{
  for (guint depth = 0; depth < 256 && pid > 1; depth++)
    {
      const ProcStat *st = g_hash_table_lookup (b, GINT_TO_POINTER (pid));

      if (pid == self)
        return TRUE;
      if (st == NULL)
        st = g_hash_table_lookup (a, GINT_TO_POINTER (pid));
      if (st == NULL)
        return FALSE;
      pid = st->ppid;
    }
  return FALSE;
}

/* The sampler ----------------------------------------------------------------------------------- */

struct _IlCpuSampler
{
  int       fd;
  char     *buf;
  gsize     buf_size;
  guint     n;            /* CPUs of the machine: each sample has 1 + 2n values */
  gint64    ns_per_tick;
  gint64    interval_ns;
  gint64   *scratch;      /* busy[n], steal[n] of the sample being read */

  GThread  *thread;
  GMutex    mutex;
  GCond     cond;
  gboolean  stopping;
  GArray   *samples;      /* of gint64: t, busy0, steal0, busy1, steal1, … (under mutex) */

  /* The owner's side: where rows were made up to, and what rounding carried over per CPU. */
  guint     next;         /* index of the sample that ends the next interval */
  gint64   *carry;        /* [n] */
  gint64   *work;         /* [n] running time of the run's workers per CPU in one interval */
  gint64   *raw;          /* [n] busy minus work plus carry, one interval */

  GHashTable *procs_start; /* pid → ProcStat when sampling began (taken by the thread) */
  char     *top_name;     /* the other process that used the most CPU time, once stopped */
  gint64    top_ns;
};

static void
sampler_take (IlCpuSampler *self)
{
  gint64 t = il_clock_now_ns ();
  gint64 *busy = self->scratch, *steal = self->scratch + self->n;

  if (!read_proc_stat (self->fd, self->buf, self->buf_size, self->n, self->ns_per_tick, busy, steal,
                       NULL))
    return;

  g_mutex_lock (&self->mutex);
  g_array_append_val (self->samples, t);
  for (guint c = 0; c < self->n; c++)
    {
      g_array_append_val (self->samples, busy[c]);
      g_array_append_val (self->samples, steal[c]);
    }
  g_mutex_unlock (&self->mutex);
}

static gpointer
sampler_thread (gpointer data)
{
  IlCpuSampler *self = data;
  GHashTable *procs = proc_snapshot ();
  gint64 next = il_clock_now_ns ();

  g_mutex_lock (&self->mutex);
  self->procs_start = procs;
  while (!self->stopping)
    {
      /* Steady ticks on an absolute schedule: a late wake-up does not shift the later ones (but
       * after a long stall the schedule starts again rather than sampling back to back). */
      next += self->interval_ns;
      if (il_clock_now_ns () - next > self->interval_ns)
        next = il_clock_now_ns () + self->interval_ns;
      while (!self->stopping)
        {
          gint64 now = il_clock_now_ns ();
          if (now >= next)
            break;
          /* g_cond_wait_until() takes g_get_monotonic_time(), CLOCK_MONOTONIC in µs. */
          g_cond_wait_until (&self->cond, &self->mutex,
                             g_get_monotonic_time () + (next - now + 999) / 1000);
        }
      if (self->stopping)
        break;
      g_mutex_unlock (&self->mutex);
      sampler_take (self);
      g_mutex_lock (&self->mutex);
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

static gboolean
sampler_open (IlCpuSampler *self, GError **error)
{
  self->fd = g_open ("/proc/stat", O_RDONLY | O_CLOEXEC, 0);
  if (self->fd < 0)
    {
      int saved = errno;
      g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                   _("Cannot read how busy the CPUs are (/proc/stat): %s"), g_strerror (saved));
      return FALSE;
    }
  self->n = il_cpu_count ();
  self->ns_per_tick = tick_ns ();
  /* The CPU lines come first; the interrupt counts after them can be long and are not read. */
  self->buf_size = 4096 + (gsize) self->n * 160;
  self->buf = g_malloc (self->buf_size);
  self->scratch = g_new0 (gint64, 2 * (gsize) self->n);
  return TRUE;
}

IlCpuSampler *
il_cpu_sampler_start (gint64 interval_ns, GError **error)
{
  g_autoptr(IlCpuSampler) self = g_new0 (IlCpuSampler, 1);

  g_return_val_if_fail (interval_ns > 0, NULL);

  self->fd = -1;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  if (!sampler_open (self, error))
    return NULL;
  self->interval_ns = interval_ns;
  self->carry = g_new0 (gint64, self->n);
  self->raw = g_new0 (gint64, self->n);
  self->work = g_new0 (gint64, self->n);
  /* A minute of samples before the buffer first grows (it then doubles). */
  self->samples = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                                     (guint) ((1 + 2 * self->n) * (60 * G_GINT64_CONSTANT (1000000000) / interval_ns)));
  sampler_take (self);
  if (self->samples->len == 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                   _("Cannot read how busy the CPUs are (/proc/stat)"));
      return NULL;
    }
  self->thread = g_thread_new ("il-cpu-sampler", sampler_thread, self);
  return g_steal_pointer (&self);
}

/* The other program whose CPU time grew the most since sampling began, its processes summed by
 * name (a browser is many processes; a process started since counts whole), leaving out this
 * process and every process it started. */
static void
sampler_find_top_other (IlCpuSampler *self)
{
  g_autoptr(GHashTable) end = NULL;
  g_autoptr(GHashTable) by_name = NULL;
  GHashTableIter iter;
  gpointer key, value;
  int me = getpid ();

  if (self->procs_start == NULL)
    return;
  end = proc_snapshot ();
  by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_iter_init (&iter, end);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ProcStat *b = value;
      const ProcStat *a = g_hash_table_lookup (self->procs_start, key);
      gint64 used = (b->ticks - (a != NULL ? a->ticks : 0)) * self->ns_per_tick;
      gint64 *sum;

      if (used <= 0 || proc_is_ours (self->procs_start, end, GPOINTER_TO_INT (key), me))
        continue;
      if ((sum = g_hash_table_lookup (by_name, b->comm)) == NULL)
        g_hash_table_insert (by_name, b->comm, (sum = g_new0 (gint64, 1)));
      *sum += used;
      if (*sum > self->top_ns)
        {
          g_free (self->top_name);
          self->top_name = g_strdup (b->comm);
          self->top_ns = *sum;
        }
    }
}

const char *
il_cpu_sampler_get_top_other (IlCpuSampler *self, gint64 *cpu_ns)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (cpu_ns != NULL)
    *cpu_ns = self->top_ns;
  return self->top_name;
}

void
il_cpu_sampler_stop (IlCpuSampler *self)
{
  g_return_if_fail (self != NULL);

  if (self->thread == NULL)
    return;
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_thread_join (self->thread);
  self->thread = NULL;
  sampler_take (self);
  sampler_find_top_other (self);
}

void
il_cpu_sampler_free (IlCpuSampler *self)
{
  if (self == NULL)
    return;
  il_cpu_sampler_stop (self);
  if (self->fd >= 0)
    close (self->fd);
  g_clear_pointer (&self->samples, g_array_unref);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self->buf);
  g_free (self->scratch);
  g_free (self->carry);
  g_free (self->raw);
  g_free (self->work);
  g_clear_pointer (&self->procs_start, g_hash_table_unref);
  g_free (self->top_name);
  g_free (self);
}

void
il_cpu_sampler_rewind (IlCpuSampler *self)
{
  g_return_if_fail (self != NULL);

  self->next = 0;
  memset (self->carry, 0, self->n * sizeof (gint64));
}

typedef struct
{
  gint64  t0, t1;
  gint64 *work;
  guint   n;
} WorkSum;

static gboolean
add_running (const IlSpan *span, gpointer data)
{
  WorkSum *w = data;

  if (span->state == IL_STATE_RUNNING && span->cpu >= 0 && (guint) span->cpu < w->n)
    w->work[span->cpu] += MIN (span->end_ns, w->t1) - MAX (span->start_ns, w->t0);
  return TRUE;
}

guint
il_cpu_sampler_update (IlCpuSampler *self, IlCpuLoad *load, IlRunTrace *run, gint64 origin_ns,
                       gint64 upto_ns, gint64 clip_ns)
{
  guint stride, n_samples, n_workers, added = 0;
  const gint64 *s;
  GArray *undrawn;
  gint64 undrawn_max_ns = 0;
  gboolean exact;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (load != NULL, 0);
  g_return_val_if_fail (run != NULL, 0);

  stride = 1 + 2 * self->n;
  n_workers = il_run_trace_get_n_workers (run);
  undrawn = il_run_trace_get_undrawn (run, &undrawn_max_ns);
  exact = il_run_trace_get_capture (run) == IL_CAPTURE_KERNEL;

  /* Only the owner appends rows and reads past what it read before; the thread may grow (move)
   * the buffer, so it is read under the lock. Intervals are few (100 a second): cheap. */
  g_mutex_lock (&self->mutex);
  n_samples = self->samples->len / stride;
  s = (const gint64 *) (gpointer) self->samples->data;

  if (self->next == 0)
    self->next = 1;
  for (; self->next < n_samples; self->next++)
    {
      const gint64 *a = s + (gsize) (self->next - 1) * stride;
      const gint64 *b = s + (gsize) self->next * stride;
      gint64 t0 = MAX (a[0] - origin_ns, 0), t1 = b[0] - origin_ns, t1_sampled;
      double part;
      WorkSum ws;

      if (t1 > upto_ns)
        break;
      /* The first sample comes a little before the run's start and the last a little after its
       * end: only the part of an interval within the run counts, in proportion. */
      t1_sampled = t1;
      t1 = MIN (t1, clip_ns);
      if (t1 <= t0)
        continue;
      part = MIN ((double) (t1 - t0) / (double) MAX (t1_sampled - (a[0] - origin_ns), 1), 1.0);
      ws = (WorkSum) { t0, t1, self->work, self->n };

      memset (self->work, 0, self->n * sizeof (gint64));
      for (guint w = 0; w < n_workers; w++)
        il_lane_foreach_in_range (il_run_trace_get_lane (run, w), t0, t1, add_running, &ws);
      /* The run's own processes without a lane (a traced program's launchers) are not others.
       * In order of start: back from the last that starts before t1, while one could still
       * reach t0. */
      if (undrawn != NULL && undrawn->len > 0)
        {
          guint lo = 0, hi = undrawn->len;

          while (lo < hi)
            {
              guint mid = lo + (hi - lo) / 2;

              if (g_array_index (undrawn, IlSpan, mid).start_ns < t1)
                lo = mid + 1;
              else
                hi = mid;
            }
          for (guint i = lo; i-- > 0;)
            {
              const IlSpan *u = &g_array_index (undrawn, IlSpan, i);

              if (u->start_ns + undrawn_max_ns <= t0)
                break;
              if (u->end_ns > t0)
                add_running (u, &ws);
            }
        }

      /* Busy time comes in whole ticks, the workers' time to the nanosecond: what one
       * interval's rounding gave too much or too little goes into the next, so the series
       * sums to the truth while no interval goes below zero or above what was free. */
      for (guint c = 0; c < self->n; c++)
        {
          gint64 busy = (gint64) ((b[1 + 2 * c] - a[1 + 2 * c]) * part);

          self->raw[c] = busy - self->work[c] + self->carry[c];
        }
      /* Sampled and self captures place a thread's time on the CPU it was seen on, which may
       * not be where all of it ran: one CPU then shows more work than it was busy, another
       * busy time nobody had. Within the interval the one makes up for the other, so only
       * what the machine as a whole did besides the run counts (the kernel capture knows
       * each CPU exactly). */
      if (!exact)
        {
          gint64 pos = 0, neg = 0, shift;

          for (guint c = 0; c < self->n; c++)
            if (il_cpu_load_has_cpu (load, (int) c))
              {
                pos += MAX (self->raw[c], 0);
                neg += MAX (-self->raw[c], 0);
              }
          shift = MIN (pos, neg);
          for (guint c = 0; c < self->n && shift > 0; c++)
            if (il_cpu_load_has_cpu (load, (int) c))
              self->raw[c] -= self->raw[c] > 0 ? (gint64) ((double) shift * self->raw[c] / pos)
                                              : -(gint64) ((double) shift * -self->raw[c] / neg);
        }
      for (guint c = 0; c < self->n; c++)
        {
          IlCpuLoadRow row = { t0, t1, 0, 0 };
          gint64 len = t1 - t0;
          gint64 steal = (gint64) ((b[2 + 2 * c] - a[2 + 2 * c]) * part);
          gint64 other, room;

          if (!il_cpu_load_has_cpu (load, (int) c))
            continue;
          other = self->raw[c];
          room = MAX (0, len - self->work[c]);
          row.other_ns = CLAMP (other, 0, room);
          self->carry[c] = CLAMP (other - row.other_ns, -len, len);
          row.steal_ns = CLAMP (steal, 0, len);
          il_cpu_load_append (load, (int) c, &row);
        }
      added++;
    }
  g_mutex_unlock (&self->mutex);
  return added;
}

/* The quiet-machine check ----------------------------------------------------------------------- */

double
il_cpu_load_measure_busy (gint64 duration_ns, GError **error)
{
  IlCpuSampler s = { 0 };
  g_autofree gint64 *a = NULL, *b = NULL;
  gint64 total_a = 0, total_b = 0, busy = 0, self_a, self_b;
  double share;

  s.fd = -1;
  if (!sampler_open (&s, error))
    return -1;
  a = g_new0 (gint64, 2 * (gsize) s.n);
  b = g_new0 (gint64, 2 * (gsize) s.n);
  self_a = il_clock_process_cpu_ns ();
  if (!read_proc_stat (s.fd, s.buf, s.buf_size, s.n, s.ns_per_tick, a, a + s.n, &total_a))
    goto fail;
  g_usleep ((gulong) (duration_ns / 1000));
  if (!read_proc_stat (s.fd, s.buf, s.buf_size, s.n, s.ns_per_tick, b, b + s.n, &total_b))
    goto fail;
  self_b = il_clock_process_cpu_ns ();

  for (guint c = 0; c < s.n; c++)
    busy += (b[c] - a[c]) + (b[s.n + c] - a[s.n + c]);
  /* Not another program: this process (the window laying out its first frames as a lesson
   * starts took 40 % of 2 CPUs during the check and was reported as a busy machine). */
  busy = MAX (0, busy - (self_b - self_a));
  share = total_b > total_a ? (double) busy / (double) (total_b - total_a) : 0.0;
  close (s.fd);
  g_free (s.buf);
  g_free (s.scratch);
  return CLAMP (share, 0.0, 1.0);

fail:
  g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
               _("Cannot read how busy the CPUs are (/proc/stat)"));
  close (s.fd);
  g_free (s.buf);
  g_free (s.scratch);
  return -1;
}

static void
measure_busy_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  double share = il_cpu_load_measure_busy (*(gint64 *) data, &error);

  if (share < 0)
    g_task_return_error (task, error);
  else
    {
      double *result = g_new (double, 1);
      *result = share;
      g_task_return_pointer (task, result, g_free);
    }
}

void
il_cpu_load_measure_busy_async (gint64 duration_ns, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  gint64 *d = g_new (gint64, 1);

  *d = duration_ns;
  g_task_set_source_tag (task, il_cpu_load_measure_busy_async);
  g_task_set_task_data (task, d, g_free);
  g_task_run_in_thread (task, measure_busy_thread);
}

double
il_cpu_load_measure_busy_finish (GAsyncResult *result, GError **error)
{
  g_autofree double *share = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);

  share = g_task_propagate_pointer (G_TASK (result), error);
  return share != NULL ? *share : -1;
}
