#!/usr/bin/env bash
# Installs what Interleave needs, builds it with warnings as errors and runs every test suite.
# The last line is "tests: N passed, N failed", counted from meson's test log.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-_build}
"$root/build-aux/install-deps.sh" || exit 1
"$root/build-aux/build.sh" || { echo "tests: 0 passed, 1 failed"; exit 1; }
cd "$root"
rm -f "$builddir/meson-logs/testlog.json"
meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
status=$?
python3 - "$builddir/meson-logs/testlog.json" "$status" <<'PY'
import json, sys
passed = failed = 0
try:
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL", "SKIP"):
                passed += result != "SKIP"
            else:
                failed += 1
except FileNotFoundError:
    failed = 1
if passed == 0 and failed == 0:
    failed = 1
if int(sys.argv[2]) != 0 and failed == 0:
    failed = 1
print(f"tests: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
