#!/usr/bin/env bash
# The talk's own programs, in Python (python/), beside the Rust slides: same flags, same summary.
#   scripts/python.sh sync|processes|threads|asyncio [FLAGS]   e.g. threads --url URL -n 50 --json
#   scripts/python.sh celery|rq [--workers K] [--redis URL] [FLAGS]
#       the producer, with K workers (default 1; 0: use those already running) of -c jobs at
#       once each, started for the run and stopped at its end; without --redis (or
#       REDIS_URL), with a redis-server of its own on a free loopback port
#   scripts/python.sh celery-worker|rq-worker --redis URL [-c C]   one worker, until Ctrl-C
#   scripts/python.sh setup     only make the venv
#   scripts/python.sh ruff      check the formatting and lint python/
# FLAGS, as the Rust slides': --url URL, -n, --requests N, -c, --concurrency C, --work D,
#   --timeout D, --json, -q, --quiet; the queue's also --redis URL, --give-up-after D.
# The venv is target/python-venv, made from the system's python3 (3.10 or newer) and filled
# from python/requirements.txt (pinned, with hashes) whenever that file changes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
me="scripts/python.sh"
venv="$root/target/python-venv"
logs="$root/target/python-logs"
lock="$root/python/requirements.txt"

usage() {
    echo "usage: $me sync|processes|threads|asyncio|celery|rq|celery-worker|rq-worker|setup|ruff [FLAGS…]" >&2
    exit 2
}

need_python() {
    if ! command -v python3 >/dev/null 2>&1; then
        echo "$me: python3 not found. Install Python 3.10 or newer (Debian/Ubuntu: sudo apt-get install -y python3 python3-venv; macOS: brew install python), then run this again." >&2
        exit 1
    fi
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
        echo "$me: $(python3 --version 2>&1) is too old: the originals need Python 3.10 or newer (Debian/Ubuntu: sudo apt-get install -y python3; macOS: brew install python)." >&2
        exit 1
    fi
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        echo "$me: python3 has no venv module. Install it (Debian/Ubuntu: sudo apt-get install -y python3-venv), then run this again." >&2
        exit 1
    fi
}

# Makes the venv if it is missing or has no pip (a `python3 -m venv` that failed half-way, before
# python3-venv was installed, leaves one), and installs the lock file if it changed since the
# last time.
setup() {
    local want have=""
    want="$( (sha256sum "$lock" 2>/dev/null || shasum -a 256 "$lock") | cut -d' ' -f1)" # Linux, macOS
    [ -f "$venv/.requirements.sha256" ] && have="$(cat "$venv/.requirements.sha256")"
    [ -x "$venv/bin/python" ] && [ "$want" = "$have" ] && return 0
    need_python
    if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
        echo "$me: making $venv from $(python3 --version 2>&1)" >&2
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
    echo "$me: installing python/requirements.txt into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock" >&2
    echo "$want" >"$venv/.requirements.sha256"
}

# A loopback port nobody listens on right now.
free_port() {
    "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 10 s until Redis at $1 answers PING.
wait_for_redis() {
    local url="$1" i
    for i in $(seq 100); do
        "$venv/bin/python" -c 'import sys, redis; redis.Redis.from_url(sys.argv[1]).ping()' "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$me: no Redis answers at $url" >&2
    return 1
}

# The command that runs one worker of $2 jobs at once ($1: celery or rq) against Redis at $3.
worker_command() {
    local kind="$1" width="$2" url="$3"
    case "$kind" in
        celery) # threads: each job waits on the network, so one process can run many at once
            echo "$venv/bin/celery" -A celery_tasks worker --pool threads --concurrency "$width" \
                --hostname "slides-$$-$RANDOM@%h" --loglevel INFO ;;
        rq) # an rq worker runs one job at a time (forking a child for it): a pool of $width
            if [ "$width" -eq 1 ]; then
                echo "$venv/bin/rq" worker --url "$url" --serializer rq.serializers.JSONSerializer slides
            else
                echo "$venv/bin/rq" worker-pool --num-workers "$width" --url "$url" \
                    --serializer rq.serializers.JSONSerializer slides
            fi ;;
    esac
}

# Waits up to 30 s for a worker's log ($2) to say it is ready ($1: celery or rq).
wait_for_worker() {
    local kind="$1" log="$2" pid="$3" ready i
    case "$kind" in celery) ready="ready." ;; rq) ready="Listening on slides" ;; esac
    for i in $(seq 300); do
        grep -q "$ready" "$log" 2>/dev/null && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$me: the $kind worker exited; its log, $log, ends:" >&2
            tail -n 5 "$log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "$me: the $kind worker was not ready after 30 s; see $log" >&2
    return 1
}

[ $# -ge 1 ] || usage
program="$1"
shift
case "$program" in
    sync | processes | threads) file="$program.py" ;;
    asyncio) file="async_io.py" ;; # a file named asyncio.py would hide the asyncio module
    celery | rq | celery-worker | rq-worker | setup | ruff) ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) usage ;;
esac

setup
export PYTHONPATH="$root/python"
cd "$root/python"

case "$program" in
    setup) exit 0 ;;
    ruff)
        "$venv/bin/ruff" format --check .
        exec "$venv/bin/ruff" check . ;;
    sync | processes | threads | asyncio)
        exec "$venv/bin/python" "$file" "$@" ;;
esac

# The queue: a worker alone, or a producer with workers (and maybe a redis-server) of its own.
kind="${program%-worker}"
width=""
workers=1
redis_url="${REDIS_URL:-}"
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        -c | --concurrency) width="${2:?$me: $1 needs a number}"; shift 2 ;;
        --workers) workers="${2:?$me: --workers needs a number}"; shift 2 ;;
        --redis) redis_url="${2:?$me: --redis needs a URL}"; shift 2 ;;
        --redis=*) redis_url="${1#--redis=}"; shift ;;
        *) args+=("$1"); shift ;;
    esac
done
# As many jobs at once as slide 8's Rust worker (32) for Celery's threads; an RQ worker is a
# process that runs one job at a time (in a child it forks for each), so fewer of those.
[ -n "$width" ] || { [ "$kind" = celery ] && width=32 || width=4; }
if ! [[ "$width" =~ ^[1-9][0-9]*$ && "$workers" =~ ^[0-9]+$ ]]; then
    echo "$me: -c wants a whole number of at least 1 and --workers one of at least 0" >&2
    exit 2
fi

if [ "$program" != "$kind" ]; then # celery-worker, rq-worker: one worker, in the foreground
    [ -n "$redis_url" ] || { echo "$me: $program needs --redis URL (or REDIS_URL)" >&2; exit 2; }
    export REDIS_URL="$redis_url"
    read -r -a command <<<"$(worker_command "$kind" "$width" "$redis_url")"
    exec "${command[@]}" ${args[@]+"${args[@]}"}
fi

pids=()
# Each service runs in a process group of its own (started under `set -m`), so that stopping
# it stops what it started too: an RQ pool's workers, a worker's child running a job.
stop_all() { # the workers first, the redis-server (started first) last
    local pid i
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pid="${pids[$i]}"
        kill -TERM -- "-$pid" 2>/dev/null || true
        # A worker finishes the jobs it holds first: give it 5 s, then stop them all.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
trap stop_all EXIT
trap 'exit 130' INT # until the producer runs
trap 'exit 143' TERM
mkdir -p "$logs"

if [ -z "$redis_url" ]; then
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "$me: redis-server is not installed: run scripts/install-redis-server.sh, or pass --redis URL" >&2
        exit 1
    fi
    port="$(free_port)"
    set -m
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
        >"$logs/redis-server.log" 2>&1 &
    pids+=($!)
    set +m
    redis_url="redis://127.0.0.1:$port"
fi
wait_for_redis "$redis_url"
export REDIS_URL="$redis_url"

read -r -a command <<<"$(worker_command "$kind" "$width" "$redis_url")"
for n in $(seq "$workers"); do
    log="$logs/$kind-worker-$n.log"
    set -m
    "${command[@]}" >"$log" 2>&1 &
    pids+=($!)
    set +m
    wait_for_worker "$kind" "$log" "$!"
done

# The summary's width: the jobs in flight at once, when every worker is one started here.
[ "$workers" -gt 0 ] && args=(--concurrency "$((workers * width))" ${args[@]+"${args[@]}"})
# In the background, so that a Ctrl-C or SIGTERM sent to this script is passed on at once: the
# producer then prints what it got done, and the EXIT trap stops the workers.
"$venv/bin/python" "${kind}_producer.py" --redis "$redis_url" ${args[@]+"${args[@]}"} &
producer=$!
trap 'kill -INT "$producer" 2>/dev/null || true' INT
trap 'kill -TERM "$producer" 2>/dev/null || true' TERM
status=0
wait "$producer" || status=$?
while kill -0 "$producer" 2>/dev/null; do # a signal ended the first wait, not the producer
    status=0
    wait "$producer" || status=$?
done
exit "$status"
