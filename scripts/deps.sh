#!/usr/bin/env bash
# Installs, with apt-get, only the Debian packages opendts needs that are missing.
# Idempotent: a machine that has everything runs no apt-get at all.
# Usage: scripts/deps.sh [--bench] [--fuzz]
#   --bench adds the reference tools of `make bench`
#   --fuzz  adds clang and its libFuzzer/sanitizer runtimes for `make fuzz`
set -euo pipefail

pkgs=(build-essential cmake pkg-config
      libmicrohttpd-dev libcjson-dev libxml2-dev libsqlite3-dev libmariadb-dev
      libpq-dev libssl-dev libcmocka-dev libcurl4-openssl-dev libxxhash-dev
      mariadb-server mariadb-client postgresql postgresql-client iproute2
      nodejs npm)
for arg in "$@"; do
  case "$arg" in
    --bench) pkgs+=(sysbench mydumper pgloader) ;;
    --fuzz)  pkgs+=(clang libclang-rt-dev) ;;
    *) echo "deps.sh: unknown option $arg (use --bench, --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm from Debian conflicts with a node that ships its own npm; accept any working npm.
if command -v npm >/dev/null 2>&1; then
  tmp=()
  for p in "${missing[@]}"; do [ "$p" = npm ] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages: ${missing[*]}" >&2
  echo "deps.sh: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged servers; opendts runs its own private ones.
for svc in mariadb postgresql; do
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
  service "$svc" stop >/dev/null 2>&1 || true
done
