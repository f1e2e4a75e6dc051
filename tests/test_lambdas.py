"""Student Lambda layers: rebuilt from built-in layers by behaviour, their bytecode never run."""
import json
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from autograder.engine import lambdas
from autograder.engine.scorer import rebuild
from shared.checks import ComparisonError
from shared.summary import summary
from tests.conftest import REPO


@pytest.fixture
def sandbox(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "autograder" / "engine"))  # as the sandbox sees kit_codec
    import sandbox
    yield sandbox
    sys.modules.pop("sandbox", None)


def course_forecaster():
    return keras.Sequential([
        keras.Input(shape=(None,)),
        keras.layers.Lambda(lambda x: tf.expand_dims(x, axis=-1)),
        keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True)),
        keras.layers.Bidirectional(keras.layers.LSTM(4)),
        keras.layers.Dense(1),
        keras.layers.Lambda(lambda x: x * 100.0),
    ])


def test_course_lambdas_rebuild_as_the_same_model(sandbox):
    original = course_forecaster()
    artifact = sandbox.model_artifact(original)
    rebuilt = rebuild("forecaster", json.loads(json.dumps(artifact)))
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in original.layers]
    assert summary(rebuilt) == summary(original)  # Lambda rows included
    assert rebuilt.get_layer(original.layers[-1].name).get_config()["scale"] == 100.0
    rebuilt.set_weights(original.get_weights())
    x = np.random.default_rng(0).normal(size=(3, 20)).astype("float32")
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), original.predict(x, verbose=0),
                               rtol=1e-6)


def test_other_lambdas_are_refused_with_a_reason(sandbox):
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Lambda(lambda x: x ** 2)])
    with pytest.raises(ComparisonError, match="rebuilds only Lambdas that add a last axis"):
        rebuild("m", json.loads(json.dumps(sandbox.model_artifact(model))))


def test_a_forged_record_selects_a_trusted_layer_and_never_runs_the_bytecode(tmp_path):
    marker = tmp_path / "ran"
    path = str(marker)
    evil = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Lambda(
        lambda x: (open(path, "w").close(), x)[1])])
    model_json = evil.to_json()
    marker.unlink()  # building the model here ran the function once
    x = np.arange(10, dtype="float32").reshape(2, 5)
    forged = {evil.layers[0].name: {"input": lambdas.kit_codec.encode(x),
                                    "output": lambdas.kit_codec.encode(x * 3.0)}}
    model = rebuild("m", {"model": model_json, "lambdas": forged})
    np.testing.assert_allclose(model.predict(x, verbose=0), x * 3.0)
    assert not marker.exists()


@pytest.mark.parametrize("output, expected", [
    (lambda x: x[..., None], ("Reshape", {"target_shape": [-1, 1]})),
    (lambda x: x * 100.0, ("Rescaling", {"scale": 100.0, "offset": 0.0})),
    (lambda x: x / 2.0 + 1.0, ("Rescaling", {"scale": 0.5, "offset": 1.0})),
    (lambda x: np.sin(x), None),
    (lambda x: x[:, :2], None),
])
def test_equivalents(output, expected):
    x = (np.arange(10, dtype="float32").reshape(2, 5) - 3.5) / 2.0
    record = {"input": lambdas.kit_codec.encode(x), "output": lambdas.kit_codec.encode(output(x))}
    found = lambdas.equivalent("l", record)
    if expected is None:
        assert found is None
    else:
        assert found["class_name"] == expected[0]
        assert expected[1].items() <= found["config"].items()


@pytest.mark.parametrize("x, y", [
    (np.array([[1e200, 2e200], [3e200, -1e200]]), np.array([[1.0, 2], [3, 4]])),
    (np.array([[1e300, -1e300], [1e308, 5]]), np.array([[1.0, 2], [3, 4]])),
    (np.array([[0.0, 1e-300], [2e-300, 3e-300]]), np.array([[1e300, 0.0], [0.0, 1e300]])),
])
def test_a_forged_record_with_no_line_through_it_is_refused_not_raised(x, y):
    """Issue 22's fuzz: np.polyfit raised LinAlgError ("SVD did not converge") on records like
    these; now the Lambda is one the grader cannot rebuild, which the student reads as a
    sentence."""
    record = {"input": lambdas.kit_codec.encode(x), "output": lambdas.kit_codec.encode(y)}
    assert lambdas.equivalent("l", record) is None
