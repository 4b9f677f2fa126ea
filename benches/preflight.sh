#!/usr/bin/env bash
# statectl preflight's wall time on this node with no server running, beside the same looks
# taken by hand (uname, the servers' --version, openssl version, nginx -v, haproxy -v, sysctl, ss,
# free, lsblk, the default-route NIC's speed, id).
#   bash benches/preflight.sh [runs]   (goal: preflight under 200 ms)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-11}
cargo build --release -q
bin=$PWD/target/release/statectl
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
preflight() { "$bin" preflight --format json; }
pg() { for p in postgres /usr/lib/postgresql/*/bin/postgres; do command -v "$p" >/dev/null && { "$p" --version; return; }; done; pg_config --version; }
by_hand() {
  uname -r; redis-server --version; pg; openssl version
  nginx -v 2>&1 || true; haproxy -v 2>&1 || true
  sysctl -n net.core.somaxconn net.ipv4.tcp_max_syn_backlog vm.overcommit_memory
  ss -ltnp '( sport = :6379 or sport = :26379 or sport = :5432 )'
  free -b; lsblk -d -o NAME,ROTA
  cat "/sys/class/net/$(ip route show default | awk '{print $5; exit}')/speed" 2>/dev/null || true
  id -u
}
p=(); h=()
for _ in $(seq "$runs"); do p+=("$(ms preflight)"); h+=("$(ms by_hand)"); done
echo "preflight on this node, no server running (median of $runs, ms)"
printf '  statectl preflight: %s ms (runs: %s) (goal: under 200)\n' "$(printf '%s\n' "${p[@]}" | median)" "${p[*]}"
printf '  by hand (uname, 3 --version, openssl, nginx -v, haproxy -v, sysctl, ss, free, lsblk, NIC speed, id): %s ms (runs: %s)\n' "$(printf '%s\n' "${h[@]}" | median)" "${h[*]}"
