#!/usr/bin/env bash
# Redis Cluster, side by side in one run (median of RUNS, alternating):
#  1. statectl bench redis against redis-benchmark --cluster --threads T on the same 3-master
#     cluster: GET, -c 50, no pipelining, 100k keys.
#  2. statectl doctor of a 6-node cluster (3 masters, 3 replicas) from one seed, against the
#     doctor of one standalone redis-server, both with --sample 1s.
#   bash benches/cluster.sh [runs] [requests] ["thread counts"]   (needs redis-server, redis-cli, redis-benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
n=${2:-500000}
threads=${3:-"1 2"}
cargo build --release -q
bin=$PWD/target/release/statectl
tmp=$(mktemp -d)
pids=()
free_port() { python3 -c 'import socket
while True:
    s=socket.socket(); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]; s.close()
    if p < 55000: print(p); break'; }
node() { # dir port [extra...]
  local d=$tmp/$1 p=$2; shift 2; mkdir -p "$d"
  redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --dir "$d" --logfile "$d/log" --daemonize yes --pidfile "$d/pid" "$@"
  for _ in $(seq 100); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.05; done
}
cleanup() { for f in "$tmp"/*/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# --- 1. bench: a 3-master cluster
ports=(); for i in 1 2 3; do p=$(free_port); ports+=("$p"); node "m$i" "$p" --cluster-enabled yes --cluster-config-file nodes.conf; done
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-yes >/dev/null
for _ in $(seq 100); do
  ok=1; for p in "${ports[@]}"; do redis-cli -p "$p" CLUSTER INFO | grep -q cluster_state:ok || ok=0; done
  [ $ok = 1 ] && break; sleep 0.1
done
seed=${ports[0]}
# redis-benchmark --cluster reads key:{tag}__rand_int__ keys; seed them the same (100k, 3 bytes)
redis-benchmark --cluster -p "$seed" -t set -r 100000 -n 300000 -d 3 -q >/dev/null 2>&1
for th in $threads; do
echo "Redis Cluster (3 masters) GET, -c 50, no pipelining, $n requests, --threads $th for both (median of $runs)"
s=(); r=()
for _ in $(seq "$runs"); do
  s+=("$("$bin" bench redis --redis "redis://127.0.0.1:$seed" -c 50 -n "$n" --threads "$th" \
    --workload get --keyspace 100000 --value-size 3 --format json |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(round(r["rps"]), r["errors"], r["cluster"]["moved"])')")
  r+=("$(redis-benchmark --cluster -p "$seed" -c 50 -n "$n" --threads "$th" -r 100000 -t get --csv 2>/dev/null |
    awk -F'"' '/"GET"/ {print $4}')")
done
sr=$(printf '%s\n' "${s[@]}" | awk '{print $1}' | median); rr=$(printf '%s\n' "${r[@]}" | median)
printf '  statectl bench redis --threads %s             %9.0f rps (runs, rps/errors/moved: %s)\n' "$th" "$sr" "$(printf '%s; ' "${s[@]}")"
printf '  redis-benchmark --cluster --threads %s        %9.0f rps (runs: %s)\n' "$th" "$rr" "$(printf '%s ' "${r[@]}")"
awk -v a="$sr" -v b="$rr" 'BEGIN {printf "  ratio statectl / redis-benchmark = %.2f (goal: at least 1.2)\n", a/b}'
done
for p in "${ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done

# --- 2. doctor: a 6-node cluster from one seed against one standalone server
ports=(); for i in 1 2 3 4 5 6; do p=$(free_port); ports+=("$p"); node "c$i" "$p" --cluster-enabled yes --cluster-config-file nodes.conf; done
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 1 --cluster-yes >/dev/null
for _ in $(seq 200); do
  ok=1; for p in "${ports[@]}"; do redis-cli -p "$p" CLUSTER INFO | grep -q cluster_state:ok || ok=0; done
  [ $ok = 1 ] && break; sleep 0.1
done
sp=$(free_port); node standalone "$sp"
t() { local s e; s=$(date +%s%N); "$bin" doctor --redis "$1" --sample 1s --only 'redis.*,cluster.*' --format json >/dev/null || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
one=(); six=()
for _ in $(seq "$runs"); do one+=("$(t "redis://127.0.0.1:$sp")"); six+=("$(t "redis://127.0.0.1:${ports[0]}")"); done
o=$(printf '%s\n' "${one[@]}" | median); x=$(printf '%s\n' "${six[@]}" | median)
echo "doctor --sample 1s --only 'redis.*,cluster.*' (median of $runs, ms)"
printf '  one standalone node: %s ms (runs: %s)\n' "$o" "${one[*]}"
printf '  6-node cluster from one seed: %s ms (runs: %s)\n' "$x" "${six[*]}"
awk -v a="$x" -v b="$o" 'BEGIN {printf "  ratio cluster / standalone = %.2f (goal: at most 1.3)\n", a/b}'
