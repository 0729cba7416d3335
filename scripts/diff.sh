#!/usr/bin/env bash
# Shows what one slide changes against another: the lesson, as a diff.
#
#   scripts/diff.sh sync threads      # slide 4 against slide 6
#   scripts/diff.sh 6 7               # threads against tokio
#   scripts/diff.sh threads tokio | less -R
#
# Names: sync (4), processes (5), threads (6), coroutines (7a), tokio (7), producer (8), worker.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }

# The binary a short name or a slide number stands for.
binary() {
    case "$1" in
        4 | 04 | sync | slide04-sync) echo slide04-sync ;;
        5 | 05 | processes | process | multiprocess | multiprocessing | slide05-multiprocess) echo slide05-multiprocess ;;
        6 | 06 | threads | thread | multithreading | slide06-threads) echo slide06-threads ;;
        7a | 07a | coroutines | coroutine | slide07a-coroutines) echo slide07a-coroutines ;;
        7 | 07 | tokio | async | asyncio | slide07-tokio) echo slide07-tokio ;;
        8 | 08 | producer | queue | slide08-producer) echo slide08-producer ;;
        worker | slide08-worker) echo slide08-worker ;;
        *) return 1 ;;
    esac
}

# The file that holds a binary's main: crates/NAME/src/main.rs, or a src/bin/ file of a crate.
source_of() {
    local name=$1 file
    for file in "crates/$name/src/main.rs" crates/*/src/bin/"$name".rs crates/*/src/bin/"$name"/main.rs; do
        if [ -f "$file" ]; then
            echo "$file"
            return 0
        fi
    done
    return 1
}

if [ $# -eq 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; }; then
    usage
    exit 0
fi
if [ $# -ne 2 ]; then
    echo "diff.sh: give two slides, e.g. scripts/diff.sh sync threads (see --help)" >&2
    exit 2
fi

files=()
for arg in "$1" "$2"; do
    if ! name=$(binary "$arg"); then
        echo "diff.sh: no slide called '$arg'; try sync, processes, threads, coroutines, tokio, producer, worker or 4-8" >&2
        exit 2
    fi
    if ! file=$(source_of "$name"); then
        echo "diff.sh: $name has no source in crates/ yet" >&2
        exit 2
    fi
    files+=("$file")
done

colour=()
if [ -t 1 ] && diff --color=always /dev/null /dev/null >/dev/null 2>&1; then
    colour=(--color=always)
fi
# diff exits 1 when the files differ, which is the point here, not an error.
diff -u ${colour[@]+"${colour[@]}"} "${files[0]}" "${files[1]}" || [ $? -eq 1 ]
