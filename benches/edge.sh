#!/usr/bin/env bash
# The API edge doctor (lb.*, jwt.*, http.* with --sample 1s) against two API nodes and a load
# balancer on this machine, beside the same looks taken by hand (nginx -T, curl of both JWKS, the
# conditional GET pair on each node, 8 requests through the balancer). One nginx serves both
# nodes (static JWKS and a resource, with nginx's own ETags) and balances to them.
#   bash benches/edge.sh [runs]   (needs nginx, openssl, python3, curl; goal: doctor under 1.5 s)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release -q
bin=$PWD/target/release/statectl
tmp=$(mktemp -d)
trap 'kill "$(cat "$tmp/nginx.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
p1=$(free_port); p2=$(free_port); lb=$(free_port)
mkdir -p "$tmp/www"
openssl genrsa -traditional -out "$tmp/k1.pem" 2048 2>/dev/null
n=$(openssl rsa -in "$tmp/k1.pem" -noout -modulus | cut -d= -f2 |
  python3 -c 'import sys,base64,binascii; print(base64.urlsafe_b64encode(binascii.unhexlify(sys.stdin.read().strip())).decode().rstrip("="))')
printf '{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","n":"%s","e":"AQAB"}]}' "$n" > "$tmp/www/jwks.json"
echo '{"state":1}' > "$tmp/www/r.json"
cat > "$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
    access_log off;
    upstream api { server 127.0.0.1:$p1 max_fails=3; server 127.0.0.1:$p2 max_fails=3; keepalive 8; }
    server { listen 127.0.0.1:$p1; root $tmp/www; }
    server { listen 127.0.0.1:$p2; root $tmp/www; }
    server {
        listen 127.0.0.1:$lb;
        location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://api; }
    }
}
CONF
nginx -c "$tmp/nginx.conf"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$lb/r.json" >/dev/null && break; sleep 0.1; done
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
doctor() {
  "$bin" doctor --only 'lb.*,jwt.*,http.*' --lb-config "$tmp/nginx.conf" \
    --jwks "http://127.0.0.1:$p1/jwks.json" --jwks "http://127.0.0.1:$p2/jwks.json" \
    --api "http://127.0.0.1:$p1" --api "http://127.0.0.1:$p2" --resource /r.json \
    --lb-url "http://127.0.0.1:$lb" --echo-path /r.json --sample 1s --format json
}
by_hand() {
  nginx -T -q -c "$tmp/nginx.conf" >/dev/null
  for p in $p1 $p2; do
    curl -sf "http://127.0.0.1:$p/jwks.json" >/dev/null
    etag=$(curl -sfI "http://127.0.0.1:$p/r.json" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
    curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "http://127.0.0.1:$p/r.json" >/dev/null
  done
  for _ in $(seq 8); do curl -sf -H 'Authorization: probe' "http://127.0.0.1:$lb/r.json" >/dev/null; done
}
d=(); h=()
for _ in $(seq "$runs"); do d+=("$(ms doctor)"); h+=("$(ms by_hand)"); done
echo "API edge doctor: 2 nodes + a load balancer on this machine (median of $runs, ms)"
printf '  statectl doctor lb.* jwt.* http.* --sample 1s: %s ms (runs: %s) (goal: under 1500)\n' "$(printf '%s\n' "${d[@]}" | median)" "${d[*]}"
printf '  by hand (nginx -T, curl: JWKS x2, ETag pair x2, 8 through the LB; no latency window): %s ms (runs: %s)\n' "$(printf '%s\n' "${h[@]}" | median)" "${h[*]}"
