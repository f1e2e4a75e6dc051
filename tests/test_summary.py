"""summary()/comparator(): the course's tables, and differences said plainly."""
import keras
import pytest
from keras import layers

from shared.convnets_spec import HAPPY_PARAMS, HAPPY_TABLE, SIGNS_PARAMS, SIGNS_TABLE
from shared.summary import ComparisonError, comparator, differences, summary
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


def test_comparator_names_the_missing_layer():
    model = keras.Sequential([keras.Input((64, 64, 3)), layers.ZeroPadding2D(3),
                              layers.Conv2D(32, 7), layers.ReLU(), layers.MaxPooling2D(),
                              layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ComparisonError) as err:
        comparator(summary(model), HAPPY_TABLE)
    assert str(err.value).startswith("layer 3: expected BatchNormalization, found ReLU")


def test_comparator_fails_on_extra_layers_at_the_end():
    longer = HAPPY_TABLE + [["Dropout", (None, 1), 0, 0.5]]
    with pytest.raises(ComparisonError, match="8 layers, expected 7: 1 extra at the end"):
        comparator(longer, HAPPY_TABLE)


def test_comparator_fails_on_missing_layers_at_the_end():
    # The course's comparator zipped the lists and passed this.
    with pytest.raises(ComparisonError, match="missing at the end \\(Dense\\)"):
        comparator(HAPPY_TABLE[:-1], HAPPY_TABLE)


def test_difference_says_which_setting():
    wrong = [row[:] for row in SIGNS_TABLE]
    wrong[-1][3] = "relu"
    (problem,) = differences(wrong, SIGNS_TABLE)
    assert problem.startswith("layer 9 (Dense): activation should be 'softmax', found 'relu'")


def test_lists_and_tuples_compare_alike():
    as_lists = [[r[0], list(r[1]) if isinstance(r[1], tuple) else r[1], *r[2:]]
                for r in HAPPY_TABLE]
    assert differences(as_lists, HAPPY_TABLE) == []
