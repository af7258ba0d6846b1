# SPDX-License-Identifier: GPL-3.0-or-later
"""Interleave lesson program: the same CPU-bound work on multiprocessing.Pool: each process has its
own interpreter and GIL, so they compute in parallel on the cores.

Usage: cpu_processes.py [PROCESSES] [CHUNKS] [LOOPS].
"""
import multiprocessing
import sys


def work(loops):
    total = 0
    for i in range(loops):
        total += i * i
    return total


if __name__ == "__main__":
    procs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    chunks = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    loops = int(sys.argv[3]) if len(sys.argv) > 3 else 3_000_000
    with multiprocessing.Pool(procs) as pool:
        pool.map(work, [loops] * chunks, chunksize=1)
    print(f"{procs} processes counted {chunks} × {loops:,}")
