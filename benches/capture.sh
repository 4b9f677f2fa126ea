#!/usr/bin/env bash
# Capture benchmarks, side by side in one run:
#  1. offline: a pcap of ~800k packets made by tcpdump during redis-benchmark, read by
#     `tcpdump -r FILE -nn > /dev/null` and by `statectl capture -r FILE` (full RESP decoding and
#     request/reply pairing); packets per second for each.
#  2. live: redis-benchmark -c 50 GET throughput with no capture, with `tcpdump -w`, and with
#     `statectl capture -w`, each with the kernel's drop count.
#   bash benches/capture.sh        (as root: capture on lo needs CAP_NET_RAW)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/lib.sh
on_exit 'pkill -f "tcpdump -i lo -B 65536 -w $tmp" || true'
secs() { python3 -c 'import time; print(time.monotonic())'; }

echo "== offline analysis"
tcpdump -i lo -B 65536 -w "$tmp/big.pcap" tcp port "$port" 2>"$tmp/td.err" &
td=$!
sleep 1
redis-benchmark -p "$port" -c 50 -n 400000 -t get,set -q >/dev/null
sleep 1.5; kill -INT "$td"; wait "$td" || true
pk=$(tcpdump -r "$tmp/big.pcap" -nn 2>/dev/null | wc -l)
echo "file: $pk packets, $(du -m "$tmp/big.pcap" | cut -f1) MB"
best() { # command...: best of 3 wall times, seconds
  local b=999
  for _ in 1 2 3; do
    local t0 t1; t0=$(secs); "$@" >/dev/null 2>&1; t1=$(secs)
    b=$(python3 -c "print(min($b, $t1 - $t0))")
  done
  echo "$b"
}
t_td=$(best tcpdump -r "$tmp/big.pcap" -nn)
t_st=$(best "$bin" capture -r "$tmp/big.pcap" -p "$port" --format json)
python3 - "$pk" "$t_td" "$t_st" <<'PY'
import sys
pk, td, st = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"tcpdump -r -nn        {td:6.2f} s  {pk/td:12,.0f} packets/s (prints, decodes nothing)")
print(f"statectl capture -r   {st:6.2f} s  {pk/st:12,.0f} packets/s (RESP decoded, requests paired)")
print(f"ratio statectl/tcpdump = {td/st:.2f}")
PY
"$bin" capture -r "$tmp/big.pcap" -p "$port" --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); print("decoded:", r["requests"], "requests,", r["retransmitted_segments"], "retransmitted,", r["gaps"], "gaps")'

echo "== live capture during redis-benchmark -c 50 -n 300000 -t get"
rb() { redis-benchmark -p "$port" -c 50 -n 300000 -t get --csv | awk -F'"' '/"GET"/ {print $4}'; }
for run in 1 2; do
  base=$(rb)
  tcpdump -i lo -B 65536 -w "$tmp/live-td.pcap" tcp port "$port" 2>"$tmp/live-td.err" &
  td=$!; sleep 1
  with_td=$(rb); sleep 1.5; kill -INT "$td"; wait "$td" || true
  td_drops=$(awk '/dropped by kernel/ {print $1}' "$tmp/live-td.err")
  "$bin" capture -i lo -p "$port" -w "$tmp/live-st.pcap" --format json >"$tmp/live-st.json" 2>"$tmp/live-st.err" &
  st=$!; sleep 1
  with_st=$(rb); sleep 0.5; kill -INT "$st"; wait "$st" || true
  st_drops=$(python3 -c "import json; print(json.load(open('$tmp/live-st.json'))['kernel_drops'])")
  python3 - "$base" "$with_td" "$td_drops" "$with_st" "$st_drops" <<'PY'
import sys
b, t, td, s, sd = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5]
print(f"no capture {b:10,.0f} rps | tcpdump -w {t:10,.0f} rps ({t/b:.1%}), {td} kernel drops | statectl capture -w {s:10,.0f} rps ({s/b:.1%}), {sd} kernel drops")
PY
done
