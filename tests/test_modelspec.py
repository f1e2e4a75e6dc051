"""The kit's model spec: every course model and its honest variants rebuild exactly; anything
outside the allowlists is refused with a sentence, before Keras sees it."""
import copy
import json
import sys

import keras
import numpy as np
import pytest
from keras import layers

from autograder.engine import compilespec, modelspec
from autograder.engine.modelspec import SpecError
from shared.summary import summary
from solutions import convnets, getting_started, time_series, tuning, weather_rnn
from tests.conftest import REPO


@pytest.fixture(scope="module")
def sandbox():
    sys.path.insert(0, str(REPO / "autograder" / "engine"))  # as the sandbox sees kit_codec
    import sandbox
    yield sandbox
    sys.path.remove(str(REPO / "autograder" / "engine"))
    sys.modules.pop("sandbox", None)


def honest_models():
    """The references and ways students honestly write the same or other models."""
    def alt_happy():
        model = keras.Sequential()
        model.add(keras.Input(shape=(64, 64, 3)))
        model.add(layers.ZeroPadding2D((3, 3)))
        model.add(layers.Conv2D(32, (7, 7), strides=(1, 1), kernel_initializer="he_normal",
                                kernel_regularizer=keras.regularizers.L2(1e-4)))
        model.add(layers.BatchNormalization(axis=3))
        model.add(layers.Activation("relu"))
        model.add(layers.MaxPool2D((2, 2)))
        model.add(layers.Flatten())
        model.add(layers.Dropout(0.3, seed=1))
        model.add(layers.Dense(1, activation=keras.activations.sigmoid))
        return model

    def conv1d_forecaster():
        inputs = keras.Input(shape=(20,))
        x = layers.Reshape((20, 1))(inputs)
        x = layers.Conv1D(8, 3, padding="same", activation="relu")(x)
        left = layers.GlobalAveragePooling1D()(x)
        right = layers.GlobalMaxPooling1D()(x)
        x = layers.Concatenate()([left, right])
        return keras.Model(inputs, layers.Dense(1)(layers.LeakyReLU(0.1)(x)))

    def stacked_gru():
        return keras.Sequential([keras.Input((None, 14)),
                                 layers.GRU(32, dropout=0.1, recurrent_dropout=0.5,
                                            return_sequences=True),
                                 layers.GRU(64, activation="relu", reset_after=False),
                                 layers.Dense(1)])

    def bidirectional_gru():
        return keras.Sequential([keras.Input((None, 14)),
                                 layers.Bidirectional(layers.GRU(16), merge_mode="sum"),
                                 layers.Dense(1)])

    return {"happy": convnets.happyModel(), "signs": convnets.convolutional_model((64, 64, 3)),
            "imdb": getting_started.build_imdb_model(),
            "reuters": getting_started.build_reuters_model(),
            "tuning": tuning.build_model(3, 32, "tanh", "mse", 1),
            "gru": weather_rnn.build_gru_model(14), "forecaster": time_series.build_forecaster(),
            "alt_happy": alt_happy(), "conv1d": conv1d_forecaster(),
            "stacked_gru": stacked_gru(), "bidirectional_gru": bidirectional_gru()}


HONEST = honest_models()


@pytest.mark.parametrize("key", list(HONEST))
def test_honest_models_rebuild_exactly(sandbox, key):
    original = HONEST[key]
    artifact = json.loads(json.dumps(sandbox.model_artifact(original)))
    spec = modelspec.parse(artifact["model"], artifact["lambdas"])
    rebuilt = modelspec.build(spec)
    assert summary(rebuilt) == summary(original)
    assert spec.params == rebuilt.count_params() == original.count_params()
    rebuilt.set_weights(original.get_weights())  # same weights in the same places
    shape = [2] + [6 if d is None else d for d in original.inputs[0].shape[1:]]
    x = keras.random.normal(shape, seed=0)
    assert keras.ops.all(keras.ops.isclose(rebuilt(x), original(x), atol=1e-5))


@pytest.mark.parametrize("key", [k for k in HONEST if isinstance(HONEST[k], keras.Sequential)])
def test_a_sequential_built_at_once_starts_from_the_weights_of_one_built_layer_by_layer(
        sandbox, key):
    """build() adds a Sequential's layers all at a time (one build, not one per layer); the
    training cache and the budget's seed rely on the same initial weights as before."""
    artifact = json.loads(json.dumps(sandbox.model_artifact(HONEST[key])))
    spec = modelspec.parse(artifact["model"], artifact["lambdas"])
    keras.utils.set_random_seed(7)
    at_once = modelspec.build(spec)
    keras.utils.set_random_seed(7)
    first = spec.layers[0]
    by_layer = keras.Sequential([keras.Input(batch_shape=first.config["batch_shape"])])
    for layer in spec.layers[1:]:
        by_layer.add(modelspec.make_layer(layer))
    assert len(at_once.weights) == len(by_layer.weights) > 0
    for ours, theirs in zip(at_once.weights, by_layer.weights):
        assert ours.shape == theirs.shape and (ours.numpy() == theirs.numpy()).all()


def test_names_do_not_change_the_canonical_spec(sandbox):
    first = modelspec.parse(getting_started.build_imdb_model().to_json())
    second = modelspec.parse(getting_started.build_imdb_model().to_json())
    assert first.layers[1].name != second.layers[1].name
    assert first.canonical() == second.canonical()
    other = modelspec.parse(tuning.build_model(2, 16, "tanh", "binary_crossentropy", 1).to_json())
    assert other.canonical() != first.canonical()


@pytest.mark.parametrize("key", ["happy", "signs", "imdb", "gru", "bidirectional_gru"])
def test_freezing_any_one_layer_changes_the_training_cache_key(key):
    """The key is everything the builder hands to Keras: a frozen copy of an architecture
    never shares the trainable one's training result (issue 22's cache poisoning)."""
    recorded = json.loads(HONEST[key].to_json())
    keys = {json.dumps(modelspec.parse(json.dumps(recorded)).canonical(), sort_keys=True)}
    frozen_layers = [layer for layer in recorded["config"]["layers"]
                     if layer["class_name"] != "InputLayer"]
    for layer in frozen_layers:
        frozen = copy.deepcopy(recorded)
        next(entry for entry in frozen["config"]["layers"]
             if entry["config"]["name"] == layer["config"]["name"])["config"]["trainable"] = False
        spec = modelspec.parse(json.dumps(frozen))
        built = modelspec.build(spec)
        assert not built.get_layer(layer["config"]["name"]).trainable  # honoured by Keras...
        keys.add(json.dumps(spec.canonical(), sort_keys=True))  # ...and in the key
    assert len(keys) == 1 + len(frozen_layers)  # the trainable model and each frozen one


def test_the_key_covers_every_setting_the_builder_passes():
    """make_layer hands Keras ``config`` and the name alone; the key holds ``config`` whole
    (with Keras' default trainable when it is not written), so no setting is left out."""
    spec = modelspec.parse(json.dumps(_imdb()))
    for layer, keyed in zip(spec.layers, spec.canonical()["layers"]):
        assert set(layer.config) <= set(keyed[1])
    written = _imdb()
    for layer in written["config"]["layers"]:
        layer["config"].pop("trainable", None)
    assert modelspec.parse(json.dumps(written)).canonical() == spec.canonical()


def test_compile_settings_are_kept_by_name():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(
        learning_rate=keras.optimizers.schedules.ExponentialDecay(0.01, 100, 0.9)),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy(name="whatever"), "mae"])
    spec = compilespec.parse_compile(json.loads(json.dumps(model.get_compile_config())))
    assert spec["optimizer"]["class_name"] == "Adam"
    assert spec["optimizer"]["config"]["learning_rate"] == 0.01
    assert spec["loss"] == "binary_crossentropy"
    assert spec["metrics"] == ["binary_accuracy", "mae"]
    rebuilt = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    compilespec.compile_model(rebuilt, spec)
    assert type(rebuilt.optimizer).__name__ == "Adam" and rebuilt.loss == "binary_crossentropy"


def _imdb():
    return json.loads(getting_started.build_imdb_model().to_json())


def _signs():
    return json.loads(convnets.convolutional_model((64, 64, 3)).to_json())


def _layer(model, index):
    return model["config"]["layers"][index]


def _set(model, index, key, value):
    _layer(model, index)["config"][key] = value
    return model


def _lambda_calling(function_module, function_name, constant):
    """A Functional model whose Lambda 'calls' an exported Keras function on a constant."""
    model = _signs()
    lam = copy.deepcopy(_layer(model, 2))
    lam.update(class_name="Lambda", config={
        "name": "evil", "function": {"class_name": "function", "module": function_module,
                                     "config": function_name}, "arguments": {}})
    lam["inbound_nodes"] = [{"args": [constant], "kwargs": {}}]
    model["config"]["layers"].insert(2, lam)
    return model


def _with_dangling_layer(model):
    """A copy of the last layer that takes the same tensor but feeds no output: Keras would
    leave it out of the model (and of its parameter count); the kit counted it."""
    dangling = copy.deepcopy(_layer(model, -1))
    dangling["config"]["name"] = "dangling"
    model["config"]["layers"].append(dangling)
    return model


REFUSED = {
    "an unknown layer class": (
        lambda: {**_imdb(), "config": {**_imdb()["config"], "layers": [
            _layer(_imdb(), 0), {"module": "keras.layers", "class_name": "TFSMLayer",
                                 "config": {"name": "t", "filepath": "/tmp/x"}}]}},
        r"layer 1: `TFSMLayer` is not a layer the grader accepts"),
    "a lookup vocabulary given as a path": (
        lambda: {**_imdb(), "config": {**_imdb()["config"], "layers": [
            _layer(_imdb(), 0), {"module": "keras.layers", "class_name": "StringLookup",
                                 "config": {"name": "s", "vocabulary": "/etc/passwd"}}]}},
        r"`StringLookup` is not a layer"),
    "a Lambda calling a Keras function on a constant": (
        lambda: _lambda_calling("keras.config", "set_max_steps_per_epoch", 1),
        r"cannot rebuild the Lambda layer 'evil'"),
    "a constant in a node's arguments": (
        lambda: {**_signs(), "config": {**_signs()["config"], "layers": [
            _layer(_signs(), 0), {**_layer(_signs(), 1), "inbound_nodes": [
                {"args": ["/tmp/saved_model"], "kwargs": {}}]}, *_signs()["config"]["layers"][2:]]}},
        r"only tensors of earlier layers"),
    "keyword arguments in a call": (
        lambda: {**_signs(), "config": {**_signs()["config"], "layers": [
            _layer(_signs(), 0), {**_layer(_signs(), 1), "inbound_nodes": [
                {**_layer(_signs(), 1)["inbound_nodes"][0], "kwargs": {"training": True}}]},
            *_signs()["config"]["layers"][2:]]}},
        r"no other arguments"),
    "a tensor of a layer that comes later": (
        lambda: {**_signs(), "config": {**_signs()["config"], "layers": [
            _layer(_signs(), 0), {**_layer(_signs(), 1), "inbound_nodes": [
                {"args": [{"class_name": "__keras_tensor__", "config": {
                    "shape": [None, 8], "dtype": "float32",
                    "keras_history": [_layer(_signs(), 5)["config"]["name"], 0, 0]}}],
                 "kwargs": {}}]}, *_signs()["config"]["layers"][2:]]}},
        r"not an earlier layer of the same model"),
    "a nested model": (
        lambda: {**_imdb(), "config": {**_imdb()["config"], "layers": [
            _layer(_imdb(), 0), _signs()]}},
        r"nested model \(Functional\)"),
    "an unknown setting": (lambda: _set(_imdb(), 1, "quantization_mode", "int8"),
                           r"layer 1 \(Dense\): 'quantization_mode' is not a setting"),
    "a custom activation": (
        lambda: _set(_imdb(), 1, "activation", {"module": "builtins", "class_name": "function",
                                                "config": "my_relu"}),
        r"built-in Keras activation given by name .*'my_relu'"),
    "an initializer that is not built in": (
        lambda: _set(_imdb(), 1, "kernel_initializer", {
            "module": "keras.layers", "class_name": "TFSMLayer", "config": {"filepath": "/x"}}),
        r"initializer should be a built-in one"),
    "a regularizer with an object inside": (
        lambda: _set(_imdb(), 1, "kernel_regularizer", {
            "module": "keras.regularizers", "class_name": "L2",
            "config": {"l2": {"class_name": "function", "config": "get_file"}}}),
        r"should be a number"),
    "another dtype policy": (lambda: _set(_imdb(), 1, "dtype", "mixed_float16"),
                             r"float32 models only"),
    "too many units": (lambda: _set(_imdb(), 1, "units", 100_000), r"from 1 to 4096"),
    "too many parameters": (lambda: _set(_set(_imdb(), 1, "units", 4096), 2, "units", 4096),
                            r"brings the model to [\d,]+ parameters"),
    "too many layers": (
        lambda: {**_imdb(), "config": {**_imdb()["config"], "layers": [
            _layer(_imdb(), 0), *[{"module": "keras.layers", "class_name": "ReLU",
                                   "config": {"name": f"r{i}"}} for i in range(1500)]]}},
        r"1501 layers; the grader rebuilds models of up to 40"),
    "a shared layer": (
        lambda: {**_signs(), "config": {**_signs()["config"], "layers": [
            _layer(_signs(), 0), {**_layer(_signs(), 1), "inbound_nodes": [
                _layer(_signs(), 1)["inbound_nodes"][0]] * 2},
            *_signs()["config"]["layers"][2:]]}},
        r"called once"),
    "not a model at all": (lambda: {"class_name": "TFSMLayer", "config": {}},
                           r"should be a keras.Sequential or a keras.Model"),
    # issue 22's fuzz: values that no set lookup may hash, where names are expected
    "a tensor whose layer name is a list": (
        lambda: {**_signs(), "config": {**_signs()["config"], "layers": [
            _layer(_signs(), 0), {**_layer(_signs(), 1), "inbound_nodes": [
                {"args": [{"class_name": "__keras_tensor__", "config": {
                    "keras_history": [[3, 3], 0, 0]}}], "kwargs": {}}]},
            *_signs()["config"]["layers"][2:]]}},
        r"layer 2: takes a tensor of \[\[3, 3\], 0, 0\], which is not an earlier layer"),
    "an output layer named by a dict": (
        lambda: {**_signs(), "config": {**_signs()["config"],
                                         "output_layers": [[{"name": "x"}, 0, 0]]}},
        r"the model's output layers should be layers of the model"),
    "a class name that is a list": (
        lambda: {**_imdb(), "config": {**_imdb()["config"], "layers": [
            _layer(_imdb(), 0), {**_layer(_imdb(), 1), "class_name": ["Dense"]}]}},
        r"layer 1: `\[\"Dense\"\]` is not a layer the grader accepts"),
    "a layer that reaches no output": (
        lambda: _with_dangling_layer(_signs()),
        r"layer 10 \(Dense\): its output reaches none of the model's outputs"),
    "Add in a Sequential model": (
        lambda: {**_imdb(), "config": {**_imdb()["config"], "layers": [
            *_imdb()["config"]["layers"], {"class_name": "Add", "config": {"name": "add"}}]}},
        r"Add merges two or more tensors"),
    "only an input": (
        lambda: {**_imdb(), "config": {**_imdb()["config"], "layers": [_layer(_imdb(), 0)]}},
        r"no layers besides its input"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_outside_the_spec_is_refused_with_a_reason(case):
    make, message = REFUSED[case]
    with pytest.raises(SpecError, match=message):
        modelspec.parse(json.dumps(make()))


def test_text_that_is_too_deep_or_too_big_is_refused_before_parsing():
    with pytest.raises(SpecError, match="nests deeper than 40"):
        modelspec.parse("[" * 3000 + "]" * 3000)
    with pytest.raises(SpecError, match="characters of JSON"):
        modelspec.parse(" " * (modelspec.MAX_JSON_CHARS + 1))
    with pytest.raises(SpecError, match="not valid JSON"):
        modelspec.parse('{"class_name": ')
    assert modelspec.depth_of('{"a": "[[[[[[", "b": [[1]]}') == 3  # strings do not count
    assert modelspec.depth_of(r'{"a\\": [{"b\\\"[": "]\\\\"}]}') == 3  # escapes
    assert modelspec.depth_of('') == 0


#: The worst inputs of the scans over student text before parsing: each escaped quote made
#: the old string-skipping regular expression backtrack over the rest of the text.
WORST_SCANS = {"escaped quotes": lambda n: '"' + '\\"' * (n // 2),
               "backslashes": lambda n: '"' + "\\" * n,
               "open brackets": lambda n: "[" * n, "quotes": lambda n: '"' * n}


def per_byte_growth(scan, make) -> float:
    """How much more CPU time a byte costs ``scan`` at 5 MB than at 1 MB, relative to a plain
    linear pass over the same text (so caches and a busy machine cancel out): about 1 for a
    linear scan, about 5 for a quadratic one. Never compared with seconds."""
    import time

    def cost(function, text):
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            function(text)
            best = min(best, time.process_time() - started)
        return max(best, 1e-4)

    def baseline(text):
        return np.frombuffer(text.encode("utf-8", "surrogatepass"), np.uint8).cumsum().max()

    small, large = make(1_000_000), make(5_000_000)
    return (cost(scan, large) / cost(baseline, large)) / (cost(scan, small) / cost(baseline, small))


@pytest.mark.parametrize("worst", list(WORST_SCANS))
def test_the_depth_scan_is_linear_in_the_text(worst):
    assert per_byte_growth(modelspec.depth_of, WORST_SCANS[worst]) < 2.5


@pytest.mark.parametrize("bad", ["a\udfffb", "a/b", "x" * 81, "tab\there", ""])
def test_names_are_checked_like_any_value(bad):
    model = _set(_imdb(), 1, "name", bad)
    with pytest.raises(SpecError, match="a name should be 1 to 80 printable"):
        modelspec.parse(json.dumps(model))


COMPILE_REFUSED = {
    "a nested model under run_eagerly": ({"run_eagerly": _signs()}, r"run_eagerly: should be"),
    "an unknown setting": ({"steps_per_epoch": 1}, r"'steps_per_epoch' is not a compile setting"),
    "an optimizer that is not built in": (
        {"optimizer": {"module": "keras.layers", "class_name": "TFSMLayer", "config": {}}},
        r"optimizer 'TFSMLayer' is not one"),
    "an optimizer setting out of range": (
        {"optimizer": {"class_name": "Adam", "config": {"learning_rate": 1e9}}},
        r"learning_rate: should be a number"),
    "a loss that is a custom function": (
        {"optimizer": "adam", "loss": {"module": "__main__", "class_name": "function",
                                       "config": "my_loss"}}, r"'my_loss' is not a built-in"),
    "a metric with an object inside": (
        {"optimizer": "adam", "metrics": [{"class_name": "BinaryAccuracy", "config": {
            "threshold": {"class_name": "function", "config": "set_epsilon"}}}]},
        r"threshold: should be a number"),
}


@pytest.mark.parametrize("case", list(COMPILE_REFUSED))
def test_compile_settings_outside_the_spec_are_refused(case):
    config, message = COMPILE_REFUSED[case]
    with pytest.raises(SpecError, match=message):
        compilespec.parse_compile({"optimizer": "adam", "loss": "mse", **config})


#: Each honest model's assignment: its step is priced at that assignment's largest batch.
ASSIGNMENT_OF = {"happy": "convnets", "signs": "convnets", "alt_happy": "convnets",
                 "imdb": "getting_started", "reuters": "getting_started", "tuning": "tuning",
                 "gru": "weather_rnn", "stacked_gru": "weather_rnn",
                 "bidirectional_gru": "weather_rnn", "forecaster": "time_series",
                 "conv1d": "time_series"}


@pytest.mark.parametrize("key", list(HONEST))
def test_the_step_budget_is_far_above_every_honest_model(sandbox, key):
    """Calibration of modelcost's budget: every reference and honest alternative costs at
    most a fiftieth of the FLOPs and a seventh of the memory a step may take (the sample
    classes' models measured 9 GFLOP and 382 MiB at most; the issue's attacks, thousands of
    GFLOP or tens of GiB). A mutant that doubles a layer stays far inside it too."""
    from autograder import assignments
    from autograder.engine import modelcost

    artifact = json.loads(json.dumps(sandbox.model_artifact(HONEST[key])))
    spec = modelspec.parse(artifact["model"], artifact["lambdas"])
    batch = modelcost.batch_size(assignments.get(ASSIGNMENT_OF[key]).config)
    flops, memory = modelcost.check(spec, batch)
    assert 50 * flops <= modelcost.MAX_STEP_FLOPS and 7 * memory <= modelcost.MAX_STEP_BYTES


COSTLY = {
    "32x32 kernels, 9.7 M parameters": (
        lambda m: m["config"]["layers"][2]["config"].update(filters=96, kernel_size=[32, 32])
        or m["config"]["layers"].insert(3, {**copy.deepcopy(m["config"]["layers"][2]), "config": {
            **m["config"]["layers"][2]["config"], "name": "big", "padding": "same"}}),
        r"takes about [\d,]+ billion operations"),
    "an orthogonal regularizer on 32,768 inputs": (
        lambda m: m["config"]["layers"][-1]["config"].update(kernel_regularizer={
            "class_name": "OrthogonalRegularizer", "config": {"factor": 0.1, "mode": "rows"}}),
        r"needs about 12.4 GiB of memory"),
    "an orthogonal regularizer on a convolution's 4-D kernel": (
        lambda m: m["config"]["layers"][2]["config"].update(kernel_regularizer={
            "class_name": "OrthogonalRegularizer", "config": {"factor": 0.1}}),
        r"layer 2 \(Conv2D\), kernel_regularizer: an OrthogonalRegularizer applies to a "
        r"weight matrix"),
}


@pytest.mark.parametrize("case", list(COSTLY))
def test_a_model_over_the_step_budget_is_refused_with_a_sentence(case):
    from autograder import assignments
    from autograder.engine import modelcost

    edit, message = COSTLY[case]
    model = json.loads(convnets.happyModel().to_json())
    edit(model)
    spec = modelspec.parse(json.dumps(model))
    assert spec.params <= modelspec.MAX_PARAMS  # under the parameter cap: the cost decides
    with pytest.raises(SpecError, match=message):
        modelcost.check(spec, modelcost.batch_size(assignments.get("convnets").config))


def test_the_batch_priced_is_the_largest_an_assignment_trains_with():
    from autograder import assignments
    from autograder.engine import modelcost

    assert modelcost.batch_size(assignments.get("convnets").config) == 64  # signs; happy 16
    assert modelcost.batch_size(assignments.get("tuning").config) == 64  # extends imdb
    assert modelcost.batch_size({}) == modelcost.DEFAULT_BATCH


def _second_dense_refused_by_keras(monkeypatch):
    """The IMDB model's spec, whose second Dense Keras refuses to build (no check of ours
    did): Keras's own ValueError, as a combination no single check sees would raise."""
    spec = modelspec.parse(getting_started.build_imdb_model().to_json())
    refused = spec.layers[2]

    class Refusing(layers.Dense):
        def build(self, input_shape):
            raise ValueError("this kernel does not fit")

    made = modelspec.make_layer
    monkeypatch.setattr(modelspec, "make_layer", lambda layer: (
        Refusing(4) if layer is refused else made(layer)))
    return spec


def test_a_layer_keras_refuses_in_a_sequential_is_named_though_the_model_is_built_at_once(
        monkeypatch):
    """build() builds a Sequential at once; when Keras refuses it, the layers are added again
    one by one so the sentence names the layer Keras refused, with Keras' reason."""
    spec = _second_dense_refused_by_keras(monkeypatch)
    with pytest.raises(SpecError, match=r"layer 2 \(Dense\): cannot take an input of shape .*"
                                        r"\(Keras: this kernel does not fit\)"):
        modelspec.build(spec)


def test_no_keras_deserialiser_ever_sees_what_a_sandbox_wrote(sandbox, monkeypatch):
    """The recorded JSON is read by the kit's parsers against its allowlists and rebuilt from
    the validated spec by name: Keras' deserialisers (which would import any class path a
    submission names) are never called, for any honest model or its compile settings."""
    def refuse(*args, **kwargs):
        raise AssertionError("a Keras deserialiser was called on recorded bytes")

    compiled = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    compiled.compile(optimizer="adam", loss="mse", metrics=["mae"])
    recorded_compile = json.loads(json.dumps(compiled.get_compile_config()))
    for target, attribute in [(keras.models, "model_from_json"),
                              (keras.saving, "deserialize_keras_object"),
                              (keras.layers, "deserialize"), (keras.optimizers, "deserialize"),
                              (keras.losses, "deserialize"), (keras.Model, "from_config"),
                              (keras.Sequential, "from_config"),
                              (keras.Model, "compile_from_config")]:
        monkeypatch.setattr(target, attribute, refuse)
    for model in HONEST.values():
        artifact = json.loads(json.dumps(sandbox.model_artifact(model)))
        spec = modelspec.parse(artifact["model"], artifact["lambdas"])
        rebuilt = modelspec.build(spec)
        compilespec.compile_model(rebuilt, compilespec.parse_compile(recorded_compile))
        assert rebuilt.count_params() == model.count_params()


def _refusal(table, case):
    """The sentence one case of ``REFUSED``, ``COMPILE_REFUSED`` or ``COSTLY`` is refused with."""
    from autograder import assignments
    from autograder.engine import modelcost

    with pytest.raises(SpecError) as refused:
        if table == "model":
            modelspec.parse(json.dumps(REFUSED[case][0]()))
        elif table == "compile":
            compilespec.parse_compile({"optimizer": "adam", "loss": "mse", **COMPILE_REFUSED[case][0]})
        else:
            model = json.loads(convnets.happyModel().to_json())
            COSTLY[case][0](model)
            modelcost.check(modelspec.parse(json.dumps(model)),
                            modelcost.batch_size(assignments.get("convnets").config))
    return str(refused.value)


@pytest.mark.parametrize("table, case", [("model", c) for c in REFUSED]
                         + [("compile", c) for c in COMPILE_REFUSED]
                         + [("cost", c) for c in COSTLY])
def test_a_chinese_course_reads_every_refusal_in_chinese(chinese_course, table, case):
    """A refusal is feedback: in a Chinese course it is Chinese, place included (``第 1 层
    （Dense），units``); only code, names and numbers stay as they are."""
    from autograder.tools import zhcheck

    said = _refusal(table, case)
    assert zhcheck.HAN.search(said) and zhcheck.english_runs(said) == [], said


def test_a_chinese_refusal_names_the_same_place_as_the_english_one(chinese_course):
    said = _refusal("model", "an unknown setting")
    assert said.startswith("第 1 层（`Dense`）：`'quantization_mode'` 不是评分程序接受的设置"), said
    said = _refusal("cost", "an orthogonal regularizer on a convolution's 4-D kernel")
    assert said.startswith("第 2 层（`Conv2D`），`kernel_regularizer`：OrthogonalRegularizer"), said
    said = _refusal("compile", "an optimizer setting out of range")
    assert said.startswith("编译设置，优化器 `Adam`，`learning_rate`：应为"), said


def test_keras_own_refusal_is_quoted_as_code_in_a_chinese_course(chinese_course, monkeypatch):
    from autograder.tools import zhcheck

    spec = _second_dense_refused_by_keras(monkeypatch)
    with pytest.raises(SpecError) as said:
        modelspec.build(spec)
    assert "第 2 层（`Dense`）：无法接受形状为" in str(said.value)
    assert "（Keras 的说明：`this kernel does not fit`）" in str(said.value)
    assert zhcheck.english_runs(str(said.value)) == []
