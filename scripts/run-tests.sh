#!/usr/bin/env bash
# Runs every test of opendts: unit tests and integration tests under
# AddressSanitizer + UBSan, then the SDK compatibility tests with the real
# Alibaba Node.js clients. Starts (and always stops) private MariaDB and
# PostgreSQL servers through scripts/harness.sh. Closing line:
#   N passed, N failed
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
log() { printf 'run-tests: %s\n' "$*" >&2; }

passed=0 failed=0 skipped=0
failures=()

log "building (normal and ASan+UBSan)"
make -s -j"$jobs" all unit itest || { echo "0 passed, 1 failed"; exit 1; }
make -s -j"$jobs" BUILD=build-asan SAN=1 all unit itest || { echo "0 passed, 1 failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Runs one cmocka binary and adds its counts; a crash counts as a failure.
run_cmocka() {
	local bin=$1 out rc p f s
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$bin" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	[ "$f" -gt 0 ] && failures+=("$(basename "$bin")")
	return 0
}

log "unit tests (ASan+UBSan)"
for t in build-asan/tests/unit/test_*; do
	[ -x "$t" ] && run_cmocka "$t"
done

hdir=$(mktemp -d /tmp/opendts-test.XXXXXX)
rmdir "$hdir"
cleanup() { bash scripts/harness.sh stop "$hdir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
log "starting private MariaDB and PostgreSQL"
if ! bash scripts/harness.sh start "$hdir" >/dev/null; then
	log "harness failed to start database servers"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi
set -a; . "$hdir/env"; set +a

export DTSD_BIN="$root/build-asan/dtsd" DTS_BIN="$root/build-asan/dts"
log "integration tests (ASan+UBSan)"
for t in build-asan/tests/integration/test_*; do
	[ -x "$t" ] && run_cmocka "$t"
done

log "SDK tests (official Alibaba Node.js clients)"
export DTSD_BIN="$root/build/dtsd"
if bash tests/sdk/run.sh > /tmp/opendts-sdk.$$ 2>&1; then sdk_rc=0; else sdk_rc=$?; fi
cat /tmp/opendts-sdk.$$
p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' /tmp/opendts-sdk.$$ | tail -1)
f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' /tmp/opendts-sdk.$$ | tail -1)
rm -f /tmp/opendts-sdk.$$
p=${p:-0}; f=${f:-0}
if [ "$sdk_rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
passed=$((passed + p)); failed=$((failed + f))
[ "$f" -gt 0 ] && failures+=("sdk")

[ ${#failures[@]} -gt 0 ] && log "failed: ${failures[*]}"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
