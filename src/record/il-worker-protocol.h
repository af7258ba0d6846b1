/* il-worker-protocol.h: the pipe protocol between the processes executor and interleave-worker. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-trace.h"

G_BEGIN_DECLS

/* Both ends are built from the same tree and run on the same machine, so messages are plain
 * native-endian structs: a header, then a payload of header.size bytes.
 * Parent → worker (stdin): SETUP once, then TASK messages; end of file means "no more tasks".
 * Worker → parent (stdout): HELLO once it is ready, then SPANS batches (task completions travel
 * in them as IL_RING_TASK_MARK entries, after the spans they cover), ERROR on failure. */
/* 2: the convoy workload, whose tasks differ by their number (TASK carries it). A worker of
 * another version refuses the set-up rather than run work it does not know. */
#define IL_WORKER_PROTOCOL_VERSION 2
#define IL_WORKER_MAX_CPUS 256

typedef enum
{
  IL_MSG_SETUP = 1,
  IL_MSG_TASK,
  IL_MSG_HELLO,
  IL_MSG_SPANS,
  IL_MSG_ERROR,
} IlMsgType;

typedef struct
{
  guint32 type;
  guint32 size;
} IlMsgHeader;

typedef struct
{
  guint32 version;
  guint32 worker;
  guint32 workload;     /* IlWorkloadKind */
  guint32 capture;      /* IlCaptureKind */
  gint64  origin_ns;
  double  cpu_blocks_per_ms;
  double  memory_bytes_per_ms;
  guint64 cpu_mask[IL_WORKER_MAX_CPUS / 64];   /* all zero: every CPU */
} IlMsgSetup;

typedef struct
{
  gint32  task;
  guint32 reserved;
  double  task_ms;
} IlMsgTask;

typedef struct
{
  gint32  pid;
  gint32  tid;
  gint64  ready_ns;     /* absolute CLOCK_MONOTONIC */
} IlMsgHello;

/* Spans per SPANS message at most (keeps one message within a pipe's buffer). */
#define IL_MSG_MAX_SPANS ((65536 - sizeof (IlMsgHeader)) / sizeof (IlSpan))

/* Writes all of @len bytes, retrying short writes and EINTR. */
gboolean il_worker_write_all (int fd, const void *data, gsize len, GError **error);
/* Writes one message (header and payload) with one write where possible. */
gboolean il_worker_write_msg (int fd, IlMsgType type, const void *payload, gsize size,
                              GError **error);

/* Accumulates bytes from a pipe and hands out complete messages. */
typedef struct
{
  GByteArray *buf;
  gsize       pos;      /* start of the first unparsed message */
} IlMsgReader;

void     il_msg_reader_init  (IlMsgReader *reader);
void     il_msg_reader_clear (IlMsgReader *reader);
/* Reads what is available (one read() call). Returns bytes read, 0 at end of file, -1 on error
 * (errno set; EAGAIN/EINTR are not errors for the caller to report). */
gssize   il_msg_reader_fill  (IlMsgReader *reader, int fd);
/* The next complete message, or FALSE when more bytes are needed. @payload stays valid until the
 * next fill. */
gboolean il_msg_reader_next  (IlMsgReader *reader, IlMsgHeader *header, const guint8 **payload);
/* TRUE when a complete message is buffered. */
gboolean il_msg_reader_has_msg (IlMsgReader *reader);

G_END_DECLS
