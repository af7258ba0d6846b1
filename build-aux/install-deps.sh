#!/usr/bin/env bash
# Installs every Debian 12 package that Interleave's build, app and tests need.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-dev-bin libjson-glib-dev
  libcairo2-dev libpango1.0-dev
  libgtk-4-dev libadwaita-1-dev
  desktop-file-utils appstream libxml2-utils shared-mime-info libglib2.0-bin
  xvfb xauth imagemagick python3 dbus-daemon
  fonts-dejavu-core poppler-utils
  # The sanitizer and fuzzing half of build-aux/test.sh: clang, its runtimes (ASan, UBSan and
  # libFuzzer's libclang_rt.fuzzer) and llvm-symbolizer for readable reports.
  clang libclang-rt-14-dev llvm-14
  # Real producers of Chrome Trace Event files for the producers suite (tests/producers).
  chromium cmake g++
)
# Node.js and npm for the consumer suite: Debian's, unless a Node.js with its own npm is already
# installed (a nodesource build conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The consumer suite's npm packages (Chrome DevTools' trace model, speedscope, tracerbench's trace
# model), pinned by the lockfile.
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$root/tests/consumer/node_modules/@paulirish/trace_engine/package.json" ] ||
   [ ! -f "$root/tests/consumer/node_modules/speedscope/package.json" ] ||
   [ ! -f "$root/tests/consumer/node_modules/@tracerbench/trace-model/package.json" ]; then
  (cd "$root/tests/consumer" && npm ci --no-audit --no-fund)
fi
