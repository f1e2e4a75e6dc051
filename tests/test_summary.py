"""summary()/comparator(): the course's tables, and differences said plainly."""
import keras
import pytest
from keras import layers

from shared.convnets_spec import HAPPY_PARAMS, HAPPY_TABLE, SIGNS_PARAMS, SIGNS_TABLE
from shared.checks import compile_problems
from shared.summary import (ALIGN_LIMIT, ComparisonError, comparator, differences,
                            summary)
from solutions.convnets import convolutional_model, happyModel


def test_happy_model_reproduces_course_table_exactly():
    model = happyModel()
    assert summary(model) == HAPPY_TABLE
    assert model.count_params() == HAPPY_PARAMS


def test_signs_model_reproduces_course_table_exactly():
    model = convolutional_model((64, 64, 3))
    assert summary(model) == SIGNS_TABLE
    assert model.count_params() == SIGNS_PARAMS


def test_course_rows_for_conv_and_pooling():
    rows = summary(happyModel())
    assert rows[1] == ["Conv2D", (None, 64, 64, 32), 4736, "valid", "linear", "GlorotUniform"]
    assert rows[4] == ["MaxPooling2D", (None, 32, 32, 32), 0, (2, 2), (2, 2), "valid"]


def test_comparator_passes_on_identical_tables(capsys):
    comparator(summary(happyModel()), HAPPY_TABLE)
    assert "All tests passed" in capsys.readouterr().out


def test_a_left_out_layer_is_named_once_not_every_later_row():
    """Aligned by class names: the rows after it are not each called mismatched (issue 23)."""
    model = keras.Sequential([keras.Input((64, 64, 3)), layers.ZeroPadding2D(3),
                              layers.Conv2D(32, 7), layers.ReLU(), layers.MaxPooling2D(),
                              layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    problems = differences(summary(model), HAPPY_TABLE)
    assert len(problems) == 1 and problems[0].startswith(
        "layer 3 (BatchNormalization) is missing (expected row ['BatchNormalization'"), problems
    with pytest.raises(ComparisonError, match=r"^layer 3 \(BatchNormalization\) is missing"):
        comparator(summary(model), HAPPY_TABLE)


def test_an_extra_layer_is_named_with_its_place_in_the_students_model():
    longer = HAPPY_TABLE[:3] + [["Dropout", (None, 64, 64, 32), 0, 0.5]] + HAPPY_TABLE[3:]
    assert differences(longer, HAPPY_TABLE) == [
        "layer 4 of your model (Dropout) is extra: the table has no such layer there (found "
        "row ['Dropout', (None, 64, 64, 32), 0, 0.5])"]


def test_a_changed_layer_in_place_is_one_sentence_and_the_rest_still_compared():
    changed = [row[:] for row in HAPPY_TABLE]
    changed[2] = ["Dropout", (None, 64, 64, 32), 0, 0.5]  # in place of BatchNormalization
    changed[-1][3] = "relu"
    problems = differences(changed, HAPPY_TABLE)
    assert [p.split(" (expected")[0] for p in problems] == [
        "layer 3: expected BatchNormalization, found Dropout",
        "layer 7 (Dense): activation should be 'sigmoid', found 'relu'"], problems


def test_comparator_fails_on_missing_layers_at_the_end():
    # The course's comparator zipped the lists and passed this.
    with pytest.raises(ComparisonError, match=r"^layer 7 \(Dense\) is missing"):
        comparator(HAPPY_TABLE[:-1], HAPPY_TABLE)


def test_a_huge_model_is_compared_by_count_within_a_bounded_cost():
    huge = [["Dense", (None, 1), 2, "relu"]] * (ALIGN_LIMIT + 1)
    assert differences(huge, HAPPY_TABLE) == [f"the model has {ALIGN_LIMIT + 1} layers, expected 7"]


def test_difference_says_which_setting():
    wrong = [row[:] for row in SIGNS_TABLE]
    wrong[-1][3] = "relu"
    (problem,) = differences(wrong, SIGNS_TABLE)
    assert problem.startswith("layer 9 (Dense): activation should be 'softmax', found 'relu'")


def test_lists_and_tuples_compare_alike():
    as_lists = [[r[0], list(r[1]) if isinstance(r[1], tuple) else r[1], *r[2:]]
                for r in HAPPY_TABLE]
    assert differences(as_lists, HAPPY_TABLE) == []


def test_a_wrong_optimizer_or_loss_is_a_sentence_not_a_crash():
    """msg(_key, /, **fields): a field named like the key no longer raises TypeError."""
    model = happyModel()
    model.compile(optimizer="sgd", loss="mse", metrics=["accuracy"])
    expected = {"optimizer": "adam", "loss": "binary_crossentropy", "metrics": ["accuracy"]}
    assert compile_problems(model, expected, "happy_model") == [
        "happy_model should be compiled with optimizer='adam', found 'sgd'",
        "happy_model should be compiled with loss='binary_crossentropy', found 'mse'"]


def test_a_message_field_may_share_the_catalogues_parameter_name():
    from shared.i18n import msg
    assert msg("compile_metrics", name="m", expected=["a"], found=[], key="ignored") \
        == "m should track metrics=['a'], found []"


def test_a_layers_own_setting_is_named_before_the_shape_it_changes():
    wrong = [row[:] for row in SIGNS_TABLE]
    wrong[1] = ["Conv2D", (None, 61, 61, 8), 392, "valid", "linear", "GlorotUniform"]
    assert differences(wrong, SIGNS_TABLE)[0].startswith(
        "layer 2 (Conv2D): padding should be 'same', found 'valid'")


def test_a_sentence_ending_in_a_quote_survives_otters_quote_stripping():
    """otter reports str(e).strip("'"): the closing quote of "found 'mse'" stays."""
    said = str(ComparisonError("m should be compiled with loss='mae', found 'mse'"))
    assert said.strip("'") == "m should be compiled with loss='mae', found 'mse'."
    assert str(ComparisonError("layer 3 (X) is missing")) == "layer 3 (X) is missing"
