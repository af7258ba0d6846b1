#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Rewrites po/POTFILES.in: every source, UI and data file with translatable strings, sorted (the
# same rule tests/data/check-potfiles.sh checks). Run it after adding, moving or cutting a file.
set -eu
cd "$(dirname "$0")/.."
{
  echo "# Files with translatable strings; build-aux/update-potfiles.sh writes this list and"
  echo "# tests/data/check-potfiles.sh keeps it complete."
  find data -maxdepth 1 -type f \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' \
    -o -name '*.gschema.xml' -o -name '*.mime.xml' \) -print | sort
  find ui src -name '*.ui' -type f -print0 2>/dev/null | xargs -0 -r grep -l 'translatable="yes"' | sort
  find src -name '*.[ch]' -type f -print0 |
    xargs -0 -r grep -lE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2) ?\(' | sort
} > po/POTFILES.in
