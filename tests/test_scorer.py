"""The trusted scorer reads artifacts as data: forged, unsafe or odd ones score nothing."""
import json
import os

import keras
import numpy as np
import pytest

from autograder.engine.scorer import read_artifact, rebuild, stand_ins
from shared.checks import ComparisonError, build
from solutions.convnets import happyModel

PROBES = {"happyModel": {"kind": "model_builder", "args": []},
          "happy_model": {"kind": "model"}}


def write(folder, name, data):
    (folder / f"{name}.json").write_text(json.dumps(data))


def test_builder_stand_in_rebuilds_the_students_architecture(tmp_path):
    write(tmp_path, "happyModel", {"model": happyModel().to_json()})
    env = stand_ins(PROBES, tmp_path)
    first, second = env["happyModel"](), env["happyModel"]()
    assert first is not second and first.count_params() == 37_633


def test_compiled_stand_in_keeps_the_compile_settings(tmp_path):
    model = happyModel()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    write(tmp_path, "happy_model", {"model": model.to_json(),
                                    "compile": model.get_compile_config()})
    rebuilt = stand_ins(PROBES, tmp_path)["happy_model"]
    assert rebuilt.compiled and rebuilt.loss == "binary_crossentropy"


def test_errors_raised_in_the_sandbox_read_as_the_students(tmp_path):
    write(tmp_path, "happyModel", {"error": "ValueError: Invalid padding 'SAME'"})
    with pytest.raises(ComparisonError, match=r"happyModel\(\) raised ValueError: Invalid"):
        build(stand_ins(PROBES, tmp_path)["happyModel"], name="happyModel")
    write(tmp_path, "happyModel", {"error": "NotImplementedError: "})
    with pytest.raises(ComparisonError, match="is not implemented yet"):
        build(stand_ins(PROBES, tmp_path)["happyModel"], name="happyModel")


def test_lambda_layers_are_not_unpickled(tmp_path):
    lam = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda x: x * 2)])
    with pytest.raises(ComparisonError, match=r"layer 1: the grader cannot rebuild the Lambda"):
        rebuild("happyModel", {"model": lam.to_json()})


def test_symlinks_and_junk_are_refused(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"model": "stolen"}))
    os.symlink(secret, tmp_path / "happyModel.json")
    assert "not a regular file" in read_artifact(tmp_path / "happyModel.json")["error"]
    (tmp_path / "happy_model.json").write_text("{not json")
    assert "not valid JSON" in read_artifact(tmp_path / "happy_model.json")["error"]
    assert read_artifact(tmp_path / "missing.json") is None


def test_function_stand_ins_return_what_the_sandbox_recorded(tmp_path, monkeypatch):
    from autograder.engine import kit_codec
    monkeypatch.syspath_prepend(str(kit_codec.__file__.rsplit("/", 1)[0]))  # as staged
    import gradelib
    probes = {"vectorize": {"kind": "function", "cases": {"a": {"args": [[1]]}, "b": {"args": [[2]]}}}}
    write(tmp_path, "vectorize", {"cases": {
        "a": {"value": kit_codec.encode(np.eye(2, dtype="float32"))},
        "b": {"error": "IndexError: index 10 is out of bounds"}}})
    stand_in = stand_ins(probes, tmp_path)["vectorize"]
    with pytest.raises(RuntimeError, match="recorded stand-in"):
        stand_in([1])  # the scorer never runs student code
    assert np.array_equal(gradelib.call_case(stand_in, "vectorize", "a"), np.eye(2))
    with pytest.raises(ComparisonError, match="vectorize raised IndexError: index 10"):
        gradelib.call_case(stand_in, "vectorize", "b")
    write(tmp_path, "vectorize", {"error": "TypeError: vectorize is not a function"})
    with pytest.raises(ComparisonError, match="is not a function"):
        gradelib.call_case(stand_ins(probes, tmp_path)["vectorize"], "vectorize", "a")


def test_builder_cases_rebuild_the_model_of_each_probed_call(tmp_path):
    from solutions.tuning import build_model
    probes = {"build_model": {"kind": "model_builder", "cases": {
        "small": {"args": [1, 8, "relu", "mse", 1]}, "wide": {"args": [2, 32, "tanh", "mse", 46]}}}}
    write(tmp_path, "build_model", {"cases": {
        "small": {"model": build_model(1, 8, "relu", "mse", 1).to_json()},
        "wide": {"error": "ValueError: nope"}}})
    builder = stand_ins(probes, tmp_path)["build_model"]
    assert builder(1, 8, "relu", "mse", 1).count_params() == build_model(1, 8, "relu", "mse", 1).count_params()
    with pytest.raises(ComparisonError, match="raised ValueError: nope"):
        build(builder, 2, 32, "tanh", "mse", 46, name="build_model")
    with pytest.raises(ComparisonError, match="was probed with"):
        build(builder, 3, 8, "relu", "mse", 1, name="build_model")


def test_value_stand_ins_are_the_decoded_value(tmp_path, monkeypatch):
    import pandas as pd

    from autograder.engine import kit_codec
    monkeypatch.syspath_prepend(str(kit_codec.__file__.rsplit("/", 1)[0]))  # as staged
    frame = pd.DataFrame({"name": ["a"], "best_epoch": [3]})
    write(tmp_path, "results", {"value": kit_codec.encode(frame)})
    got = stand_ins({"results": {"kind": "value"}}, tmp_path)["results"]
    assert got.to_dict("records") == [{"name": "a", "best_epoch": 3}]


@pytest.mark.parametrize("worst", ["escaped quotes", "backslashes", "open brackets"])
def test_reading_an_artifact_is_linear_in_its_size(tmp_path, worst):
    """The artifact reader scans up to 5 MB before any limit is armed: the worst texts cost
    as much per byte at 5 MB as at 1 MB (issue 22: a quadratic scan held a scorer 17 min)."""
    from tests.test_modelspec import WORST_SCANS, per_byte_growth

    def read(text):
        path = tmp_path / "happyModel.json"
        path.write_text(text)
        assert "error" in read_artifact(path)

    assert per_byte_growth(read, lambda n: WORST_SCANS[worst](n - 2)) < 2.5


@pytest.mark.parametrize("frozen", [False, True])
def test_a_training_result_is_kept_only_when_training_changed_the_weights(tmp_path, monkeypatch,
                                                                         frozen):
    """gradelib.measured keeps a new result for the class's cache only where training moved
    the model's weights: a model that cannot learn (every layer frozen) keeps its result to
    itself, whatever its key, so it never decides another student's "learns" test."""
    import keras

    from autograder.engine import kit_codec
    monkeypatch.syspath_prepend(str(kit_codec.__file__.rsplit("/", 1)[0]))  # as staged
    import gradelib
    (tmp_path / "grading_config.json").write_text(json.dumps({"hidden_seed": 1}))
    (tmp_path / "gradelib.py").write_text("# the grader's code, hashed into the key\n")
    monkeypatch.setenv(gradelib.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(gradelib.TRAINED_ENV, str(tmp_path / "out"))
    (tmp_path / "cache").mkdir()

    def builder():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, trainable=not frozen)])
        return model

    def measure(model):
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 4)), np.ones((8, 1)), epochs=1, verbose=0)
        return {"value": 1.0}

    budget = {"seed": 0, "args": [], "builder": "builder"}
    result = gradelib.measured(builder, budget, "toy", measure, folder=tmp_path)
    assert result == {"value": 1.0, "dataset": "toy"}
    kept = list((tmp_path / "out").glob("*.json")) if (tmp_path / "out").exists() else []
    assert len(kept) == (0 if frozen else 1)


def test_a_chinese_course_reads_why_a_model_cannot_be_graded_in_chinese(tmp_path, chinese_course):
    """The refusal reaches a Chinese course's student in Chinese, the scorer's words too."""
    from autograder.tools import zhcheck

    model = json.loads(happyModel().to_json())
    model["config"]["layers"][1]["config"]["quantization_mode"] = "int8"
    write(tmp_path, "happyModel", {"model": json.dumps(model)})
    with pytest.raises(ComparisonError) as refused:
        stand_ins(PROBES, tmp_path)["happyModel"]()
    said = str(refused.value)
    assert said.startswith("happyModel 的模型无法评分：第 1 层（`ZeroPadding2D`）："), said
    assert zhcheck.english_runs(said) == [], said


def test_a_builder_case_the_sandbox_never_recorded_says_the_notebook_stopped(tmp_path):
    """A model builder probed with two cases whose record holds one (the notebook stopped
    between them): the other case is "did not return", not an error the student never
    raised; and no record read from JSON can pose as that missing case."""
    probes = {"build": {"kind": "model_builder", "cases": {
        "small": {"args": [4]}, "large": {"args": [8]}}}}
    recorded = {"small": {"model": happyModel().to_json()},
                "unrecorded": {"error": "ValueError: forged"}}
    write(tmp_path, "build", {"cases": recorded})
    builder = stand_ins(probes, tmp_path)["build"]
    assert builder(4).count_params() == 37_633
    with pytest.raises(ComparisonError, match=r"build did not return on the hidden input "
                                              r"'large' \(the notebook may have stopped"):
        builder(8)


def test_a_chinese_bundle_refuses_a_model_variable_in_chinese_from_the_first_submission(tmp_path):
    """A cold scorer makes the stand-ins before any hidden test imports gradelib (which sets
    the course's language): the model variable's refusal is made then, so ``score`` sets
    the language from the bundle first."""
    import sys
    from autograder import assignments
    from autograder.build import bundle
    from autograder.engine import scorer
    from shared import i18n

    staged, artifacts = tmp_path / "staged", tmp_path / "artifacts"
    staged.mkdir(), artifacts.mkdir()
    bundle.stage(assignments.get("convnets"), staged, language="zh")
    for path in (staged / "tests").glob("*.py"):
        if path.stem != "happy_model":
            path.unlink()
    model = json.loads(happyModel().to_json())
    model["config"]["layers"][1]["config"]["quantization_mode"] = "int8"
    write(artifacts, "happy_model", {"model": json.dumps(model)})
    was = i18n._chosen
    i18n.set_language("en")
    sys.modules.pop("gradelib", None)
    try:
        questions = scorer.score(staged, artifacts)
    finally:
        sys.path[:] = [p for p in sys.path if p != str(staged)]
        sys.modules.pop("gradelib", None)
        i18n.set_language(was)
    said = [c["message"] for q in questions.values() for c in q["cases"] if not c["passed"]]
    assert said and any("happy_model 的模型无法评分：第 1 层" in m for m in said), said
