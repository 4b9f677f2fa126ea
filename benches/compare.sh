#!/usr/bin/env bash
# statectl bench against redis-benchmark and pgbench, side by side on the same private servers,
# same settings, alternating, median of RUNS. Prints each figure and the ratios.
#   bash benches/compare.sh [runs]        (needs redis-server, redis-benchmark, PostgreSQL, pgbench)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release -q
bin=$PWD/target/release/statectl
tmp=$(mktemp -d)
chmod 755 "$tmp"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pgbin=$(dirname "$(readlink -f "$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | tail -1)")")
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
rport=$(free_port); pport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" --logfile "$tmp/redis.log" --daemonize yes
[ "$(id -u)" = 0 ] && chown postgres "$tmp"
as_pg "$pgbin/initdb" -D "$tmp/pg" -A trust -N >/dev/null
as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w -o "-p $pport -k $tmp -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
cleanup() { redis-cli -p "$rport" shutdown nosave >/dev/null 2>&1 || true; as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 50); do redis-cli -p "$rport" PING >/dev/null 2>&1 && break; sleep 0.1; done

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rb() { redis-benchmark -p "$rport" -c 50 "$@" --csv | awk -F'"' '/"GET"/ {print $4}'; }
sb() { "$bin" bench redis --redis "redis://127.0.0.1:$rport" -c 50 --workload get --keyspace 100000 --value-size 3 "$@" --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["rps"], r["latency_ms"]["p50"], r["latency_ms"]["p99"], r["client_cpu_percent"])'; }

# redis-benchmark's GET keys: seed the same 100k keys it reads (-r 100000, 3-byte values)
redis-benchmark -p "$rport" -t set -r 100000 -n 300000 -q >/dev/null 2>&1
echo "redis GET, 50 connections, 100k keys, 3-byte values (median of $runs; rps, p50 ms, p99 ms)"
for mode in "P1" "P16"; do
  if [ "$mode" = P1 ]; then n=500000; extra=(); else n=3000000; extra=(-P 16); fi
  s=(); r=()
  for _ in $(seq "$runs"); do
    s+=("$(sb -n "$n" "${extra[@]}")")
    r+=("$(rb -n "$n" -r 100000 -t get "${extra[@]}")")
  done
  s_rps=$(printf '%s\n' "${s[@]}" | awk '{print $1}' | median)
  r_rps=$(printf '%s\n' "${r[@]}" | median)
  printf '  %-4s statectl %9.0f rps (each run: %s)\n' "$mode" "$s_rps" "$(printf '%s\n' "${s[@]}" | awk '{printf "%.0f/p50 %s/p99 %s/cpu %.0f%%  ", $1, $2, $3, $4}')"
  printf '  %-4s redis-benchmark %9.0f rps (each run: %s)\n' "$mode" "$r_rps" "$(printf '%s ' "${r[@]}")"
  awk -v a="$s_rps" -v b="$r_rps" -v m="$mode" 'BEGIN {printf "  %-4s ratio statectl / redis-benchmark = %.2f\n", m, a/b}'
done

echo "postgres point reads by primary key, 16 connections, 10 s (median of $runs; tps)"
as_pg "$pgbin/pgbench" -h 127.0.0.1 -p "$pport" -i -s 10 postgres >/dev/null 2>&1
s=(); r=()
for _ in $(seq "$runs"); do
  s+=("$("$bin" bench postgres --postgres "host=127.0.0.1 port=$pport user=postgres dbname=postgres" -c 16 --depth 4 --read-ratio 1 --keyspace 1000000 --duration 10s --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["rps"])')")
  r+=("$(as_pg "$pgbin/pgbench" -h 127.0.0.1 -p "$pport" -S -M prepared -c 16 -j 2 -T 10 postgres 2>/dev/null | awk '/^tps/ {print $3}')")
done
s_tps=$(printf '%s\n' "${s[@]}" | median); r_tps=$(printf '%s\n' "${r[@]}" | median)
printf '  statectl bench postgres (4 in flight per connection) %9.0f  (each run: %s)\n' "$s_tps" "$(printf '%.0f ' "${s[@]}")"
printf '  pgbench -S -M prepared -c 16 -j 2                   %9.0f  (each run: %s)\n' "$r_tps" "$(printf '%.0f ' "${r[@]}")"
awk -v a="$s_tps" -v b="$r_tps" 'BEGIN {printf "  ratio statectl / pgbench = %.2f\n", a/b}'
