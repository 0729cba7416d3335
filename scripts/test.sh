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

# The exercises are a workspace of their own (exercises/Cargo.toml), built into the same target
# directory so that they share the compiled dependencies.
exercises=(--manifest-path exercises/Cargo.toml --target-dir "${CARGO_TARGET_DIR:-target}")

# On a clone where the exercises hold an attendee's own work, that work is theirs to lint: the
# tests keep it, and check the blanks as git has them. CI checks the files themselves.
lint_exercises=true
if [ "${CI:-}" != true ] && command -v git >/dev/null 2>&1 &&
    ! git diff --quiet HEAD -- exercises/ 2>/dev/null; then
    lint_exercises=false
    cat >&2 <<'SAY'
scripts/test.sh: exercises/ holds your own work (git status exercises/). It is not
linted, the tests put it back when they end, and they check the blanks as git has
them. CI=true checks the files as they are.
SAY
fi

step scripts/install-redis-server.sh
bash scripts/install-redis-server.sh

# tests/report_html.rs draws report.html in headless Chromium; CI starts without it too.
step scripts/install-chromium.sh
bash scripts/install-chromium.sh

# tests/threads.rs counts the threads a slide starts with strace, and tests/race.rs watches the
# race in tmux; CI starts without either.
step scripts/install-test-tools.sh
bash scripts/install-test-tools.sh

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

# Each blank, as committed: it builds, formatted and without a warning. Each solution is its
# slide, linted above, and tests/exercise_runner.rs builds and checks it.
if [ "$lint_exercises" = true ]; then
    step cargo fmt and clippy of the exercises, in exercises/Cargo.toml
    cargo fmt "${exercises[0]}" "${exercises[1]}" --all -- --check
    cargo clippy "${exercises[@]}" --workspace --all-targets --locked -- -D warnings
fi

step cargo test --workspace --locked
cargo test --workspace --locked

# The benchmark at a tiny size on the debug build just tested: proves scripts/bench.sh and
# slides-bench still run end to end. It times nothing and asserts no wall-clock goal.
step scripts/bench.sh --smoke
bash scripts/bench.sh --smoke
