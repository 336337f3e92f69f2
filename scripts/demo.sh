#!/usr/bin/env bash
# make demo: starts private MariaDB + PostgreSQL under a temp folder, creates a
# sample "shop" database (3 tables, about 200,000 orders), starts dtsd, runs a
# migration job MariaDB -> PostgreSQL through the dts CLI (precheck, schema, full
# data) with live progress, shows the precheck, the assessment, the schema objects,
# the full-data items (rows copied and DiffRow per table) and checks the copy on
# its own (row counts on both sides), then stops everything it started (also on
# Ctrl-C or failure). Takes well under a minute.
#
# Only steps this build runs for real are in the job: incremental sync (step 04)
# is left out until it is built (see README.md), never faked.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
demo_t0=$SECONDS

work=$(mktemp -d /tmp/opendts-demo.XXXXXX)
hdir="$work/servers"
dtsd_pid=
cleanup() {
	[ -n "$dtsd_pid" ] && kill "$dtsd_pid" 2>/dev/null && wait "$dtsd_pid" 2>/dev/null || true
	bash scripts/harness.sh stop "$hdir" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting private MariaDB and PostgreSQL under $work"
bash scripts/harness.sh start "$hdir" >/dev/null
set -a; . "$hdir/env"; set +a
echo "MariaDB 127.0.0.1:$MY_PORT   PostgreSQL 127.0.0.1:$PG_PORT"

my() { MYSQL_PWD=$MY_PASSWORD mariadb --default-character-set=utf8mb4 -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" "$@"; }
pg() { PGPASSWORD=$PG_PASSWORD psql -X -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" "$@"; }

say "creating the sample database 'shop' in MariaDB"
# A few hand-written rows (one with an emoji, one NULL), then generated ones from
# MariaDB's sequence engine (seq_1_to_N): 2,000 customers, 200 products, 200,000 orders.
my <<'SQL'
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE customer (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL,
  email VARCHAR(200), created DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB;
CREATE TABLE product (sku CHAR(12) PRIMARY KEY, title VARCHAR(200) NOT NULL,
  price DECIMAL(12,2) NOT NULL, stock INT NOT NULL DEFAULT 0) ENGINE=InnoDB;
CREATE TABLE orders (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, customer_id INT UNSIGNED NOT NULL,
  sku CHAR(12) NOT NULL, qty INT NOT NULL, note TEXT,
  FOREIGN KEY (customer_id) REFERENCES customer(id), FOREIGN KEY (sku) REFERENCES product(sku)) ENGINE=InnoDB;
INSERT INTO customer (name, email) VALUES ('Ada','ada@example.com'),('Lin','lin@example.com'),('Zoë 🚀',NULL);
INSERT INTO customer (name, email, created)
  SELECT CONCAT('Customer ', seq), CONCAT('customer', seq, '@example.com'),
         TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq * 3001 SECOND
  FROM seq_1_to_1997;
INSERT INTO product VALUES ('SKU-0001','Coffee beans',12.50,100),('SKU-0002','Teapot',30.00,7);
INSERT INTO product
  SELECT CONCAT('SKU-', LPAD(seq, 4, '0')), CONCAT('Product ', seq), 1 + (seq * 37 % 9000) / 100, seq % 50
  FROM seq_3_to_200;
INSERT INTO orders (customer_id, sku, qty, note)
  SELECT 1 + seq * 7919 % 2000, CONCAT('SKU-', LPAD(1 + seq * 31 % 200, 4, '0')), 1 + seq % 5,
         IF(seq % 10 = 0, CONCAT('gift #', seq), NULL)
  FROM seq_1_to_200000;
SQL
my -N -B -e "SELECT CONCAT(table_name, ': ', table_rows, ' rows (estimate)') FROM information_schema.tables
	WHERE table_schema = 'shop' ORDER BY table_name" | sed 's/^/  /'

say "starting dtsd"
export DTS_ACCESS_KEY_ID=LTAIdemo0000000000000 DTS_ACCESS_KEY_SECRET=demo-secret-not-for-production
"$root/build/dtsd" --data-dir "$work/dtsd-data" --listen 127.0.0.1:0 --port-file "$work/port" \
	--log-level warn --connect-timeout 5 &
dtsd_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "dtsd did not start" >&2; exit 1; }
export DTS_ENDPOINT="http://127.0.0.1:$(cat "$work/port")"
echo "dtsd listening on $DTS_ENDPOINT"
dts() { "$root/build/dts" "$@"; }

say "configuring the job shop (MariaDB) -> PostgreSQL"
export SRC_PW=$MY_PASSWORD DST_PW=$PG_PASSWORD
job=$(dts configure-job --name shop-to-postgres --job-type MIGRATION \
	--structure-init true --data-init true --data-sync false \
	--src-engine MySQL --src-host "$MY_HOST" --src-port "$MY_PORT" --src-user "$MY_USER" --src-password-env SRC_PW \
	--dst-engine PostgreSQL --dst-host "$PG_HOST" --dst-port "$PG_PORT" --dst-user "$PG_USER" --dst-password-env DST_PW \
	--dst-database "$PG_DATABASE" --db-list '{"shop":{"name":"shop","all":true}}' \
	--reserve '{"opendts.full.chunkRows":"20000","dts.datamove.source.rps.max":"50000"}' \
	| sed -n 's/.*"DtsJobId":[[:space:]]*"\([^"]*\)".*/\1/p')
echo "job $job: precheck, schema, full data (incremental sync is not built yet)"
echo "Reserve: chunks of 20,000 rows, and at most 50,000 rows/s (dts.datamove.source.rps.max)"
echo "so that the progress can be followed; without the limit the copy runs as fast as the servers allow"

say "starting the job and following its progress"
job_t0=$SECONDS
dts start-job --job-id "$job" >/dev/null
dts watch --job-id "$job" --interval 1
job_s=$((SECONDS - job_t0))

say "precheck items (DescribePreCheckStatus JobCode=01)"
dts precheck-status --job-id "$job" --job-code 01 -o table

say "migration assessment: what changes on the way to PostgreSQL (AnalysisJobProgress)"
dts precheck-status --job-id "$job" --job-code 01 --page-size 100 |
	sed -n 's/^[[:space:]]*"Item":[[:space:]]*"\(ANALYSIS_[^"]*\)".*/\1/p' | sort | uniq -c

say "schema objects created in PostgreSQL (DescribePreCheckStatus JobCode=02)"
dts precheck-status --job-id "$job" --job-code 02 --page-size 100 -o table
pg -c '\d shop.orders'

say "full data: one item per table (DescribePreCheckStatus JobCode=03)"
dts precheck-status --job-id "$job" --job-code 03 --page-size 100 >"$work/full.json"
# item_rows FILE: "db.table<TAB>target<TAB>rows<TAB>DiffRow<TAB>State" per item of the reply's
# JobProgress (the CLI pretty-prints one key per line; depth is tracked outside strings).
item_rows() {
	awk '
	function val(v) { sub(/,[ \t]*$/, "", v); gsub(/^"|"$/, "", v); return v }
	{
		s = $0; gsub(/"([^"\\]|\\.)*"/, "\"\"", s)
		if (match($0, /^[ \t]*"[A-Za-z]+":/)) {
			k = substr($0, RSTART, RLENGTH); gsub(/[ \t":]/, "", k)
			v = substr($0, RSTART + RLENGTH); sub(/^[ \t]*/, "", v)
			if (depth == 1) injp = (k == "JobProgress")
			else if (depth == 2 && injp) f[k] = val(v)
		}
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "{") { depth++; if (depth == 2 && injp) split("", f) }
			else if (c == "}") {
				if (depth == 2 && injp)
					printf "%s\t%s.%s\t%s\t%s\t%s\n", f["Names"], f["DestSchema"], f["TargetNames"], f["Current"], f["DiffRow"], f["State"]
				depth--
			}
		}
	}' "$1"
}
item_rows "$work/full.json" >"$work/full.tsv"
awk -F'\t' 'BEGIN { printf "  %-16s %-20s %12s %8s  %s\n", "table", "destination", "rows", "DiffRow", "State" }
	{ printf "  %-16s %-20s %12s %8s  %s\n", $1, $2, $3, $4, $5 }' "$work/full.tsv"

say "verification: opendts' own check (DiffRow) and the demo's independent row counts"
ok=yes
printf '  %-16s %12s %8s %14s %16s  %s\n' table "rows copied" DiffRow "MariaDB rows" "PostgreSQL rows" result
while IFS=$'\t' read -r name target rows diff state; do
	src=$(my -N -B -e "SELECT COUNT(*) FROM $name")
	dst=$(pg -A -t -c "SELECT count(*) FROM $target")
	res=ok
	[ "$state" = Success ] && [ "$diff" = 0 ] && [ "$rows" = "$src" ] && [ "$src" = "$dst" ] || { res=MISMATCH; ok=no; }
	printf '  %-16s %12s %8s %14s %16s  %s\n' "$name" "$rows" "$diff" "$src" "$dst" "$res"
done <"$work/full.tsv"
[ -s "$work/full.tsv" ] || ok=no
total=$(awk -F'\t' '{ n += $3 } END { print n + 0 }' "$work/full.tsv")
echo "  $(wc -l <"$work/full.tsv") tables, $total rows copied; the whole job took $job_s s (precheck, schema, full data at most 50,000 rows/s, verification, indexes)"
# content spot check: the sums of two columns of orders on both sides
my_sum=$(my -N -B -e "SELECT CONCAT(SUM(qty), ' ', SUM(customer_id)) FROM shop.orders")
pg_sum=$(pg -A -t -F ' ' -c "SELECT sum(qty), sum(customer_id) FROM shop.orders")
echo "  orders sum(qty) sum(customer_id): MariaDB $my_sum, PostgreSQL $pg_sum"
[ "$my_sum" = "$pg_sum" ] || ok=no
if [ "$ok" = yes ]; then
	echo "  verification: every table copied completely, DiffRow 0, counts and sums equal on both sides"
else
	echo "  verification FAILED: see the rows above" >&2
	exit 1
fi

say "the job (DescribeDtsJobDetail)"
dts describe-job --job-id "$job" -o table | head -30

say "a job with a wrong source password fails its precheck, with the reason"
SRC_PW=wrong
bad=$(dts configure-job --name wrong-password --structure-init false --data-init false --data-sync false \
	--src-engine MySQL --src-host "$MY_HOST" --src-port "$MY_PORT" --src-user "$MY_USER" --src-password-env SRC_PW \
	--dst-engine PostgreSQL --dst-host "$PG_HOST" --dst-port "$PG_PORT" --dst-user "$PG_USER" --dst-password-env DST_PW \
	--dst-database "$PG_DATABASE" --db-list '{"shop":{"name":"shop","all":true}}' \
	| sed -n 's/.*"DtsJobId":[[:space:]]*"\([^"]*\)".*/\1/p')
dts start-job --job-id "$bad" >/dev/null
dts watch --job-id "$bad" --interval 1 || true
dts precheck-status --job-id "$bad" --job-code 01 -o table

say "demo done in $((SECONDS - demo_t0)) s; stopping dtsd and the database servers"
