# SPDX-License-Identifier: GPL-3.0-or-later
"""Interleave lesson program: I/O-like waits (time.sleep) on threads: a sleeping thread releases the
GIL, so the waits overlap even though only one thread may run Python at a time.

Usage: io_threads.py [THREADS] [WAITS] [SECONDS].
"""
import ctypes
import sys
import threading
import time

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 4
WAITS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05


def name_os_thread():
    """Gives this OS thread its threading name, which tools such as Interleave, top -H and ps -L
    show (CPython 3.14 does it by itself; earlier versions leave every thread named python3)."""
    try:
        libc = ctypes.CDLL(None)
        libc.pthread_setname_np(ctypes.c_ulong(threading.get_ident()),
                                threading.current_thread().name.encode()[:15])
    except (OSError, AttributeError):
        pass


def wait_a_lot():
    name_os_thread()
    for _ in range(WAITS):
        time.sleep(SECONDS)


threads = [threading.Thread(target=wait_a_lot, name=f"io-{i}") for i in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{THREADS} threads waited {WAITS} × {SECONDS} s each")
