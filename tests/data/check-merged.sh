#!/bin/sh
# Checks that the po merge put each translation into the built desktop file and metainfo.
# Usage: check-merged.sh LINGUAS DESKTOP_FILE METAINFO_FILE
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
linguas=$1 desktop=$2 metainfo=$3
status=0
for lang in $(sed -e 's/#.*//' "$linguas"); do
  for key in Comment GenericName Keywords; do
    if grep -q "^$key\[$lang\]=" "$desktop"; then
      echo "ok: $key[$lang] in $(basename "$desktop")"
    else
      echo "FAIL: no $key[$lang] in $(basename "$desktop")"
      status=1
    fi
  done
  for tag in summary p li caption; do
    if grep -q "<$tag xml:lang=\"$lang\">" "$metainfo"; then
      echo "ok: <$tag xml:lang=\"$lang\"> in $(basename "$metainfo")"
    else
      echo "FAIL: no <$tag xml:lang=\"$lang\"> in $(basename "$metainfo")"
      status=1
    fi
  done
done
exit $status
