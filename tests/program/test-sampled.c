/* test-sampled.c: the sampled capture (perf refused) draws only possible pictures, with each thread's CPU time exact, against the kernel's own counts and its context switches. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 20 item 2, through `interleave-cli trace` under il-no-perf (perf_event_open refused by a
 * seccomp filter): CPU-bound Python threads (GIL), threads that release it (hashlib) and
 * processes, alone and beside a CPU hog. Checked by code: no instant has more running spans than
 * CPUs, no core holds two at once, and each thread's running time is within 5 % of what the
 * kernel counted for it (/proc/thread-self/schedstat, written by the program itself). Where perf
 * is allowed, the same program is traced by the sampled capture while an outer
 * `interleave-cli trace --capture kernel` records the inner one's (and so the program's) context
 * switches; the per-thread intersection-over-union of running time is printed (not asserted: it
 * depends on how busy the machine is). Args: interleave-cli, il-no-perf, cpu-hog. */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-perf.h"
#include "il-trace-io.h"
#include "il-test-running.h"
#include "il-test-util.h"

static const char *cli_path;
static const char *no_perf_path;
static const char *hog_path;
static char *python;
static char *tmpdir;
static char *burn_py;
static gboolean perf_allowed;

/* Work of one kind in N threads or processes; each writes its tid and the CPU time the kernel
 * counted for it (schedstat's first field, after a short sleep so the counter is up to date) to
 * the report, one line each. */
static const char burn_text[] =
  "import hashlib, multiprocessing, os, sys, threading, time\n"
  "kind, n, amount, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]\n"
  "def report():\n"
  "    time.sleep(0.002)\n"
  "    with open('/proc/thread-self/schedstat') as f:\n"
  "        ran = int(f.read().split()[0])\n"
  "    fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)\n"
  "    os.write(fd, f'{threading.get_native_id()} {ran}\\n'.encode())\n"
  "    os.close(fd)\n"
  "def count():\n"
  "    total = 0\n"
  "    for i in range(amount):\n"
  "        total += i * i\n"
  "    report()\n"
  "def digest():\n"
  "    data = b'x' * (1 << 20)\n"
  "    for _ in range(amount):\n"
  "        hashlib.sha256(data).digest()\n"
  "    report()\n"
  "if __name__ == '__main__':\n"
  "    if kind == 'short':\n"
  "        for _ in range(n):\n"
  "            t = threading.Thread(target=count)\n"
  "            t.start()\n"
  "            t.join()\n"
  "            time.sleep(0.003)\n"
  "        fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)\n"
  "        os.write(fd, f'0 {time.process_time_ns()}\\n'.encode())\n"
  "        os.close(fd)\n"
  "        sys.exit(0)\n"
  "    if kind == 'processes':\n"
  "        ctx = multiprocessing.get_context('fork')\n"
  "        workers = [ctx.Process(target=count) for _ in range(n)]\n"
  "    else:\n"
  "        workers = [threading.Thread(target=count if kind == 'threads' else digest) for _ in range(n)]\n"
  "    for w in workers:\n"
  "        w.start()\n"
  "    for w in workers:\n"
  "        w.join()\n";

typedef struct
{
  const char *kind;
  int         n;
  const char *amount;
} Burn;

static const Burn burns[] = {
  /* About 250 ms of CPU per thread, 600 ms per process (not 90 and 200): what a thread ran after
   * the sampler last saw it alive is unknowable to the sampled capture, and a starved sampler
   * (load 7 per CPU) last saw some 20-30 ms before their end, 5-14 ms of CPU, more than 5 %. */
  { "threads", 4, "7500000" },     /* pure Python: one at a time under the GIL */
  { "hash", 2, "360" },            /* sha256 of 1 MB releases the GIL: both cores */
  { "processes", 2, "15000000" }, /* a child reaped at once is not seen as a zombie: the same */
};

typedef struct
{
  gint64 t;
  int    delta;
} Edge;

static int
compare_edges (gconstpointer a, gconstpointer b)
{
  const Edge *x = a, *y = b;

  /* Ends before starts at the same instant: touching spans do not overlap. */
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return x->delta - y->delta;
}

/* No instant with more running spans than CPUs, no CPU with two at once. */
static void
check_possible (IlRunTrace *run)
{
  guint n_cpus = il_run_trace_get_n_cpus (run);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Edge));
  g_autoptr(GPtrArray) per_cpu = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  int depth = 0, most = 0;

  g_assert_cmpuint (n_cpus, >=, 1);
  for (guint c = 0; c < n_cpus; c++)
    g_ptr_array_add (per_cpu, g_array_new (FALSE, FALSE, sizeof (Edge)));
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);

      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *s = il_lane_get_span (lane, i);
          Edge start = { s->start_ns, 1 }, end = { s->end_ns, -1 };

          if (s->state != IL_STATE_RUNNING)
            continue;
          g_assert_cmpint (s->cpu, >=, 0);
          g_assert_cmpint (s->cpu, <, (int) n_cpus);
          g_array_append_val (all, start);
          g_array_append_val (all, end);
          g_array_append_val (g_ptr_array_index (per_cpu, s->cpu), start);
          g_array_append_val (g_ptr_array_index (per_cpu, s->cpu), end);
        }
    }
  g_array_sort (all, compare_edges);
  for (guint i = 0; i < all->len; i++)
    {
      depth += g_array_index (all, Edge, i).delta;
      most = MAX (most, depth);
    }
  g_test_message ("at most %d running at once on %u CPUs", most, n_cpus);
  g_assert_cmpint (most, <=, (int) n_cpus);
  for (guint c = 0; c < n_cpus; c++)
    {
      GArray *edges = g_ptr_array_index (per_cpu, c);

      depth = 0;
      g_array_sort (edges, compare_edges);
      for (guint i = 0; i < edges->len; i++)
        {
          depth += g_array_index (edges, Edge, i).delta;
          g_assert_cmpint (depth, <=, 1);
        }
    }
}

static gint64
running_ns (IlRunTrace *run, guint w)
{
  const IlLane *lane = il_run_trace_get_lane (run, w);
  gint64 ns = 0;

  for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
    if (il_lane_get_span (lane, i)->state == IL_STATE_RUNNING)
      ns += il_lane_get_span (lane, i)->end_ns - il_lane_get_span (lane, i)->start_ns;
  return ns;
}

static int
worker_of (IlRunTrace *run, int tid)
{
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    if (il_run_trace_get_worker (run, w)->tid == tid)
      return (int) w;
  return -1;
}

/* Each worker's running time against what the kernel counted for it: each within @each (a
 * fraction), all of them together within 5 %. On a failure every thread's figures and the
 * machine's load go to stderr too (a test's stdout is not in CI's log). */
static void
check_cpu (IlRunTrace *run, const char *report, int n, double each)
{
  g_autofree char *data = il_test_read_text (report);
  g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
  g_autoptr(GString) figures = g_string_new (NULL);
  g_autofree char *load = NULL;
  int checked = 0;
  gint64 all_sched = 0, all_traced = 0;
  gboolean off = FALSE;

  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      int tid, w;
      gint64 sched, traced;

      g_assert_cmpint (sscanf (lines[i], "%d %" G_GINT64_FORMAT, &tid, &sched), ==, 2);
      w = worker_of (run, tid);
      g_assert_cmpint (w, >=, 0);
      traced = running_ns (run, (guint) w);
      g_string_append_printf (figures, "thread %d (%s): traced running %.1f ms, the kernel counted %.1f ms (%+.2f %%)\n",
                              tid, il_run_trace_get_worker (run, (guint) w)->name, traced / 1e6,
                              sched / 1e6, 100.0 * (traced - sched) / sched);
      /* The thread reads its counter 2 ms before it ends: the trace may have a little more. */
      off |= fabs ((double) (traced - sched)) > each * sched;
      all_sched += sched;
      all_traced += traced;
      checked++;
    }
  g_string_append_printf (figures, "all: traced running %.1f ms, the kernel counted %.1f ms (%+.2f %%)\n",
                          all_traced / 1e6, all_sched / 1e6, 100.0 * (all_traced - all_sched) / all_sched);
  off |= fabs ((double) (all_traced - all_sched)) > 0.05 * all_sched;
  g_test_message ("%s", figures->str);
  if (off)
    {
      if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
        g_strchomp (load);
      g_printerr ("%sload average: %s\n", figures->str, load != NULL ? load : "?");
    }
  g_assert_false (off);
  g_assert_cmpint (checked, ==, n);
}

/* Python processes are named by their script (issue 20 item 4), not `python3 · PID`: the
 * processes themselves, and the program's main thread's lane; a multiprocessing child's main
 * thread by multiprocessing's name for it (ForkProcess-1: burn.py names none). */
static void
check_script_names (IlRunTrace *run)
{
  guint scripts = 0;

  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, w);

      if (info->tid != info->pid)
        continue;
      g_test_message ("process %d: lane %s, process %s", info->pid, info->name,
                      il_run_trace_find_process (run, info->pid)->name);
      g_assert_nonnull (strstr (il_run_trace_find_process (run, info->pid)->name, " burn.py"));
      if (g_str_has_prefix (info->name, "python") && strstr (info->name, " burn.py · ") != NULL)
        scripts++;
      else
        g_assert_true (g_str_has_prefix (info->name, "ForkProcess-"));
    }
  /* (A child read only after it ended keeps its script: test-pystack holds the names.) */
  g_assert_cmpuint (scripts, >=, 1);
}

static char *
report_path (const char *name)
{
  g_autofree char *base = g_strdup_printf ("%s.txt", name);
  char *path = g_build_filename (tmpdir, base, NULL);

  g_unlink (path);
  return path;
}

/* `[il-no-perf] interleave-cli trace --capture CAPTURE -o OUT -- argv`, loaded; its summary in
 * @summary if not NULL. */
static IlRunTrace *
trace_argv (const char *const *program, const char *capture, gboolean refuse_perf, char **summary)
{
  g_autofree char *out = g_build_filename (tmpdir, "sampled.interleave.json", NULL);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_auto(IlTestResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;

  if (refuse_perf)
    g_strv_builder_add (b, no_perf_path);
  g_strv_builder_add_many (b, cli_path, "trace", "--capture", capture, "-o", out, "--", NULL);
  g_strv_builder_addv (b, (const char **) program);
  argv = g_strv_builder_end (b);
  il_test_run_argv (&r, (const char *const *) argv, NULL);
  if (r.status != 0)
    g_printerr ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  if (summary != NULL)
    *summary = g_steal_pointer (&r.out);
  trace = il_trace_load (out, &error);
  g_assert_no_error (error);
  return il_run_trace_ref (il_trace_get_run (trace, 0));
}

/* python3 burn.py KIND N AMOUNT REPORT, sampled (perf refused). */
static IlRunTrace *
trace_burn (const Burn *burn, const char *report)
{
  g_autofree char *n = g_strdup_printf ("%d", burn->n);
  const char *program[] = { python, burn_py, burn->kind, n, burn->amount, report, NULL };

  return trace_argv (program, "sampled", TRUE, NULL);
}

static void
test_refused (gconstpointer data)
{
  const Burn *burn = data;
  g_autofree char *report = report_path (burn->kind);
  g_autoptr(IlRunTrace) run = trace_burn (burn, report);

  g_assert_cmpint (il_run_trace_get_capture (run), ==, IL_CAPTURE_SAMPLED);
  check_possible (run);
  check_cpu (run, report, burn->n, 0.05);
  check_script_names (run);
}

/* Beside a hog on CPU 0: the program's threads share that core with it, and still no picture
 * shows more than the machine could do, nor more or less CPU than the kernel counted. */
static void
test_hog (gconstpointer data)
{
  const Burn *burn = data;
  g_autofree char *report = report_path (burn->kind);
  g_autoptr(GSubprocess) hog = il_test_hog_start (hog_path, 0, 120);
  g_autoptr(IlRunTrace) run = trace_burn (burn, report);

  g_subprocess_force_exit (hog);
  g_subprocess_wait (hog, NULL, NULL);
  check_possible (run);
  /* The tracer waits for a core here too, up to 100 ms at a time: threads that end while it
   * waits are not read again, and share what their process's CPU clock says they ran unseen
   * equally (account_ended() in il-program-sampled.c). Their sum is exact, each one within what
   * they ran in that stretch (a CI run beside another suite drew a 296 ms thread 26 ms off; its
   * log did not say which way). */
  check_cpu (run, report, burn->n, 0.10);
}

/* The same program recorded both ways at once: `interleave-cli trace --capture kernel -- \
 * interleave-cli trace --capture sampled -- python3 burn.py …`. The outer capture follows the
 * inner CLI's fork, so its lanes hold the program's threads by tid, on the same clock. */
static void
test_iou (gconstpointer data)
{
  const Burn *burn = data;
  g_autofree char *report = report_path (burn->kind);
  g_autofree char *outer = g_build_filename (tmpdir, "kernel.interleave.json", NULL);
  g_autofree char *inner = g_build_filename (tmpdir, "sampled.interleave.json", NULL);
  g_autofree char *n = g_strdup_printf ("%d", burn->n);
  g_autofree char *load = NULL;
  const char *argv[] = { cli_path, "trace", "-q", "--capture", "kernel", "-o", outer, "--",
                         cli_path, "trace", "-q", "--capture", "sampled", "-o", inner, "--",
                         python, burn_py, burn->kind, n, burn->amount, report, NULL };
  g_auto(IlTestResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) kt = NULL;
  g_autoptr(IlTrace) st = NULL;
  IlRunTrace *kernel, *sampled;
  double worst = 1, sum = 0;
  int compared = 0;

  if (!perf_allowed)
    {
      g_test_skip ("perf_event_open is not allowed here: nothing to compare with");
      return;
    }
  il_test_run_argv (&r, argv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  kt = il_trace_load (outer, &error);
  g_assert_no_error (error);
  st = il_trace_load (inner, &error);
  g_assert_no_error (error);
  kernel = il_trace_get_run (kt, 0);
  sampled = il_trace_get_run (st, 0);
  g_assert_cmpint (il_run_trace_get_capture (kernel), ==, IL_CAPTURE_KERNEL);
  g_assert_cmpint (il_run_trace_get_capture (sampled), ==, IL_CAPTURE_SAMPLED);
  check_possible (sampled);
  check_cpu (sampled, report, burn->n, 0.05);

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    g_strchomp (load);
  for (guint w = 0; w < il_run_trace_get_n_workers (sampled); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (sampled, w);
      int k = worker_of (kernel, info->tid);
      gint64 ta, tb, both;
      double iou;

      g_assert_cmpint (k, >=, 0);
      /* From the inner run's start: what the outer capture saw before it is the program's
       * process before it was let go (Interleave's own code, not the program's). */
      both = il_test_running_overlap (kernel, (guint) k, sampled, w,
                                      il_run_trace_get_origin_ns (sampled), &ta, &tb);
      /* Threads that hardly ran (the interpreter's start-up helpers) say little either way. */
      if (ta < 20 * G_GINT64_CONSTANT (1000000))
        continue;
      iou = (double) both / (ta + tb - both);
      g_test_message ("%s: %s: kernel %.1f ms running, sampled %.1f ms (%+.1f %%): IoU %.3f",
                      burn->kind, info->name, ta / 1e6, tb / 1e6, 100.0 * (tb - ta) / ta, iou);
      worst = MIN (worst, iou);
      sum += iou;
      compared++;
    }
  g_assert_cmpint (compared, >=, burn->n);
  g_test_message ("%s: per-thread IoU of running time, sampled against kernel: mean %.3f, "
                  "worst %.3f (load average %s)", burn->kind, sum / compared, worst,
                  load != NULL ? load : "?");
}

/* States (issue 20 item 3). Threads that start while others hold the GIL wait for it first;
 * threads that wait for a lock the main thread holds, then work in short bursts. */
static const char start_text[] =
  "import threading\n"
  "def work():\n"
  "    t = 0\n"
  "    for i in range(400000):\n"
  "        t += i\n"
  "ths = []\n"
  "for i in range(8):\n"
  "    th = threading.Thread(target=work)\n"
  "    th.start()\n"
  "    ths.append(th)\n"
  "for th in ths:\n"
  "    th.join()\n";

static const char convoy_text[] =
  "import threading, time\n"
  "lock = threading.Lock()\n"
  "lock.acquire()\n"
  "def spin(s):\n"
  "    t = time.perf_counter()\n"
  "    while time.perf_counter() - t < s:\n"
  "        pass\n"
  "def work():\n"
  "    for _ in range(3):\n"
  "        with lock:\n"
  "            spin(0.0005)\n"
  "ths = [threading.Thread(target=work) for _ in range(4)]\n"
  "for th in ths:\n"
  "    th.start()\n"
  "spin(0.3)\n"
  "lock.release()\n"
  "for th in ths:\n"
  "    th.join()\n";

static IlRunTrace *
trace_text (const char *name, const char *text, gboolean kernel, char **summary)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;
  const char *program[] = { python, path, NULL };

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return trace_argv (program, kernel ? "kernel" : "sampled", !kernel, summary);
}

/* Time of @w's spans in @state whose recorded wait is @kind. */
static gint64
state_ns (IlRunTrace *run, guint w, IlState state, int kind)
{
  const IlLane *lane = il_run_trace_get_lane (run, w);
  gint64 ns = 0;

  for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
    {
      const IlSpan *s = il_lane_get_span (lane, i);
      if (s->state == state && (kind < 0 || il_run_trace_get_wait (run, w, s->start_ns) == (IlWaitKind) kind))
        ns += s->end_ns - s->start_ns;
    }
  return ns;
}

/* The machine's load: its 1-minute average over its CPUs (0 where /proc does not tell). */
static double
machine_load (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return 0;
  return g_ascii_strtod (text, NULL) / MAX (g_get_num_processors (), 1);
}

/* A started thread's first wait is the GIL's: drawn as gil-wait, not as a wait of no known kind
 * (the kernel capture knew of a new thread only when it handled its records, 20-30 ms late, and
 * so sampled nothing of what it waited on until then: 31 % of the GIL waits were io-wait).
 * It learned of a thread when it next read the rings, every 10 ms: a first wait of 1-5 ms was
 * often over, unsampled, by then, and one run in three failed this check on a quiet machine (4 of
 * 8 first waits unknown; 5 of 8 and 12 ms of 45 seen under load). The rings are now read with
 * every reason sample (2 ms): only waits shorter than a sample can pass unseen (under 1 ms of
 * unknown in ten runs at load 2.5-4 per CPU). Its reason sampler still runs late on a busy
 * machine, so the share is held to 10 % only on a quiet machine (neither the load average nor the
 * program's own threads waiting for a CPU say otherwise), and under load only to 75 %. What holds
 * under load is counted per thread: its first wait. All is reported. */
static void
test_thread_start (gconstpointer data)
{
  gboolean kernel = GPOINTER_TO_INT (data);
  g_autoptr(IlRunTrace) run = NULL;
  gint64 gil = 0, unknown = 0, ready = 0, life = 0;
  guint waited = 0, first_gil = 0, first_unknown = 0;
  double load_before, load_after;
  gboolean quiet;

  if (kernel && !perf_allowed)
    {
      g_test_skip ("perf_event_open is not allowed here");
      return;
    }
  load_before = machine_load ();
  run = trace_text ("start.py", start_text, kernel, NULL);
  load_after = machine_load ();
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, w);
      const IlLane *lane = il_run_trace_get_lane (run, w);
      guint n = il_lane_get_n_spans (lane);

      if (info->tid == info->pid || n == 0)
        continue;
      gil += state_ns (run, w, IL_STATE_GIL_WAIT, IL_WAIT_GIL);
      unknown += state_ns (run, w, IL_STATE_IO_WAIT, -1);
      ready += state_ns (run, w, IL_STATE_READY, -1);
      life += il_lane_get_span (lane, n - 1)->end_ns - il_lane_get_span (lane, 0)->start_ns;
      /* Its first wait: the first span neither running nor waiting for a CPU. */
      for (guint i = 0; i < n; i++)
        {
          const IlSpan *s = il_lane_get_span (lane, i);

          if (s->state == IL_STATE_RUNNING || s->state == IL_STATE_READY)
            continue;
          waited++;
          first_gil += s->state == IL_STATE_GIL_WAIT;
          first_unknown += s->state == IL_STATE_IO_WAIT;
          break;
        }
    }
  /* Under the GIL one thread runs at a time: on 2 CPUs they wait for one only when other
   * programs hold them. */
  quiet = MAX (load_before, load_after) < 0.75 && ready * 20 < life;
  g_test_message ("started threads: gil-wait %.1f ms, io-wait %.1f ms; first waits: %u of %u on "
                  "the GIL, %u unknown; load %.2f/%.2f per CPU, ready %.1f %% of their lives: %s",
                  gil / 1e6, unknown / 1e6, first_gil, waited, first_unknown, load_before,
                  load_after, life > 0 ? 100.0 * ready / life : 0.0, quiet ? "quiet" : "loaded");
  g_assert_cmpint (gil, >, 0);
  /* Each thread's first wait is what the fix is about, and tells it apart under load too: with it
   * 3 to 8 of 8 threads waited first on the GIL (3 on a machine loaded 4-fold), without it (the
   * thread known and its wait sampled only when its records were handled) 0 or 1 of 8. */
  if (waited >= 4)
    g_assert_cmpuint (first_gil * 5, >, waited);
  else
    /* On a loaded machine the sampled capture once saw 1 of 8 threads wait at all: each ran
     * its work alone. Too few to count; the shares below still hold. */
    g_test_message ("too few threads waited to count their first waits");
  g_assert_cmpfloat ((double) unknown, <=, (quiet ? 0.1 : 0.75) * (gil + unknown));
}

/* Threads held up by a lock: workers, not helpers (they never ran 2 ms at once, nor 2 % of their
 * lives), and their lock waits are counted and said in the summary. */
static void
test_lock_convoy (gconstpointer data)
{
  gboolean kernel = GPOINTER_TO_INT (data);
  g_autoptr(IlRunTrace) run = NULL;
  g_autofree char *summary = NULL;
  guint workers = 0;

  if (kernel && !perf_allowed)
    {
      g_test_skip ("perf_event_open is not allowed here");
      return;
    }
  run = trace_text ("convoy.py", convoy_text, kernel, &summary);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, w);
      gint64 lock = state_ns (run, w, IL_STATE_LOCK_WAIT, IL_WAIT_LOCK);

      if (info->tid == info->pid)
        continue;
      g_test_message ("thread %d: lock-wait %.1f ms, running %.1f ms%s", info->tid, lock / 1e6,
                      running_ns (run, w) / 1e6, info->helper ? " (helper)" : "");
      g_assert_false (info->helper);
      g_assert_cmpint (lock, >, 0);
      workers++;
    }
  g_assert_cmpuint (workers, ==, 4);
  g_assert_cmpint (il_run_trace_get_summary (run)->lock_wait_ns, >, 0);
  g_assert_nonnull (strstr (summary, "lock-wait"));
}

/* The number of lines in @path (0 if it is not there yet). */
static guint
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const char *c = text; *c != '\0'; c++)
    n += *c == '\n';
  return n;
}

/* How many threads process @pid has now. */
static guint
count_threads (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* A descendant of process @pid running burn.py with its two threads or (@processes) two child
 * processes started (with @pid itself if @self), or 0: the CLI's watcher forks the program, and
 * the command lines of the CLI and the watcher name burn.py too. */
static int
find_burn (int pid, gboolean self, gboolean processes)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *cmd = NULL;
  g_autoptr(GDir) tasks = NULL;
  gsize len = 0;
  const char *name;

  if (g_file_get_contents (path, &cmd, &len, NULL))
    for (gsize i = 0; i + 1 < len; i++)
      if (cmd[i] == '\0')
        cmd[i] = ' ';
  if (self && cmd != NULL && strstr (cmd, "burn.py") != NULL)
    {
      g_autoptr(GArray) children = processes ? il_test_children_of (pid) : NULL;

      if (processes ? children->len >= 2 : count_threads (pid) >= 3)
        return pid;
    }
  g_free (path);
  path = g_strdup_printf ("/proc/%d/task", pid);
  tasks = g_dir_open (path, 0, NULL);
  while (tasks != NULL && (name = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *children = g_strdup_printf ("/proc/%d/task/%s/children", pid, name);
      g_autofree char *text = NULL;
      char *p, *end;

      if (!g_file_get_contents (children, &text, NULL, NULL))
        continue;
      for (p = text; (end = NULL, strtol (p, &end, 10)) > 0 && end != p; p = end)
        {
          int found = find_burn ((int) strtol (p, NULL, 10), TRUE, processes);

          if (found > 0)
            return found;
        }
    }
  return 0;
}

/* Threads that end while the tracer cannot run (stopped here, as a starved one is on a loaded
 * machine) leave nothing to read: a thread leaves no zombie. What they ran since they were last
 * read comes from their process's CPU clock; without it a thread that ended 100 ms into such a
 * wait was drawn that much short (75-90 % of these threads' time). Processes (@data: the kind
 * "processes") that end then are reaped by their parent's join() before the tracer runs again:
 * what they ran unseen comes from the parent's children's CPU time; without it they were drawn
 * 85-90 % short. */
static void
test_ended_unread (gconstpointer kind_data)
{
  const char *kind = kind_data;
  gboolean processes = g_str_equal (kind, "processes");
  g_autofree char *report = report_path ("ended-unread");
  g_autofree char *out = g_build_filename (tmpdir, "ended-unread.interleave.json", NULL);
  const char *argv[] = { no_perf_path, cli_path, "trace", "-q", "--capture", "sampled", "-o", out, "--",
                         python, burn_py, kind, "2", processes ? "15000000" : "360", report, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) cli = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run;
  int pid, child = 0;
  gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  pid = atoi (g_subprocess_get_identifier (cli));
  /* Its two threads or processes running, and read by the tracer a few times (every 1 ms). */
  while ((child = find_burn (pid, FALSE, processes)) == 0 && g_get_monotonic_time () < until)
    g_usleep (2000);
  g_assert_cmpint (child, >, 0);
  g_usleep (60000);
  g_assert_cmpint (count_lines (report), ==, 0);
  kill (pid, SIGSTOP);
  while (count_lines (report) < 2 && g_get_monotonic_time () < until)
    g_usleep (5000);
  g_usleep (20000);   /* they end after they report (and a process is reaped) */
  if (processes)
    {
      g_autoptr(GArray) left = il_test_children_of (child);

      while (left->len > 0 && g_get_monotonic_time () < until)
        {
          g_usleep (5000);
          g_array_unref (left);
          left = il_test_children_of (child);
        }
      g_assert_cmpuint (left->len, ==, 0);
    }
  kill (pid, SIGCONT);
  g_assert_true (g_subprocess_wait_check (cli, NULL, &error));
  g_assert_no_error (error);

  trace = il_trace_load (out, &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    g_test_message ("lane %s: running %.1f ms", il_run_trace_get_worker (run, w)->name,
                    running_ns (run, w) / 1e6);
  check_possible (run);
  /* Both ended in the same wait: what they ran in it together is exact (their sum within 3 %),
   * and shared between them equally, which is off by half the difference of what each ran in
   * it. They do the same work, but not at the same speed: the VM's two cores do not run alike
   * (in CI one hash thread took 238 ms of CPU, the other, by their sum, about 300; under ASan one
   * worker process 586 ms and the other 1030, then 521 and 1089). So no share can be held to its
   * own count from above (a process that ran little in the wait gets half of what both ran), only
   * from below: half of what it ran unseen is at least its share, so each is drawn with more
   * than 45 % of its count; without what this recovers they were 75-90 % short. */
  {
    g_autofree char *data = il_test_read_text (report);
    g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
    gint64 traced = 0, sched = 0;

    for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
      {
        int tid, w;
        gint64 ns;

        g_assert_cmpint (sscanf (lines[i], "%d %" G_GINT64_FORMAT, &tid, &ns), ==, 2);
        w = worker_of (run, tid);
        g_assert_cmpint (w, >=, 0);
        g_test_message ("thread %d: traced running %.1f ms, the kernel counted %.1f ms", tid,
                        running_ns (run, (guint) w) / 1e6, ns / 1e6);
        g_assert_cmpfloat ((double) running_ns (run, (guint) w), >=, 0.45 * ns);
        traced += running_ns (run, (guint) w);
        sched += ns;
      }
    g_test_message ("both: traced running %.1f ms, the kernel counted %.1f ms (%+.2f %%)", traced / 1e6,
                    sched / 1e6, 100.0 * (traced - sched) / sched);
    g_assert_cmpfloat (fabs ((double) (traced - sched)), <=, 0.03 * sched);
  }
}

/* Threads that live 3 ms each, one after another (0.6 ms of CPU, then the report's 2 ms sleep):
 * shorter than the 5 ms between scans for new threads, so a scan found 22-29 of 40, and the CPU
 * of the others was lost. When a process's CPU clock counts more than its known threads ran, its
 * threads are listed at the next sample: all are found, and its lanes hold all its CPU (against
 * the process's own count at its end: what each thread reads of itself is 2 ms before its end,
 * and leaves out what it runs after, a quarter of a thread this short). */
static void
test_short_threads (void)
{
  g_autofree char *report = report_path ("short");
  const char *program[] = { python, burn_py, "short", "40", "20000", report, NULL };
  g_autoptr(IlRunTrace) run = trace_argv (program, "sampled", TRUE, NULL);
  g_autofree char *data = il_test_read_text (report);
  g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
  guint n = 0, found = 0;
  gint64 traced = 0, total = -1;
  int pid = -1;

  check_possible (run);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      int tid, w;
      gint64 ns;

      g_assert_cmpint (sscanf (lines[i], "%d %" G_GINT64_FORMAT, &tid, &ns), ==, 2);
      if (tid == 0)
        {
          total = ns;
          continue;
        }
      n++;
      w = worker_of (run, tid);
      if (w < 0)
        continue;
      found++;
      pid = il_run_trace_get_worker (run, (guint) w)->pid;
    }
  g_assert_cmpint (pid, >, 0);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    if (il_run_trace_get_worker (run, w)->pid == pid)
      traced += running_ns (run, w);
  g_test_message ("%u of %u threads found; the process's lanes ran %.1f ms, it counted %.1f ms", found,
                  n, traced / 1e6, total / 1e6);
  g_assert_cmpuint (n, ==, 40);
  g_assert_cmpuint (found * 10, >=, n * 9);
  g_assert_cmpint (total, >, 0);
  /* Nothing lost (without the listing at the next sample, 6 % was); a little more than its
   * count, which it read before the interpreter's exit (+4 to +7 % here). */
  g_assert_cmpfloat ((double) traced, >=, 0.95 * total);
  g_assert_cmpfloat ((double) traced, <=, 1.20 * total);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 4)
    g_error ("usage: test-sampled INTERLEAVE-CLI IL-NO-PERF CPU-HOG");
  cli_path = argv[1];
  no_perf_path = argv[2];
  hog_path = argv[3];
  python = g_find_program_in_path ("python3");
  if (python == NULL)
    {
      g_test_message ("python3 is not installed: nothing to trace");
      return 77;
    }
  perf_allowed = il_test_perf_allowed ();
  tmpdir = il_test_tmpdir_new ("il-test-sampled");
  burn_py = g_build_filename (tmpdir, "burn.py", NULL);
  {
    g_autoptr(GError) error = NULL;
    g_file_set_contents (burn_py, burn_text, -1, &error);
    g_assert_no_error (error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (burns); i++)
    {
      g_autofree char *refused = g_strdup_printf ("/sampled/refused/%s", burns[i].kind);
      g_autofree char *hog = g_strdup_printf ("/sampled/hog/%s", burns[i].kind);
      g_autofree char *iou = g_strdup_printf ("/sampled/against-kernel/%s", burns[i].kind);

      g_test_add_data_func (refused, &burns[i], test_refused);
      g_test_add_data_func (hog, &burns[i], test_hog);
      g_test_add_data_func (iou, &burns[i], test_iou);
    }
  g_test_add_func ("/sampled/short-threads", test_short_threads);
  g_test_add_data_func ("/sampled/ended-unread/threads", "hash", test_ended_unread);
  g_test_add_data_func ("/sampled/ended-unread/processes", "processes", test_ended_unread);
  g_test_add_data_func ("/sampled/states/thread-start/kernel", GINT_TO_POINTER (TRUE), test_thread_start);
  g_test_add_data_func ("/sampled/states/thread-start/sampled", GINT_TO_POINTER (FALSE), test_thread_start);
  g_test_add_data_func ("/sampled/states/lock-convoy/kernel", GINT_TO_POINTER (TRUE), test_lock_convoy);
  g_test_add_data_func ("/sampled/states/lock-convoy/sampled", GINT_TO_POINTER (FALSE), test_lock_convoy);
  status = g_test_run ();

  il_test_remove_tree (tmpdir);
  g_free (burn_py);
  g_free (python);
  return status;
}
