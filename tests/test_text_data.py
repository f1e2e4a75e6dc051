"""Text loaders: Keras-identical processing, sizes, sources, bad files, synthetic corpora."""
import datetime
import itertools
import json

import numpy as np
import pytest

from shared import text_data as td
from shared.data import DataFileError
from tests.conftest import REAL_DATA, real_file


def decode(sequence, word_index, index_from=3, unknown="?"):
    """The course's decoding (students write it as decode_review; not shipped in shared/)."""
    words = {rank + index_from: word for word, rank in word_index.items()}
    return " ".join(words.get(i, unknown) for i in sequence)


@pytest.fixture(scope="module", autouse=True)
def isolated_module(tmp_path_factory):
    """Module fixtures don't see the user's data folder or Keras cache either."""
    empty = tmp_path_factory.mktemp("nothing")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_DATA_DIR", str(empty / "data"))
        mp.setenv("KERAS_HOME", str(empty / "keras_home"))
        yield


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test sees the user's data folder or Keras cache."""
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path


@pytest.fixture
def small_public(monkeypatch):
    """Make the public stand-ins small so that writing and reading them is quick."""
    monkeypatch.setitem(td.SIZES, "imdb", (300, 200))
    monkeypatch.setitem(td.SIZES, "reuters", (500,))


@pytest.fixture(scope="module")
def imdb_public():
    return td.load_imdb(verbose=False)


@pytest.fixture(scope="module")
def reuters_public():
    return td.load_reuters(verbose=False)


@pytest.fixture(scope="module")
def raw_public():
    """The raw public stand-ins as the generator makes them (flat form)."""
    return {d: td._generated(d, td.PUBLIC_SEEDS[d], td.SIZES[d]) for d in td.DATASETS}


def write_real(path, arrays):
    """An npz as Keras ships it: no ``__source__`` key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return path


def assert_same(ours, theirs):
    """Two load_data results are identical: shapes, dtypes, element types and values."""
    for (xo, yo), (xk, yk) in zip(ours, theirs):
        assert xo.dtype == xk.dtype == object and xo.shape == xk.shape
        assert [type(s) for s in xo[:3]] == [type(s) for s in xk[:3]]
        assert list(xo) == list(xk)
        assert yo.dtype == yk.dtype
        np.testing.assert_array_equal(yo, yk)


# ------------------------------------------------------------ Keras parity ---
OPTIONS = [
    {},
    {"num_words": 1000},
    {"num_words": 600, "skip_top": 20},
    {"maxlen": 150},
    {"maxlen": 200, "num_words": 800, "oov_char": None},
    {"oov_char": None, "skip_top": 10},
    {"start_char": None},
    {"start_char": None, "index_from": 0},
    {"index_from": 5, "start_char": 4, "oov_char": 3, "num_words": 700},
    {"seed": 7, "num_words": 0},
]


@pytest.mark.parametrize("dataset", ["imdb", "reuters"])
def test_processing_matches_keras_load_data(dataset, tmp_path, monkeypatch):
    """Keras's own load_data, pointed at a small npz, gives exactly our arrays."""
    keras_module = pytest.importorskip(f"keras.src.datasets.{dataset}")
    folder = tmp_path / "files"
    folder.mkdir()
    raw = td.make_imdb(5, 300, 200) if dataset == "imdb" else td.make_reuters(5, 500)
    path = folder / f"{dataset}.npz"
    td.write_npz(path, raw)
    monkeypatch.setattr(keras_module, "get_file", lambda *a, **k: str(path))
    ours = td.load_imdb if dataset == "imdb" else td.load_reuters
    options = OPTIONS + ([{"test_split": 0.3, "num_words": 900}] if dataset == "reuters" else [])
    for opts in options:
        assert_same(ours(folder=folder, verbose=False, **opts),
                             keras_module.load_data(**opts))


def test_too_small_maxlen_is_an_error_as_in_keras(tmp_path):
    td.write_npz(tmp_path / "imdb.npz", td.make_imdb(1, 20, 20))
    with pytest.raises(ValueError, match="maxlen"):
        td.load_imdb(maxlen=5, folder=tmp_path, verbose=False)


# ------------------------------------------------------------ sizes, shape ---
def test_imdb_has_the_course_sizes_balanced(imdb_public):
    (x_train, y_train), (x_test, y_test) = imdb_public
    assert x_train.shape == (25_000,) and x_test.shape == (25_000,)
    assert np.bincount(y_train).tolist() == [12_500, 12_500]
    assert np.bincount(y_test).tolist() == [12_500, 12_500]
    assert y_train.dtype == np.int64 and x_train[0][0] == 1  # start mark


def test_reuters_has_the_course_split_and_46_topics(reuters_public):
    (x_train, y_train), (x_test, y_test) = reuters_public
    assert len(x_train) == len(y_train) == 8_982 and len(x_test) == len(y_test) == 2_246
    assert set(np.concatenate([y_train, y_test]).tolist()) == set(range(46))
    assert np.bincount(y_train, minlength=46).argmax() == 3  # 'earn'


def test_reuters_random_baseline_is_like_the_course(reuters_public):
    """Guessing with a shuffled copy of the test labels is right ~18-19% of the time."""
    _, (_, y_test) = reuters_public
    rng = np.random.default_rng(0)
    hits = [np.mean(rng.permutation(y_test) == y_test) for _ in range(50)]
    assert 0.17 < np.mean(hits) < 0.20


def test_num_words_bounds_the_indices(imdb_public):
    (x_train, _), _ = td.load_imdb(num_words=10_000, verbose=False)
    assert max(max(s) for s in x_train) == 9_999
    assert len(x_train) == len(imdb_public[0][0])


def test_document_lengths_look_like_the_real_corpora(raw_public):
    imdb = np.concatenate([raw_public["imdb"]["x_train"].lengths,
                           raw_public["imdb"]["x_test"].lengths])
    assert 165 <= np.median(imdb) <= 190 and imdb.min() >= 10 and 2000 <= imdb.max() <= 2500
    reuters = raw_public["reuters"]["x"].lengths
    assert 85 <= np.median(reuters) <= 100 and 130 <= reuters.mean() <= 160


@pytest.mark.parametrize("dataset", td.DATASETS)
def test_word_index_ranks_are_1_to_n_and_frequent_first(dataset, raw_public):
    index = td.make_word_index(dataset)
    n = td.IMDB_VOCAB if dataset == "imdb" else td.REUTERS_VOCAB
    assert len(index) == n and sorted(index.values()) == list(range(1, n + 1))
    assert all(w.isascii() and w and not w.startswith("_") for w in index)
    raw = raw_public[dataset]
    flat = np.concatenate([v.flat for v in raw.values() if isinstance(v, td.Ragged)])
    counts = np.bincount(flat, minlength=n + 1)[1:]
    assert counts.max() == counts[0] and flat.min() >= 1 and flat.max() <= n
    edges = np.unique(np.geomspace(1, n, 25).astype(int))  # frequency falls with rank
    per_rank = [counts[lo - 1:hi - 1].mean() for lo, hi in zip(edges[:-1], edges[1:])]
    assert (np.diff(per_rank) < 0).all()


def test_imdb_word_index_starts_like_the_real_one():
    index = td.make_word_index("imdb")
    by_rank = sorted(index, key=index.get)
    assert by_rank[:10] == ["the", "and", "a", "of", "to", "is", "br", "in", "it", "i"]
    for word in ("great", "excellent", "worst", "boring", "awful", "wonderful"):
        assert index[word] < 10_000


def test_reuters_topic_words_are_in_the_index():
    index = td.make_word_index("reuters")
    for word in ("shares", "dividend", "oil", "wheat", "coffee", "gold"):
        assert index[word] < 10_000
    assert index["the"] == 1


# ------------------------------------------------------------ determinism ---
def test_same_seed_same_data_other_seed_other_data():
    a, b, c = td.make_imdb(3, 50, 40), td.make_imdb(3, 50, 40), td.make_imdb(4, 50, 40)
    assert all(list(a[k]) == list(b[k]) for k in a)
    assert list(a["x_train"]) != list(c["x_train"])
    r1, r2, r3 = td.make_reuters(3, 200), td.make_reuters(3, 200), td.make_reuters(9, 200)
    assert list(r1["x"]) == list(r2["x"]) and list(r1["x"]) != list(r3["x"])


def test_word_index_seed_changes_only_pseudo_words():
    a, b = td.make_word_index("imdb", 1), td.make_word_index("imdb", 2)
    assert a == td.make_word_index("imdb", 1) and a != b
    for word in ("the", "great", "worst", "movie"):
        assert a[word] == b[word]


def test_small_sets_keep_balance_and_topic_shares():
    imdb = td.make_imdb(77, n_train=2000, n_test=1000)
    assert np.bincount(imdb["y_train"]).tolist() == [1000, 1000]
    assert np.bincount(imdb["y_test"]).tolist() == [500, 500]
    assert np.abs(np.diff(np.bincount(td.make_imdb(1, 11, 7)["y_test"]))).item() == 1
    reuters = td.make_reuters(77, n=3000)
    shares = np.bincount(reuters["y"], minlength=46) / 3000
    real = np.array(td.REUTERS_TOPIC_COUNTS) / sum(td.REUTERS_TOPIC_COUNTS)
    assert np.abs(shares - real).max() < 1 / 3000 + 1e-12
    assert (shares > 0).all()


def test_raw_layout_matches_the_keras_files():
    raw = td.make_imdb(2, 30, 20)
    assert set(raw) == {"x_train", "y_train", "x_test", "y_test"}
    x = raw["x_train"]
    assert x.dtype == object and x.ndim == 1 and type(x[0]) is list and type(x[0][0]) is int
    assert raw["y_train"].dtype == np.int64
    assert set(td.make_reuters(2, 30)) == {"x", "y"}


# ---------------------------------------------------------------- sources ---
def test_missing_files_mean_in_memory_synthetic(tmp_path, capsys, small_public):
    (x_train, _), _ = td.load_imdb(folder=tmp_path)
    assert "IMDB: synthetic stand-in (generated in memory" in capsys.readouterr().out
    assert len(x_train) == 300
    assert td.imdb_source(tmp_path) == td.reuters_source(tmp_path) == "synthetic"
    td.load_reuters(folder=tmp_path, verbose=False)
    assert capsys.readouterr().out == ""


def test_written_stand_ins_are_recognised_and_equal_the_in_memory_ones(
        tmp_path, capsys, small_public):
    folder = tmp_path / "data"
    written = td.write_synthetic_text()
    assert sorted(p.name for p in written) == sorted(
        ["imdb.npz", "reuters.npz", "imdb_word_index.json", "reuters_word_index.json"])
    assert not list(folder.glob("*.tmp"))
    assert td.imdb_source() == "synthetic"
    from_disk = td.load_reuters(num_words=300)
    assert "synthetic stand-in (" in capsys.readouterr().out
    assert "written by the course helpers" in td.find_source("reuters.npz").describe("Reuters")
    in_memory = td.load_reuters(num_words=300, folder=tmp_path / "empty", verbose=False)
    assert_same(from_disk, in_memory)
    assert td.get_word_index("imdb", verbose=False) == td.make_word_index("imdb")
    assert json.loads((folder / "imdb_word_index.json").read_text())[td.JSON_TAG_KEY] == 0


def test_real_file_wins_over_synthetic(tmp_path, capsys, small_public):
    td.write_synthetic_text()  # synthetic files in the data folder
    real = write_real(td.keras_cache_dir() / "imdb.npz", td.make_imdb(11, 40, 30))
    assert td.imdb_source() == "real" and td.reuters_source() == "synthetic"
    (x_train, _), _ = td.load_imdb()
    assert f"IMDB: real Keras file {td.show_path(real)}" in capsys.readouterr().out
    assert len(x_train) == 40
    folder = tmp_path / "mine"
    write_real(folder / "imdb.npz", td.make_imdb(12, 25, 5))
    assert len(td.load_imdb(folder=folder, verbose=False)[0][0]) == 25


def test_write_synthetic_text_never_overwrites(tmp_path, small_public):
    folder = tmp_path / "data"
    real = write_real(folder / "imdb.npz", td.make_imdb(11, 10, 10))
    before = real.read_bytes()
    (folder / "reuters_word_index.json").write_text(json.dumps({"the": 1}))
    written = td.write_synthetic_text(folder)
    assert sorted(p.name for p in written) == ["imdb_word_index.json", "reuters.npz"]
    assert real.read_bytes() == before
    assert td.write_synthetic_text(folder) == []
    assert td.get_word_index("reuters", folder=folder, verbose=False) == {"the": 1}


# --------------------------------------------------------------- bad files ---
def test_corrupt_npz_raises_naming_the_file(tmp_path):
    path = tmp_path / "imdb.npz"
    path.write_bytes(b"this is not a zip archive")
    with pytest.raises(DataFileError, match="imdb.npz.*not a readable"):
        td.load_imdb(folder=tmp_path, verbose=False)


def test_missing_key_raises_naming_the_key(tmp_path):
    write_real(tmp_path / "reuters.npz", {"x": td.make_reuters(1, 10)["x"]})
    with pytest.raises(DataFileError, match=r"reuters.npz.*missing.*'y'"):
        td.load_reuters(folder=tmp_path, verbose=False)


@pytest.mark.parametrize("bad", ["float_labels", "padded_matrix", "float_words", "length"])
def test_wrong_layout_raises(tmp_path, bad):
    raw = td.make_reuters(1, 10)
    if bad == "float_labels":
        raw["y"] = raw["y"].astype(float)
    elif bad == "padded_matrix":
        raw["x"] = np.zeros((10, 5), dtype=np.int64)
    elif bad == "float_words":
        raw["x"][0] = [1.5, 2.0]
    else:
        raw["y"] = raw["y"][:-1]
    write_real(tmp_path / "reuters.npz", raw)
    with pytest.raises(DataFileError, match="reuters.npz"):
        td.load_reuters(folder=tmp_path, verbose=False)


def test_pickled_objects_other_than_arrays_are_refused(tmp_path):
    x = np.empty(2, dtype=object)
    x[0], x[1] = [1, 2], datetime.date(2020, 1, 1)
    write_real(tmp_path / "reuters.npz", {"x": x, "y": np.array([0, 1])})
    with pytest.raises(DataFileError, match="refusing to unpickle datetime"):
        td.load_reuters(folder=tmp_path, verbose=False)


def test_bad_word_index_raises(tmp_path):
    (tmp_path / "imdb_word_index.json").write_text("{not json")
    with pytest.raises(DataFileError, match="imdb_word_index.json"):
        td.get_word_index("imdb", folder=tmp_path, verbose=False)
    (tmp_path / "imdb_word_index.json").write_text(json.dumps({"the": "one"}))
    with pytest.raises(DataFileError, match="integer rank"):
        td.get_word_index("imdb", folder=tmp_path, verbose=False)


# ---------------------------------------------------------------- decoding ---
def test_real_word_index_is_read_and_decodes(capsys):
    real_file("imdb_word_index.json")
    index = td.get_word_index("imdb", folder=REAL_DATA)
    assert "IMDB word index: real Keras file" in capsys.readouterr().out
    assert len(index) == 88_584 and index["the"] == 1 and index["br"] == 7
    assert td.find_source("imdb_word_index.json", REAL_DATA).kind == "real"
    sentence = "this movie was a wonderful surprise".split()
    encoded = [1] + [index[w] + 3 for w in sentence]
    assert decode(encoded, index) == "? " + " ".join(sentence)


def test_synthetic_reviews_decode_to_real_looking_words(imdb_public):
    index = td.make_word_index("imdb")
    (x_train, _), _ = imdb_public
    text = decode(x_train[0], index).split()
    assert text[0] == "?" and all(w.isalpha() or w == "?" or "'" in w for w in text)
    real_words = set(td._IMDB_COMMON + td._IMDB_POSITIVE + td._IMDB_NEGATIVE)
    tokens = list(itertools.chain.from_iterable(decode(s, index).split() for s in x_train[:200]))
    assert np.mean([w in real_words for w in tokens]) > 0.5


# ------------------------------------------------------------------ signal ---
def count_named(sequences, words, index, index_from=3):
    """How many of ``words`` each sequence contains (multi-hot, as the course's vectors)."""
    ranks = np.array([index[w] + index_from for w in words if w in index])
    return np.array([np.isin(np.unique(s), ranks).sum() for s in sequences])


def test_imdb_sentiment_words_separate_the_labels():
    """Counting positive minus negative words already sorts most reviews (no training)."""
    raw = td.make_imdb(31, n_train=2000, n_test=10)
    x, y, _ = td.process([(raw["x_train"], raw["y_train"])], num_words=10_000)
    index = td.make_word_index("imdb")
    score = (count_named(x, td._IMDB_POSITIVE, index)
             - count_named(x, td._IMDB_NEGATIVE, index))
    assert score[y == 1].mean() - score[y == 0].mean() > score.std()
    assert np.mean((score > 0) == (y == 1)) > 0.7


def test_reuters_topic_words_point_to_their_topic():
    raw = td.make_reuters(32, n=3000)
    x, y, _ = td.process([(raw["x"], raw["y"])], num_words=10_000)
    index = td.make_word_index("reuters")
    for topic in ("earn", "acq", "crude", "money-fx", "grain"):
        t = td.REUTERS_TOPICS.index(topic)
        hits = count_named(x, td._REUTERS_TOPIC_NAMED[topic].split(), index)
        assert hits[y == t].mean() > 2 * hits[y != t].mean(), topic
