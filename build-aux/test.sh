#!/usr/bin/env bash
# Installs what Interleave needs, builds it with warnings as errors and runs every test suite; then
# builds the app with clang and runs the window's suites (ui, export) there; then builds it again
# with clang under AddressSanitizer and UndefinedBehaviorSanitizer (and libFuzzer's coverage), runs
# the unit and cli suites there (a sanitizer report in their log is a failure even when its test
# passed), and runs each fuzz harness for 60 s.
# IL_TEST_SANITIZERS=0 skips the second half (a quick local check); FUZZ_SECONDS sets the fuzzing time.
# The last line is "tests: N passed, N failed", counting the sanitizer suites and the fuzzers too.
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-_build}
sanbuild=${SANBUILDDIR:-_build-san}
fuzz_seconds=${FUZZ_SECONDS:-60}
passed=0
failed=0

finish () {
  echo "tests: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

# Adds meson's results from a testlog.json to the counts; a meson failure with no failed test
# in the log (a build error, a crash of meson itself) counts as one failure.
count_log () {
  local log=$1 status=$2 counts
  counts=$(python3 - "$log" "$status" <<'PY'
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
print(passed, failed)
PY
)
  passed=$((passed + ${counts% *}))
  failed=$((failed + ${counts#* }))
}

"$root/build-aux/install-deps.sh" || { failed=$((failed + 1)); finish; }
"$root/build-aux/build.sh" || { failed=$((failed + 1)); finish; }
cd "$root"
rm -f "$builddir/meson-logs/testlog.json"
meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
count_log "$builddir/meson-logs/testlog.json" $?

if [ "${IL_TEST_SANITIZERS:-1}" = 0 ]; then
  finish
fi

# Sets up (or reconfigures) build folder $1 with clang and options $2…, and builds it; a failure
# counts as one and ends the run.
clang_build () {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    CC=clang meson setup "$dir" "$@" >/dev/null
  fi || { failed=$((failed + 1)); finish; }
  meson compile -C "$dir" || { failed=$((failed + 1)); finish; }
}

# --- clang, the whole app: the window's suites built by the other compiler -------------------
# (a live-drawing check compared structs with memcmp(), padding included: only clang's build failed)
clangbuild=${CLANGBUILDDIR:-_build-clang}
echo "== clang build ($clangbuild: the app, ui and export suites)"
clang_build "$clangbuild" -Dwerror=true -Dbuildtype=debugoptimized
rm -f "$clangbuild/meson-logs/testlog.json"
meson test -C "$clangbuild" --print-errorlogs --num-processes 2 --suite ui --suite export
count_log "$clangbuild/meson-logs/testlog.json" $?

# --- AddressSanitizer + UndefinedBehaviorSanitizer (clang), with the libFuzzer harnesses -------
echo "== sanitizer build ($sanbuild: clang, address + undefined, fuzzing)"
clang_build "$sanbuild" -Dgui=false -Db_sanitize=address,undefined -Db_lundef=false \
  -Dfuzzing=true -Dwerror=true -Dbuildtype=debugoptimized

# Leaks are failures, except what fontconfig and pango keep for the process's life.
export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS="suppressions=$root/build-aux/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
rm -f "$sanbuild/meson-logs/testlog.json" "$sanbuild/meson-logs/testlog.txt"
# ASan's own SIGSEGV handling stays on, so a real fault anywhere is reported with its stack; only
# the workers the pool's test sends SIGSEGV on purpose start without it (tests/unit/test-executors.c).
meson test -C "$sanbuild" --print-errorlogs --num-processes 2 --suite unit --suite cli
count_log "$sanbuild/meson-logs/testlog.json" $?
# A report from a process whose end no test checks (a worker a run replaced or a test stopped)
# fails no test: it goes to the log and the test passes. Any report there counts as one failure,
# so none is left unread in a green run.
if grep -nE '^==[0-9]+==ERROR: [A-Za-z]+Sanitizer|:[0-9]+:[0-9]+: runtime error: ' \
     "$sanbuild/meson-logs/testlog.txt"; then
  echo "sanitizer report(s) above ($sanbuild/meson-logs/testlog.txt): one more failure"
  failed=$((failed + 1))
fi

# Each harness from its seed corpus and its old crashers, for $fuzz_seconds s, all at once (one
# core each would be two at a time; they share the two). A crash leaves its input in the log.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pids=()
names=()
for fuzzer in "$sanbuild"/tests/fuzz/fuzz-*; do
  [ -f "$fuzzer" ] && [ -x "$fuzzer" ] || continue
  name=${fuzzer##*/fuzz-}
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  cp tests/fuzz/corpus/"$name"/* "$work/$name/corpus/" 2>/dev/null
  cp tests/fuzz/crashers/"$name"/* "$work/$name/corpus/" 2>/dev/null
  "$fuzzer" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
    -artifact_prefix="$work/$name/artifacts/" "$work/$name/corpus" >"$work/$name/log" 2>&1 &
  pids+=($!)
  names+=("$name")
done
for i in "${!pids[@]}"; do
  name=${names[$i]}
  if wait "${pids[$i]}"; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name/log")
    echo "fuzz $name: ok, ${runs:-?} inputs in ${fuzz_seconds} s"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED; keep the input below in tests/fuzz/crashers/$name/ once fixed"
    tail -n 60 "$work/$name/log"
    for a in "$work/$name/artifacts"/*; do
      [ -f "$a" ] && { echo "--- $a (base64)"; base64 "$a" | head -c 4000; echo; }
    done
    failed=$((failed + 1))
  fi
done
if [ "${#pids[@]}" -eq 0 ]; then
  echo "no fuzz harness was built"
  failed=$((failed + 1))
fi
finish
