# need-node.sh: sourced by the consumer suite's scripts: finds Node.js ($node) and the pinned npm packages
# SPDX-License-Identifier: GPL-3.0-or-later
# (package-lock.json, installed by build-aux/install-deps.sh). When the packages are missing this
# tries `npm ci` once and FAILS (never skips) if that cannot work, so CI notices. Needs $here.
node=$(command -v node || command -v nodejs) || {
  echo "FAIL: Node.js is not installed (build-aux/install-deps.sh installs Debian's nodejs and npm)"
  exit 1
}
if [ ! -f "$here/node_modules/@paulirish/trace_engine/package.json" ] ||
   [ ! -f "$here/node_modules/speedscope/package.json" ] ||
   [ ! -f "$here/node_modules/@tracerbench/trace-model/package.json" ]; then
  echo "The pinned npm packages are not installed; running npm ci in $here"
  (cd "$here" && npm ci --no-audit --no-fund) || {
    echo "FAIL: npm ci failed in $here (no network to the npm registry?); build-aux/install-deps.sh installs the packages"
    exit 1
  }
fi
