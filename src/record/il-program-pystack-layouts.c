/* il-program-pystack-layouts.c: where CPython 3.8-3.13 keep what the Python reader reads, and how their line tables say a line. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tables below are offsetof () and sizeof () of CPython's own structs on x86-64 (and other
 * 64-bit Linux targets, whose layouts match), printed by a throwaway C program compiled with
 * -DPy_BUILD_CORE against each version's headers, internal ones included: pyenv's 3.8.18,
 * 3.9.18, 3.10.13, 3.11.7, 3.12.1 and 3.13.0 (include/python3.X/internal), and Debian's
 * python3.11 (3.11.7: the same numbers as pyenv's). Patch releases keep these structs (CPython
 * does not change them within a minor version, being the ABI of its internal API). Nothing here
 * is trusted blindly: every sample checks that each thread state points back at its interpreter,
 * 3.8-3.10's native thread ids are checked on the main thread (below), and
 * tests/program/test-pystack.c reads a running program of every installed version.
 *
 * 3.13 publishes its own offsets (_Py_DebugOffsets) at the start of _PyRuntime; those are read
 * where they exist, and only what they leave out comes from the table (ht_cached_keys, inline
 * values). */
#include "config.h"

#include <string.h>

#include "il-program-pystack-private.h"

/* What 3.8-3.10 share: frame objects, the old dict keys, str with its wstr pointer. */
#define LEGACY_COMMON \
  .frames = PY_FRAMES_OBJECT, .attrs = PY_ATTRS_DICTOFFSET, .dict_old = TRUE, \
  .rt_interp_head = 32, .rt_main_thread = 72, .is_threads_head = 8, \
  .ts_next = 8, .ts_interp = 16, .ts_frame = 24, .ts_thread_id = 176, \
  .fr_previous = 24, .fr_code = 32, .fr_globals = 48, .owner_cstack = -1, \
  .co_size = 176, .co_firstlineno = 40, .co_filename = 104, .co_name = 112, .co_linetable = 120, \
  .str_length = 16, .str_state = 32, .str_ascii_size = 48, .str_compact_size = 72, \
  .bytes_size = 16, .bytes_sval = 32, .long_size = 16, .long_digit = 24, \
  .dict_keys = 32, .dict_values = 40, .ob_type = 8, .tp_flags = 168, .tp_dictoffset = 288, \
  .names = TRUE

static const PyLayout layouts[] = {
  { .minor = 8, LEGACY_COMMON, .lines = PY_LINES_LNOTAB,
    .rt_tstate_current = 1368, .is_modules = 56, .ts_size = 184, .fr_instr = 104, .fr_size = 108,
    .ht_cached_keys = 872 },
  { .minor = 9, LEGACY_COMMON, .lines = PY_LINES_LNOTAB,
    .rt_tstate_current = 568, .is_modules = 856, .ts_size = 184, .fr_instr = 104, .fr_size = 108,
    .ht_cached_keys = 864 },
  { .minor = 10, LEGACY_COMMON, .lines = PY_LINES_310,
    .rt_tstate_current = 568, .is_modules = 856, .ts_size = 184, .fr_instr = 96, .fr_size = 100,
    .ht_cached_keys = 872 },
  { .minor = 11, .frames = PY_FRAMES_CFRAME, .lines = PY_LINES_LOCATIONS, .attrs = PY_ATTRS_311,
    .rt_interp_head = 40, .rt_tstate_current = 576, .is_threads_head = 16, .is_modules = 888,
    .ts_size = 168, .ts_next = 8, .ts_interp = 16, .ts_frame = 56, .cf_current_frame = 8,
    .ts_thread_id = 152, .ts_native_thread_id = 160,
    .fr_size = 72, .fr_code = 32, .fr_globals = 8, .fr_previous = 48, .fr_instr = 56, .fr_owner = 69,
    .owner_cstack = -1,
    .co_size = 192, .co_firstlineno = 72, .co_filename = 112, .co_name = 120, .co_qualname = 128,
    .co_linetable = 136, .co_code = 184,
    .str_length = 16, .str_state = 32, .str_ascii_size = 48, .str_compact_size = 72,
    .bytes_size = 16, .bytes_sval = 32, .long_size = 16, .long_digit = 24,
    .dict_keys = 32, .dict_values = 40, .values_at = 0,
    .ob_type = 8, .tp_flags = 168, .tp_dictoffset = 288, .ht_cached_keys = 872, .names = TRUE },
  { .minor = 12, .frames = PY_FRAMES_CFRAME, .lines = PY_LINES_LOCATIONS, .attrs = PY_ATTRS_312,
    /* The main interpreter lives inside _PyRuntime, and so does its GIL (_gil). */
    .rt_interp_head = 40, .is_threads_head = 72, .is_modules = 944,
    .is_ceval_gil = 384, .gil_holder = 1048, .gil_locked = 1056, .gil_locked_in_state = 16,
    .ts_size = 152, .ts_next = 8, .ts_interp = 16, .ts_frame = 56, .cf_current_frame = 0,
    .ts_thread_id = 136, .ts_native_thread_id = 144,
    .fr_size = 72, .fr_code = 0, .fr_globals = 24, .fr_previous = 8, .fr_instr = 56, .fr_owner = 70,
    .owner_cstack = 3,   /* FRAME_OWNED_BY_CSTACK */
    .co_size = 200, .co_firstlineno = 68, .co_filename = 112, .co_name = 120, .co_qualname = 128,
    .co_linetable = 136, .co_code = 192,
    .str_length = 16, .str_state = 32, .str_ascii_size = 40, .str_compact_size = 56,
    .bytes_size = 16, .bytes_sval = 32, .long_size = 16, .long_digit = 24, .long_tagged = TRUE,
    .dict_keys = 32, .dict_values = 40, .values_at = 0,
    .ob_type = 8, .tp_flags = 168, .tp_dictoffset = 288, .ht_cached_keys = 880, .names = TRUE },
};

gboolean
il_pystack_layout_for (int minor, PyLayout *L)
{
  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++)
    if (layouts[i].minor == minor)
      {
        *L = layouts[i];
        return TRUE;
      }
  return FALSE;
}

/* 3.13's _Py_DebugOffsets, as its pycore_runtime.h declares it (all uint64_t), up to the
 * fields read. */
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

gsize
il_pystack_debug_offsets_size (void)
{
  return sizeof (DebugOffsets313);
}

gboolean
il_pystack_layout_313 (const void *data, PyLayout *L, char **why)
{
  const DebugOffsets313 *d = data;
  guint major_minor = (guint) (d->version >> 16);

  if (major_minor != 0x030d)
    {
      *why = g_strdup_printf ("CPython %u.%u: its layout is not one this reader knows (3.8-3.13)",
                              major_minor >> 8, major_minor & 0xff);
      return FALSE;
    }
  if (d->free_threaded)
    {
      *why = g_strdup ("a free-threaded CPython build, which this reader does not know");
      return FALSE;
    }
  memset (L, 0, sizeof *L);
  L->minor = 13;
  L->frames = PY_FRAMES_CURRENT;
  L->lines = PY_LINES_LOCATIONS;
  L->attrs = PY_ATTRS_313;
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
  L->ts_frame = d->thread_state.current_frame;
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
  L->values_at = 8;      /* after capacity, size, embedded, valid */
  L->ob_type = d->pyobject.ob_type;
  L->tp_flags = d->type_object.tp_flags;
  /* Not in the debug offsets: from 3.13.0's headers (offsetof (PyHeapTypeObject,
   * ht_cached_keys), checked by reading the names of a running 3.13's threads;
   * offsetof (_PyInterpreterFrame, f_globals)). */
  L->ht_cached_keys = 880;
  L->fr_globals = 24;    /* offsetof (_PyInterpreterFrame, f_globals), within fr_size */
  L->names = TRUE;
  /* Sizes this reader reads at once: refuse what is not plausible rather than read far. */
  if (L->ts_size > 4096 || L->fr_size > 1024 || L->co_size > 1024 || L->ts_size == 0 || L->fr_size < L->fr_globals + 8)
    {
      *why = g_strdup ("its _Py_DebugOffsets hold sizes this reader does not expect");
      return FALSE;
    }
  return TRUE;
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

/* The location table (3.11-3.13; CPython's Objects/locations.md): entries of 1-8 code units. */
static int
locations_line (const guint8 *p, const guint8 *end, int firstlineno, gint64 index)
{
  int line = firstlineno;
  gint64 addr = 0;

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
        return code == 15 ? firstlineno : line;
      addr += length;
    }
  return firstlineno;
}

int
il_pystack_table_line (PyLines lines, const guint8 *table, gsize table_len, int firstlineno, gint64 offset)
{
  int line = firstlineno;
  gint64 start = 0;

  /* A code object whose table was not read has none (NULL + 0 is undefined behaviour). */
  if (offset < 0 || table == NULL)
    return firstlineno;
  if (lines == PY_LINES_LOCATIONS)
    return locations_line (table, table + table_len, firstlineno, offset / 2);
  for (gsize i = 0; i + 1 < table_len; i += 2)
    {
      gint64 end = start + table[i];
      int delta = (gint8) table[i + 1];

      if (lines == PY_LINES_LNOTAB)
        {
          /* Each pair moves the address, then the line from that address on. */
          if (end > offset)
            return line;
          line += delta;
        }
      else
        {
          /* 3.10: each pair is a range of bytecode and its line's delta; -128: no line. */
          if (delta != -128)
            line += delta;
          if (offset >= start && offset < end)
            return line;
        }
      start = end;
    }
  return line;
}
