#!/usr/bin/env bash
# dtsd's memory while it copies a large table (issue 6: "dtsd RSS under 200 MB
# while copying 2 M rows or 20 M rows"). Starts private servers, fills one
# table of ROWS rows (id BIGINT PK, a INT, s VARCHAR(64), d DATETIME) from
# MariaDB's sequence engine, then runs one job per destination (MariaDB and
# PostgreSQL, schema + full data, default Reserve: verification on) against a
# fresh dtsd, sampling its VmHWM every 0.5 s; checks the copy's row count.
# Usage: BENCH_RSS=1 [ROWS=20000000] bash bench/bench_rss.sh
# Result: bench/results/rss.md (ROWS=20000000) or bench/results/rss-<ROWS>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_RSS:-0}" != 1 ]; then
	echo "bench_rss.sh: skipped (long: 20,000,000 rows copied twice, ~5 min);"
	echo "  enable with: BENCH_RSS=1 make bench   or   BENCH_RSS=1 bash bench/bench_rss.sh"
	exit 0
fi
ROWS=${ROWS:-20000000}
root=$(pwd)
make -s all >/dev/null
work=$(mktemp -d /tmp/opendts-benchrss.XXXXXX)
dtsd_pid=
cleanup() {
	[ -n "$dtsd_pid" ] && kill "$dtsd_pid" 2>/dev/null && wait "$dtsd_pid" 2>/dev/null || true
	bash scripts/harness.sh stop "$work/servers" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
bash scripts/harness.sh start "$work/servers" >/dev/null
set -a; . "$work/servers/env"; set +a
my() { MYSQL_PWD=$MY_PASSWORD mariadb -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -N -B "$@"; }
pg() { PGPASSWORD=$PG_PASSWORD psql -X -q -A -t -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" "$@"; }

echo "bench_rss: filling rss.t with $ROWS rows" >&2
my -e "CREATE DATABASE rss"
my rss -e "CREATE TABLE t (id BIGINT PRIMARY KEY, a INT NOT NULL, s VARCHAR(64) NOT NULL,
	d DATETIME NOT NULL); INSERT INTO t SELECT seq, seq % 1000, MD5(seq),
	'2020-01-01' + INTERVAL seq SECOND FROM seq_1_to_$ROWS"

export DTS_ACCESS_KEY_ID=LTAIbench000000000000 DTS_ACCESS_KEY_SECRET=bench-secret-not-for-production
export SRC_PW=$MY_PASSWORD DST_PW
dts() { "$root/build/dts" "$@"; }

run() {   # run MySQL|PostgreSQL: prints "seconds peak_kB rows_copied"
	local engine=$1 dst job st t0 peak=0 h rows
	rm -rf "$work/dtsd" "$work/port"
	"$root/build/dtsd" --data-dir "$work/dtsd" --listen 127.0.0.1:0 --port-file "$work/port" \
		--log-level warn 2>>"$work/dtsd.log" &
	dtsd_pid=$!
	for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
	export DTS_ENDPOINT="http://127.0.0.1:$(cat "$work/port")"
	if [ "$engine" = MySQL ]; then
		DST_PW=$MY_PASSWORD
		dst=(--dst-host "$MY_HOST" --dst-port "$MY_PORT" --dst-user "$MY_USER")
		dblist='{"rss":{"name":"rss_copy","all":true}}'
	else
		DST_PW=$PG_PASSWORD
		dst=(--dst-host "$PG_HOST" --dst-port "$PG_PORT" --dst-user "$PG_USER" --dst-database "$PG_DATABASE")
		dblist='{"rss":{"name":"rss","all":true}}'
	fi
	job=$(dts configure-job --name "rss-$engine" --job-type MIGRATION --structure-init true \
		--data-init true --data-sync false --src-engine MySQL --src-host "$MY_HOST" \
		--src-port "$MY_PORT" --src-user "$MY_USER" --src-password-env SRC_PW \
		--dst-engine "$engine" "${dst[@]}" --dst-password-env DST_PW --db-list "$dblist" \
		--reserve '{"autoStartModulesAfterConfig":"none"}' |
		sed -n 's/.*"DtsJobId":[[:space:]]*"\([^"]*\)".*/\1/p')
	t0=$(date +%s.%N)
	dts start-job --job-id "$job" >/dev/null
	while :; do
		h=$(awk '/^VmHWM:/ { print $2 }' "/proc/$dtsd_pid/status" 2>/dev/null || echo 0)
		[ "${h:-0}" -gt "$peak" ] && peak=$h
		st=$(dts describe-job --job-id "$job" | sed -n 's/^[[:space:]]*"Status":[[:space:]]*"\([^"]*\)".*/\1/p' | head -1)
		case "$st" in Finished | *Failed) break ;; esac
		sleep 0.5
	done
	[ "$st" = Finished ] || { echo "bench_rss: job $job ended $st" >&2; return 1; }
	if [ "$engine" = MySQL ]; then rows=$(my -e "SELECT COUNT(*) FROM rss_copy.t")
	else rows=$(pg -c "SELECT count(*) FROM rss.t"); fi
	kill "$dtsd_pid"; wait "$dtsd_pid" 2>/dev/null || true; dtsd_pid=
	echo "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') $peak $rows"
}

read -r my_s my_kb my_rows <<<"$(run MySQL)"
read -r pg_s pg_kb pg_rows <<<"$(run PostgreSQL)"
out=bench/results/rss.md
[ "$ROWS" = 20000000 ] || out=bench/results/rss-$ROWS.md
{
	echo "# dtsd memory while copying $ROWS rows (bench/bench_rss.sh)"
	echo
	echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, private harness servers; one table"
	echo "(id BIGINT PK, a INT, s VARCHAR(64), d DATETIME); one job per destination with the"
	echo "default Reserve (2 workers, 50,000-row chunks, verification on); dtsd's VmHWM sampled"
	echo "every 0.5 s. Target (issue 6): under 200 MB."
	echo
	echo "| destination | wall time (s) | rows in the copy | peak RSS (MB) |"
	echo "|---|---|---|---|"
	echo "| MariaDB | $my_s | $my_rows | $(awk -v k="$my_kb" 'BEGIN { printf "%.1f", k / 1024 }') |"
	echo "| PostgreSQL | $pg_s | $pg_rows | $(awk -v k="$pg_kb" 'BEGIN { printf "%.1f", k / 1024 }') |"
} | tee "$out"
[ "$my_rows" = "$ROWS" ] && [ "$pg_rows" = "$ROWS" ] || { echo "bench_rss: row counts differ" >&2; exit 1; }
