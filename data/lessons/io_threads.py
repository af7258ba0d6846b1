"""Interleave lesson program: I/O-like waits (time.sleep) on threads: a sleeping thread releases the
GIL, so the waits overlap even though only one thread may run Python at a time.

Usage: io_threads.py [THREADS] [WAITS] [SECONDS].
"""
import sys
import threading
import time

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 4
WAITS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05


def wait_a_lot():
    for _ in range(WAITS):
        time.sleep(SECONDS)


threads = [threading.Thread(target=wait_a_lot, name=f"io-{i}") for i in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{THREADS} threads waited {WAITS} × {SECONDS} s each")
