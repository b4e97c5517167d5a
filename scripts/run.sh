#!/bin/sh
# run.sh -- installs what is missing, builds aifsim, and runs it with the given
# arguments (none: the built-in default scenario).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target aifsim >/dev/null
exec "$root/build/aifsim" "$@"
