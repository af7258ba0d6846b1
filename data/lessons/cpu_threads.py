# SPDX-License-Identifier: GPL-3.0-or-later
"""Interleave lesson program: CPU-bound work on threading.Thread: the GIL lets one run at a time.

Usage: cpu_threads.py [THREADS] [LOOPS]. Each thread counts LOOPS times through a pure-Python
loop. Writes each thread's own CPU time (from /proc/thread-self/schedstat) to the file named by
$INTERLEAVE_SCHEDSTAT, if set, so a test can compare it with the trace.
"""
import os
import ctypes
import sys
import threading
import time

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 4
LOOPS = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000_000
report = []


def schedstat_run_ns():
    # The kernel brings a running thread's counter up to date when it leaves the CPU (or at the
    # next tick): sleep a moment first, so the figure is exact.
    time.sleep(0.002)
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[0])
    except OSError:
        return -1


def name_os_thread():
    """Gives this OS thread its threading name, which tools such as Interleave, top -H and ps -L
    show (CPython 3.14 does it by itself; earlier versions leave every thread named python3)."""
    try:
        libc = ctypes.CDLL(None)
        libc.pthread_setname_np(ctypes.c_ulong(threading.get_ident()),
                                threading.current_thread().name.encode()[:15])
    except (OSError, AttributeError):
        pass


def work(loops):
    name_os_thread()
    total = 0
    for i in range(loops):
        total += i * i
    if os.environ.get("INTERLEAVE_SCHEDSTAT"):
        report.append((threading.get_native_id(), schedstat_run_ns()))
    return total


threads = [threading.Thread(target=work, args=(LOOPS,), name=f"cpu-{i}") for i in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{THREADS} threads counted to {LOOPS:,} each")
out = os.environ.get("INTERLEAVE_SCHEDSTAT")
if out:
    with open(out, "w") as f:
        for tid, run in report:
            f.write(f"{tid} {run}\n")
