#!/usr/bin/env bash
# The README's first command: the talk, slide by slide, then one comparison table.
#
#   scripts/run-all.sh                  50 requests, each answered after 1 s, as in the talk
#   scripts/run-all.sh --quick          the same with a 100 ms delay, to try it fast
#   scripts/run-all.sh --requests 20 --delay 250ms --only 6,7,7b --timeline
#   scripts/run-all.sh --quick --work 20ms     each answer also costs 20 ms of CPU
#   scripts/run-all.sh --url https://httpbin.org/uuid     the real thing (needs the network)
#   scripts/run-all.sh --quick --python     each slide, then the talk's own Python for it
#
# Options: --quick, --requests N (1 to 1000000), --delay D, --work D (CPU per answer, at most
#   10s; the table then counts the cores), --only LIST (slide numbers: 4,5,6,7a,7,7b,7c,8),
#   --url URL (then no floor is claimed), --timeline (a chart after each slide), --python
#   (after slides 4, 5, 6, 7 and 8, the Python original: scripts/python.sh, rows of their own),
#   --out DIR (default target/slides), --debug (use the debug build, as the tests do).
#
# Checks the options, builds what the first slide needs and starts the talk while the other
# slides build (cargo's messages go to target/PROFILE/run-all-build.log; a slide that does not
# build is a failed row, said at its turn), starts httpbin-lite on a free port (and for slide 8
# a private redis-server, installed first if missing, and one worker), runs each slide under a
# banner, and ends with the table; DIR/results.json and DIR/report.html hold the same. A slide
# that ends without its summary is a failed row. Exit code: 0 when every slide got every UUID,
# 1 when any did not, 2 for an option it does not take. Everything it started is stopped
# however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

# The help is the comment above, up to the first line that is not one.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }

refuse() {
    echo "run-all.sh: $1 (see --help)" >&2
    exit 2
}

# The talk's slide numbers, as `lab list` gives them (tests/run_all.rs checks that they agree).
numbers="4 5 6 7a 7 7b 7c 8"

# The options are checked here, before the build, so that a typo costs no minutes of compiling.
# This refuses only what `lab talk` would refuse too; lab checks every value again after the
# build (a duration's number, a URL, a slide's name), since it alone knows how.
check() {
    local option=$1 value=$2 names name number
    case "$option" in
        -n | --requests)
            # Whole numbers from 1 to 1000000, as every slide takes them.
            [[ $value =~ ^[[:space:]]*\+?0*([1-9][0-9]{0,5}|1000000)[[:space:]]*$ ]] ||
                refuse "$option '$value': give a whole number from 1 to 1000000"
            ;;
        --delay | --work)
            value=$(printf '%s' "$value" | tr -d '[:space:]')
            [[ $value == 0 || $value =~ ^[^a-zA-Z]+(ms|s|m)$ ]] ||
                refuse "$option '$value': give a duration with its unit, e.g. 250ms, 1s or 1.5s"
            ;;
        --only)
            IFS=, read -ra names <<<"$value"
            [[ $value == *[![:space:],]* ]] || refuse "--only '$value': name a slide, e.g. 6,7"
            for name in "${names[@]}"; do
                # A number must be one of the talk's; a name (threads, tokio) is left to lab.
                [[ $name =~ ^[[:space:]]*0*([0-9]+[a-zA-Z]?)[[:space:]]*$ ]] || continue
                number=$(printf '%s' "${BASH_REMATCH[1]}" | tr '[:upper:]' '[:lower:]')
                [[ " $numbers " == *" $number "* ]] ||
                    refuse "--only: no slide $number; slide numbers are ${numbers// /, }"
            done
            ;;
    esac
}

# Every option in turn; sets `profile`, which --debug makes the debug build.
check_options() {
    while [ $# -gt 0 ]; do
        case "$1" in
            -h | --help) usage; exit 0 ;;
            --debug) profile=debug ;;
            --quick | --timeline | --python) ;;
            -n | --requests | --delay | --work | --url | --only | --out)
                # A value that starts with '-' is the next option: this one's value is missing.
                [ $# -ge 2 ] && [[ $2 != -?* ]] || refuse "$1 needs a value"
                check "$1" "$2"
                shift
                ;;
            --requests=* | --delay=* | --work=* | --url=* | --only=* | --out=*)
                check "${1%%=*}" "${1#*=}" ;;
            -n?*) # -n20 and -n=20, as lab takes them
                local value=${1#-n}
                check -n "${value#=}"
                ;;
            *) refuse "unknown option '$1'" ;;
        esac
        shift
    done
}

profile=release
check_options "$@"

if ! command -v cargo >/dev/null 2>&1; then
    echo "run-all.sh: cargo not found. Install Rust (https://rustup.rs), then run this again." >&2
    exit 1
fi

# What the first slide needs, and no more: the talk starts as soon as it is built, and lab
# builds the rest meanwhile (--build-rest-after), each slide waiting for its own. Not --quiet:
# a first build takes minutes, and cargo's own lines show that it is working.
echo "==> building what the first slide needs ($profile); the rest builds while it runs"
first=(lab httpbin-lite slide04-sync)
build=(cargo build --locked)
[ "$profile" = release ] && build+=(--release)
for package in "${first[@]}"; do
    build+=(--package "$package")
done
"${build[@]}"

# The slides, httpbin-lite and slides-report are beside lab, in the same build.
built=$(IFS=,; echo "${first[*]}")
exec "${CARGO_TARGET_DIR:-target}/$profile/lab" talk --build-rest-after "$built" "$@"
