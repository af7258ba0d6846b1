#!/bin/sh
# Checks that every screenshot the metainfo names is in the repository (the URL points at this
# tree's main branch) as a PNG of the width and height the metainfo states.
# Usage: check-screenshots.sh METAINFO SOURCE_ROOT
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
metainfo=$1 root=$2
prefix='https://raw.githubusercontent.com/interleave/interleave/main/'
status=0 n=0
list=$(mktemp)
trap 'rm -f "$list"' EXIT
# One <image …>URL</image> per line in the metainfo.
grep -o '<image[^>]*>[^<]*</image>' "$metainfo" >"$list" || true
while IFS= read -r line; do
  n=$((n + 1))
  url=$(echo "$line" | sed 's/.*>\([^<]*\)<\/image>/\1/')
  want_w=$(echo "$line" | sed -n 's/.* width="\([0-9]*\)".*/\1/p')
  want_h=$(echo "$line" | sed -n 's/.* height="\([0-9]*\)".*/\1/p')
  case $url in
  "$prefix"*) path=${url#"$prefix"} ;;
  *) echo "FAIL: $url is not a file of this repository"; status=1; continue ;;
  esac
  file=$root/$path
  if [ ! -f "$file" ]; then
    echo "FAIL: $path (named by the metainfo) does not exist"
    status=1
    continue
  fi
  # PNG: 8-byte signature, then the IHDR chunk with width and height as big-endian 32-bit numbers.
  sig=$(od -An -tx1 -N8 "$file" | tr -d ' \n')
  if [ "$sig" != "89504e470d0a1a0a" ]; then
    echo "FAIL: $path is not a PNG"
    status=1
    continue
  fi
  w=$(od -An -tu1 -j16 -N4 "$file" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  h=$(od -An -tu1 -j20 -N4 "$file" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  if [ -n "$want_w" ] && { [ "$w" != "$want_w" ] || [ "$h" != "$want_h" ]; }; then
    echo "FAIL: $path is ${w}×${h}, the metainfo says ${want_w}×${want_h}"
    status=1
    continue
  fi
  echo "ok: $path is a ${w}×${h} PNG"
done <"$list"
if [ $n -eq 0 ]; then
  echo "FAIL: the metainfo names no screenshot"
  status=1
fi
exit $status
