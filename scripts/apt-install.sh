# Sourced by the install-*.sh scripts: apt-get install, as root or with sudo.
#
# apt_install WHY PACKAGE...: says WHY and what it runs, then installs the first PACKAGE that
# apt-get can (several are one program's names in different distributions: chromium,
# chromium-browser). Fails when there is no apt-get, neither root nor a sudo that may ask, or
# no PACKAGE installs.
apt_install() {
    local why=$1 sudo="" package
    shift
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "$(id -u)" -ne 0 ]; then
        # Without a password cached, sudo asks for one: only when someone is there to type it.
        { command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; } ||
            return 1
        sudo="sudo"
    fi
    echo "==> $why. Installing it: ${sudo:+sudo }apt-get install $1"
    $sudo apt-get update -qq || return 1
    for package in "$@"; do
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null &&
            return 0
    done
    return 1
}
