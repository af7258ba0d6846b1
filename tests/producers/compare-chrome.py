#!/usr/bin/env python3
# compare-chrome.py: checks that a Chrome trace came back out of Interleave with every slice (name, thread, start, duration within 1 µs) and its nesting depth.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: compare-chrome.py ORIGINAL.json[.gz] EXPORTED.json

ORIGINAL is a producer's file, EXPORTED what `interleave-cli render ORIGINAL --chrome-trace`
wrote. Independently of Interleave's reader, this reads both, forms the slices of every thread
("X", "B"/"E" matched per thread in time order) and of every async track ("b"/"e" by process,
category and id; "S"/"F" by name too), and checks that:
- each thread of ORIGINAL has a thread of the same pid and tid (or, for ids Interleave makes up,
  of the same name) in EXPORTED holding the same slices: same names, starts and durations within
  1 µs (an unfinished "B" ends at its thread's last event, as Interleave documents);
- each process's async slices are found under its "async: …" threads;
- the deepest nesting of each thread is the same in both, and EXPORTED's own header (the trace v1
  copy in otherData) has as many rows for the thread as ORIGINAL's depth needs.
Prints one line of figures; exits 1 with the differences otherwise."""

import gzip
import json
import sys
from collections import defaultdict

TOL_US = 1.0


def load(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    text = data.decode('utf-8').rstrip()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        # The array form may lack its closing bracket (clang and Chrome write it whole, but the
        # format allows it).
        doc = json.loads(text.rstrip(',') + ']')
    if isinstance(doc, dict):
        return doc.get('traceEvents', []), doc.get('otherData', {})
    return doc, {}


def num(v):
    return float(v)


def slices_of(events):
    """Thread slices {(pid, tid): [(name, ts, dur or None)]}, async slices {pid: [...]},
    thread names {(pid, tid): name}."""
    threads = defaultdict(list)
    marks = defaultdict(list)
    async_marks = defaultdict(list)
    names = {}
    last = defaultdict(float)
    for order, e in enumerate(events):
        ph = e.get('ph')
        key = (e.get('pid'), e.get('tid'))
        if ph == 'M':
            if e.get('name') == 'thread_name':
                names[key] = e.get('args', {}).get('name')
            continue
        if 'ts' in e and ph in ('X', 'B', 'E', 'i', 'I', 'n'):
            end = num(e['ts']) + (num(e.get('dur', 0)) if ph == 'X' else 0)
            last[key] = max(last[key], end)
        if ph == 'X':
            threads[key].append((e.get('name', ''), num(e['ts']), num(e.get('dur', 0))))
        elif ph in ('B', 'E'):
            marks[key].append((num(e['ts']), order, ph, e.get('name', '')))
        elif ph in ('b', 'e', 'S', 'F'):
            legacy = ph in ('S', 'F')
            ident = e.get('id', e.get('id2'))
            akey = (e.get('pid'), e.get('cat', ''), json.dumps(ident, sort_keys=True),
                    e.get('name', '') if legacy else '', legacy)
            async_marks[akey].append((num(e['ts']), order, 'B' if ph in ('b', 'S') else 'E',
                                      e.get('name', '')))
    for key, ms in marks.items():
        threads[key].extend(match(ms, last[key]))
    asyncs = defaultdict(list)
    for akey, ms in async_marks.items():
        asyncs[akey[0]].extend(match(ms, max((m[0] for m in ms), default=0)))
    return threads, asyncs, names


def match(ms, last):
    """B/E in time order (file order among equal times), each E closing the innermost B."""
    out, open_ = [], []
    for ts, _, ph, name in sorted(ms):
        if ph == 'B':
            open_.append((ts, name))
        elif open_:
            b_ts, b_name = open_.pop()
            out.append((b_name, b_ts, ts - b_ts))
    for b_ts, b_name in open_:
        # Unfinished: it ends at its thread's (or track's) last event, as Interleave says.
        out.append((b_name, b_ts, max(last - b_ts, 0)))
    return out


def max_depth(slices):
    """Deepest nesting: outer first (earlier start, then longer), a stack of open ends. Also
    whether a slice outlives the one it starts in (not properly nested)."""
    stack, deepest, bad = [], 0, False
    for _, ts, dur in sorted(slices, key=lambda s: (s[1], -s[2])):
        end = ts + dur
        while stack and stack[-1] <= ts:
            stack.pop()
        bad = bad or (stack and end > stack[-1])
        stack.append(end)
        deepest = max(deepest, len(stack))
    return deepest, bad


def same_slices(a, b):
    """Every slice of a in b and back (name, start, duration within TOL_US). Returns a
    description of the first difference, or None."""
    if len(a) != len(b):
        return f'{len(a)} slices, exported {len(b)}'
    key = lambda s: (s[0], round(s[1]), round(s[2]), s[1], s[2])
    for x, y in zip(sorted(a, key=key), sorted(b, key=key)):
        if x[0] != y[0] or abs(x[1] - y[1]) > TOL_US or abs(x[2] - y[2]) > TOL_US:
            return f'{x} exported as {y}'
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    orig_events, _ = load(sys.argv[1])
    exp_events, other = load(sys.argv[2])
    o_threads, o_async, o_names = slices_of(orig_events)
    exp_events = [e for e in exp_events if ',core' not in str(e.get('cat', ''))]
    e_threads, _, e_names = slices_of(exp_events)
    errors = []

    # Exported threads: the async ones apart, the others by pid and tid, else by name.
    e_async = defaultdict(list)
    by_name = defaultdict(list)
    for key, sl in e_threads.items():
        name = e_names.get(key) or ''
        if name.startswith('async: '):
            e_async[key[0]].extend(sl)
        else:
            by_name[name].append(key)
    used = set()
    depths = {}
    n_slices = deepest = 0
    for key, sl in o_threads.items():
        if not sl:
            continue
        n_slices += len(sl)
        target = key if key in e_threads and not (e_names.get(key) or '').startswith('async: ') \
            else None
        if target is None:
            name = o_names.get(key) or (key[1] if isinstance(key[1], str) else f'thread {key[1]}')
            cands = [k for k in by_name.get(name, []) if k not in used]
            target = cands[0] if len(cands) == 1 else None
        if target is None:
            errors.append(f'thread {key}: not found in the export')
            continue
        used.add(target)
        diff = same_slices(sl, e_threads[target])
        if diff:
            errors.append(f'thread {key}: {diff}')
        (d_o, bad), (d_e, _) = max_depth(sl), max_depth(e_threads[target])
        deepest = max(deepest, d_o)
        if d_o != d_e:
            errors.append(f'thread {key}: nesting {d_o} deep, exported {d_e}')
        depths[key] = (d_o, bad)
    n_async = 0
    for pid, sl in o_async.items():
        n_async += len(sl)
        diff = same_slices(sl, e_async.get(pid, []))
        if diff:
            errors.append(f'async slices of pid {pid}: {diff}')

    # The header's rows: as many per thread as its depth needs, at most (a bad file's overlapping
    # slice takes one more).
    rows = 0
    for run in other.get('interleave', {}).get('runs', []):
        workers = run.get('workers', [])
        rows = len(workers)
        per_thread = defaultdict(int)
        for w in workers:
            if not w.get('async'):
                per_thread[(w['pid'], w['tid'])] += 1
        for key, (depth, bad) in depths.items():
            if not all(isinstance(k, int) and k > 0 for k in key) or key not in per_thread:
                continue   # ids the reader replaced; matched by name above
            n = per_thread[key]
            if n < depth or (n != depth and not bad):
                errors.append(f'thread {key}: {n} rows for nesting {depth} deep')
    if not other.get('interleave'):
        errors.append('the export has no otherData.interleave header')
    print(f'{n_slices} thread slices in {sum(1 for s in o_threads.values() if s)} threads, '
          f'{n_async} async slices, deepest nesting {deepest}, {rows} rows: '
          + ('all kept' if not errors else f'{len(errors)} differences'))
    for e in errors[:20]:
        print('  ' + e)
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
