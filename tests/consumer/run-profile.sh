#!/bin/sh
# run-profile.sh: a trace with sampled Python stacks exported as a speedscope profile (--profile) and loaded with speedscope's importer.
# SPDX-License-Identifier: GPL-3.0-or-later
# The trace is tests/stacks/python-stacks.interleave.json (a recorded program with the stacks a
# sampler writes); check-speedscope-profile.mjs compares each thread's profile with its samples.
# Usage: run-profile.sh SOURCE_ROOT INTERLEAVE_CLI OUTPUT_DIR
set -u
src=$1 cli=$2 out=$3
here="$src/tests/consumer"

. "$here/need-node.sh"

rm -rf "$out"
mkdir -p "$out"
trace="$src/tests/stacks/python-stacks.interleave.json"
if ! "$cli" render "$trace" --profile "$out/python.speedscope.json" --quiet; then
  echo "FAIL: interleave-cli render --profile failed"
  exit 1
fi
cd "$here" || exit 1
"$node" check-speedscope-profile.mjs "$trace" "$out/python.speedscope.json"
