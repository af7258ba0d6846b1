#!/usr/bin/env python3
# bench-producers.py: per real producer's trace, events read, slices drawn, nesting depth kept, and time and peak memory to open and to render.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: bench-producers.py INTERLEAVE-CLI TRACE-DIR [PRODUCER …]

TRACE-DIR holds the producers' files as tests/producers/run-producers.sh leaves them
(clang.json, cmake.json, node.json, chromium.json, browser-like.json). For each, prints a row:
- events: the file's events (json.load, not Interleave's reader);
- slices: the slices Interleave kept (tasks of the import), drawn: those of them with a length
  (spans in lanes; zero-length slices are tasks without a span);
- depth: the deepest nesting in the file (a stack over each thread's slices, here in Python)
  and the rows Interleave gave that thread (rows in the Chrome export's trace v1 header);
- open: `render FILE --summary` (read, build lanes, summary), render: `render FILE --png` at
  1920×1080; seconds of wall time and peak RSS from /usr/bin/time -v.
Never asserts a timing (a benchmark prints, the producers test checks)."""

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

# The producers test's reader of Chrome files (json, independent of Interleave's); no
# __pycache__ left in the source tree.
sys.dont_write_bytecode = True
spec = importlib.util.spec_from_file_location(
    'compare_chrome', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'producers',
                                   'compare-chrome.py'))
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)


def timed(argv):
    """Wall seconds and peak RSS (MB) of @argv under /usr/bin/time -v."""
    r = subprocess.run(['/usr/bin/time', '-v'] + argv, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f'{argv}: exit {r.returncode}\n{r.stderr[-2000:]}')
    wall = re.search(r'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)', r.stderr)
    rss = re.search(r'Maximum resident set size \(kbytes\): (\d+)', r.stderr)
    secs = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return secs, int(rss.group(1)) / 1024.0


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cli, folder = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or ['clang', 'cmake', 'node', 'chromium', 'browser-like']
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path = os.path.join(folder, name + '.json')
            if not os.path.exists(path):
                print(f'{name}: no {path}, skipped', file=sys.stderr)
                continue
            events, _ = compare.load(path)
            threads, asyncs, _ = compare.slices_of(events)
            file_depth = max((compare.max_depth(s)[0] for s in threads.values() if s), default=0)
            out = os.path.join(tmp, name + '.trace.json')
            subprocess.run([cli, 'render', path, '-q', '--chrome-trace', out], check=True)
            with open(out) as f:
                header = json.load(f)['otherData']['interleave']['runs'][0]
            rows_of = defaultdict(int)
            for w in header['workers']:
                if not w.get('async'):
                    rows_of[(w['pid'], w['tid'])] += 1
            kept_depth = max(rows_of.values(), default=0)
            tasks = header['tasks']
            n_tasks = len(tasks)
            drawn = sum(1 for t in tasks if t['end_ns'] > t['start_ns'])
            open_s, open_mb = timed([cli, 'render', path, '--summary'])
            png = os.path.join(tmp, name + '.png')
            draw_s, draw_mb = timed([cli, 'render', path, '-q', '--png', png, '--width', '1920',
                                     '--height', '1080'])
            rows.append((name, os.path.getsize(path) / 1e6, len(events), n_tasks, drawn,
                         file_depth, kept_depth, len(header['workers']), open_s, open_mb,
                         draw_s, draw_mb))
    head = ('producer', 'MB', 'events', 'slices', 'drawn', 'depth', 'kept', 'rows',
            'open s', 'open MB', 'render s', 'render MB')
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '|'.join('---' for _ in head) + '|')
    for r in rows:
        print(f'| {r[0]} | {r[1]:.1f} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} | {r[7]} | '
              f'{r[8]:.2f} | {r[9]:.0f} | {r[10]:.2f} | {r[11]:.0f} |')


if __name__ == '__main__':
    main()
