#!/bin/sh
# Installs the built MIME package into a scratch data dir and checks that GIO then names our types
# for a lesson, a trace file and a Chrome trace (by its PyTorch-style name; a plain NAME.json stays
# application/json for the desktop, and the app sniffs its content when it opens it), and that the desktop file claims exactly the types defined there.
# Usage: check-mime.sh MIME_XML DESKTOP_FILE UPDATE_MIME_DATABASE GIO
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
xml=$1 desktop=$2 umd=$3 gio=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/share/mime/packages" "$tmp/files"
cp "$xml" "$tmp/share/mime/packages/"
"$umd" "$tmp/share/mime" || { echo "update-mime-database rejected $xml"; exit 1; }

printf '[Lesson]\nTitle=Test\nRuns=a\n' >"$tmp/files/one-core.lesson"
printf '{ "format": "interleave-trace", "version": 1, "runs": [] }\n' >"$tmp/files/run.interleave.json"
printf '{ "format": "interleave-trace", "version": 1, "runs": [] }\n' >"$tmp/files/renamed.json"
printf '{"schemaVersion": 1, "traceEvents": []}\n' >"$tmp/files/host_1.pt.trace.json"

status=0
expect() {
  got=$(XDG_DATA_HOME="$tmp/share" XDG_DATA_DIRS="$tmp/share:/usr/share" \
        "$gio" info -a standard::content-type "$1" | sed -n 's/^ *standard::content-type: //p')
  if [ "$got" = "$2" ]; then
    echo "ok: $(basename "$1") is $got"
  else
    echo "FAIL: $(basename "$1") is '$got', expected $2"
    status=1
  fi
}
expect "$tmp/files/one-core.lesson" application/x-interleave-lesson
expect "$tmp/files/run.interleave.json" application/x-interleave-trace
expect "$tmp/files/host_1.pt.trace.json" application/x-chrome-trace

defined=$(sed -n 's/.*<mime-type type="\([^"]*\)".*/\1/p' "$xml" | sort)
claimed=$(sed -n 's/^MimeType=//p' "$desktop" | tr ';' '\n' | sed '/^$/d' | sort)
if [ "$defined" = "$claimed" ]; then
  echo "ok: the desktop file claims the types the MIME package defines"
else
  echo "FAIL: MIME package defines [$defined] but the desktop file claims [$claimed]"
  status=1
fi
exit $status
