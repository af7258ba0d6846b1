/* il-capture-words.c: the one description of the captures (see il-capture-words.h). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-capture-words.h"

static const char *
summary_words (IlCaptureKind capture)
{
  switch (capture)
    {
    case IL_CAPTURE_KERNEL:
      return _("Scheduling was recorded by the kernel (context-switch events): the times each "
               "worker went on and off a core, and which core, are exact.");
    case IL_CAPTURE_SELF:
      return _("The kernel did not allow recording context switches, so the workers observed "
               "themselves: the core comes from sched_getcpu() and time off the core from gaps "
               "in their work loop. Short interruptions may be missed.");
    case IL_CAPTURE_SAMPLED:
      return _("The kernel did not allow recording context switches, so each thread's state "
               "and its time on a core and in the run queue were sampled from /proc every 1 ms: "
               "each thread's times are the kernel's own, exact to about 1 ms, but where on the "
               "cores they fall is placed by estimate (never two threads on one core, never more "
               "running than cores), and waits shorter than 1 ms may be missed.");
    case IL_CAPTURE_AUTO:
    case IL_N_CAPTURES:
    default:
      return _("Not yet known: the run has not started recording.");
    }
}

static const char *
header_words (IlCaptureKind capture)
{
  switch (capture)
    {
    case IL_CAPTURE_KERNEL:
      return _("captured from kernel context switches");
    case IL_CAPTURE_SELF:
      return _("self-reported by the workers");
    case IL_CAPTURE_SAMPLED:
      return _("sampled every 1 ms, placement on cores estimated");
    case IL_CAPTURE_AUTO:
    case IL_N_CAPTURES:
    default:
      return NULL;
    }
}

/* Only an estimate must stay said however narrow the header: where the cores' lanes are not the
 * kernel's record. */
static const char *
header_brief_words (IlCaptureKind capture)
{
  return capture == IL_CAPTURE_SAMPLED ? _("placement estimated") : NULL;
}

static const char *
report_words (IlCaptureKind capture)
{
  switch (capture)
    {
    case IL_CAPTURE_KERNEL: return _("kernel context switches (exact)");
    case IL_CAPTURE_SELF: return _("the workers’ own clocks (self capture)");
    default: return il_capture_to_string (capture);
    }
}

static const char *
cli_words (IlCaptureKind capture)
{
  switch (capture)
    {
    case IL_CAPTURE_KERNEL:
      return _("kernel (context switches recorded by perf_event_open: exact CPUs and ready time)");
    case IL_CAPTURE_SELF:
      return _("self (workers stamped their own spans; off-CPU gaps detected in the work loop)");
    case IL_CAPTURE_SAMPLED:
      return _("sampled every 1 ms from /proc (the kernel refused context-switch records)");
    case IL_CAPTURE_AUTO:
    case IL_N_CAPTURES:
    default:
      return _("automatic");
    }
}

const char *
il_capture_describe (IlCaptureKind  capture,
                     IlCaptureWords words)
{
  switch (words)
    {
    case IL_CAPTURE_WORDS_SUMMARY:
      return summary_words (capture);
    case IL_CAPTURE_WORDS_HEADER:
      return header_words (capture);
    case IL_CAPTURE_WORDS_HEADER_BRIEF:
      return header_brief_words (capture);
    case IL_CAPTURE_WORDS_REPORT:
      return report_words (capture);
    case IL_CAPTURE_WORDS_CLI:
    default:
      return cli_words (capture);
    }
}

const char *
il_capture_allow_words (void)
{
  return _("An administrator can allow the exact capture with “sudo sysctl "
           "kernel.perf_event_paranoid=2”, and keep it after a restart with “echo "
           "kernel.perf_event_paranoid=2 | sudo tee /etc/sysctl.d/60-interleave-perf.conf”.");
}
