/* il-program-private.h: what the parts of a traced program share, inside src/record only. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the parts of a traced program share inside src/record: its timing constants, the tracer's
 * processes, threads, notes and records, the IlProgram itself, and each part's functions
 * (il-program.c drives them). */
#pragma once

#include <linux/perf_event.h>
#include <stdatomic.h>
#include <time.h>

#include <glib.h>

#include "il-program.h"
#include "il-ring.h"
#include "il-trace-stacks.h"

G_BEGIN_DECLS

#define PERF_PAGES 256              /* 1 MB ring per CPU: ~40 000 switch records between drains */
#define PERF_DRAIN_NS    G_GINT64_CONSTANT (10000000)
#define PERF_MARGIN_NS   G_GINT64_CONSTANT (20000000)  /* records may land this late in a ring (a
                                                        * virtual CPU can be stopped between an
                                                        * event's time stamp and its record) */
#define UNSEEN_NS        G_GINT64_CONSTANT (300000)    /* sampled: CPU its clock counts beyond its
                                                        * known threads that sends for a scan */
#define SCAN_NS          G_GINT64_CONSTANT (5000000)   /* sampled: new threads and processes; new
                                                        * processes every 1 ms for CONFIRM_NS after
                                                        * one: a launcher's helpers (pyenv's shims
                                                        * fork a dozen, 1-5 ms each) are the run's
                                                        * own time only if seen */
#define HOUSEKEEP_NS     G_GINT64_CONSTANT (10000000)
#define CMDLINE_EVERY    10                            /* housekeeping passes between re-reads
                                                        * of a command with no exec seen */
#define REASON_NS        G_GINT64_CONSTANT (2000000)   /* kernel: what blocked threads wait on;
                                                        * every 1 ms, the tracer's wake-ups were
                                                        * 4 % of a core beside a Python lesson */
#define SAMPLE_LATE_NS   G_GINT64_CONSTANT (1000000)   /* sampled: a pause this long between two */
#define SAMPLE_PASSES    3                             /* …threads' reads: the sample is read again */
#define STAT_EVERY_NS    G_GINT64_CONSTANT (10000000)  /* sampled: a blocked thread's stat at least */
#define FLUSH_NS         G_GINT64_CONSTANT (10000000)  /* open spans are split so a live view moves */
#define KEEP_OPEN_NS     G_GINT64_CONSTANT (60000000)  /* …keeping their newest part open, which a
                                                        * record that comes late may still cut */
#define CONFIRM_NS       G_GINT64_CONSTANT (250000000) /* a child younger than this may be a launcher's */
#define REASON_KEEP_NS   G_GINT64_CONSTANT (50000000)
#define REASON_READ_NS   G_GINT64_CONSTANT (20000000)  /* kernel: a thread's system call read at
                                                        * least this often, whatever its records
                                                        * say (il_program_perf_sample_reasons) */
#define INT_GRACE_NS     G_GINT64_CONSTANT (2000000000)  /* Stop: SIGINT, then SIGTERM after this */
#define KILL_GRACE_NS    G_GINT64_CONSTANT (2000000000)  /* …and SIGKILL after this more */
#define RING_CAPACITY    (1u << 16)

typedef enum { PROC_PENDING, PROC_CONFIRMED, PROC_DROPPED } ProcStatus;

typedef struct _PyReader PyReader;

typedef struct _Proc Proc;
struct _Proc
{
  int         pid;
  int         ppid;
  Proc       *parent;          /* the traced process that forked it; NULL for the command */
  gint64      fork_ns;
  gint64      exec_ns;         /* its last exec (G_MININT64: none seen) */
  ProcStatus  status;
  gboolean    exited;
  gboolean    still_running;   /* alive when the run ended (the command had exited) */
  gboolean    announced;
  char       *command;
  char       *announced_command;
  char       *announced_name;
  char        comm[16];
  char       *exe;             /* sampled: /proc/PID/exe, to notice an exec */
  int         pidfd;           /* sampled: readable once it ends (-1: not open yet, -2: refused,
                                * -3: it ended, or is the command: the watcher tells that) */
  gboolean    comm_recheck;    /* sampled: an exec was seen on the last scan; read comm again */
  gint64      cmdline_exec_ns; /* exec_ns when its command was last read (housekeeping) */
  /* Where its GIL lives, resolved when first needed after its last exec. */
  gboolean    rt_known;
  gint64      rt_tried_ns;
  /* Sampled: its CPU clock (every thread's runtime, those that ended too) minus its live threads'
   * runtimes at the last sample: what its ended threads ran (G_MININT64: not read). */
  gint64      ended_ns;
  clockid_t   cpu_clock;
  gboolean    has_cpu_clock;
  gint64      cpu_now_ns, live_ns, ended_known_ns, missing_ns; /* …this sample's reckoning */
  guint       n_ended_unread;
  gint64      cpu_last_ns;     /* …its CPU clock at its last reading (G_MININT64: none), */
  gint64      cpu_last_read_ns; /* …when that was, */
  gint64      ended_last_ns;   /* …what its ended threads had run then, */
  gboolean    final_read;      /* …and whether it had ended then (a zombie: final) */
  /* Sampled, a process its parent reaped before the tracer read it as a zombie (the tracer waited
   * for a core): what it ran after its last reading comes from its parent's children's CPU time
   * (account_reaped() in il-program-sampled.c). */
  int         stat_fd;         /* as a parent: its /proc/PID/stat (-1: not open, -2: gone) */
  gint64      reaped_ns, reaped_prev_ns; /* …its reaped children's CPU time, as read at this
                                * sample and the one before (G_MININT64: not read) */
  gint64      vanish_known_ns; /* …this sample: what its children reaped since ran, as known */
  guint       n_vanish_unread; /* …and how many of them were not read at their end */
  gboolean    has_children;    /* …it has a traced child not reaped yet */
  gboolean    tasks_soon;      /* sampled: its CPU clock counts a thread the last scan had not
                                * found: its threads are listed at the next sample */
  gboolean    vanished;        /* reaped (gone from /proc) */
  gint64      unseen_ns;       /* …what it ran after its last reading (-1: not known) */
  guint64     rt_lo, rt_hi;
  /* Its Python threads and stacks (il-program-stacks.c), read once _PyRuntime is found. */
  PyReader   *py;
  gboolean    py_refused;      /* the reader said why not, once; not tried again until an exec */
  char       *py_why;          /* …what it said */
  gint64      py_names_ns;     /* when threading's names were last read */
  gboolean    py_names_found;  /* …and whether threading was there to read them from */
  guint       py_names_soon;   /* …and how many times in a row sooner, for an unnamed thread */
  char       *mp_name;         /* multiprocessing's name for it (ForkPoolWorker-1), NULL: none */
  gboolean    mp_pending;      /* …still "MainProcess" in a child: named soon by its Process */
  gint64      mp_ns;           /* …when it was last read */
  guint       mp_tries;        /* …how many times in a row sooner */
  GArray     *py_held;         /* its stack samples while it is PROC_PENDING (of HeldSample) */
  GArray     *py_last;         /* its last samples read (of PyThreadSample), NULL before one… */
  gint64      py_cpu_ns;       /* …and its CPU clock just before (-1: not read) */
};

typedef struct
{
  gint64 t;
  guint8 state;
} Reason;

typedef struct _IlProgramOutput IlProgramOutput;

/* Sampled capture: one thread's /proc figures at one sample (il-program-sampled.c). */
typedef struct
{
  guint64 run, wait, pcount;   /* schedstat: ns on a CPU, ns waiting in a run queue, arrivals */
  int     cpu;                 /* stat: its last CPU */
  char    state;               /* 'R' runnable, 'S' blocked */
  guint8  block;               /* what it blocked on (a CODE) */
  gint64  arrive;              /* when it got a CPU since the sample before, estimated (-1: it
                                * did not; the last time, if more than once) */
  /* /proc/…/sched: when the scheduler last brought its runtime up to date, on our clock (-1:
   * not known): at each switch and at its core's tick; off a CPU, the instant it left its core.
   * With it, run above is exact at the instant it was read (read), not lagging: that is
   * later than the sample's (by µs, or more when the tracer lost its core while reading). */
  gint64  estart;
  gint64  read;
  gint8   on;                  /* on a CPU when read: arrivals (pcount) one more than switches
                                * (-1: not known) */
} PlaceSample;

#define PLACE_AHEAD 6          /* samples looked ahead before an interval is laid out */
#define PLACE_RING  (PLACE_AHEAD + 2)

/* Sampled capture: one core's scheduler clock against ours (il-program-sampled.c). Each core has
 * its own (it leaves out the time the core spent in interrupts, with IRQ_TIME_ACCOUNTING), so
 * each is read on that core; the least of our clock minus it over two windows of readings is the
 * offset, the older window forgotten as the newer fills (the clocks drift apart slowly). */
typedef struct
{
  gint64 least, least_before;  /* G_MAXINT64: no reading */
  gint64 since;                /* when the newer window began */
} PlaceClock;

#define PLACE_CLOCK_WINDOW_NS (100 * G_GINT64_CONSTANT (1000000))

typedef struct
{
  int       pid, tid;
  Proc     *proc;
  int       lane;              /* -1 until announced */
  char      comm[16];
  char     *announced_name;
  char     *py_name;           /* the name the program gave it (threading), NULL: not known */
  gboolean  exited;
  /* Kernel capture: the state since the last switch. */
  gboolean  on_cpu;
  int       cpu;
  gint64    since_ns;
  gboolean  preempted;         /* off CPU and still runnable: ready */
  gboolean  before_exec;       /* the root before its exec: not the program yet, nothing to show */
  gint64    record_ns;         /* kernel: the time of its last switch record */
  gint64    seen_ns;           /* kernel: its latest switch record read from the rings so far
                                * (handled or not; 0: none yet)… */
  gboolean  seen_blocked;      /* …left its CPU not preempted: blocked in a system call */
  gint64    reason_read_ns;    /* when its system call was last read (not taken from records)… */
  gint64    reason_seen_ns;    /* …seen_ns then… */
  guint8    reason_code;       /* …and what it said (NO_REASON: running or unknown) */
  gboolean  unsure;            /* records of a CPU it may have been on were lost: on or off a CPU
                                * since since_ns is known only at its next record */
  /* Sampling: /proc files kept open (pread at 0 re-reads them). */
  int       fd_syscall, fd_stat, fd_schedstat, fd_sched;
  int       fd_children;       /* sampled: its children, opened at the first scan (-1: none) */
  guint64   run_ns, wait_ns;   /* schedstat at the last sample */
  guint64   pcount;            /* schedstat's times on a CPU at the last sample */
  gint64    stat_ns;           /* when /proc/…/stat was last read */
  gint64    sample_ns;         /* time of the last sample; -1 before the first */
  char      state;             /* /proc stat state at the last sample */
  gint64    syscall_ns;        /* when /proc/…/syscall was last read (0: never)… */
  gboolean  syscall_running;   /* …and whether it said "running" (state R) */
  guint8    block_state;       /* what it blocked on at the last blocked sample (a CODE) */
  PlaceSample *samples;        /* sampled: the last PLACE_RING samples, by sample number */
  gint64    first_tick, last_tick, placed_tick; /* …its first and last, and laid out up to */
  gboolean  gone;              /* sampled: ended; its spans are flushed once laid out */
  gint64    gone_unread;       /* sampled: the sample it was found gone at, its last figures not
                                * read (a thread leaves no zombie; -1: none) */
  gboolean  final_exact;       /* sampled: read as a zombie, off its core: its last sample says
                                * when it left it for good (estart) and all it ran */
  /* Sampled: where it ran after the end of the interval last laid out, up to its last sample's
   * read (known then, laid out with the next interval), and whether that was all of it there. */
  gint64    carry_s[2], carry_e[2];
  int       carry_cpu[2];
  guint     n_carry;
  gboolean  carry_exact;
  GArray   *reasons;           /* of Reason: blocked samples, oldest first */
  int       gil_index;         /* sampled: its thread in the stacks store (-1: not found yet in */
  guint     gil_seen;          /* …the store's first gil_seen threads), */
  guint     gil_read;          /* …its samples read so far, */
  guint     gil_held, gil_free; /* …and of those on a CPU, how many held the GIL and not */
  /* Output: the open span (merged while state and CPU stay) and spans held while pending. */
  IlSpan    open;
  gboolean  has_open;
  GArray   *held;
} Thread;

typedef enum { NOTE_LANE, NOTE_PROCESS, NOTE_NAME, NOTE_DROP, NOTE_LOST } NoteKind;

typedef struct
{
  NoteKind kind;
  guint    lane;
  int      pid, ppid, tid;
  char    *text, *text2;
  gint64   start_ns, end_ns;   /* NOTE_LOST: the stretch of CPU `tid` the records covered… */
  guint64  count;              /* …and how many */
} Note;

typedef struct
{
  guint64 time;
  guint32 type, misc;
  int     pid, tid, ppid;
  int     cpu;
  char    comm[16];
  guint64 lost_since, lost;    /* PERF_RECORD_LOST: its ring's last record before, how many */
} Event;

/* Sampled capture: a stretch of a core given to a thread, and what one thread asks of one
 * sample's interval [a, b) (il-program-place.c). */
typedef struct
{
  gint64 s, e;
  int    cpu;
} PlacePiece;

#define PLACE_MAX_PIECES 8
#define KNOWN_GAP_NS     G_GINT64_CONSTANT (50000) /* an interval's start to its first read that
                                                   * may go unknown and still be exact */
#define PLACE_MAX_HOLES  4

typedef struct
{
  Thread    *th;
  gint64     a, b;
  gint64     want;             /* running time to place, ns */
  gint64     debt;             /* its counter minus what was laid out: who is behind goes first */
  gint64     dwait;            /* run-queue time by its counter */
  int        cpu;              /* its last core (an index into place_cpus), or -1 */
  gboolean   was_blocked, is_blocked;
  gboolean   late;             /* woke in the interval: its running goes at the end */
  gboolean   gil;              /* it runs holding its process's GIL: never beside another such */
  guint      n_holes;          /* where it surely waited for a CPU: no running there */
  PlacePiece holes[PLACE_MAX_HOLES];
  guint8     block_before, block; /* what it blocked on at the samples before and after (CODEs) */
  guint      n_pieces;
  PlacePiece pieces[PLACE_MAX_PIECES];
  gboolean   exact;            /* where it ran is all known (from /proc/…/sched), not estimated… */
  guint      n_fixed;          /* …or this much of it: where it surely ran, */
  PlacePiece fixed[4];
  gint64     carried;          /* known running after its interval, laid out with the next */
  gint64     got_fixed;        /* …and how much of that was free */
} PlaceAsk;

struct _IlProgram
{
  IlRunConfig  *config;
  gint64        origin_ns;
  IlCaptureKind capture;
  char         *path;           /* resolved program */
  pid_t         root;
  int           wait_status;
  pid_t         watcher;        /* the program's parent, kills its tree if we die (il-program-watch.c) */
  int           watch_fd;       /* its pipe: closed by our death, 'q' to let it go */
  int           status_fd;      /* what it says: the program's pid, its end, its wait status */
  gboolean      root_ended;     /* it said the program has ended (not yet reaped) */
  int           gate[2];
  IlProgramOutput *out;         /* the program's stdout, passed through (il-program-output.c) */
  IlProgramOutput *err;         /* and its stderr */
  char         *stderr_tail;    /* its last lines, once done */

  /* Kernel capture */
  guint         n_cpus;
  int          *fds;
  struct perf_event_mmap_page **rings;
  gsize         map_size;
  GArray       *events;         /* of Event, waiting for the horizon */
  guint64       lost;
  guint64      *ring_last;      /* per ring: the time of its newest record (0: none yet) */
  guint         perf_pages;     /* each ring's data pages: PERF_PAGES, or IL_TEST_PERF_PAGES */
  guint         reading;        /* the ring being read */

  /* Sampled capture: the cores running time is placed on (il-program-place.c) */
  int          *place_cpus;     /* their CPU numbers */
  int          *place_cpu_index; /* CPU number → index, or -1 */
  guint         place_n_cpus;
  GArray      **place_busy;     /* per core, of PlacePiece: this sample's */
  GArray       *place_asks;     /* of PlaceAsk */
  GPtrArray    *place_order;
  GArray       *place_gaps;
  gint64        place_times[PLACE_RING]; /* when each of the last samples was taken */
  gint64        place_tick;     /* samples taken */
  gint64        place_placed;   /* the last sample whose interval is laid out */
  gint64        place_arrived;  /* …and whose arrivals are estimated */
  int           place_sampler_cpu[PLACE_RING]; /* the CPU the tracer took each sample on */
  int           place_fd_sched; /* the tracer's own /proc/thread-self/sched (-1: none) */
  PlaceClock   *place_clocks;   /* per core (an index into place_cpus): its scheduler clock */

  /* Tracer state (tracer thread only) */
  GThread      *thread;
  GHashTable   *procs;          /* pid → Proc */
  GPtrArray    *proc_order;     /* of Proc, in creation order (parents first) */
  GHashTable   *threads;        /* tid → Thread */
  GHashTable   *not_ours;       /* sampled: pids seen that are not descendants */
  GArray       *found;          /* sampled: children read by the last scan (of long), reused */
  gint64        last_new_proc_ns; /* when the newest process was found */
  GHashTable   *elf_cache;      /* path → ElfRuntime */
  /* Python stacks (il-program-stacks.c) */
  IlTraceStacks *stacks;        /* NULL: not sampled (IL_NO_STACKS=1) */
  gboolean      stacks_given;   /* …owned by the run's trace since the start (a live run's) */
  gint64        stacks_due;     /* when the next sample is due, on the ticks' schedule */
  GArray       *py_samples;     /* of PyThreadSample, reused */
  GHashTable   *py_names;       /* ident → name, reused */
  gboolean      stacks_debug;   /* IL_DEBUG_STACKS=1: its rounds and CPU time said at the end */
  gint64        stacks_cpu_ns;  /* the sampler's own CPU time (only then) */
  guint64       stacks_rounds;
  guint         housekeep_pass; /* housekeeping passes so far (0: the last one, everything) */
  guint         next_lane;
  gboolean      ending;

  /* The tracer runs before the program is let go (il_program_start): both under start_mutex. */
  GMutex        start_mutex;
  GCond         start_cond;
  gboolean      tracer_running, let_go;

  /* Owner side */
  IlRing       *ring;
  GMutex        note_mutex;
  GArray       *notes;          /* of Note */
  IlSpan       *scratch;
  GArray       *drop_pids;      /* of int: launcher helpers to remove once all is drained */

  void        (*done_notify) (gpointer);
  void        (*drain_notify) (gpointer);
  gpointer      notify_data;
  _Atomic int   cancel;
  _Atomic int   done;
  _Atomic int   notify;         /* the owner wants the callbacks (cleared when it frees us) */
};

/* A blocked thread's state and what it waits on, in one byte: the state in the low four bits,
 * the IlWaitKind in the high four. NO_REASON: running, or nothing to tell. */
#define CODE(state, kind) ((guint8) ((state) | ((kind) << 4)))
#define CODE_STATE(c)     ((IlState) ((c) & 0xf))
#define CODE_KIND(c)      ((IlWaitKind) ((c) >> 4))
#define NO_REASON         0xff

/* A span of a dropped process (a launcher's helper) travels with this worker index: it gets no
 * lane, but its time on a CPU is the run's own, not other programs' (il_run_trace_add_undrawn). */
#define UNDRAWN_WORKER G_MAXUINT16

/* il-program-python.c: _PyRuntime's [lo, hi) in @pid, its ELF files' answers kept in @cache
 * (path → ElfRuntime; NULL: none kept). */
gboolean  il_program_find_runtime_cached (GHashTable *cache, int pid, guint64 *lo, guint64 *hi);
/* il-program-wait.c: @p's _PyRuntime, looked for at most every 50 ms until found. */
gboolean  il_program_proc_runtime       (IlProgram *self, Proc *p, gint64 now);

/* il-program-pystack.c: a CPython process read from outside: its thread states (each one's native
 * thread id, threading ident, innermost PY_MAX_FRAMES frames as frame ids of @stacks, whether it
 * holds the GIL) and threading's names. The reader refuses (NULL, @why set) what it cannot read
 * or does not know. */
#define PY_MAX_FRAMES 16

typedef struct
{
  guint64  tstate, ident;
  gint64   tid;
  gboolean holds_gil;
  guint    n_frames;
  guint    frames[PY_MAX_FRAMES];     /* innermost first */
} PyThreadSample;

PyReader *il_pystack_reader_new         (int pid, guint64 runtime, char **why);
void      il_pystack_reader_free        (PyReader *r);
int       il_pystack_reader_get_minor   (PyReader *r);
/* @stacks NULL: no frames read. */
gboolean  il_pystack_sample             (PyReader *r, IlTraceStacks *stacks, GArray *out, char **why);
void      il_pystack_forget_codes       (PyReader *r, gint64 now);
gboolean  il_pystack_read_names         (PyReader *r, GHashTable *names);
char     *il_pystack_read_process_name  (PyReader *r);

/* il-program-stacks.c: the sampler: every STACK_NS, each Python process's threads. A multiple of
 * both captures' ticks (REASON_NS, IL_PROGRAM_SAMPLE_NS), so every interval is the same: 5 ms on
 * 2 ms ticks was 6 (167 Hz), or 4 and 6 by turns, and a function's time is its samples times
 * their median interval. */
#define STACK_NS G_GINT64_CONSTANT (4000000)
void      il_program_stacks_init        (IlProgram *self);
void      il_program_stacks_sample      (IlProgram *self, gint64 now);
void      il_program_stacks_forget_proc (Proc *p);
/* @p was confirmed as the program's: the samples held since it started go into the store (or,
 * @keep FALSE, it was dropped: they go). */
void      il_program_stacks_settle_proc (IlProgram *self, Proc *p, gboolean keep);
void      il_program_stacks_finish      (IlProgram *self, IlRunTrace *trace);
void      il_program_stacks_free        (IlProgram *self);

/* il-program-wait.c: what a blocked thread waits on (a CODE, or NO_REASON), the samples of it,
 * and the state of a blocked stretch from them. */
guint8    il_program_read_block_reason  (IlProgram *self, Thread *th, gint64 now);
void      il_program_note_reason        (Thread *th, gint64 t, guint8 code);
guint8    il_program_blocked_state_between (Thread *th, gint64 a, gint64 b);
void      il_program_prune_reasons      (Thread *th, gint64 before);

/* il-program-tree.c: processes and threads. */
char     *il_program_read_cmdline       (int pid);
void      il_program_read_comm          (int pid, int tid, char comm[16]);
Proc     *il_program_get_proc           (IlProgram *self, int pid, int ppid, gint64 t);
void      il_program_proc_free          (gpointer data);
Thread   *il_program_get_thread         (IlProgram *self, int pid, int tid, gint64 t);
void      il_program_thread_free        (gpointer data);
void      il_program_thread_close_files (Thread *th);
void      il_program_resolve_processes  (IlProgram *self, gint64 now);
void      il_program_proc_exec          (IlProgram *self, Proc *p, gint64 t);
gboolean  il_program_scan_children      (IlProgram *self, gint64 now);
void      il_program_sampled_scan       (IlProgram *self, gint64 now);
void      il_program_scan_tasks_soon    (IlProgram *self, gint64 now);
void      il_program_kill_tree          (IlProgram *self, int sig);
gboolean  il_program_mark_alive         (IlProgram *self);
void      il_program_drop_late_launcher_helpers (IlProgram *self);
void      il_program_fold_waiting_launchers (IlRunTrace *trace);

/* il-program-watch.c: the watcher, the program's parent and a subreaper of its tree. */
gboolean  il_program_spawn              (IlProgram *self, int out_out, int err_out, GError **error);
gboolean  il_program_watch_ended        (IlProgram *self);
int       il_program_watch_reap         (IlProgram *self);
void      il_program_watch_kill         (IlProgram *self);
void      il_program_release_watcher    (IlProgram *self, gboolean kill_all);

/* il-program-output.c: the program's stdout or stderr passed through, kept (bounded). */
IlProgramOutput *il_program_output_new  (int fd, int pass_fd);
void      il_program_output_settle      (IlProgramOutput *self, gint64 timeout_us);
void      il_program_output_store       (IlProgramOutput *self, IlRunTrace *trace, IlOutputStream stream);
char     *il_program_output_get_tail    (IlProgramOutput *self, guint max_lines);
void      il_program_output_free        (IlProgramOutput *self);

/* il-program-perf.c: the kernel capture. */
void      il_program_perf_process       (IlProgram *self, gint64 horizon);
gboolean  il_program_perf_setup         (IlProgram *self, GError **error);
void      il_program_perf_teardown      (IlProgram *self);
void      il_program_perf_sample_reasons (IlProgram *self, gint64 now);

/* il-program-sampled.c: the sampled capture. */
gboolean  il_program_parse_stat         (const char *buf, char *state, int *cpu, int *ppid);
gboolean  il_program_parse_sched        (const char *buf, gint64 *exec_start, gint64 *runtime,
                                         gint64 *switches);
void      il_program_sampled_prepare    (IlProgram *self);
void      il_program_wait               (IlProgram *self, gint64 until);
void      il_program_sample_all         (IlProgram *self, gint64 now, gboolean last);

/* il-program-place.c: the sampled capture's running time on the cores. */
void      il_program_place_init         (IlProgram *self);
void      il_program_place_free         (IlProgram *self);
int       il_program_place_cpu_index    (IlProgram *self, int cpu);
void      il_program_place              (IlProgram *self, gint64 tick);

/* il-program-lanes.c: notes and spans to the owner. */
void      il_program_post_note          (IlProgram *self, Note *note);
void      il_program_announce_process   (IlProgram *self, Proc *p);
void      il_program_push_span          (IlProgram *self, const IlSpan *span);
void      il_program_thread_announce    (IlProgram *self, Thread *th);
void      il_program_push_undrawn       (IlProgram *self, const IlSpan *span);
void      il_program_post_lost          (IlProgram *self, int cpu, gint64 start, gint64 end,
                                         guint64 records);
void      il_program_flush_open         (IlProgram *self, Thread *th);
void      il_program_emit               (IlProgram *self, Thread *th, guint8 code, int cpu,
                                         gint64 start, gint64 end);

G_END_DECLS
