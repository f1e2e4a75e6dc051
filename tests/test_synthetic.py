"""Fast checks of the synthetic Happy House and SIGNS stand-ins (no training)."""
import numpy as np
import pytest

from shared.synthetic import make_happy, make_signs

KEYS = {"train_set_x", "train_set_y", "test_set_x", "test_set_y", "list_classes"}
SMALL = {"happy": (make_happy, 60, 30), "signs": (make_signs, 72, 36)}


@pytest.fixture(scope="module")
def happy():
    return make_happy(0)


@pytest.fixture(scope="module")
def signs():
    return make_signs(0)


@pytest.mark.parametrize("name, n_train, n_test, classes", [
    ("happy", 600, 150, [0, 1]),
    ("signs", 1080, 120, [0, 1, 2, 3, 4, 5]),
])
def test_format_matches_the_course_files(request, name, n_train, n_test, classes):
    d = request.getfixturevalue(name)
    assert set(d) == KEYS
    assert d["train_set_x"].shape == (n_train, 64, 64, 3)
    assert d["test_set_x"].shape == (n_test, 64, 64, 3)
    assert d["train_set_y"].shape == (n_train,)
    assert d["test_set_y"].shape == (n_test,)
    for key in ("train_set_x", "test_set_x"):
        assert d[key].dtype == np.uint8
    for key in ("train_set_y", "test_set_y", "list_classes"):
        assert d[key].dtype == np.int64
    assert d["list_classes"].tolist() == classes
    for key in ("train_set_y", "test_set_y"):
        assert set(np.unique(d[key])) == set(classes)


def test_happy_balance_is_like_the_real_test_split(happy):
    assert happy["test_set_y"].sum() == 84          # 56 % of 150 smile
    assert happy["train_set_y"].mean() == pytest.approx(0.56, abs=0.01)


def test_signs_classes_are_balanced(signs):
    assert np.bincount(signs["test_set_y"]).tolist() == [20] * 6
    assert np.bincount(signs["train_set_y"]).tolist() == [180] * 6


@pytest.mark.parametrize("name", ["happy", "signs"])
def test_custom_sizes(name):
    make, n_train, n_test = SMALL[name]
    d = make(3, n_train=n_train, n_test=n_test)
    assert d["train_set_x"].shape[0] == d["train_set_y"].shape[0] == n_train
    assert d["test_set_x"].shape[0] == d["test_set_y"].shape[0] == n_test


@pytest.mark.parametrize("name", ["happy", "signs"])
def test_same_seed_gives_identical_arrays(name):
    make, n_train, n_test = SMALL[name]
    a, b = make(7, n_train, n_test), make(7, n_train, n_test)
    for key in KEYS:
        np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize("name", ["happy", "signs"])
def test_other_seed_gives_other_pictures(name):
    make, n_train, n_test = SMALL[name]
    a, b = make(1, n_train, n_test), make(2, n_train, n_test)
    assert not np.array_equal(a["train_set_x"], b["train_set_x"])
    assert not np.array_equal(a["test_set_x"], b["test_set_x"])


def test_global_numpy_rng_is_not_used():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    make_happy(0, 10, 5)
    make_signs(0, 12, 6)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("name", ["happy", "signs"])
def test_no_test_picture_repeats_a_training_picture(request, name):
    d = request.getfixturevalue(name)
    train = {x.tobytes() for x in d["train_set_x"]}
    test = [x.tobytes() for x in d["test_set_x"]]
    assert not train.intersection(test)
    assert len(set(test)) == len(test)


@pytest.mark.parametrize("name", ["happy", "signs"])
def test_pixels_look_like_photos(request, name):
    d = request.getfixturevalue(name)
    for key in ("train_set_x", "test_set_x"):
        x = d[key]
        assert 80 < x.mean() < 200
        assert x.min() < 30 and x.max() > 220          # uses the dynamic range
        assert (x.reshape(len(x), -1).std(axis=1) > 10).all()   # no blank pictures


def test_train_and_test_come_from_one_distribution(happy, signs):
    for d in (happy, signs):
        assert abs(d["train_set_x"].mean() - d["test_set_x"].mean()) < 10
