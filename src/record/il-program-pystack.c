/* il-program-pystack.c: a live CPython process's threads, Python stacks, GIL holder and thread names, read from its memory. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reads a CPython process from outside, as py-spy does: process_vm_readv (or /proc/PID/mem when
 * a seccomp filter refuses the system call) from its _PyRuntime (found by il-program-python.c)
 * to the interpreter, its thread states, each one's frames and their code objects. Never stops
 * the process: it runs on while we read, so any pointer may be stale and every read may fail;
 * a failed read loses one thread's sample, never more.
 *
 * Versions (64-bit Linux; offsets in il-program-pystack-layouts.c):
 *   3.8-3.10  thread states from interp->tstate_head; frame objects (f_back, f_code, f_lasti);
 *             lines from co_lnotab (3.8, 3.9) or 3.10's co_linetable; the GIL's holder is
 *             _PyRuntime.gilstate.tstate_current; no native thread id in the thread state: the
 *             main thread's is the pid (its ident is _PyRuntime.main_thread), the others' from
 *             glibc's pthread (checked on the main thread first), else their Thread._native_id.
 *   3.11-3.12 thread states from interp->threads.head; ts->cframe->current_frame, a
 *             _PyInterpreterFrame chain; the GIL's holder: gilstate.tstate_current (3.11), the
 *             interpreter's _gil while locked (3.12).
 *   3.13      the offsets CPython publishes at the start of _PyRuntime (_Py_DebugOffsets,
 *             cookie "xdebugpy") for all but thread names' ht_cached_keys and frames' f_globals.
 *   Names in every version: threading._active (sys.modules → threading → _active, ident →
 *   Thread), each Thread's _name from its __dict__ (3.8-3.10), its managed dict or values
 *   (3.11, 3.12) or its inline values (3.13). Each sample checks that every thread state points
 *   back at its interpreter (a wrong layout is refused, not read); tests/program/test-pystack.c
 *   reads every version installed. Anything else with a _PyRuntime (3.7; 3.14+, whose
 *   _Py_DebugOffsets differ; a free-threaded build) is refused with the reason: guessing its
 *   layout would read random memory. (2.7 and 3.6 have no _PyRuntime: never read at all.)
 *
 * Lines: from the code object's line table at the frame's last instruction, so a sample names
 * the line running, not only the function's first line.
 *
 * Reads: a system call costs far more than the bytes it copies, so the reads of a sample that do
 * not depend on one another go in one process_vm_readv (a Batch), and each sample guesses from
 * the one before where every thread's stack is, in the same call as the thread states: in steady
 * state a process's sample is one system call (docs/capture.md, "How much it reads"). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "il-program-private.h"
#include "il-program-pystack-private.h"
#include "il-trace-stacks.h"

#define MAX_THREADS      512
#define MAX_TABLE        65536      /* the longest line table read */
#define MAX_DICT_ENTRIES 4096
#define CACHE_NS         G_GINT64_CONSTANT (1000000000) /* code objects re-read every second: a
                                                          * freed one's address may be reused */

typedef struct
{
  char    *function, *file;
  int      firstlineno;
  guint8  *table;
  gsize    table_len;
} Code;

/* Reads that do not depend on one another, asked for in one process_vm_readv (IOV_MAX at a
 * time): a system call costs several µs here, far more than the bytes it copies. */
#define BATCH_MAX (2 * MAX_THREADS + 8)

typedef struct
{
  guint        n;
  struct iovec local[BATCH_MAX], remote[BATCH_MAX];
  gboolean     ok[BATCH_MAX];
} Batch;

/* A thread's frame window: where it ends (the end of the innermost frame it was read for;
 * 0: none), the part read (@at, @len) and the reads of its two parts in the batch. */
typedef struct
{
  guint64 end, at;
  gsize   len;
  int     at_high, at_low;
} Window;

struct _PyReader
{
  int         pid;
  guint64     runtime;
  PyLayout    L;
  int         mem_fd;            /* /proc/PID/mem once process_vm_readv was refused; else -1 */
  int         last_errno;
  GHashTable *codes;             /* (code address, globals) → Code */
  GHashTable *frame_ids;         /* (code, instruction) → frame id + 1 */
  gint64      cache_ns;
  guint64     threading_dict;    /* threading's module dict, once found */
  guint64     active_dict;       /* threading._active */
  guint64     mp_dict;           /* multiprocessing.process's module dict, once found */
  guint64     main_ident;        /* 3.8-3.10: _PyRuntime.main_thread, once set */
  int         pthread_tid;       /* 3.8-3.10: 1: glibc's pthread holds the tid at PTHREAD_TID_AT */
  GHashTable *native_ids;        /* 3.8-3.10: ident → tid, from threading's Thread._native_id */
  /* The last sample's thread states: read again together, in one system call with the
   * interpreter's list head and the GIL's holder, while the list stays the same. */
  guint64     interp_seen;
  GArray     *ts_seen;           /* of guint64, the list's order */
  guint8     *ts_bufs;           /* ts_size bytes a thread state */
  guint8     *windows;           /* FRAME_WINDOW bytes a thread */
  Window     *wins;              /* …what each holds, and its end: the next sample's guess */
  guint64    *cframes;           /* 3.11-3.12: each thread's last cframe… */
  guint64    *cframe_frames;     /* …and the innermost frame read from it */
  int        *at_cframe;         /* …where in the batch that read is (-1: none) */
  guint8     *frame_bufs;        /* fr_size bytes a thread: the frame its walk is at */
  guint64    *outside;           /* each thread's first frame no window held (3.12+: the C
                                  * stack's entry frame), guessed with the thread states… */
  guint8     *outside_bufs;      /* …into these fr_size bytes… */
  int        *at_outside;        /* …by this read of the batch (-1: none) */
  guint       bufs_cap;          /* threads each of these has room for */
  GHashTable *low_unmapped;      /* pages below a frame window found unreadable (as set) */
  Batch       batch;
};

/* A code object is known by its address and its frame's globals: a code object freed and
 * another made at its address within the cache's second (site.py's module code, then the
 * program's functions, at start-up) would otherwise keep the first one's name; the globals of
 * the module each comes from tell them apart. instr: 0 in the key of a Code. */
typedef struct
{
  guint64 code, globals, instr;
} FrameKey;

static guint
frame_key_hash (gconstpointer data)
{
  const FrameKey *k = data;
  guint64 h = (k->code ^ (k->globals << 7)) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ k->instr;

  return (guint) (h ^ (h >> 32));
}

static gboolean
frame_key_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (FrameKey)) == 0;
}

static void
code_free (gpointer data)
{
  Code *c = data;

  g_free (c->function);
  g_free (c->file);
  g_free (c->table);
  g_free (c);
}

/* One read of @n bytes at @addr; FALSE when any of it could not be read. */
static gboolean
rd (PyReader *r, guint64 addr, gpointer buf, gsize n)
{
  if (addr == 0)
    return FALSE;
  if (r->mem_fd < 0)
    {
      struct iovec local = { buf, n }, remote = { GSIZE_TO_POINTER (addr), n };
      ssize_t got = process_vm_readv (r->pid, &local, 1, &remote, 1, 0);

      if (got == (ssize_t) n)
        return TRUE;
      r->last_errno = got < 0 ? errno : EFAULT;
      if (got >= 0 || (errno != EPERM && errno != ENOSYS))
        return FALSE;
      /* Refused (a seccomp filter, or a kernel without it): /proc/PID/mem asks the same
       * permission through another door. */
      {
        char path[64];

        g_snprintf (path, sizeof path, "/proc/%d/mem", r->pid);
        r->mem_fd = open (path, O_RDONLY | O_CLOEXEC);
        if (r->mem_fd < 0)
          {
            r->last_errno = errno;
            return FALSE;
          }
      }
    }
  if (pread (r->mem_fd, buf, n, (off_t) addr) == (ssize_t) n)
    return TRUE;
  r->last_errno = errno;
  return FALSE;
}

/* Adds a read of @n bytes at @addr into @buf; its index, or -1 when there is nothing to read
 * (address 0, no length, no room). */
static int
batch_add (Batch *b, guint64 addr, gpointer buf, gsize n)
{
  if (addr == 0 || n == 0 || b->n >= BATCH_MAX)
    return -1;
  b->local[b->n] = (struct iovec) { buf, n };
  b->remote[b->n] = (struct iovec) { GSIZE_TO_POINTER (addr), n };
  b->ok[b->n] = FALSE;
  return (int) b->n++;
}

static gboolean
batch_ok (const Batch *b, int i)
{
  return i >= 0 && b->ok[i];
}

/* Every read of @b, each ok or not. process_vm_readv stops at the first read it cannot do and
 * says how many bytes it copied: the reads before it are whole, that one failed, and the rest
 * are asked for again. Refused (a seccomp filter): one by one through rd(), which opens
 * /proc/PID/mem. */
static void
batch_read (PyReader *r, Batch *b)
{
  guint i = 0;

  while (i < b->n)
    {
      guint m = MIN (b->n - i, (guint) IOV_MAX);
      ssize_t got;

      got = r->mem_fd < 0 ? process_vm_readv (r->pid, b->local + i, m, b->remote + i, m, 0) : -1;
      if (r->mem_fd >= 0 || (got < 0 && (errno == EPERM || errno == ENOSYS)))
        {
          /* rd() tries the system call once more and opens /proc/PID/mem when refused. */
          b->ok[i] = rd (r, GPOINTER_TO_SIZE (b->remote[i].iov_base), b->local[i].iov_base, b->local[i].iov_len);
          i++;
          continue;
        }
      if (got < 0)
        {
          r->last_errno = errno;
          if (errno != EFAULT)
            {
              /* The process is gone (ESRCH), or no memory: nothing more will read. */
              for (; i < b->n; i++)
                b->ok[i] = FALSE;
              return;
            }
          b->ok[i++] = FALSE;
          continue;
        }
      for (; m > 0 && (gsize) got >= b->local[i].iov_len; m--)
        {
          got -= (ssize_t) b->local[i].iov_len;
          b->ok[i++] = TRUE;
        }
      if (m > 0)
        b->ok[i++] = FALSE;
    }
}

static gboolean
rd_ptr (PyReader *r, guint64 addr, guint64 *out)
{
  return rd (r, addr, out, sizeof *out);
}

/* A str object as UTF-8 (compact strings only: every name and file of a code object is one);
 * NULL when it is not one. Its header and the first STR_AHEAD bytes of its characters come in
 * one read (names and keys are short), or in a batch with others (str_head_size() bytes). */
#define STR_AHEAD 64
#define STR_HEAD_MAX (256 + STR_AHEAD)

static gsize
str_head_size (PyReader *r)
{
  return MIN (r->L.str_ascii_size + STR_AHEAD, STR_HEAD_MAX);
}

/* The str at @obj from @head, its first @have bytes (at least its header; 0: not read); the
 * characters past them are read. */
static char *
str_from_head (PyReader *r, guint64 obj, const guint8 *head, gsize have)
{
  const PyLayout *L = &r->L;
  gint64 length;
  guint32 state;
  guint kind;
  gboolean ascii;
  g_autofree guint8 *data = NULL;
  gsize bytes, at;

  if (have < L->str_ascii_size)
    return NULL;
  memcpy (&length, head + L->str_length, sizeof length);
  memcpy (&state, head + L->str_state, sizeof state);
  kind = (state >> 2) & 7;
  ascii = (state >> 6) & 1;
  if (length < 0 || length > 4096 || !((state >> 5) & 1) || (kind != 1 && kind != 2 && kind != 4))
    return NULL;
  at = ascii ? L->str_ascii_size : L->str_compact_size;
  bytes = (gsize) length * kind;
  data = g_malloc (bytes + 1);
  if (at + bytes <= have)
    memcpy (data, head + at, bytes);
  else if (!rd (r, obj + at, data, bytes))
    return NULL;
  if (kind == 1 && ascii)
    {
      data[length] = '\0';
      return g_utf8_make_valid ((const char *) data, length);
    }
  {
    GString *s = g_string_sized_new ((gsize) length);

    for (gint64 i = 0; i < length; i++)
      {
        gunichar c = kind == 1 ? data[i] : kind == 2 ? ((guint16 *) (gpointer) data)[i]
                                                     : ((guint32 *) (gpointer) data)[i];
        g_string_append_unichar (s, g_unichar_validate (c) ? c : 0xfffd);
      }
    return g_string_free (s, FALSE);
  }
}

static char *
read_str (PyReader *r, guint64 obj)
{
  guint8 head[STR_HEAD_MAX];
  gsize have = str_head_size (r);

  /* An object near the end of a mapping may not have STR_AHEAD bytes after it. */
  if (!rd (r, obj, head, have))
    have = rd (r, obj, head, r->L.str_ascii_size) ? r->L.str_ascii_size : 0;
  return str_from_head (r, obj, head, have);
}

/* A small int (threading's idents fit one 64-bit value). */
static gboolean
read_long (PyReader *r, guint64 obj, guint64 *out)
{
  const PyLayout *L = &r->L;
  gint64 size;
  guint32 digits[3] = { 0 };
  guint64 n;

  if (!rd (r, obj + L->long_size, &size, sizeof size))
    return FALSE;
  n = L->long_tagged ? (guint64) size >> 3 : (guint64) ABS (size);
  if (n > 3 || (n > 0 && !rd (r, obj + L->long_digit, digits, n * sizeof digits[0])))
    return FALSE;
  *out = 0;
  for (guint64 i = n; i > 0; i--)
    *out = (*out << 30) | (digits[i - 1] & 0x3fffffff);
  return TRUE;
}

/* Where a dict's keys object keeps its entries: their address, count and size in words
 * (key and value last). */
static gboolean
dict_entries (PyReader *r, guint64 dk, guint64 *entries, gint64 *nentries, gsize *esize)
{
  if (r->L.dict_old)
    {
      /* 3.8-3.10: dk_refcnt, dk_size, dk_lookup, dk_usable, dk_nentries, then dk_size indices
       * of 1, 2, 4 or 8 bytes (by the size), then entries of hash, key and value. */
      gint64 head[5];
      guint width;

      if (!rd (r, dk, head, sizeof head) || head[1] <= 0 || head[1] > (G_GINT64_CONSTANT (1) << 40))
        return FALSE;
      width = head[1] <= 0xff ? 1 : head[1] <= 0xffff ? 2 : head[1] <= 0xffffffff ? 4 : 8;
      *nentries = head[4];
      *entries = dk + sizeof head + (guint64) head[1] * width;
      *esize = 3;
      return TRUE;
    }
  {
    /* 3.11+: dk_refcnt, dk_log2_size, dk_log2_index_bytes, dk_kind, dk_version, dk_usable,
     * dk_nentries, then 1 << dk_log2_index_bytes bytes of indices; general entries (kind 0)
     * carry a hash, unicode and split ones do not. */
    guint8 head[3];

    if (!rd (r, dk + 8, head, sizeof head) || !rd (r, dk + 24, nentries, sizeof *nentries) || head[1] > 40)
      return FALSE;
    *entries = dk + 32 + ((guint64) 1 << head[1]);
    *esize = head[2] == 0 ? 3 : 2;
    return TRUE;
  }
}

/* A dict's live entries, up to @max: keys and values. @values_of (not 0): the values of a split
 * dict, for the keys of @dk. */
static guint
keys_items (PyReader *r, guint64 dk, guint64 values_of, guint64 *keys, guint64 *values, guint max)
{
  guint64 entries;
  gint64 nentries;
  gsize esize;
  g_autofree guint64 *raw = NULL;
  g_autofree guint64 *vals = NULL;
  guint n = 0;

  if (!dict_entries (r, dk, &entries, &nentries, &esize) || nentries <= 0 || nentries > MAX_DICT_ENTRIES)
    return 0;
  raw = g_new (guint64, (gsize) nentries * esize);
  if (!rd (r, entries, raw, (gsize) nentries * esize * sizeof (guint64)))
    return 0;
  if (values_of != 0)
    {
      vals = g_new (guint64, (gsize) nentries);
      if (!rd (r, values_of + r->L.values_at, vals, (gsize) nentries * sizeof (guint64)))
        return 0;
    }
  for (gint64 i = 0; i < nentries && n < max; i++)
    {
      guint64 k = raw[i * esize + esize - 2];
      guint64 v = vals != NULL ? vals[i] : raw[i * esize + esize - 1];

      if (k == 0 || v == 0)
        continue;
      keys[n] = k;
      values[n] = v;
      n++;
    }
  return n;
}

static guint
dict_items (PyReader *r, guint64 dict, guint64 *keys, guint64 *values, guint max)
{
  guint64 dk, mv = 0;

  if (!rd_ptr (r, dict + r->L.dict_keys, &dk) || !rd_ptr (r, dict + r->L.dict_values, &mv))
    return 0;
  return keys_items (r, dk, mv, keys, values, max);
}

static guint64 lookup (PyReader *r, const guint64 *keys, const guint64 *values, guint n, const char *name);

static guint64
dict_get (PyReader *r, guint64 dict, const char *key)
{
  guint64 keys[MAX_DICT_ENTRIES / 4], values[MAX_DICT_ENTRIES / 4];
  guint n = dict_items (r, dict, keys, values, G_N_ELEMENTS (keys));

  return lookup (r, keys, values, n, key);
}

/* The value of the str key @name among @n keys: every key's head read in one batch (a
 * lookup in sys.modules read a few hundred keys one system call each). */
static guint64
lookup (PyReader *r, const guint64 *keys, const guint64 *values, guint n, const char *name)
{
  Batch *b = &r->batch;
  gsize size = str_head_size (r);
  g_autofree guint8 *heads = g_malloc (MAX (n, 1) * size);
  guint done = 0;

  while (done < n)
    {
      guint m = MIN (n - done, BATCH_MAX);
      int *at = g_newa (int, m);

      b->n = 0;
      for (guint i = 0; i < m; i++)
        at[i] = batch_add (b, keys[done + i], heads + (gsize) i * size, size);
      batch_read (r, b);
      for (guint i = 0; i < m; i++)
        {
          g_autofree char *s = NULL;

          /* A key near the end of a mapping: alone, as read_str() reads it. */
          s = batch_ok (b, at[i]) ? str_from_head (r, keys[done + i], heads + (gsize) i * size, size)
                                  : read_str (r, keys[done + i]);
          if (s != NULL && strcmp (s, name) == 0)
            return values[done + i];
        }
      done += m;
    }
  return 0;
}

/* An attribute among @values, which go with the keys its type @type shares (3.11+). */
static guint64
shared_attr (PyReader *r, guint64 type, guint64 values, const char *name)
{
  guint64 cached, keys[64], vals[64];
  guint n;

  if (!rd_ptr (r, type + r->L.ht_cached_keys, &cached) || cached == 0)
    return 0;
  n = keys_items (r, cached, values, keys, vals, G_N_ELEMENTS (keys));
  return lookup (r, keys, vals, n, name);
}

/* An instance attribute of a plain Python object: in a dict at tp_dictoffset (3.8-3.10), or
 * in its managed dict, or in values beside the keys its type shares (3.11+). */
static guint64
instance_attr (PyReader *r, guint64 obj, const char *name)
{
  const PyLayout *L = &r->L;
  guint64 type, flags, dict = 0, values = 0;
  gint64 dictoffset = 0;

  if (!rd_ptr (r, obj + L->ob_type, &type) || !rd_ptr (r, type + L->tp_flags, &flags))
    return 0;
  if (L->attrs != PY_ATTRS_DICTOFFSET && (flags & (1 << 4)))   /* Py_TPFLAGS_MANAGED_DICT */
    {
      /* The dict (or 3.11's values, or 3.12's either) in the words before the object. */
      if (!rd_ptr (r, obj - 24, &dict))
        return 0;
      if (L->attrs == PY_ATTRS_312 && (dict & 1))
        return shared_attr (r, type, dict + 1, name);
      if (dict != 0)
        return dict_get (r, dict, name);
      if (L->attrs == PY_ATTRS_311 && rd_ptr (r, obj - 32, &values) && values != 0)
        return shared_attr (r, type, values, name);
      if (L->attrs == PY_ATTRS_313 && (flags & (1 << 2)))   /* Py_TPFLAGS_INLINE_VALUES */
        {
          guint8 valid = 0;

          /* Right after the object's header; `valid` (its 4th byte) is 0 once they moved
           * into a dict. */
          values = obj + 16;
          if (rd (r, values + 3, &valid, 1) && valid)
            return shared_attr (r, type, values, name);
        }
      return 0;
    }
  if (L->tp_dictoffset != 0 && rd (r, type + L->tp_dictoffset, &dictoffset, sizeof dictoffset) &&
      dictoffset > 0 && rd_ptr (r, obj + (guint64) dictoffset, &dict) && dict != 0)
    return dict_get (r, dict, name);
  return 0;
}

/* The CPython version of the file _PyRuntime lives in, from its name in /proc/PID/maps
 * (python3.11, libpython3.11.so.1.0): minor, or -1. */
static int
runtime_minor (int pid, guint64 runtime)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/maps", pid);
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;
  const char *named = NULL;        /* the last mapping with a file name */
  unsigned long long named_end = 0;

  if (!g_file_get_contents (path, &maps, NULL, NULL))
    return -1;
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long start, end;
      int name_at = 0, major = 0, minor = -1;
      const char *base, *name;

      if (sscanf (lines[i], "%llx-%llx %*s %*s %*s %*s %n", &start, &end, &name_at) < 2 || name_at == 0)
        continue;
      name = lines[i] + name_at;
      if (runtime < start || runtime >= end)
        {
          if (name[0] == '/')
            {
              named = name;
              named_end = end;
            }
          continue;
        }
      /* In the .bss (3.8, 3.9): anonymous memory right after the file's last mapping. */
      if (name[0] == '\0' && named != NULL && named_end == start)
        name = named;
      base = strrchr (name, '/');
      base = base != NULL ? base + 1 : name;
      if (sscanf (base, "python%d.%d", &major, &minor) == 2 || sscanf (base, "libpython%d.%d", &major, &minor) == 2)
        return major == 3 ? minor : -1;
      return -1;
    }
  return -1;
}

PyReader *
il_pystack_reader_new (int pid, guint64 runtime, char **why)
{
  g_autofree PyReader *r = g_new0 (PyReader, 1);
  guint8 d[1024];
  int minor;

  g_return_val_if_fail (why != NULL, NULL);
  g_assert (il_pystack_debug_offsets_size () <= sizeof d);
  r->pid = pid;
  r->runtime = runtime;
  r->mem_fd = -1;
  if (!rd (r, runtime, d, il_pystack_debug_offsets_size ()))
    {
      *why = g_strdup_printf ("its memory cannot be read (process_vm_readv and /proc/%d/mem: %s; "
                              "a ptrace_scope above 1 or a seccomp filter refuses them)",
                              pid, g_strerror (r->last_errno));
      if (r->mem_fd >= 0)
        close (r->mem_fd);
      return NULL;
    }
  minor = runtime_minor (pid, runtime);
  /* 3.13 on: the offsets CPython publishes, where they are (cookie "xdebugpy"); before: ours. */
  if (memcmp (d, "xdebugpy", 8) == 0)
    {
      if (!il_pystack_layout_313 (d, &r->L, why))
        goto refuse;
    }
  else if (minor == 13)
    {
      *why = g_strdup ("CPython 3.13 without the _Py_DebugOffsets its layout is read from");
      goto refuse;
    }
  else if (!il_pystack_layout_for (minor, &r->L))
    {
      *why = minor >= 0 ? g_strdup_printf ("CPython 3.%d: its layout is not one this reader knows "
                                           "(3.8-3.13)", minor)
                        : g_strdup ("its CPython version could not be told from the file _PyRuntime is in");
      goto refuse;
    }
  r->codes = g_hash_table_new_full (frame_key_hash, frame_key_equal, g_free, code_free);
  r->frame_ids = g_hash_table_new_full (frame_key_hash, frame_key_equal, g_free, NULL);
  r->native_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  r->ts_seen = g_array_new (FALSE, FALSE, sizeof (guint64));
  r->low_unmapped = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  return g_steal_pointer (&r);

refuse:
  if (r->mem_fd >= 0)
    close (r->mem_fd);
  return NULL;
}

void
il_pystack_reader_free (PyReader *r)
{
  if (r == NULL)
    return;
  if (r->mem_fd >= 0)
    close (r->mem_fd);
  g_hash_table_unref (r->codes);
  g_hash_table_unref (r->frame_ids);
  g_hash_table_unref (r->native_ids);
  g_array_unref (r->ts_seen);
  g_hash_table_unref (r->low_unmapped);
  g_free (r->ts_bufs);
  g_free (r->windows);
  g_free (r->wins);
  g_free (r->cframes);
  g_free (r->cframe_frames);
  g_free (r->at_cframe);
  g_free (r->frame_bufs);
  g_free (r->outside);
  g_free (r->outside_bufs);
  g_free (r->at_outside);
  g_free (r);
}

int
il_pystack_reader_get_minor (PyReader *r)
{
  return r->L.minor;
}

#define TABLE_AHEAD 256   /* a line table's bytes read with its header */

static Code *
get_code (PyReader *r, guint64 addr, guint64 globals)
{
  const PyLayout *L = &r->L;
  FrameKey key = { addr, globals, 0 };
  Code *c = g_hash_table_lookup (r->codes, &key);
  Batch *b = &r->batch;
  guint8 buf[1024], fn_head[STR_HEAD_MAX], file_head[STR_HEAD_MAX], table_head[64 + TABLE_AHEAD];
  gsize head_size = str_head_size (r);
  guint64 name, qualname, filename, table, fn;
  int at_fn, at_file, at_table;
  gint32 firstlineno;
  gint64 size = 0;

  if (c != NULL)
    return c;
  if (!rd (r, addr, buf, L->co_size))
    return NULL;
  memcpy (&name, buf + L->co_name, 8);
  qualname = 0;   /* before 3.11: none */
  if (L->co_qualname != 0)
    memcpy (&qualname, buf + L->co_qualname, 8);
  memcpy (&filename, buf + L->co_filename, 8);
  memcpy (&table, buf + L->co_linetable, 8);
  memcpy (&firstlineno, buf + L->co_firstlineno, 4);
  /* Its name, file and line table in one batch, each with the first bytes of its contents
   * (most hold all of it): a code object was 6 system calls, read for each new function met
   * (a program's start-up meets hundreds) and again every second. (r->batch: the sample's
   * batches are all read before its frames' codes are looked up.) */
  b->n = 0;
  fn = qualname != 0 ? qualname : name;
  at_fn = batch_add (b, fn, fn_head, head_size);
  at_file = batch_add (b, filename, file_head, head_size);
  at_table = L->bytes_sval + TABLE_AHEAD <= sizeof table_head
               ? batch_add (b, table, table_head, L->bytes_sval + TABLE_AHEAD) : -1;
  batch_read (r, b);
  c = g_new0 (Code, 1);
  c->function = batch_ok (b, at_fn) ? str_from_head (r, fn, fn_head, head_size) : read_str (r, fn);
  if (c->function == NULL && fn != name)
    c->function = read_str (r, name);
  c->file = batch_ok (b, at_file) ? str_from_head (r, filename, file_head, head_size) : read_str (r, filename);
  c->firstlineno = firstlineno;
  if (c->function == NULL || c->file == NULL)
    {
      code_free (c);
      return NULL;
    }
  if (batch_ok (b, at_table))
    memcpy (&size, table_head + L->bytes_size, sizeof size);
  else if (!rd (r, table + L->bytes_size, &size, sizeof size))
    size = 0;
  if (size > 0 && size <= MAX_TABLE)
    {
      c->table = g_malloc ((gsize) size);
      if (batch_ok (b, at_table) && size <= TABLE_AHEAD)
        {
          memcpy (c->table, table_head + L->bytes_sval, (gsize) size);
          c->table_len = (gsize) size;
        }
      else if (rd (r, table + L->bytes_sval, c->table, (gsize) size))
        c->table_len = (gsize) size;
    }
  g_hash_table_insert (r->codes, g_memdup2 (&key, sizeof key), c);
  return c;
}

/* The frame id of code @code at its instruction @instr (a pointer into its bytecode; before
 * 3.11, f_lasti). */
static gboolean
frame_id (PyReader *r, IlTraceStacks *stacks, guint64 code, guint64 globals, guint64 instr, guint *out)
{
  FrameKey key = { code, globals, instr };
  gpointer found = g_hash_table_lookup (r->frame_ids, &key);
  Code *c;
  gint64 offset;
  int line;

  if (found != NULL)
    {
      *out = GPOINTER_TO_UINT (found) - 1;
      return TRUE;
    }
  if ((c = get_code (r, code, globals)) == NULL)
    return FALSE;
  /* 3.11-3.12: prev_instr, the last instruction run; 3.13: instr_ptr, the one running: both
   * point into co_code_adaptive. Before 3.11, f_lasti: a byte offset (3.8-3.9) or a count of
   * 2-byte code units (3.10). */
  if (r->L.frames != PY_FRAMES_OBJECT)
    offset = (gint64) instr - (gint64) (code + r->L.co_code);
  else
    offset = (gint32) instr * (r->L.lines == PY_LINES_310 ? 2 : 1);
  line = il_pystack_table_line (r->L.lines, c->table, c->table_len, c->firstlineno, offset);
  *out = il_trace_stacks_intern_frame (stacks, c->function, c->file, (guint) MAX (line, 0));
  g_hash_table_insert (r->frame_ids, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (*out + 1));
  return TRUE;
}

/* A thread's frames lie below one another in its data stack (each call pushes the next above
 * its caller's): one read of the FRAME_WINDOW bytes that end at the innermost frame holds most
 * of a stack, where a read per frame cost 5-20 system calls a thread. A frame outside the
 * window (a generator's, in its object; another chunk) is read with the other threads' frames
 * of its depth. 4 KB: 16 frames of an import's machinery did not fit in 2 (a read costs the
 * same). */
#define FRAME_WINDOW 4096
#define PAGE         G_GUINT64_CONSTANT (4096)
#define MAX_BAD_FRAMES 4   /* frames whose code cannot be read before a walk gives up: past them
                            * is not a stack (a frame's code is read once, then cached) */

static guint64
first_interp (PyReader *r)
{
  guint64 interp = 0;

  rd_ptr (r, r->runtime + r->L.rt_interp_head, &interp);
  return interp;
}

/* The thread state holding the GIL, 0 when none (or not known). */
static guint64
gil_holder (PyReader *r, guint64 interp)
{
  const PyLayout *L = &r->L;
  guint64 holder = 0, gil = 0;
  gint32 locked = 0;

  if (L->rt_tstate_current != 0)
    {
      /* 3.8-3.11: gilstate.tstate_current: set by the thread that takes the GIL, NULL while
       * none has it. */
      rd_ptr (r, r->runtime + L->rt_tstate_current, &holder);
      return holder;
    }
  /* 3.12-3.13: the interpreter's own GIL state (_gil) is inside it, and the offsets of
   * `locked` and `last_holder` count from the interpreter (offsetof (PyInterpreterState,
   * _gil.locked)). ceval.gil points at the GIL in use: the interpreter's own, unless it shares
   * the main interpreter's, whose holder this reader then does not tell. */
  if (L->is_ceval_gil == 0 || !rd_ptr (r, interp + L->is_ceval_gil, &gil) ||
      gil != interp + L->gil_locked - L->gil_locked_in_state ||
      !rd (r, interp + L->gil_locked, &locked, sizeof locked) || !locked ||
      !rd_ptr (r, interp + L->gil_holder, &holder))
    return 0;
  return holder;
}

/* glibc's struct pthread (a thread's pthread_t, which is threading's ident) holds the thread's
 * kernel id here on 64-bit Linux (glibc 2.28-2.36 at least); checked on the main thread, whose
 * id is the process's, before it is believed. */
#define PTHREAD_TID_AT 720

/* 3.8-3.10 keep no native thread id in the thread state: the main thread's is the pid, another
 * one's is read from its pthread (@pthread_tid: what is at PTHREAD_TID_AT there, read by the
 * caller with the other threads'; 0: not read), or else from its Thread's native_id
 * (threading, read with the names). 0: not known yet. */
static gint64
legacy_tid (PyReader *r, guint64 ident, gint32 pthread_tid)
{
  gint32 tid = 0;
  gpointer known;

  if (r->main_ident == 0 && rd_ptr (r, r->runtime + r->L.rt_main_thread, &r->main_ident) &&
      r->main_ident != 0)
    r->pthread_tid = rd (r, r->main_ident + PTHREAD_TID_AT, &tid, sizeof tid) && tid == r->pid ? 1 : -1;
  if (ident == 0)
    return 0;
  if (ident == r->main_ident)
    return r->pid;
  if (r->pthread_tid > 0 && pthread_tid > 0)
    return pthread_tid;
  known = g_hash_table_lookup (r->native_ids, &ident);
  return known != NULL ? GPOINTER_TO_INT (known) : 0;
}

/* Room for @n threads' states, windows and what the next sample guesses from them. */
static void
reserve_bufs (PyReader *r, guint n)
{
  if (n <= r->bufs_cap)
    return;
  r->bufs_cap = MAX (n, 2 * r->bufs_cap);
  r->ts_bufs = g_realloc_n (r->ts_bufs, r->bufs_cap, r->L.ts_size);
  r->windows = g_realloc_n (r->windows, r->bufs_cap, FRAME_WINDOW);
  r->wins = g_renew (Window, r->wins, r->bufs_cap);
  r->cframes = g_renew (guint64, r->cframes, r->bufs_cap);
  r->cframe_frames = g_renew (guint64, r->cframe_frames, r->bufs_cap);
  r->at_cframe = g_renew (int, r->at_cframe, r->bufs_cap);
  r->frame_bufs = g_realloc_n (r->frame_bufs, r->bufs_cap, r->L.fr_size);
  r->outside = g_renew (guint64, r->outside, r->bufs_cap);
  r->outside_bufs = g_realloc_n (r->outside_bufs, r->bufs_cap, r->L.fr_size);
  r->at_outside = g_renew (int, r->at_outside, r->bufs_cap);
}

static guint64
ts_next (PyReader *r, guint i)
{
  guint64 next;

  memcpy (&next, r->ts_bufs + (gsize) i * r->L.ts_size + r->L.ts_next, 8);
  return next;
}

/* Thread @i's frame window: up to FRAME_WINDOW bytes ending at @end (where an innermost frame
 * ends) into its part of r->windows. A data stack's first chunk is a mapping of its own, and a
 * shallow stack's frames lie in its first page, so a window often reaches below the mapping:
 * the page holding the frame is asked for first (window_add_high, for every thread), then the
 * rest of the window within the page below (window_add_low, after every thread's first part),
 * but for a page already found unreadable (not asked again until the code cache is emptied);
 * a window whose rest failed keeps its first part (window_finish). (Before, such a window
 * failed whole, was tried again before each frame, and every frame was read alone: 28 system
 * calls a round for 4 threads.) */
static void
window_add_high (PyReader *r, guint i, guint64 end)
{
  Window *w = &r->wins[i];
  gsize n = r->L.fr_size;
  guint64 lo = end - FRAME_WINDOW, mid;

  w->end = w->at = w->len = 0;
  w->at_high = w->at_low = -1;
  if (end < FRAME_WINDOW || end < n)
    return;
  mid = MAX ((end - n) & ~(PAGE - 1), lo);
  w->end = end;
  w->at = mid;
  w->at_high = batch_add (&r->batch, mid, r->windows + (gsize) i * FRAME_WINDOW + (mid - lo), end - mid);
}

static void
window_add_low (PyReader *r, guint i)
{
  Window *w = &r->wins[i];
  guint64 lo = w->end - FRAME_WINDOW, page = lo & ~(PAGE - 1);

  if (w->at_high < 0 || w->at == lo || g_hash_table_contains (r->low_unmapped, &page))
    return;
  w->at_low = batch_add (&r->batch, lo, r->windows + (gsize) i * FRAME_WINDOW, w->at - lo);
}

static void
window_finish (PyReader *r, guint i)
{
  Window *w = &r->wins[i];
  guint8 *win = r->windows + (gsize) i * FRAME_WINDOW;
  guint64 lo = w->end - FRAME_WINDOW;

  if (!batch_ok (&r->batch, w->at_high))
    {
      w->end = w->at = w->len = 0;
      return;
    }
  w->len = w->end - w->at;
  if (batch_ok (&r->batch, w->at_low))
    {
      w->at = lo;
      w->len = FRAME_WINDOW;
      return;
    }
  if (w->at_low >= 0)
    {
      guint64 page = lo & ~(PAGE - 1);

      g_hash_table_add (r->low_unmapped, g_memdup2 (&page, sizeof page));
    }
  /* The part read first, to the window's start. */
  memmove (win, win + (w->at - lo), w->len);
}

/* Whether thread @i's window holds the frame at @frame. */
static gboolean
window_holds_frame (PyReader *r, guint i, guint64 frame)
{
  const Window *w = &r->wins[i];
  gsize n = r->L.fr_size;

  return frame <= G_MAXUINT64 - n && w->len >= n && frame >= w->at && frame - w->at <= w->len - n;
}

/* Whether thread @i's window holds the frame at @frame near its top: a window guessed from a
 * deeper stack holds the frames above the innermost one, which are gone, and not its callers
 * below (an import's stack, deeper and shallower by turns, read its callers one by one). A
 * loop's call goes one frame deeper and back: within a quarter. */
static gboolean
window_holds (PyReader *r, guint i, guint64 frame)
{
  const Window *w = &r->wins[i];
  gsize n = r->L.fr_size;

  return frame != 0 && window_holds_frame (r, i, frame) && frame + n + FRAME_WINDOW / 4 >= w->at + w->len;
}

/* Fields of one structure that lie close together are one read of the span they cover, not
 * one each: the kernel pins the pages of every read apart (a third of the sampler's time). */
#define SPAN_MAX 2048

typedef struct
{
  guint64  offset;
  gsize    size;
  gpointer out;
  int      at;         /* its read in the batch: the span's when shared */
} Field;

/* Adds the reads of @n fields of the structure at @base: the span they cover into @span when it
 * is at most SPAN_MAX bytes (its start in @span_lo), else one each (@span_lo G_MAXUINT64). */
static void
fields_add (Batch *b, guint64 base, Field *f, guint n, guint8 *span, guint64 *span_lo)
{
  guint64 lo = G_MAXUINT64, hi = 0;

  for (guint i = 0; i < n; i++)
    {
      lo = MIN (lo, f[i].offset);
      hi = MAX (hi, f[i].offset + f[i].size);
    }
  *span_lo = G_MAXUINT64;
  if (hi - lo <= SPAN_MAX && base <= G_MAXUINT64 - hi)
    {
      int at = batch_add (b, base + lo, span, hi - lo);

      for (guint i = 0; i < n; i++)
        f[i].at = at;
      *span_lo = lo;
      return;
    }
  for (guint i = 0; i < n; i++)
    f[i].at = batch_add (b, base + f[i].offset, f[i].out, f[i].size);
}

/* Each field's value, once the batch is read: FALSE when any could not be read. */
static gboolean
fields_finish (const Batch *b, Field *f, guint n, const guint8 *span, guint64 span_lo)
{
  for (guint i = 0; i < n; i++)
    {
      if (!batch_ok (b, f[i].at))
        return FALSE;
      if (span_lo != G_MAXUINT64)
        memcpy (f[i].out, span + (f[i].offset - span_lo), f[i].size);
    }
  return TRUE;
}

/* The thread states of the last sample read again, with the interpreter, its list's head and
 * the GIL's holder, all in one batch: TRUE when the list is still the same (each next as
 * before), which it is but when a thread starts or ends. With @frames, the same batch also
 * guesses where each thread's stack is from where it was: its last cframe's frame (3.11-3.12)
 * and its last window. A thread in a loop does not move them between two samples, so a sample
 * is one system call for the whole process; a guess that missed is read again after. */
static gboolean
reread_thread_states (PyReader *r, gboolean frames, guint64 *holder)
{
  const PyLayout *L = &r->L;
  Batch *b = &r->batch;
  guint n = r->ts_seen->len, need;
  guint64 interp = 0, head = 0, hold = 0, gil = 0, rt_lo, is_lo;
  gint32 locked = 0;
  Field rt[2], is[4];
  guint n_rt, n_is = 0;
  guint8 rt_span[SPAN_MAX], is_span[SPAN_MAX];
  gboolean no_holder = FALSE;

  if (n == 0 || r->interp_seen == 0)
    return FALSE;
  b->n = 0;
  n_rt = 0;
  rt[n_rt++] = (Field) { L->rt_interp_head, 8, &interp };
  is[n_is++] = (Field) { L->is_threads_head, 8, &head };
  if (L->rt_tstate_current != 0)
    rt[n_rt++] = (Field) { L->rt_tstate_current, 8, &hold };
  else if (L->is_ceval_gil != 0)
    {
      is[n_is++] = (Field) { L->is_ceval_gil, 8, &gil };
      is[n_is++] = (Field) { L->gil_locked, sizeof locked, &locked };
      is[n_is++] = (Field) { L->gil_holder, 8, &hold };
    }
  else
    no_holder = TRUE;
  fields_add (b, r->runtime, rt, n_rt, rt_span, &rt_lo);
  fields_add (b, r->interp_seen, is, n_is, is_span, &is_lo);
  for (guint i = 0; i < n; i++)
    batch_add (b, g_array_index (r->ts_seen, guint64, i), r->ts_bufs + (gsize) i * L->ts_size, L->ts_size);
  need = b->n;
  for (guint i = 0; i < n && frames; i++)
    r->at_cframe[i] = L->frames == PY_FRAMES_CFRAME && r->cframes[i] != 0
                        ? batch_add (b, r->cframes[i] + L->cf_current_frame, &r->cframe_frames[i], 8) : -1;
  for (guint i = 0; i < n && frames; i++)
    window_add_high (r, i, r->wins[i].end);
  for (guint i = 0; i < n && frames; i++)
    r->at_outside[i] = batch_add (b, r->outside[i], r->outside_bufs + (gsize) i * L->fr_size, L->fr_size);
  for (guint i = 0; i < n && frames; i++)
    window_add_low (r, i);
  batch_read (r, b);
  for (guint i = 0; i < need; i++)
    if (!b->ok[i])
      return FALSE;
  for (guint i = 0; i < n && frames; i++)
    window_finish (r, i);
  if (!fields_finish (b, rt, n_rt, rt_span, rt_lo) || !fields_finish (b, is, n_is, is_span, is_lo) ||
      interp != r->interp_seen || head != g_array_index (r->ts_seen, guint64, 0))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (ts_next (r, i) != (i + 1 < n ? g_array_index (r->ts_seen, guint64, i + 1) : 0))
      return FALSE;
  /* As gil_holder() says it (3.12-3.13: the interpreter's own GIL, while locked). */
  if (no_holder || (L->is_ceval_gil != 0 && L->rt_tstate_current == 0 &&
                    (gil != interp + L->gil_locked - L->gil_locked_in_state || !locked)))
    hold = 0;
  *holder = hold;
  return TRUE;
}

/* The thread states from the interpreter's list, one after the other; how many were read
 * (into ts_bufs) and kept in ts_seen for the next sample, with no guess of their stacks yet. A
 * walk stops at a thread state that does not point back at @interp (kept: the caller says why)
 * or cannot be read. */
static guint
walk_thread_states (PyReader *r, guint64 interp)
{
  const PyLayout *L = &r->L;
  guint64 ts = 0, tinterp;
  guint n = 0;

  g_array_set_size (r->ts_seen, 0);
  r->interp_seen = 0;
  if (!rd_ptr (r, interp + L->is_threads_head, &ts))
    return 0;
  for (; ts != 0 && n < MAX_THREADS; n++)
    {
      guint8 *buf;

      reserve_bufs (r, n + 1);
      buf = r->ts_bufs + (gsize) n * L->ts_size;
      r->cframes[n] = 0;
      r->at_cframe[n] = -1;
      r->outside[n] = 0;
      r->at_outside[n] = -1;
      r->wins[n] = (Window) { .at_high = -1, .at_low = -1 };
      if (!rd (r, ts, buf, L->ts_size))
        break;
      g_array_append_val (r->ts_seen, ts);
      memcpy (&tinterp, buf + L->ts_interp, 8);
      if (tinterp != interp)
        return n + 1;
      ts = ts_next (r, n);
    }
  /* Kept only when whole: a list cut short by a failed read is walked again next time. */
  if (ts == 0)
    r->interp_seen = interp;
  return n;
}

gboolean
il_pystack_sample (PyReader *r, IlTraceStacks *stacks, GArray *out, char **why)
{
  const PyLayout *L = &r->L;
  Batch *b = &r->batch;
  guint64 interp, holder = 0;
  guint n;
  guint64 *frame;
  gint32 *pthread_tids;
  int *at_tid;
  gboolean *same_read;   /* its innermost frame known from the guesses' read */
  gboolean *outside_ok;  /* its guessed frame outside the window was read */
  gboolean reread;

  g_array_set_size (out, 0);
  if ((reread = reread_thread_states (r, stacks != NULL, &holder)))
    {
      interp = r->interp_seen;
      n = r->ts_seen->len;
    }
  else
    {
      /* Before its interpreter exists or after it is gone: nothing to sample, not an error. */
      if ((interp = first_interp (r)) == 0)
        return TRUE;
      holder = gil_holder (r, interp);
      n = walk_thread_states (r, interp);
    }
  frame = g_newa (guint64, MAX (n, 1));
  pthread_tids = g_newa (gint32, MAX (n, 1));
  at_tid = g_newa (int, MAX (n, 1));
  /* 3.8-3.10: each thread's pthread holds its tid: every thread's in one batch. */
  b->n = 0;
  for (guint i = 0; i < n; i++)
    {
      guint64 ident;

      memcpy (&ident, r->ts_bufs + (gsize) i * L->ts_size + L->ts_thread_id, 8);
      pthread_tids[i] = 0;
      at_tid[i] = L->frames == PY_FRAMES_OBJECT && r->pthread_tid >= 0 && ident != 0 && ident <= G_MAXUINT64 - PTHREAD_TID_AT
                    ? batch_add (b, ident + PTHREAD_TID_AT, &pthread_tids[i], sizeof pthread_tids[i]) : -1;
    }
  if (b->n > 0)
    batch_read (r, b);
  for (guint i = 0; i < n; i++)
    if (!batch_ok (b, at_tid[i]))
      pthread_tids[i] = 0;
  for (guint i = 0; i < n; i++)
    {
      const guint8 *buf = r->ts_bufs + (gsize) i * L->ts_size;
      guint64 tinterp, ident;
      gint64 native = 0;
      PyThreadSample s = { 0 };

      memcpy (&tinterp, buf + L->ts_interp, 8);
      memcpy (&ident, buf + L->ts_thread_id, 8);
      if (L->ts_native_thread_id != 0)
        memcpy (&native, buf + L->ts_native_thread_id, 8);
      if (tinterp != interp)
        {
          /* Every thread state points back at its interpreter: when this one does not, the
           * offsets are wrong for this binary, and nothing it reads can be trusted. */
          if (why != NULL && i == 0)
            *why = g_strdup ("its thread states do not point back at their interpreter: "
                             "this binary's layout is not the one expected");
          g_array_set_size (r->ts_seen, 0);
          r->interp_seen = 0;
          n = i;
          if (i == 0)
            return FALSE;
          break;
        }
      s.tstate = g_array_index (r->ts_seen, guint64, i);
      s.ident = ident;
      s.tid = native;
      s.holds_gil = holder != 0 && holder == s.tstate;
      if (L->frames == PY_FRAMES_OBJECT)
        s.tid = legacy_tid (r, ident, pthread_tids[i]);
      memcpy (&frame[i], buf + L->ts_frame, 8);
      g_array_append_val (out, s);
    }
  /* No store (IL_NO_STACKS=1): the threads and names only, no frame read. */
  if (stacks == NULL || n == 0)
    return TRUE;
  /* A guessed window (or frame) is the memory of the guesses' read: it is used only for a frame
   * known from that same read (3.13 and 3.8-3.10: the thread state's; 3.11-3.12: a guessed
   * cframe's), never for one read after it, which the guess may predate. */
  same_read = g_newa (gboolean, n);
  outside_ok = g_newa (gboolean, n);
  for (guint i = 0; i < n; i++)
    {
      same_read[i] = reread && L->frames != PY_FRAMES_CFRAME;
      /* (Taken before the next batch overwrites the guesses'.) */
      outside_ok[i] = reread && batch_ok (b, r->at_outside[i]);
      r->at_outside[i] = -1;
    }
  /* 3.11-3.12: each thread's _PyCFrame holds its innermost frame: guessed with the thread
   * states when the cframe is the one read before, the others all in one batch. */
  if (L->frames == PY_FRAMES_CFRAME)
    {
      gboolean *guessed = g_newa (gboolean, n);

      /* (The guesses' batch is read before the next one overwrites it.) */
      for (guint i = 0; i < n; i++)
        guessed[i] = frame[i] == r->cframes[i] && batch_ok (b, r->at_cframe[i]);
      b->n = 0;
      for (guint i = 0; i < n; i++)
        {
          r->cframes[i] = frame[i];
          r->at_cframe[i] = -1;
          same_read[i] = guessed[i];
          if (guessed[i])
            frame[i] = r->cframe_frames[i];
          else if (frame[i] != 0 && frame[i] <= G_MAXUINT64 - L->cf_current_frame - 8)
            r->at_cframe[i] = batch_add (b, frame[i] + L->cf_current_frame, &r->cframe_frames[i], 8);
          else
            frame[i] = 0;
        }
      if (b->n > 0)
        batch_read (r, b);
      for (guint i = 0; i < n; i++)
        {
          if (r->at_cframe[i] >= 0)
            frame[i] = batch_ok (b, r->at_cframe[i]) ? r->cframe_frames[i] : 0;
          r->at_cframe[i] = -1;
        }
    }
  /* Frame objects (before 3.11) are on the heap, each apart: no window. Else a window that
   * does not hold the innermost frame near its top (none guessed, the thread went deeper or
   * much shallower, or its frame was read after the window) is read again, all in one batch,
   * ending at that frame. */
  if (L->frames != PY_FRAMES_OBJECT)
    {
      gboolean *again = g_newa (gboolean, n);

      b->n = 0;
      for (guint i = 0; i < n; i++)
        {
          if ((again[i] = frame[i] != 0 && !(same_read[i] && window_holds (r, i, frame[i]))))
            window_add_high (r, i, frame[i] <= G_MAXUINT64 - L->fr_size ? frame[i] + L->fr_size : 0);
          /* A frame read with the guesses is of their instant: a stack read after it (a window
           * read again) may lead elsewhere, or to memory that changed since. */
          if (again[i])
            same_read[i] = FALSE;
        }
      for (guint i = 0; i < n; i++)
        if (again[i])
          window_add_low (r, i);
      if (b->n > 0)
        batch_read (r, b);
      for (guint i = 0; i < n; i++)
        if (again[i])
          window_finish (r, i);
    }
  /* Every thread's stack walked together, a frame deeper a step: a frame its window holds is
   * copied from it, the others (3.8-3.10's frame objects, each on the heap apart; a generator's;
   * another chunk's) are read in one batch a step, where a thread's 16 frame objects were 16
   * system calls. (The batch's answers are taken before the frames' codes are looked up, which
   * may use it.) */
  {
    gsize fr = L->fr_size;
    int *at = g_newa (int, n);
    gboolean *got = g_newa (gboolean, n);
    guint64 *outside_next = g_newa (guint64, n);
    guint *bad = g_newa (guint, n);

    for (guint i = 0; i < n; i++)
      outside_next[i] = bad[i] = 0;

    for (guint depth = 0; depth < 1024; depth++)
      {
        gboolean any = FALSE;

        b->n = 0;
        for (guint i = 0; i < n; i++)
          {
            guint8 *fb = r->frame_bufs + (gsize) i * fr;

            at[i] = -1;
            got[i] = FALSE;
            /* @frame comes from the program's memory, which changes as it is read: any value,
             * so no sum with it may wrap. */
            if (frame[i] > G_MAXUINT64 - fr || g_array_index (out, PyThreadSample, i).n_frames >= PY_MAX_FRAMES)
              frame[i] = 0;
            if (frame[i] == 0)
              continue;
            any = TRUE;
            if (L->frames != PY_FRAMES_OBJECT && window_holds_frame (r, i, frame[i]))
              {
                memcpy (fb, r->windows + (gsize) i * FRAME_WINDOW + (frame[i] - r->wins[i].at), fr);
                got[i] = TRUE;
              }
            else if (same_read[i] && frame[i] == r->outside[i] && outside_ok[i])
              {
                memcpy (fb, r->outside_bufs + (gsize) i * fr, fr);
                got[i] = TRUE;
                outside_next[i] = frame[i];
              }
            else
              {
                at[i] = batch_add (b, frame[i], fb, fr);
                if (outside_next[i] == 0)
                  outside_next[i] = frame[i];
              }
          }
        if (!any)
          break;
        if (b->n > 0)
          batch_read (r, b);
        for (guint i = 0; i < n; i++)
          if (at[i] >= 0)
            got[i] = batch_ok (b, at[i]);
        for (guint i = 0; i < n; i++)
          {
            PyThreadSample *s = &g_array_index (out, PyThreadSample, i);
            const guint8 *fb = r->frame_bufs + (gsize) i * fr;
            guint64 code, globals, instr = 0, previous;
            guint id;

            if (frame[i] == 0)
              continue;
            if (!got[i])
              {
                frame[i] = 0;
                continue;
              }
            memcpy (&code, fb + L->fr_code, 8);
            memcpy (&globals, fb + L->fr_globals, 8);
            memcpy (&instr, fb + L->fr_instr, L->frames == PY_FRAMES_OBJECT ? 4 : 8);
            previous = frame[i];
            memcpy (&frame[i], fb + L->fr_previous, 8);
            if (L->owner_cstack < 0 || fb[L->fr_owner] != (guint8) L->owner_cstack)
              {
                if (frame_id (r, stacks, code, globals, instr, &id))
                  s->frames[s->n_frames++] = id;
                else if (++bad[i] >= MAX_BAD_FRAMES)
                  frame[i] = 0;
              }
            /* The program's memory changes as it is read: a frame that is its own caller (seen:
             * a C stack's old bytes, 1024 reads a sample) ends the walk. */
            if (frame[i] == previous)
              frame[i] = 0;
          }
      }
    /* The next sample's guess: the first frame read outside the window (one a loop keeps in
     * place, as 3.12+'s entry frame on the C stack; read alone, it was one more system call a
     * sample). */
    for (guint i = 0; i < n; i++)
      r->outside[i] = outside_next[i];
  }
  return TRUE;
}

void
il_pystack_forget_codes (PyReader *r, gint64 now)
{
  if (now - r->cache_ns < CACHE_NS)
    return;
  r->cache_ns = now;
  g_hash_table_remove_all (r->codes);
  g_hash_table_remove_all (r->frame_ids);
  /* (A page below a window may have been mapped since.) */
  g_hash_table_remove_all (r->low_unmapped);
}

/* threading._active: ident → Thread, as the program's threads registered themselves. */
gboolean
il_pystack_read_names (PyReader *r, GHashTable *names)
{
  const PyLayout *L = &r->L;
  guint64 keys[256], values[256];
  guint n;

  if (!L->names)
    return FALSE;
  if (r->active_dict == 0)
    {
      guint64 interp = first_interp (r), modules = 0, module;

      if (interp == 0 || !rd_ptr (r, interp + L->is_modules, &modules) || modules == 0)
        return FALSE;
      /* Not imported yet: a program without threads never does. */
      if ((module = dict_get (r, modules, "threading")) == 0 ||
          !rd_ptr (r, module + 16, &r->threading_dict) || r->threading_dict == 0)   /* md_dict */
        return FALSE;
      if ((r->active_dict = dict_get (r, r->threading_dict, "_active")) == 0)
        return FALSE;
    }
  n = dict_items (r, r->active_dict, keys, values, G_N_ELEMENTS (keys));
  for (guint i = 0; i < n; i++)
    {
      guint64 ident, name_obj;
      char *name;

      if (!read_long (r, keys[i], &ident) || (name_obj = instance_attr (r, values[i], "_name")) == 0 ||
          (name = read_str (r, name_obj)) == NULL)
        continue;
      g_hash_table_insert (names, g_memdup2 (&ident, sizeof ident), name);
      /* 3.8-3.10 where glibc's pthread did not give the tid: the Thread's own native_id. */
      if (L->frames == PY_FRAMES_OBJECT && r->pthread_tid < 0)
        {
          guint64 native_obj = instance_attr (r, values[i], "_native_id"), native = 0;

          if (native_obj != 0 && read_long (r, native_obj, &native) && native > 0 && native < G_MAXINT)
            g_hash_table_insert (r->native_ids, g_memdup2 (&ident, sizeof ident), GINT_TO_POINTER ((int) native));
        }
    }
  return TRUE;
}

/* multiprocessing's name for the process: `multiprocessing.process._current_process._name`, read
 * from its memory ("ForkPoolWorker-1", "SpawnPoolWorker-2", a Process(name=…); "MainProcess" in
 * a program's own process, and in a child until its Process object takes over, which in a
 * `spawn` child comes after its parent's main module is imported again). NULL while
 * multiprocessing is not imported (looked for in sys.modules, one batch of reads). */
char *
il_pystack_read_process_name (PyReader *r)
{
  const PyLayout *L = &r->L;
  guint64 current, name_obj;

  if (!L->names)
    return NULL;
  if (r->mp_dict == 0)
    {
      guint64 interp, modules = 0, module;

      interp = first_interp (r);
      if (interp == 0 || !rd_ptr (r, interp + L->is_modules, &modules) || modules == 0 ||
          (module = dict_get (r, modules, "multiprocessing.process")) == 0 ||
          !rd_ptr (r, module + 16, &r->mp_dict))   /* md_dict */
        r->mp_dict = 0;
      if (r->mp_dict == 0)
        return NULL;
    }
  if ((current = dict_get (r, r->mp_dict, "_current_process")) == 0 ||
      (name_obj = instance_attr (r, current, "_name")) == 0)
    return NULL;
  return read_str (r, name_obj);
}
