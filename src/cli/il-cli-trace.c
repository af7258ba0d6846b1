/* il-cli-trace.c: `interleave-cli trace -- COMMAND`: records any program's threads with the kernel's context switches. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-cli.h"
#include "il-clock.h"
#include "il-perf.h"

#define PROG "interleave-cli trace"
#define DATA_PAGES 256   /* 1 MB ring per CPU: ~40 000 switch records between two drains */
#define IL_CLI_TRACE_MAX_CPUS 1024

/* What we know of one kernel thread of the traced program. */
typedef struct
{
  int      pid;
  int      tid;
  guint    worker;       /* lane in the trace, G_MAXUINT until the first event */
  gboolean on_cpu;
  int      cpu;
  gint64   since_ns;     /* start of the current state, on CLOCK_MONOTONIC */
  IlState  off_state;    /* while off CPU: ready (preempted) or io-wait (blocked) */
  gboolean exited;
  char     comm[17];
} Thread;

typedef struct
{
  IlRunTrace *run;
  GHashTable *threads;   /* tid → Thread */
  gint64      origin_ns;
  guint64     lost;
} Tracer;

static volatile sig_atomic_t interrupted;

static void
on_interrupt (int sig)
{
  interrupted = 1;
}

static Thread *
get_thread (Tracer *t, int pid, int tid)
{
  Thread *th = g_hash_table_lookup (t->threads, GINT_TO_POINTER (tid));

  if (th == NULL)
    {
      th = g_new0 (Thread, 1);
      th->pid = pid;
      th->tid = tid;
      th->worker = G_MAXUINT;
      th->cpu = -1;
      th->since_ns = -1;
      th->off_state = IL_STATE_READY;
      g_hash_table_insert (t->threads, GINT_TO_POINTER (tid), th);
    }
  return th;
}

static guint
thread_lane (Tracer *t, Thread *th)
{
  if (th->worker == G_MAXUINT)
    {
      g_autofree char *name = NULL;
      gboolean is_process = th->tid == th->pid;

      name = g_strdup_printf ("%s %d%s%s", is_process ? _("process") : _("thread"), th->tid,
                              th->comm[0] ? " · " : "", th->comm);
      th->worker = il_run_trace_add_worker (t->run, is_process ? IL_WORKER_PROCESS : IL_WORKER_THREAD,
                                            th->pid, th->tid, name);
    }
  return th->worker;
}

static void
emit (Tracer *t, Thread *th, IlState state, int cpu, gint64 start, gint64 end)
{
  IlSpan span = { 0 };

  if (start < 0 || end <= start)
    return;
  span.worker = (guint16) thread_lane (t, th);
  span.state = state;
  span.cpu = (gint16) cpu;
  span.task = -1;
  span.start_ns = start - t->origin_ns;
  span.end_ns = end - t->origin_ns;
  il_run_trace_append (t->run, &span);
}

/* The trailing sample_id of every record: pid, tid, time, cpu (our sample_type, in ABI order). */
typedef struct
{
  guint32 pid, tid;
  guint64 time;
  guint32 cpu, res;
} SampleId;

/* One kernel record, copied out of a per-CPU ring. Rings are per CPU, so a thread's switch-out
 * and its next switch-in can sit in different rings: all are sorted by time before use. */
typedef struct
{
  guint64 time;
  guint32 type;
  guint32 misc;
  int     pid, tid;       /* of the record (for FORK/EXIT/COMM: the thread it is about) */
  int     cpu;
  int     parent_tid;     /* FORK */
  char    comm[16];       /* COMM */
} Event;

static void
collect_record (Tracer *t, GArray *events, const struct perf_event_header *h)
{
  const guchar *rec = (const guchar *) h;
  SampleId id;
  Event e = { 0 };

  if (h->type == PERF_RECORD_LOST)
    {
      guint64 lost;

      memcpy (&lost, rec + sizeof *h + 8, 8);
      t->lost += lost;
      return;
    }
  if (h->size < sizeof *h + sizeof id)
    return;
  memcpy (&id, rec + h->size - sizeof id, sizeof id);
  e.type = h->type;
  e.misc = h->misc;
  e.time = id.time;
  e.pid = (int) id.pid;
  e.tid = (int) id.tid;
  e.cpu = (int) id.cpu;

  switch (h->type)
    {
    case PERF_RECORD_SWITCH:
      break;
    case PERF_RECORD_COMM:
      {
        guint32 pid, tid;

        memcpy (&pid, rec + sizeof *h, 4);
        memcpy (&tid, rec + sizeof *h + 4, 4);
        e.pid = (int) pid;
        e.tid = (int) tid;
        g_strlcpy (e.comm, (const char *) rec + sizeof *h + 8, sizeof e.comm);
        break;
      }
    case PERF_RECORD_FORK:
    case PERF_RECORD_EXIT:
      {
        /* pid, ppid, tid, ptid, time */
        guint32 pid, tid, ptid;

        memcpy (&pid, rec + sizeof *h, 4);
        memcpy (&tid, rec + sizeof *h + 8, 4);
        memcpy (&ptid, rec + sizeof *h + 12, 4);
        memcpy (&e.time, rec + sizeof *h + 16, 8);
        e.pid = (int) pid;
        e.tid = (int) tid;
        e.parent_tid = (int) ptid;
        break;
      }
    default:
      return;
    }
  g_array_append_val (events, e);
}

static void
handle_event (Tracer *t, const Event *e)
{
  Thread *th;

  switch (e->type)
    {
    case PERF_RECORD_SWITCH:
      th = get_thread (t, e->pid, e->tid);
      if (th->exited)
        break;
      if (e->misc & PERF_RECORD_MISC_SWITCH_OUT)
        {
          /* Without a switch-in seen (the command was on CPU when tracing began at its exec),
           * it ran on the CPU it now leaves. */
          emit (t, th, IL_STATE_RUNNING, th->on_cpu ? th->cpu : e->cpu, th->since_ns,
                (gint64) e->time);
          th->on_cpu = FALSE;
          /* Preempted while runnable is "ready"; going to sleep is blocked, shown as io-wait. */
          th->off_state = (e->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) ? IL_STATE_READY
                                                                           : IL_STATE_IO_WAIT;
        }
      else
        {
          if (!th->on_cpu)
            emit (t, th, th->off_state, -1, th->since_ns, (gint64) e->time);
          th->on_cpu = TRUE;
          th->cpu = e->cpu;
        }
      th->since_ns = (gint64) e->time;
      break;

    case PERF_RECORD_COMM:
      th = get_thread (t, e->pid, e->tid);
      memcpy (th->comm, e->comm, sizeof e->comm);
      th->comm[sizeof th->comm - 1] = '\0';
      break;

    case PERF_RECORD_FORK:
      {
        Thread *parent = g_hash_table_lookup (t->threads, GINT_TO_POINTER (e->parent_tid));

        th = get_thread (t, e->pid, e->tid);
        if (th->comm[0] == '\0' && parent != NULL)
          memcpy (th->comm, parent->comm, sizeof th->comm);
        /* A new thread or process is runnable from its creation. */
        if (th->since_ns < 0)
          {
            th->since_ns = (gint64) e->time;
            th->off_state = IL_STATE_READY;
          }
        break;
      }

    case PERF_RECORD_EXIT:
      th = g_hash_table_lookup (t->threads, GINT_TO_POINTER (e->tid));
      if (th != NULL && !th->exited)
        {
          if (th->on_cpu)
            emit (t, th, IL_STATE_RUNNING, th->cpu, th->since_ns, (gint64) e->time);
          th->on_cpu = FALSE;
          th->exited = TRUE;
        }
      break;

    default:
      break;
    }
}

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const Event *x = a, *y = b;

  return x->time < y->time ? -1 : x->time > y->time;
}

typedef struct
{
  Tracer *t;
  GArray *events;
} Collect;

static void
collect_cb (const struct perf_event_header *h, gpointer data)
{
  Collect *c = data;

  collect_record (c->t, c->events, h);
}

/* Copies every complete record out of one ring (one consumer: us). */
static void
drain (Tracer *t, GArray *events, struct perf_event_mmap_page *meta)
{
  Collect c = { t, events };

  il_perf_ring_read (meta, (const guint8 *) meta + meta->data_offset, meta->data_size,
                     collect_cb, &c);
}

static int
open_perf (pid_t pid, int cpu, GError **error)
{
  struct perf_event_attr attr;
  int fd;

  il_perf_switch_attr_init (&attr);
  /* Follow the program's threads and children from its exec on, with their names. */
  attr.comm = 1;
  attr.task = 1;
  attr.inherit = 1;
  attr.disabled = 1;
  attr.enable_on_exec = 1;
  attr.watermark = 1;
  attr.wakeup_watermark = DATA_PAGES * 4096 / 4;

  /* One event per CPU: the kernel maps a ring only for those when children inherit it. */
  fd = (int) syscall (SYS_perf_event_open, &attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *paranoid = NULL;

      g_file_get_contents ("/proc/sys/kernel/perf_event_paranoid", &paranoid, NULL, NULL);
      g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                   _("the kernel refused to trace context switches (%s; perf_event_paranoid is %s, needs 2 or less)"),
                   g_strerror (saved), paranoid ? g_strstrip (paranoid) : "?");
    }
  return fd;
}

int
il_cli_trace (int argc, char **argv)
{
  IlCliOutputs out = { 0 };
  g_autofree char *label = NULL;
  const GOptionEntry entries[] = {
    { "label", 0, 0, G_OPTION_ARG_FILENAME, &label,
      N_("Name of the run in the trace (default: the command line)"), N_("TEXT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlTrace) trace = NULL;
  g_autofree char *program = NULL;
  g_autofree char *cmdline = NULL;
  struct perf_event_mmap_page *rings[IL_CLI_TRACE_MAX_CPUS] = { NULL, };
  int fds[IL_CLI_TRACE_MAX_CPUS];
  guint n_cpus = MIN (il_cpu_count (), IL_CLI_TRACE_MAX_CPUS);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (Event));
  struct sigaction sa, old_int, old_term;
  Tracer tracer = { 0 };
  gsize map_size = (1 + DATA_PAGES) * (gsize) sysconf (_SC_PAGESIZE);
  int gate[2] = { -1, -1 };
  int status = IL_CLI_EXIT_OK;
  int child_status = 0;
  pid_t child;
  char go = 'g';

  for (guint c = 0; c < G_N_ELEMENTS (fds); c++)
    fds[c] = -1;

  context = g_option_context_new (_("-- COMMAND [ARG…] — record any program's threads"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Runs COMMAND and records, from the kernel's context switches (perf_event_open), when each\n"
      "of its threads and child processes ran, on which CPU, and when it was ready (preempted,\n"
      "waiting for a CPU) or blocked (shown as io-wait). Writes the same outputs as run."));
  g_option_context_set_description (context,
    _("Example:\n"
      "  interleave-cli trace --png py.png -- python3 -c 'import threading; …'\n"
      "\n"
      "Exit status: 0 ok, 1 the command failed or could not be traced, 2 bad input."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  il_cli_outputs_add_group (context, &out, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !il_cli_outputs_check (&out, &error))
    {
      status = il_cli_report_error (PROG, error);
      goto done;
    }
  if (argc < 2 || (strcmp (argv[1], "--") == 0 && argc < 3))
    {
      g_printerr (_("%s: which command? Give it after -- (see --help)\n"), PROG);
      status = IL_CLI_EXIT_USAGE;
      goto done;
    }
  if (strcmp (argv[1], "--") == 0)
    {
      argv++;
      argc--;
    }
  program = g_find_program_in_path (argv[1]);
  if (program == NULL)
    {
      g_printerr (_("%s: command not found: %s\n"), PROG, argv[1]);
      status = IL_CLI_EXIT_USAGE;
      goto done;
    }
  {
    /* Arguments are bytes; a label is UTF-8 (invalid bytes shown as U+FFFD). */
    g_autofree char *raw = g_strjoinv (" ", argv + 1);

    cmdline = g_filename_display_name (raw);
  }
  /* A label is one line: scripts given with -c span many, which titles cannot show. */
  g_strdelimit (cmdline, "\t\r\n", ' ');
  if (g_utf8_strlen (cmdline, -1) > 60)
    {
      char *cut = g_utf8_offset_to_pointer (cmdline, 59);

      *cut = '\0';
      cut = g_strconcat (cmdline, "…", NULL);
      g_free (cmdline);
      cmdline = cut;
    }

  /* The child waits on a pipe until its tracing is set up, so the trace starts at its exec. */
  if (pipe2 (gate, O_CLOEXEC) != 0)
    {
      g_printerr ("%s: %s\n", PROG, g_strerror (errno));
      status = IL_CLI_EXIT_FAILED;
      goto done;
    }
  child = fork ();
  if (child < 0)
    {
      g_printerr ("%s: %s\n", PROG, g_strerror (errno));
      status = IL_CLI_EXIT_FAILED;
      goto done;
    }
  if (child == 0)
    {
      char c;

      close (gate[1]);
      if (read (gate[0], &c, 1) != 1)
        _exit (127);
      execv (program, argv + 1);
      _exit (127);
    }
  close (gate[0]);
  gate[0] = -1;

  for (guint c = 0; c < n_cpus && status == IL_CLI_EXIT_OK; c++)
    {
      fds[c] = open_perf (child, (int) c, &error);
      if (fds[c] < 0)
        {
          il_cli_report_error (PROG, error);
          status = IL_CLI_EXIT_FAILED;
          break;
        }
      rings[c] = mmap (NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[c], 0);
      if (rings[c] == MAP_FAILED)
        {
          rings[c] = NULL;
          g_printerr (_("%s: cannot map the kernel's trace buffer: %s\n"), PROG, g_strerror (errno));
          status = IL_CLI_EXIT_FAILED;
        }
    }
  if (status != IL_CLI_EXIT_OK)
    {
      kill (child, SIGKILL);
      waitpid (child, NULL, 0);
      goto done;
    }

  config->label = label ? il_cli_text_from_arg (label) : g_strdup (cmdline);
  config->executor = IL_EXECUTOR_EXTERNAL;
  config->workers = 1;
  config->tasks = 0;
  config->task_ms = 0;
  config->capture = IL_CAPTURE_KERNEL;
  tracer.run = il_run_trace_new (config);
  il_run_trace_set_label (tracer.run, config->label);
  il_run_trace_set_capture (tracer.run, IL_CAPTURE_KERNEL);
  tracer.threads = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  {
    g_autofree char *base = g_path_get_basename (program);
    g_strlcpy (get_thread (&tracer, child, child)->comm, base, 16);
  }

  /* Ctrl+C reaches the command too (same process group); we stay to write the trace. */
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigaction (SIGINT, &sa, &old_int);
  sigaction (SIGTERM, &sa, &old_term);

  tracer.origin_ns = il_clock_now_ns ();
  il_run_trace_set_origin_ns (tracer.run, tracer.origin_ns);
  il_run_trace_set_live (tracer.run, TRUE);
  {
    Thread *main_thread = get_thread (&tracer, child, child);
    main_thread->since_ns = tracer.origin_ns;
  }
  if (write (gate[1], &go, 1) != 1)
    g_printerr ("%s: %s\n", PROG, g_strerror (errno));
  close (gate[1]);
  gate[1] = -1;

  for (;;)
    {
      pid_t r;

      /* Draining every 10 ms keeps each ring far from full for any sane switch rate. */
      g_usleep (10 * 1000);
      for (guint c = 0; c < n_cpus; c++)
        drain (&tracer, events, rings[c]);
      r = waitpid (child, &child_status, WNOHANG);
      if (r == child || (r < 0 && errno != EINTR))
        break;
      if (interrupted == 1)
        {
          /* A SIGTERM sent to us alone should still end the command. */
          kill (child, SIGTERM);
          interrupted = 2;
        }
    }
  for (guint c = 0; c < n_cpus; c++)
    drain (&tracer, events, rings[c]);
  g_array_sort (events, compare_events);
  for (guint i = 0; i < events->len; i++)
    handle_event (&tracer, &g_array_index (events, Event, i));
  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGTERM, &old_term, NULL);

  /* Threads still off CPU at the end were waiting until the end. */
  {
    gint64 end = il_clock_now_ns ();
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, tracer.threads);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        Thread *th = value;

        if (th->exited || th->worker == G_MAXUINT)
          continue;
        if (th->on_cpu)
          emit (&tracer, th, IL_STATE_RUNNING, th->cpu, th->since_ns, end);
      }
  }

  /* Its threads are the workers: known only now that the program has ended. */
  config->workers = il_run_trace_get_n_workers (tracer.run);
  il_run_trace_set_config (tracer.run, config);
  il_run_trace_set_live (tracer.run, FALSE);
  il_run_trace_set_cancelled (tracer.run, interrupted != 0);
  il_run_trace_compute_summary (tracer.run);
  trace = il_trace_new ();
  il_trace_set_machine_local (trace);
  il_trace_add_run (trace, tracer.run);

  if (!out.quiet)
    {
      il_cli_print_run_summary (tracer.run, NULL);
      g_print (_("  threads        %u\n"), il_run_trace_get_n_workers (tracer.run));
      if (tracer.lost > 0)
        g_print (_("  LOST           %" PRIu64 " kernel records (the buffer overflowed)\n"),
                 tracer.lost);
      g_print ("\n");
    }
  if (!il_cli_outputs_write (&out, trace, PROG))
    status = IL_CLI_EXIT_FAILED;

  if (WIFEXITED (child_status) && WEXITSTATUS (child_status) != 0)
    {
      g_printerr (_("%s: the command exited with status %d\n"), PROG, WEXITSTATUS (child_status));
      status = IL_CLI_EXIT_FAILED;
    }
  else if (WIFSIGNALED (child_status))
    {
      g_printerr (_("%s: the command was ended by signal %d\n"), PROG, WTERMSIG (child_status));
      status = IL_CLI_EXIT_FAILED;
    }

done:
  for (guint c = 0; c < n_cpus; c++)
    {
      if (rings[c] != NULL)
        munmap (rings[c], map_size);
      if (fds[c] >= 0)
        close (fds[c]);
    }
  if (gate[0] >= 0)
    close (gate[0]);
  if (gate[1] >= 0)
    close (gate[1]);
  g_clear_pointer (&tracer.run, il_run_trace_unref);
  g_clear_pointer (&tracer.threads, g_hash_table_unref);
  il_cli_outputs_clear (&out);
  return status;
}
