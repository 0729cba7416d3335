#!/usr/bin/env bash
# The README's first command: the talk, slide by slide, then one comparison table.
#
#   scripts/run-all.sh                  50 requests, each answered after 1 s, as in the talk
#   scripts/run-all.sh --quick          the same with a 100 ms delay, to try it fast
#   scripts/run-all.sh --requests 20 --delay 250ms --only 6,7 --timeline
#   scripts/run-all.sh --url https://httpbin.org/uuid     the real thing (needs the network)
#
# Options: --quick, --requests N, --delay D, --only LIST (slide numbers: 4,5,6,7a,7,8),
#   --url URL (then no floor is claimed), --timeline (a chart after each slide),
#   --out DIR (default target/slides), --debug (use the debug build, as the tests do).
#
# Builds the slides, starts httpbin-lite on a free port (and for slide 8 a private redis-server,
# installed first if missing, and one worker), runs each slide under a banner, and ends with the
# table; DIR/results.json and DIR/report.html hold the same. Everything it started is stopped
# however it ends.
#
# This script only builds; `lab talk` (crates/lab) does the rest, with the same options.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
for arg in "$@"; do
    case "$arg" in
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --debug) profile=debug ;;
    esac
done

if ! command -v cargo >/dev/null 2>&1; then
    echo "run-all.sh: cargo not found. Install Rust (https://rustup.rs), then run this again." >&2
    exit 1
fi

echo "==> building the slides ($profile)"
if [ "$profile" = release ]; then
    cargo build --release --workspace --bins --locked --quiet
else
    cargo build --workspace --bins --locked --quiet
fi

# The slides, httpbin-lite and slides-report are beside lab, in the same build.
exec "${CARGO_TARGET_DIR:-target}/$profile/lab" talk "$@"
