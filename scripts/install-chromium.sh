#!/usr/bin/env bash
# Makes sure Chromium is installed: tests/report_html.rs draws report.html in it, headless, to
# check that the report reads on a laptop and on a projector. Installs it when it can — apt-get
# on Debian/Ubuntu as root or with sudo — and otherwise says how, and exits 1.
#   scripts/install-chromium.sh
set -euo pipefail

# The names the test looks for, on the PATH; on macOS, Google Chrome where it installs itself.
found() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
        command -v google-chrome >/dev/null 2>&1 ||
        [ -x "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" ]
}

if found; then
    exit 0
fi

cannot() {
    cat >&2 <<'HOW'
install-chromium.sh: Chromium is not installed, and cannot be installed from here.
tests/report_html.rs needs it to draw report.html. Install it, then run this again:
    sudo apt-get install -y chromium                  # Debian
    sudo apt-get install -y chromium-browser          # Ubuntu
    sudo dnf install -y chromium                      # Fedora
    brew install --cask google-chrome                 # macOS
HOW
    exit 1
}

# shellcheck source=scripts/apt-install.sh
source "$(dirname "$0")/apt-install.sh"
if command -v apt-get >/dev/null 2>&1; then
    # Debian calls the package chromium; Ubuntu, chromium-browser.
    apt_install "Chromium is not installed; tests/report_html.rs needs it" \
        chromium chromium-browser || cannot
elif [ "$(uname -s)" = Darwin ] && command -v brew >/dev/null 2>&1; then
    echo "==> Chromium is not installed; tests/report_html.rs needs it. Installing it: brew install --cask google-chrome"
    brew install --cask google-chrome || cannot
else
    cannot
fi
found || cannot
echo "==> installed: $(chromium --version 2>/dev/null || chromium-browser --version 2>/dev/null ||
    google-chrome --version 2>/dev/null || echo Google Chrome)"
