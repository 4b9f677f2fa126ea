#!/usr/bin/env bash
# Benchmark: wall time of a full Redis doctor (1 s window) against 1 and 10 local servers.
# Starts its own redis-servers on free loopback ports and stops them at exit. Prints figures.
#   bash benches/doctor.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release -q
bin=target/release/statectl
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
urls=()
for i in $(seq 1 10); do
  port=$(free_port)
  mkdir -p "$tmp/$i"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --dir "$tmp/$i" --logfile "$tmp/$i/log" --daemonize no &
  pids+=($!)
  urls+=("--redis" "redis://127.0.0.1:$port")
done
for u in "${urls[@]}"; do
  [ "$u" = "--redis" ] && continue
  p=${u##*:}
  for _ in $(seq 1 100); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.05; done
done

measure() { # label, args...
  local label=$1; shift
  local best=999999 total=0
  for _ in $(seq 1 "$runs"); do
    local t0 t1 ms
    t0=$(date +%s%N)
    "$bin" doctor --format json --only 'redis.*' --sample 1s "$@" >/dev/null || true
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    total=$((total + ms)); (( ms < best )) && best=$ms
  done
  printf '%-28s runs=%d  mean=%5d ms  best=%5d ms\n' "$label" "$runs" $((total / runs)) "$best"
}
echo "statectl doctor --only 'redis.*' --sample 1s (release build, $(nproc) cores)"
measure "1 target" "${urls[@]:0:2}"
measure "10 targets" "${urls[@]}"
