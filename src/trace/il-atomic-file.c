/* il-atomic-file.c: files written under a temporary name in their folder, renamed into place once complete. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>

#include "il-atomic-file.h"
#include "il-types.h"

/* Temporary files of writes in progress, where a signal handler can find them without a lock or
 * an allocation: a slot is filled before it is marked used and marked free before it is reused. */
#define N_PENDING 32
static char pending_paths[N_PENDING][PATH_MAX];
static volatile sig_atomic_t pending_used[N_PENDING];
static GMutex pending_lock;

struct _IlAtomicFile
{
  char          *path;
  char          *tmp_path;
  GOutputStream *stream;
  int            slot;     /* in pending_paths, or -1 when all were taken */
};

static int
pending_add (const char *tmp_path)
{
  int slot = -1;

  if (strlen (tmp_path) >= PATH_MAX)
    return -1;
  g_mutex_lock (&pending_lock);
  for (int i = 0; i < N_PENDING; i++)
    if (!pending_used[i])
      {
        strcpy (pending_paths[i], tmp_path);
        pending_used[i] = 1;
        slot = i;
        break;
      }
  g_mutex_unlock (&pending_lock);
  return slot;
}

static void
pending_remove (int slot)
{
  if (slot < 0)
    return;
  g_mutex_lock (&pending_lock);
  pending_used[slot] = 0;
  g_mutex_unlock (&pending_lock);
}

void
il_atomic_file_unlink_pending (void)
{
  for (int i = 0; i < N_PENDING; i++)
    if (pending_used[i])
      unlink (pending_paths[i]);
}

static void
set_error (GError **error, const char *path, int saved_errno)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Cannot write %s: %s"), display,
               g_strerror (saved_errno));
}

IlAtomicFile *
il_atomic_file_new (const char *path, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_path = NULL;
  IlAtomicFile *file;
  GStatBuf st;
  mode_t mode = 0;
  gboolean exists;
  sigset_t hold, old_mask;
  int slot;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* stat(), not open(): opening a FIFO for writing blocks until a reader comes, and a device
   * would be replaced by a plain file at the rename. */
  exists = g_stat (path, &st) == 0;
  if (exists && !S_ISREG (st.st_mode))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, IL_ERROR, IL_ERROR_FAILED,
                   S_ISDIR (st.st_mode) ? _("Cannot write %s: it is a folder")
                                        : _("Cannot write %s: not a regular file (a FIFO, socket or device)"),
                   display);
      return NULL;
    }
  /* A file the user may not write, or made read-only (no write bit for anyone: root could still
   * replace it, but nobody meant that), is refused: the rename would replace it regardless. */
  if (exists && (access (path, W_OK) != 0 || (st.st_mode & 0222) == 0))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Cannot write %s: the file is read-only"),
                   display);
      return NULL;
    }
  if (exists)
    mode = st.st_mode & 07777;

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  /* A signal between creating the file and registering it would leave it behind: hold SIGINT
   * and SIGTERM until it is registered (they are delivered right after). */
  sigemptyset (&hold);
  sigaddset (&hold, SIGINT);
  sigaddset (&hold, SIGTERM);
  pthread_sigmask (SIG_BLOCK, &hold, &old_mask);
  /* 0666 less the umask, what a plain new file gets. */
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved_errno = errno;

      pthread_sigmask (SIG_SETMASK, &old_mask, NULL);
      set_error (error, path, saved_errno);
      return NULL;
    }
  slot = pending_add (tmp_path);
  pthread_sigmask (SIG_SETMASK, &old_mask, NULL);
  /* A replaced file keeps its permissions, as with every editor that saves atomically. */
  if (exists)
    (void) fchmod (fd, mode);

  file = g_new0 (IlAtomicFile, 1);
  file->path = g_strdup (path);
  file->tmp_path = g_steal_pointer (&tmp_path);
  file->slot = slot;
  file->stream = g_unix_output_stream_new (fd, TRUE);
  return file;
}

GOutputStream *
il_atomic_file_get_stream (IlAtomicFile *file)
{
  g_return_val_if_fail (file != NULL, NULL);

  return file->stream;
}

static void
atomic_file_free (IlAtomicFile *file)
{
  pending_remove (file->slot);
  g_clear_object (&file->stream);
  g_free (file->path);
  g_free (file->tmp_path);
  g_free (file);
}

void
il_atomic_file_abort (IlAtomicFile *file)
{
  if (file == NULL)
    return;
  g_output_stream_close (file->stream, NULL, NULL);
  g_unlink (file->tmp_path);
  atomic_file_free (file);
}

gboolean
il_atomic_file_commit (IlAtomicFile *file, GError **error)
{
  int fd;
  int saved_errno;

  g_return_val_if_fail (file != NULL, FALSE);

  fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (file->stream));
  /* On disk before the name points at it, so a crash leaves the old file or the new one. */
  if (fsync (fd) != 0 && errno != EINVAL && errno != EROFS)
    goto failed;
  g_unix_output_stream_set_close_fd (G_UNIX_OUTPUT_STREAM (file->stream), FALSE);
  if (close (fd) != 0)
    goto failed;
  if (g_rename (file->tmp_path, file->path) != 0)
    goto failed;
  atomic_file_free (file);
  return TRUE;

failed:
  saved_errno = errno;
  set_error (error, file->path, saved_errno);
  g_unlink (file->tmp_path);
  atomic_file_free (file);
  return FALSE;
}
