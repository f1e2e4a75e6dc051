"""The trusted scorer reads artifacts as data: forged, unsafe or odd ones score nothing."""
import json
import os

import keras
import pytest

from autograder.scorer import read_artifact, rebuild, stand_ins
from shared.checks import ComparisonError, StudentCodeError, build
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
    with pytest.raises(StudentCodeError, match="cannot rebuild happyModel's model safely"):
        rebuild("happyModel", {"model": lam.to_json()})


def test_symlinks_and_junk_are_refused(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"model": "stolen"}))
    os.symlink(secret, tmp_path / "happyModel.json")
    assert "not a regular file" in read_artifact(tmp_path / "happyModel.json")["error"]
    (tmp_path / "happy_model.json").write_text("{not json")
    assert "not valid JSON" in read_artifact(tmp_path / "happy_model.json")["error"]
    assert read_artifact(tmp_path / "missing.json") is None
