#!/usr/bin/env bash
# Makes sure strace is installed (Linux): tests/threads.rs counts every thread a slide starts,
# even one that lives a millisecond, by the clone calls strace sees. Installs it with apt-get
# as root or with sudo, and otherwise says how, and exits 1.
#   scripts/install-strace.sh
set -euo pipefail

if command -v strace >/dev/null 2>&1 || [ "$(uname -s)" != Linux ]; then
    exit 0
fi

cannot() {
    cat >&2 <<'HOW'
install-strace.sh: strace is not installed, and cannot be installed from here.
tests/threads.rs needs it to count the threads a slide starts. Install it, then run this again:
    sudo apt-get install -y strace    # Debian, Ubuntu
    sudo dnf install -y strace        # Fedora
HOW
    exit 1
}

command -v apt-get >/dev/null 2>&1 || cannot
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    # Without a password cached, sudo asks for one: only when someone is there to type it.
    { command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; } || cannot
    sudo="sudo"
fi
echo "==> strace is not installed; tests/threads.rs needs it. Installing it: ${sudo:+sudo }apt-get install strace"
$sudo apt-get update -qq || cannot
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null || cannot
command -v strace >/dev/null 2>&1 || cannot
