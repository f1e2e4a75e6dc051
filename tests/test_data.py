"""Loaders: the course's h5 format round trip, real files, synthetic fallback, bad files."""
import h5py
import numpy as np
import pytest

from shared import data
from shared.data import DataFileError, load_image_set, read_split, write_split_files
from tests.conftest import real_file


def tiny_arrays(n_train=4, n_test=2, seed=0):
    rng = np.random.default_rng(seed)
    return {"train_set_x": rng.integers(0, 256, (n_train, 64, 64, 3), dtype=np.uint8),
            "train_set_y": rng.integers(0, 2, n_train).astype(np.int64),
            "test_set_x": rng.integers(0, 256, (n_test, 64, 64, 3), dtype=np.uint8),
            "test_set_y": rng.integers(0, 2, n_test).astype(np.int64),
            "list_classes": np.array([0, 1], dtype=np.int64)}


def test_round_trip_through_course_format(tmp_path):
    arrays = tiny_arrays()
    write_split_files(arrays, tmp_path, "happy", source="synthetic")
    with h5py.File(tmp_path / "train_happy.h5") as f:
        assert set(f.keys()) == {"train_set_x", "train_set_y", "list_classes"}
        assert f["train_set_x"].dtype == np.uint8
    loaded = load_image_set("happy", tmp_path, verbose=False)
    np.testing.assert_array_equal(loaded.x_train, arrays["train_set_x"])
    np.testing.assert_array_equal(loaded.y_test, arrays["test_set_y"])
    assert loaded.source == "synthetic"


def test_files_without_source_attribute_count_as_real(tmp_path):
    arrays = tiny_arrays()
    for split in ("train", "test"):
        with h5py.File(tmp_path / f"{split}_happy.h5", "w") as f:
            for key in (f"{split}_set_x", f"{split}_set_y", "list_classes"):
                f[key] = arrays[key]
    assert load_image_set("happy", tmp_path, verbose=False).source == "real"


def test_reads_the_real_happy_test_split():
    x, y, classes, source = read_split(real_file("test_happy.h5"), "test")
    assert x.shape == (150, 64, 64, 3) and x.dtype == np.uint8
    assert source == "real" and list(classes) == [0, 1]
    assert np.bincount(y).tolist() == [66, 84]


def test_reads_the_real_signs_test_split():
    x, y, classes, source = read_split(real_file("test_signs.h5"), "test")
    assert x.shape == (120, 64, 64, 3)
    assert np.bincount(y).tolist() == [20] * 6 and list(classes) == list(range(6))


def test_missing_files_fall_back_to_synthetic_and_say_so(tmp_path, capsys):
    loaded = load_image_set("signs", tmp_path)
    out = capsys.readouterr().out
    assert "not found" in out and "synthetic" in out
    assert loaded.source == "synthetic"
    assert loaded.x_train.shape == (1080, 64, 64, 3) and loaded.x_test.shape == (120, 64, 64, 3)


def test_a_lone_real_split_is_not_mixed_with_synthetic(tmp_path, capsys):
    (tmp_path / "test_happy.h5").write_bytes(real_file("test_happy.h5").read_bytes())
    loaded = load_image_set("happy", tmp_path)
    assert "test_happy.h5 alone is not enough" in capsys.readouterr().out
    assert loaded.source == "synthetic"
    data.write_synthetic(tmp_path, names=("happy",))
    assert not (tmp_path / "train_happy.h5").exists()


def test_make_data_writes_missing_files_and_never_overwrites(tmp_path):
    written = data.write_synthetic(tmp_path)
    assert sorted(p.name for p in written) == [
        "test_happy.h5", "test_signs.h5", "train_happy.h5", "train_signs.h5"]
    stamp = (tmp_path / "train_happy.h5").stat().st_mtime_ns
    assert data.write_synthetic(tmp_path) == []
    assert (tmp_path / "train_happy.h5").stat().st_mtime_ns == stamp
    loaded = load_image_set("happy", tmp_path, verbose=False)
    fresh = data.IMAGE_SETS["happy"].make(data.IMAGE_SETS["happy"].public_seed)
    np.testing.assert_array_equal(loaded.x_train, fresh["train_set_x"])


def test_corrupt_file_names_the_file(tmp_path):
    bad = tmp_path / "train_happy.h5"
    bad.write_text("not hdf5")
    (tmp_path / "test_happy.h5").write_text("not hdf5")
    with pytest.raises(DataFileError, match="train_happy.h5: not a readable HDF5 file"):
        load_image_set("happy", tmp_path, verbose=False)


def test_missing_key_names_the_key(tmp_path):
    with h5py.File(tmp_path / "train_happy.h5", "w") as f:
        f["train_set_x"] = np.zeros((2, 64, 64, 3), np.uint8)
    (tmp_path / "test_happy.h5").write_bytes(b"")
    with pytest.raises(DataFileError, match=r"missing dataset\(s\) \['train_set_y', 'list_classes'\]"):
        load_image_set("happy", tmp_path, verbose=False)


def test_data_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert data.data_dir() == tmp_path


# --- what a student reads: the notebook's language, and instructions that work where it runs ---

@pytest.fixture
def chinese():
    from shared import i18n
    i18n.set_language("zh")
    yield
    i18n.set_language(None)


def test_a_chinese_notebook_hears_the_loader_in_chinese_with_plain_classes(tmp_path, capsys, chinese):
    load_image_set("signs", tmp_path)
    out = capsys.readouterr().out
    assert "没有找到 train_signs.h5/test_signs.h5" in out and "make data" in out  # in the kit
    assert "SIGNS：合成数据，训练图片 1080 张、测试图片 120 张" in out
    assert "类别 0, 1, 2, 3, 4, 5" in out and "np.int64" not in out and "synthetic" not in out
    assert data.plain(np.array([b"happy", b"sad"])) == "happy, sad"


def test_outside_the_kit_the_hint_is_a_line_of_python_that_exists(monkeypatch):
    assert "`make data`" in data.write_hint()  # a checkout of the kit has the make target
    monkeypatch.setattr(data, "DEFAULT_DATA_DIR", None)  # a bundle, Colab, a JupyterHub
    hint = data.write_hint()
    assert "make data" not in hint
    code = hint.split("`")[1]
    compile(code, "<hint>", "exec")
    assert code == "import shared.data; shared.data.write_all_synthetic()"
    error = data.bad_file("x.h5", "broken", "x.h5")
    assert isinstance(error, DataFileError) and code in str(error)


def test_python_m_shared_data_runs_in_a_bundle_folder_from_the_installed_wheel(tmp_path):
    """The bundle README's promise: after `pip install -r requirements.txt` (which installs the
    helpers' wheel beside it), `python -m shared.data` in the bundle's folder writes data/."""
    import os
    import subprocess
    import sys

    from autograder.build import release, wheel
    built = wheel.build(tmp_path)
    requirements = release.student_requirements(built.name)
    assert f"./{built.name}" in requirements.splitlines()
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(tmp_path / "site"), str(built)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_DATA_DIR", "PYTHONPATH")}
    said = subprocess.run([sys.executable, "-m", "shared.data"], cwd=tmp_path, text=True,
                          env={**env, "PYTHONPATH": str(tmp_path / "site"), "KIT_LANG": "zh"},
                          capture_output=True, check=True).stdout
    assert str(tmp_path / "site") in subprocess.run(
        [sys.executable, "-c", "import shared; print(shared.__file__)"], cwd=tmp_path, text=True,
        env={**env, "PYTHONPATH": str(tmp_path / "site")}, capture_output=True).stdout
    for name in ("train_happy.h5", "imdb.npz", "reuters_word_index.json",
                 "jena_climate_2009_2016.csv"):
        assert (tmp_path / "data" / name).is_file(), name
        assert f"已写入 {tmp_path / 'data' / name}（合成数据）" in said
