# worker.py: two threads compute, one sleeps between computing; the program of tests/stacks/python-stacks.interleave.json.
# SPDX-License-Identifier: GPL-3.0-or-later
import threading, time

def compute(n):
    s = 0
    for i in range(n):
        s += i * i
    return s

def step():
    return compute(2_000_000)

def reader():
    for _ in range(6):
        time.sleep(0.03)
        step()

threads = [threading.Thread(target=step, name=f"cruncher-{i}") for i in range(2)]
threads.append(threading.Thread(target=reader, name="reader"))
for t in threads: t.start()
for t in threads: t.join()
