#!/usr/bin/env bash
# make bench: benchmarks of opendts against the reference tools, measured in
# the same run and reported as ratios (bench/results/). Never run by make test.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
benches=(bench/bench_*.sh)
if [ ${#benches[@]} -eq 0 ]; then
	echo "no benchmarks yet: the full-data step (JobCode 03) adds them"
	exit 0
fi
for b in "${benches[@]}"; do
	echo "== $b"
	bash "$b"
done
