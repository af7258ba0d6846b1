/* il-program-pystack-private.h: CPython's memory layouts per version and its line tables, shared by the two files of the Python reader. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How a version finds a thread's innermost frame and walks to its callers. */
typedef enum
{
  PY_FRAMES_OBJECT,      /* 3.8-3.10: ts->frame, a PyFrameObject; f_back, f_code, f_lasti */
  PY_FRAMES_CFRAME,      /* 3.11-3.12: ts->cframe->current_frame, a _PyInterpreterFrame */
  PY_FRAMES_CURRENT,     /* 3.13: ts->current_frame */
} PyFrames;

/* The code object's line table. */
typedef enum
{
  PY_LINES_LNOTAB,       /* 3.8-3.9: co_lnotab, (bytecode bytes, line delta) pairs */
  PY_LINES_310,          /* 3.10: co_linetable, (bytes, line delta or -128) pairs */
  PY_LINES_LOCATIONS,    /* 3.11+: the location table (Objects/locations.md) */
} PyLines;

/* Where a plain Python object (a threading.Thread) keeps its attributes. */
typedef enum
{
  PY_ATTRS_DICTOFFSET,   /* 3.8-3.10: a dict at tp_dictoffset */
  PY_ATTRS_311,          /* managed: dict at -24, else values at -32 with the type's keys */
  PY_ATTRS_312,          /* managed: at -24 a dict, or values tagged by bit 0 (pointer - 1) */
  PY_ATTRS_313,          /* managed dict at -24, else inline values after the header */
} PyAttrs;

typedef struct
{
  int      minor;
  PyFrames frames;
  PyLines  lines;
  PyAttrs  attrs;
  gboolean dict_old;             /* 3.8-3.10 dict keys: dk_size, dk_lookup, 3-word entries */
  /* _PyRuntime */
  guint64  rt_interp_head;
  guint64  rt_tstate_current;    /* 3.8-3.11: gilstate.tstate_current, the GIL's holder; 0: none */
  guint64  rt_main_thread;       /* 3.8-3.10: the main thread's ident (no native id then) */
  /* PyInterpreterState */
  guint64  is_threads_head, is_modules;
  guint64  is_ceval_gil;         /* 3.12+: the pointer to its _gil_runtime_state; 0: none */
  guint64  gil_locked, gil_holder;   /* 3.12+: from the interpreter (its _gil's fields) */
  guint64  gil_locked_in_state;      /* 3.12+: `locked` from the start of _gil */
  /* PyThreadState */
  guint64  ts_size, ts_next, ts_interp, ts_thread_id, ts_native_thread_id;  /* native: 0 before 3.11 */
  guint64  ts_frame;             /* 3.8-3.10: frame; 3.11-3.12: cframe; 3.13: current_frame */
  guint64  cf_current_frame;     /* 3.11-3.12: in the _PyCFrame */
  /* the frame (_PyInterpreterFrame, or 3.8-3.10's PyFrameObject) */
  guint64  fr_size, fr_previous, fr_code, fr_instr, fr_owner;  /* fr_instr: 3.8-3.10 f_lasti */
  guint64  fr_globals;
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
} PyLayout;

/* The layout of CPython 3.@minor from the tables, FALSE for a version they do not hold. */
gboolean il_pystack_layout_for   (int minor, PyLayout *L);
/* 3.13's from the _Py_DebugOffsets at the start of its _PyRuntime (@d: its first
 * il_pystack_debug_offsets_size() bytes); FALSE with @why set when they are not 3.13's. */
gsize    il_pystack_debug_offsets_size (void);
gboolean il_pystack_layout_313   (const void *d, PyLayout *L, char **why);
/* The line running at byte @offset of the bytecode, from @table in format @lines;
 * @firstlineno when the table does not say. */
int      il_pystack_table_line   (PyLines lines, const guint8 *table, gsize table_len, int firstlineno,
                                  gint64 offset);

G_END_DECLS
