#!/bin/sh
# Instants, counters and flows of real producers' traces: Node.js (--trace-events-enabled, with
# its promise-rejection counters) and Chromium (instants and flows). What Interleave reads must
# equal what count-marks.py counts on its own over the JSON, and so must what it reads back of
# its Chrome export: through the export's trace v1 header, and from its events alone (what other
# viewers read).
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: check-marks.sh INTERLEAVE-CLI OUTDIR
set -u
cli=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
status=0
fail () { echo "FAIL: $*"; status=1; }

if command -v node >/dev/null 2>&1; then
  (cd "$out" && node --unhandled-rejections=warn --trace-events-enabled \
     --trace-event-categories v8,node,node.async_hooks,node.promises.rejections \
     --trace-event-file-pattern 'node-marks.json' "$here/rejections.js" >/dev/null 2>"$out/node.log") ||
    fail "node failed (see $out/node.log)"
else
  fail "node is not installed"
fi
if command -v chromium >/dev/null 2>&1; then
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$out/chromium-profile" \
    --trace-startup='*,disabled-by-default-devtools.timeline' --trace-startup-format=json \
    --trace-startup-file="$out/chromium-marks.json" --trace-startup-duration=1 \
    --virtual-time-budget=1000 --dump-dom "file://$here/page.html" >/dev/null 2>"$out/chromium.log" ||
    true
  rm -rf "$out/chromium-profile"
else
  fail "chromium is not installed"
fi

# "instants N / counters S P / flows F" of the summary Interleave prints for a file.
read_counts () {
  "$cli" render "$1" --summary >"$1.summary" 2>&1 || { echo "render --summary failed"; return; }
  awk '/^  instants /{i=$2} /^  counters /{s=$2; p=$4} /^  flows /{f=$2}
       END {printf "instants %d\ncounters %d %d\nflows %d\n", i, s, p, f}' "$1.summary"
}

for trace in "$out/node-marks.json" "$out/chromium-marks.json"; do
  name=$(basename "$trace" .json)
  if [ ! -s "$trace" ]; then
    fail "$name: no trace written"
    continue
  fi
  want=$(python3 "$here/count-marks.py" "$trace")
  got=$(read_counts "$trace")
  echo "$name: $(echo "$want" | tr '\n' ' ')"
  [ "$want" = "$got" ] || fail "$name: read $(echo "$got" | tr '\n' ' '), the JSON has $(echo "$want" | tr '\n' ' ')"
  case "$name" in
    node-marks) echo "$want" | grep -q '^counters [1-9]' || fail "$name: no counters (node.promises.rejections)";;
    chromium-marks) echo "$want" | grep -q '^flows [1-9]' || fail "$name: no flows";;
  esac
  echo "$want" | grep -q '^instants [1-9]' || fail "$name: no instants"

  # Import → Chrome export → import, through the header and through the events alone.
  "$cli" render "$trace" -q --chrome-trace "$out/$name.trace.json" || fail "$name: export failed"
  got=$(read_counts "$out/$name.trace.json")
  [ "$want" = "$got" ] || fail "$name: the export reads back as $(echo "$got" | tr '\n' ' ')"
  python3 - "$out/$name.trace.json" "$out/$name-events.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
json.dump({'traceEvents': doc['traceEvents']}, open(sys.argv[2], 'w'))
PY
  got=$(read_counts "$out/$name-events.json")
  [ "$want" = "$got" ] || fail "$name: the export's events read back as $(echo "$got" | tr '\n' ' ')"
  got=$(python3 "$here/count-marks.py" "$out/$name-events.json")
  [ "$want" = "$got" ] || fail "$name: the export's events hold $(echo "$got" | tr '\n' ' ')"

  "$cli" render "$trace" -q --png "$out/$name.png" --width 1600 --height 900 || fail "$name: render failed"
done
exit $status
