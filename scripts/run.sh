#!/bin/sh
# run.sh -- installs what is missing, builds aifsim (the command and the shared library
# the Python module loads), makes `import aifsim` work for python3, and runs aifsim with
# the given arguments (none: the built-in default scenario).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
# progress on stderr while building: the first build takes a minute or two, later ones seconds
[ -x "$root/build/aifsim" ] || echo "run.sh: building aifsim (the first build takes a minute or two)" >&2
cmake --build "$root/build" -j "$(nproc)" --target aifsim aifsim_shared >/dev/null
# python3 finds python/aifsim through one line in its user site-packages (as an editable
# install would do it); remove that aifsim.pth to undo.  The module loads build/libaifsim.so.
if command -v python3 >/dev/null 2>&1 && site=$(python3 -m site --user-site 2>/dev/null) && [ -n "$site" ]; then
    if [ "$(cat "$site/aifsim.pth" 2>/dev/null)" != "$root/python" ]; then
        mkdir -p "$site" && printf '%s\n' "$root/python" >"$site/aifsim.pth" &&
            echo "run.sh: python3 can now import aifsim ($site/aifsim.pth names $root/python)" >&2
    fi
fi
exec "$root/build/aifsim" "$@"
