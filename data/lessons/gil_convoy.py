# SPDX-License-Identifier: GPL-3.0-or-later
"""Interleave lesson program: the GIL convoy: one thread does many short I/O waits while CPU-bound
threads compute; after each wait it must get the GIL back, and waits up to the switch interval.

Usage: gil_convoy.py [CPU_THREADS] [WAITS] [LOOPS].
"""
import ctypes
import sys
import threading
import time

CPU_THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
WAITS = int(sys.argv[2]) if len(sys.argv) > 2 else 100
LOOPS = int(sys.argv[3]) if len(sys.argv) > 3 else 3_000_000
done = threading.Event()


def name_os_thread():
    """Gives this OS thread its threading name, which tools such as Interleave, top -H and ps -L
    show (CPython 3.14 does it by itself; earlier versions leave every thread named python3)."""
    try:
        libc = ctypes.CDLL(None)
        libc.pthread_setname_np(ctypes.c_ulong(threading.get_ident()),
                                threading.current_thread().name.encode()[:15])
    except (OSError, AttributeError):
        pass


def compute():
    name_os_thread()
    total = 0
    i = 0
    while not done.is_set() and i < LOOPS:
        total += i * i
        i += 1


def io_bound():
    name_os_thread()
    start = time.perf_counter()
    for _ in range(WAITS):
        time.sleep(0.001)
    took = time.perf_counter() - start
    done.set()
    print(f"{WAITS} waits of 1 ms took {took * 1000:.0f} ms")


threads = [threading.Thread(target=compute, name=f"cpu-{i}") for i in range(CPU_THREADS)]
threads.append(threading.Thread(target=io_bound, name="io"))
for t in threads:
    t.start()
for t in threads:
    t.join()
