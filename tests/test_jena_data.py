"""The Jena climate loader and its synthetic stand-in (shared/jena_data.py).

The real file is not available here, only its first 19 rows (beside the repo,
never copied into it): tests that need them skip without them. The public
stand-in (420,551 rows) is generated once per process and written once per
module; everything else uses a few days of data.
"""
import csv
import os
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from shared import jena_data as jd
from shared.data import DataFileError
from tests.conftest import real_file

REAL_ROWS = "jena_climate_2009_2016.partial-19rows.csv"
FIRST_REAL_ROW = [996.52, -8.02, 265.4, -8.9, 93.3, 3.33, 3.11, 0.22, 1.94, 3.12, 1307.75,
                  1.03, 1.75, 152.3]
NUMBER = re.compile(r"-?\d+(\.\d{1,2})?")
COL = {name: i for i, name in enumerate(jd.FEATURES)}


@pytest.fixture(autouse=True)
def no_stray_files(tmp_path, monkeypatch):
    """Empty data folder and Keras cache: only what a test puts there counts."""
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A folder where write_synthetic_jena wrote the public stand-in (about 3 s)."""
    folder = tmp_path_factory.mktemp("made")
    assert jd.write_synthetic_jena(folder) == [folder / jd.FILENAME,
                                               folder / (jd.FILENAME + ".source")]
    return folder


@pytest.fixture(scope="module")
def public():
    """The public stand-in as the course uses it: (float_data, dates)."""
    frame = jd.make_jena()
    return frame[list(jd.FEATURES)].to_numpy(), frame[jd.COLUMNS[0]].to_numpy(dtype=str)


def folder_with(folder, source):
    """``folder``, made to hold a copy of ``source`` under the real file's name."""
    folder.mkdir(parents=True)
    shutil.copy(source, folder / jd.FILENAME)
    return folder


def plain_csv(folder, edit=lambda lines: lines):
    """``folder``, made to hold one synthetic day saved by pandas, its lines passed through
    ``edit``. Without a sidecar it counts as a real file."""
    text = jd.make_jena(seed=3, days=1).to_csv(index=False, float_format="%.2f")
    folder.mkdir(parents=True)
    (folder / jd.FILENAME).write_text("\n".join(edit(text.splitlines())))
    return folder


def link_written(written, folder):
    """Make ``folder`` hold the written stand-in and its sidecar (symlinks: no 43 MB copy)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (jd.FILENAME, jd.FILENAME + ".source"):
        os.symlink(written / name, folder / name)


def csv_lines(path, count):
    with open(path, newline="") as fh:
        return [row for row, _ in zip(csv.reader(fh), range(count))]


# ---------------------------------------------------------------- format ---
def assert_jena_format(rows):
    """Header names, then rows of a dd.mm.yyyy HH:MM:SS date and 14 numbers, <= 2 decimals."""
    assert rows[0] == list(jd.COLUMNS)
    for row in rows[1:]:
        assert len(row) == 15
        assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d", row[0])
        assert all(NUMBER.fullmatch(v) for v in row[1:]), row


def test_written_file_has_the_jena_format(written):
    assert_jena_format(csv_lines(written / jd.FILENAME, 1000))


def test_real_rows_have_the_same_format_and_timestamps(written):
    real = csv_lines(real_file(REAL_ROWS), 20)
    assert_jena_format(real)
    ours = csv_lines(written / jd.FILENAME, 20)
    assert [r[0] for r in ours[1:]] == [r[0] for r in real[1:]]


def test_written_file_is_byte_compatible_with_the_original(written):
    """Quoted header, two decimals, no newline at the end: the course's own parsing works."""
    with open(written / jd.FILENAME) as f:
        data = f.read()
    lines = data.split("\n")
    header, lines = lines[0].split(","), lines[1:]
    assert header[:2] == ['"Date Time"', '"p (mbar)"'] and len(lines) == 420_551
    float_data = np.zeros((len(lines), len(header) - 1))
    for i, line in enumerate(lines):          # the book's loop, verbatim
        values = [float(x) for x in line.split(",")[1:]]
        float_data[i, :] = values
    assert np.array_equal(float_data, jd.load_jena(written, verbose=False).float_data)
    assert re.fullmatch(r"[\d.]+ [\d:]+(,-?\d+\.\d\d){14}", lines[-1])


def test_sidecar_says_synthetic_and_records_the_size(written):
    lines = (written / (jd.FILENAME + ".source")).read_text().splitlines()
    assert lines[0] == "synthetic"
    assert f"bytes={(written / jd.FILENAME).stat().st_size}" in lines


# --------------------------------------------------------------- sources ---
def test_reads_the_real_rows_and_labels_them_real(tmp_path, capsys):
    folder = folder_with(tmp_path / "given", real_file(REAL_ROWS))
    data = jd.load_jena(folder)
    assert data.source == "real" and data.path == folder / jd.FILENAME
    assert data.header == list(jd.FEATURES) and data.float_data.dtype == np.float64
    assert data.float_data.shape == (19, 14)
    assert data.float_data[0].tolist() == FIRST_REAL_ROW
    assert data.dates[0] == "01.01.2009 00:10:00" and data.dates[-1] == "01.01.2009 03:10:00"
    assert "Jena climate: real file, 19 rows" in capsys.readouterr().out


def test_written_stand_in_is_labelled_synthetic_and_equals_the_in_memory_one(
        written, public, capsys):
    data = jd.load_jena(written)
    assert data.source == "synthetic" and data.path == written / jd.FILENAME
    assert np.array_equal(data.float_data, public[0]) and np.array_equal(data.dates, public[1])
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "synthetic stand-in" in out and "written by the course helpers" in out


def test_falls_back_to_the_stand_in_in_memory(tmp_path, public, capsys):
    data = jd.load_jena(tmp_path / "empty")
    assert data.source == "synthetic" and data.path is None
    assert np.array_equal(data.float_data, public[0])
    data.float_data -= 1          # the book normalises in place: must not touch the cache
    assert np.array_equal(jd.load_jena(verbose=False).float_data, public[0])
    assert "generated in memory" in capsys.readouterr().out


def test_verbose_false_prints_nothing(tmp_path, capsys):
    jd.load_jena(plain_csv(tmp_path / "given"), verbose=False)
    assert capsys.readouterr().out == ""


def test_a_real_file_in_the_keras_cache_beats_a_synthetic_one_in_the_data_folder(
        tmp_path, written):
    link_written(written, tmp_path / "data")
    cache = plain_csv(tmp_path / "keras/datasets/jena_climate_2009_2016_extracted")
    assert jd.find_jena() == jd.Source("real", cache / jd.FILENAME)
    assert jd.load_jena(verbose=False).source == "real"


def test_a_synthetic_file_in_the_keras_cache_is_used(tmp_path, written):
    link_written(written, tmp_path / "keras" / "datasets")
    assert jd.find_jena() == jd.Source("synthetic", tmp_path / "keras/datasets" / jd.FILENAME)


def test_a_stale_sidecar_is_ignored(tmp_path, capsys):
    """The real file copied over a synthetic one keeps its old sidecar: it is still real."""
    folder = plain_csv(tmp_path / "given")
    (folder / (jd.FILENAME + ".source")).write_text("synthetic\nbytes=43220307\n")
    assert jd.load_jena(folder).source == "real"
    assert "is stale" in capsys.readouterr().out


def test_write_never_overwrites(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / jd.FILENAME).write_text("not ours")
    assert jd.write_synthetic_jena() == []
    assert (folder / jd.FILENAME).read_text() == "not ours"
    assert not (folder / (jd.FILENAME + ".source")).exists()


# --------------------------------------------------------- bad files ---
def replace_line(number, old, new):
    """An edit replacing ``old`` by ``new`` once in line ``number`` (1-based)."""
    def edit(lines):
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
        return lines
    return edit


def set_field(number, index, value):
    """An edit setting field ``index`` of line ``number`` to ``value``."""
    def edit(lines):
        fields = lines[number - 1].split(",")
        fields[index] = value
        lines[number - 1] = ",".join(fields)
        return lines
    return edit


def test_a_pandas_saved_file_reads_back(tmp_path):
    data = jd.load_jena(plain_csv(tmp_path / "given"), verbose=False)
    assert data.source == "real" and np.array_equal(
        data.float_data, jd.make_jena(seed=3, days=1)[list(jd.FEATURES)].to_numpy())


@pytest.mark.parametrize("edit, problem", [
    (replace_line(1, "T (degC)", "Temp"), r"line 1: expected the header"),
    (replace_line(5, ",", ",abc,"), r"line 5: expected 15 comma-separated fields, found 16"),
    (lambda lines: [*lines[:6], lines[6].rsplit(",", 1)[0], *lines[7:]],
     r"line 7: expected 15 comma-separated fields, found 14"),
    (set_field(10, 3, "x7"), r"line 10: Tpot \(K\) 'x7' is not a number"),
    (set_field(11, 1, ""), r"line 11: p \(mbar\) '' is not a number"),
    (replace_line(12, ".2009", "-2009"), r"line 12: Date Time .* is not a dd.mm.yyyy"),
    (lambda lines: lines[:1], r"no data rows"),
])
def test_a_malformed_file_raises_naming_file_line_and_problem(tmp_path, edit, problem):
    folder = plain_csv(tmp_path / "bad", edit)
    with pytest.raises(DataFileError, match=re.escape(str(folder / jd.FILENAME)) + ".*" + problem):
        jd.load_jena(folder, verbose=False)


# ------------------------------------------------------------ synthetic ---
def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (jd.make_jena(seed, days=3) for seed in (5, 5, 6))
    assert list(a.columns) == list(jd.COLUMNS) and len(a) == 3 * jd.ROWS_PER_DAY
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a[list(jd.FEATURES)], c[list(jd.FEATURES)])
    assert a[jd.COLUMNS[0]].tolist() == c[jd.COLUMNS[0]].tolist()


def test_timestamps_step_ten_minutes():
    few = pd.to_datetime(jd.make_jena(seed=1, days=2)[jd.COLUMNS[0]], format=jd.DATE_FORMAT)
    assert few.iloc[0] == pd.Timestamp("2009-01-01 00:10") and (few.diff()[1:] == "10min").all()


def test_default_has_the_real_files_rows_and_one_outage(public):
    times = pd.to_datetime(public[1], format=jd.DATE_FORMAT)
    assert len(times) == 420_551
    assert (public[1][0], public[1][-1]) == ("01.01.2009 00:10:00", "01.01.2017 00:00:00")
    steps = np.diff(times.to_numpy()) // np.timedelta64(10, "m")
    gaps = np.flatnonzero(steps != 1)
    assert len(gaps) == 1 and steps[gaps[0]] == 218 and gaps[0] > jd.VAL_ROWS[1]


def test_columns_are_physically_coherent(public):
    x = public[0]
    t, p, rh = x[:, COL["T (degC)"]], x[:, COL["p (mbar)"]], x[:, COL["rh (%)"]]
    vp_max, vp_act = x[:, COL["VPmax (mbar)"]], x[:, COL["VPact (mbar)"]]
    wv, max_wv, wd = x[:, COL["wv (m/s)"]], x[:, COL["max. wv (m/s)"]], x[:, COL["wd (deg)"]]
    assert (x[:, COL["Tdew (degC)"]] <= t).all() and (vp_act <= vp_max).all()
    assert (0 <= wv).all() and (wv <= max_wv).all() and ((0 <= wd) & (wd < 360)).all()
    assert ((0 <= rh) & (rh <= 100)).all()
    expected = {"Tpot (K)": (jd.potential_temperature(t, p), 0.006),
                "rho (g/m**3)": (jd.air_density(t, p, vp_act), 0.01),
                "VPmax (mbar)": (jd.saturation_vapour_pressure(t), 0.006),
                "VPact (mbar)": (vp_max * rh / 100, 0.01),
                "VPdef (mbar)": (vp_max - vp_act, 0.011),
                "Tdew (degC)": (jd.dew_point(vp_act), 0.06),
                "sh (g/kg)": (622 * vp_act / (p - 0.378 * vp_act), 0.011),  # + VPact's rounding
                "H2OC (mmol/mol)": (1000 * vp_act / p, 0.011)}
    for name, (value, tolerance) in expected.items():
        assert np.abs(x[:, COL[name]] - value).max() <= tolerance, name


def test_the_formulas_reproduce_the_real_rows():
    """The derived columns of the synthetic data follow the real file's arithmetic."""
    x = dict(zip(jd.FEATURES, jd.read_jena_csv(real_file(REAL_ROWS))[1].T))
    t, p, vp_act = x["T (degC)"], x["p (mbar)"], x["VPact (mbar)"]
    assert np.abs(jd.potential_temperature(t, p) - x["Tpot (K)"]).max() <= 0.006
    assert np.abs(jd.air_density(t, p, vp_act) - x["rho (g/m**3)"]).max() <= 0.02
    assert np.abs(jd.saturation_vapour_pressure(t) - x["VPmax (mbar)"]).max() <= 0.006
    assert np.abs(jd.dew_point(vp_act) - x["Tdew (degC)"]).max() <= 0.03


def test_looks_like_the_jena_climate(public):
    x, dates = public
    t = x[:, jd.TEMPERATURE]
    month = pd.Series(t).groupby(np.strings.slice(dates, 3, 5)).mean()
    hour = pd.Series(t).groupby(np.strings.slice(dates, 11, 13)).mean()
    assert 8.5 < t.mean() < 10.5 and 7.5 < t.std() < 9.5
    assert month.idxmin() in ("12", "01", "02") and month.idxmax() in ("07", "08")
    assert "12" <= hour.idxmax() <= "16" and "02" <= hour.idxmin() <= "07"
    assert 985 < x[:, 0].mean() < 993 and 6 < x[:, 0].std() < 11
    assert 65 < x[:, COL["rh (%)"]].mean() < 85 and 1.5 < x[:, COL["wv (m/s)"]].mean() < 2.5
    corr = np.corrcoef(x.T)
    assert corr[1, COL["rh (%)"]] < -0.3 and corr[1, COL["rho (g/m**3)"]] < -0.9


# ------------------------------------------------------ course's helpers ---
def test_normalise_fits_on_the_training_rows_only():
    rng = np.random.default_rng(0)
    data = rng.normal(5, 2, size=(300, 14))
    data[200:] += 1000                         # the "future" must not leak in
    normalised, mean, std = jd.normalise(data, train_rows=200)
    assert np.allclose(mean, data[:200].mean(axis=0))
    assert np.allclose(std, data[:200].std(axis=0))
    assert np.allclose(normalised[:200].mean(axis=0), 0)
    assert np.allclose(normalised[:200].std(axis=0), 1)
    assert not np.shares_memory(normalised, data)
    with pytest.raises(ValueError, match="train_rows"):
        jd.normalise(data)


def test_naive_mae_is_the_books_baseline():
    """Same numbers as the book's loop: predict samples[:, -1, 1], target data[row + delay][1]."""
    data = jd.normalise(jd.make_jena(seed=2, days=20)[list(jd.FEATURES)].to_numpy(), 1000)[0]
    lookback, step, delay, min_index, max_index = 144, 6, 24, 1000, 2500
    errors = []
    for row in range(min_index + lookback, max_index):
        samples = data[range(row - lookback, row, step)]
        errors.append(abs(samples[-1, 1] - data[row + delay][1]))
    assert jd.naive_mae(data, lookback, delay, min_index, max_index, step) == pytest.approx(
        np.mean(errors), rel=1e-12)
    with pytest.raises(ValueError, match="no rows to evaluate"):
        jd.naive_mae(data)


def linear_mae(normalised, dates):
    """Validation MAE of least squares on the last 6 hours of all features + time of day."""
    hour = 2 * np.pi * np.strings.slice(dates, 11, 13).astype(int) / 24

    def features(rows):
        lags = [normalised[rows - k] for k in range(6, 37, 6)]
        return np.column_stack(lags + [np.sin(hour[rows]), np.cos(hour[rows]), np.ones(len(rows))])

    train = np.arange(1440, jd.TRAIN_ROWS - 144, 3)
    val = np.arange(jd.VAL_ROWS[0] + 1440, jd.VAL_ROWS[1])
    w = np.linalg.lstsq(features(train), normalised[train + 144, 1], rcond=None)[0]
    return np.mean(np.abs(features(val) @ w - normalised[val + 144, 1]))


def test_naive_baseline_is_near_the_books_and_a_linear_model_beats_it(public):
    normalised, mean, std = jd.normalise(public[0])
    naive = jd.naive_mae(normalised)
    assert 0.25 < naive < 0.33                   # the book: 0.29
    assert 2.0 < jd.celsius(naive, std) < 3.0    # the book: 2.57 degC
    assert linear_mae(normalised, public[1]) < 0.95 * naive
