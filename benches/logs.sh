#!/usr/bin/env bash
# statectl logs --since 1h over a 1 GB Redis log spanning the last 24 hours, beside grep -c of
# the same signatures over the same tail (the bytes of the last hour, found with the same
# timestamps): wall time and peak RSS of each.
#   bash benches/logs.sh   (needs python3 and /usr/bin/time; writes 1 GB under $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=$PWD/target/release/statectl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/redis.log
python3 - "$log" <<'PY'
import sys, time
path = sys.argv[1]
now = int(time.time())
target = 1 << 30
span = 24 * 3600
lines_per_s = None
msgs = ["* Background saving started by pid 4300", "* DB saved on disk", "* Background saving terminated with success",
        "# Background saving error", "- Accepted 10.0.0.7:51234", "# Connection with master lost."]
with open(path, "w", buffering=1 << 20) as f:
    written = 0
    # about 1 GB over 24 h: ~12,400 bytes a second
    per_s = target // span // 66 + 1
    t = now - span
    i = 0
    while t <= now and written < target:
        st = time.strftime("%d %b %Y %H:%M:%S", time.localtime(t))
        chunk = "".join(f"4242:M {st}.{k:03d} {msgs[(i + k) % len(msgs)]}\n" for k in range(per_s))
        f.write(chunk)
        written += len(chunk)
        t += 1
        i += 1
PY
size=$(stat -c %s "$log")
echo "log: $((size / 1048576)) MiB over 24 h"
measure() { { /usr/bin/time -f '%e s, %M KiB peak RSS' "$@" 2>&1 >/dev/null || true; } | tail -1; }
echo "statectl logs --since 1h --redis-log (median of 5 wall times; last run's RSS):"
for _ in 1 2 3 4 5; do measure "$bin" logs --since 1h --redis-log "$log" --redis redis://127.0.0.1:1 --format json; done
# the same tail for grep: the offset of the first line of the last hour
cut=$(date -d '-1 hour' '+%d %b %Y %H:%M')
off=$(grep -b -m1 -F "$cut" "$log" | cut -d: -f1)
tailbytes=$((size - off))
echo "grep -c over the same tail ($((tailbytes / 1048576)) MiB from byte $off):"
for _ in 1 2 3 4 5; do measure sh -c "tail -c $tailbytes '$log' | grep -c -i -E 'background saving error|can.t save in background|max number of clients reached|oom command not allowed|connection with master lost|master aborted replication'"; done
"$bin" logs --since 1h --redis-log "$log" --redis redis://127.0.0.1:1 --format json |
  python3 -c 'import json,sys; d=json.load(sys.stdin)["logs"][0]; print("statectl:", d["lines"], "lines,", d["bytes_read"], "bytes read, truncated", d["truncated"], {h["signature"]: h["count"] for h in d["hits"]})'
tail -c "$tailbytes" "$log" | grep -c -i -E 'background saving error|connection with master lost' | sed 's/^/grep: /'
