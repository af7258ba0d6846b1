/* il-no-perf.c: runs a command where the kernel refuses perf_event_open (EACCES), as with
 * perf_event_paranoid 3 or 4, so tests exercise the real refusal path; with --no-process-vm-readv
 * also process_vm_readv (EPERM, as a container's seccomp profile may), so the Python reader's
 * /proc/PID/mem door is used. Usage: il-no-perf [--no-process-vm-readv] CMD [ARG…] */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define IL_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define IL_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define IL_AUDIT_ARCH AUDIT_ARCH_I386
#endif

int
main (int argc, char **argv)
{
#ifdef IL_AUDIT_ARCH
  /* Every other system call is allowed; one of another architecture's ABI is refused outright. */
  struct sock_filter filter[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, IL_AUDIT_ARCH, 1, 0),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_perf_event_open, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
    /* Patched to a system call no program makes (-1) unless asked to refuse it. */
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { (unsigned short) (sizeof filter / sizeof filter[0]), filter };
#endif
  int first = 1;

  if (argc > 1 && strcmp (argv[1], "--no-process-vm-readv") == 0)
    first = 2;
  if (argc <= first)
    {
      fprintf (stderr, "usage: %s [--no-process-vm-readv] COMMAND [ARG…]\n", argv[0]);
      return 2;
    }
#ifdef IL_AUDIT_ARCH
  if (first == 1)
    filter[6].k = (unsigned int) -1;
  /* Unprivileged processes may install a filter only once they can gain no privileges. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
    {
      fprintf (stderr, "%s: cannot install the seccomp filter: %s\n", argv[0], strerror (errno));
      return 1;
    }
#else
  fprintf (stderr, "%s: no seccomp filter for this architecture\n", argv[0]);
  return 77;
#endif
  execvp (argv[first], argv + first);
  fprintf (stderr, "%s: %s: %s\n", argv[0], argv[first], strerror (errno));
  return 127;
}
