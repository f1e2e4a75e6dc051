"""The kit's attack suite for the trusted scorer: artifacts a student who read our source
would forge, each scored by the real scorer process behind its walls, each with the points
and the message it must get; then a class in which notebooks forge them, graded as a TA would.

Every forged artifact here is something a notebook can produce: the sandbox records what
``to_json()`` and ``get_compile_config()`` return and what graded functions return, and a
submission can override any of them (``model.to_json = lambda: forged``).
"""
import copy
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder import assignments, grade
from autograder.build import bundle
from autograder.build.reference_results import seed
from autograder.engine import trusted
from autograder.engine.warm import WarmScorer
from autograder.tools import samples
from autograder.tools.samples import Sample
from solutions import convnets
from tests.conftest import REPO

pytestmark = pytest.mark.slow

FULL = {"happy_model": 7, "signs_model": 7}
HAPPY_LAYERS_LOST = {"happy_model": 1, "signs_model": 7}  # layers 3, parameters 1, learns 2
SIGNS_LAYERS_LOST = {"happy_model": 7, "signs_model": 1}  # all but conv_model's compile
HAPPY_COMPILE_LOST = {"happy_model": 6, "signs_model": 7}
#: A line of the hidden tests: it must never reach a student's feedback.
HIDDEN_LINE = 'gradelib.assert_architecture(happyModel, (), HAPPY_TABLE, "happyModel")'


def sandbox_module():
    sys.path.insert(0, str(REPO / "autograder" / "engine"))
    try:
        import sandbox
        return sandbox
    finally:
        sys.path.remove(str(REPO / "autograder" / "engine"))


def reference_artifacts() -> dict:
    """What the sandbox records for the ConvNets reference solution (every probe of the
    assignment's config), as JSON text per name."""
    sandbox = sandbox_module()
    probes = assignments.get("convnets").config["probes"]
    happy, signs = convnets.happyModel(), convnets.convolutional_model((64, 64, 3))
    happy.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    signs.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    objects = {"happyModel": convnets.happyModel, "happy_model": happy,
               "convolutional_model": convnets.convolutional_model, "conv_model": signs}
    return {name: json.dumps(sandbox.serialise(name, objects[name], probe))
            for name, probe in probes.items()}


def model_of(artifacts, name) -> dict:
    """The (first) recorded model of ``name``."""
    artifact = json.loads(artifacts[name])
    recorded = artifact["cases"][next(iter(artifact["cases"]))] if "cases" in artifact else artifact
    return json.loads(recorded["model"])


def edit_models(artifacts, name, edit, **extra) -> dict:
    """``edit(model)`` applied to every model recorded for ``name`` (each case's, if any)."""
    artifact = json.loads(artifacts[name])
    for recorded in artifact["cases"].values() if "cases" in artifact else [artifact]:
        model = json.loads(recorded["model"])
        edit(model)
        recorded.update(model=json.dumps(model), **extra)
    return {**artifacts, name: json.dumps(artifact)}


def with_model(artifacts, name, model: dict, **extra) -> dict:
    def replace(recorded):
        recorded.clear()
        recorded.update(copy.deepcopy(model))
    return edit_models(artifacts, name, replace, **extra)


def add_layer(artifacts, name, layer: dict, at=None) -> dict:
    def insert(model):
        layers = model["config"]["layers"]
        layers.insert(len(layers) if at is None else at, copy.deepcopy(layer))
    return edit_models(artifacts, name, insert)


def keras_function_lambda(module, function, constant, layer_name="evil"):
    """A Functional Lambda whose 'function' names an exported Keras function and whose
    inbound node passes it a constant: Keras would call ``function(constant)`` on loading."""
    return {"module": "keras.layers", "class_name": "Lambda",
            "config": {"name": layer_name, "trainable": True, "dtype": "float32",
                       "function": {"class_name": "function", "module": module,
                                    "config": function},
                       "arguments": {}, "output_shape": None},
            "name": layer_name, "inbound_nodes": [{"args": [constant], "kwargs": {}}]}


@dataclass
class Attack:
    """A forged artifact set, what it must score and what its feedback must say."""

    id: str
    route: str  # docs/grading.md's words for it
    forge: object  # (artifacts, outside: Path) -> artifacts (name -> JSON text, or a Path op)
    expected: dict
    message: str = ""  # a regular expression the feedback must contain
    outside: list = field(default_factory=list)  # files it names that must never exist


def _savedmodel(artifacts, outside):
    return add_layer(artifacts, "happyModel", {
        "module": "keras.layers", "class_name": "TFSMLayer",
        "config": {"name": "loader", "filepath": str(outside / "saved_model"),
                   "call_endpoint": "serve"}}, at=2)


def _global_setter(artifacts, outside):
    return add_layer(artifacts, "convolutional_model", keras_function_lambda(
        "keras.config", "set_max_steps_per_epoch", 1), at=2)


def _save_img(artifacts, outside):
    return add_layer(artifacts, "convolutional_model", keras_function_lambda(
        "keras.utils", "save_img", str(outside / "written.png")), at=2)


def _nested_in_compile(artifacts, outside):
    artifact = json.loads(artifacts["happy_model"])
    nested = model_of(artifacts, "convolutional_model")
    nested["config"]["layers"].insert(2, keras_function_lambda(
        "keras.config", "set_epsilon", 1.0))
    artifact["compile"]["run_eagerly"] = nested
    return {**artifacts, "happy_model": json.dumps(artifact)}


def _compile_config_in_model(artifacts, outside):
    model = model_of(artifacts, "happyModel")
    model["compile_config"] = {"optimizer": model_of(artifacts, "convolutional_model"),
                               "loss": {"class_name": "function", "module": "keras.config",
                                        "config": "set_floatx"}}
    return with_model(artifacts, "happyModel", model)


def _lookup_path(artifacts, outside):
    return add_layer(artifacts, "happyModel", {
        "module": "keras.layers", "class_name": "StringLookup",
        "config": {"name": "vocab", "vocabulary": "/etc/passwd"}}, at=1)


def _forged_lambdas(artifacts, outside):
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"].insert(2, {"module": "keras.layers", "class_name": "Lambda",
                                         "config": {"name": "scale", "function": "x"}})
    return with_model(artifacts, "happyModel", model, lambdas={"scale": {
        "input": {"__ndarray__": "bm90IHpsaWI=", "dtype": "<f4", "shape": [2, 2]},
        "output": {"__ndarray__": "%%%", "dtype": "<f4", "shape": [2, 2]}}})


def _deep(artifacts, outside):
    return {**artifacts, "happyModel": "[" * 3000 + "]" * 3000}


def _deep_inside(artifacts, outside):
    return with_model(artifacts, "happyModel", {"class_name": "Sequential",
                                                "config": {"layers": [[[[[[[[]]]]]]]] * 9}})


def _not_json(artifacts, outside):
    return {**artifacts, "convolutional_model": "{'model': None"}


def _symlink(artifacts, outside):
    return {**artifacts, "happyModel": Path("/etc/passwd")}


def _oversized(artifacts, outside):
    return {**artifacts, "happyModel": " " * (trusted.ARTIFACT_LIMIT + 10)}


def _many_layers(artifacts, outside):
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"][4:4] = [{"module": "keras.layers", "class_name": "ReLU",
                                       "config": {"name": f"relu_{i}"}} for i in range(1500)]
    return with_model(artifacts, "happyModel", model)


def _huge(artifacts, outside):
    model = model_of(artifacts, "happyModel")
    dense = copy.deepcopy(model["config"]["layers"][-1])
    dense["config"].update(name="wide", units=4096)
    model["config"]["layers"].insert(-1, dense)
    return with_model(artifacts, "happyModel", model)


def _mixed_precision(artifacts, outside):
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"][2]["config"]["dtype"] = {
        "module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"},
        "registered_name": None}
    return with_model(artifacts, "happyModel", model)


def _custom_object(artifacts, outside):
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"][2]["config"]["kernel_initializer"] = {
        "module": "keras.src.saving.saving_api", "class_name": "function",
        "config": "load_model", "registered_name": "load_model"}
    return with_model(artifacts, "happyModel", model)


# --- issue 22: the second round ---------------------------------------------------------

def _conv_layer(model, name, **config):
    conv = copy.deepcopy(model["config"]["layers"][2])  # the reference's Conv2D
    conv["config"].update(name=name, padding="same", **config)
    return conv


def _long_step(artifacts, outside):
    """Conv2D layers of 96 filters with 32x32 kernels (about 9.7 M parameters, under the
    cap): one training step of 16 images took longer than the test's whole CPU limit."""
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"][2:3] = [_conv_layer(model, f"big_{i}", filters=96,
                                                  kernel_size=[32, 32]) for i in range(2)]
    return with_model(artifacts, "happyModel", model)


def _wide_activations(artifacts, outside):
    """A 4,096-filter 1x1 convolution on 64x64 positions: few operations, but its
    activations need about 8 GiB per step of 64 images."""
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"].insert(3, _conv_layer(model, "wide", filters=4096,
                                                    kernel_size=[1, 1]))
    return with_model(artifacts, "happyModel", model)


def _orthogonal(artifacts, outside):
    """An OrthogonalRegularizer on the Dense layer's 32,768 inputs: a 32,768 x 32,768 matrix
    (4 GiB) per step, which TensorFlow failed on natively."""
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"][-1]["config"]["kernel_regularizer"] = {
        "module": "keras.regularizers", "class_name": "OrthogonalRegularizer",
        "config": {"factor": 0.01, "mode": "rows"}, "registered_name": None}
    return with_model(artifacts, "happyModel", model)


def _quadratic_scan(artifacts, outside):
    """A model text of a quote and 200,000 escaped quotes: the old string-skipping regular
    expression took minutes on it before any limit was armed."""
    artifact = json.loads(artifacts["happyModel"])
    artifact["model"] = '"' + '\\"' * 200_000
    return {**artifacts, "happyModel": json.dumps(artifact)}


def _surrogate_name(artifacts, outside):
    """A layer name with a lone surrogate: its Keras error once made the TA's results file
    unwritable and stopped the class."""
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"][2]["config"]["name"] = "a\udfffb"
    return with_model(artifacts, "happyModel", model)


def _slash_name(artifacts, outside):
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"][2]["config"]["name"] = "../conv"
    return with_model(artifacts, "happyModel", model)


def _unhashable_class(artifacts, outside):
    """A class name that is a list: a TypeError (unhashable type) in the table lookups."""
    model = model_of(artifacts, "happyModel")
    model["config"]["layers"][2]["config"]["kernel_regularizer"] = {"class_name": ["L2"],
                                                                    "config": {}}
    return with_model(artifacts, "happyModel", model)


def _fake_error_kind(artifacts, outside):
    return {**artifacts, "happyModel": json.dumps(
        {"error": "ComparisonError: " + "x" * 100_000}),
        "happy_model": json.dumps({"error": HIDDEN_LINE})}


ATTACKS = [
    Attack("savedmodel", "TFSMLayer loading a SavedModel the notebook wrote", _savedmodel,
           HAPPY_LAYERS_LOST, r"layer 2: `TFSMLayer` is not a layer the grader accepts",
           ["saved_model"]),
    Attack("global_setter", "Lambda calling keras.config.set_max_steps_per_epoch on a constant",
           _global_setter, SIGNS_LAYERS_LOST, r"cannot rebuild the Lambda layer 'evil'"),
    Attack("save_img", "Lambda calling keras.utils.save_img with a path", _save_img,
           SIGNS_LAYERS_LOST, r"cannot rebuild the Lambda layer 'evil'", ["written.png"]),
    Attack("nested_in_compile", "a Functional model with a setter hidden under run_eagerly",
           _nested_in_compile, HAPPY_COMPILE_LOST, r"run_eagerly: should be True or False"),
    Attack("compile_config_in_model", "a compile_config inside the model's JSON",
           _compile_config_in_model, FULL),  # never read: the layers are the reference's
    Attack("lookup_path", "StringLookup with a vocabulary file path", _lookup_path,
           HAPPY_LAYERS_LOST, r"`StringLookup` is not a layer"),
    Attack("forged_lambdas", "a Lambda record that is not zlib or base64", _forged_lambdas,
           HAPPY_LAYERS_LOST, r"cannot rebuild the Lambda layer 'scale'"),
    Attack("deep_json", "an artifact nested 3,000 levels deep", _deep, HAPPY_LAYERS_LOST,
           r"not valid JSON|nests too deeply"),
    Attack("deep_model", "a model whose layers nest lists inside lists", _deep_inside,
           HAPPY_LAYERS_LOST, r"a layer should be a Keras layer config"),
    Attack("not_json", "an artifact that is not JSON", _not_json, SIGNS_LAYERS_LOST,
           r"not valid JSON"),
    Attack("symlink", "an artifact that is a link to /etc/passwd", _symlink, HAPPY_LAYERS_LOST,
           r"not a regular file"),
    Attack("oversized", "a 5 MB artifact", _oversized, HAPPY_LAYERS_LOST, r"over the limit"),
    Attack("many_layers", "1,500 extra ReLU layers (slow to rebuild)", _many_layers,
           HAPPY_LAYERS_LOST, r"1508 layers; the grader rebuilds models of up to 40"),
    Attack("huge", "a Dense layer of 4,096 units on 32,768 inputs", _huge, HAPPY_LAYERS_LOST,
           r"brings the model to [\d,]+ parameters"),
    Attack("mixed_precision", "a layer asking for a mixed_float16 dtype policy",
           _mixed_precision, HAPPY_LAYERS_LOST, r"float32 models only"),
    Attack("custom_object", "an initializer naming keras' load_model", _custom_object,
           HAPPY_LAYERS_LOST, r"initializer should be a built-in one"),
    Attack("fake_error", "an error record quoting the hidden tests", _fake_error_kind,
           {"happy_model": 0, "signs_model": 7}),
    Attack("long_step", "Conv2D layers with 32x32 kernels: one step longer than the CPU limit",
           _long_step, HAPPY_LAYERS_LOST, r"takes about [\d,]+ billion operations"),
    Attack("wide_activations", "wide convolutions whose activations exceed the memory",
           _wide_activations, HAPPY_LAYERS_LOST, r"needs about [\d.,]+ GiB of memory"),
    Attack("orthogonal", "an OrthogonalRegularizer on a 32,768-input Dense layer", _orthogonal,
           HAPPY_LAYERS_LOST, r"needs about [\d.,]+ GiB of memory"),
    Attack("quadratic_scan", "a model text of 200,000 escaped quotes", _quadratic_scan,
           HAPPY_LAYERS_LOST, r"not valid JSON"),
    Attack("surrogate_name", "a layer name holding a lone surrogate", _surrogate_name,
           HAPPY_LAYERS_LOST, r"a name should be 1 to 80 printable characters"),
    Attack("slash_name", "a layer name with a path separator", _slash_name,
           HAPPY_LAYERS_LOST, r"a name should be .* slashes"),
    Attack("unhashable_class", "a regularizer whose class name is a list", _unhashable_class,
           HAPPY_LAYERS_LOST, r"regularizer should be a built-in one"),
]


def write_artifacts(folder: Path, artifacts: dict):
    folder.mkdir(parents=True)
    for name, content in artifacts.items():
        if isinstance(content, Path):
            os.symlink(content, folder / f"{name}.json")
        else:
            (folder / f"{name}.json").write_text(content)


@pytest.fixture(scope="module")
def scoring(tmp_path_factory, reference_results):
    """score(artifacts) -> Scored, by one warm scorer behind its walls, as make grade runs it."""
    assignment = assignments.get("convnets")
    folder = reference_results("convnets")["convnets"]
    run = tmp_path_factory.mktemp("attack-run")
    cache = run / "training-cache"
    seed(folder, cache)  # as make grade does after make autograder
    count = iter(range(1000))
    with bundle.staged_bundle(assignment) as staged:
        scorer = WarmScorer(staged, 4 * 2**30, hide=(run,))
        scorer.warm_up(cache)

        def score(artifacts):
            work = run / f"work-{next(count)}"
            write_artifacts(work / "artifacts", artifacts)
            return trusted.score_submission(staged, work / "artifacts", work, cache=cache,
                                            memory_bytes=4 * 2**30, hide=(run,), scorer=scorer)
        score.cache, score.staged = cache, staged
        yield score
        scorer.close(remove=True)


def points(scored) -> dict:
    return {q: r["score"] for q, r in scored.questions.items()}


def messages(scored) -> str:
    return "\n".join(c["message"] for r in scored.questions.values() for c in r["cases"])


def test_the_reference_scores_full_marks_without_training(scoring):
    scored = scoring(reference_artifacts())
    assert scored.complete and points(scored) == FULL and scored.train_seconds == 0


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_each_forged_artifact_costs_its_concern_and_says_why(scoring, tmp_path, attack):
    outside = tmp_path / "outside"
    outside.mkdir()
    entries = set(scoring.cache.iterdir())
    gradelib = hashlib.sha256((scoring.staged / "gradelib.py").read_bytes()).hexdigest()
    scored = scoring(attack.forge(reference_artifacts(), outside))
    assert scored.complete, scored.failure  # a row with every test, never a crash
    assert points(scored) == attack.expected, messages(scored)
    if attack.message:
        assert re.search(attack.message, messages(scored)), messages(scored)
    assert HIDDEN_LINE not in messages(scored)
    assert not any((outside / name).exists() for name in attack.outside)
    assert list(outside.iterdir()) == []
    assert set(scoring.cache.iterdir()) == entries  # refused models train nothing, keep nothing
    assert hashlib.sha256((scoring.staged / "gradelib.py").read_bytes()).hexdigest() == gradelib


def test_a_correct_submission_after_every_attack_scores_as_alone(scoring):
    for attack in ATTACKS:
        scoring(attack.forge(reference_artifacts(), Path("/nonexistent")))
    assert points(scoring(reference_artifacts())) == FULL


def _frozen(artifacts):
    """The reference happyModel with every layer frozen: the same summary table and
    parameter count, but it cannot learn."""
    def freeze(model):
        for layer in model["config"]["layers"]:
            layer["config"]["trainable"] = False
    return edit_models(artifacts, "happyModel", freeze)


def test_a_frozen_copy_graded_first_never_changes_an_honest_score(scoring, tmp_path):
    """Issue 22's cache poisoning: with the reference's results absent from the training cache
    (another CPU kind, --hidden-data), a frozen copy of the architecture trained first and its
    result was reused for every honest student after it ("learns" failed). Now its key is its
    own: the honest submission trains anew and scores as alone."""
    cache = tmp_path / "training-cache"  # empty: nothing of the reference's
    scorer = WarmScorer(scoring.staged, 4 * 2**30, hide=(tmp_path,))
    scorer.warm_up(cache)
    try:
        def score(artifacts, name):
            write_artifacts(tmp_path / name / "artifacts", artifacts)
            return trusted.score_submission(scoring.staged, tmp_path / name / "artifacts",
                                            tmp_path / name, cache=cache,
                                            memory_bytes=4 * 2**30, hide=(tmp_path,),
                                            scorer=scorer)
        frozen = score(_frozen(reference_artifacts()), "frozen")
        assert frozen.complete and points(frozen)["happy_model"] < FULL["happy_model"]
        # the signs result only: the frozen happy model's weights never moved, so its result
        # is never shared, whatever its key (gradelib.trained)
        assert frozen.kept == 1
        honest = score(reference_artifacts(), "honest")
        assert points(honest) == FULL, messages(honest)
        assert honest.reused == 1 and honest.kept == 1  # signs reused; happy trained anew
    finally:
        scorer.close(remove=True)


def test_a_scorer_the_kernel_ends_inside_a_test_still_gives_a_complete_row(scoring, tmp_path):
    """The CPU limit inside one TensorFlow call: the kernel sends SIGXCPU (done here by hand,
    while happyModel trains, as RLIMIT_CPU does past the limit) and the scorer dies inside
    that call. The grader fails that test with the limit's sentence, a fresh scorer grades
    the others, the row is complete and keeps no training result."""
    import signal
    import threading
    import time

    import psutil

    cache = tmp_path / "training-cache"  # empty: happyModel trains, long enough to be ended
    scorer = WarmScorer(scoring.staged, 4 * 2**30, hide=(tmp_path,))
    scorer.warm_up(cache)
    ended = []

    def end_inside_training():
        deadline = time.monotonic() + 600
        while not ended and time.monotonic() < deadline:
            time.sleep(0.2)
            for path in Path(scorer.home).glob("outbox/*/score.json"):
                try:
                    running = json.loads(path.read_text()).get("running") or {}
                except (OSError, ValueError):
                    continue
                if "learns hidden Happy" in running.get("case", ""):
                    time.sleep(2)  # inside the training
                    for process in psutil.Process(scorer.process.pid).children(recursive=True):
                        if "python" in process.name():
                            process.send_signal(signal.SIGXCPU)
                            ended.append(process.pid)
    try:
        threading.Thread(target=end_inside_training, daemon=True).start()
        write_artifacts(tmp_path / "artifacts", reference_artifacts())
        scored = trusted.score_submission(scoring.staged, tmp_path / "artifacts", tmp_path,
                                          cache=cache, memory_bytes=4 * 2**30,
                                          hide=(tmp_path,), scorer=scorer)
    finally:
        scorer.close(remove=True)
    assert ended and scored.complete, scored.failure
    cases = {c["name"]: c for q in scored.questions.values() for c in q["cases"]}
    learns = next(c for name, c in cases.items() if "learns hidden Happy" in name)
    assert not learns["passed"] and "more than 400 s of computing time" in learns["message"]
    assert points(scored) == {"happy_model": 5, "signs_model": 7}  # all but that test's 2
    assert scored.kept == 0 and not any(cache.iterdir())


# --- the same routes as notebooks, in a class graded as a TA would ----------------------

FORGE = '''
import json as _json
def _forge(model, edit):
    data = _json.loads(model.to_json())
    edit(data)
    text = _json.dumps(data)
    model.to_json = lambda *a, **k: text
    return model
'''


def happy_forging(edit_source: str) -> dict:
    """Fills: the reference happyModel, whose recorded JSON ``edit_source`` changes."""
    reference = assignments.get("convnets").solution_sources()["happyModel"]
    renamed = reference.replace("def happyModel():", "def _happy():", 1)
    return {"happyModel": f"{renamed}\n{FORGE}\ndef _edit(data):\n{edit_source}\n\n"
                          f"def happyModel():\n    return _forge(_happy(), _edit)\n"}


#: The notebook's happy_model is made by the forging happyModel: its compile test fails too.
HAPPY_ALL_LOST = {"happy_model": 0, "signs_model": 7}
NOTEBOOK_ATTACKS = [
    Sample("nb_savedmodel", "happyModel's JSON gains a TFSMLayer reading a folder it wrote",
           happy_forging("    data['config']['layers'].insert(2, {'module': 'keras.layers', "
                         "'class_name': 'TFSMLayer', 'config': {'name': 'x', 'filepath': "
                         "'/tmp/sandbox/model'}})"), HAPPY_ALL_LOST),
    Sample("nb_setter", "happyModel's JSON gains a Lambda calling set_max_steps_per_epoch",
           happy_forging("    data['config']['layers'].insert(2, {'module': 'keras.layers', "
                         "'class_name': 'Lambda', 'config': {'name': 'evil', 'function': "
                         "{'class_name': 'function', 'module': 'keras.config', 'config': "
                         "'set_max_steps_per_epoch'}}, 'inbound_nodes': [{'args': [1], "
                         "'kwargs': {}}]})"), HAPPY_ALL_LOST),
    Sample("nb_deep", "happyModel's JSON nested 3,000 deep",
           {"happyModel": "import keras\n\ndef happyModel():\n    model = keras.Sequential()\n"
                          "    deep = '[' * 3000 + ']' * 3000\n"
                          "    model.to_json = lambda *a, **k: deep\n    return model\n"},
           HAPPY_ALL_LOST),
    Sample("nb_many_layers", "happyModel's JSON with 1,500 extra ReLU layers",
           happy_forging("    data['config']['layers'][4:4] = [{'module': 'keras.layers', "
                         "'class_name': 'ReLU', 'config': {'name': f'r{i}'}} "
                         "for i in range(1500)]"), HAPPY_ALL_LOST),
]


def test_a_class_with_every_route_keeps_every_other_score(tmp_path, reference_results):
    """One row per submission, nothing written outside the run folder, no hidden line in any
    feedback, and the honest students' rows the same as when they are graded alone."""
    reference_results("convnets")
    assignment = assignments.get("convnets")
    by_id = {s.id: s for s in samples.samples_of(assignment)}
    honest = [by_id["reference"], by_id["alternative"]]
    folder = tmp_path / "class"
    folder.mkdir()
    for sample in [*honest, *NOTEBOOK_ATTACKS]:
        (folder / f"{sample.id}.ipynb").write_text(
            json.dumps(samples.notebook_for(assignment, sample)))
    alone = tmp_path / "alone"
    alone.mkdir()
    for sample in honest:
        (alone / f"{sample.id}.ipynb").write_text((folder / f"{sample.id}.ipynb").read_text())
    book = grade.grade_class("convnets", folder, tmp_path / "run", jobs=2, timeout=60,
                             memory_gb=4, progress=False)
    assert sorted(book.rows) == sorted(s.id for s in [*honest, *NOTEBOOK_ATTACKS])
    for sample in NOTEBOOK_ATTACKS:
        row = book.rows[sample.id]
        assert row["status"] == "graded", row
        assert {q: float(row[q]) for q in sample.expected} == sample.expected, row
    for text in (tmp_path / "run" / "feedback").glob("*.md"):
        assert HIDDEN_LINE not in text.read_text()
    solo = grade.grade_class("convnets", alone, tmp_path / "run-alone", jobs=1, timeout=60,
                             memory_gb=4, progress=False)
    for sample in honest:
        keep = ["total", "status", *solo.questions]
        assert {k: book.rows[sample.id][k] for k in keep} == {k: solo.rows[sample.id][k]
                                                            for k in keep}
