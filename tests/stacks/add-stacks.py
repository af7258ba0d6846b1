#!/usr/bin/env python3
# add-stacks.py: gives a recorded trace v1 file of tests/stacks/worker.py the "stacks" member a sampler would have written.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Until the stack sampler records them, the tests need a real trace with plausible stacks: this
# samples each lane every INTERVAL from its own spans (running or ready: on CPU; the thread
# running first at a time holds the GIL) and gives each thread the stack worker.py has there.
# Usage: add-stacks.py IN.json OUT.json
import bisect
import json
import sys

INTERVAL = 5_000_000
FILE = '/tmp/worker.py'
THREADING = '/usr/lib/python3.11/threading.py'

src, dst = sys.argv[1], sys.argv[2]
doc = json.load(open(src))
run = doc['runs'][0]
cols = {name: i for i, name in enumerate(run['spans_columns'])}
lanes = {}
for row in run['spans']:
    lanes.setdefault(row[cols['worker']], []).append(
        (row[cols['start_ns']], row[cols['end_ns']], row[cols['state']]))
end = max(e for spans in lanes.values() for _, e, _ in spans)

frames = [['<module>', FILE, 20], ['join', THREADING, 1112], ['_wait_for_tstate_lock', THREADING, 1132],
          ['_bootstrap', THREADING, 995], ['run', THREADING, 975], ['step', FILE, 10],
          ['compute', FILE, 6], ['reader', FILE, 14], ['compute', FILE, 5]]
stacks = [[2, 1, 0],             # main: joining
          [6, 5, 4, 3],          # a cruncher in compute()
          [8, 5, 7, 4, 3],       # the reader in compute() (another line)
          [7, 4, 3],             # the reader sleeping in reader()
          [0]]                   # main: starting the threads

def state_at(spans, t):
    i = bisect.bisect_right([s for s, _, _ in spans], t) - 1
    return spans[i][2] if i >= 0 and spans[i][1] > t else None

threads = []
workers = run['workers']
# The GIL stays with the thread that ran last until it drops it: a holder the kernel preempted
# (ready) still holds it, and the others wait.
holder_at = {}
for t in range(INTERVAL, end, INTERVAL):
    last = None
    for w in sorted(lanes):
        if w == 0:
            continue
        ran = [s for s, e, state in lanes[w] if state == 'running' and s <= t]
        if ran and state_at(lanes[w], t) in ('running', 'ready') and (last is None or ran[-1] > last[0]):
            last = (ran[-1], w)
    if last is not None:
        holder_at[t] = last[1]
for w in sorted(lanes):
    samples = []
    for t in range(INTERVAL, end, INTERVAL):
        state = state_at(lanes[w], t)
        if state is None:
            continue
        on_cpu = state in ('running', 'ready')
        if w == 0:
            stack = 4 if on_cpu else 0
        elif w == len(workers) - 1:
            stack = 2 if state in ('running', 'ready', 'gil-wait') else 3
        else:
            stack = 1
        samples += [t, stack, (1 if on_cpu else 0) | (2 if holder_at.get(t) == w else 0)]
    threads.append({'pid': workers[w]['pid'], 'tid': workers[w]['tid'], 'samples': samples})
run['stacks'] = {'interval_ns': INTERVAL,
                 'frames': {'columns': ['function', 'file', 'line'], 'rows': frames},
                 'stacks': stacks, 'threads': threads}
names = ['MainThread', 'cruncher-0', 'cruncher-1', 'reader']
for w, name in zip(workers, names):
    w['name'] = name
# The recording's command and paths are this machine's: a fixture says what it is.
run['processes'][0]['command'] = 'python3 worker.py'
run['label'] = 'python3 worker.py'
run['config']['command'] = ['python3', 'worker.py']
json.dump(doc, open(dst, 'w'), separators=(',', ':'))
