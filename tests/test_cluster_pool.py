"""The Dask pool hands out submissions as the local pool does: each worker warms up first,
the earliest submission goes to the first worker that is warm and free, one per worker
thread, the next when one ends (none waits on a worker behind one that loops or starts);
a submission parked behind an identical one is scored on its worker once that one is."""
import contextlib
import time
from pathlib import Path

import pytest

from autograder.engine import distributed


class Remote:
    """A Dask future that ends when the test says, with what the test says (by default the
    submission graded, scored first with no fingerprint)."""

    def __init__(self, name, where, error=None):
        self.name, self.where, self.error, self.callbacks = name, where, error, []
        self.value = distributed.Graded(f"graded {name}")

    def add_done_callback(self, callback):
        self.callbacks.append(callback)

    def result(self):
        if self.error:
            raise self.error
        return self.value

    def end(self, value=None):
        if value is not None:
            self.value = value
        for callback in self.callbacks:
            callback(self)


class Client:
    """The scheduler's part: its workers, and every task sent, with the worker named."""

    def __init__(self, workers):
        self.workers, self.sent, self.warm_ups, self.cancelled = list(workers), [], {}, []

    def scheduler_info(self):
        return {"workers": {address: {"nthreads": 1} for address in self.workers}}

    def submit(self, function, bundle, *args, pure, workers=None, allow_other_workers=False,
               **options):
        assert bundle == "bundle" and not pure
        if function is distributed.warm_remote:
            assert workers and len(workers) == 1 and not allow_other_workers
            remote = self.warm_ups[workers[0]] = Remote("warm-up", workers[0])
            return remote
        assert workers is None or allow_other_workers  # it may run elsewhere if that one left
        if function is distributed.score_parked:  # args: the token, reuse
            remote = Remote(f"score {args[0]}", workers[0])
            self.sent.append(remote)
            return remote
        assert function is distributed.grade_remote and args[1] == b"{}"
        name = args[0]
        remote = Remote(name, workers and workers[0],
                        ValueError("worker lost") if name.startswith("lost") else None)
        self.sent.append(remote)
        return remote

    def cancel(self, futures):
        self.cancelled += futures

    def close(self):
        pass


def make_pool(workers):
    pool = object.__new__(distributed.ClusterPool)  # no cluster: the client is ours
    pool.client, pool.bundle, pool.options = Client(workers), "bundle", {"reuse": True}
    pool._start()
    pool._hand_out()
    return pool


@pytest.fixture
def pool():
    return make_pool(["w0", "w1"])


def notebooks(tmp_path, names):
    for name in names:
        (tmp_path / f"{name}.ipynb").write_bytes(b"{}")
    return [tmp_path / f"{name}.ipynb" for name in names]


def sent(pool):
    return [(r.name.removesuffix(".ipynb"), r.where) for r in pool.client.sent]


def test_the_earliest_submission_goes_to_the_first_worker_that_is_warm(pool, tmp_path):
    assert set(pool.client.warm_ups) == {"w0", "w1"}  # before any submission
    futures = [pool.submit(path) for path in notebooks(tmp_path, "abcde")]
    assert sent(pool) == []  # no worker is warm: nothing waits queued on one that starts
    pool.client.warm_ups["w1"].end()
    assert sent(pool) == [("a", "w1")]
    pool.client.warm_ups["w0"].end()
    assert sent(pool) == [("a", "w1"), ("b", "w0")]
    pool.client.sent[1].end()  # b ends first (a loops): c goes to the thread b freed
    assert sent(pool)[-1] == ("c", "w0") and futures[1].result() == "graded b.ipynb"
    pool.client.sent[2].end()
    pool.client.sent[3].end()
    assert sent(pool)[-1] == ("e", "w0") and not futures[0].done()
    pool.client.sent[0].end()
    pool.client.sent[4].end()
    done = list(pool.as_completed(futures))
    assert sorted(f.result() for f in done) == [f"graded {n}.ipynb" for n in "abcde"]
    assert len(pool.client.warm_ups) == 2  # one warm-up per worker, not per submission


def test_a_worker_that_joins_later_warms_up_before_it_takes_submissions(pool, tmp_path):
    for worker in ("w0", "w1"):
        pool.client.warm_ups[worker].end()
    futures = [pool.submit(path) for path in notebooks(tmp_path, "abcd")]
    pool.client.workers.append("w2")
    pool.asked -= distributed.WORKERS_SECONDS  # the next look asks the scheduler again
    pool.client.sent[0].end()
    assert "w2" in pool.client.warm_ups and sent(pool)[-1] == ("c", "w0")
    pool.client.warm_ups["w2"].end()
    assert sent(pool)[-1] == ("d", "w2")
    for remote in pool.client.sent[1:]:
        remote.end()
    assert all(f.done() for f in futures)


def test_with_no_worker_yet_one_submission_waits_at_the_scheduler(tmp_path):
    pool = make_pool([])
    futures = [pool.submit(path) for path in notebooks(tmp_path, "ab")]
    assert sent(pool) == [("a", None)]  # to whichever worker joins first
    pool.client.workers.append("w0")
    pool.asked -= distributed.WORKERS_SECONDS
    pool.client.sent[0].end()
    assert futures[0].result() == "graded a.ipynb" and sent(pool) == [("a", None)]
    pool.client.warm_ups["w0"].end()
    assert sent(pool)[-1] == ("b", "w0")


def test_an_error_on_the_cluster_is_that_submissions_and_ctrl_c_sends_no_more(pool, tmp_path):
    pool.client.warm_ups["w0"].end()
    futures = [pool.submit(path) for path in notebooks(tmp_path, ["lost", "b", "c", "d"])]
    pool.client.sent[0].end()
    with pytest.raises(ValueError, match="worker lost"):
        futures[0].result()  # grade.outcome_of makes it that student's row
    assert sent(pool) == [("lost", "w0"), ("b", "w0")]
    pool.shutdown(wait=False, cancel_futures=True)
    assert futures[3].cancelled() and futures[2].cancelled()  # never handed out
    # Those running and the warm-up still going are cancelled there.
    assert pool.client.cancelled == [pool.client.sent[1], pool.client.warm_ups["w1"]]
    pool.client.sent[1].end()  # a late reply changes nothing and sends nothing
    pool.client.warm_ups["w1"].end()
    assert len(pool.client.sent) == 2 and futures[1].result() == "graded b.ipynb"


def parked(token, key="model-k"):
    return distributed.Parked(token, key)


def test_a_submission_parked_behind_an_identical_one_is_scored_on_its_worker_after_it(
        pool, tmp_path):
    """a and b have the same artifacts: b comes back parked and its thread grades c; once a
    is scored, b is sent back to its own worker (before d), and its row is that scoring's."""
    for worker in ("w0", "w1"):
        pool.client.warm_ups[worker].end()
    futures = dict(zip("abcd", (pool.submit(p) for p in notebooks(tmp_path, "abcd"))))
    assert sent(pool) == [("a", "w0"), ("b", "w1")]
    pool.client.sent[1].end(parked("tb"))
    assert sent(pool)[-1] == ("c", "w1") and not futures["b"].done()
    pool.client.sent[2].end()  # c graded: w1 free, but b waits for a; d goes there
    assert sent(pool)[-1] == ("d", "w1")
    pool.client.sent[0].end(distributed.Graded("graded a", "model-k"))  # a scored, k kept
    assert len(pool.client.sent) == 4  # b is ready, but its worker is busy with d
    pool.client.sent[3].end()  # d done: w1 free, b goes back to it
    assert sent(pool)[-1] == ("score tb", "w1")
    pool.client.sent[-1].end(distributed.Graded("graded b"))
    assert {n: f.result() for n, f in futures.items()} == {
        "a": "graded a", "b": "graded b", "c": "graded c.ipynb", "d": "graded d.ipynb"}
    assert pool.parked == {} and not pool.ready


def test_parked_after_the_other_was_scored_it_is_scored_at_once(pool, tmp_path):
    pool.client.warm_ups["w0"].end()
    futures = [pool.submit(p) for p in notebooks(tmp_path, "ab")]
    pool.client.sent[0].end(distributed.Graded("graded a", "model-k"))
    pool.client.sent[1].end(parked("tb"))  # the marker was seen before a's answer came
    assert sent(pool)[-1] == ("score tb", "w0")
    pool.client.sent[-1].end(distributed.Graded("graded b"))
    assert futures[1].result() == "graded b"


def test_a_parked_submission_whose_worker_left_is_graded_again(pool, tmp_path):
    """score_parked finds no such token (its worker left, the task ran elsewhere): the
    notebook is handed out again, first; an error elsewhere releases what is parked, and
    nothing stays parked once nothing runs."""
    pool.client.warm_ups["w0"].end()
    futures = [pool.submit(p) for p in notebooks(tmp_path, ["a", "b", "c"])]
    pool.client.sent[0].end(parked("ta", "model-j"))  # waits for a scoring never reported
    assert sent(pool)[-1] == ("b", "w0")
    pool.client.sent[1].end(parked("tb", "model-k"))
    assert sent(pool)[-1] == ("c", "w0")
    pool.client.sent[2].end()  # nothing runs, nothing waits: the parked are scored anyway
    assert [name for name, _ in sent(pool)][3:] == ["score ta"]
    pool.client.sent[3].error = LookupError("no submission parked as ta")
    pool.client.sent[3].end()
    assert sent(pool)[-1] == ("score tb", "w0")  # parked ones first, then a again
    pool.client.sent[-1].end(distributed.Graded("graded b"))
    assert sent(pool)[-1] == ("a", "w0")  # graded again from its notebook
    pool.client.sent[-1].end()
    assert [f.result() for f in futures] == ["graded a.ipynb", "graded b", "graded c.ipynb"]


def test_a_submission_parked_on_a_worker_the_driver_did_not_choose_goes_back_there(tmp_path):
    """With no worker known, the first submission goes to whichever joins; parked there, it
    says which worker holds it, and is scored on that one."""
    pool = make_pool([])
    futures = [pool.submit(path) for path in notebooks(tmp_path, "ab")]
    assert sent(pool) == [("a", None)]
    pool.client.workers += ["w0", "w1"]
    pool.asked -= distributed.WORKERS_SECONDS
    pool.client.sent[0].end(distributed.Parked("ta", "model-k", "w1"))
    for worker in ("w0", "w1"):
        pool.client.warm_ups[worker].end()
    assert sent(pool) == [("a", None), ("b", "w0")]
    pool.client.sent[1].end()  # nothing runs or waits: a is scored, where it is parked
    assert sent(pool)[-1] == ("score ta", "w1")
    pool.client.sent[-1].end()
    assert [f.result() for f in futures] == ["graded score ta", "graded b.ipynb"]


class Worker:
    """A warm scorer or sandbox host that starts, serves and stops when told."""

    def __init__(self, staged=None, *args):
        self.staged, self.starts, self.served, self.failed, self.closed = staged, 0, 0, "", False

    def warm_up(self, *args):
        self.starts = 1

    def wait(self, seconds=None):
        pass

    def close(self, remove=False):
        self.closed = True


@pytest.fixture
def worker_process(monkeypatch, tmp_path):
    """distributed's warm workers as :class:`Worker`s, and the start-up slots each start
    asked for (how many TensorFlow imports)."""
    imports = []

    @contextlib.contextmanager
    def start_slot(imports_now=2, seconds=0):
        imports.append(imports_now)
        yield False

    monkeypatch.setattr(distributed, "WarmScorer", Worker)
    monkeypatch.setattr(distributed, "WarmSandbox", Worker)
    monkeypatch.setattr(distributed, "start_slot",
                        lambda imports=2: start_slot(imports))
    monkeypatch.setattr(distributed, "_cache_of", lambda staged: tmp_path / "cache")
    monkeypatch.setattr(distributed, "_warm", {})
    monkeypatch.setattr(distributed, "_host", None)
    monkeypatch.setattr(distributed, "_stopped", [])
    return imports


def test_the_sandbox_host_is_kept_for_the_next_class_and_its_scorer_is_not(worker_process):
    first_scorer, host = distributed._workers(Path("/staged/tuning"))
    assert distributed._workers(Path("/staged/tuning")) == (first_scorer, host)  # next task
    assert distributed.close_warm() == 1 and first_scorer.closed and not host.closed
    second_scorer, same_host = distributed._workers(Path("/staged/convnets"))
    assert same_host is host and second_scorer is not first_scorer
    # the first class imported TensorFlow twice (host and scorer), the second once
    assert worker_process == [2, 1]
    state = distributed.warm_state()
    assert state["host"]["starts"] == 1 and [s["bundle"] for s in state["scorers"]] == [
        "tuning", "convnets"]


def test_a_host_that_failed_to_start_is_tried_again_with_the_next_class_only(worker_process):
    _, host = distributed._workers(Path("/staged/tuning"))
    host.failed = "no bubblewrap"
    assert distributed._workers(Path("/staged/tuning"))[1] is host  # cold sandboxes meanwhile
    distributed.close_warm()
    _, new_host = distributed._workers(Path("/staged/convnets"))
    assert new_host is not host and host.closed and worker_process == [2, 2]


def test_a_host_no_class_asked_for_stops_itself(worker_process, monkeypatch):
    monkeypatch.setattr(distributed, "HOST_IDLE_SECONDS", 0.05)
    _, host = distributed._workers(Path("/staged/tuning"))
    distributed.close_warm()
    distributed._workers(Path("/staged/convnets"))  # asked for within the idle time: kept
    time.sleep(0.3)
    assert not host.closed and distributed._host is host
    distributed.close_warm()
    time.sleep(0.3)
    assert host.closed and distributed._host is None


def test_start_up_slots_are_one_import_per_core_taken_all_or_none(monkeypatch, tmp_path):
    import threading

    from autograder.engine import warm
    monkeypatch.setattr(warm.tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(warm, "starting_at_once", lambda: 2)

    def host_and_scorer(results):
        with warm.start_slot(imports=2, seconds=3) as waited:
            results.append(waited)

    with warm.start_slot(imports=1) as waited:  # a worker starting its scorer alone
        assert not waited
        results = []
        both = threading.Thread(target=host_and_scorer, args=(results,))
        both.start()  # needs both slots: waits, holding neither
        time.sleep(0.3)
        started = time.monotonic()
        with warm.start_slot(imports=1, seconds=3) as waited:  # so the free one is taken
            assert time.monotonic() - started < 1.5
        assert not results
    both.join()
    assert results == [True]


def test_every_dask_process_of_the_venv_reads_the_kits_settings():
    """``make setup`` links autograder/engine/dask.yaml into the venv's Dask config folder:
    a fresh process (a scheduler, ``dask worker``) has the kit's value for each setting."""
    import json
    import subprocess
    import sys

    import yaml

    from autograder.assignments import REPO_ROOT

    def leaves(tree, prefix=""):
        for key, value in tree.items():
            if isinstance(value, dict):
                yield from leaves(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}", value

    wanted = dict(leaves(yaml.safe_load((REPO_ROOT / "autograder/engine/dask.yaml").read_text())))
    assert wanted["distributed.worker.profile.enabled"] is False
    found = json.loads(subprocess.run(
        [sys.executable, "-c", "import json, sys, dask, distributed; "
         "print(json.dumps({k: dask.config.get(k) for k in sys.argv[1:]}))", *wanted],
        capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}).stdout)
    assert found == wanted
