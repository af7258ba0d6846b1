/* il-program-pystack.c: a live CPython process's threads, Python stacks, GIL holder and thread names, read from its memory. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reads a CPython process from outside, as py-spy does: process_vm_readv (or /proc/PID/mem when
 * a seccomp filter refuses the system call) from its _PyRuntime (found by il-program-python.c)
 * to the interpreter, its thread states, each one's frames and their code objects. Never stops
 * the process: it runs on while we read, so any pointer may be stale and every read may fail;
 * a failed read loses one thread's sample, never more.
 *
 * Layouts:
 *   3.11  offsets compiled here from Debian's python3.11 internal headers (offsetof against
 *         /usr/include/python3.11/internal, 3.11.7) and checked against the running binary by
 *         the tests: each thread state must point back at its interpreter.
 *   3.13  the offsets CPython publishes at the start of _PyRuntime (_Py_DebugOffsets, cookie
 *         "xdebugpy"), read in the 3.13 layout of that struct. UNTESTED here (no 3.13 on this
 *         machine); thread names are not read for 3.13 (its Thread objects keep attributes in
 *         inline values whose keys live in the type, at offsets the struct does not publish).
 *   other versions (3.12, 3.14+, before 3.11) are refused with the reason: their layouts are not
 *         known to this reader, and guessing would read random memory.
 *
 * Lines: from the code object's location table (the 3.11-3.13 format, Objects/locations.md)
 * at the frame's last instruction, so a sample names the line running, not only the function's
 * first line. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "il-program-private.h"
#include "il-trace-stacks.h"

#define MAX_THREADS      512
#define MAX_TABLE        65536      /* the longest line table read */
#define MAX_DICT_ENTRIES 4096
#define CACHE_NS         G_GINT64_CONSTANT (1000000000) /* code objects re-read every second: a
                                                          * freed one's address may be reused */

typedef struct
{
  int      minor;
  /* _PyRuntime */
  guint64  rt_interp_head;
  guint64  rt_tstate_current;    /* 3.11: gilstate.tstate_current, the GIL's holder; 0: none */
  /* PyInterpreterState */
  guint64  is_threads_head, is_modules;
  guint64  is_ceval_gil;         /* 3.13: the pointer to its _gil_runtime_state; 0: none */
  guint64  gil_locked, gil_holder;   /* 3.13: from the interpreter (its _gil's fields) */
  guint64  gil_locked_in_state;      /* 3.13: `locked` from the start of _gil */
  /* PyThreadState */
  guint64  ts_size, ts_next, ts_interp, ts_thread_id, ts_native_thread_id;
  guint64  ts_cframe;            /* 3.11: cframe, whose current_frame is the innermost */
  guint64  cf_current_frame;
  guint64  ts_current_frame;     /* 3.13: the innermost frame, in the thread state */
  /* _PyInterpreterFrame */
  guint64  fr_size, fr_previous, fr_code, fr_instr, fr_owner;
  int      owner_cstack;         /* a C entry's shim frame, skipped; -1: none */
  /* PyCodeObject */
  guint64  co_size, co_filename, co_name, co_qualname, co_firstlineno, co_linetable, co_code;
  /* str, bytes, int, dict, type, module */
  guint64  str_state, str_length, str_ascii_size, str_compact_size;
  guint64  bytes_size, bytes_sval;
  guint64  long_size, long_digit;
  gboolean long_tagged;          /* 3.12+: lv_tag, digits count << 3 */
  guint64  dict_keys, dict_values, values_at;
  guint64  ob_type, tp_flags, tp_dictoffset, ht_cached_keys;
  gboolean names;                /* thread names can be read */
} Layout;

typedef struct
{
  char    *function, *file;
  int      firstlineno;
  guint8  *table;
  gsize    table_len;
} Code;

struct _PyReader
{
  int         pid;
  guint64     runtime;
  Layout      L;
  int         mem_fd;            /* /proc/PID/mem once process_vm_readv was refused; else -1 */
  int         last_errno;
  GHashTable *codes;             /* code address → Code */
  GHashTable *frame_ids;         /* (code, instruction) → frame id + 1 */
  gint64      cache_ns;
  guint64     threading_dict;    /* threading's module dict, once found */
  guint64     active_dict;       /* threading._active */
};

typedef struct
{
  guint64 code, instr;
} FrameKey;

static guint
frame_key_hash (gconstpointer data)
{
  const FrameKey *k = data;
  guint64 h = k->code * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ k->instr;

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

static gboolean
rd_ptr (PyReader *r, guint64 addr, guint64 *out)
{
  return rd (r, addr, out, sizeof *out);
}

/* A str object as UTF-8 (compact strings only: every name and file of a code object is one);
 * NULL when it is not one. Its header and the first STR_AHEAD bytes of its characters come in
 * one read: names and keys are short, and a dict lookup reads many. */
#define STR_AHEAD 64

static char *
read_str (PyReader *r, guint64 obj)
{
  const Layout *L = &r->L;
  guint8 head[256 + STR_AHEAD];
  gsize head_len = L->str_ascii_size + STR_AHEAD;
  gint64 length;
  guint32 state;
  guint kind;
  gboolean ascii, ahead;
  g_autofree guint8 *data = NULL;
  gsize bytes, at;

  /* An object near the end of a mapping may not have STR_AHEAD bytes after it. */
  ahead = head_len <= sizeof head && rd (r, obj, head, head_len);
  if (!ahead && !rd (r, obj, head, L->str_ascii_size))
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
  if (ahead && at + bytes <= head_len)
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

static gboolean
str_equals (PyReader *r, guint64 obj, const char *want)
{
  g_autofree char *s = read_str (r, obj);

  return s != NULL && strcmp (s, want) == 0;
}

/* A small int (threading's idents fit one 64-bit value). */
static gboolean
read_long (PyReader *r, guint64 obj, guint64 *out)
{
  const Layout *L = &r->L;
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

/* A dict's live entries, up to @max: keys and values. */
static guint
dict_items (PyReader *r, guint64 dict, guint64 *keys, guint64 *values, guint max)
{
  const Layout *L = &r->L;
  guint64 dk, mv = 0, entries;
  guint8 head[3];
  gint64 nentries;
  gsize esize;
  g_autofree guint64 *raw = NULL;
  g_autofree guint64 *vals = NULL;
  guint n = 0;

  if (!rd_ptr (r, dict + L->dict_keys, &dk) || !rd_ptr (r, dict + L->dict_values, &mv) ||
      !rd (r, dk + 8, head, sizeof head) || !rd (r, dk + 24, &nentries, sizeof nentries))
    return 0;
  if (nentries <= 0 || nentries > MAX_DICT_ENTRIES || head[1] > 40)
    return 0;
  /* dk_indices (1 << dk_log2_index_bytes bytes) come first; general entries carry a hash. */
  entries = dk + 32 + ((guint64) 1 << head[1]);
  esize = head[2] == 0 ? 3 : 2;
  raw = g_new (guint64, (gsize) nentries * esize);
  if (!rd (r, entries, raw, (gsize) nentries * esize * sizeof (guint64)))
    return 0;
  if (mv != 0)
    {
      vals = g_new (guint64, (gsize) nentries);
      if (!rd (r, mv + L->values_at, vals, (gsize) nentries * sizeof (guint64)))
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

static guint64
dict_get (PyReader *r, guint64 dict, const char *key)
{
  guint64 keys[MAX_DICT_ENTRIES / 4], values[MAX_DICT_ENTRIES / 4];
  guint n = dict_items (r, dict, keys, values, G_N_ELEMENTS (keys));

  for (guint i = 0; i < n; i++)
    if (str_equals (r, keys[i], key))
      return values[i];
  return 0;
}

/* An instance attribute of a plain Python object (3.11): its managed dict, or its values with
 * the keys its type shares, or a dict at tp_dictoffset. */
static guint64
instance_attr (PyReader *r, guint64 obj, const char *name)
{
  const Layout *L = &r->L;
  guint64 type, flags, dict = 0, values = 0;
  gint64 dictoffset;

  if (!rd_ptr (r, obj + L->ob_type, &type) || !rd_ptr (r, type + L->tp_flags, &flags) ||
      !rd (r, type + L->tp_dictoffset, &dictoffset, sizeof dictoffset))
    return 0;
  if (flags & (1 << 4))    /* Py_TPFLAGS_MANAGED_DICT: the dict and values before the object */
    {
      if (rd_ptr (r, obj - 24, &dict) && dict != 0)
        return dict_get (r, dict, name);
      if (rd_ptr (r, obj - 32, &values) && values != 0)
        {
          guint64 cached, keys[64], vals[64];
          guint n;

          /* The type's shared keys, read as a split dict with these values. */
          if (!rd_ptr (r, type + L->ht_cached_keys, &cached) || cached == 0)
            return 0;
          {
            guint8 head[3];
            gint64 nentries;
            g_autofree guint64 *raw = NULL;

            if (!rd (r, cached + 8, head, sizeof head) || !rd (r, cached + 24, &nentries, sizeof nentries) ||
                nentries <= 0 || nentries > 64 || head[2] == 0 || head[1] > 40)
              return 0;
            raw = g_new (guint64, (gsize) nentries * 2);
            if (!rd (r, cached + 32 + ((guint64) 1 << head[1]), raw, (gsize) nentries * 16) ||
                !rd (r, values + L->values_at, vals, (gsize) nentries * 8))
              return 0;
            n = (guint) nentries;
            for (guint i = 0; i < n; i++)
              keys[i] = raw[i * 2];
          }
          for (guint i = 0; i < n; i++)
            if (keys[i] != 0 && vals[i] != 0 && str_equals (r, keys[i], name))
              return vals[i];
        }
      return 0;
    }
  if (dictoffset > 0 && rd_ptr (r, obj + (guint64) dictoffset, &dict) && dict != 0)
    return dict_get (r, dict, name);
  return 0;
}

static void
layout_311 (Layout *L)
{
  /* offsetof against Debian's python3.11 (3.11.7) internal headers, 64-bit. */
  L->minor = 11;
  L->rt_interp_head = 40;
  L->rt_tstate_current = 576;
  L->is_threads_head = 16;
  L->is_modules = 888;
  L->ts_size = 168;
  L->ts_next = 8;
  L->ts_interp = 16;
  L->ts_cframe = 56;
  L->cf_current_frame = 8;
  L->ts_thread_id = 152;
  L->ts_native_thread_id = 160;
  L->fr_size = 72;
  L->fr_code = 32;
  L->fr_previous = 48;
  L->fr_instr = 56;
  L->fr_owner = 69;
  L->owner_cstack = -1;
  L->co_size = 192;
  L->co_firstlineno = 72;
  L->co_filename = 112;
  L->co_name = 120;
  L->co_qualname = 128;
  L->co_linetable = 136;
  L->co_code = 184;
  L->str_length = 16;
  L->str_state = 32;
  L->str_ascii_size = 48;
  L->str_compact_size = 72;
  L->bytes_size = 16;
  L->bytes_sval = 32;
  L->long_size = 16;
  L->long_digit = 24;
  L->dict_keys = 32;
  L->dict_values = 40;
  L->values_at = 0;
  L->ob_type = 8;
  L->tp_flags = 168;
  L->tp_dictoffset = 288;
  L->ht_cached_keys = 872;
  L->names = TRUE;
}

/* 3.13's _Py_DebugOffsets, as its pycore_runtime.h declares it (all uint64_t), up to the
 * fields read. UNTESTED: no 3.13 on the machine this was written on. */
typedef struct
{
  char    cookie[8];
  guint64 version, free_threaded;
  struct { guint64 size, finalizing, interpreters_head; } runtime_state;
  struct { guint64 size, id, next, threads_head, gc, imports_modules, sysdict, builtins, ceval_gil,
           gil_runtime_state, gil_runtime_state_enabled, gil_runtime_state_locked,
           gil_runtime_state_holder; } interpreter_state;
  struct { guint64 size, prev, next, interp, current_frame, thread_id, native_thread_id,
           datastack_chunk, status; } thread_state;
  struct { guint64 size, previous, executable, instr_ptr, localsplus, owner; } interpreter_frame;
  struct { guint64 size, filename, name, qualname, linetable, firstlineno, argcount,
           localsplusnames, localspluskinds, co_code_adaptive; } code_object;
  struct { guint64 size, ob_type; } pyobject;
  struct { guint64 size, tp_name, tp_repr, tp_flags; } type_object;
  struct { guint64 size, ob_item, ob_size; } tuple_object;
  struct { guint64 size, ob_item, ob_size; } list_object;
  struct { guint64 size, ma_keys, ma_values; } dict_object;
  struct { guint64 size, ob_fval; } float_object;
  struct { guint64 size, lv_tag, ob_digit; } long_object;
  struct { guint64 size, ob_size, ob_sval; } bytes_object;
  struct { guint64 size, state, length, asciiobject_size; } unicode_object;
} DebugOffsets313;

static gboolean
layout_313 (Layout *L, const DebugOffsets313 *d, char **why)
{
  if (d->free_threaded)
    {
      *why = g_strdup ("a free-threaded CPython build, which this reader does not know");
      return FALSE;
    }
  L->minor = 13;
  L->rt_interp_head = d->runtime_state.interpreters_head;
  L->is_threads_head = d->interpreter_state.threads_head;
  L->is_modules = d->interpreter_state.imports_modules;
  L->is_ceval_gil = d->interpreter_state.ceval_gil;
  L->gil_locked = d->interpreter_state.gil_runtime_state_locked;
  L->gil_holder = d->interpreter_state.gil_runtime_state_holder;
  L->gil_locked_in_state = d->interpreter_state.gil_runtime_state_locked - d->interpreter_state.gil_runtime_state;
  L->ts_size = d->thread_state.size;
  L->ts_next = d->thread_state.next;
  L->ts_interp = d->thread_state.interp;
  L->ts_current_frame = d->thread_state.current_frame;
  L->ts_thread_id = d->thread_state.thread_id;
  L->ts_native_thread_id = d->thread_state.native_thread_id;
  L->fr_size = d->interpreter_frame.size;
  L->fr_previous = d->interpreter_frame.previous;
  L->fr_code = d->interpreter_frame.executable;
  L->fr_instr = d->interpreter_frame.instr_ptr;
  L->fr_owner = d->interpreter_frame.owner;
  L->owner_cstack = 3;   /* FRAME_OWNED_BY_CSTACK */
  L->co_size = d->code_object.co_code_adaptive;
  L->co_filename = d->code_object.filename;
  L->co_name = d->code_object.name;
  L->co_qualname = d->code_object.qualname;
  L->co_firstlineno = d->code_object.firstlineno;
  L->co_linetable = d->code_object.linetable;
  L->co_code = d->code_object.co_code_adaptive;
  L->str_state = d->unicode_object.state;
  L->str_length = d->unicode_object.length;
  L->str_ascii_size = d->unicode_object.asciiobject_size;
  L->str_compact_size = d->unicode_object.asciiobject_size + 16;  /* + utf8_length, utf8 */
  L->bytes_size = d->bytes_object.ob_size;
  L->bytes_sval = d->bytes_object.ob_sval;
  L->long_size = d->long_object.lv_tag;
  L->long_digit = d->long_object.ob_digit;
  L->long_tagged = TRUE;
  L->dict_keys = d->dict_object.ma_keys;
  L->dict_values = d->dict_object.ma_values;
  L->values_at = 8;
  L->ob_type = d->pyobject.ob_type;
  L->tp_flags = d->type_object.tp_flags;
  L->names = FALSE;
  /* Sizes this reader reads at once: refuse what is not plausible rather than read far. */
  if (L->ts_size > 4096 || L->fr_size > 1024 || L->co_size > 1024 || L->ts_size == 0 || L->fr_size == 0)
    {
      *why = g_strdup ("its _Py_DebugOffsets hold sizes this reader does not expect");
      return FALSE;
    }
  return TRUE;
}

/* The CPython version of the file _PyRuntime lives in, from its name in /proc/PID/maps
 * (python3.11, libpython3.11.so.1.0): minor, or -1. */
static int
runtime_minor (int pid, guint64 runtime)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/maps", pid);
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &maps, NULL, NULL))
    return -1;
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long start, end;
      int name_at = 0, major = 0, minor = -1;
      const char *base;

      if (sscanf (lines[i], "%llx-%llx %*s %*s %*s %*s %n", &start, &end, &name_at) < 2 || name_at == 0 ||
          runtime < start || runtime >= end)
        continue;
      base = strrchr (lines[i] + name_at, '/');
      base = base != NULL ? base + 1 : lines[i] + name_at;
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
  DebugOffsets313 d;
  int minor;

  g_return_val_if_fail (why != NULL, NULL);
  r->pid = pid;
  r->runtime = runtime;
  r->mem_fd = -1;
  if (!rd (r, runtime, &d, sizeof d))
    {
      *why = g_strdup_printf ("its memory cannot be read (process_vm_readv and /proc/%d/mem: %s; "
                              "a ptrace_scope above 1 or a seccomp filter refuses them)",
                              pid, g_strerror (r->last_errno));
      if (r->mem_fd >= 0)
        close (r->mem_fd);
      return NULL;
    }
  minor = runtime_minor (pid, runtime);
  if (memcmp (d.cookie, "xdebugpy", 8) == 0)
    {
      guint major_minor = (guint) (d.version >> 16);

      if (major_minor != 0x030d)
        {
          *why = g_strdup_printf ("CPython %u.%u: its _Py_DebugOffsets layout is not one this reader knows "
                                  "(3.13 only)", major_minor >> 8, major_minor & 0xff);
          goto refuse;
        }
      if (!layout_313 (&r->L, &d, why))
        goto refuse;
    }
  else if (minor == 11)
    layout_311 (&r->L);
  else
    {
      *why = minor >= 0 ? g_strdup_printf ("CPython 3.%d: its layout is not one this reader knows "
                                           "(3.11, and 3.13 through _Py_DebugOffsets)", minor)
                        : g_strdup ("its CPython version could not be told from the file _PyRuntime is in");
      goto refuse;
    }
  r->codes = g_hash_table_new_full (NULL, NULL, NULL, code_free);
  r->frame_ids = g_hash_table_new_full (frame_key_hash, frame_key_equal, g_free, NULL);
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
  g_free (r);
}

int
il_pystack_reader_get_minor (PyReader *r)
{
  return r->L.minor;
}

static gboolean
read_varint (const guint8 **p, const guint8 *end, guint *out)
{
  guint v = 0, shift = 0;

  while (*p < end)
    {
      guint8 b = *(*p)++;

      v |= (guint) (b & 63) << shift;
      shift += 6;
      if (!(b & 64))
        {
          *out = v;
          return TRUE;
        }
      if (shift > 30)
        return FALSE;
    }
  return FALSE;
}

static gboolean
read_svarint (const guint8 **p, const guint8 *end, int *out)
{
  guint v;

  if (!read_varint (p, end, &v))
    return FALSE;
  *out = (v & 1) ? -(int) (v >> 1) : (int) (v >> 1);
  return TRUE;
}

/* The line of code unit @index, from the location table (3.11-3.13 format; see CPython's
 * Objects/locations.md). The function's first line when the table has none. */
static int
code_line (const Code *c, gint64 index)
{
  const guint8 *p = c->table, *end;
  int line = c->firstlineno;
  gint64 addr = 0;

  /* A code object whose table was not read has none (NULL + 0 is undefined behaviour). */
  if (index < 0 || p == NULL)
    return c->firstlineno;
  end = p + c->table_len;
  while (p < end)
    {
      guint8 first = *p++;
      guint code = (first >> 3) & 15, length = (first & 7) + 1;
      int delta = 0;
      guint skip;

      if (!(first & 128))
        break;
      if (code == 15)
        delta = 0;
      else if (code == 14)
        {
          if (!read_svarint (&p, end, &delta) || !read_varint (&p, end, &skip) ||
              !read_varint (&p, end, &skip) || !read_varint (&p, end, &skip))
            break;
        }
      else if (code == 13)
        {
          if (!read_svarint (&p, end, &delta))
            break;
        }
      else if (code >= 10)
        {
          delta = (int) code - 10;
          p += 2;
        }
      else
        p += 1;
      line += delta;
      if (index < addr + length)
        return code == 15 ? c->firstlineno : line;
      addr += length;
    }
  return c->firstlineno;
}

static Code *
get_code (PyReader *r, guint64 addr)
{
  const Layout *L = &r->L;
  Code *c = g_hash_table_lookup (r->codes, GSIZE_TO_POINTER (addr));
  guint8 buf[1024];
  guint64 name, qualname, filename, table;
  gint32 firstlineno;
  gint64 size;

  if (c != NULL)
    return c;
  if (!rd (r, addr, buf, L->co_size))
    return NULL;
  memcpy (&name, buf + L->co_name, 8);
  memcpy (&qualname, buf + L->co_qualname, 8);
  memcpy (&filename, buf + L->co_filename, 8);
  memcpy (&table, buf + L->co_linetable, 8);
  memcpy (&firstlineno, buf + L->co_firstlineno, 4);
  c = g_new0 (Code, 1);
  c->function = read_str (r, qualname);
  if (c->function == NULL)
    c->function = read_str (r, name);
  c->file = read_str (r, filename);
  c->firstlineno = firstlineno;
  if (c->function == NULL || c->file == NULL)
    {
      code_free (c);
      return NULL;
    }
  if (rd (r, table + L->bytes_size, &size, sizeof size) && size > 0 && size <= MAX_TABLE)
    {
      c->table = g_malloc ((gsize) size);
      if (rd (r, table + L->bytes_sval, c->table, (gsize) size))
        c->table_len = (gsize) size;
    }
  g_hash_table_insert (r->codes, GSIZE_TO_POINTER (addr), c);
  return c;
}

/* The frame id of code @code at its instruction @instr (a pointer into its bytecode). */
static gboolean
frame_id (PyReader *r, IlTraceStacks *stacks, guint64 code, guint64 instr, guint *out)
{
  FrameKey key = { code, instr };
  gpointer found = g_hash_table_lookup (r->frame_ids, &key);
  Code *c;
  gint64 index;

  if (found != NULL)
    {
      *out = GPOINTER_TO_UINT (found) - 1;
      return TRUE;
    }
  if ((c = get_code (r, code)) == NULL)
    return FALSE;
  /* 3.11: prev_instr, the last instruction run; 3.13: instr_ptr, the one running. Both are
   * code units (2 bytes) from the start of co_code_adaptive. */
  index = ((gint64) instr - (gint64) (code + r->L.co_code)) / 2;
  *out = il_trace_stacks_intern_frame (stacks, c->function, c->file, (guint) MAX (code_line (c, index), 0));
  g_hash_table_insert (r->frame_ids, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (*out + 1));
  return TRUE;
}

/* A thread's frames lie below one another in its data stack (each call pushes the next above
 * its caller's): one read of the FRAME_WINDOW bytes that end at the innermost frame holds most
 * of a stack, where a read per frame cost 5-20 system calls a thread. A frame outside the
 * window (a generator's, in its object; another chunk) is read alone. */
#define FRAME_WINDOW 2048

static gboolean
read_frame (PyReader *r, guint64 frame, guint8 *fb, guint8 *win, guint64 *win_at, gsize *win_len)
{
  gsize n = r->L.fr_size;

  if (*win_len == 0 && frame + n >= FRAME_WINDOW)
    {
      /* The first frame: the window ends with it, unless that crosses into unmapped memory. */
      *win_at = frame + n - FRAME_WINDOW;
      *win_len = rd (r, *win_at, win, FRAME_WINDOW) ? FRAME_WINDOW : 0;
    }
  if (*win_len > 0 && frame >= *win_at && frame + n <= *win_at + *win_len)
    {
      memcpy (fb, win + (frame - *win_at), n);
      return TRUE;
    }
  return rd (r, frame, fb, n);
}

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
  const Layout *L = &r->L;
  guint64 holder = 0, gil = 0;
  gint32 locked = 0;

  if (L->minor == 11)
    {
      /* gilstate.tstate_current: set by the thread that takes the GIL, NULL while none has it. */
      rd_ptr (r, r->runtime + L->rt_tstate_current, &holder);
      return holder;
    }
  /* 3.13: the interpreter's own GIL state (_gil) is inside it, and the debug offsets of
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

gboolean
il_pystack_sample (PyReader *r, IlTraceStacks *stacks, GArray *out, char **why)
{
  const Layout *L = &r->L;
  guint64 interp = first_interp (r), ts, holder;
  guint n = 0;

  g_array_set_size (out, 0);
  if (interp == 0 || !rd_ptr (r, interp + L->is_threads_head, &ts))
    {
      /* Before its interpreter exists or after it is gone: nothing to sample, not an error. */
      return TRUE;
    }
  holder = gil_holder (r, interp);
  for (; ts != 0 && n < MAX_THREADS; n++)
    {
      guint8 buf[4096], win[FRAME_WINDOW];
      guint64 next, tinterp, frame = 0, ident, win_at;
      gsize win_len;
      gint64 native;
      PyThreadSample s = { 0 };

      if (!rd (r, ts, buf, L->ts_size))
        break;
      memcpy (&next, buf + L->ts_next, 8);
      memcpy (&tinterp, buf + L->ts_interp, 8);
      memcpy (&ident, buf + L->ts_thread_id, 8);
      memcpy (&native, buf + L->ts_native_thread_id, 8);
      if (tinterp != interp)
        {
          /* Every thread state points back at its interpreter: when this one does not, the
           * offsets are wrong for this binary, and nothing it reads can be trusted. */
          if (why != NULL && n == 0)
            *why = g_strdup ("its thread states do not point back at their interpreter: "
                             "this binary's layout is not the one expected");
          return n > 0;
        }
      s.tstate = ts;
      s.ident = ident;
      s.tid = native;
      s.holds_gil = holder != 0 && holder == ts;
      if (L->minor == 11)
        {
          guint64 cframe = 0;

          memcpy (&cframe, buf + L->ts_cframe, 8);
          if (cframe != 0)
            rd_ptr (r, cframe + L->cf_current_frame, &frame);
        }
      else
        memcpy (&frame, buf + L->ts_current_frame, 8);
      win_at = win_len = 0;
      /* No store (IL_NO_STACKS=1): the threads and names only. */
      for (guint depth = 0; stacks != NULL && frame != 0 && depth < 1024 && s.n_frames < PY_MAX_FRAMES; depth++)
        {
          guint8 fb[1024];
          guint64 code, instr, previous;
          guint id;

          if (!read_frame (r, frame, fb, win, &win_at, &win_len))
            break;
          memcpy (&code, fb + L->fr_code, 8);
          memcpy (&instr, fb + L->fr_instr, 8);
          memcpy (&previous, fb + L->fr_previous, 8);
          if (L->owner_cstack < 0 || fb[L->fr_owner] != (guint8) L->owner_cstack)
            if (frame_id (r, stacks, code, instr, &id))
              s.frames[s.n_frames++] = id;
          frame = previous;
        }
      g_array_append_val (out, s);
      ts = next;
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
}

/* threading._active: ident → Thread, as the program's threads registered themselves. */
gboolean
il_pystack_read_names (PyReader *r, GHashTable *names)
{
  const Layout *L = &r->L;
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
    }
  return TRUE;
}
