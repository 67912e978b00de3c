#!/usr/bin/env bash
# How long `make run` takes on a fresh clone, from `make` to the first page
# served, and how much of it the install is: once with empty package caches (cold: uv and every dependency come
# from the registry) and once more on another fresh clone with the caches the
# first run filled (warm). The README quotes both figures.
#
#   bench/make_run_time.sh [REPO]     # REPO defaults to this checkout (its HEAD)
#
# PORT (default 8765) is where the served portal is polled; OUT (default
# bench/out/make-run) holds the clones, the caches and each run's log.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="${1:-$here}"
port="${PORT:-8765}"
out="${OUT:-$here/bench/out/make-run}"
timeout_s="${TIMEOUT:-900}"

rm -rf "$out"
mkdir -p "$out/cache"
# Private caches, so "cold" is truly empty and the machine's caches stay untouched.
export UV_CACHE_DIR="$out/cache/uv" PIP_CACHE_DIR="$out/cache/pip"
unset VIRTUAL_ENV DATABASE_URL REDIS_URL

now() { date +%s.%N; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.1f", e - s }'; }

measure() {
  local name="$1" clone="$out/$1"
  git clone --quiet "$repo" "$clone"
  local start installed end pid
  start=$(now)
  # The install alone first (what the lock and the cache change), then the rest
  # of make run: migrate, translations, demo data, first page.
  make -C "$clone" install >"$out/$name-install.log" 2>&1
  installed=$(now)
  # A process group of its own, so the server and make stop together.
  setsid make -C "$clone" run PORT="$port" >"$out/$name.log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/healthz/"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "make run stopped before serving; see $out/$name.log" >&2
      exit 1
    fi
    if (($(date +%s) - ${start%.*} > timeout_s)); then
      kill -- -"$pid" || true
      echo "make run did not serve within ${timeout_s}s; see $out/$name.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  end=$(now)
  kill -- -"$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$name: make run on a fresh clone to its first page $(secs "$start" "$end") s" \
    "(install $(secs "$start" "$installed") s, migrate + demo + serve $(secs "$installed" "$end") s)"
}

measure cold
measure warm
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
