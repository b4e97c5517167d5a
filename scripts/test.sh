#!/bin/sh
# test.sh -- installs what is missing, builds aifsim and its tests twice (a
# release build, and one with AddressSanitizer + UBSan; warnings are errors in both),
# and runs the whole
# suite in both (the suite includes the validation bound).  Exit status 0 = all passed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$root/scripts/install-deps.sh"

echo "== release build"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DAIFSIM_WERROR=ON >/dev/null
cmake --build "$root/build" -j "$jobs" >/dev/null
(cd "$root/build" && ctest --output-on-failure -j "$jobs")

echo "== validation against published measurements (also a test above)"
"$root/build/aifsim" validate | grep "bound on the median"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DAIFSIM_SANITIZE=ON -DAIFSIM_WERROR=ON >/dev/null
cmake --build "$root/build-asan" -j "$jobs" >/dev/null
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j "$jobs")
