#!/usr/bin/env bash
# The project's test command (see README): set up a fresh machine, build the guests, run
# every test. Tests that execute guests run in release mode (the emulator is slow in debug).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build-guests.sh
cargo test --release --workspace
# The guests' own unit tests (eth_block's trie), on the host.
(cd guests && cargo test --release -p eth_block)
