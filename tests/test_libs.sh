#!/bin/sh
# test_libs.sh -- plotting is loaded only where it is used: neither the CLI nor
# libaifsim.so links PLplot (ldd), `aifsim train`, `aifsim catalog` and
# `aifsim validate` run without the dynamic loader ever opening it (LD_DEBUG=libs),
# and `aifsim report` does open it and writes its HTML (so the check can see a load).
# The same for SQLite and MPI: neither links libsqlite3 or libmpi, the commands above
# never open SQLite and a sweep does; a sweep outside mpirun never opens MPI (the MPI
# plugin, libaifsim-mpi.so, is opened under mpirun only: docs/SWEEPS.md).
# usage: test_libs.sh AIFSIM LIBAIFSIM_SO
set -u
bin=$1
lib=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

for f in "$bin" "$lib"; do
    if ldd "$f" >"$tmp/ldd" 2>&1 && ! grep -qi plplot "$tmp/ldd"; then ok; else bad "ldd $f names PLplot: $(grep -i plplot "$tmp/ldd")"; fi
done

for f in "$bin" "$lib"; do
    if ldd "$f" >"$tmp/ldd" 2>&1 && ! grep -qi "libmpi\|aifsim-mpi\|sqlite" "$tmp/ldd"; then ok; else
        bad "ldd $f names MPI or SQLite: $(grep -i "mpi\|sqlite" "$tmp/ldd")"; fi
done
src=$(cd "$(dirname "$0")/.." && pwd)
if LD_DEBUG=libs "$bin" sweep "$src/tests/sweep/small.yaml" --out "$tmp/s.db" >/dev/null 2>"$tmp/dbg"; then
    if grep -qi "libmpi\|aifsim-mpi" "$tmp/dbg"; then bad "aifsim sweep outside mpirun loads MPI: $(grep -i mpi "$tmp/dbg" | head -2)"; else ok; fi
    if grep -q "sqlite" "$tmp/dbg"; then ok; else bad "aifsim sweep wrote its store but the loader shows no SQLite"; fi
else
    bad "aifsim sweep failed: $(grep -v '^ *[0-9]*:' "$tmp/dbg" | head -3)"
fi

# the loader says "calling init: PATH" (and "find library=NAME") for every library it opens
for args in "train --json" "train default --engine sim" "catalog gpus" "catalog models llama3-8b --json"; do
    # shellcheck disable=SC2086
    if LD_DEBUG=libs "$bin" $args >/dev/null 2>"$tmp/dbg"; then
        if grep -qi "plplot\|sqlite" "$tmp/dbg"; then bad "aifsim $args loads PLplot or SQLite: $(grep -i "plplot\|sqlite" "$tmp/dbg" | head -2)"; else ok; fi
    else
        bad "aifsim $args failed: $(grep -v '^ *[0-9]*:' "$tmp/dbg" | head -3)"
    fi
done

if LD_DEBUG=libs "$bin" report -o "$tmp/r.html" 2>"$tmp/dbg" && grep -q "<svg" "$tmp/r.html"; then
    if grep -q "plplot" "$tmp/dbg"; then ok; else bad "aifsim report drew plots but the loader shows no PLplot"; fi
else
    bad "aifsim report: $(grep -v '^ *[0-9]*:' "$tmp/dbg" | head -3)"
fi

echo "libs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
