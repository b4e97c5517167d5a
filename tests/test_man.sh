#!/bin/sh
# test_man.sh -- the man page docs/aifsim.1 renders without warnings and keeps up with
# the command line: every subcommand has a section and every option that any
# `aifsim ... --help` names appears in it.  usage: test_man.sh AIFSIM SRCDIR
set -u
bin=$1
man=$2/docs/aifsim.1
fail=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if command -v groff >/dev/null 2>&1; then
    warn=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
    [ -z "$warn" ] || bad "groff warns: $warn"
else
    bad "groff is not installed (scripts/install-deps.sh installs groff-base)"
fi

text=$(sed 's/\\-/-/g' "$man")
for c in train search infer cluster compare facility topology report collective catalog validate sweep; do
    printf '%s\n' "$text" | grep -q "^\.SS \"aifsim $c" || bad "no section for aifsim $c"
    for o in $("$bin" $c --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        printf '%s\n' "$text" | grep -q -- "$o" || bad "aifsim $c: option $o is not in docs/aifsim.1"
    done
done
for o in $("$bin" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    printf '%s\n' "$text" | grep -q -- "$o" || bad "aifsim: option $o is not in docs/aifsim.1"
done
[ $fail -eq 0 ] && echo "man page: ok"
exit $((fail > 0))
