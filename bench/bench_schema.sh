#!/usr/bin/env bash
# Schema migration of a source with many tables (issue 5: 2,000 tables with
# indexes and foreign keys in under 30 s to either destination).
# Starts private servers, creates N tables (two secondary indexes each, a
# foreign key on every tenth, and a view per hundred tables), runs a
# schema-only job (StructureInitialization only) MariaDB -> PostgreSQL and
# MariaDB -> MariaDB through dtsd, and reports the schema step's wall time
# as dtsd logged it (job.step.start .. job.step.end of code 02), the whole
# job as the client saw it, and the number of objects created; once per
# dtsd --step-workers value (0 = dtsd's default, one per core).
# Usage: bench/bench_schema.sh [N_TABLES] ["STEP_WORKERS..."]   (default 2000 "0 4")
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
n=${1:-2000}
workers_list=${2:-"0 4"}
make -s all >/dev/null
. bench/lib/servers.sh

echo "creating $n tables in bench_schema" >&2
{
	echo "CREATE DATABASE bench_schema; USE bench_schema;"
	for i in $(seq 1 "$n"); do
		if [ $((i % 10)) -eq 0 ]; then
			fk=""
			[ "$i" -gt 10 ] && fk=", CONSTRAINT fk_t${i}_parent FOREIGN KEY (parent) REFERENCES t$((i - 10))(id) ON DELETE CASCADE"
			echo "CREATE TABLE t$i (id BIGINT UNSIGNED PRIMARY KEY, parent BIGINT UNSIGNED, name VARCHAR(64) NOT NULL, created DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), status ENUM('a','b'), KEY k_name (name), KEY k_created (created)$fk) ENGINE=InnoDB COMMENT 'table $i';"
		else
			echo "CREATE TABLE t$i (id INT PRIMARY KEY, a INT, b VARCHAR(100), c DECIMAL(12,2), d DATE, e TEXT, KEY k_a (a), UNIQUE KEY u_b (b)) ENGINE=InnoDB;"
		fi
		[ $((i % 100)) -eq 0 ] && echo "CREATE VIEW v$i AS SELECT id, a, b FROM t$((i - 1)) WHERE a > 0;"
	done
} | MYSQL_PWD=$MY_PASSWORD mariadb -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER"

export DTS_ACCESS_KEY_ID=LTAIbench000000000000 DTS_ACCESS_KEY_SECRET=bench-secret
export SRC_PW=$MY_PASSWORD PG_PW=$PG_PASSWORD

start_dtsd() {   # start_dtsd STEP_WORKERS: a fresh dtsd
	rm -rf "$work/dtsd" "$work/port"
	"$root/build/dtsd" --data-dir "$work/dtsd" --listen 127.0.0.1:0 --port-file "$work/port" \
		--log-level info --step-workers "$1" 2>"$work/dtsd.log" &
	dtsd_pid=$!
	for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
	export DTS_ENDPOINT="http://127.0.0.1:$(cat "$work/port")"
}

stop_dtsd() {
	kill "$dtsd_pid" && wait "$dtsd_pid" || true
	dtsd_pid=
}

# Seconds between the first log lines matching $2 and $3 for job $1.
step_seconds() {
	local a b
	a=$(grep "job_id=$1 " "$work/dtsd.log" | grep -m1 "$2" | sed -n 's/^ts=\([^ ]*\) .*/\1/p')
	b=$(grep "job_id=$1 " "$work/dtsd.log" | grep -m1 "$3" | sed -n 's/^ts=\([^ ]*\) .*/\1/p')
	python3 -c "from datetime import datetime as d; f=lambda s: d.strptime(s, '%Y-%m-%dT%H:%M:%S.%fZ'); print('%.2f' % (f('$b') - f('$a')).total_seconds())"
}

run_one() {   # run_one LABEL WORKERS dst-args...
	local label=$1 w=$2; shift 2
	local job t0 t1 status total
	job=$("$root/build/dts" configure-job --name "bench-$label" --structure-init true --data-init false \
		--data-sync false --src-engine MySQL --src-host "$MY_HOST" --src-port "$MY_PORT" \
		--src-user "$MY_USER" --src-password-env SRC_PW "$@" \
		--reserve '{"targetTableMode":"0","autoStartModulesAfterConfig":"none"}' \
		--db-list "{\"bench_schema\":{\"name\":\"bench_schema_w$w\",\"all\":true}}" |
		sed -n 's/.*"DtsJobId":[[:space:]]*"\([^"]*\)".*/\1/p')
	t0=$(date +%s.%N)
	"$root/build/dts" start-job --job-id "$job" >/dev/null
	while :; do
		status=$("$root/build/dts" describe-job --job-id "$job" |
			sed -n 's/^[[:space:]]*"Status":[[:space:]]*"\([^"]*\)".*/\1/p' | head -1)
		case "$status" in Finished|*Failed) break ;; esac
		sleep 0.1
	done
	t1=$(date +%s.%N)
	total=$("$root/build/dts" precheck-status --job-id "$job" --job-code 02 --page-size 1 |
		sed -n 's/^[[:space:]]*"TotalRecordCount":[[:space:]]*\([0-9]*\).*/\1/p')
	printf '| %s | %s | %d | %s | %s | %s | %.2f | %s | %s |\n' "$label" "$w" "$n" "$total" \
		"$(step_seconds "$job" 'event=job.step.start .*code=02' 'event=job.step.end .*code=02')" \
		"$(step_seconds "$job" 'event=job.step.start .*code=02' 'event=schema.start')" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$status" \
		"$(step_seconds "$job" 'event=job.step.start .*code=01' 'event=job.step.end .*code=01')"
}

report() {
	echo "# Schema migration of a $n-table source (bench/bench_schema.sh)"
	echo
	echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, private harness servers, dtsd"
	echo "--step-workers as listed (0 = one per core, the default). Source: $n InnoDB tables,"
	echo "each with a primary key and two secondary indexes (a UNIQUE and a plain one, or two"
	echo "plain ones), a foreign key on every tenth table, a view per hundred tables. A"
	echo "schema-only job (StructureInitialization true, no data steps), so indexes and foreign"
	echo "keys are created right away (on MariaDB a table's keys go into its CREATE TABLE)."
	echo "*Schema step* is the time dtsd logged between the start and the end of step 02"
	echo "(reading the source catalog, rendering, creating every object, recording every item)."
	echo "*Planning* is its first part: reading the source catalog and the destination's names,"
	echo "rendering every DDL, reading the checkpoints and listing the items. *Job* is"
	echo "StartDtsJob until the job is Finished as the client saw it (precheck included, 100 ms"
	echo "polling). Target (issue 5): under 30 s for 2,000 tables."
	echo
	echo "| destination | step workers | tables | objects (items) | schema step (s) | of which planning (s) | job (s) | status | precheck (s) |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for w in $workers_list; do
		start_dtsd "$w"
		run_one PostgreSQL "$w" --dst-engine PostgreSQL --dst-host "$PG_HOST" \
			--dst-port "$PG_PORT" --dst-user "$PG_USER" --dst-password-env PG_PW \
			--dst-database "$PG_DATABASE"
		run_one MariaDB "$w" --dst-engine MySQL --dst-host "$MY_HOST" --dst-port "$MY_PORT" \
			--dst-user "$MY_USER" --dst-password-env SRC_PW
		stop_dtsd
	done
}
mkdir -p bench/results
report | tee bench/results/schema.md
