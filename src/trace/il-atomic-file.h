/* il-atomic-file.h: files written under a temporary name in their folder, renamed into place once complete. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A file being written: readers of @path see the old file (or none) until il_atomic_file_commit()
 * renames the complete temporary file over it. Nothing but a finished file ever appears there. */
typedef struct _IlAtomicFile IlAtomicFile;

/* Creates "FOLDER/.NAME.XXXXXX" next to @path. Refuses (IL_ERROR_FAILED, naming @path) when @path
 * exists and is not a regular file (a folder, a FIFO, a device such as /dev/full) or when the
 * folder cannot be written. */
IlAtomicFile  *il_atomic_file_new          (const char    *path,
                                            GError       **error);

/* Where to write; owned by @file. */
GOutputStream *il_atomic_file_get_stream   (IlAtomicFile  *file);

/* Closes, flushes to disk and renames over the destination; on failure the temporary file is
 * removed and the destination is left as it was. Frees @file in every case. */
gboolean       il_atomic_file_commit       (IlAtomicFile  *file,
                                            GError       **error);

/* Closes and removes the temporary file; the destination is left as it was. Frees @file. */
void           il_atomic_file_abort        (IlAtomicFile  *file);

/* Removes every temporary file still being written. Async-signal-safe (only unlink(2)), for a
 * SIGINT/SIGTERM handler that then ends the process. */
void           il_atomic_file_unlink_pending (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlAtomicFile, il_atomic_file_abort)

G_END_DECLS
