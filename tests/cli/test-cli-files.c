/* test-cli-files.c: interleave-cli against hostile files and paths: failed writes, signals while writing, deep, duplicate or odd input. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "il-trace-io.h"
#include "il-test-util.h"

static const char *cli_path;
static char *tmpdir;

/* The file size limit of the next run, standing in for a full disk (0: none). */
static rlim_t next_fsize;

static void
child_setup (gpointer data)
{
  if (next_fsize > 0)
    {
      struct rlimit limit = { next_fsize, next_fsize };

      /* Ignored, so a write past the limit fails with EFBIG instead of killing the process. */
      signal (SIGXFSZ, SIG_IGN);
      setrlimit (RLIMIT_FSIZE, &limit);
    }
}

/* interleave-cli, under the file size limit above when one is set. */
static IlTestCommand cli = { NULL, NULL, child_setup, NULL };

static char *
tmp (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* Exactly one line on stderr, starting with the command's name and containing @needle. */
static void
assert_one_line_error (const IlTestResult *r, const char *command, const char *needle)
{
  g_autofree char *prefix = g_strdup_printf ("interleave-cli %s: ", command);

  g_assert_cmpuint (il_test_count_lines (r->err), ==, 1);
  g_assert_true (g_str_has_prefix (r->err, prefix));
  g_assert_nonnull (strstr (r->err, needle));
}

/* Names in @dir that start with '.': temporary files of writes. */
static guint
count_hidden (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (name[0] == '.')
      n++;
  return n;
}

/* A trace of one threads run: @n_workers lanes of @spans_per_worker spans each, and @n_runs
 * copies of it with walls growing by 1 %. */
static char *
write_trace (const char *name, guint n_runs, guint n_workers, guint spans_per_worker,
             gint64 span_ns)
{
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(GError) error = NULL;
  char *path = tmp (name);

  il_trace_set_machine (trace, 2, "6.1.0", "lab");
  for (guint r = 0; r < n_runs; r++)
    {
      g_autoptr(IlRunConfig) config = il_run_config_new ();
      g_autoptr(IlRunTrace) run = NULL;
      g_autofree char *label = g_strdup_printf ("run %u", r);
      IlSummary summary = { 0 };

      config->executor = IL_EXECUTOR_THREADS;
      config->workers = n_workers;
      config->tasks = 1;
      config->task_ms = 10;
      run = il_run_trace_new (config);
      il_run_trace_set_label (run, label);
      il_run_trace_set_n_cpus (run, 2);
      il_run_trace_set_n_tasks (run, 1);
      for (guint w = 0; w < n_workers; w++)
        {
          il_run_trace_add_worker (run, IL_WORKER_THREAD, 100, 100 + (int) w, "worker");
          for (guint i = 0; i < spans_per_worker; i++)
            {
              IlSpan s = { 0 };

              s.worker = (guint16) w;
              s.state = i % 2 ? IL_STATE_RUNNING : IL_STATE_IO_WAIT;
              s.cpu = i % 2 ? (gint16) (w % 2) : -1;
              s.task = 0;
              s.start_ns = (gint64) i * span_ns;
              s.end_ns = s.start_ns + span_ns;
              il_run_trace_append (run, &s);
            }
        }
      summary.wall_ns = span_ns * spans_per_worker + r * (span_ns * spans_per_worker / 100);
      summary.cpu_ns = summary.wall_ns / 2;
      summary.speedup = NAN;
      il_run_trace_set_summary (run, &summary);
      il_trace_add_run (trace, run);
    }
  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_no_error (error);
  return path;
}

/* Every failed write is one line and exit 1; gcc builds crashed (SIGSEGV) on each. */
static void
test_write_errors (void)
{
  g_autofree char *trace = write_trace ("small.interleave.json", 1, 2, 50, 1000);
  g_autofree char *big = write_trace ("big.interleave.json", 1, 2, 20000, 1000);
  g_autofree char *out = tmp ("out");
  const char *options[] = { "--csv", "--chrome-trace", "--png", "--svg", "--pdf" };
  const char *exts[] = { "csv", "json", "png", "svg", "pdf" };

  g_assert_cmpint (g_mkdir (out, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      g_autofree char *in_proc = g_strdup_printf ("/proc/interleave-test.%s", exts[i]);
      g_autofree char *limited = g_build_filename (out, exts[i], NULL);

      {
        g_auto(IlTestResult) r = { 0 };

        /* A device: refused, not replaced by a plain file (as root the rename would succeed). */
        il_test_run (&r, &cli, "render", trace, options[i], "/dev/full", NULL);
        g_assert_cmpint (r.status, ==, 1);
        assert_one_line_error (&r, "render", "/dev/full");
      }
      {
        g_auto(IlTestResult) r = { 0 };

        /* A folder nobody can create files in, root included. */
        il_test_run (&r, &cli, "render", trace, options[i], in_proc, NULL);
        g_assert_cmpint (r.status, ==, 1);
        assert_one_line_error (&r, "render", in_proc);
      }
      {
        g_auto(IlTestResult) r = { 0 };

        /* A write that fails halfway, as on a full disk: nothing left behind. */
        next_fsize = 4096;
        il_test_run (&r, &cli, "render", big, options[i], limited, NULL);
        next_fsize = 0;
        g_assert_cmpint (r.status, ==, 1);
        assert_one_line_error (&r, "render", limited);
        g_assert_nonnull (strstr (r.err, "File too large"));
        g_assert_false (g_file_test (limited, G_FILE_TEST_EXISTS));
        g_assert_cmpuint (count_hidden (out), ==, 0);
      }
    }

  /* run: the summary is printed, the failed output reported, the others still written. */
  {
    g_auto(IlTestResult) r = { 0 };
    g_autofree char *png = g_build_filename (out, "run.png", NULL);

    il_test_run (&r, &cli, "run", "--executor", "sequential", "--tasks", "2", "--task-ms", "1",
             "-o", "/dev/full", "--png", png, NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_line_error (&r, "run", "/dev/full");
    g_assert_nonnull (strstr (r.out, "wall time"));
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
    g_unlink (png);
  }
  g_rmdir (out);
  g_unlink (big);
}

/* SIGTERM or SIGINT while the outputs are written: the process exits 1 (README: a cancelled run
 * or export, in every subcommand) and leaves neither the file nor its temporary file. The signal is sent once the temporary file is seen;
 * on a busy machine the write may still end before it lands (we were not scheduled, or polled
 * too late). Then the file is there, complete, and the attempt is repeated: what always holds is
 * that no temporary file stays and the file is whole or absent, and one attempt of a few must
 * land while writing. */
static void
test_signal_while_writing (void)
{
  g_autofree char *big = write_trace ("huge.interleave.json", 1, 4, 250000, 1000);
  g_autofree char *out = tmp ("signalled");
  g_autofree char *csv = g_build_filename (out, "spans.csv", NULL);
  const int signals[] = { SIGTERM, SIGINT };

  g_assert_cmpint (g_mkdir (out, 0700), ==, 0);
  for (guint k = 0; k < G_N_ELEMENTS (signals); k++)
    {
      gboolean landed = FALSE;

      for (guint attempt = 0; attempt < 5 && !landed; attempt++)
        {
          const char *argv[] = { cli_path, "render", big, "--csv", csv, "--quiet", NULL };
          g_autoptr(GError) error = NULL;
          GPid pid;
          int wait_status;
          gboolean seen = FALSE, ended = FALSE;

          g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                        NULL, &pid, &error));
          g_assert_no_error (error);
          /* The temporary file exists from the start of the write to its rename; loading the
           * trace first takes a while (long under a sanitizer on a busy machine). */
          while (!seen && !ended)
            {
              seen = count_hidden (out) > 0;
              if (!seen)
                {
                  ended = waitpid (pid, &wait_status, WNOHANG) == pid;
                  if (!ended)
                    g_usleep (1000);
                }
            }
          if (seen)
            {
              kill (pid, signals[k]);
              g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
            }
          g_spawn_close_pid (pid);
          g_assert_cmpuint (count_hidden (out), ==, 0);
          if (g_file_test (csv, G_FILE_TEST_EXISTS))
            {
              /* Written and renamed before the signal came: whole, and the next attempt. */
              g_autofree char *text = NULL;
              gsize len = 0;

              g_test_message ("signal %d came after the write ended (attempt %u)", signals[k], attempt);
              g_assert_true (g_file_get_contents (csv, &text, &len, NULL));
              g_assert_cmpuint (len, >, 0);
              g_assert_cmpint (text[len - 1], ==, '\n');
              g_assert_cmpint (g_unlink (csv), ==, 0);
              continue;
            }
          g_assert_true (seen);
          g_assert_true (WIFEXITED (wait_status));
          g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
          landed = TRUE;
        }
      g_assert_true (landed);
    }
  g_rmdir (out);
  g_unlink (big);
}

/* Input that used to crash or hang: 100 000 '[' (stack overflow), a FIFO (blocked forever), a
 * device, two "spans" keys (loaded empty without a word). */
static void
test_hostile_input (void)
{
  g_autofree char *deep_path = tmp ("deep.interleave.json");
  g_autofree char *fifo = tmp ("fifo.interleave.json");
  g_autofree char *dup_path = tmp ("dup.interleave.json");
  g_autofree char *trace = write_trace ("one.interleave.json", 1, 1, 3, 1000);
  g_autofree char *text = NULL;
  g_autofree char *dup = NULL;
  g_autoptr(GString) deep = g_string_new ("{\"format\": \"interleave-trace\", \"runs\": ");

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_assert_true (g_file_set_contents (deep_path, deep->str, (gssize) deep->len, NULL));
  {
    g_auto(IlTestResult) r = { 0 };

    il_test_run (&r, &cli, "render", deep_path, "--summary", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_line_error (&r, "render", "nested more than 64 levels deep");
  }

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  {
    g_auto(IlTestResult) r = { 0 };

    il_test_run (&r, &cli, "render", fifo, "--summary", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_line_error (&r, "render", "not a regular file");
  }
  {
    g_auto(IlTestResult) r = { 0 };

    /* A lesson too: a FIFO blocked, /dev/zero was read until memory ran out. */
    il_test_run (&r, &cli, "run", "--lesson", fifo, NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_line_error (&r, "run", "not a regular file");
  }
  {
    g_auto(IlTestResult) r = { 0 };

    il_test_run (&r, &cli, "run", "--lesson", "/dev/zero", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_line_error (&r, "run", "not a regular file");
  }
  {
    g_auto(IlTestResult) r = { 0 };

    il_test_run (&r, &cli, "render", "/dev/zero", "--summary", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_line_error (&r, "render", "not a regular file");
  }
  {
    g_auto(IlTestResult) r = { 0 };

    /* Writing to the FIFO is refused too, without waiting for a reader. */
    il_test_run (&r, &cli, "render", trace, "--csv", fifo, NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_line_error (&r, "render", "not a regular file");
  }

  g_assert_true (g_file_get_contents (trace, &text, NULL, NULL));
  {
    const char *at = strstr (text, "\"spans\" :");

    g_assert_nonnull (at);
    dup = g_strdup_printf ("%.*s\"spans\" : [],\n%s", (int) (at - text), text, at);
  }
  g_assert_true (g_file_set_contents (dup_path, dup, -1, NULL));
  {
    g_auto(IlTestResult) r = { 0 };

    il_test_run (&r, &cli, "render", dup_path, "--summary", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_line_error (&r, "render", "the key “spans” appears twice in one object");
  }
  g_unlink (deep_path);
  g_unlink (fifo);
  g_unlink (dup_path);
  g_unlink (trace);
}

/* Bytes that are not UTF-8 in a title or a traced command: shown with U+FFFD, never an
 * over-read or a trace no reader opens. */
static void
test_not_utf8 (void)
{
  g_autofree char *trace = write_trace ("title.interleave.json", 1, 1, 3, 1000);
  g_autofree char *png = tmp ("title.png");
  g_autofree char *traced = tmp ("traced.interleave.json");

  {
    g_auto(IlTestResult) r = { 0 };

    il_test_run (&r, &cli, "render", trace, "--png", png, "--title", "caf\xe9 \xff\xfe", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  }
  {
    g_auto(IlTestResult) r = { 0 };
    g_autoptr(IlTrace) loaded = NULL;
    g_autoptr(GError) error = NULL;
    const char *label;

    /* trace records wherever /proc can be read (sampled where perf is refused): any other end,
     * a crash above all, is a failure. */
    il_test_run (&r, &cli, "trace", "-q", "-o", traced, "--", "/bin/echo", "caf\xe9", NULL);
    g_assert_cmpint (r.status, ==, 0);
    loaded = il_trace_load (traced, &error);
    g_assert_no_error (error);
    label = il_run_trace_get_label (il_trace_get_run (loaded, 0));
    g_assert_true (g_utf8_validate (label, -1, NULL));
    g_assert_nonnull (strstr (label, "caf\xef\xbf\xbd"));
  }
  g_unlink (png);
  g_unlink (traced);
  g_unlink (trace);
}

/* A lesson or trace of 1000 runs printed 499 500 comparison lines; now one per group of runs. */
static void
test_many_runs (void)
{
  g_autofree char *trace = write_trace ("many.interleave.json", 1000, 1, 2, 1000000);
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) few = { 0 };
  g_autofree char *few_trace = write_trace ("few.interleave.json", 3, 1, 2, 1000000);

  il_test_run (&r, &cli, "render", trace, "--summary", NULL);
  g_assert_cmpint (r.status, ==, 0);
  /* Header, a row per run, the comparison's title and its one line. */
  g_assert_cmpuint (il_test_count_lines (r.out), <=, 1000 + 4);
  g_assert_nonnull (strstr (r.out, "1000 runs: fastest “run 0” (2.0 ms), slowest “run 999”"));

  /* Few runs keep a line per pair. */
  il_test_run (&few, &cli, "render", few_trace, "--summary", NULL);
  g_assert_cmpint (few.status, ==, 0);
  g_assert_nonnull (strstr (few.out, "“run 0” is 1.02× as fast as “run 2”"));
  g_unlink (trace);
  g_unlink (few_trace);
}

/* Spans of 1e18 ns overflowed the level-of-detail arithmetic (signed overflow: undefined). */
static void
test_extreme_times (void)
{
  g_autofree char *trace = write_trace ("long.interleave.json", 1, 2, 9, G_GINT64_CONSTANT (100000000000000000));
  g_autofree char *png = tmp ("long.png");
  g_auto(IlTestResult) r = { 0 };

  il_test_run (&r, &cli, "render", trace, "--png", png, "--summary", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  g_unlink (png);
  g_unlink (trace);
}

/* A Chrome trace cut off inside its events loads what is complete and the CLI says where it was
 * cut, even with -q; a Perfetto protobuf is refused saying how to convert it. */
static void
test_cut_chrome (void)
{
  static const char cut[] = "{\"traceEvents\":[\n{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,"
                            "\"ts\":10,\"dur\":5},\n{\"ph\":\"X\",\"name\":\"b\",\"pid\":1,";
  g_autofree char *trace = tmp ("cut.json");
  g_autofree char *csv = tmp ("cut.csv");
  g_autofree char *proto = tmp ("trace.pftrace");
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) p = { 0 };

  g_assert_true (g_file_set_contents (trace, cut, -1, NULL));
  il_test_run (&r, &cli, "render", trace, "-q", "--csv", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "warning: "));
  g_assert_nonnull (strstr (r.err, "cut.json:3: the file is cut off inside its events; the 1 complete event"));
  g_assert_true (g_file_test (csv, G_FILE_TEST_IS_REGULAR));

  g_assert_true (g_file_set_contents (proto, "\x0a\x04\x08\x01\x10\x02", 6, NULL));
  il_test_run (&p, &cli, "render", proto, "--summary", NULL);
  g_assert_cmpint (p.status, !=, 0);
  g_assert_nonnull (strstr (p.err, "Perfetto protobuf trace"));
  g_assert_nonnull (strstr (p.err, "traceconv json"));
  g_unlink (trace);
  g_unlink (csv);
  g_unlink (proto);
}

/* A copy of the program outside its build tree runs as installed: it never reads lessons from
 * the source tree (which could be anyone's folder), only $IL_LESSONS_DIR and the data dir. */
static void
test_installed_paths (void)
{
  g_autofree char *copy = tmp ("interleave-cli");
  g_autofree char *data = NULL;
  g_auto(GStrv) env = g_environ_unsetenv (g_get_environ (), "IL_LESSONS_DIR");
  gsize len = 0;
  const char *builds[] = { cli_path, copy };

  g_assert_true (g_file_get_contents (cli_path, &data, &len, NULL));
  g_assert_true (g_file_set_contents (copy, data, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (copy, 0755), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (builds); i++)
    {
      const char *argv[] = { builds[i], "run", "--lesson", "no-such-lesson", NULL };
      g_auto(IlTestResult) r = { 0 };

      il_test_run_argv (&r, argv, env);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "no-such-lesson"));
      if (i == 0)
        g_assert_nonnull (strstr (r.err, IL_SOURCE_LESSONSDIR));
      else
        g_assert_null (strstr (r.err, IL_SOURCE_LESSONSDIR));
    }
  g_unlink (copy);
}

/* --max-spans: the run keeps its first N spans, says so in the summary and in the trace, and
 * its tasks stay complete. */
static void
test_max_spans (void)
{
  g_autofree char *path = tmp ("capped.interleave.json");
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  IlRunTrace *run;
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) bad = { 0 };

  il_test_run (&r, &cli, "run", "--executor", "threads", "--workers", "2", "--tasks", "12", "--task-ms", "2",
           "--max-spans", "10", "-o", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "trace truncated at 10 spans"));
  trace = il_trace_load (path, &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_cmpuint (il_run_trace_get_n_spans (run), ==, 10);
  g_assert_cmpuint (il_run_trace_get_truncated_at_spans (run), ==, 10);
  for (guint t = 0; t < il_run_trace_get_n_tasks (run); t++)
    g_assert_cmpint (il_run_trace_get_task (run, t)->status, ==, IL_TASK_OK);
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 12);

  il_test_run (&bad, &cli, "run", "--max-spans", "lots", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  assert_one_line_error (&bad, "run", "--max-spans");
  g_unlink (path);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-interleave-cli\n", argv[0]);
      return 2;
    }
  cli_path = argv[1];
  cli.program = cli_path;
  tmpdir = il_test_tmpdir_new ("test-cli-files");

  g_test_add_func ("/cli-files/write-errors", test_write_errors);
  g_test_add_func ("/cli-files/signal-while-writing", test_signal_while_writing);
  g_test_add_func ("/cli-files/hostile-input", test_hostile_input);
  g_test_add_func ("/cli-files/not-utf8", test_not_utf8);
  g_test_add_func ("/cli-files/many-runs", test_many_runs);
  g_test_add_func ("/cli-files/extreme-times", test_extreme_times);
  g_test_add_func ("/cli-files/cut-chrome", test_cut_chrome);
  g_test_add_func ("/cli-files/installed-paths", test_installed_paths);
  g_test_add_func ("/cli-files/max-spans", test_max_spans);
  ret = g_test_run ();

  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return ret;
}
