/* il-perf.c: the perf_event_open attributes of a context-switch stream (see il-perf.h). */
#include "config.h"

#include <string.h>
#include <time.h>

#include "il-perf.h"

void
il_perf_switch_attr_init (struct perf_event_attr *attr)
{
  g_return_if_fail (attr != NULL);

  memset (attr, 0, sizeof *attr);
  attr->size = sizeof *attr;
  attr->type = PERF_TYPE_SOFTWARE;
  attr->config = PERF_COUNT_SW_DUMMY;
  attr->sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
  attr->sample_id_all = 1;
  attr->context_switch = 1;
  attr->use_clockid = 1;
  attr->clockid = CLOCK_MONOTONIC;
  /* Unprivileged users (perf_event_paranoid 2) may only observe user space. */
  attr->exclude_kernel = 1;
  attr->exclude_hv = 1;
}
