#!/bin/sh
# test.sh -- installs what is missing, builds aifsim and its tests twice (a release
# build, and one with AddressSanitizer + UBSan; warnings are errors in both), runs the
# whole suite in both (the validation bound, the install test and the man page
# included), the Python module's tests with pytest, and a minute of fuzzing per parser
# (sanitizer build).  Exit status 0 = all passed.
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

echo "== the Python module (pytest; also a test above)"
# Debian's python3, which python3-pytest serves, when the first python3 on PATH lacks pytest
py=python3
if ! python3 -c 'import pytest' 2>/dev/null && [ -x /usr/bin/python3 ]; then
    py=/usr/bin/python3
fi
AIFSIM_LIB="$root/build/libaifsim.so" AIFSIM_CLI="$root/build/aifsim" PYTHONDONTWRITEBYTECODE=1 \
    "$py" -m pytest -q -p no:cacheprovider "$root/python/tests"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DAIFSIM_SANITIZE=ON -DAIFSIM_WERROR=ON >/dev/null
cmake --build "$root/build-asan" -j "$jobs" >/dev/null
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j "$jobs")

echo "== fuzzing: every parser for a minute on its seed corpus (sanitizer build)"
# Seed 2 (the suite's short runs use seed 1); AIFSIM_FUZZ_SECONDS shortens or lengthens it.
# Two targets at a time on the two cores; any crash, leak or sanitizer report fails.
secs=${AIFSIM_FUZZ_SECONDS:-60}
fuzz() {
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$root/build-asan/tests/$1" --seconds "$secs" --seed 2 "$root/tests/$2"
}
failed=0
fuzz fuzz_scenario corpus & a=$!
fuzz fuzz_catalog corpus_catalog & b=$!
wait $a || failed=1
wait $b || failed=1
fuzz fuzz_carbon corpus_carbon & a=$!
fuzz fuzz_validation corpus_validation & b=$!
wait $a || failed=1
wait $b || failed=1
fuzz fuzz_trace corpus_trace & a=$!
fuzz fuzz_jobs corpus_jobs & b=$!
wait $a || failed=1
wait $b || failed=1
fuzz fuzz_sweep corpus_sweep & a=$!
fuzz fuzz_supply corpus_supply & b=$!
wait $a || failed=1
wait $b || failed=1
[ "$failed" = 0 ] || { echo "fuzzing: a target failed (see above)" >&2; exit 1; }
echo "fuzzing: 8 targets, $secs s each, no failure"
