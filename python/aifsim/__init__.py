"""aifsim: a digital twin of AI clusters, from Python.

    import aifsim
    aifsim.train()                                   # the built-in default scenario
    aifsim.train("mixtral-8x7b", ep=4)               # a built-in example, with an option
    aifsim.train("job.yaml", overrides={"train.recompute": "full"})
    aifsim.train({"cluster": {"system": "dgx-h100", "gpus": 64}, "model": "llama3-8b",
                  "train": {"tp": 2, "gbs": 64}}, engine="sim")
    aifsim.train(model="llama3-70b", gpus=1024, tp=8, pp=4, gbs=512, seq=8192)
    aifsim.infer(model="llama3-8b", tp=1, qps=4)     # serving: TTFT, TPOT, throughput
    aifsim.cluster(days=54)                          # many jobs: failures, ETTR, power
    aifsim.catalog("gpus")                           # a list of dicts

A thin layer over libaifsim (ctypes over include/aifsim/api.h): every result is the
dict of `json.loads` of what `aifsim train ... --json`, `aifsim infer ... --json` or
`aifsim catalog KIND --json`
prints for the same inputs.  Bad input raises aifsim.Error, which carries the file,
line, column and field path of the mistake.
"""
import difflib
import json
import os
from collections.abc import Mapping

from . import _native

__all__ = ["train", "infer", "cluster", "catalog", "Error", "TRAIN_OPTIONS", "INFER_OPTIONS", "CLUSTER_OPTIONS"]

__version__ = _native.lib.aif_version().decode()


def _options(entries):
    table, i = {}, 0
    while entries[i].option:
        table[entries[i].option.decode().replace("-", "_")] = entries[i].path.decode()
        i += 1
    return table


#: The keyword arguments of train() that set one scenario field, as `aifsim train
#: --OPTION` does: {"tp": "train.tp", "kv_heads": "model.kv_heads", ...}.
TRAIN_OPTIONS = _options(_native.lib.aif_train_options())
#: The keyword arguments of cluster(), as `aifsim cluster --OPTION` (days is in days).
CLUSTER_OPTIONS = {"policy": "operations.policy", "placement": "operations.placement", "seed": "operations.seed",
                   "days": "operations.horizon"}
#: The keyword arguments of infer(), as `aifsim infer --OPTION`: {"qps": "serve.qps", ...}.
INFER_OPTIONS = _options(_native.lib.aif_infer_options())


class Error(Exception):
    """What the library reported about bad input (or a failure), with where it was.

    rc       the library's aif_rc: 2 bad input, 3 a file could not be read,
             4 out of memory, 5 an internal error
    file     the scenario file, "<dict>", the override it came from, or ""
    line     1-based line in file (0 when unknown)
    col      1-based column (0 when unknown)
    field    the field's dotted path, e.g. "train.tp" ("" when none)
    message  what was wrong and what is accepted
    """

    def __init__(self, rc, file, line, col, field, message, text):
        super().__init__(text)
        self.rc, self.file, self.line, self.col, self.field, self.message = rc, file, line, col, field, message


def _raise(err):
    buf = _native.ctypes.create_string_buffer(1400)
    _native.lib.aif_err_format(_native.ctypes.byref(err), buf, len(buf))

    def text(b):
        return b.decode("utf-8", "replace")

    raise Error(err.rc, text(err.file), err.line, err.col, text(err.path), text(err.msg), text(buf.value))


def _value_text(key, value, fn="train"):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    raise TypeError("aifsim.%s: %s=%r: a value is a string, a number or a bool" % (fn, key, value))


def _overrides(overrides, options, table=None, fn="train"):
    """(path, value text, origin) per override: the overrides mapping first, then the
    keyword arguments, in their order (a later one wins, as on the command line)."""
    table = TRAIN_OPTIONS if table is None else table
    out = []
    for path, value in (overrides or {}).items():
        out.append((path, _value_text(path, value, fn), "overrides[%r]" % path))
    for key, value in options.items():
        if "." in key:
            path = key
        elif key in table:
            path = table[key]
        else:
            near = difflib.get_close_matches(key, table, n=1)
            raise TypeError("aifsim.%s: unknown option %r%s (accepted: %s; any field by its path: "
                            "overrides={'%s': ...})"
                            % (fn, key, "; did you mean %r?" % near[0] if near else "", ", ".join(table),
                               "train.tp_overlap" if fn == "train" else "serve.max_batch"))
        out.append((path, _value_text(key, value, fn), "keyword %s" % key))
    return out


def _source(scenario, fn):
    """(aif_scenario_from, text or path, name) of a scenario argument."""
    if scenario is None or (isinstance(scenario, Mapping) and not scenario):
        return _native.FROM_DEFAULT, None, None
    if isinstance(scenario, Mapping):
        return _native.FROM_TEXT, json.dumps(scenario, indent=2), "<dict>"
    if isinstance(scenario, (str, os.PathLike)):
        return _native.FROM_FILE, os.fspath(scenario), None
    raise TypeError("aifsim.%s: scenario is a dict, a file path, an example's name or None, not %s"
                    % (fn, type(scenario).__name__))


def train(scenario=None, *, overrides=None, engine="estimate", catalogs=(), **options):
    """Runs a training job through the library's pipeline and returns its result.

    scenario   None or {}: the built-in default scenario (Llama 3 405B on 16,384 H100),
               which overrides and options refine, exactly as `aifsim train` does;
               "neutral" is the small base (one DGX H100 node, llama3-8b);
               model=..., or a gpus= the base's layout cannot hold, derives the
               layout again (the result's "substitutions" say so);
               a dict: the scenario file's content (docs/SCENARIOS.md);
               a str or path: a scenario YAML file, or the name of a built-in example
               ("mixtral-8x7b", "llama3-8b-8gpu").
    overrides  {dotted field path: value}, as `--set PATH=VALUE`: {"train.tp": 8}.
    engine     "estimate" (closed form) or "sim" (discrete events on the fabric).
    catalogs   catalog files whose entries are added to the built-in ones (--catalog).
    options    the options of `aifsim train` by name, `-` written `_`: tp=8, gpus=1024,
               kv_heads=8 (TRAIN_OPTIONS lists them); a key with a dot is a field path.

    Returns the dict `aifsim train ... --json` prints.  Raises Error for bad input.
    """
    if engine not in _native.ENGINES:
        raise ValueError("aifsim.train: engine %r (accepted: %s)" % (engine, ", ".join(_native.ENGINES)))
    source, text, name = _source(scenario, "train")
    ov = _overrides(overrides, options)
    cats = [os.fspath(c) for c in catalogs]
    out = _native.ctypes.c_void_p()
    err = _native.Err()
    rc = _native.lib.aif_train_json(
        text.encode() if text is not None else None, source, name.encode() if name else None,
        _native.strings([o[0] for o in ov]), _native.strings([o[1] for o in ov]),
        _native.strings([o[2] for o in ov]), len(ov), _native.strings(cats), len(cats),
        _native.ENGINES[engine], _native.ctypes.byref(out), _native.ctypes.byref(err))
    if rc != 0:
        _raise(err)
    return json.loads(_native.take_text(out))


def infer(scenario=None, *, overrides=None, catalogs=(), **options):
    """Simulates a serving deployment through the library's pipeline and returns its result.

    scenario   None or {}: `aifsim infer`'s base, the serve-llama3-70b example (Llama 3
               70B on one 8-GPU H100 node), which overrides and options refine;
               a dict: a scenario with a serve section (docs/SERVING.md);
               a str or path: a scenario YAML file or a built-in example's name.
    overrides  {dotted field path: value}, as `--set PATH=VALUE`: {"serve.max_batch": 64}.
    catalogs   catalog files whose entries are added to the built-in ones (--catalog).
    options    the options of `aifsim infer` by name, `-` written `_`: qps=4, tp=8,
               input_tokens=2048 (INFER_OPTIONS lists them); a key with a dot is a field path.

    Returns the dict `aifsim infer ... --json` prints.  Raises Error for bad input.
    """
    source, text, name = _source(scenario, "infer")
    ov = _overrides(overrides, options, INFER_OPTIONS, "infer")
    cats = [os.fspath(c) for c in catalogs]
    out = _native.ctypes.c_void_p()
    err = _native.Err()
    rc = _native.lib.aif_infer_json(
        text.encode() if text is not None else None, source, name.encode() if name else None,
        _native.strings([o[0] for o in ov]), _native.strings([o[1] for o in ov]),
        _native.strings([o[2] for o in ov]), len(ov), _native.strings(cats), len(cats),
        _native.ctypes.byref(out), _native.ctypes.byref(err))
    if rc != 0:
        _raise(err)
    return json.loads(_native.take_text(out))


def cluster(scenario=None, *, overrides=None, trace=None, format=None, catalogs=(), **options):
    """Runs many jobs on one cluster (aif_run_cluster) and returns its result.

    scenario   None or {}: the built-in default scenario (its Llama 3 405B job alone on
               its 16,384 GPUs); a dict or a file as for train(), with an
               `operations` section for the policy, failures, checkpoints and load.
    trace      a job trace file, with format "philly", "helios", "pai" or "acme";
               format="synthetic" alone: the scenario's operations.synthetic load.
    options    policy, placement, seed, days (CLUSTER_OPTIONS); a key with a dot is a
               field path.

    Returns the dict `aifsim cluster ... --json` prints.  Raises Error for bad input.
    """
    if "days" in options:
        options["days"] = "%sd" % _value_text("days", options["days"], "cluster")
    source, text, name = _source(scenario, "cluster")
    ov = _overrides(overrides, options, CLUSTER_OPTIONS, "cluster")
    cats = [os.fspath(c) for c in catalogs]
    out = _native.ctypes.c_void_p()
    err = _native.Err()
    rc = _native.lib.aif_cluster_json(
        text.encode() if text is not None else None, source, name.encode() if name else None,
        _native.strings([o[0] for o in ov]), _native.strings([o[1] for o in ov]),
        _native.strings([o[2] for o in ov]), len(ov), _native.strings(cats), len(cats),
        os.fspath(trace).encode() if trace is not None else None, format.encode() if format is not None else None,
        _native.ctypes.byref(out), _native.ctypes.byref(err))
    if rc != 0:
        _raise(err)
    return json.loads(_native.take_text(out))


def catalog(kind=None, name=None, *, catalogs=()):
    """The built-in catalog of one kind, "gpus", "systems", "fabrics", "models" or
    "frameworks", "storage", as a list of dicts (what `aifsim catalog KIND --json` lists); with a
    name, that entry alone with its "sources"; with no kind, a dict of all six lists.  catalogs adds entries
    from your own files first (--catalog)."""
    cats = [os.fspath(c) for c in catalogs]
    out = _native.ctypes.c_void_p()
    err = _native.Err()
    rc = _native.lib.aif_catalog_json(kind.encode() if kind is not None else None,
                                      name.encode() if name is not None else None, _native.strings(cats),
                                      len(cats), _native.ctypes.byref(out), _native.ctypes.byref(err))
    if rc != 0:
        _raise(err)
    result = json.loads(_native.take_text(out))
    return result[kind] if kind is not None and name is None else result
