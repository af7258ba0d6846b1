/* il-perf.c: the perf_event_open attributes of a context-switch stream (see il-perf.h). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <time.h>

#include <glib/gi18n.h>

#include "il-capture-words.h"
#include "il-perf.h"

char *
il_perf_refused_message (int saved_errno)
{
  g_autofree char *paranoid = NULL;
  g_autofree char *refused = NULL;

  g_file_get_contents ("/proc/sys/kernel/perf_event_paranoid", &paranoid, NULL, NULL);
  refused = g_strdup_printf (_("The kernel refused to record context switches (%s; "
                               "kernel.perf_event_paranoid is %s)."),
                             g_strerror (saved_errno), paranoid != NULL ? g_strstrip (paranoid) : "?");
  /* Level 2 lets a user record their own programs' user-space events, which is all we ask for:
   * the commands, in the words of every refusal. */
  return g_strdup_printf ("%s %s", refused, il_capture_allow_words ());
}

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

void
il_perf_ring_read (struct perf_event_mmap_page *page,
                   const guint8                *data,
                   gsize                        data_size,
                   IlPerfRecordFunc             func,
                   gpointer                     user_data)
{
  guint64 head, tail;
  /* Room for a record that wraps around the ring's end, aligned like the ring's records. Switch,
   * lost and task records are far smaller; a larger record is skipped. */
  guint64 scratch[64];

  g_return_if_fail (page != NULL);
  g_return_if_fail (data != NULL);
  g_return_if_fail (func != NULL);

  head = __atomic_load_n (&page->data_head, __ATOMIC_ACQUIRE);
  tail = page->data_tail;
  while (tail + sizeof (struct perf_event_header) <= head)
    {
      struct perf_event_header header;
      gsize off = tail % data_size;
      gsize first = MIN (sizeof header, data_size - off);

      memcpy (&header, data + off, first);
      memcpy ((guint8 *) &header + first, data, sizeof header - first);
      if (header.size < sizeof header || tail + header.size > head)
        break;
      if (off + header.size <= data_size)
        func ((const struct perf_event_header *) (gconstpointer) (data + off), user_data);
      else if (header.size <= sizeof scratch)
        {
          first = data_size - off;
          memcpy (scratch, data + off, first);
          memcpy ((guint8 *) scratch + first, data, header.size - first);
          func ((const struct perf_event_header *) (gconstpointer) scratch, user_data);
        }
      tail += header.size;
    }

  /* Release: the kernel may reuse the bytes only after we copied them. */
  __atomic_store_n (&page->data_tail, tail, __ATOMIC_RELEASE);
}
