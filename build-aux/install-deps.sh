#!/usr/bin/env bash
# Installs every Debian 12 package that Interleave's build, app and tests need.
set -euo pipefail
packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-dev-bin libjson-glib-dev
  libcairo2-dev libpango1.0-dev
  libgtk-4-dev libadwaita-1-dev
  desktop-file-utils appstream libxml2-utils shared-mime-info libglib2.0-bin
  xvfb xauth imagemagick python3 dbus-daemon
  fonts-dejavu-core poppler-utils
  nodejs npm
)
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

# The consumer suite's npm packages (Chrome DevTools' trace model), pinned by the lockfile.
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$root/tests/consumer/node_modules/@paulirish/trace_engine/package.json" ]; then
  (cd "$root/tests/consumer" && npm ci --no-audit --no-fund)
fi
