#!/usr/bin/env python3
# make-browser-like.py: writes a browser-like Chrome trace: a dense, deeply nested main thread, many threads, async tracks and a long tail.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: make-browser-like.py OUT.json [EVENTS]

Deterministic (a fixed seed), about EVENTS events (default 200 000): a renderer main thread of
back-to-back tasks nested up to 12 deep (X events and B/E pairs, written out of order in
places), 60 worker threads of short shallow tasks, a compositor thread, nestable async
requests (b/e with id2) and legacy async (S/F), and a long tail: a few threads that wake rarely
over ten times the dense part's length."""

import json
import random
import sys

out = sys.argv[1]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
rng = random.Random(18)
events = []
PID = 4100


def meta(tid, name):
    events.append({"ph": "M", "name": "thread_name", "pid": PID, "tid": tid, "args": {"name": name}})


def nest(tid, ts, dur, depth, max_depth, use_be):
    """A slice and children inside it, back to back with gaps."""
    name = f"Task{depth}.{rng.randrange(40)}"
    if use_be and rng.random() < 0.3:
        events.append({"ph": "B", "name": name, "pid": PID, "tid": tid, "ts": ts, "cat": "toplevel"})
        events.append({"ph": "E", "pid": PID, "tid": tid, "ts": ts + dur, "cat": "toplevel"})
    else:
        events.append({"ph": "X", "name": name, "pid": PID, "tid": tid, "ts": ts, "dur": dur,
                       "cat": "toplevel"})
    if depth >= max_depth or dur < 4:
        return
    t = ts + rng.randrange(1, max(2, dur // 8))
    while t < ts + dur - 2 and len(events) < target:
        d = rng.randrange(1, max(2, (ts + dur - t) // 2))
        nest(tid, t, d, depth + 1, max_depth, use_be)
        t += d + rng.randrange(1, 3)


events.append({"ph": "M", "name": "process_name", "pid": PID, "tid": 0, "args": {"name": "Renderer"}})
meta(1, "CrRendererMain")
meta(2, "Compositor")
t = 1000
while len(events) < target * 0.55:
    d = rng.randrange(50, 4000)
    nest(1, t, d, 0, 12, True)
    t += d + rng.randrange(0, 20)
dense_end = t
for tid in range(3, 63):
    meta(tid, f"ThreadPoolForegroundWorker{tid}")
    t = 1000 + rng.randrange(0, 500)
    budget = len(events) + int(target * 0.35 / 60)
    while t < dense_end and len(events) < budget:
        d = rng.randrange(5, 300)
        nest(tid, t, d, 0, 2, False)
        t += d + rng.randrange(100, 3000)
t = 1000
while t < dense_end:
    d = rng.randrange(200, 900)
    nest(2, t, d, 0, 3, False)
    t += d + 16000
# Async: network requests (nestable, id2) and legacy S/F.
for i in range(300):
    s = rng.randrange(1000, dense_end)
    d = rng.randrange(100, 50000)
    ident = {"local": hex(0x1000 + i)}
    events.append({"ph": "b", "name": "ResourceLoad", "cat": "loading", "id2": ident, "pid": PID,
                   "tid": 1, "ts": s})
    events.append({"ph": "b", "name": "Connect", "cat": "loading", "id2": ident, "pid": PID,
                   "tid": 3, "ts": s + 10})
    events.append({"ph": "e", "name": "Connect", "cat": "loading", "id2": ident, "pid": PID,
                   "tid": 3, "ts": s + 10 + d // 3})
    events.append({"ph": "e", "name": "ResourceLoad", "cat": "loading", "id2": ident, "pid": PID,
                   "tid": 1, "ts": s + d})
for i in range(50):
    s = rng.randrange(1000, dense_end)
    events.append({"ph": "S", "name": "Animation", "cat": "blink", "id": 500 + i, "pid": PID,
                   "tid": 1, "ts": s})
    events.append({"ph": "F", "name": "Animation", "cat": "blink", "id": 500 + i, "pid": PID,
                   "tid": 1, "ts": s + rng.randrange(1000, 100000)})
# The long tail.
for tid in range(63, 66):
    meta(tid, f"TailThread{tid}")
    t = dense_end
    for _ in range(40):
        t += rng.randrange(dense_end // 50, dense_end // 4)
        nest(tid, t, rng.randrange(10, 200), 0, 2, False)
# Not sorted: the viewers sort per thread; so must Interleave.
rng.shuffle(events[len(events) // 2:])
with open(out, "w") as f:
    json.dump({"traceEvents": events, "displayTimeUnit": "ms"}, f, separators=(",", ":"))
