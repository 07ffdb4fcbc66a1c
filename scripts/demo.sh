#!/usr/bin/env bash
# The main job on a built-in example (see README): set up, build the example guests, and
# compile + run the fibonacci guest on ZisK's emulator with the full cost breakdown.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build-guests.sh
cargo run --release --quiet --bin czisk -- run guests/out/wasm/fibonacci.wasm --stats "$@"
