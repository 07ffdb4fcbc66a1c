#!/usr/bin/env bash
# The main job on a built-in example (see README): set up, build czisk and the fibonacci
# guest (wasm32-wasip1) and nothing else, then compile + run it on ZisK's emulator with the
# full cost breakdown. The other guests and their native builds are for the benchmarks
# (scripts/build-guests.sh) and the tests (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --no-test-toolchains
echo "demo: building czisk (the first build compiles ZisK's emulator: about ten minutes)" >&2
cargo build --release --quiet --bin czisk
echo "demo: building the fibonacci guest for wasm32-wasip1" >&2
(cd guests && cargo build --quiet --release --target wasm32-wasip1 -p fibonacci)
mkdir -p guests/out/wasm
cp -f guests/target/wasm32-wasip1/release/fibonacci.wasm guests/out/wasm/
./target/release/czisk run guests/out/wasm/fibonacci.wasm --stats "$@"
