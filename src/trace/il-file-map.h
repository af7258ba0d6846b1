/* il-file-map.h: reading a file the user named without ever blocking on it: regular files only, mapped. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What to say when a file cannot be read, in the words of its kind (a lesson, a trace): each a
 * translated format with the file's display name as its %s (@cannot_open: then the reason). */
typedef struct
{
  const char *cannot_open;  /* "%s: %s" */
  const char *folder;
  const char *not_regular;
  const char *too_large;    /* NULL when any size is fine */
  const char *cannot_map;   /* "%s": the mapping's own message */
} IlFileMapWords;

/* Opens @path with O_NONBLOCK (a FIFO would wait for a writer forever) and maps it when it is a
 * regular file of at most @max_bytes (0: any size). A missing file, a folder, a FIFO or device and
 * a file too large are IL_ERROR_INVALID; other failures IL_ERROR_FAILED. An empty file maps with
 * no contents (g_mapped_file_get_contents() is NULL). */
GMappedFile *il_file_map_regular (const char           *path,
                                  gint64                max_bytes,
                                  const IlFileMapWords *words,
                                  GError              **error);

G_END_DECLS
