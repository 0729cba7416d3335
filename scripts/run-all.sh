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
set -euo pipefail
cd "$(dirname "$0")/.."

requests=50
delay=1s
url=""
only=""
timeline=""
out=target/slides
profile=release
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) delay=100ms ;;
        -n | --requests) requests=${2:?--requests needs a number}; shift ;;
        --delay) delay=${2:?--delay needs a duration like 250ms}; shift ;;
        --url) url=${2:?--url needs a URL}; shift ;;
        --only) only=${2:?--only needs slide numbers, e.g. 6,7}; shift ;;
        --timeline) timeline=--timeline ;;
        --out) out=${2:?--out needs a directory}; shift ;;
        --debug) profile=debug ;;
        -h | --help) usage; exit 0 ;;
        *) echo "run-all.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
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
bin=target/$profile

workdir=$(mktemp -d)
server_pid=""
redis_pid=""
worker_pid=""
cleanup() {
    # The worker first: it may still be talking to redis-server and httpbin-lite.
    for pid in "$worker_pid" "$redis_pid" "$server_pid"; do
        if [ -n "$pid" ]; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits up to 10 s for a line matching PATTERN in FILE, written by process PID.
wait_for_line() {
    local file=$1 pattern=$2 pid=$3 what=$4
    for _ in $(seq 100); do
        grep -qs "$pattern" "$file" && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "run-all.sh: $what did not start:" >&2
            cat "$file" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "run-all.sh: $what did not start within 10 s" >&2
    return 1
}

floor_delay=()
if [ -z "$url" ]; then
    "$bin/httpbin-lite" --port 0 --delay "$delay" >"$workdir/server.log" 2>&1 &
    server_pid=$!
    # Its first line names the port it got.
    wait_for_line "$workdir/server.log" "^httpbin-lite listening on " "$server_pid" httpbin-lite
    base=$(sed -n 's/^httpbin-lite listening on //p' "$workdir/server.log")
    url="$base/uuid"
    floor_delay=(--delay "$delay")
    echo "==> httpbin-lite at $base, answering /uuid after $delay"
else
    echo "==> fetching $url (no local server, so no floor is claimed)"
fi

# Starts redis-server on a free loopback port, keeping nothing on disk; sets redis_port.
start_redis() {
    redis_port=""
    for _ in 1 2 3 4 5; do
        local port=$((20000 + RANDOM % 40000))
        redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
            --dir "$workdir" >"$workdir/redis.log" 2>&1 &
        redis_pid=$!
        for _ in $(seq 50); do
            if grep -qs "Ready to accept connections" "$workdir/redis.log"; then
                redis_port=$port
                return 0
            fi
            kill -0 "$redis_pid" 2>/dev/null || break # the port was taken: try another
            sleep 0.1
        done
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
        redis_pid=""
    done
    echo "run-all.sh: redis-server did not start:" >&2
    cat "$workdir/redis.log" >&2
    return 1
}

# Slide 8 needs a redis-server and a worker before its producer can run; sets redis_url.
# Returns 2 when redis-server is not installed and cannot be: then slide 8 is skipped.
start_queue() {
    if ! bash scripts/install-redis-server.sh; then
        echo "run-all.sh: SKIPPING SLIDE 8 (Celery and Redis): redis-server is not installed; see above for how to install it" >&2
        return 2
    fi
    start_redis || return 1
    redis_url="redis://127.0.0.1:$redis_port"
    # The worker fetches only from hosts it allows: the one the other slides fetched from.
    local host
    host=$(printf '%s' "$url" | sed -E 's#^[a-zA-Z]+://([^/@]*@)?(\[[^]]*\]|[^/:]*).*#\2#')
    "$bin/slide08-worker" --redis "$redis_url" --allow-host "$host" >"$workdir/worker.log" 2>&1 &
    worker_pid=$!
    wait_for_line "$workdir/worker.log" "waiting for jobs" "$worker_pid" slide08-worker
}

# Each slide's output, ending in its JSON summary, goes to DIR/runs/NAME.json.
runs="$out/runs"
mkdir -p "$runs"
rm -f "$runs"/*.json
status=0
ran=0
# The talk's slides in order, from the one place that knows what the talk said of each.
while IFS='|' read -r number name title deck notes; do
    if [ -n "$only" ] && ! printf ',%s,' "$only" | grep -q ",$number,"; then
        continue
    fi
    [ -x "$bin/$name" ] || continue
    command=("$bin/$name" --url "$url" --requests "$requests")
    note=""
    if [ "$name" = slide08-producer ]; then
        queue=0
        start_queue </dev/null || queue=$?
        if [ "$queue" -ne 0 ]; then
            [ "$queue" -eq 2 ] || status=1
            continue
        fi
        command+=(--redis "$redis_url")
        note="One slide08-worker runs the jobs; the talk's figure timed only the enqueueing."
    fi
    printf '\n==================================================================\n'
    printf ' Slide %s: %s. The talk: %s (deck), %s (speaker notes)\n' "$number" "$title" "$deck" "$notes"
    [ -z "$note" ] || printf ' %s\n' "$note"
    printf ' $ %s\n' "${command[*]}"
    printf '==================================================================\n'
    # The JSON summary goes to a file for the table; the screen shows what a person reads.
    if ! "${command[@]}" --json $timeline </dev/null | tee "$runs/$name.json" | grep -v '^{'; then
        status=1
        if [ "$name" = slide08-producer ]; then
            echo "run-all.sh: the worker said:" >&2
            cat "$workdir/worker.log" >&2
        fi
    fi
    ran=$((ran + 1))
done < <("$bin/slides-report" list)

if [ "$ran" -eq 0 ]; then
    echo "run-all.sh: no slide matched --only '$only'; slide numbers are 4, 5, 6, 7a, 7, 8" >&2
    exit 2
fi

printf '\n==> the comparison: %s requests each\n\n' "$requests"
"$bin/slides-report" compare ${floor_delay[@]+"${floor_delay[@]}"} --out "$out" "$runs"/*.json || status=1
exit "$status"
