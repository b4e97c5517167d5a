#!/bin/sh
# install-deps.sh -- installs the Debian packages aifsim needs to build and test.
# Idempotent: installs only what is missing; works as root or through sudo.
set -eu
# chromium renders the HTML report in the tests (headless); python3 runs the Python
# module (python/aifsim/) and python3-pytest its tests; groff-base checks the man page;
# libsqlite3-dev is the sweeps' result store (sqlite3, its shell, reads it in the tests);
# libopenmpi-dev and openmpi-bin run sweeps on MPI ranks (mpirun)
PKGS="build-essential cmake pkg-config libyaml-dev libjson-c-dev libcsv-dev libcmocka-dev libplplot-dev chromium
      python3 python3-pytest groff-base libsqlite3-dev sqlite3 libopenmpi-dev openmpi-bin"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps.sh: need root or sudo to install:$missing" >&2
    exit 1
fi
echo "install-deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
