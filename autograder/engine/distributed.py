"""Grading on a Dask cluster when one machine is not enough.

``make grade SUBMISSIONS=... GRADE_FLAGS="--scheduler tcp://HOST:8786"`` sends each
submission to a Dask worker instead of the local thread pool. The driver
stages the trusted bundle once, packs it, and scatters it to the cluster; each
worker unpacks it once into its own ``/tmp`` (which every sandbox sees as an
empty tmpfs) and grades submissions exactly as the local grader does, with
the same two stages, isolation and limits (a fresh sandbox per submission,
one warm sandbox host and one warm trusted scorer per worker thread, kept from task
to task: :func:`warm_state` says how often each started and how many it took),
keeping its trusted training results in ``/tmp`` too, shared by the worker
processes of a machine as the local pool's jobs share the run's. The worker processes
of a machine take turns to start their warm workers, half the cores' worth at a time
(``warm.start_slot``), as the local pool's jobs do. Only the notebook's bytes go out
and an :class:`~autograder.engine.runner.Outcome` comes back, so ``grades.csv``,
feedback and summary are written on the driver as usual.

Every worker machine needs the kit cloned and ``make setup`` run (root,
bubblewrap, the pinned venv, so the same Dask version as the driver's). Give
each worker one thread per process: ``dask worker tcp://HOST:8786 --nworkers
<cores> --nthreads 1``; grading is deterministic only with one TensorFlow
thread per job.
"""
import collections
import concurrent.futures
import hashlib
import io
import shutil
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from autograder.build import reference_results
from autograder.engine.runner import SCORER_MEMORY_GB, grade_one
from autograder.engine.warm import STARTUP_SECONDS, WarmSandbox, WarmScorer, start_slot

_unpack_lock = threading.Lock()
#: Folder of the staged bundle with the reference solution's training results, if any.
REFERENCE_RESULTS = "reference-results"


def pack(folder: Path) -> bytes:
    """The staged bundle as a gzipped tar."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname=".")
    return buffer.getvalue()


def _unpacked(bundle: bytes) -> Path:
    """This machine's copy of the staged bundle, unpacked once per bundle (the rename
    is atomic: worker processes racing to unpack agree on one copy)."""
    digest = hashlib.sha256(bundle).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"kit-trusted-remote-{digest}"
    with _unpack_lock:
        if not folder.exists():
            partial = Path(tempfile.mkdtemp(prefix="kit-trusted-unpack-"))
            with tarfile.open(fileobj=io.BytesIO(bundle), mode="r:gz") as tar:
                tar.extractall(partial, filter="data")
            try:
                partial.rename(folder)
            except OSError:  # another worker process on this machine unpacked it first
                shutil.rmtree(partial, ignore_errors=True)
                if not folder.exists():
                    raise
    return folder


def _cache_of(staged: Path) -> Path:
    """This machine's trusted training results for the bundle (in /tmp, hidden from sandboxes)."""
    return staged.with_name(staged.name.replace("remote", "cache"))


#: Each worker thread's warm scorer and sandbox host, by thread: kept across tasks (and
#: classes of the same bundle), so TensorFlow is imported once per thread, not per task.
_warm: dict[int, tuple[WarmScorer, WarmSandbox]] = {}
_warm_lock = threading.Lock()


def _workers(staged: Path) -> tuple[WarmScorer, WarmSandbox]:
    """The worker thread's warm scorer and sandbox host for ``staged`` (a new bundle: new ones)."""
    thread = threading.get_ident()
    with _warm_lock:
        scorer, sandbox = _warm.get(thread, (None, None))
    if scorer is None or scorer.staged != staged:
        if scorer is not None:
            scorer.close(remove=True)
            sandbox.close(remove=True)
        scorer = WarmScorer(staged, SCORER_MEMORY_GB * 2**30)
        sandbox = WarmSandbox()  # the worker's files live in /tmp, empty in every sandbox
        with start_slot():  # as the local pool's jobs: the first ones alone, not all at once
            scorer.warm_up(_cache_of(staged))
            sandbox.warm_up()
            for worker in (sandbox, scorer):
                worker.wait(STARTUP_SECONDS)
        with _warm_lock:
            _warm[thread] = scorer, sandbox
    return scorer, sandbox


def warm_state() -> list[dict]:
    """What this worker process's warm workers did, one dict per thread (``client.run``):
    the bundle, how often each process was started and how many submissions it took."""
    with _warm_lock:
        return [{"bundle": scorer.staged.name, "scorer_starts": scorer.starts,
                 "scored": scorer.served, "sandbox_starts": sandbox.starts,
                 "sandboxed": sandbox.served} for scorer, sandbox in _warm.values()]


def grade_remote(bundle: bytes, name: str, notebook: bytes, timeout: float, memory_bytes: int,
                 reuse: bool = True):
    """Runs on a worker: grade one notebook (its file name and bytes) against the bundle."""
    staged = _unpacked(bundle)
    work = Path(tempfile.mkdtemp(prefix="kit-remote-"))
    try:
        path = work / name
        path.write_bytes(notebook)
        cache = _cache_of(staged) if reuse else None
        if cache is not None:
            reference_results.seed(staged / REFERENCE_RESULTS, cache)
        scorer, sandbox = _workers(staged)
        return grade_one(path, staged, timeout=timeout, memory_bytes=memory_bytes,
                         hide=(work,), cache=cache, scorer=scorer, sandbox=sandbox)
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: How long the cluster's thread count is taken as known (workers may join or leave).
THREADS_SECONDS = 5.0


class ClusterPool:
    """The part of an executor ``grade_class`` uses, backed by a Dask cluster.

    It hands the cluster one submission per worker thread and the next one when a thread
    is free, as the local pool does, instead of all of them at once: the scheduler lets a
    worker hold a task beside the one it runs (``worker-saturation``, 1.1 by default, is
    two tasks for a one-thread worker), and a task queued behind a submission that loops
    into its CPU limit waited for it while the other workers ran out of work (the class
    of 300 took 8% longer on the cluster than on two local jobs; issue 25). What is not
    yet handed out stays here, so Ctrl-C cancels it without asking the cluster.
    """

    def __init__(self, address: str, staged: Path, *, timeout: float, memory_bytes: int,
                 reuse: bool = True):
        from dask.distributed import Client

        self.client = Client(address, timeout="30s")
        self.bundle = self.client.scatter(pack(staged), broadcast=True)
        self.options = {"timeout": timeout, "memory_bytes": memory_bytes, "reuse": reuse}
        self.lock = threading.Lock()
        self.waiting = collections.deque()  # (notebook, its future) not handed out yet
        self.running = {}  # the cluster's future -> ours
        self.closed = False

    def threads(self) -> int:
        """Worker threads the cluster has (at least one: a cluster still starting), asked
        of the scheduler at most every :data:`THREADS_SECONDS`: a free worker waits for the
        round trip that hands it its next submission, and this one need not be in it."""
        now = time.monotonic()
        if now - getattr(self, "asked", -THREADS_SECONDS) >= THREADS_SECONDS:
            workers = self.client.scheduler_info().get("workers", {})
            self.known = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
            self.asked = now
        return self.known

    def submit(self, notebook: Path) -> concurrent.futures.Future:
        future = concurrent.futures.Future()
        with self.lock:
            self.waiting.append((notebook, future))
        self._hand_out()
        return future

    def _hand_out(self):
        """Send waiting submissions while a worker thread has none."""
        while True:
            with self.lock:
                if self.closed or not self.waiting or len(self.running) >= self.threads():
                    return
                notebook, future = self.waiting.popleft()
                if not future.set_running_or_notify_cancel():
                    continue
                remote = self.client.submit(grade_remote, self.bundle, notebook.name,
                                            notebook.read_bytes(), pure=False, **self.options)
                self.running[remote] = future
            remote.add_done_callback(self._finished)

    def _finished(self, remote):
        """A Dask future ended (on the client's thread): its result or error to ours."""
        with self.lock:
            future = self.running.pop(remote, None)
        if future is not None:
            try:
                future.set_result(remote.result())
            except Exception as exc:  # noqa: BLE001 - the student's row says it (outcome_of)
                future.set_exception(exc)
        self._hand_out()

    def as_completed(self, futures):
        return concurrent.futures.as_completed(futures)

    def shutdown(self, wait=True, cancel_futures=False):
        """Close the connection; on Ctrl-C, first cancel what has not run (a submission
        already running on a worker finishes there, within its own timeout)."""
        with self.lock:
            self.closed = True
            waiting, self.waiting = list(self.waiting), collections.deque()
            running = list(self.running)
        for _, future in waiting:
            future.cancel()
        if cancel_futures:
            self.client.cancel(running)
        self.client.close()
