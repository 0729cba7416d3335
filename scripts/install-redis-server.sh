#!/usr/bin/env bash
# Makes sure redis-server is installed: slide 8 (the queue), its tests and scripts/run-all.sh
# need a real one. Installs it when it can — apt-get on Debian/Ubuntu as root or with sudo,
# Homebrew on macOS — and otherwise says how, and exits 1.
#   scripts/install-redis-server.sh
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi

cannot() {
    cat >&2 <<'HOW'
install-redis-server.sh: redis-server is not installed, and cannot be installed from here.
Slide 8 (the queue) and its tests need it. Install it, then run this again:
    sudo apt-get install -y redis-server    # Debian, Ubuntu
    sudo dnf install -y redis               # Fedora
    brew install redis                      # macOS
or run the checks in a container that has it:
    docker run --rm -v "$PWD":/src -w /src rust:1 bash -c 'apt-get update && apt-get install -y redis-server && rustup component add rustfmt clippy && scripts/test.sh'
HOW
    exit 1
}

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
        # Without a password cached, sudo asks for one: only when someone is there to type it.
        sudo="sudo"
    else
        cannot
    fi
    # On a machine with systemd this also starts a redis-server service on port 6379; the
    # tests and scripts/run-all.sh start their own on free ports and leave it alone.
    echo "==> redis-server is not installed; slide 8 needs it. Installing it: ${sudo:+sudo }apt-get install redis-server"
    $sudo apt-get update -qq || cannot
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null || cannot
elif [ "$(uname -s)" = Darwin ] && command -v brew >/dev/null 2>&1; then
    echo "==> redis-server is not installed; slide 8 needs it. Installing it: brew install redis"
    brew install redis || cannot
else
    cannot
fi
command -v redis-server >/dev/null 2>&1 || cannot
echo "==> installed: $(redis-server --version)"
