/* il-program-stderr.c: a traced program's stderr, passed through to ours and its last lines kept. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A program that fails should be reported with its own last words (a Python traceback), not only
 * its exit status: its stderr goes to a pipe that a thread of ours reads, writes on to our own
 * stderr as it comes (the terminal shows it as before), and keeps the last 4 KiB of. A thread,
 * not the tracer: a slow terminal must not hold up the tracing. It lives until every holder of
 * the pipe has closed it, which may be after the run (a descendant left running), so it holds a
 * reference of its own. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "il-program-private.h"

#define TAIL_BYTES 4096
#define CHUNK      4096

struct _IlProgramStderr
{
  gint      ref;
  int       fd;
  GMutex    mutex;
  GCond     cond;
  char      tail[TAIL_BYTES + CHUNK];
  gsize     len;        /* bytes in tail */
  guint64   total;      /* bytes read in all */
  gboolean  busy;       /* between taking bytes from the pipe and keeping them */
  gboolean  eof;
};

static void
stderr_unref (IlProgramStderr *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref))
    return;
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

static gpointer
relay_thread (gpointer data)
{
  IlProgramStderr *self = data;
  gboolean pass = TRUE;
  sigset_t pipe_signal;
  char chunk[CHUNK];

  /* Our stderr closed (a pipe whose reader went): the write fails with EPIPE, and the signal,
   * blocked here, does not end the process. */
  sigemptyset (&pipe_signal);
  sigaddset (&pipe_signal, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_signal, NULL);

  for (;;)
    {
      struct pollfd p = { self->fd, POLLIN, 0 };
      ssize_t n;

      if (poll (&p, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          n = 0;
        }
      else
        {
          g_mutex_lock (&self->mutex);
          self->busy = TRUE;
          g_mutex_unlock (&self->mutex);
          n = read (self->fd, chunk, sizeof chunk);
          if (n < 0 && (errno == EINTR || errno == EAGAIN))
            {
              g_mutex_lock (&self->mutex);
              self->busy = FALSE;
              g_mutex_unlock (&self->mutex);
              continue;
            }
        }
      for (ssize_t done = 0, w; pass && done < n; done += w)
        if ((w = write (STDERR_FILENO, chunk + done, (size_t) (n - done))) <= 0)
          {
            if (w < 0 && errno == EINTR)
              w = 0;
            else
              pass = FALSE;
          }

      g_mutex_lock (&self->mutex);
      if (n > 0)
        {
          memcpy (self->tail + self->len, chunk, (size_t) n);
          self->len += (gsize) n;
          self->total += (guint64) n;
          if (self->len > TAIL_BYTES)
            {
              memmove (self->tail, self->tail + self->len - TAIL_BYTES, TAIL_BYTES);
              self->len = TAIL_BYTES;
            }
        }
      else
        self->eof = TRUE;
      self->busy = FALSE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
      if (n <= 0)
        break;
    }
  close (self->fd);
  stderr_unref (self);
  return NULL;
}

/* Starts passing @fd (the read end, now ours) through to our stderr. */
IlProgramStderr *
il_program_stderr_new (int fd)
{
  IlProgramStderr *self = g_new0 (IlProgramStderr, 1);
  g_autoptr(GError) error = NULL;
  GThread *thread;

  self->ref = 2;     /* ours and the thread's */
  self->fd = fd;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  thread = g_thread_try_new ("il-program-stderr", relay_thread, self, &error);
  if (thread == NULL)
    {
      g_warning ("The traced program's stderr is not kept: %s", error->message);
      close (fd);
      self->eof = TRUE;
      self->ref = 1;
      return self;
    }
  g_thread_unref (thread);
  return self;
}

/* Waits (at most @timeout_us) until all that is in the pipe now has been read: once the program
 * has ended, all it wrote. Its descendants may keep the pipe open, so not for its end. */
void
il_program_stderr_settle (IlProgramStderr *self, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  g_mutex_lock (&self->mutex);
  while (!self->eof)
    {
      int waiting = 0;

      if (!self->busy && (ioctl (self->fd, FIONREAD, &waiting) != 0 || waiting == 0))
        break;
      /* Short waits: the relay may not have woken for what is waiting yet. */
      if (g_get_monotonic_time () >= deadline)
        break;
      g_cond_wait_until (&self->cond, &self->mutex,
                         MIN (deadline, g_get_monotonic_time () + 5 * G_TIME_SPAN_MILLISECOND));
    }
  g_mutex_unlock (&self->mutex);
}

/* The last @max_lines lines kept (at most 4 KiB), valid UTF-8; NULL when it said nothing. */
char *
il_program_stderr_get_tail (IlProgramStderr *self, guint max_lines)
{
  g_autofree char *text = NULL;
  const char *start, *end;
  guint lines = 0;
  gsize len;
  gboolean cut;

  g_mutex_lock (&self->mutex);
  text = g_strndup (self->tail, self->len);
  len = self->len;
  cut = self->total > self->len;
  g_mutex_unlock (&self->mutex);

  /* Bytes, not text: a NUL in it ends it here, as it would on a terminal's line. */
  len = strlen (text);
  end = text + len;
  while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
    end--;
  start = end;
  while (start > text && lines < max_lines)
    {
      start--;
      if (*start == '\n' && ++lines == max_lines)
        {
          start++;
          break;
        }
    }
  /* The first line of what was kept, when older bytes were dropped, is only its end. */
  if (start == text && cut)
    {
      const char *nl = memchr (text, '\n', (gsize) (end - text));

      start = nl != NULL ? nl + 1 : text;
    }
  if (start >= end)
    return NULL;
  return g_utf8_make_valid (start, end - start);
}

void
il_program_stderr_free (IlProgramStderr *self)
{
  stderr_unref (self);
}
