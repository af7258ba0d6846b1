/* bench-placement.c: per-thread IoU of running time against the kernel's own record, with perf (kernel capture) and without (sampled capture), for CPU-bound threads, processes and GIL-bound threads. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 20 item 2: each program is traced twice, each time inside an outer
 * `interleave-cli trace --capture kernel` that records the inner CLI's child (the program) by its
 * context switches: once with the inner `--capture kernel` (with perf), once with `--capture
 * sampled` (without). For every thread that ran 20 ms or more: the intersection over union of its
 * running time against the outer record, and its CPU time against it, from the inner run's start
 * on (before it, the outer record has the program's process as it waited to be let go, 1-5 ms of
 * Interleave's own code). The outer record misses a process's last millisecond (after its exit
 * record, docs/capture.md), which the sampled capture draws: counted against it. In ROUNDS rounds (each
 * round every program both ways, so the machine's load falls on all alike; IL_BENCH_ROUNDS=N
 * for another count): each round's figures, then per program and capture the median of the
 * rounds' mean IoU, worst IoU and worst CPU error. Prints `name: value` lines and the load
 * average; asserts nothing. Args: interleave-cli. Needs perf_event_open allowed. */
#include "config.h"

#include <linux/perf_event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "il-perf.h"
#include "il-trace-io.h"
#include "il-test-running.h"
#include "il-test-util.h"

#define ROUNDS 5

static const char burn_text[] =
  "import hashlib, multiprocessing, sys, threading\n"
  "kind, n, amount = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])\n"
  "def count():\n"
  "    total = 0\n"
  "    for i in range(amount):\n"
  "        total += i * i\n"
  "def digest():\n"
  "    data = b'x' * (1 << 20)\n"
  "    for _ in range(amount):\n"
  "        hashlib.sha256(data).digest()\n"
  "if __name__ == '__main__':\n"
  "    if kind == 'processes':\n"
  "        ctx = multiprocessing.get_context('fork')\n"
  "        workers = [ctx.Process(target=count) for _ in range(n)]\n"
  "    else:\n"
  "        workers = [threading.Thread(target=count if kind == 'gil-threads' else digest) for _ in range(n)]\n"
  "    for w in workers:\n"
  "        w.start()\n"
  "    for w in workers:\n"
  "        w.join()\n";

typedef struct
{
  const char *kind;
  const char *title;
  const char *n;
  const char *amount;
} Program;

static const Program programs[] = {
  { "cpu-threads", "threads CPU-bound (hashlib releases the GIL)", "2", "360" },
  { "processes", "processes CPU-bound", "2", "15000000" },
  { "gil-threads", "GIL-bound threads (pure Python)", "4", "7500000" },
};

/* One round's figures of one program and capture. */
typedef struct
{
  double iou_mean, iou_worst, cpu_err;
  gboolean ok;
} Figures;

/* Traces @p with the inner @capture inside an outer kernel capture; prints its per-thread IoU of
 * round @round into @out. */
static void
measure (const char *cli, const char *python, const char *script, const char *dir, const Program *p,
         const char *capture, guint round, Figures *out)
{
  g_autofree char *outer = g_build_filename (dir, "outer.interleave.json", NULL);
  g_autofree char *inner = g_build_filename (dir, "inner.interleave.json", NULL);
  const char *argv[] = { cli, "trace", "-q", "--capture", "kernel", "-o", outer, "--",
                         cli, "trace", "-q", "--capture", capture, "-o", inner, "--",
                         python, script, p->kind, p->n, p->amount, NULL };
  g_auto(IlTestResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) ot = NULL, it = NULL;
  IlRunTrace *kernel, *traced;
  double sum = 0, worst = 1, cpu_err = 0;
  int compared = 0;
  const char *worst_name = "";

  il_test_run_argv (&r, argv, NULL);
  if (r.status != 0 || (ot = il_trace_load (outer, &error)) == NULL ||
      (it = il_trace_load (inner, &error)) == NULL)
    {
      printf ("%s_%s_round%u: failed (%d) %s\n", p->kind, capture, round, r.status,
              error ? error->message : r.err);
      out->ok = FALSE;
      return;
    }
  kernel = il_trace_get_run (ot, 0);
  traced = il_trace_get_run (it, 0);
  for (guint w = 0; w < il_run_trace_get_n_workers (traced); w++)
    {
      int tid = il_run_trace_get_worker (traced, w)->tid;
      gint64 ta = 0, tb = 0, both = 0;
      gboolean found = FALSE;

      for (guint k = 0; k < il_run_trace_get_n_workers (kernel) && !found; k++)
        if (il_run_trace_get_worker (kernel, k)->tid == tid)
          {
            both = il_test_running_overlap (kernel, k, traced, w, il_run_trace_get_origin_ns (traced),
                                            &ta, &tb);
            found = TRUE;
          }
      if (!found || ta < G_GINT64_CONSTANT (20000000))
        continue;
      sum += (double) both / (double) (ta + tb - both);
      if ((double) both / (double) (ta + tb - both) < worst)
        {
          worst = (double) both / (double) (ta + tb - both);
          worst_name = il_run_trace_get_worker (traced, w)->name;
        }
      cpu_err = MAX (cpu_err, fabs ((double) (tb - ta) / (double) ta));
      compared++;
    }
  out->ok = compared > 0;
  out->iou_mean = compared > 0 ? sum / compared : 0;
  out->iou_worst = worst;
  out->cpu_err = 100 * cpu_err;
  printf ("%s_%s_round%u: %d threads, IoU mean %.3f worst %.3f (%s), CPU error worst %.1f %%\n",
          p->kind, capture, round, compared, out->iou_mean, worst, worst_name, out->cpu_err);
  fflush (stdout);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The median of the rounds that gave figures (field at @offset of each Figures); -1: none. */
static double
median (const Figures *f, guint n, gsize offset)
{
  g_autoptr(GArray) v = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < n; i++)
    if (f[i].ok)
      g_array_append_val (v, G_STRUCT_MEMBER (double, (gpointer) &f[i], offset));
  if (v->len == 0)
    return -1;
  g_array_sort (v, compare_doubles);
  return v->len % 2 ? g_array_index (v, double, v->len / 2)
                    : (g_array_index (v, double, v->len / 2 - 1) + g_array_index (v, double, v->len / 2)) / 2;
}

int
main (int argc, char **argv)
{
  struct perf_event_attr attr;
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *dir = NULL, *script = NULL;
  const char *captures[] = { "kernel", "sampled" };
  const char *env = g_getenv ("IL_BENCH_ROUNDS");
  guint rounds = env != NULL && atoi (env) > 0 ? (guint) atoi (env) : ROUNDS;
  g_autofree Figures *figs = NULL;
  int fd;

  if (argc < 2)
    g_error ("usage: bench-placement INTERLEAVE-CLI");
  il_perf_switch_attr_init (&attr);
  fd = (int) syscall (SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0 || python == NULL)
    {
      printf ("skipped: %s\n", python == NULL ? "no python3" : "perf_event_open is not allowed here");
      return 0;
    }
  close (fd);
  dir = il_test_tmpdir_new ("il-bench-placement");
  script = g_build_filename (dir, "burn.py", NULL);
  g_file_set_contents (script, burn_text, -1, NULL);
  printf ("cpus: %u\nrounds: %u\n", (guint) sysconf (_SC_NPROCESSORS_ONLN), rounds);
  il_test_print_load ("loadavg_before");
  figs = g_new0 (Figures, G_N_ELEMENTS (programs) * 2 * rounds);
  for (guint r = 0; r < rounds; r++)
    for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
      for (guint c = 0; c < 2; c++)
        measure (argv[1], python, script, dir, &programs[i], captures[c], r + 1,
                 &figs[(i * 2 + c) * rounds + r]);
  il_test_print_load ("loadavg_after");
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      printf ("# %s: medians of %u rounds\n", programs[i].title, rounds);
      for (guint c = 0; c < 2; c++)
        {
          const Figures *f = &figs[(i * 2 + c) * rounds];

          printf ("%s_%s_iou_mean: %.3f\n%s_%s_iou_worst: %.3f\n%s_%s_cpu_error_worst_pct: %.1f\n",
                  programs[i].kind, captures[c], median (f, rounds, G_STRUCT_OFFSET (Figures, iou_mean)),
                  programs[i].kind, captures[c], median (f, rounds, G_STRUCT_OFFSET (Figures, iou_worst)),
                  programs[i].kind, captures[c], median (f, rounds, G_STRUCT_OFFSET (Figures, cpu_err)));
        }
    }
  il_test_remove_tree (dir);
  return 0;
}
