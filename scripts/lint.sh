#!/usr/bin/env bash
# Formatting and lints as CI checks them: rustfmt (rustfmt.toml) and clippy with the [lints]
# of Cargo.toml, every warning an error. The toolchain is rust-toolchain.toml's.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --release --locked --all-targets -- -D warnings
echo "lint: formatting and clippy clean"
