#!/usr/bin/env bash
# Full-data copy of a sysbench data set (issue 6, "Benchmark"): the reference
# tools, each run twice, interleaved, every run verified before its time counts.
# Starts private servers (scripts/harness.sh), runs sysbench oltp_read_write
# prepare into MariaDB database sbtest, then per round (1, 2) in this order:
#   my-mydumper   MariaDB -> MariaDB   mydumper -t 2 + myloader -t 2
#   my-outfile    MariaDB -> MariaDB   SELECT INTO OUTFILE + LOAD DATA INFILE into a
#                                      table without its secondary index, then
#                                      ADD INDEX; 2 tables in parallel
#   pg-pgloader   MariaDB -> PostgreSQL pgloader --with "prefetch rows = 10000"
#   pg-copy       MariaDB -> PostgreSQL SELECT INTO OUTFILE + \copy into a table
#                                      without keys, then PRIMARY KEY and index;
#                                      2 tables in parallel
# Wall time covers the whole copy including index builds (not the drop of the
# previous copy, not the verification). Verification, per table: MariaDB pairs
# compare COUNT(*) and CHECKSUM TABLE; PostgreSQL copies compare count(*) and
# the row checksum of bench/lib/full_verify.sh (sum over rows of the first 32
# bits of md5(id#k#c#pad), computed the same way on both engines). Round 1 also
# proves each verifier can fail: one row of the copy is changed, the check must
# fail, the row is restored and the check must pass again.
# The opendts run (and its ratio, and dtsd's peak RSS) is added with the
# full-data step (JobCode 03); until then its column says so.
# Usage: BENCH_FULL=1 [TABLES=8] [ROWS=250000] [ROUNDS=2] bench/bench_full.sh
# Result: bench/results/full.md (only when TABLES/ROWS are the defaults, else
# bench/results/full-<TABLES>x<ROWS>.md, so a quick check keeps the real table).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_FULL:-0}" != 1 ]; then
	echo "bench_full.sh: skipped (long: sysbench 8 x 250,000 rows, 4 tools x 2 runs);"
	echo "  enable with: BENCH_FULL=1 make bench   or   BENCH_FULL=1 bash bench/bench_full.sh"
	echo "  quick check: BENCH_FULL=1 TABLES=2 ROWS=20000 bash bench/bench_full.sh"
	exit 0
fi
TABLES=${TABLES:-8} ROWS=${ROWS:-250000} ROUNDS=${ROUNDS:-2}
PAR=2   # parallelism of every reference tool, as the issue states
for c in sysbench mydumper myloader pgloader mariadb psql; do
	command -v "$c" >/dev/null || { echo "bench_full.sh: missing $c (run: bash scripts/deps.sh --bench)" >&2; exit 1; }
done
. bench/lib/full_verify.sh

work=$(mktemp -d /tmp/opendts-benchfull.XXXXXX)
cleanup() {
	bash scripts/harness.sh stop "$work/servers" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
bash scripts/harness.sh start "$work/servers" >/dev/null
set -a; . "$work/servers/env"; set +a

my() { MYSQL_PWD=$MY_PASSWORD mariadb -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -N -B "$@"; }
pg() {   # pg DB SQL...
	local db=$1; shift
	PGPASSWORD=$PG_PASSWORD PGOPTIONS="-c client_min_messages=warning" psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" \
		-U "$PG_USER" -d "$db" "$@"
}
now() { date +%s.%N; }

echo "bench_full: sysbench prepare $TABLES x $ROWS" >&2
my -e "CREATE DATABASE sbtest"
t0=$(now)
sysbench oltp_read_write --mysql-host="$MY_HOST" --mysql-port="$MY_PORT" --mysql-user="$MY_USER" \
	--mysql-password="$MY_PASSWORD" --mysql-db=sbtest --tables="$TABLES" --table-size="$ROWS" \
	--threads="$PAR" prepare >"$work/sysbench.log"
prepare_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
src_mb=$(my -e "SELECT ROUND(SUM(data_length + index_length) / 1048576) FROM information_schema.tables WHERE table_schema = 'sbtest'")

# ------------------------------------------------------------------ the four tools
# Each takes the round number and copies sbtest into its own destination.

run_mydumper() {
	local r=$1 dir=$work/dump
	rm -rf "$dir"
	mydumper -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -p "$MY_PASSWORD" -B sbtest -t "$PAR" \
		-o "$dir" -v 1 >>"$work/mydumper.log" 2>&1
	myloader -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -p "$MY_PASSWORD" -d "$dir" \
		-s sbtest -B "md_$r" -t "$PAR" -v 1 >>"$work/mydumper.log" 2>&1
}

my_outfile_table() {   # my_outfile_table ROUND I: one table, export to index build
	local r=$1 i=$2 f=$work/files/my_$1_$2.tsv
	my -e "SELECT * INTO OUTFILE '$f' FROM sbtest.sbtest$i;
		SET SESSION sql_log_bin = 0;
		CREATE TABLE of_$r.sbtest$i LIKE sbtest.sbtest$i;
		ALTER TABLE of_$r.sbtest$i DROP INDEX k_$i;
		LOAD DATA INFILE '$f' INTO TABLE of_$r.sbtest$i;
		ALTER TABLE of_$r.sbtest$i ADD INDEX k_$i (k);"
	rm -f "$f"
}

pg_copy_table() {   # pg_copy_table ROUND I
	local r=$1 i=$2 f=$work/files/pg_$1_$2.tsv
	my -e "SELECT * INTO OUTFILE '$f' FROM sbtest.sbtest$i"
	pg "cp_$r" -c "CREATE TABLE sbtest$i (id integer NOT NULL, k integer NOT NULL DEFAULT 0,
		c char(120) NOT NULL DEFAULT '', pad char(60) NOT NULL DEFAULT '')" \
		-c "\\copy sbtest$i FROM '$f'" \
		-c "ALTER TABLE sbtest$i ADD PRIMARY KEY (id)" \
		-c "CREATE INDEX k_$i ON sbtest$i (k)"
	rm -f "$f"
}

lanes() {   # lanes FUNC ROUND: tables 1..TABLES over PAR lanes, table i in lane i % PAR
	local fn=$1 r=$2 l i pids=() rc=0
	mkdir -p "$work/files"; chmod 777 "$work/files"
	for ((l = 0; l < PAR; l++)); do
		( for ((i = 1; i <= TABLES; i++)); do
			[ $((i % PAR)) -eq "$l" ] && "$fn" "$r" "$i"
		  done; true ) &
		pids+=($!)
	done
	for l in "${pids[@]}"; do wait "$l" || rc=1; done
	return $rc
}

run_my_outfile() { my -e "CREATE DATABASE of_$1"; lanes my_outfile_table "$1"; }
run_pg_copy() { pg postgres -c "CREATE DATABASE cp_$1"; lanes pg_copy_table "$1"; }

run_pgloader() {
	local r=$1
	pg postgres -c "CREATE DATABASE pgl_$r"
	pgloader --no-ssl-cert-verification --with "prefetch rows = 10000" \
		"mysql://$MY_USER:$MY_PASSWORD@$MY_HOST:$MY_PORT/sbtest" \
		"postgresql://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/pgl_$r" >>"$work/pgloader.log" 2>&1
}

# destination of each tool in round R: "my DB" or "pg DB SCHEMA"
dest() {
	case $1 in
	my-mydumper) echo "my md_$2" ;;
	my-outfile) echo "my of_$2" ;;
	pg-pgloader) echo "pg pgl_$2 sbtest" ;;   # pgloader keeps the MySQL database as schema
	pg-copy) echo "pg cp_$2 public" ;;
	esac
}
drop_dest() {   # drop_dest TOOL ROUND
	local d; read -ra d <<<"$(dest "$1" "$2")"
	if [ "${d[0]}" = my ]; then my -e "DROP DATABASE IF EXISTS ${d[1]}"
	else pg postgres -c "DROP DATABASE IF EXISTS ${d[1]}"; fi
}
verify_dest() {   # verify_dest TOOL ROUND: 0 when every table matches the source
	local d; read -ra d <<<"$(dest "$1" "$2")"
	if [ "${d[0]}" = my ]; then fv_verify_my "${d[1]}"; else fv_verify_pg "${d[1]}" "${d[2]}"; fi
}

# selftest TOOL ROUND: change one row of the copy, the check must fail; restore, it must pass
selftest() {
	local d ok=yes; read -ra d <<<"$(dest "$1" "$2")"
	local upd="UPDATE sbtest1 SET k = k + 1 WHERE id = 1" undo="UPDATE sbtest1 SET k = k - 1 WHERE id = 1"
	if [ "${d[0]}" = my ]; then my "${d[1]}" -e "$upd"; else pg "${d[1]}" -c "SET search_path = ${d[2]}" -c "$upd"; fi
	if verify_dest "$1" "$2" 2>>"$work/selftest.log"; then ok=no; fi
	if [ "${d[0]}" = my ]; then my "${d[1]}" -e "$undo"; else pg "${d[1]}" -c "SET search_path = ${d[2]}" -c "$undo"; fi
	verify_dest "$1" "$2" 2>>"$work/selftest.log" || ok=no
	echo "$ok"
}

tools=(my-mydumper my-outfile pg-pgloader pg-copy)
declare -A fn=([my-mydumper]=run_mydumper [my-outfile]=run_my_outfile
	[pg-pgloader]=run_pgloader [pg-copy]=run_pg_copy)
declare -A label=([my-mydumper]="mydumper -t 2 + myloader -t 2|MariaDB → MariaDB"
	[my-outfile]="INTO OUTFILE + LOAD DATA + ADD INDEX (2 parallel)|MariaDB → MariaDB"
	[pg-pgloader]="pgloader (prefetch rows = 10000)|MariaDB → PostgreSQL"
	[pg-copy]="INTO OUTFILE + \\copy + PK/index (2 parallel)|MariaDB → PostgreSQL")
rows=() selftests=() failures=0

for ((r = 1; r <= ROUNDS; r++)); do
	for t in "${tools[@]}"; do
		echo "bench_full: round $r: $t" >&2
		drop_dest "$t" $((r - 1))
		note=""
		for attempt in 1 2 3; do
			: >"$work/attempt.log"
			t0=$(now)
			rc=0; "${fn[$t]}" "$r" 2>>"$work/attempt.log" || rc=$?
			secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
			# pgloader 3.6.7 on SBCL 2.2 crashes now and then in its log/monitor thread
			# ("Failed to start the monitor thread. Invalid index 1 for (SIMPLE-ARRAY
			# (UNSIGNED-BYTE 32) (1))", dimitri/pgloader#1380): retry from scratch, say so
			if [ $rc -ne 0 ] && [ "$t" = pg-pgloader ] &&
				tail -n 5 "$work/pgloader.log" | grep -q "Failed to start the monitor thread"; then
				note="${note:+$note, }crash ${secs}s"
				echo "bench_full: pgloader crashed (pgloader#1380), retrying" >&2
				drop_dest "$t" "$r"
				continue
			fi
			break
		done
		ok=no
		if [ $rc -eq 0 ] && verify_dest "$t" "$r" 2>>"$work/verify.log"; then ok=yes; fi
		[ $rc -eq 0 ] || echo "bench_full: $t exited $rc" >&2
		[ "$ok" = yes ] || { failures=$((failures + 1)); secs="($secs)"; }
		rows+=("| ${label[$t]} | $r | $secs | $ok | ${note:+retried after pgloader#1380 ($note)} | opendts not built yet — issue 6 |")
		if [ "$r" -eq 1 ] && [ "$ok" = yes ]; then
			selftests+=("$t: corrupted row detected and restored copy passes: $(selftest "$t" "$r")")
		fi
	done
done
for t in "${tools[@]}"; do drop_dest "$t" "$ROUNDS"; done

report() {
	echo "# Full-data copy, reference tools (bench/bench_full.sh)"
	echo
	echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, private harness servers (scripts/harness.sh:"
	echo "innodb_buffer_pool_size=256M, PostgreSQL 15 with fsync off). Source: sysbench"
	echo "oltp_read_write prepare, $TABLES tables × $ROWS rows (${src_mb} MB data + index in"
	echo "InnoDB; prepare took ${prepare_s} s). Rounds run interleaved (each tool once, then again)."
	echo "Wall time: the whole copy including index builds; a time in parentheses did not verify"
	echo "(or the tool failed) and does not count. pgloader runs that crashed with its known"
	echo "SBCL thread bug (dimitri/pgloader#1380) are rerun from scratch; the note says so."
	echo "Verified: per table, row count and checksum equal to the source"
	echo "(MariaDB: CHECKSUM TABLE; PostgreSQL: sum over rows of the first 32 bits of"
	echo "md5(concat_ws('#', id, k, c, pad)), the same expression on both engines)."
	echo "Versions: $(mydumper --version 2>&1 | head -1); $(pgloader --version 2>&1 | head -1);"
	echo "$(sysbench --version); MariaDB $(my -e 'SELECT VERSION()'); PostgreSQL $(pg postgres -c 'SHOW server_version')."
	echo
	echo "| tool | direction | run | wall time (s) | verified | note | tool ÷ opendts |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Verifier self-test (round 1: one row changed in the copy must fail the check):"
	echo
	printf -- '- %s\n' "${selftests[@]}"
}
mkdir -p bench/results
out=bench/results/full.md
[ "$TABLES" = 8 ] && [ "$ROWS" = 250000 ] || out=bench/results/full-${TABLES}x${ROWS}.md
report | tee "$out"
if [ $failures -ne 0 ]; then
	echo "bench_full: $failures run(s) failed to verify; logs:" >&2
	tail -n 20 "$work"/*.log >&2 || true
	exit 1
fi
