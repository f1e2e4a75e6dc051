"""The Dask pool hands the cluster one submission per worker thread, the next when one ends,
as the local pool does (no task waits queued on a worker behind one that loops)."""
import pytest

from autograder.engine import distributed


class Remote:
    """A Dask future that ends when the test says."""

    def __init__(self, name, error=None):
        self.name, self.error, self.callbacks = name, error, []

    def add_done_callback(self, callback):
        self.callbacks.append(callback)

    def result(self):
        if self.error:
            raise self.error
        return f"graded {self.name}"

    def end(self):
        for callback in self.callbacks:
            callback(self)


class Client:
    def __init__(self, threads):
        self.threads, self.sent, self.cancelled = threads, [], []

    def scheduler_info(self):
        return {"workers": {f"w{i}": {"nthreads": 1} for i in range(self.threads)}}

    def submit(self, function, bundle, name, notebook, pure, **options):
        assert function is distributed.grade_remote and notebook == b"{}" and not pure
        remote = Remote(name, ValueError("worker lost") if name.startswith("lost") else None)
        self.sent.append(remote)
        return remote

    def cancel(self, futures):
        self.cancelled += futures

    def close(self):
        pass


@pytest.fixture
def pool(tmp_path):
    pool = object.__new__(distributed.ClusterPool)  # no cluster: the client is ours
    pool.client, pool.bundle, pool.options = Client(2), "bundle", {}
    pool.lock, pool.waiting, pool.running, pool.closed = (
        distributed.threading.Lock(), distributed.collections.deque(), {}, False)
    return pool


def notebooks(tmp_path, names):
    for name in names:
        (tmp_path / f"{name}.ipynb").write_bytes(b"{}")
    return [tmp_path / f"{name}.ipynb" for name in names]


def test_one_submission_per_worker_thread_the_next_when_one_ends(pool, tmp_path):
    futures = [pool.submit(path) for path in notebooks(tmp_path, ["a", "b", "c", "d", "e"])]
    sent = pool.client.sent
    assert [r.name for r in sent] == ["a.ipynb", "b.ipynb"]  # two threads: two handed out
    sent[1].end()  # b ends first (a loops): c goes to the free thread, nothing queues behind a
    assert [r.name for r in sent] == ["a.ipynb", "b.ipynb", "c.ipynb"]
    assert futures[1].result() == "graded b.ipynb" and not futures[0].done()
    sent[2].end()
    sent[3].end()
    assert [r.name for r in sent][-1] == "e.ipynb" and not futures[0].done()
    sent[0].end()
    sent[4].end()
    done = list(pool.as_completed(futures))
    assert sorted(f.result() for f in done) == [f"graded {n}.ipynb" for n in "abcde"]


def test_an_error_on_the_cluster_is_that_submissions_and_ctrl_c_sends_no_more(pool, tmp_path):
    futures = [pool.submit(path) for path in notebooks(tmp_path, ["lost", "b", "c", "d"])]
    pool.client.sent[0].end()
    with pytest.raises(ValueError, match="worker lost"):
        futures[0].result()  # grade.outcome_of makes it that student's row
    assert len(pool.client.sent) == 3
    pool.shutdown(wait=False, cancel_futures=True)
    assert futures[3].cancelled()  # never handed out
    assert pool.client.cancelled == pool.client.sent[1:]  # those running: cancelled there
    pool.client.sent[1].end()  # a late reply changes nothing and sends nothing
    assert len(pool.client.sent) == 3 and futures[1].result() == "graded b.ipynb"
