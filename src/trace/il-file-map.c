/* il-file-map.c: reading a file the user named without ever blocking on it: regular files only, mapped. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "il-file-map.h"
#include "il-types.h"

GMappedFile *
il_file_map_regular (const char           *path,
                     gint64                max_bytes,
                     const IlFileMapWords *words,
                     GError              **error)
{
  g_autofree char *display = NULL;
  g_autoptr(GError) local_error = NULL;
  GMappedFile *mapped;
  GStatBuf st = { 0 };
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (words != NULL, NULL);

  display = g_filename_display_name (path);
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, IL_ERROR, saved_errno == ENOENT ? IL_ERROR_INVALID : IL_ERROR_FAILED,
                   words->cannot_open, display, g_strerror (saved_errno));
      return NULL;
    }
  /* A FIFO, socket or device is refused before any byte is read from it. */
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)
      || (max_bytes > 0 && st.st_size > max_bytes))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   S_ISREG (st.st_mode) ? words->too_large
                   : S_ISDIR (st.st_mode) ? words->folder : words->not_regular,
                   display);
      close (fd);
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL)
    g_set_error (error, IL_ERROR, IL_ERROR_FAILED, words->cannot_map, local_error->message);
  return mapped;
}
