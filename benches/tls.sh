#!/usr/bin/env bash
# statectl bench redis against redis-benchmark --tls on the same private TLS-only redis-server
# (port 0, TLS 1.3, a CA and leaf made here with openssl), GET at -c 50 without pipelining,
# alternating, median of RUNS. Client CPU per request is each process's user+sys CPU (getrusage
# of the child) over the requests it made, the same way for both. Also times `statectl doctor`'s
# TLS handshake per target (redis.tls evidence handshake_ms).
#   bash benches/tls.sh [runs] [requests]   (needs redis-server, redis-benchmark with TLS, openssl)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
n=${2:-300000}
cargo build --release -q
bin=$PWD/target/release/statectl
tmp=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# a CA and a server certificate for 127.0.0.1 it signs
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 400 -subj /CN=bench-ca \
  -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tmp/ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 365 -extfile "$tmp/ext" -out "$tmp/server.crt" 2>/dev/null
port=$(free_port)
redis-server --port 0 --tls-port "$port" --tls-cert-file "$tmp/server.crt" --tls-key-file "$tmp/server.key" \
  --tls-ca-cert-file "$tmp/ca.crt" --tls-auth-clients no --tls-protocols TLSv1.3 \
  --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" --logfile "$tmp/redis.log" --daemonize yes
cli() { redis-cli --tls --cacert "$tmp/ca.crt" -p "$port" "$@"; }
cleanup() { cli shutdown nosave >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 50); do cli PING >/dev/null 2>&1 && break; sleep 0.1; done

# runs a command; prints its stdout, then its CPU seconds (user+sys, children) on the last line
cpu() { python3 - "$@" <<'PY'
import resource, subprocess, sys
out = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(out.strip())
print(u.ru_utime + u.ru_stime)
PY
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cli DEBUG SET-ACTIVE-EXPIRE 1 >/dev/null 2>&1 || true
# the same 100k keys for both (redis-benchmark reads key:__rand_int__, statectl its own keyspace)
redis-benchmark --tls --cacert "$tmp/ca.crt" -p "$port" -t set -r 100000 -n 300000 -q >/dev/null 2>&1
echo "redis GET over TLS 1.3, -c 50, no pipelining, $n requests (median of $runs)"
s_rps=(); s_cpu=(); r_rps=(); r_cpu=()
for _ in $(seq "$runs"); do
  out=$(cpu "$bin" bench redis --redis "rediss://127.0.0.1:$port" --tls-ca "$tmp/ca.crt" -c 50 -n "$n" \
    --workload get --keyspace 100000 --value-size 3 --format json)
  s_rps+=("$(echo "$out" | head -n -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["rps"])')")
  s_cpu+=("$(echo "$out" | tail -1)")
  out=$(cpu redis-benchmark --tls --cacert "$tmp/ca.crt" -p "$port" -c 50 -n "$n" -r 100000 -t get --csv)
  r_rps+=("$(echo "$out" | awk -F'"' '/"GET"/ {print $4}')")
  r_cpu+=("$(echo "$out" | tail -1)")
done
sr=$(printf '%s\n' "${s_rps[@]}" | median); rr=$(printf '%s\n' "${r_rps[@]}" | median)
sc=$(printf '%s\n' "${s_cpu[@]}" | median); rc=$(printf '%s\n' "${r_cpu[@]}" | median)
printf '  statectl bench redis     %9.0f rps  client CPU %.2f s = %.2f us/request  (runs: %s)\n' \
  "$sr" "$sc" "$(awk -v c="$sc" -v n="$n" 'BEGIN{print c*1e6/n}')" "$(printf '%.0f ' "${s_rps[@]}")"
printf '  redis-benchmark --tls    %9.0f rps  client CPU %.2f s = %.2f us/request  (runs: %s)\n' \
  "$rr" "$rc" "$(awk -v c="$rc" -v n="$n" 'BEGIN{print c*1e6/n}')" "$(printf '%.0f ' "${r_rps[@]}")"
awk -v a="$sr" -v b="$rr" 'BEGIN {printf "  ratio statectl / redis-benchmark = %.2f (goal: at least 1.3)\n", a/b}'

echo "doctor: TLS handshake per target (TCP connect + TLS 1.3 handshake, redis.tls evidence)"
hs=()
for _ in $(seq 5); do
  hs+=("$({ "$bin" doctor --only redis.tls --redis "rediss://127.0.0.1:$port" --tls-ca "$tmp/ca.crt" --format json || true; } |
    python3 -c 'import json,sys; f=json.load(sys.stdin)["findings"][0]; print([e["value"] for e in f["evidence"] if e["key"]=="handshake_ms"][0])')")
done
printf '  handshake_ms: median %s (runs: %s)\n' "$(printf '%s\n' "${hs[@]}" | median)" "${hs[*]}"
