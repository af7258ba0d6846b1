#!/bin/sh
# The consumer suite: real runs of every kind exported as Chrome traces, then loaded into Chrome
# DevTools' trace model (check-devtools.mjs), speedscope's importer (check-speedscope.mjs) and
# tracerbench's trace model (check-tracerbench.mjs) and compared track by track with their trace v1
# files. Imported files' exports: run-imported.sh.
# Node.js and the pinned npm packages: need-node.sh.
# Usage: run-consumer.sh SOURCE_ROOT INTERLEAVE_CLI OUTPUT_DIR
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
src=$1 cli=$2 out=$3
here="$src/tests/consumer"

. "$here/need-node.sh"

rm -rf "$out"
mkdir -p "$out"
pairs=""
export_run() {
  name=$1 command=$2
  shift 2
  if ! "$cli" "$command" -o "$out/$name.json" --chrome-trace "$out/$name.chrome.json" --quiet "$@"; then
    echo "FAIL: interleave-cli $* failed"
    exit 1
  fi
  pairs="$pairs $out/$name.json $out/$name.chrome.json"
}

export_run threads-gil run --executor threads --gil --workers 4 --tasks 8 --task-ms 20
export_run threads run --executor threads --workers 4 --tasks 8 --task-ms 20
export_run processes run --executor processes --workers 3 --tasks 6 --task-ms 20
export_run async run --executor async --workers 4 --workload mixed --tasks 8 --task-ms 20
export_run lesson run --lesson "$src/data/lessons/01-gil-vs-processes.lesson"

# A traced program: its real pids and tids, its processes. Needs the kernel's context-switch
# events (perf_event_paranoid <= 2) or the sampled capture where the trace command has it.
if command -v python3 >/dev/null; then
  export_run traced trace -- python3 -c '
import threading, hashlib
def work():
    h = b"x"
    for _ in range(60000):
        h = hashlib.sha256(h).digest()
ts = [threading.Thread(target=work) for _ in range(3)]
[t.start() for t in ts]
[t.join() for t in ts]
'
else
  echo "FAIL: python3 is not installed (build-aux/install-deps.sh installs it)"
  exit 1
fi

# The export of a re-imported export is the same file, track for track.
if ! "$cli" render "$out/threads-gil.chrome.json" --chrome-trace "$out/reimported.chrome.json"; then
  echo "FAIL: interleave-cli render could not re-import its own Chrome export"
  exit 1
fi
if ! cmp -s "$out/threads-gil.chrome.json" "$out/reimported.chrome.json"; then
  echo "FAIL: the Chrome export of a re-imported Chrome export differs from the original"
  exit 1
fi
pairs="$pairs $out/threads-gil.json $out/reimported.chrome.json"

cd "$here" || exit 1
status=0
for check in check-devtools.mjs check-speedscope.mjs check-tracerbench.mjs; do
  "$node" "$check" $pairs || status=1
done
exit $status
