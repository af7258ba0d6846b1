/* il-trace-chrome-private.h: what the Chrome Trace Event importer's parts share (events, lanes). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* il-trace-chrome-read.c lexes the file event by event into an Event; il-trace-chrome-lanes.c
 * turns events into lanes and slices (or, for Interleave's own export, into spans of the header's
 * runs) and builds the trace from them. */

#include "il-json-private.h"
#include "il-trace-io-private.h"
#include "il-trace-read-private.h"

G_BEGIN_DECLS

#define MAX_LANES 65535            /* a lane id is 16 bits */
#define MAX_TASKS ((1u << 23) - 1) /* a span's task is 24 bits */
/* Times from a run's start are at most 18 digits in trace v1 (31 years), so what loads saves. */
#define MAX_SPAN_NS G_GINT64_CONSTANT (999999999999999999)

/* A pid or tid: a number (its text) or a string (ray writes "Node 10.0.0.1"). */
typedef struct
{
  gboolean set;
  gboolean is_string;
  gint64   num;
  char    *str;
} Id;

typedef struct
{
  /* Buffers kept from event to event; name, cat and arg_name point into them or are NULL. */
  GString    *name_buf, *cat_buf, *arg_name_buf;
  const char *at;       /* where the event starts, for errors */
  char        ph;
  char       *name;
  char       *cat;
  Id          pid;
  Id          tid;
  Id          id;            /* async events: "id", or "id2" {"local"|"global": …} */
  gboolean    has_ts, has_dur;
  gboolean    ts_range;      /* "ts" or "dur" did not fit in nanoseconds */
  gint64      ts_ns, dur_ns;
  /* args */
  char       *arg_name;
  gboolean    has_sort_index;
  gint64      sort_index;
  gboolean    has_run, has_worker, has_task, has_cpu, has_start, has_end;
  gint64      run, worker, task, cpu, start_ns, end_ns;
  /* What the marks keep (il-trace-chrome-marks.c): raw text in the document, read at once */
  const char *args_at, *id_at, *bind_at;   /* "args", "id" (or "id2"), "bind_id" */
  gsize       args_len, id_len, bind_len;
  char        scope;                        /* "s" of an instant: 'g', 'p', 't' or 0 */
  gboolean    flow_in, flow_out;
} Event;
typedef struct
{
  gint64  start_ns;
  gint64  end_ns;
  guint32 name;            /* index in Import.names */
  guint32 order : 31;      /* file order, to keep sorting stable */
  guint32 unfinished : 1;  /* a "B" the file never closed */
} Slice;

/* A "B" or "E" event, kept until the end: the file need not be sorted, so pairs are matched only
 * once a thread's events are in time order. */
typedef struct
{
  gint64   ts_ns;
  guint32  name;     /* "B": index in Import.names */
  guint32  order : 31;
  guint32  is_end : 1;
} Mark;

typedef struct
{
  char    *key;      /* pid key, '\x1f', tid key */
  char    *pid_key;
  Id       pid, tid;
  char    *name;
  gboolean has_sort;
  gint64   sort;
  guint    order;    /* first appearance */
  GArray  *slices;   /* of Slice */
  GArray  *marks;    /* of Mark, in file order */
  gboolean any_ts;
  gint64   last_ns;  /* the end of its last event: where an unclosed "B" ends */
  gboolean async;    /* an async track ("b"/"e", "S"/"F") of its process, not a thread */
  guint    n_rows;   /* rows its slices need, one per depth of nesting */
  guint    first_worker; /* the run's lane of its row at depth 0, once built */
} Thread;

typedef struct
{
  char    *name;
  gboolean has_sort;
  gint64   sort;
  guint    order;
} Process;

typedef struct
{
  IlJsonLexer  lx;
  IlTraceHeaderReader read_header;   /* reads "otherData.interleave" */
  GHashTable  *threads;     /* key → Thread* */
  GPtrArray   *thread_list;
  GHashTable  *processes;   /* pid key → Process* */
  GHashTable  *name_ids;    /* slice name → index + 1 */
  GPtrArray   *names;       /* of char*, owned by name_chunk */
  GStringChunk *name_chunk;
  Thread      *last_thread;   /* events mostly come thread by thread: the last one is cached */
  guint64      n_slices;
  guint64      n_begins;      /* "B" events not yet made slices */
  guint32      order;
  guint32      seq;           /* file order of slices and marks */
  char        *cut;           /* the array was cut off: where, for the warning */
  gint64       max_ts;
  gboolean     any_ts;
  /* Interleave's own export */
  const char  *header;
  gsize        header_len;
  GArray     **spans;       /* per run of the header's trace, of IlSpan */
  IlTrace     *own;
  struct _ChromeMarks *marks;   /* instants, counters, flows, slice args (il-trace-chrome-marks.c) */
} Import;

/* Sets up the import of @src (errors to @error); il_chrome_import_clear() frees it. */
void     il_chrome_import_init    (Import *im, IlTraceSource *src, IlTraceHeaderReader read_header,
                                   GError **error);
void     il_chrome_import_clear   (Import *im);
/* One event of Interleave's own export (im->own is set) or of any other file. */
gboolean il_chrome_own_event      (Import *im, const Event *e);
gboolean il_chrome_foreign_event  (Import *im, Event *e);
/* Forgets the lanes of events read before the header turned up (they are read again). */
void     il_chrome_forget_lanes   (Import *im);
/* The trace of everything read. */
IlTrace *il_chrome_finish         (Import *im);

/* il-trace-chrome-marks.c: what a foreign file says beyond its slices. */
/* Reads a member the marks keep ("id", "id2", "bind_id", "s", "flow_in", "flow_out"); FALSE when
 * the key is none of them, else *@ok says whether it lexed. */
gboolean il_chrome_lex_mark_member (IlJsonLexer *lx, Event *e, gboolean *ok);
/* A slice ("X", or the "B" of a pair) of file order @order: its category, args and flow ends. */
gboolean il_chrome_marks_slice    (Import *im, Thread *t, const Event *e, guint32 order);
/* An instant ("i"/"I") on thread @t. */
gboolean il_chrome_marks_instant  (Import *im, Thread *t, const Event *e);
/* A counter ("C") or flow step ("s"/"t"/"f") with its "ts". */
gboolean il_chrome_marks_event    (Import *im, const Event *e);
/* The earliest time of an instant, counter or flow (G_MAXINT64 when none): the run starts there
 * at the latest. */
gint64   il_chrome_marks_first_ts (Import *im);
/* Once the run's lanes exist (@threads sorted as its workers) and before its slices become tasks. */
void     il_chrome_marks_begin    (Import *im, IlRunTrace *run);
/* Task @task came from the slice of file order @order. */
void     il_chrome_marks_task     (IlRunTrace *run, guint task, guint32 order);
/* Puts the instants, counters and flows into @run. */
void     il_chrome_marks_finish   (Import *im, IlRunTrace *run, GPtrArray *threads, gint64 origin);
void     il_chrome_marks_free     (Import *im);
/* The key of a pid or tid in Import.processes and Thread.key. */
char    *il_chrome_id_key         (const Id *id);

G_END_DECLS
