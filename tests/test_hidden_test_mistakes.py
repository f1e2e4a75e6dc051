"""Plausible mistakes of a student, scored by the real hidden tests through the scorer's own
steps (what the sandbox records of the function, then ``scorer.score``): each must cost its
concern's points with a sentence that names the mistake, never a crash of the test."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import assignments
from autograder.build import bundle
from autograder.engine import runner, scorer
from shared.i18n import set_language
from solutions import weather_rnn
from tests.test_scorer_attacks import sandbox_module


def scored(tmp_path, assignment, test_file, objects, language=None) -> list[dict]:
    """The cases of one hidden test file, scored against what the sandbox records of
    ``objects`` (name -> the student's function), in the course's ``language`` (else the
    course file's)."""
    staged, artifacts = tmp_path / "staged", tmp_path / "artifacts"
    staged.mkdir(), artifacts.mkdir()
    bundle.stage(assignments.get(assignment), staged, language=language)
    for path in (staged / "tests").glob("*.py"):
        if path.stem != test_file:
            path.unlink()
    probes = assignments.get(assignment).config["probes"]
    for name, obj in objects.items():
        record = sandbox_module().serialise(name, obj, probes[name])
        (artifacts / f"{name}.json").write_text(json.dumps(record))
    # One scorer process scores one bundle: this one forgets an earlier test's gradelib,
    # which reads the grading config of the folder it was imported from.
    sys.modules.pop("gradelib", None)
    try:
        questions = scorer.score(staged, artifacts)
    finally:
        sys.path[:] = [p for p in sys.path if p != str(staged)]
        set_language(None)  # the scorer chose the course's; the next test's is its own
    return [case for question in questions.values() for case in question["cases"]]


def no_crash(cases):
    crashed = [c["message"] for c in cases if not c["passed"] and runner.is_crash(c["message"])]
    assert not crashed, crashed


def generator_drawing_from_row_0(data, lookback, delay, min_index, max_index, shuffle=False,
                                 batch_size=128, step=6):
    """The course's generator with two mistakes: shuffled rows drawn from 0 (not from
    min_index + lookback), and samples kept as a list of windows."""
    if max_index is None:
        max_index = len(data) - delay - 1
    i = min_index + lookback
    while True:
        if shuffle:
            rows = np.random.randint(max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        yield ([data[row - lookback:row:step] for row in rows],
               [data[row + delay][1] for row in rows])


def test_shuffled_windows_of_different_lengths_are_a_sentence_not_a_crash(tmp_path):
    cases = scored(tmp_path, "weather_rnn", "generator",
                   {"generator": generator_drawing_from_row_0})
    no_crash(cases)
    assert [c["passed"] for c in cases] == [True, True, True, False]
    assert "min_index + lookback" in cases[3]["message"]
    assert "windows of [0, 4] rows" in cases[3]["message"]


def generator_that_returns(*args, **kwargs):
    """`return samples, targets` where `yield` belongs: its first batch, once."""
    return next(weather_rnn.generator(*args, **kwargs))


def test_a_generator_that_returns_one_batch_is_told_to_yield(tmp_path):
    cases = scored(tmp_path, "weather_rnn", "generator", {"generator": generator_that_returns})
    no_crash(cases)
    assert not any(c["passed"] for c in cases)
    assert all("yield samples, targets" in c["message"] for c in cases), \
        [c["message"] for c in cases]
    assert not any("each batch should be a (samples, targets) pair" in c["message"]
                   for c in cases)


def test_the_course_generator_still_gets_every_point(tmp_path):
    cases = scored(tmp_path, "weather_rnn", "generator", {"generator": weather_rnn.generator})
    assert all(c["passed"] for c in cases), [c["message"] for c in cases]


def windows_ending_with_the_series(series, window_size, batch_size, shuffle_buffer):
    """Windows of window_size values labelled with their own last value, as many as the
    course's (the first one left out), the last window of the series first: that window
    has no value after it in the series."""
    import tensorflow as tf
    dataset = tf.data.Dataset.from_tensor_slices(series)
    dataset = dataset.window(window_size, shift=1, drop_remainder=True)
    dataset = dataset.flat_map(lambda window: window.batch(window_size))
    windows = list(dataset.as_numpy_iterator())[::-1]  # the last window first
    dataset = tf.data.Dataset.from_tensor_slices(windows[:len(series) - window_size])
    return dataset.map(lambda window: (window, window[-1])).batch(batch_size)


def test_a_window_that_ends_the_series_is_a_sentence_not_a_crash(tmp_path):
    cases = scored(tmp_path, "time_series", "windowed_dataset",
                   {"windowed_dataset": windows_ending_with_the_series})
    no_crash(cases)
    [label] = [c for c in cases if c["name"].startswith("each label is the value right after")]
    assert not label["passed"]
    assert "step 55 ends the series, so no value follows it" in label["message"], label["message"]


def results_table_with_0_based_epochs(runs):
    """The course's table with the best epoch as an index (no + 1): every row is off."""
    import pandas as pd
    rows = []
    for run in runs:
        logs = run["history"].history
        epoch = int(np.argmin(logs["val_loss"]))
        rows.append({"name": run["name"], "best_epoch": epoch, "val_loss": logs["val_loss"][epoch],
                     "val_accuracy": logs["val_accuracy"][epoch],
                     "test_accuracy": run["test_accuracy"]})
    return pd.DataFrame(rows, columns=["name", "best_epoch", "val_loss", "val_accuracy",
                                       "test_accuracy"])


def test_a_wrong_row_of_the_results_table_is_counted_from_1_and_named(tmp_path):
    """The student counts the table's rows from 1; the sentence names the run too."""
    from solutions import tuning
    runs = tuning_runs()
    cases = scored(tmp_path, "tuning", "results_table",
                   {"results_table": results_table_with_0_based_epochs})
    no_crash(cases)
    values = next(c for c in cases if "best epoch" in c["name"])
    assert not values["passed"]
    assert values["message"].startswith(f"row 1 ({runs[0]['name']}): best_epoch should be "), \
        values["message"]
    (tmp_path / "two").mkdir()
    two_rows = scored(tmp_path / "two", "tuning", "results_table",
                      {"results_table": lambda given: tuning.results_table(given[:2])})
    said = next(c for c in two_rows if "best epoch" in c["name"])
    assert said["passed"] and f"skipped row 3 ({runs[2]['name']})" in said["note"], said


def tuning_runs():
    """The hidden runs results_table is probed with."""
    from autograder.engine import kit_codec
    probe = assignments.get("tuning").config["probes"]["results_table"]
    return kit_codec.decode_input(probe["cases"]["three_runs"]["args"])[0]

def imdb_model_without_return():
    """The course's model, built and compiled, and no `return model`."""
    from solutions import getting_started
    getting_started.build_imdb_model()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_builder_without_return_is_told_it_returned_none_not_that_it_raised(tmp_path,
                                                                               language):
    cases = scored(tmp_path, "getting_started", "imdb_model",
                   {"build_imdb_model": imdb_model_without_return}, language)
    no_crash(cases)
    assert not any(c["passed"] for c in cases)
    said = {c["message"] for c in cases}
    assert len(said) == 1, said
    [message] = said
    assert "return model" in message and "TypeError" not in message, message
    assert ("returned None" if language == "en" else "返回了 `None`") in message, message


def test_a_model_variable_set_to_what_compile_returns_is_told_so_not_undefined(tmp_path):
    """`happy_model = happy_model.compile(...)`: the variable holds None."""
    from solutions import convnets
    cases = scored(tmp_path, "convnets", "happy_model",
                   {"happyModel": convnets.happyModel, "happy_model": None})
    no_crash(cases)
    [compiled] = [c for c in cases if c["name"].startswith("happy_model is compiled")]
    assert not compiled["passed"]
    assert "`happy_model` holds None" in compiled["message"], compiled["message"]
    assert "not defined" not in compiled["message"]


def best_epoch_as_float(history):
    """The right epoch, as the float np.argmin + 1.0 gives."""
    return float(np.argmin(history.history["val_loss"]) + 1)


def best_epoch_counted_from_0(history):
    """np.argmin's index, not the epoch (epochs count from 1)."""
    return int(np.argmin(history.history["val_loss"]))


def best_epoch_returning_the_lowest_loss(history):
    """The lowest validation loss instead of the epoch it belongs to."""
    return min(history.history["val_loss"])


@pytest.mark.parametrize("mistake, told", [
    (best_epoch_as_float, "right epoch, as a float: return it as a Python int"),
    (best_epoch_counted_from_0, "count epochs from 1, so return np.argmin(val_loss) + 1"),
    (best_epoch_returning_the_lowest_loss, "That is the lowest val_loss itself")],
    ids=["float", "index", "lowest_loss"])
def test_a_best_epoch_of_the_wrong_kind_is_told_what_it_is_not_to_break_ties(tmp_path, mistake,
                                                                            told):
    """Each mistake fails both tests with the sentence that names it; the tie test's own
    advice ("return the earlier one") would send the student the wrong way."""
    cases = scored(tmp_path, "tuning", "best_epoch", {"best_epoch": mistake})
    no_crash(cases)
    assert len(cases) == 2 and not any(c["passed"] for c in cases)
    for case in cases:
        assert told in case["message"], case["message"]
        assert "return the earlier one" not in case["message"]


def windows_repeated_forever(series, window_size, batch_size, shuffle_buffer):
    """The course's dataset with .repeat() at the end: one epoch never ends."""
    from solutions import time_series
    return time_series.windowed_dataset(series, window_size, batch_size,
                                        shuffle_buffer).repeat()


def test_a_dataset_that_repeats_forever_is_told_to_drop_repeat(tmp_path):
    cases = scored(tmp_path, "time_series", "windowed_dataset",
                   {"windowed_dataset": windows_repeated_forever})
    no_crash(cases)
    failed = {c["name"]: c["message"] for c in cases if not c["passed"]}
    assert len(failed) == 2, failed  # the batches and the epoch's windows; labels and shuffling pass
    for message in failed.values():
        assert "did not end" in message and "Do not call .repeat()" in message, message
        assert len(message) < 400, message  # not the size of each of 200 batches


def one_hot_transposed(labels, dimension=46):
    """One column per label: rows and columns swapped."""
    results = np.zeros((dimension, len(labels)), dtype="float32")
    for i, label in enumerate(labels):
        results[label, i] = 1.0
    return results


def one_hot_without_num_classes(labels, dimension=46):
    import keras
    return keras.utils.to_categorical(labels).astype("float32")


def test_transposed_one_hot_rows_are_not_told_about_num_classes(tmp_path):
    cases = scored(tmp_path, "getting_started", "to_one_hot", {"to_one_hot": one_hot_transposed})
    no_crash(cases)
    assert not any(c["passed"] for c in cases)
    for case in cases:
        assert "found (46, 6)" in case["message"], case["message"]
        assert "num_classes" not in case["message"], case["message"]


def test_to_categorical_without_num_classes_is_still_told_about_num_classes(tmp_path):
    cases = scored(tmp_path, "getting_started", "to_one_hot",
                   {"to_one_hot": one_hot_without_num_classes})
    no_crash(cases)
    assert [c["passed"] for c in cases] == [True, False]
    assert "num_classes=dimension); found (4, 5)" in cases[1]["message"], cases[1]["message"]


def build_model_without_compile(n_layers, units, activation, loss, output):
    """The course's layers, never compiled."""
    import keras
    model = keras.Sequential([keras.Input(shape=(10000,))])
    for _ in range(n_layers):
        model.add(keras.layers.Dense(units, activation=activation))
    model.add(keras.layers.Dense(output, activation="sigmoid" if output == 1 else "softmax"))
    return model


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_builder_that_does_not_compile_is_told_to_compile_inside_it_not_in_a_cell(tmp_path,
                                                                                  language):
    cases = scored(tmp_path, "tuning", "build_model",
                   {"build_model": build_model_without_compile}, language)
    no_crash(cases)
    [compiled] = [c for c in cases if not c["passed"]]
    assert ("inside build_model, before `return model`" if language == "en"
            else "请在 build_model 里、`return model` 之前") in compiled["message"], compiled["message"]
    assert "compile cell" not in compiled["message"] and "编译单元格" not in compiled["message"]


def imdb_model_without_compile():
    import keras
    return keras.Sequential([keras.Input(shape=(10000,)),
                             keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])


def test_a_builder_that_does_not_compile_is_told_once_where_to_compile(tmp_path):
    cases = scored(tmp_path, "getting_started", "imdb_model",
                   {"build_imdb_model": imdb_model_without_compile})
    no_crash(cases)
    [compiled] = [c for c in cases if not c["passed"]]
    assert compiled["message"] == (
        "build_imdb_model()'s model is not compiled: call model.compile(optimizer=..., loss=..., "
        "metrics=[...]) inside build_imdb_model, before `return model`"), compiled["message"]


def happy_model_functional():
    """The course's layers with the functional API, where the notebook asks for a Sequential."""
    import keras
    from solutions import convnets
    inputs = keras.Input(shape=(64, 64, 3))
    x = inputs
    for layer in convnets.happyModel().layers:
        x = layer.__class__.from_config(layer.get_config())(x)
    return keras.Model(inputs, x)


def test_a_functional_happy_model_is_told_to_be_a_sequential_not_that_its_input_is_extra(
        tmp_path):
    from solutions import convnets
    cases = scored(tmp_path, "convnets", "happy_model",
                   {"happyModel": happy_model_functional, "happy_model": convnets.happyModel()})
    no_crash(cases)
    [layers] = [c for c in cases if c["name"].startswith("happyModel layers")]
    assert not layers["passed"]
    assert layers["message"].startswith("the model is a functional keras.Model"), layers["message"]
    assert "is extra" not in layers["message"], layers["message"]


def generator_that_stops_at_max_index(data, lookback, delay, min_index, max_index,
                                      shuffle=False, batch_size=128, step=6):
    """The course's generator ending where it should start again at min_index + lookback."""
    if max_index is None:
        max_index = len(data) - delay - 1
    walk = weather_rnn.generator(data, lookback, delay, min_index, max_index, shuffle,
                                 batch_size, step)
    i = min_index + lookback
    while shuffle or i + batch_size < max_index:
        samples, targets = next(walk)
        i += len(targets)
        yield samples, targets


def test_a_generator_that_ends_instead_of_wrapping_loses_the_order_points(tmp_path):
    cases = scored(tmp_path, "weather_rnn", "generator",
                   {"generator": generator_that_stops_at_max_index})
    no_crash(cases)
    [order] = [c for c in cases if c["name"].startswith("sequential batches walk")]
    assert not order["passed"]
    assert "the generator ended after" in order["message"], order["message"]
    assert "start again at min_index + lookback" in order["message"], order["message"]


def generator_of_float32(*args, **kwargs):
    """The course's batches as float32."""
    for samples, targets in weather_rnn.generator(*args, **kwargs):
        yield samples.astype("float32"), targets.astype("float32")


def test_float32_batches_cost_the_dtype_point_alone(tmp_path):
    cases = scored(tmp_path, "weather_rnn", "generator", {"generator": generator_of_float32})
    no_crash(cases)
    assert [c["passed"] for c in cases] == [False, True, True, True], \
        [c["message"] for c in cases]
    assert "found float32 and float32" in cases[0]["message"]


def generator_targets_first(*args, **kwargs):
    """`yield targets, samples`: the pair the wrong way round."""
    for samples, targets in weather_rnn.generator(*args, **kwargs):
        yield targets, samples


def test_shuffled_batches_the_wrong_way_round_are_told_so_not_a_row_none(tmp_path):
    cases = scored(tmp_path, "weather_rnn", "generator", {"generator": generator_targets_first})
    no_crash(cases)
    [shuffled] = [c for c in cases if c["name"].startswith("shuffled batches")]
    assert not shuffled["passed"]
    assert "found shape ()" in shuffled["message"], shuffled["message"]
    assert "yield samples, targets (in that order)" in shuffled["message"]
    assert "row None" not in shuffled["message"]


def results_table_sorted(runs):
    """The course's table, sorted by validation loss: the rows no longer follow `runs`."""
    from solutions import tuning
    return tuning.results_table(runs).sort_values("val_loss")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_sorted_results_table_is_told_to_keep_the_runs_order_not_about_best_epochs(tmp_path,
                                                                                  language):
    cases = scored(tmp_path, "tuning", "results_table", {"results_table": results_table_sorted},
                   language)
    no_crash(cases)
    [values] = [c for c in cases if not c["passed"]]
    assert ("in the order of `runs`" if language == "en" else "按 `runs` 的顺序") in values["message"]
    assert values["message"].startswith("row 1 should be the run" if language == "en"
                                        else "第 1 行应为实验记录"), values["message"]
    assert "best_epoch" not in values["message"], values["message"]


def windows_without_drop_remainder(series, window_size, batch_size, shuffle_buffer):
    """The course's dataset with .window(..., drop_remainder=False): the last windows are short."""
    import tensorflow as tf
    dataset = tf.data.Dataset.from_tensor_slices(series)
    dataset = dataset.window(window_size + 1, shift=1)
    dataset = dataset.flat_map(lambda window: window.batch(window_size + 1))
    dataset = dataset.shuffle(shuffle_buffer).map(lambda window: (window[:-1], window[-1]))
    return dataset.batch(batch_size)


def test_windows_without_drop_remainder_are_told_to_drop_it_without_tensorflows_names(tmp_path):
    cases = scored(tmp_path, "time_series", "windowed_dataset",
                   {"windowed_dataset": windows_without_drop_remainder})
    no_crash(cases)
    assert not any(c["passed"] for c in cases)
    for case in cases:
        assert "drop_remainder=True) keeps only the full ones" in case["message"], case["message"]
        assert "function_node" not in case["message"] and "[Op:" not in case["message"]


def imdb_model_without_input():
    """The course's layers without keras.Input: Keras builds it only when it is first called."""
    import keras
    model = keras.Sequential([keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_a_model_without_input_is_told_so_in_the_courses_language(tmp_path):
    cases = scored(tmp_path, "getting_started", "imdb_model",
                   {"build_imdb_model": imdb_model_without_input}, "zh")
    no_crash(cases)
    refused = [c["message"] for c in cases if not c["passed"]]
    assert refused and all(m == "build_imdb_model 的模型无法评分：模型没有输入形状：请像 notebook "
                                "中那样以 `keras.Input(shape=...)` 开头" for m in refused), refused
