/* il-program-output.c: a traced program's stdout or stderr, passed through to ours and kept (bounded). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window shows what a traced program printed beside its run, and a program that fails is
 * reported with its own last words (a Python traceback), not only its exit status: its stdout and
 * its stderr each go to a pipe that a thread of ours reads, writes on to our own stdout or stderr
 * as it comes (a terminal shows it as before), and keeps: the first half of IL_OUTPUT_MAX_BYTES
 * and the last half, counting what was between. A thread, not the tracer: a slow terminal must
 * not hold up the tracing. It lives until every holder of the pipe has closed it, which may be
 * after the run (a descendant left running), so it holds a reference of its own. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "il-program-private.h"

#define HALF  (IL_OUTPUT_MAX_BYTES / 2)
#define CHUNK 4096

struct _IlProgramOutput
{
  gint        ref;
  int         fd;
  int         pass_fd;   /* where it goes on to: our stdout or stderr */
  GMutex      mutex;
  GCond       cond;
  GByteArray *head;      /* the first HALF bytes */
  GByteArray *tail;      /* the bytes after them: the last HALF of it are kept, it is cut back to
                          * those when it reaches twice that (a byte moved once, not per read) */
  guint64     total;     /* bytes read in all */
  gboolean    busy;      /* between taking bytes from the pipe and keeping them */
  gboolean    eof;
};

static void
output_unref (IlProgramOutput *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref))
    return;
  g_byte_array_unref (self->head);
  g_byte_array_unref (self->tail);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

/* Under the mutex. */
static void
keep (IlProgramOutput *self, const guint8 *bytes, gsize n)
{
  gsize to_head = MIN (n, HALF - self->head->len);

  g_byte_array_append (self->head, bytes, (guint) to_head);
  g_byte_array_append (self->tail, bytes + to_head, (guint) (n - to_head));
  if (self->tail->len > 2 * HALF)
    g_byte_array_remove_range (self->tail, 0, self->tail->len - HALF);
  self->total += n;
}

static gpointer
relay_thread (gpointer data)
{
  IlProgramOutput *self = data;
  gboolean pass = TRUE;
  sigset_t pipe_signal;
  guint8 chunk[CHUNK];

  /* Our end closed (a pipe whose reader went): the write fails with EPIPE, and the signal,
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
        if ((w = write (self->pass_fd, chunk + done, (size_t) (n - done))) <= 0)
          {
            if (w < 0 && errno == EINTR)
              w = 0;
            else
              pass = FALSE;
          }

      g_mutex_lock (&self->mutex);
      if (n > 0)
        keep (self, chunk, (gsize) n);
      else
        self->eof = TRUE;
      self->busy = FALSE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
      if (n <= 0)
        break;
    }
  close (self->fd);
  output_unref (self);
  return NULL;
}

static gint stdout_to_stderr;

void
il_program_set_stdout_to_stderr (gboolean to_stderr)
{
  g_atomic_int_set (&stdout_to_stderr, !!to_stderr);
}

/* Starts passing @fd (the read end, now ours) through to @pass_fd (our stdout: see
 * il_program_set_stdout_to_stderr()). */
IlProgramOutput *
il_program_output_new (int fd, int pass_fd)
{
  IlProgramOutput *self = g_new0 (IlProgramOutput, 1);
  g_autoptr(GError) error = NULL;
  GThread *thread;

  self->ref = 2;     /* ours and the thread's */
  self->fd = fd;
  self->pass_fd = pass_fd == STDOUT_FILENO && g_atomic_int_get (&stdout_to_stderr) ? STDERR_FILENO : pass_fd;
  self->head = g_byte_array_new ();
  self->tail = g_byte_array_new ();
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  thread = g_thread_try_new ("il-program-output", relay_thread, self, &error);
  if (thread == NULL)
    {
      g_warning ("The traced program's output is not kept: %s", error->message);
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
il_program_output_settle (IlProgramOutput *self, gint64 timeout_us)
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

/* Copies what is kept into @trace as @stream. */
void
il_program_output_store (IlProgramOutput *self, IlRunTrace *trace, IlOutputStream stream)
{
  gsize tail_len, tail_from;

  g_mutex_lock (&self->mutex);
  tail_len = MIN (self->tail->len, HALF);
  tail_from = self->tail->len - tail_len;
  il_run_trace_set_output (trace, stream, (const char *) self->head->data, self->head->len,
                           self->total - self->head->len - tail_len,
                           tail_len > 0 ? (const char *) self->tail->data + tail_from : "", tail_len);
  g_mutex_unlock (&self->mutex);
}

/* The last @max_lines lines kept (at most 4 KiB), valid UTF-8; NULL when it said nothing. */
char *
il_program_output_get_tail (IlProgramOutput *self, guint max_lines)
{
  g_autofree char *text = NULL;
  const char *start, *end;
  guint lines = 0;
  gsize len;
  gboolean cut;

  g_mutex_lock (&self->mutex);
  {
    /* The last 4 KiB of the bytes kept: the head's end, then the tail's. */
    GByteArray *all = g_byte_array_sized_new (4096);
    gsize tail_len = MIN (self->tail->len, 4096);
    gsize head_len = MIN (self->head->len, 4096 - tail_len);

    /* An empty GByteArray's data is NULL, and NULL + 0 is undefined behaviour. */
    if (head_len > 0)
      g_byte_array_append (all, self->head->data + self->head->len - head_len, (guint) head_len);
    if (tail_len > 0)
      g_byte_array_append (all, self->tail->data + self->tail->len - tail_len, (guint) tail_len);
    len = all->len;
    cut = self->total > len;
    text = g_strndup ((const char *) all->data, len);
    g_byte_array_unref (all);
  }
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
il_program_output_free (IlProgramOutput *self)
{
  output_unref (self);
}
