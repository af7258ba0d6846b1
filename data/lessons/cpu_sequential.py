# SPDX-License-Identifier: GPL-3.0-or-later
"""Interleave lesson program: the same CPU-bound work one chunk after the other, on one thread.

Usage: cpu_sequential.py [CHUNKS] [LOOPS].
"""
import sys


def work(loops):
    # The same function as in cpu_threads.py and cpu_processes.py: local variables, same speed.
    total = 0
    for i in range(loops):
        total += i * i
    return total


chunks = int(sys.argv[1]) if len(sys.argv) > 1 else 4
loops = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000_000
for _ in range(chunks):
    work(loops)
print(f"counted {chunks} × {loops:,} on one thread")
