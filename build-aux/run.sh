#!/usr/bin/env bash
# Installs what Interleave needs, builds it and runs it: the window on a display, otherwise the
# first shipped lesson headless, printing its summary and writing its image.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-_build}
"$root/build-aux/install-deps.sh"
"$root/build-aux/build.sh"
cd "$root"
export GSETTINGS_SCHEMA_DIR="$root/$builddir/data"
export IL_WORKER_PATH="$root/$builddir/src/worker/interleave-worker"
export IL_LESSONS_DIR="$root/data/lessons"
lesson=$(ls "$root"/data/lessons/*.lesson | head -n 1)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$builddir/src/app/interleave" ]; then
  exec "$builddir/src/app/interleave" "$@"
fi
out="$root/$(basename "$lesson" .lesson).png"
echo "No display: running the lesson $(basename "$lesson") headless."
"$builddir/src/cli/interleave-cli" run --lesson "$lesson" --png "$out" "$@"
echo "Image written to $out"
