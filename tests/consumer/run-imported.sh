#!/bin/sh
# The consumer suite's imported files: traces that real producers write (clang -ftime-trace, 41
# levels deep here; Node.js trace events with B/E pairs and async slices; CMake's google-trace
# profile, B/E only, tid 0; Chromium's own trace of a page) and a generated browser-like one (dense,
# many threads, async tracks, out of order), each imported and exported again as a Chrome trace by
# interleave-cli render, then checked by compare-chrome.py (every slice and async slice kept) and loaded into each CHECK.mjs
# (Chrome DevTools' trace model, speedscope's importer, tracerbench's trace model), which compare
# them slice by slice and thread by thread with the producer's file (slices, their nesting, start
# and duration).
# Usage: run-imported.sh SOURCE_ROOT INTERLEAVE_CLI OUTPUT_DIR CHECK.mjs [CHECK.mjs ...]
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
src=$1 cli=$2 out=$3
shift 3
here="$src/tests/consumer"

. "$here/need-node.sh"

rm -rf "$out"
mkdir -p "$out"
producers="$src/tests/producers"
for tool in clang++ cmake python3; do
  command -v $tool >/dev/null || {
    echo "FAIL: $tool is not installed (build-aux/install-deps.sh installs it)"
    exit 1
  }
done
# Granularity 0: every template instantiation and pass, many of them zero-length or ending in the
# same microsecond as their parent, the cases consumers get wrong.
if ! clang++ -O2 -ftime-trace -ftime-trace-granularity=0 -c "$producers/heavy.cc" \
     -o "$out/clang.o" 2>"$out/clang.log" || [ ! -s "$out/clang.json" ]; then
  echo "FAIL: clang++ -ftime-trace wrote no trace (see $out/clang.log)"
  exit 1
fi
if ! (cd "$out" && "$node" --trace-events-enabled --trace-event-categories v8,node,node.async_hooks \
        --trace-event-file-pattern node.json "$producers/work.js" >/dev/null 2>node.log) ||
   [ ! -s "$out/node.json" ]; then
  echo "FAIL: node --trace-events-enabled wrote no trace (see $out/node.log)"
  exit 1
fi
if ! cmake -S "$producers" -B "$out/cmake-build" --profiling-format=google-trace \
       --profiling-output="$out/cmake.json" >"$out/cmake.log" 2>&1 || [ ! -s "$out/cmake.json" ]; then
  echo "FAIL: cmake wrote no profile (see $out/cmake.log)"
  exit 1
fi
rm -rf "$out/cmake-build"
if ! python3 "$producers/make-browser-like.py" "$out/browser-like.json" 50000 >"$out/browser-like.log" 2>&1; then
  echo "FAIL: make-browser-like.py failed (see $out/browser-like.log)"
  exit 1
fi
# Chromium's own trace of a page (as tests/producers/run-producers.sh makes it): instants whose
# args DevTools reads, 30-odd levels, many threads and async tracks.
command -v chromium >/dev/null || {
  echo "FAIL: chromium is not installed (build-aux/install-deps.sh installs it)"
  exit 1
}
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$out/chromium-profile" \
  --trace-startup='*,disabled-by-default-devtools.timeline' --trace-startup-format=json \
  --trace-startup-file="$out/chromium.json" --trace-startup-duration=3 \
  --virtual-time-budget=3000 --dump-dom "file://$producers/page.html" >/dev/null 2>"$out/chromium.log" ||
  true
rm -rf "$out/chromium-profile"
[ -s "$out/chromium.json" ] || {
  echo "FAIL: chromium wrote no trace (see $out/chromium.log)"
  exit 1
}

cd "$here" || exit 1
status=0
for name in clang node cmake browser-like chromium; do
  file="$out/$name.json"
  if ! "$cli" render "$file" --chrome-trace "$out/$name.export.json" --quiet; then
    echo "FAIL: interleave-cli render could not export $name.json"
    status=1
    continue
  fi
  if ! python3 "$producers/compare-chrome.py" "$file" "$out/$name.export.json" >"$out/$name.compare" 2>&1; then
    echo "FAIL: $name.export.json lost or changed slices:"
    sed 's/^/  /' "$out/$name.compare" | head -20
    status=1
  fi
  # The original's slices ("X", and "B"/"E" matched per thread in time order) and nesting per
  # thread, counted by python3 from the JSON alone (not by Interleave nor by the checks' own
  # JavaScript): check-devtools.mjs holds DevTools' model to these.
  if ! python3 - "$file" >"$out/$name.counts.json" <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))
events = events['traceEvents'] if isinstance(events, dict) else events
threads, marks, last = {}, {}, {}
for order, e in enumerate(events):
    key = f"{e.get('pid')}/{e.get('tid')}"
    if e.get('ph') in ('X', 'B', 'E', 'i', 'I') and 'ts' in e:
        end = e['ts'] + (e.get('dur', 0) if e['ph'] == 'X' else 0)
        last[key] = max(last.get(key, end), end)
    if e.get('ph') == 'X':
        threads.setdefault(key, []).append((e['ts'], -e.get('dur', 0)))
    elif e.get('ph') in ('B', 'E'):
        threads.setdefault(key, [])
        marks.setdefault(key, []).append((e['ts'], order, e['ph']))
for key, ms in marks.items():
    opened = []
    for ts, _, ph in sorted(ms):
        if ph == 'B':
            opened.append(ts)
        elif opened:
            b = opened.pop()
            threads[key].append((b, b - ts))
    threads[key].extend((b, -max(last[key] - b, 0)) for b in opened)
counts = {}
for key, slices in threads.items():
    slices.sort()
    ends, deepest = [], 0
    for ts, neg in slices:
        while ends and ends[-1] <= ts:
            ends.pop()
        ends.append(ts - neg)
        deepest = max(deepest, len(ends))
    counts[key] = [len(slices), deepest]
json.dump(counts, sys.stdout)
PY
  then
    echo "FAIL: python3 could not count the slices of $file"
    status=1
    continue
  fi
  for check in "$@"; do
    IL_PYTHON_COUNTS="$out/$name.counts.json" "$node" --max-old-space-size=4096 "$check" "$file" \
      "$out/$name.export.json" || status=1
  done
done
exit $status
