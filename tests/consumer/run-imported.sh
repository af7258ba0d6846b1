#!/bin/sh
# The consumer suite's imported file: a real clang -ftime-trace trace (nested 40 levels), imported
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

cd "$here" || exit 1
status=0
for check in "$@"; do
  "$node" "$check" "$out/clang.json" "$out/clang.export.json" || status=1
done
exit $status
