#!/usr/bin/env bash
# make demo: starts private MariaDB + PostgreSQL under a temp folder, creates a
# sample "shop" database, starts dtsd, runs a migration job MariaDB -> PostgreSQL
# through the dts CLI with live progress, shows the result, and stops
# everything it started (also on Ctrl-C or failure).
#
# The steps this build has run for real; a step that is not built yet is
# left out of the job (see README.md), never faked.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

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

say "creating the sample database 'shop' in MariaDB"
MYSQL_PWD=$MY_PASSWORD mariadb --default-character-set=utf8mb4 -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" <<'SQL'
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
INSERT INTO product VALUES ('SKU-0001','Coffee beans',12.50,100),('SKU-0002','Teapot',30.00,7);
INSERT INTO orders (customer_id, sku, qty, note) VALUES (1,'SKU-0001',2,'gift'),(3,'SKU-0002',1,NULL);
SQL
echo "shop: customer, product, orders"

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
	--structure-init true --data-init false --data-sync false \
	--src-engine MySQL --src-host "$MY_HOST" --src-port "$MY_PORT" --src-user "$MY_USER" --src-password-env SRC_PW \
	--dst-engine PostgreSQL --dst-host "$PG_HOST" --dst-port "$PG_PORT" --dst-user "$PG_USER" --dst-password-env DST_PW \
	--dst-database "$PG_DATABASE" --db-list '{"shop":{"name":"shop","all":true}}' \
	| sed -n 's/.*"DtsJobId":[[:space:]]*"\([^"]*\)".*/\1/p')
echo "job $job (steps in this build: precheck and schema; full data and incremental are not built yet)"

say "starting the job and following its progress"
dts start-job --job-id "$job" >/dev/null
dts watch --job-id "$job" --interval 1

say "precheck items (DescribePreCheckStatus JobCode=01)"
dts precheck-status --job-id "$job" --job-code 01 -o table

say "migration assessment: what changes on the way to PostgreSQL (AnalysisJobProgress)"
dts precheck-status --job-id "$job" --job-code 01 --page-size 100 |
	sed -n 's/^[[:space:]]*"Item":[[:space:]]*"\(ANALYSIS_[^"]*\)".*/\1/p' | sort | uniq -c

say "schema objects created in PostgreSQL (DescribePreCheckStatus JobCode=02)"
dts precheck-status --job-id "$job" --job-code 02 --page-size 100 -o table
PGPASSWORD=$PG_PASSWORD psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" -c '\d shop.orders'

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

say "stopping dtsd and the database servers"
