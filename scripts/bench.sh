#!/usr/bin/env bash
# The benchmarks: how each concurrency model's cost grows, against the physical floor
# and against wrk and h2load. Writes BENCHMARKS.md.
#
#   scripts/bench.sh                 every scenario at full size (about 18 minutes), release build
#   scripts/bench.sh --smoke         every scenario at a tiny size, debug build: proves it runs
#   scripts/bench.sh --only scale,memory --runs 3 --quiet-wait 5m
#
# Scenarios (for --only, comma-separated): talk, scale, overhead, memory, enqueue, cpu,
#   instructions.
# Options: --smoke, --runs N (runs per case; the report gives medians; default 5, --smoke 1),
#   --only LIST, --out FILE (default BENCHMARKS.md; with --smoke, target/bench/smoke/BENCHMARKS.md),
#   --quiet-wait DURATION (before starting, wait up to this long, at most 2h, for 30 quiet
#   seconds: no compiler, test or other server running; default 20m, 0 starts at once),
#   --no-wait (the same as --quiet-wait 0).
#
# Builds the workspace, raises the open-files limit to its hard limit (10 000 connections in
# flight need 10 000 descriptors on each side), makes sure redis-server is installed, then runs
# `slides-bench run`, which starts its own httpbin-lite, redis-server and workers on free
# loopback ports and stops them however it ends. wrk and h2load are used when installed
# (apt-get install wrk nghttp2-client), valgrind too (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=""
runs=()
only=()
out=""
quiet_wait=20m
waited=()
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke=--smoke ;;
        --runs) runs=(--runs "${2:?--runs needs a number}"); shift ;;
        --only) only=(--only "${2:?--only needs scenario names, e.g. scale,memory}"); shift ;;
        --out) out=${2:?--out needs a file}; shift ;;
        --quiet-wait) quiet_wait=${2:?--quiet-wait needs a duration, e.g. 5m}; waited=(--quiet-wait "$2"); shift ;;
        --no-wait) quiet_wait=0 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# Checked before the build: 0, or a number and a unit (ms, s, m), at most two hours.
seconds=$(awk -v d="$quiet_wait" 'BEGIN {
    if (d == "0") { print 0; exit }
    if (match(d, /^[0-9]+(\.[0-9]+)?(ms|s|m)$/) == 0) { print "bad"; exit }
    n = d + 0; unit = d; sub(/^[0-9.]+/, "", unit)
    print (unit == "ms" ? n / 1000 : unit == "m" ? n * 60 : n) }')
if [ "$seconds" = bad ] || awk -v s="$seconds" 'BEGIN { exit !(s > 7200) }'; then
    echo "bench.sh: --quiet-wait '$quiet_wait': give 0 or a duration of at most 2h, e.g. 90s, 5m" >&2
    exit 2
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "bench.sh: cargo not found. Install Rust (https://rustup.rs), then run this again." >&2
    exit 1
fi

# Where cargo puts what it builds: target/, unless CARGO_TARGET_DIR says elsewhere.
target=${CARGO_TARGET_DIR:-target}
if [ -n "$smoke" ]; then
    # CI has just built the debug workspace, so this costs nothing there; a release build
    # would add minutes. The smoke run times nothing, so the profile does not matter.
    profile=debug
    work=target/bench/smoke
    out=${out:-$work/BENCHMARKS.md}
    quiet_wait=0
    echo "==> building the workspace (debug)"
    cargo build --workspace --bins --locked --quiet
else
    profile=release
    work=target/bench/full
    out=${out:-BENCHMARKS.md}
    echo "==> building the workspace (release)"
    cargo build --release --workspace --bins --locked --quiet
fi

bash scripts/install-redis-server.sh

# Raising the soft limit up to the hard one needs no privilege.
hard=$(ulimit -Hn)
if ! ulimit -n "$hard" 2>/dev/null; then
    echo "bench.sh: could not raise ulimit -n to $hard; staying at $(ulimit -n)" >&2
fi
echo "==> open files: ulimit -n $(ulimit -n) (hard limit $hard)"
if [ -z "$smoke" ] && [ "$(ulimit -n)" -lt 20000 ]; then
    echo "bench.sh: ulimit -n is $(ulimit -n): the 10 000-in-flight runs need about 10 100; they may fail" >&2
fi
if ! command -v wrk >/dev/null 2>&1; then
    echo "==> wrk is not installed: the overhead scenario has no wrk row (apt-get install wrk)"
fi
if ! command -v h2load >/dev/null 2>&1; then
    echo "==> h2load is not installed: scale and overhead have no h2load rows (apt-get install nghttp2-client)"
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "==> valgrind is not installed: no heap by allocation site, no instruction counts (apt-get install valgrind)"
fi

command_line="scripts/bench.sh"
# ${a[@]+"${a[@]}"}: an empty array is an error under set -u in the bash 3.2 that macOS ships.
for arg in $smoke ${runs[@]+"${runs[@]}"} ${only[@]+"${only[@]}"} ${waited[@]+"${waited[@]}"}; do
    command_line+=" $arg"
done

# Each run's logs replace the last run's, so none of them is left over from another run.
rm -rf "$work"
mkdir -p "$work"
bench_pid=""
cleanup() {
    # slides-bench stops everything it started when it gets SIGTERM.
    if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
        kill -TERM "$bench_pid" 2>/dev/null || true
        wait "$bench_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# In the background and waited for, so that the traps above run at once on Ctrl-C.
"$target/$profile/slides-bench" run $smoke ${runs[@]+"${runs[@]}"} ${only[@]+"${only[@]}"} \
    --bin "$target/$profile" --work "$work" --out "$out" \
    --quiet-wait "$quiet_wait" --command "$command_line" &
bench_pid=$!
status=0
wait "$bench_pid" || status=$?
bench_pid=""
exit "$status"
