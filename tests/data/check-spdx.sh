#!/bin/sh
# Checks that every source file (C, meson, shell, Python, JavaScript) carries the project's SPDX
# licence line. Usage: check-spdx.sh SOURCE_ROOT
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cd "${1:?usage: check-spdx.sh SOURCE_ROOT}" || exit 1
missing=$(find src tests build-aux .ci -type f \( -name '*.[ch]' -o -name 'meson.build' -o -name '*.sh' \
            -o -name '*.py' -o -name '*.mjs' -o -name 'run' \) -not -path '*/node_modules/*' \
            -not -path '*/fuzz/corpus/*' -not -path '*/fuzz/crashers/*' -print |
          while read -r f; do grep -q 'SPDX-License-Identifier: GPL-3.0-or-later' "$f" || echo "$f"; done)
if [ -n "$missing" ]; then
  echo "These sources lack the line 'SPDX-License-Identifier: GPL-3.0-or-later':"
  echo "$missing" | sed 's/^/  /'
  exit 1
fi
echo "every source file carries the SPDX line"
