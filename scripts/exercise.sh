#!/usr/bin/env bash
# The workshop: write each concurrency model of the talk yourself, and check it really is one.
#
#   scripts/exercise.sh                  # every exercise, where each stands, what to do next
#   scripts/exercise.sh check threads    # build it, run it against its own httpbin-lite, judge
#   scripts/exercise.sh watch threads    # check again on every save (Ctrl-C stops)
#   scripts/exercise.sh path threads     # the file to edit
#   scripts/exercise.sh solve threads    # the slide's own code, after asking (--yes: don't ask)
#   scripts/exercise.sh reset threads    # the blank again; your version is kept
#   scripts/exercise.sh hint threads     # the next hint, one more each time, never the solution
#   scripts/exercise.sh build            # before the workshop: build all that every check runs
#
# Names as for scripts/diff.sh: sync (4), processes (5), threads (6), coroutines (7a), tokio (7),
# queue (8: its worker, run by the slide's producer through a redis-server of its own).
# The runner is crates/workshop; this builds it (or finds it up to date) and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "exercise.sh: cargo not found. Install Rust (https://rustup.rs), then run this again." >&2
    exit 1
fi
runner="${CARGO_TARGET_DIR:-target}/debug/workshop"
# Quiet once built; the first time, cargo's progress shows the minute it takes.
if [ -x "$runner" ]; then
    cargo build --quiet --package workshop
else
    echo "exercise.sh: building the workshop's runner first (a minute or so, once)" >&2
    cargo build --package workshop
fi
exec "$runner" "$@"
