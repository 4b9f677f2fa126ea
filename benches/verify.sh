#!/usr/bin/env bash
# verify postgres against the baseline of one full-table hash per side, on a 1M-row table held by
# a private primary and its pg_basebackup standby on this machine (median of RUNS):
#   statectl verify postgres --table public.t   vs   SELECT md5(string_agg(t::text, '' ORDER BY id))
#   on the primary, then on the standby.
#   bash benches/verify.sh [runs] [rows]   (needs PostgreSQL; run as root or as the postgres user)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
rows=${2:-1000000}
cargo build --release -q
bin=$PWD/target/release/statectl
tmp=$(mktemp -d)
chmod 755 "$tmp"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pgbin=$(dirname "$(readlink -f "$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | tail -1)")")
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$tmp"
pp=$(free_port); rp=$(free_port)
as_pg "$pgbin/initdb" -D "$tmp/p" -A trust -N >/dev/null
as_pg "$pgbin/pg_ctl" -D "$tmp/p" -l "$tmp/p.log" -w -o "-p $pp -k $tmp -c listen_addresses=127.0.0.1" start >/dev/null
cleanup() {
  as_pg "$pgbin/pg_ctl" -D "$tmp/r" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$pgbin/pg_ctl" -D "$tmp/p" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
psql_p() { as_pg "$pgbin/psql" -h 127.0.0.1 -p "$pp" -U postgres -d postgres -X -qAt "$@"; }
psql_r() { as_pg "$pgbin/psql" -h 127.0.0.1 -p "$rp" -U postgres -d postgres -X -qAt "$@"; }
psql_p -c "CREATE TABLE t (id bigint PRIMARY KEY, owner text, balance numeric, seen timestamptz)"
psql_p -c "INSERT INTO t SELECT g, 'owner-' || g, g * 1.5, now() FROM generate_series(1, $rows) g"
psql_p -c "VACUUM ANALYZE t"
as_pg "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$pp" -U postgres -D "$tmp/r" -R --checkpoint=fast
as_pg "$pgbin/pg_ctl" -D "$tmp/r" -l "$tmp/r.log" -w -o "-p $rp -k $tmp -c listen_addresses=127.0.0.1" start >/dev/null
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
hash_both() {
  psql_p -c "SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM t"
  psql_r -c "SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM t"
}
hash_both_at_once() {
  psql_p -c "SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM t" & local a=$!
  psql_r -c "SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM t"
  wait "$a"
}
s=(); b=(); c=()
for _ in $(seq "$runs"); do
  s+=("$(ms "$bin" verify postgres --primary "host=127.0.0.1 port=$pp user=postgres" \
    --replica "host=127.0.0.1 port=$rp user=postgres" --table public.t --format json)")
  b+=("$(ms hash_both)")
  c+=("$(ms hash_both_at_once)")
done
sm=$(printf '%s\n' "${s[@]}" | median); bm=$(printf '%s\n' "${b[@]}" | median)
cm=$(printf '%s\n' "${c[@]}" | median)
echo "verify postgres of a $rows-row table, primary and standby on this machine (median of $runs, ms)"
printf '  statectl verify postgres (chunks of 10000, drill-down ready): %s ms (runs: %s)\n' "$sm" "${s[*]}"
printf '  md5(string_agg(t::text, '"''"' ORDER BY id)) on each side: %s ms (runs: %s)\n' "$bm" "${b[*]}"
printf '  the same on both sides at once (statectl also sums both sides at once): %s ms (runs: %s)\n' "$cm" "${c[*]}"
awk -v a="$sm" -v b="$bm" 'BEGIN {printf "  ratio statectl / baseline = %.2f (goal: at most 1.5)\n", a/b}'
awk -v a="$sm" -v c="$cm" 'BEGIN {printf "  ratio statectl / baseline at once = %.2f\n", a/c}'
