#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Re-renders the saved traces in this folder to SVG, CSV and Chrome JSON and checks every output
# byte for byte against golden.sha256 (written from the code before the engine was cut into rooms).
# Usage: check-golden.sh INTERLEAVE-CLI OUTDIR.  IL_UPDATE_GOLDEN=1 rewrites golden.sha256 after a
# change that is meant to alter an output; say which and why in the commit.
set -eu
cli=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for trace in "$here"/*.interleave.json; do
  name=$(basename "$trace" .interleave.json)
  "$cli" render "$trace" -q --svg "$out/$name.svg" --csv "$out/$name.csv" \
    --chrome-trace "$out/$name.chrome.json" --width 1280 --height 720 --theme dark
done
if [ "${IL_UPDATE_GOLDEN:-0}" = 1 ]; then
  (cd "$out" && sha256sum *.svg *.csv *.chrome.json) > "$here/golden.sha256"
  echo "golden.sha256 rewritten"
  exit 0
fi
cd "$out"
sha256sum -c "$here/golden.sha256"
