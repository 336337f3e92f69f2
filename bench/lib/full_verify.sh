# Verification of a copy of the sysbench tables (sourced by bench/bench_full.sh).
# Needs from the caller: the functions my (mariadb client, -N -B) and pg (pg DB SQL...),
# and TABLES. The source is MariaDB database sbtest, tables sbtest1..sbtest$TABLES with the
# sysbench columns (id, k, c, pad). Source figures are computed once and cached.
#
# Row checksum used across engines (equal for equal data on both):
#   sum over rows of the first 32 bits of md5(concat_ws('#', id, k, c, pad)), as an unsigned
#   integer; MariaDB: CAST(CONV(LEFT(MD5(...), 8), 16, 10) AS UNSIGNED) (exact DECIMAL sum); PostgreSQL:
#   ('x' || left(md5(...), 8))::bit(32)::bigint (bit(32) -> bigint is unsigned).
# MariaDB reads CHAR(n) without its trailing pad spaces; PostgreSQL's concat_ws keeps the
# padding of char(n), so c and pad are cast to text there (bpchar -> text drops it; a no-op
# when the copy made them varchar/text). Integers print the same on both, so the string is
# the same; the sum does not depend on the row order. (Trailing spaces that were part of a
# CHAR value are lost on both engines: this check cannot see them, nor can CHECKSUM TABLE.)

declare -A fv_src_ck=() fv_src_row=()

fv_my_rowsum() {   # fv_my_rowsum DB TABLE: "count sum"
	my -e "SELECT COUNT(*), COALESCE(SUM(CAST(CONV(LEFT(MD5(CONCAT_WS('#', id, k, c, pad)), 8), 16, 10) AS UNSIGNED)), 0)
		FROM \`$1\`.\`$2\`" | tr '\t' ' '
}

fv_pg_rowsum() {   # fv_pg_rowsum DB SCHEMA TABLE: "count sum"
	pg "$1" -F ' ' -c "SELECT count(*), coalesce(sum(('x' || left(md5(concat_ws('#', id, k, c::text, pad::text)), 8))::bit(32)::bigint), 0)
		FROM \"$2\".\"$3\""
}

fv_my_check() {   # fv_my_check DB TABLE: "count checksum"
	echo "$(my -e "SELECT COUNT(*) FROM \`$1\`.\`$2\`") $(my -e "CHECKSUM TABLE \`$1\`.\`$2\`" | cut -f2)"
}

# fv_verify_my DB: every table of DB equals sbtest (COUNT(*) and CHECKSUM TABLE)
fv_verify_my() {
	local i t got rc=0
	for ((i = 1; i <= TABLES; i++)); do
		t=sbtest$i
		[ -n "${fv_src_ck[$t]:-}" ] || fv_src_ck[$t]=$(fv_my_check sbtest "$t")
		got=$(fv_my_check "$1" "$t" 2>&1) || true
		if [ "$got" != "${fv_src_ck[$t]}" ]; then
			echo "verify: $1.$t: count/checksum '$got', source '${fv_src_ck[$t]}'" >&2
			rc=1
		fi
	done
	return $rc
}

# fv_verify_pg DB SCHEMA: every table of DB.SCHEMA equals sbtest (count(*) and row checksum)
fv_verify_pg() {
	local i t got rc=0
	for ((i = 1; i <= TABLES; i++)); do
		t=sbtest$i
		[ -n "${fv_src_row[$t]:-}" ] || fv_src_row[$t]=$(fv_my_rowsum sbtest "$t")
		got=$(fv_pg_rowsum "$1" "$2" "$t" 2>&1) || true
		if [ "$got" != "${fv_src_row[$t]}" ]; then
			echo "verify: $1.$2.$t: count/rowsum '$got', source '${fv_src_row[$t]}'" >&2
			rc=1
		fi
	done
	return $rc
}
