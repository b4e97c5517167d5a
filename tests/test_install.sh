#!/bin/sh
# test_install.sh -- `cmake --install` into a temporary prefix gives a usable library:
# the files are where pkg-config says, a small C program built with
# `pkg-config --cflags --libs aifsim` (the shared library) and with `--static`
# (libaifsim.a) estimates the default scenario through aif_run_train and prints what
# the CLI prints, and the installed Python module finds its library by itself.
# usage: test_install.sh BUILD_DIR CC [CFLAGS...]   (CFLAGS: e.g. the sanitizer's)
# Environment: CMAKE (default cmake), PKG_CONFIG (default pkg-config), PYTHON
# (default python3; empty skips the Python check).
set -u
build=$1
cc=$2
shift 2
cmake=${CMAKE:-cmake}
pkgconfig=${PKG_CONFIG:-pkg-config}
python=${PYTHON-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

prefix=$tmp/prefix
if ! "$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"
    echo "FAIL: cmake --install"
    exit 1
fi
pc=$(find "$prefix" -name aifsim.pc)
[ -n "$pc" ] || { echo "FAIL: no aifsim.pc installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")"
libdir=$("$pkgconfig" --variable=libdir aifsim)
includedir=$("$pkgconfig" --variable=includedir aifsim)

# the files, and only public headers
for f in "$prefix/bin/aifsim" "$libdir/libaifsim.a" "$libdir/libaifsim.so" "$includedir/aifsim/aifsim.h" \
         "$includedir/aifsim/version.h" "$includedir/aifsim/run.h" "$includedir/aifsim/api.h" \
         "$prefix/share/man/man1/aifsim.1"; do
    [ -e "$f" ] || bad "not installed: $f"
done
[ -z "$(find "$includedir/aifsim" -name '*.h.in')" ] || bad "a header template was installed"
version=$("$build/aifsim" --version | cut -d' ' -f2)
[ "$("$pkgconfig" --modversion aifsim)" = "$version" ] || bad "aifsim.pc version is not $version"
grep -q "#define AIF_VERSION \"$version\"" "$includedir/aifsim/version.h" || bad "version.h is not $version"
soname=$(readelf -d "$libdir/libaifsim.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
case $soname in libaifsim.so.[0-9]*) ;; *) bad "libaifsim.so has no versioned SONAME ($soname)" ;; esac
[ -e "$libdir/$soname" ] || bad "$soname not installed"
if nm -D --defined-only "$libdir/libaifsim.so" | awk '{print $3}' | grep -v '^aif_' | grep -q .; then
    bad "libaifsim.so exports names without the aif_ prefix"
fi
# no private dependency leaks into the public link line or the headers
case " $("$pkgconfig" --libs aifsim) " in *yaml*|*json*|*plplot*|*csv*) bad "private libraries in Libs" ;; esac
if grep -l 'yaml\.h\|json-c\|plplot\|csv\.h' "$includedir"/aifsim/*.h; then bad "a public header includes a private dependency"; fi

cat >"$tmp/prog.c" <<'PROG'
/* estimates the default scenario through the installed library */
#include <aifsim/run.h>

#include <stdio.h>

int main(void)
{
    static aif_scenario s;
    static aif_train_run r;
    aif_catalog *c = NULL;
    aif_err e;
    if (aif_catalog_load_builtin(&c, &e) || aif_scenario_load(c, NULL, NULL, 0, &s, &e) ||
        aif_run_train(c, &s, NULL, &r, &e)) {
        char buf[1400];
        aif_err_format(&e, buf, sizeof buf);
        fprintf(stderr, "prog: %s\n", buf);
        aif_catalog_free(c);
        return 1;
    }
    printf("%s %.10g %.10g\n", AIF_VERSION, r.train.step_time_s, r.train.mfu);
    aif_catalog_free(c);
    return 0;
}
PROG
json=$("$build/aifsim" train --json)
num() { printf '%s\n' "$json" | sed -n "s/^  \"$1\": \([^,]*\),*$/\1/p"; }
want="$version $(num step_time_s) $(num mfu)"

# shared: the program needs libaifsim.so at run time
# shellcheck disable=SC2046
if "$cc" -std=c11 -Wall -Wextra -Werror "$@" $("$pkgconfig" --cflags aifsim) "$tmp/prog.c" \
        $("$pkgconfig" --libs aifsim) -o "$tmp/prog-shared"; then
    readelf -d "$tmp/prog-shared" | grep -q "NEEDED.*\[$soname\]" || bad "prog-shared does not load $soname"
    got=$(LD_LIBRARY_PATH="$libdir" "$tmp/prog-shared")
    [ "$got" = "$want" ] || bad "shared: prog printed '$got', the CLI '$want'"
else
    bad "cannot build against the shared library"
fi

# static: libaifsim.a and the private dependencies pkg-config --static names
libs=$("$pkgconfig" --static --libs aifsim | sed "s|-laifsim|$libdir/libaifsim.a|")
# shellcheck disable=SC2046,SC2086
if "$cc" -std=c11 -Wall -Wextra -Werror "$@" $("$pkgconfig" --cflags aifsim) "$tmp/prog.c" $libs \
        -o "$tmp/prog-static"; then
    if readelf -d "$tmp/prog-static" | grep -q "libaifsim"; then bad "prog-static loads libaifsim.so"; fi
    got=$("$tmp/prog-static")
    [ "$got" = "$want" ] || bad "static: prog printed '$got', the CLI '$want'"
else
    bad "cannot build against the static library"
fi

# the installed Python module finds the installed library next to it
if [ -n "$python" ]; then
    pkg=$(find "$prefix" -name __init__.py -path '*/aifsim/*')
    if [ -z "$pkg" ]; then
        bad "the Python module is not installed"
    else
        out=$(cd "$tmp" && env -u AIFSIM_LIB PYTHONPATH="$(dirname "$(dirname "$pkg")")" "$python" -c \
            'import aifsim; r = aifsim.train(); print(aifsim._native.path); print(aifsim.__version__, repr(r["step_time_s"]))')
        case $(printf '%s\n' "$out" | head -1) in
            "$prefix"/*) ;;
            *) bad "the installed module loaded $(printf '%s\n' "$out" | head -1), not the installed library" ;;
        esac
        py=$(printf '%s\n' "$out" | sed -n 2p)
        [ "$py" = "$version $(num step_time_s)" ] || bad "installed module: '$py', the CLI '$version $(num step_time_s)'"
    fi
fi

[ $fail -eq 0 ] && echo "install: ok"
exit $((fail > 0))
