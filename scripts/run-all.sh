#!/usr/bin/env bash
# The README's first command: the talk, slide by slide, against a local httpbin-lite.
#
#   scripts/run-all.sh                 50 requests, 1 s each, as the talk did
#   scripts/run-all.sh --quick         the same with a 100 ms delay, to try it fast
#   scripts/run-all.sh --requests 20 --delay 250ms
#   scripts/run-all.sh --url https://httpbin.org/uuid    the real thing (needs the network)
#
# Builds in release, starts httpbin-lite on a free port, runs each slide under a banner,
# prints every slide's summary together at the end, and stops the server however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

requests=50
delay=1s
url=""
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) delay=100ms ;;
        -n | --requests) requests=${2:?--requests needs a number}; shift ;;
        --delay) delay=${2:?--delay needs a duration like 250ms}; shift ;;
        --url) url=${2:?--url needs a URL}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "run-all.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if ! command -v cargo >/dev/null 2>&1; then
    echo "run-all.sh: cargo not found. Install Rust (https://rustup.rs), then run this again." >&2
    exit 1
fi

echo "==> building the slides (release)"
cargo build --release --workspace --bins --locked --quiet
bin=target/release

workdir=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "$url" ]; then
    "$bin/httpbin-lite" --port 0 --delay "$delay" >"$workdir/server.log" 2>&1 &
    server_pid=$!
    # The server's first line names the port it got.
    for _ in $(seq 100); do
        base=$(sed -n 's/^httpbin-lite listening on //p' "$workdir/server.log")
        [ -n "$base" ] && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "run-all.sh: httpbin-lite did not start:" >&2
            cat "$workdir/server.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    [ -n "${base:-}" ] || { echo "run-all.sh: httpbin-lite printed no address within 10 s" >&2; exit 1; }
    url="$base/uuid"
    echo "==> httpbin-lite at $base, answering /uuid after $delay"
else
    echo "==> fetching $url (no local server)"
fi

# slide | binary | title | what the talk said it took
slides=(
    "4|slide04-sync|Synchronous|~1 min (deck: 'takes around 1 min')"
)

summaries=()
status=0
for entry in "${slides[@]}"; do
    IFS='|' read -r number name title talk <<<"$entry"
    [ -x "$bin/$name" ] || continue
    command=("$bin/$name" --url "$url" --requests "$requests")
    printf '\n==================================================================\n'
    printf ' Slide %s: %s. The talk: %s\n' "$number" "$title" "$talk"
    printf ' $ %s\n' "${command[*]}"
    printf '==================================================================\n'
    if ! "${command[@]}" | tee "$workdir/$name.out"; then
        status=1
    fi
    summaries+=("$(tail -n 1 "$workdir/$name.out")")
done

printf '\n==> all slides, %s requests each\n' "$requests"
printf '  %s\n' "${summaries[@]}"
exit "$status"
