# SPDX-License-Identifier: GPL-3.0-or-later
"""Interleave lesson program: the same waits as coroutines on one asyncio event loop: one thread,
the loop sleeps in epoll until the next timer is due.

Usage: io_asyncio.py [TASKS] [WAITS] [SECONDS].
"""
import asyncio
import sys

TASKS = int(sys.argv[1]) if len(sys.argv) > 1 else 4
WAITS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05


async def wait_a_lot():
    for _ in range(WAITS):
        await asyncio.sleep(SECONDS)


async def main():
    await asyncio.gather(*(wait_a_lot() for _ in range(TASKS)))


asyncio.run(main())
print(f"{TASKS} coroutines waited {WAITS} × {SECONDS} s each")
