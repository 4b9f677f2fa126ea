# Shared set-up for the bench scripts (source it after `cd` to the repository root): a release
# build in $bin, a temp dir in $tmp, and a private redis-server on a free loopback port in $port,
# shut down (and $tmp removed) on exit. A script adds its own clean-up with `on_exit CMD`.
cargo build --release -q
bin=$PWD/target/release/statectl
tmp=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --save '' --dir "$tmp" --logfile "$tmp/redis.log" --daemonize yes
extra_cleanup=""
on_exit() { extra_cleanup="$extra_cleanup; $*"; }
cleanup() { redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; eval "true$extra_cleanup"; rm -rf "$tmp"; }
trap cleanup EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
