#!/bin/sh
# Checks the app icons: well-formed SVG of the sizes the icon theme spec expects, and a symbolic icon
# drawn in one flat colour (GTK recolours it, so gradients, images or other colours would show wrong).
# Usage: check-icons.sh XMLLINT APP_ICON SYMBOLIC_ICON
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
xmllint=$1 app=$2 sym=$3
status=0
attr() { "$xmllint" --xpath "string(/*[local-name()='svg']/@$2)" "$1" 2>/dev/null; }

for f in "$app" "$sym"; do
  "$xmllint" --noout "$f" || { echo "FAIL: $f is not well-formed XML"; status=1; }
done

check_size() {
  w=$(attr "$1" width) h=$(attr "$1" height) vb=$(attr "$1" viewBox)
  if [ "$w" = "$2" ] && [ "$h" = "$2" ] && [ "$vb" = "0 0 $2 $2" ]; then
    echo "ok: $(basename "$1") is ${2}×${2}"
  else
    echo "FAIL: $(basename "$1") is ${w}×${h}, viewBox '$vb'; expected ${2}×${2}"
    status=1
  fi
}
check_size "$app" 128
check_size "$sym" 16

n=$("$xmllint" --xpath "count(//*[local-name()='rect' or local-name()='path'])" "$app")
if [ "${n%.*}" -ge 4 ]; then echo "ok: app icon draws $n shapes"; else echo "FAIL: app icon draws $n shapes"; status=1; fi

if grep -qE 'Gradient|<image|<pattern' "$sym"; then
  echo "FAIL: symbolic icon uses gradients, patterns or images"
  status=1
fi
colours=$(grep -oE '#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b' "$sym" | tr 'A-F' 'a-f' | sort -u)
if [ "$(echo "$colours" | wc -l)" -eq 1 ]; then
  echo "ok: symbolic icon uses the one colour $colours"
else
  echo "FAIL: symbolic icon uses several colours:" $colours
  status=1
fi
exit $status
