"""Finds libaifsim.so and declares the C functions of include/aifsim/api.h to ctypes.

The library is looked for, in order:
  1. the file AIFSIM_LIB names, when that variable is set;
  2. where `cmake --install` put it, relative to this package (_installed.py, written
     at install time);
  3. the build tree of a source checkout: build/libaifsim.so beside python/.
"""
import ctypes
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("AIFSIM_LIB")
    if env:
        return [env]
    found = []
    try:
        from . import _installed
        found.append(os.path.normpath(os.path.join(_HERE, _installed.LIBRARY)))
    except ImportError:
        pass
    found.append(os.path.normpath(os.path.join(_HERE, "..", "..", "build", "libaifsim.so")))
    return found


def _load():
    tried = []
    for path in _candidates():
        if os.path.exists(path):
            return ctypes.CDLL(path), path
        tried.append(path)
    raise ImportError(
        "aifsim: libaifsim.so not found (looked at %s); build it with `sh scripts/run.sh` "
        "or `cmake --build build --target aifsim_shared`, or set AIFSIM_LIB to its path"
        % ", ".join(tried))


class Err(ctypes.Structure):
    """aif_err of include/aifsim/aifsim.h, field for field."""
    _fields_ = [
        ("rc", ctypes.c_int),             # aif_rc
        ("file", ctypes.c_char * 256),
        ("line", ctypes.c_int),
        ("col", ctypes.c_int),
        ("path", ctypes.c_char * 160),
        ("msg", ctypes.c_char * 768),
    ]


class Option(ctypes.Structure):
    """aif_option of include/aifsim/api.h."""
    _fields_ = [("option", ctypes.c_char_p), ("path", ctypes.c_char_p)]


lib, path = _load()

_STRINGS = ctypes.POINTER(ctypes.c_char_p)
_OUT = ctypes.POINTER(ctypes.c_void_p)

lib.aif_train_json.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, _STRINGS, _STRINGS, _STRINGS,
                               ctypes.c_int, _STRINGS, ctypes.c_int, ctypes.c_int, _OUT, ctypes.POINTER(Err)]
lib.aif_train_json.restype = ctypes.c_int
lib.aif_infer_json.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, _STRINGS, _STRINGS, _STRINGS,
                               ctypes.c_int, _STRINGS, ctypes.c_int, _OUT, ctypes.POINTER(Err)]
lib.aif_infer_json.restype = ctypes.c_int
lib.aif_cluster_json.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, _STRINGS, _STRINGS, _STRINGS,
                                 ctypes.c_int, _STRINGS, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, _OUT,
                                 ctypes.POINTER(Err)]
lib.aif_cluster_json.restype = ctypes.c_int
lib.aif_catalog_json.argtypes = [ctypes.c_char_p, ctypes.c_char_p, _STRINGS, ctypes.c_int, _OUT,
                                 ctypes.POINTER(Err)]
lib.aif_catalog_json.restype = ctypes.c_int
lib.aif_free.argtypes = [ctypes.c_void_p]
lib.aif_free.restype = None
lib.aif_version.argtypes = []
lib.aif_version.restype = ctypes.c_char_p
lib.aif_train_options.argtypes = []
lib.aif_train_options.restype = ctypes.POINTER(Option)
lib.aif_infer_options.argtypes = []
lib.aif_infer_options.restype = ctypes.POINTER(Option)
lib.aif_err_format.argtypes = [ctypes.POINTER(Err), ctypes.c_char_p, ctypes.c_size_t]
lib.aif_err_format.restype = None

# aif_scenario_from and aif_engine
FROM_DEFAULT, FROM_TEXT, FROM_FILE = 0, 1, 2
ENGINES = {"estimate": 0, "sim": 1}


def strings(items):
    """A C array of char * (NULL when empty) holding items, encoded as UTF-8."""
    if not items:
        return None
    return (ctypes.c_char_p * len(items))(*[s.encode() for s in items])


def take_text(ptr):
    """The text of a malloc'd char * from the library, which is then freed."""
    try:
        return ctypes.string_at(ptr.value).decode()
    finally:
        lib.aif_free(ptr)
