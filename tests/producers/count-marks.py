#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Counts what a Chrome Trace Event file says beyond slices, the way docs/trace-format.md says
# Interleave reads it, but on its own (json and Python only): instants ("i"/"I"), counter series
# (process, name with its id, numeric member) and their values, and flow arrows (steps "s"/"t"/"f"
# matched by category, name and id, or "bind_id" on slices; in time order; a start nothing
# continued counts as one open arrow, steps without a start none).
# Usage: count-marks.py FILE [--events-only]  →  "instants N\ncounters S P\nflows F"
import gzip
import json
import sys


def load(path):
    opener = gzip.open if open(path, 'rb').read(2) == b'\x1f\x8b' else open
    with opener(path, 'rt', encoding='utf-8') as f:
        doc = json.load(f)
    return doc['traceEvents'] if isinstance(doc, dict) else doc


def compact(value):
    return json.dumps(value, separators=(',', ':'), ensure_ascii=False)


def raw_id(value):
    return value if isinstance(value, str) else compact(value)


def number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def main():
    events = load(sys.argv[1])
    instants = 0
    series = {}
    steps = []
    for order, e in enumerate(events):
        ph = e.get('ph')
        if 'ts' not in e:
            continue
        if ph in ('i', 'I'):
            instants += 1
        elif ph == 'C' and isinstance(e.get('args'), dict):
            name = e.get('name', '')
            ident = e.get('id', e.get('id2'))
            if ident is not None:
                name = '%s %s' % (name, raw_id(ident))
            for key, value in e['args'].items():
                v = number(value)
                if v is not None and v == v and abs(v) != float('inf'):
                    k = (str(e.get('pid')), name, key)
                    series[k] = series.get(k, 0) + 1
        elif ph in ('s', 't', 'f'):
            ident = e.get('id', e.get('id2'))
            if ident is not None:
                steps.append((('v1', e.get('cat', ''), e.get('name', ''), raw_id(ident)), e['ts'], order, ph))
        if ph in ('X', 'B') and 'bind_id' in e and (e.get('flow_in') is True or e.get('flow_out') is True):
            i, o = e.get('flow_in') is True, e.get('flow_out') is True
            steps.append((('v2', raw_id(e['bind_id'])), e['ts'], order, 't' if i and o else 's' if o else 'f'))
    arrows = 0
    groups = {}
    for st in steps:
        groups.setdefault(st[0], []).append(st)
    for group in groups.values():
        group.sort(key=lambda st: (st[1], st[2]))
        open_step, continued = None, False
        for st in group:
            if st[3] == 's':
                if open_step is not None and not continued:
                    arrows += 1
                open_step, continued = st, False
                continue
            if open_step is None:
                continue
            arrows += 1
            continued = True
            open_step = st if st[3] == 't' else None
        if open_step is not None and not continued:
            arrows += 1
    print('instants %d' % instants)
    print('counters %d %d' % (len(series), sum(series.values())))
    print('flows %d' % arrows)


main()
