#!/usr/bin/env bash
# Run every test fascia has, installing what the tests need on a fresh machine.
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update
    apt-get install -y "${need_apt[@]}"
  else
    echo "missing: ${need_apt[*]} (install them, or run as root to install automatically)" >&2
    exit 1
  fi
fi

echo "== format"
cargo fmt --all -- --check
echo "== lints"
cargo clippy --all-targets --locked -- -D warnings
echo "== unit and integration tests"
cargo test --locked
echo "== the encyclopedia passes its own checks"
cargo run --release --locked --quiet -- check --root site --strict
