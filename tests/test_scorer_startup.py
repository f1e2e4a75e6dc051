"""A warm scorer's start-up (issue 25): the hidden data the first scorer of a run draws is
shared with the run's later scorers through the staged bundle, and what they make of it is
byte for byte what drawing gives."""
import contextlib
import ctypes
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from autograder import assignments
from autograder.build import bundle
from autograder.engine import kit_codec
from autograder.engine.warm import DRAWN, WarmScorer, share_drawn

ARRAYS = ("x_train", "y_train", "x_test", "y_test")


@pytest.fixture
def gradelib(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(kit_codec.__file__).parent))  # as staged
    import gradelib
    gradelib.hidden_training_data.cache_clear()
    yield gradelib
    gradelib.hidden_training_data.cache_clear()


def _same(first, second):
    """Two TrainingData alike in every byte, dtype, shape and layout; both read-only."""
    for name in ARRAYS:
        a, b = getattr(first, name), getattr(second, name)
        assert type(a) is type(b) is np.ndarray
        assert (a.dtype, a.shape, a.strides) == (b.dtype, b.shape, b.strides)
        assert a.tobytes() == b.tobytes()
        assert not a.flags.writeable and not b.flags.writeable  # no test alters the next's data
    assert (first.source, first.what) == (second.source, second.what)


def _as_drawn_before(gradelib, dataset, folder) -> tuple:
    """The four arrays as gradelib made them before the drawn data was shared."""
    settings = gradelib.config(folder)["training"][dataset]
    one_hot = settings["labels"] == "one_hot"
    if settings["data"] == "image":
        data = gradelib.hidden_image_set(dataset, folder)
        n = len(data.classes)
        return (data.x_train / 255.0, gradelib._labels(data.y_train, n, one_hot),
                data.x_test / 255.0, gradelib._labels(data.y_test, n, one_hot))
    x_train, y_train, x_test, y_test = gradelib.hidden_text_set(dataset, folder)
    n = settings.get("classes", 2)
    return (x_train, gradelib._labels(y_train, n, one_hot), x_test,
            gradelib._labels(y_test, n, one_hot))


@pytest.mark.parametrize("name, dataset", [("getting_started", "imdb"),
                                           ("getting_started", "reuters"),
                                           ("convnets", "happy"), ("convnets", "signs")])
def test_hidden_data_made_from_the_drawn_file_is_the_data_drawn(gradelib, tmp_path, monkeypatch,
                                                                 name, dataset):
    bundle.stage(assignments.get(name), tmp_path)
    monkeypatch.setenv(gradelib.DRAWN_ENV, str(tmp_path / gradelib.DRAWN_DIR))
    fresh = gradelib.hidden_training_data(dataset, tmp_path)  # drawn, and written
    monkeypatch.delenv(gradelib.DRAWN_ENV)
    assert (tmp_path / gradelib.DRAWN_DIR / f"{dataset}.npz").is_file()
    for array, before in zip(ARRAYS, _as_drawn_before(gradelib, dataset, tmp_path)):
        assert getattr(fresh, array).dtype == before.dtype
        assert getattr(fresh, array).tobytes() == before.tobytes()

    gradelib.hidden_training_data.cache_clear()
    drawing = []
    monkeypatch.setattr(gradelib, "_draw", lambda *args: drawing.append(args))
    _same(gradelib.hidden_training_data(dataset, tmp_path), fresh)
    assert not drawing  # read, not drawn again


def test_a_drawn_file_that_is_not_whole_is_not_used(gradelib, tmp_path, monkeypatch):
    """A file cut short, of the wrong kind, or missing an array is drawn again."""
    bundle.stage(assignments.get("tuning"), tmp_path)
    monkeypatch.setenv(gradelib.DRAWN_ENV, str(tmp_path / gradelib.DRAWN_DIR))
    fresh = gradelib.hidden_training_data("imdb", tmp_path)
    monkeypatch.delenv(gradelib.DRAWN_ENV)
    saved = tmp_path / gradelib.DRAWN_DIR / "imdb.npz"
    whole = saved.read_bytes()
    saved.write_bytes(whole[:len(whole) // 2])
    assert gradelib.drawn("imdb", tmp_path) is None
    np.savez(saved, tokens=np.arange(3), lengths=np.array([3]))  # no labels
    assert gradelib.drawn("imdb", tmp_path) is None
    gradelib.hidden_training_data.cache_clear()
    _same(gradelib.hidden_training_data("imdb", tmp_path), fresh)


def test_sharing_copies_only_the_regular_files_the_kit_writes(tmp_path):
    source, staged = tmp_path / "outbox" / DRAWN, tmp_path / "staged"
    source.mkdir(parents=True)
    staged.mkdir()
    np.savez(source / "happy.npz", x_train=np.arange(6.0))
    (source / "evil.py").write_text("print('no')")
    assert share_drawn(source, staged)
    shared = staged / DRAWN
    assert [p.name for p in shared.iterdir()] == ["happy.npz"]
    np.savez(source / "happy.npz", x_train=np.zeros(6))  # the scorer's file, changed later
    assert np.array_equal(np.load(shared / "happy.npz")["x_train"], np.arange(6.0))
    assert not share_drawn(source, staged)  # the first copy stays
    assert np.array_equal(np.load(shared / "happy.npz")["x_train"], np.arange(6.0))
    assert not list(tmp_path.glob("kit-drawn-*"))  # no copy left half-made

    # a link among the files (the kit writes none), or a linked folder: nothing is shared
    other = tmp_path / "other"
    other.mkdir()
    secret = tmp_path / "secret"
    secret.write_text("not the scorer's")
    os.symlink(secret, source / "signs.npz")
    assert not share_drawn(source, other) and not (other / DRAWN).exists()
    os.symlink(source, tmp_path / "linked")
    (source / "signs.npz").unlink()
    assert not share_drawn(tmp_path / "linked", other) and not (other / DRAWN).exists()
    assert not list(tmp_path.glob("kit-drawn-*"))


@contextlib.contextmanager
def _opened(folder: Path):
    """The names of the files of ``folder`` opened while inside, by any process in any mount
    namespace (inotify watches the inode; a read-only mount never moves access times)."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK)
    assert fd >= 0 and libc.inotify_add_watch(fd, bytes(folder), 0x20) >= 0  # IN_OPEN
    names = set()
    try:
        yield names
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                break
            at = 0
            while at < len(data):
                _, _, _, length = struct.unpack_from("iIII", data, at)
                if length:  # (none: the folder itself)
                    names.add(data[at + 16:at + 16 + length].rstrip(b"\0").decode())
                at += 16 + length
    finally:
        os.close(fd)


def test_the_second_scorer_of_a_run_reads_what_the_first_drew(tmp_path):
    """Through the walls: the first scorer's priming writes what it drew, the grader shares
    it, and a second scorer (another job, or a restart) reads it instead of drawing."""
    with bundle.staged_bundle(assignments.get("getting_started")) as staged:
        first = WarmScorer(staged, 4 * 2**30, hide=(tmp_path,))
        second = WarmScorer(staged, 4 * 2**30, hide=(tmp_path,))
        try:
            first.warm_up(None)
            first.wait()
            assert sorted(p.name for p in (staged / DRAWN).iterdir()) == ["imdb.npz",
                                                                         "reuters.npz"]
            with _opened(staged / DRAWN) as names:
                second.warm_up(None)
                second.wait()
            assert second._started() is True
            assert names == {"imdb.npz", "reuters.npz"}  # the second scorer read them...
            assert not (second.outbox / ".tmp" / "priming" / DRAWN).exists()  # ...drew none
            first._primed()
            assert not (first.outbox / ".tmp" / "priming").exists()
        finally:
            first.close(remove=True)
            second.close(remove=True)


def _score_empty(scorer: WarmScorer) -> str:
    """One request for an empty submission (every test fails at once), as priming sends."""
    from autograder.engine import trusted
    inbox, outbox = scorer.slot()
    inbox.mkdir()
    os.chmod(inbox, 0o755)
    trusted.make_outbox(outbox)
    return scorer.score(inbox, outbox)


def test_a_scorer_is_restarted_once_it_outgrows_its_share_of_memory_and_not_before(
        tmp_path, monkeypatch):
    """A warm scorer stays one process while it is small (a reused submission leaks nothing
    measurable), and one that holds more than RESTART_SHARE of its address space is replaced
    right after its reply, primed before the next request comes, which it answers."""
    with bundle.staged_bundle(assignments.get("tuning")) as staged:
        scorer = WarmScorer(staged, 8 * 2**30, hide=(tmp_path,))
        try:
            scorer.warm_up(None)
            assert [_score_empty(scorer) for _ in range(3)] == ["", "", ""]
            assert scorer.starts == 1 and scorer.served == 3
            monkeypatch.setattr(WarmScorer, "RESTART_SHARE", 0.0)  # as if it had outgrown
            first = scorer.process
            assert _score_empty(scorer) == ""
            assert scorer.starts == 2 and scorer.process is not first
            assert scorer.waiter is not None  # the new one primes while the grader goes on
            assert first.poll() is not None  # the old one is gone
            monkeypatch.setattr(WarmScorer, "RESTART_SHARE", 0.5)
            assert _score_empty(scorer) == "" and scorer.starts == 2 and scorer.served == 5
        finally:
            scorer.close(remove=True)
