#!/usr/bin/env bash
# statectl path beside mtr --report on the same routed path: three network namespaces (client,
# router with ip_forward, server), first clean, then with nftables on the server dropping 3 in
# 10 ICMP echo requests. Both send 10 rounds (20 with loss) at 200 ms.
#   sudo bash benches/path.sh   (needs root, iproute2, nftables, mtr-tiny)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=$PWD/target/release/statectl
t=stb$$
c=${t}c r=${t}r s=${t}s
trap 'for n in $c $r $s; do ip netns del $n 2>/dev/null || true; done' EXIT
ip netns add "$c"; ip netns add "$r"; ip netns add "$s"
ip -n "$c" link add e0 type veth peer name e0 netns "$r"
ip -n "$s" link add e0 type veth peer name e1 netns "$r"
ip -n "$c" addr add 10.77.1.1/24 dev e0; ip -n "$r" addr add 10.77.1.2/24 dev e0
ip -n "$r" addr add 10.77.2.1/24 dev e1; ip -n "$s" addr add 10.77.2.2/24 dev e0
for n in $c $r $s; do ip -n "$n" link set lo up; done
ip -n "$c" link set e0 up; ip -n "$r" link set e0 up; ip -n "$r" link set e1 up; ip -n "$s" link set e0 up
ip netns exec "$r" sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
ip -n "$c" route add default via 10.77.1.2; ip -n "$s" route add default via 10.77.2.1
run() {
  local rounds=$1
  echo "-- statectl path --protocol icmp --count $rounds --interval 200ms"
  /usr/bin/time -f '   (%e s)' ip netns exec "$c" "$bin" path 10.77.2.2 --protocol icmp --count "$rounds" --interval 200ms --color never
  echo "-- mtr --report -n -c $rounds -i 0.2"
  /usr/bin/time -f '   (%e s)' ip netns exec "$c" mtr --report -n -c "$rounds" -i 0.2 10.77.2.2
}
echo "== clean path"; run 10
ip netns exec "$s" nft 'add table inet stl; add chain inet stl in { type filter hook input priority 0; }; add rule inet stl in icmp type echo-request numgen random mod 10 < 3 drop'
echo "== 30% of echo requests dropped at the server"; run 20
