#!/usr/bin/env bash
# SDK compatibility tests of opendts: drives a real dtsd through the official
# Alibaba Cloud Node.js clients (@alicloud/pop-core, @alicloud/openapi-client,
# pinned in tests/sdk/package.json).
#
#   tests/sdk/run.sh [node --test options...]
#
# Needs the harness database servers in the environment (MY_HOST MY_PORT
# MY_USER MY_PASSWORD PG_HOST PG_PORT PG_USER PG_PASSWORD PG_DATABASE), as
# scripts/run-tests.sh provides; by hand:
#   scripts/harness.sh run bash tests/sdk/run.sh
# DTSD_BIN: the dtsd to test (default build/dtsd under the repo root).
# DTS_SDK_KEEP=1 keeps the temporary folder (dtsd log, data dir).
#
# Steps: install the clients into tests/sdk/node_modules when missing or out
# of date; start dtsd on a free port with a fresh data dir and a test key;
# wait for /healthz; run `node --test --test-reporter=tap tests/sdk/` (its TAP
# output ends with "# pass N" and "# fail N"); stop dtsd with SIGTERM and
# check that it exits 0 within 10 s. Exit status: node's, or 1 when dtsd
# did not start or stop cleanly.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
log() { printf 'sdk: %s\n' "$*" >&2; }

DTSD_BIN=${DTSD_BIN:-build/dtsd}
case $DTSD_BIN in /*) ;; *) DTSD_BIN=$root/$DTSD_BIN ;; esac

missing=()
for v in MY_HOST MY_PORT MY_USER MY_PASSWORD PG_HOST PG_PORT PG_USER PG_PASSWORD PG_DATABASE; do
	[ -n "${!v:-}" ] || missing+=("$v")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "not set: ${missing[*]} (run: scripts/harness.sh run bash tests/sdk/run.sh)"
	exit 1
fi
command -v node >/dev/null && command -v npm >/dev/null || { log "node and npm are required"; exit 1; }
[ -x "$DTSD_BIN" ] || { log "no dtsd at $DTSD_BIN (build it with make, or set DTSD_BIN)"; exit 1; }

# ---- the clients: npm ci only when node_modules is missing or older than the lock
install_clients() {
	local stamp=$here/node_modules/.package-lock.json
	if [ -f "$stamp" ] && [ "$stamp" -nt "$here/package.json" ] &&
	   { [ ! -f "$here/package-lock.json" ] || [ "$stamp" -nt "$here/package-lock.json" ]; } &&
	   [ -d "$here/node_modules/@alicloud/pop-core" ] &&
	   [ -d "$here/node_modules/@alicloud/openapi-client" ]; then
		return 0
	fi
	log "installing the Alibaba Cloud clients into tests/sdk/node_modules"
	local cmd=(install)
	[ -f "$here/package-lock.json" ] && cmd=(ci)
	if ! (cd "$here" && npm "${cmd[@]}" --no-audit --no-fund --loglevel=error >&2); then
		log "npm ${cmd[*]} failed"
		return 1
	fi
	touch "$stamp"
}
install_clients || exit 1

# ---- the source database the jobs name in DbList (prechecks may look for it)
if command -v mariadb >/dev/null; then
	mariadb --no-defaults --protocol=tcp -h "$MY_HOST" -P "$MY_PORT" -u"$MY_USER" \
		-p"$MY_PASSWORD" --connect-timeout=5 -e \
		"CREATE DATABASE IF NOT EXISTS opendts_sdk;
		 CREATE TABLE IF NOT EXISTS opendts_sdk.t (id INT PRIMARY KEY, v VARCHAR(32));
		 INSERT IGNORE INTO opendts_sdk.t VALUES (1, 'one'), (2, 'two');" >&2 ||
		log "warning: could not create database opendts_sdk on MariaDB"
fi

# ---- dtsd
tmp=$(mktemp -d /tmp/opendts-sdk.XXXXXX) || exit 1
dtsd_pid= node_pid=
stop_dtsd() {  # stop_dtsd: SIGTERM, 10 s to exit 0; returns 0 when it did
	local pid=$dtsd_pid rc i
	dtsd_pid=
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "dtsd (pid $pid) still running 10 s after SIGTERM; killing it"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 1
	fi
	wait "$pid"; rc=$?
	if [ "$rc" -ne 0 ]; then
		log "dtsd exited with status $rc after SIGTERM (expected 0)"
		return 1
	fi
	return 0
}
show_log() {
	[ -s "$tmp/dtsd.log" ] || return 0
	log "---- last lines of the dtsd log ($tmp/dtsd.log) ----"
	tail -n 40 "$tmp/dtsd.log" | sed 's/^/sdk: | /' >&2
}
stop_node() {  # the test runner and its test-file processes (it waits for them on SIGTERM)
	local pid=$node_pid i
	node_pid=
	[ -n "$pid" ] || return 0
	kill -TERM $(pgrep -P "$pid" 2>/dev/null) "$pid" 2>/dev/null
	for ((i = 0; i < 30; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL $(pgrep -P "$pid" 2>/dev/null) "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
cleanup() {
	stop_node
	stop_dtsd || true
	if [ "${DTS_SDK_KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf -- "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

key_id=LTAIopendtsSdkTest
key_secret=$(head -c 24 /dev/urandom | base64 | tr '+/' 'Xy')
( umask 077; printf '%s %s\n' "$key_id" "$key_secret" >"$tmp/credentials" )
chmod 600 "$tmp/credentials"

# --rate-limit 0: the suite sends bursts of parallel calls with one key, and
# throttling (Throttling.User) is not what it tests.
"$DTSD_BIN" --listen 127.0.0.1:0 --port-file "$tmp/port" --data-dir "$tmp/data" \
	--credentials "$tmp/credentials" --log-level info --rate-limit 0 \
	>"$tmp/dtsd.log" 2>&1 </dev/null &
dtsd_pid=$!

port=
for ((i = 0; i < 150; i++)); do
	if [ -s "$tmp/port" ]; then
		port=$(tr -dc '0-9' <"$tmp/port")
		[ -n "$port" ] && break
	fi
	kill -0 "$dtsd_pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$port" ]; then
	log "dtsd wrote no port file within 15 s"
	show_log
	exit 1
fi
health() {
	node -e '
		const http = require("http");
		const r = http.get({ host: "127.0.0.1", port: process.argv[1], path: "/healthz",
			timeout: 2000 }, (res) => { res.resume(); process.exit(res.statusCode === 200 ? 0 : 1); });
		r.on("timeout", () => r.destroy()); r.on("error", () => process.exit(1));' "$port"
}
healthy=0
for ((i = 0; i < 50; i++)); do
	if health; then healthy=1; break; fi
	kill -0 "$dtsd_pid" 2>/dev/null || break
	sleep 0.2
done
if [ "$healthy" != 1 ]; then
	log "dtsd on port $port does not answer GET /healthz with 200"
	show_log
	exit 1
fi
log "dtsd $DTSD_BIN listening on 127.0.0.1:$port"

# node runs in the background so that a signal to this script acts at once
DTS_ENDPOINT=127.0.0.1:$port DTS_KEY_ID=$key_id DTS_KEY_SECRET=$key_secret \
	node --test --test-reporter=tap "$@" tests/sdk/ &
node_pid=$!
wait "$node_pid"; node_rc=$?
node_pid=

if ! stop_dtsd; then
	show_log
	exit 1
fi
[ "$node_rc" -eq 0 ] || show_log
exit "$node_rc"
