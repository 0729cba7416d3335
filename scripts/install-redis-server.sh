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

# shellcheck source=scripts/apt-install.sh
source "$(dirname "$0")/apt-install.sh"
if command -v apt-get >/dev/null 2>&1; then
    # On a machine with systemd this also starts a redis-server service on port 6379; the
    # tests and scripts/run-all.sh start their own on free ports and leave it alone.
    apt_install "redis-server is not installed; slide 8 needs it" redis-server || cannot
elif [ "$(uname -s)" = Darwin ] && command -v brew >/dev/null 2>&1; then
    echo "==> redis-server is not installed; slide 8 needs it. Installing it: brew install redis"
    brew install redis || cannot
else
    cannot
fi
command -v redis-server >/dev/null 2>&1 || cannot
echo "==> installed: $(redis-server --version)"
