/* il-worker-protocol.c: writing messages and reassembling them from a pipe. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "il-worker-protocol.h"

gboolean
il_worker_write_all (int          fd,
                     const void  *data,
                     gsize        len,
                     GError     **error)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = write (fd, p, len);

      if (n < 0)
        {
          int errsv = errno;
          if (errsv == EINTR)
            continue;
          g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Writing to a worker pipe failed: %s"),
                       g_strerror (errsv));
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
il_worker_write_msg (int          fd,
                     IlMsgType    type,
                     const void  *payload,
                     gsize        size,
                     GError     **error)
{
  IlMsgHeader header = { type, (guint32) size };
  guint8 small[256];

  g_return_val_if_fail (size <= G_MAXUINT32, FALSE);

  /* Small messages go in one write, so a reader never wakes up for half of one. */
  if (sizeof header + size <= sizeof small)
    {
      memcpy (small, &header, sizeof header);
      if (size > 0)
        memcpy (small + sizeof header, payload, size);
      return il_worker_write_all (fd, small, sizeof header + size, error);
    }

  return il_worker_write_all (fd, &header, sizeof header, error) &&
         il_worker_write_all (fd, payload, size, error);
}

void
il_msg_reader_init (IlMsgReader *reader)
{
  reader->buf = g_byte_array_sized_new (65536);
  reader->pos = 0;
}

void
il_msg_reader_clear (IlMsgReader *reader)
{
  g_clear_pointer (&reader->buf, g_byte_array_unref);
  reader->pos = 0;
}

gssize
il_msg_reader_fill (IlMsgReader *reader,
                    int          fd)
{
  gsize old_len;
  gssize n;

  /* Drop what was parsed, keep the partial tail. */
  if (reader->pos > 0)
    {
      g_byte_array_remove_range (reader->buf, 0, (guint) reader->pos);
      reader->pos = 0;
    }

  old_len = reader->buf->len;
  g_byte_array_set_size (reader->buf, (guint) (old_len + 65536));
  n = read (fd, reader->buf->data + old_len, 65536);
  g_byte_array_set_size (reader->buf, (guint) (old_len + MAX (n, 0)));
  return n;
}

gboolean
il_msg_reader_has_msg (IlMsgReader *reader)
{
  IlMsgHeader header;
  gsize avail = reader->buf->len - reader->pos;

  if (avail < sizeof header)
    return FALSE;
  memcpy (&header, reader->buf->data + reader->pos, sizeof header);
  return avail >= sizeof header + header.size;
}

gboolean
il_msg_reader_next (IlMsgReader    *reader,
                    IlMsgHeader    *header,
                    const guint8  **payload)
{
  if (!il_msg_reader_has_msg (reader))
    return FALSE;

  memcpy (header, reader->buf->data + reader->pos, sizeof *header);
  *payload = reader->buf->data + reader->pos + sizeof *header;
  reader->pos += sizeof *header + header->size;
  return TRUE;
}
