#!/bin/sh
# Checks that po/POTFILES.in lists every file with translatable strings, and nothing that is missing.
# Usage: check-potfiles.sh SOURCE_ROOT
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
root=${1:?usage: check-potfiles.sh SOURCE_ROOT}
cd "$root" || exit 1

listed=$(mktemp) needed=$(mktemp)
trap 'rm -f "$listed" "$needed"' EXIT

sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' po/POTFILES.in | sort -u >"$listed"

{
  # C sources: _(), N_(), C_(), NC_() and the plural forms, not part of a longer identifier.
  find src -name '*.[ch]' -type f -print0 |
    xargs -0 -r grep -lE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2) ?\(' 2>/dev/null
  # GtkBuilder files with translatable properties.
  find ui src -name '*.ui' -type f -print0 2>/dev/null |
    xargs -0 -r grep -l 'translatable="yes"' 2>/dev/null
  # Data files whose strings are translated through the po merge or the schema's gettext domain.
  find data -maxdepth 1 -type f \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' \
    -o -name '*.gschema.xml' -o -name '*.mime.xml' \) -print
} | sed 's|^\./||' | sort -u >"$needed"

status=0
missing=$(comm -23 "$needed" "$listed")
if [ -n "$missing" ]; then
  echo "po/POTFILES.in does not list these files with translatable strings:"
  echo "$missing" | sed 's/^/  /'
  status=1
fi
for f in $(cat "$listed"); do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done
[ $status -eq 0 ] && echo "po/POTFILES.in lists all $(wc -l <"$needed") files with translatable strings"
exit $status
