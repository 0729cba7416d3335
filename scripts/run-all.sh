#!/usr/bin/env bash
# The README's first command: the talk, slide by slide, then one comparison table.
#
#   scripts/run-all.sh                  50 requests, each answered after 1 s, as in the talk
#   scripts/run-all.sh --quick          the same with a 100 ms delay, to try it fast
#   scripts/run-all.sh --requests 20 --delay 250ms --only 6,7,7b --timeline
#   scripts/run-all.sh --quick --work 20ms     each answer also costs 20 ms of CPU
#   scripts/run-all.sh --url https://httpbin.org/uuid     the real thing (needs the network)
#   scripts/run-all.sh --quick --python     each slide, then the talk's own Python for it
#   scripts/run-all.sh --help           every option: `lab talk` takes them, and says each one
#
# --debug runs the debug build, as the tests do. Builds lab and what the first slide needs, then
# hands over to `lab talk`, which checks the options, starts the talk while the other slides
# build (cargo's messages go to target/PROFILE/run-all-build.log; a slide that does not build is
# a failed row, said at its turn), starts httpbin-lite on a free port (and for slide 8 a private
# redis-server, installed first if missing, and one worker), runs each slide under a banner, and
# ends with the table; --out DIR (default target/slides) gets results.json and report.html. Exit
# code: 0 when every slide got every UUID, 1 when any did not, 2 for an option lab does not take.
# Everything it started is stopped however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "run-all.sh: cargo not found. Install Rust (https://rustup.rs), then run this again." >&2
    exit 1
fi

# Which build to run is the one thing this script needs to know before lab is built; lab takes
# --debug too, and checks it with the rest.
profile=release
for option in "$@"; do
    [ "$option" = --debug ] && profile=debug
done
target=${CARGO_TARGET_DIR:-target}

# What the first slide needs, and no more: the talk starts as soon as it is built, and lab
# builds the rest meanwhile. With no release build yet (a fresh clone) that first part is the
# debug build, much the quicker to compile: slide 4 and its httpbin-lite run from it, every
# other slide from release. Not --quiet: a first build takes a while, and cargo's own lines
# show that it is working.
first_profile=$profile
quick_start=
if [ "$profile" = release ] && [ ! -e "$target/release/lab" ]; then
    first_profile=debug
    quick_start=--first-in-debug
fi
echo "==> building what the first slide needs ($first_profile); the rest builds while it runs" >&2
first=(lab httpbin-lite slide04-sync)
build=(cargo build --locked)
[ "$first_profile" = release ] && build+=(--release)
for package in "${first[@]}"; do
    build+=(--package "$package")
done
"${build[@]}"

built=$(IFS=,; echo "${first[*]}")
exec "$target/$first_profile/lab" talk --build-rest-after "$built" ${quick_start:+"$quick_start"} "$@"
