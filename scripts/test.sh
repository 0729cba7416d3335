#!/usr/bin/env bash
# The README's second command: the checks CI runs, on a fresh clone.
#   scripts/test.sh
# Formatting, lints, then every test. The end-to-end tests start their own httpbin-lite and
# redis-server on free loopback ports; nothing needs to be running first. redis-server must be
# installed, though: this script installs it when it is missing (CI starts without it).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "scripts/test.sh: cargo not found. Install Rust (https://rustup.rs), then run this again." >&2
    exit 1
fi
for tool in fmt clippy; do
    if ! cargo "$tool" --version >/dev/null 2>&1; then
        echo "scripts/test.sh: cargo $tool is missing. Run: rustup component add rustfmt clippy" >&2
        exit 1
    fi
done

step() { printf '\n==> %s\n' "$*"; }

step scripts/install-redis-server.sh
bash scripts/install-redis-server.sh

# tests/report_html.rs draws report.html in headless Chromium; CI starts without it too.
step scripts/install-chromium.sh
bash scripts/install-chromium.sh

# tests/threads.rs counts the threads a slide starts with strace; CI starts without it too.
step scripts/install-strace.sh
bash scripts/install-strace.sh

# tests/python.rs runs the talk's Python originals: a venv from python3, filled from the
# hashed lock file. On Debian/Ubuntu, as root, install python3 and its venv module if missing.
step scripts/python.sh setup
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
    && [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && apt-get install -y -qq python3 python3-venv
fi
bash scripts/python.sh setup
step scripts/python.sh ruff
bash scripts/python.sh ruff

step cargo fmt --all -- --check
cargo fmt --all -- --check

step cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --workspace --all-targets --locked -- -D warnings

step cargo test --workspace --locked
cargo test --workspace --locked

# The benchmark at a tiny size on the debug build just tested: proves scripts/bench.sh and
# slides-bench still run end to end. It times nothing and asserts no wall-clock goal.
step scripts/bench.sh --smoke
bash scripts/bench.sh --smoke
