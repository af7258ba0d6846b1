#!/bin/sh
# Checks a translation: "complete" = no untranslated or fuzzy message and msgfmt --check passes;
# "current" = it translates every message the sources hold now (POTFILES.in through xgettext).
# Usage: check-po.sh complete MSGFMT PO
#        check-po.sh current XGETTEXT MSGMERGE MSGATTRIB SOURCE_ROOT PO
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
mode=${1:?usage}
case $mode in
complete)
  msgfmt=$2 po=$3
  out=$("$msgfmt" --check --statistics -o /dev/null "$po" 2>&1)
  status=$?
  echo "$po: $out"
  [ $status -eq 0 ] || { echo "msgfmt --check failed"; exit 1; }
  case $out in
  *untranslated* | *fuzzy*) echo "$po is not complete"; exit 1 ;;
  *" translated message"*) exit 0 ;;
  *) echo "unexpected msgfmt output"; exit 1 ;;
  esac
  ;;
current)
  xgettext=$2 msgmerge=$3 msgattrib=$4 root=$5 po=$6
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$root/po/POTFILES.in" >"$tmp/files"
  # The same keywords as meson's i18n.gettext(preset: 'glib').
  (cd "$root" && "$xgettext" --from-code=UTF-8 --add-comments \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
    --files-from="$tmp/files" -o "$tmp/current.pot") || { echo "xgettext failed"; exit 1; }
  # -N: a message only counts as translated when its exact msgid is translated, not a near one.
  "$msgmerge" --quiet -N -o "$tmp/merged.po" "$po" "$tmp/current.pot" || { echo "msgmerge failed"; exit 1; }
  "$msgattrib" --untranslated --no-obsolete --no-wrap -o "$tmp/missing.po" "$tmp/merged.po"
  "$msgattrib" --only-fuzzy --no-obsolete --no-wrap -o "$tmp/fuzzy.po" "$tmp/merged.po"
  n=$(grep -c '^msgid ' "$tmp/current.pot")
  missing=$(cat "$tmp/missing.po" "$tmp/fuzzy.po" 2>/dev/null | grep -E '^(#:|msgid )' | grep -v '^msgid ""$')
  if [ -n "$missing" ]; then
    echo "$po lacks translations of these messages (run interleave-pot, then interleave-update-po):"
    echo "$missing"
    exit 1
  fi
  echo "$po translates all $((n - 1)) messages of the current sources"
  ;;
*) echo "unknown mode $mode"; exit 2 ;;
esac
