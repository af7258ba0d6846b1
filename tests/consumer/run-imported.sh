#!/bin/sh
# The consumer suite's imported file: a real clang -ftime-trace trace (41 levels deep here), imported
# and exported again as a Chrome trace by interleave-cli render, then loaded into Chrome DevTools'
# trace model, speedscope's importer and tracerbench's trace model, each compared slice by slice
# and thread by thread with the clang file (slices, their nesting, start and duration).
# Usage: run-imported.sh SOURCE_ROOT INTERLEAVE_CLI OUTPUT_DIR CHECK.mjs [CHECK.mjs ...]
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
src=$1 cli=$2 out=$3
shift 3
here="$src/tests/consumer"

. "$here/need-node.sh"

rm -rf "$out"
mkdir -p "$out"
command -v clang++ >/dev/null || {
  echo "FAIL: clang++ is not installed (build-aux/install-deps.sh installs clang)"
  exit 1
}
# Granularity 0: every template instantiation and pass, many of them zero-length or ending in the
# same microsecond as their parent, the cases consumers get wrong.
if ! clang++ -O2 -ftime-trace -ftime-trace-granularity=0 -c "$src/tests/producers/heavy.cc" \
     -o "$out/clang.o" 2>"$out/clang.log" || [ ! -s "$out/clang.json" ]; then
  echo "FAIL: clang++ -ftime-trace wrote no trace (see $out/clang.log)"
  exit 1
fi
if ! "$cli" render "$out/clang.json" --chrome-trace "$out/clang.export.json" --quiet; then
  echo "FAIL: interleave-cli render could not export the clang trace"
  exit 1
fi

# The original's slices and nesting per thread, counted by python3 from the JSON alone (not by
# Interleave nor by the checks' own JavaScript): check-devtools.mjs holds DevTools' model to these.
if ! python3 - "$out/clang.json" >"$out/clang.counts.json" <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))
events = events['traceEvents'] if isinstance(events, dict) else events
threads = {}
for e in events:
    if e.get('ph') == 'X':
        threads.setdefault(f"{e['pid']}/{e['tid']}", []).append((e['ts'], -e.get('dur', 0)))
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
  echo "FAIL: python3 could not count the slices of $out/clang.json"
  exit 1
fi
export IL_PYTHON_COUNTS="$out/clang.counts.json"

cd "$here" || exit 1
status=0
for check in "$@"; do
  "$node" "$check" "$out/clang.json" "$out/clang.export.json" || status=1
done
exit $status
