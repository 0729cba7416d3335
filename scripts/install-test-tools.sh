#!/usr/bin/env bash
# Makes sure the tools the tests look through are installed: strace (Linux; tests/threads.rs
# counts every thread a slide starts, even one that lives a millisecond, by the clone calls
# strace sees) and tmux (tests/race.rs watches the race's live lines in a real terminal).
# Installs what is missing with apt-get, as root or with sudo; otherwise says how, and exits 1.
#   scripts/install-test-tools.sh
set -euo pipefail

missing=()
if [ "$(uname -s)" = Linux ] && ! command -v strace >/dev/null 2>&1; then
    missing+=(strace)
fi
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ ${#missing[@]} -eq 0 ] && exit 0

cannot() {
    cat >&2 <<HOW
install-test-tools.sh: ${missing[*]} not installed, and cannot be installed from here.
The tests need them (see the top of this script). Install them, then run this again:
    sudo apt-get install -y ${missing[*]}    # Debian, Ubuntu
    sudo dnf install -y ${missing[*]}        # Fedora
    brew install tmux                       # macOS (strace is Linux's)
HOW
    exit 1
}

# shellcheck source=scripts/apt-install.sh
source "$(dirname "$0")/apt-install.sh"
for tool in "${missing[@]}"; do
    apt_install "$tool is not installed; the tests need it" "$tool" || cannot
    command -v "$tool" >/dev/null 2>&1 || cannot
done
