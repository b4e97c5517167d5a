"""The Python module against the command line: for the same inputs, aifsim.train()
and aifsim.catalog() give what `aifsim ... --json` prints; bad input raises
aifsim.Error naming the file, line and field; the ctypes image of aif_err matches
include/aifsim/aifsim.h.

The CLI is AIFSIM_CLI, else build/aifsim of this source tree."""
import json
import os
import re
import subprocess

import pytest

import aifsim

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("AIFSIM_CLI") or os.path.join(ROOT, "build", "aifsim")


def cli(*args):
    return json.loads(subprocess.run([CLI, *args], check=True, capture_output=True, text=True).stdout)


def test_default_equals_cli():
    want = cli("train", "--json")
    assert aifsim.train() == want
    assert aifsim.train({}) == want
    assert aifsim.train(None) == want


def test_example_with_overrides_equals_cli():
    got = aifsim.train("mixtral-8x7b", ep=4, overrides={"train.recompute": "full"})
    assert got == cli("train", "mixtral-8x7b", "--set", "train.recompute=full", "--ep", "4", "--json")
    assert got["inputs"]["ep"] == 4 and got["inputs"]["recompute"] == "full"


def test_options_alone_equal_cli():
    got = aifsim.train(model="llama3-70b", gpus=1024, tp=8, pp=4, gbs=512, seq=8192, nic_bw="200Gb/s")
    assert got == cli("train", "--model", "llama3-70b", "--gpus", "1024", "--tp", "8", "--pp", "4", "--gbs", "512",
                      "--seq", "8192", "--nic-bw", "200Gb/s", "--json")


def test_framework_keyword_equals_cli():
    got = aifsim.train("neutral", framework="torchtitan-compile", precision="fp8")
    assert got == cli("train", "neutral", "--framework", "torchtitan-compile", "--precision", "fp8", "--json")
    assert got["inputs"]["framework"] == "torchtitan-compile"
    assert got["step_time_s"] != aifsim.train("neutral", precision="fp8")["step_time_s"]
    with pytest.raises(aifsim.Error, match="did you mean 'torchtitan'"):
        aifsim.train("neutral", framework="torchtitn")


def test_dict_scenario_equals_cli_on_the_same_file(tmp_path):
    job = {"name": "dict-job", "cluster": {"system": "dgx-h100", "gpus": 64},
           "model": {"base": "llama3-8b", "layers": 16},
           "train": {"tp": 2, "pp": 2, "gbs": 64, "seq": 4096, "precision": "fp8", "tokens": "1T",
                     "tp_overlap": True},
           "facility": {"climate": "hot"}}
    path = tmp_path / "job.yaml"
    path.write_text(json.dumps(job))
    got = aifsim.train(job, **{"train.recompute": "selective"})
    want = cli("train", str(path), "--set", "train.recompute=selective", "--json")
    assert got.pop("base") == "dict" and want.pop("base") == "file job.yaml"
    assert got == want
    assert got["scenario"] == "dict-job"
    assert aifsim.train(path) == aifsim.train(str(path)) == cli("train", str(path), "--json")


def test_sim_engine_on_a_small_example():
    got = aifsim.train("llama3-8b-8gpu", engine="sim")
    assert got == cli("train", "llama3-8b-8gpu", "--engine", "sim", "--json")
    assert got["engine"] == "sim" and "network" in got


@pytest.mark.parametrize("kind", ["gpus", "systems", "fabrics", "models", "frameworks", "storage"])
def test_catalog_equals_cli(kind):
    aifsim.train()   # the train writer's number format must not leak into the catalog's
    assert aifsim.catalog(kind) == cli("catalog", kind, "--json")[kind]


def test_catalog_entry_and_all_kinds_equal_cli():
    assert aifsim.catalog("gpus", "h100-sxm") == cli("catalog", "gpus", "h100-sxm", "--json")
    assert aifsim.catalog() == cli("catalog", "--json")


def test_user_catalog(tmp_path):
    cat = tmp_path / "cat.yaml"
    cat.write_text("gpus:\n  my-gpu:\n    arch: hopper\n    peak_tflops: {bf16: 2000, fp8: 4000}\n    hbm: 96GB\n"
                   "    hbm_bw: 4TB/s\n    scaleup_bw: 450GB/s\n    tdp: 800W\n    sources: {all: mine}\n")
    assert "my-gpu" in [g["name"] for g in aifsim.catalog("gpus", catalogs=[cat])]
    got = aifsim.train(gpu="my-gpu", catalogs=[cat])
    assert got == cli("train", "--catalog", str(cat), "--gpu", "my-gpu", "--json")


def test_bad_field_raises_with_file_line_and_path(tmp_path):
    path = tmp_path / "my-job.yaml"
    path.write_text("name: bad\ncluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain:\n"
                    "  microbatch: 2\n")
    with pytest.raises(aifsim.Error) as e:
        aifsim.train(str(path))
    err = e.value
    assert (err.rc, err.file, err.line, err.col, err.field) == (2, str(path), 5, 3, "train.microbatch")
    assert "unknown key 'microbatch'" in err.message
    assert str(err).startswith("%s:5:3: train.microbatch: unknown key" % path)


def test_bad_field_in_a_dict_names_its_path():
    with pytest.raises(aifsim.Error) as e:
        aifsim.train({"cluster": {"system": "dgx-h100", "gpus": 8}, "model": "llama3-8b", "train": {"tpp": 1}})
    assert (e.value.file, e.value.field) == ("<dict>", "train.tpp")
    assert e.value.line > 1 and "did you mean 'tp'" in e.value.message


def test_bad_values_name_their_keyword_or_override():
    with pytest.raises(aifsim.Error) as e:
        aifsim.train(tp="x")
    assert (e.value.file, e.value.field) == ("keyword tp", "train.tp")
    with pytest.raises(aifsim.Error) as e:
        aifsim.train(overrides={"train.gbs": "many"})
    assert e.value.field == "train.gbs"
    with pytest.raises(aifsim.Error) as e:
        aifsim.train("no-such-example")
    assert e.value.file == "no-such-example" and e.value.rc == 3
    with pytest.raises(aifsim.Error) as e:
        aifsim.catalog("gpu")
    assert "did you mean 'gpus'" in e.value.message


def test_misuse_raises_python_errors():
    with pytest.raises(TypeError, match="did you mean 'tp'"):
        aifsim.train(tpp=8)
    with pytest.raises(TypeError):
        aifsim.train(tp=[8])
    with pytest.raises(TypeError):
        aifsim.train(42)
    with pytest.raises(ValueError):
        aifsim.train(engine="fast")


def test_options_are_the_clis():
    assert aifsim.TRAIN_OPTIONS["tp"] == "train.tp"
    assert aifsim.TRAIN_OPTIONS["kv_heads"] == "model.kv_heads"
    help_text = subprocess.run([CLI, "train", "--help"], check=True, capture_output=True, text=True).stdout
    for key in aifsim.TRAIN_OPTIONS:
        assert "--" + key.replace("_", "-") in help_text


def test_version_is_the_clis():
    out = subprocess.run([CLI, "--version"], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["aifsim", aifsim.__version__]


def test_err_struct_matches_the_header():
    header = open(os.path.join(ROOT, "include", "aifsim", "aifsim.h")).read()
    body = re.search(r"typedef struct aif_err \{(.*?)\} aif_err;", header, re.S).group(1)
    fields = []
    for decl in re.sub(r"/\*.*?\*/", "", body, flags=re.S).split(";"):
        decl = decl.strip()
        if not decl:
            continue
        ctype, names = decl.split(None, 1)
        for name in names.split(","):
            m = re.fullmatch(r"\s*(\w+)(?:\[(\d+)\])?\s*", name)
            fields.append((m.group(1), ctype, int(m.group(2)) if m.group(2) else None))
    mine = [(n, t) for n, t in aifsim._native.Err._fields_]
    assert [f[0] for f in fields] == [n for n, _ in mine]
    for (name, ctype, size), (_, t) in zip(fields, mine):
        if size is None:
            assert ctype in ("int", "aif_rc") and t is aifsim._native.ctypes.c_int, name
        else:
            assert ctype == "char" and t._length_ == size, name


def test_options_refine_the_default_and_say_so():
    # the base never changes silently: an option keeps the default's job
    got = aifsim.train(overrides={"train.tp_overlap": False})
    assert got["base"] == "built-in default scenario" and got["options"] == 1
    assert got["inputs"]["model"] == "llama3-405b" and got["inputs"]["gpus"] == 16384
    assert got["substitutions"] == []
    # another GPU brings its system and fabric; another model derives the layout again
    got = aifsim.train(model="llama3-8b", gpus=64, gpu="mi300x")
    assert got == cli("train", "--model", "llama3-8b", "--gpus", "64", "--gpu", "mi300x", "--json")
    assert [s["field"] for s in got["substitutions"]] == ["cluster.system", "cluster.fabric", "train"]
    assert got["inputs"]["tp"] == 1 and got["inputs"]["dp"] == 64
    # the small base is named
    got = aifsim.train("neutral", gpus=16)
    assert got["base"] == "built-in example neutral" and got["inputs"]["model"] == "llama3-8b"


def test_infer_equals_cli():
    want = cli("infer", "--model", "llama3-8b", "--tp", "1", "--requests", "64", "--qps", "4", "--json")
    got = aifsim.infer(model="llama3-8b", tp=1, requests=64, qps=4)
    assert got == want
    assert got["throughput_tokens_per_s"] > 0


def test_infer_default_and_overrides_equal_cli():
    assert aifsim.infer(requests=32) == cli("infer", "--requests", "32", "--json")
    got = aifsim.infer(overrides={"serve.max_batch": 16}, requests=32)
    assert got == cli("infer", "--set", "serve.max_batch=16", "--requests", "32", "--json")


def test_infer_bad_input_raises_with_field():
    with pytest.raises(aifsim.Error) as e:
        aifsim.infer(tp=3, model="llama3-8b")
    assert e.value.field.startswith("serve") and e.value.rc == 2
    with pytest.raises(TypeError, match="did you mean 'qps'"):
        aifsim.infer(qsp=4)
def test_auto_layout_equals_cli():
    got = aifsim.train("neutral", gpus=16, gbs=64, layout="auto")
    assert got == cli("train", "neutral", "--gpus", "16", "--gbs", "64", "--layout", "auto", "--json")
    auto = [s for s in got["substitutions"] if s["asked"] == "auto"]
    assert [s["field"] for s in auto] == ["train.tp", "train.pp", "train.vpp", "train.cp", "train.ep", "train.etp",
                                          "train.mbs"]
    assert all("candidates by step time" in s["why"] for s in auto)
    assert str(got["inputs"]["tp"]) == auto[0]["used"]


def test_cluster_equals_cli():
    assert aifsim.cluster(days=54) == cli("cluster", "--days", "54", "--json")
    got = aifsim.cluster(format="synthetic", policy="sjf", overrides={"operations.synthetic.jobs": 200}, days=2)
    assert got == cli("cluster", "--format", "synthetic", "--policy", "sjf", "--set", "operations.synthetic.jobs=200",
                      "--days", "2", "--json")
    assert got["jobs"] > 0


def test_cluster_trace_and_errors():
    sample = os.path.join(ROOT, "tests", "data", "jobs", "helios_cluster_log.csv")
    assert aifsim.cluster(trace=sample, format="helios") == cli("cluster", "--trace", sample, "--format", "helios",
                                                                 "--json")
    with pytest.raises(aifsim.Error):
        aifsim.cluster(trace=sample)          # a trace needs its format
    with pytest.raises(aifsim.Error) as e:
        aifsim.cluster(policy="lifo")
    assert e.value.field == "operations.policy"
