"""Reading figures out of the built-in catalog files (data/*.yaml) for the calibration fits.

The fits (scripts/fit_*.py) run with any python3 and the standard library alone, so they read
the few fields they need with regular expressions rather than a YAML parser: an entry is the
text from its two-space-indented name to the next such name, a field a number after its key at
a given indent (a trailing `us` read as microseconds; any other unit is left to the caller).
"""
import os
import re

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data')
CALIB = os.path.join(DATA, 'calibration.yaml')
GPUS = os.path.join(DATA, 'gpus.yaml')
STACKS = os.path.join(DATA, 'frameworks.yaml')


def entry(path, name):
    """The text of entry `name` of a catalog file, from its name line to the next entry's."""
    text = open(path).read()
    rest = text[text.index('\n  %s:\n' % name):]
    nxt = re.search(r'\n  [a-z0-9.-]+:\n', rest[1:])
    return rest[:nxt.start() + 1] if nxt else rest


def number(block, key, indent=4):
    """The number of field `key` at `indent` spaces in an entry's text; None when absent."""
    m = re.search(r'\n%s%s: ([0-9.]+)(us)?' % (' ' * indent, key), block)
    return float(m.group(1)) * (1e-6 if m.group(2) else 1) if m else None


def gpu(name):
    """(the entry's text, its calibration family's text) of a catalog GPU."""
    g = entry(GPUS, name)
    return g, entry(CALIB, re.search(r'\n    arch: ([a-z0-9-]+)', g).group(1))


def check(family, want, what):
    """A fit's --check: 0 when calibration family `family` holds each value of `want` (field ->
    the fit's rounded value) exactly, else 1, each mismatch printed; `what` names the constants."""
    block = entry(CALIB, family)
    bad = []
    for key, v in want.items():
        m = re.search(r'\n    %s: ([0-9.]+)' % key, block)
        if not m or abs(float(m.group(1)) - v) > 1e-9:
            bad.append('%s: calibration.yaml %s, fit %s' % (key, m.group(1) if m else 'absent', v))
    if bad:
        print('\n'.join(bad))
        return 1
    print('%s %s match the fit' % (family, what))
    return 0
