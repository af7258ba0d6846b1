#!/bin/sh
# Runs a validator, or reports the test as skipped (exit 77) when the program is not installed.
# Usage: run-tool.sh NAME PATH-OR-EMPTY ARG…
# SPDX-License-Identifier: GPL-3.0-or-later
name=$1 tool=$2
shift 2
if [ -z "$tool" ] || [ ! -x "$tool" ]; then
  echo "SKIP: $name is not installed"
  exit 77
fi
exec "$tool" "$@"
