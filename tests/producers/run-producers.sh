#!/bin/sh
# Real producers' traces: generates Chrome Trace Event files with the real tools (Chromium, Node.js,
# clang -ftime-trace, CMake's google-trace profiling) and a generated browser-like one, then loads
# and draws each at many widths, odd ones and 4 K included, and exports each to Chrome JSON again:
# every slice and each thread's nesting must come back (compare-chrome.py). Any crash, sanitizer
# report, lost slice or non-zero exit fails the test.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: run-producers.sh INTERLEAVE-CLI OUTDIR
set -u
cli=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
status=0
fail () { echo "FAIL: $*"; status=1; }

# Chromium (the browser itself: dense main thread, many threads, a long tail).
if command -v chromium >/dev/null 2>&1; then
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$out/chromium-profile" \
    --trace-startup='*,disabled-by-default-devtools.timeline' --trace-startup-format=json \
    --trace-startup-file="$out/chromium.json" --trace-startup-duration=3 \
    --virtual-time-budget=3000 --dump-dom "file://$here/page.html" >/dev/null 2>"$out/chromium.log" ||
    true
  rm -rf "$out/chromium-profile"
  [ -s "$out/chromium.json" ] || fail "chromium wrote no trace (see $out/chromium.log)"
else
  fail "chromium is not installed (build-aux/install-deps.sh installs it)"
fi

# Node.js trace events (main thread and worker threads).
if command -v node >/dev/null 2>&1; then
  (cd "$out" && node --trace-events-enabled --trace-event-categories v8,node,node.async_hooks \
     --trace-event-file-pattern 'node.json' "$here/work.js" >/dev/null 2>"$out/node.log") ||
    fail "node failed (see $out/node.log)"
  [ -s "$out/node.json" ] || fail "node wrote no trace"
else
  fail "node is not installed"
fi

# clang -ftime-trace: one deeply nested stack of a C++ compile.
if command -v clang++ >/dev/null 2>&1; then
  clang++ -O2 -ftime-trace -ftime-trace-granularity=0 -c "$here/heavy.cc" -o "$out/clang.o" \
    2>"$out/clang.log" || fail "clang++ failed (see $out/clang.log)"
  [ -s "$out/clang.json" ] || fail "clang++ wrote no time trace"
else
  fail "clang++ is not installed"
fi

# CMake's profile of a configure step.
if command -v cmake >/dev/null 2>&1; then
  cmake -S "$here" -B "$out/cmake-build" --profiling-format=google-trace \
    --profiling-output="$out/cmake.json" >"$out/cmake.log" 2>&1 || fail "cmake failed (see $out/cmake.log)"
  rm -rf "$out/cmake-build"
  [ -s "$out/cmake.json" ] || fail "cmake wrote no profile"
else
  fail "cmake is not installed"
fi

# A browser-like file, generated: a dense main thread nested 12 deep, many threads, async tracks,
# a long tail, half of it out of order.
python3 "$here/make-browser-like.py" "$out/browser-like.json" 200000 || fail "make-browser-like.py failed"

# gzip'd, as Chrome and Perfetto's UI save traces (.json.gz): the same file must read the same.
if [ -s "$out/clang.json" ]; then
  gzip -c "$out/clang.json" >"$out/clang-gzip.json.gz" || fail "gzip failed"
fi

for trace in "$out"/*.json "$out"/*.json.gz; do
  [ -f "$trace" ] || continue
  name=$(basename "$trace" .gz)
  name=$(basename "$name" .json)
  if ! "$cli" render "$trace" --summary >"$out/$name.summary" 2>&1; then
    fail "$name: render --summary exited $?"
    sed 's/^/  /' "$out/$name.summary" | head -20
    continue
  fi
  echo "$name: $(wc -c <"$trace") bytes; $(grep -c '' "$out/$name.summary") summary lines"
  for width in 64 321 640 799 1000 1024 1280 1366 1600 1920 2559 3000 3840 4096; do
    "$cli" render "$trace" -q --png "$out/$name-$width.png" --width "$width" --height 900 \
      >"$out/$name-$width.log" 2>&1
    code=$?
    if [ $code -ne 0 ] || [ ! -s "$out/$name-$width.png" ]; then
      fail "$name at width $width: exit $code"
      tail -n 30 "$out/$name-$width.log" | sed 's/^/  /'
    fi
    rm -f "$out/$name-$width.png"
  done
  # Round trip: the Chrome export keeps every slice (name, thread, start, duration within 1 µs)
  # and each thread's nesting depth, checked against the producer's file by compare-chrome.py,
  # which reads both with json (not Interleave's reader).
  mkdir -p "$out/export"
  if ! "$cli" render "$trace" -q --chrome-trace "$out/export/$name.trace.json" >"$out/$name.export.log" 2>&1; then
    fail "$name: render --chrome-trace failed"
    sed 's/^/  /' "$out/$name.export.log" | head -20
  elif ! python3 "$here/compare-chrome.py" "$trace" "$out/export/$name.trace.json" >"$out/$name.compare" 2>&1; then
    fail "$name: the export lost or changed slices"
    sed 's/^/  /' "$out/$name.compare" | head -20
  else
    echo "$name: $(cat "$out/$name.compare")"
  fi
  rm -f "$out/export/$name.trace.json"
done
# clang -ftime-trace's stack keeps its depth (compare-chrome.py counts each thread's rows against
# the nesting it finds in the file); a compile of heavy.cc nests well past a few levels.
if [ -s "$out/clang.compare" ]; then
  depth=$(sed -n 's/.*deepest nesting \([0-9]*\).*/\1/p' "$out/clang.compare")
  [ "${depth:-0}" -ge 8 ] || fail "clang's trace nests only ${depth:-0} deep"
fi
# The gzip'd copy reads exactly as the plain file (its summary names the file, nothing else differs).
if [ -s "$out/clang.summary" ] && [ -s "$out/clang-gzip.summary" ]; then
  sed 's/clang-gzip\.json\.gz/clang.json/g' "$out/clang-gzip.summary" | cmp -s - "$out/clang.summary" ||
    fail "clang-gzip.json.gz does not read as clang.json: $(diff "$out/clang.summary" "$out/clang-gzip.summary" | head -5)"
else
  fail "the gzip'd clang trace was not read"
fi
[ $status -eq 0 ] && echo "every producer's trace (and a gzip'd one) loaded, drew at 14 widths and came back out with every slice"
exit $status
