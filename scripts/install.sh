#!/usr/bin/env bash
# Installs statectl from this checkout on a machine that has only the Rust toolchain: apt-installs
# what the build links against when it is missing (libpcap's headers, pkg-config), then runs
# `cargo install --locked --path .` (to ~/.cargo/bin). Run as root or with sudo available.
#   bash scripts/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
have() { command -v "$1" >/dev/null 2>&1; }
{ dpkg -s libpcap-dev >/dev/null 2>&1 || ls /usr/lib/*/libpcap.so >/dev/null 2>&1; } || need+=(libpcap-dev)
have pkg-config || need+=(pkg-config)
have cc || need+=(gcc)
if ((${#need[@]})); then
  if ! have apt-get; then
    echo "install.sh: statectl's build needs ${need[*]} (libpcap headers); install them with your package manager" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "install.sh: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cargo install --locked --path .
echo "install.sh: installed $(command -v statectl || echo ~/.cargo/bin/statectl); next: statectl doctor" >&2
