# Sourced by the bench_*.sh scripts: a temp folder ($work), private MariaDB +
# PostgreSQL started there (their MY_* / PG_* variables exported), and a trap
# that stops them and a dtsd started by the script ($dtsd_pid) on exit.
work=$(mktemp -d /tmp/opendts-bench.XXXXXX)
dtsd_pid=
bench_cleanup() {
	[ -n "$dtsd_pid" ] && kill "$dtsd_pid" 2>/dev/null && wait "$dtsd_pid" 2>/dev/null || true
	bash scripts/harness.sh stop "$work/servers" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap bench_cleanup EXIT
bash scripts/harness.sh start "$work/servers" >/dev/null
set -a; . "$work/servers/env"; set +a
