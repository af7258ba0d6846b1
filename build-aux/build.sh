#!/usr/bin/env bash
# Configures and builds Interleave in _build (shared by run.sh and test.sh).
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-_build}
options=(-Dwerror=true)
if [ -f "$builddir/build.ninja" ]; then
  meson setup --reconfigure "$builddir" "${options[@]}" >/dev/null
else
  meson setup "$builddir" "${options[@]}"
fi
meson compile -C "$builddir"
