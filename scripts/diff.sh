#!/usr/bin/env bash
# Shows what one slide changes against another: the lesson, as a diff.
#
#   scripts/diff.sh sync threads      # slide 4 against slide 6
#   scripts/diff.sh 6 7               # threads against tokio
#   scripts/diff.sh tokio blocking    # slide 7 against 7b: one blocking call in its futures
#   scripts/diff.sh tokio http2       # slide 7 against 7c: one connection, many streams
#   scripts/diff.sh threads tokio | less -R
#   scripts/diff.sh --side-by-side sync threads   # two columns, 160 wide (-y for short)
#   scripts/diff.sh -y threads python/threads.py  # slide 6 beside the talk's own Python
#
# Names: sync (4), processes (5), threads (6), coroutines (7a), tokio (7), blocking (7b),
# http2 (7c), producer (8), worker. `lab source NAME` (crates/lab) knows which file holds each
# lesson; a path to a file (python/threads.py) is taken as it is.
# Two names of one file (6 and threads) get a line that says so, not an empty diff.
set -euo pipefail
cd "$(dirname "$0")/.."

# The help is the comment above, up to the first line that is not one.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }

if [ $# -eq 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; }; then
    usage
    exit 0
fi
# The layout: unified (the default), or the two files side by side in 160 columns.
layout=(-u)
names=()
for arg in "$@"; do
    case "$arg" in
        -y | --side-by-side) layout=(--side-by-side --width=160 --expand-tabs) ;;
        -*) echo "diff.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
        *) names+=("$arg") ;;
    esac
done
set -- ${names[@]+"${names[@]}"}
if [ $# -ne 2 ]; then
    echo "diff.sh: give two slides, e.g. scripts/diff.sh sync threads (see --help)" >&2
    exit 2
fi

lab="${CARGO_TARGET_DIR:-target}/debug/lab"
# Built (or found up to date) each time, so that it knows the slides as they are now.
if command -v cargo >/dev/null 2>&1; then
    cargo build -q -p lab
elif [ ! -x "$lab" ]; then
    echo "diff.sh: cargo not found, and lab is not built. Install Rust (https://rustup.rs)." >&2
    exit 1
fi

files=()
for arg in "$1" "$2"; do
    if [[ $arg == */* && -f $arg ]]; then
        files+=("$arg")
        continue
    fi
    # lab says what is wrong with a name itself, and exits 2.
    file=$("$lab" source "$arg") || exit 2
    files+=("$file")
done

if [ "${files[0]}" = "${files[1]}" ]; then
    # Not an error: the diff is empty. Saying so beats printing nothing at all.
    echo "diff.sh: $1 and $2 are the same file (${files[0]}): nothing to compare" >&2
    exit 0
fi

colour=()
if [ -t 1 ] && diff --color=always /dev/null /dev/null >/dev/null 2>&1; then
    colour=(--color=always)
fi
# diff exits 1 when the files differ, which is the point here, not an error.
diff "${layout[@]}" ${colour[@]+"${colour[@]}"} "${files[0]}" "${files[1]}" || [ $? -eq 1 ]
