"""Grading on a Dask cluster when one machine is not enough.

``make grade SUBMISSIONS=... GRADE_FLAGS="--scheduler tcp://HOST:8786"`` sends each
submission to a Dask worker instead of the local thread pool. The driver
stages the trusted bundle once, packs it, and scatters it to the cluster; each
worker unpacks it once into its own ``/tmp`` (which every sandbox sees as an
empty tmpfs) and grades submissions exactly as the local grader does, with
the same two stages, isolation and limits (a fresh sandbox per submission,
one warm trusted scorer per worker thread, started before the worker's first submission
and kept from task to task until the class is graded, and one warm sandbox host per
worker process, kept from class to class: :func:`warm_state` says how often each started
and how many it took),
keeping its trusted training results in ``/tmp`` too, shared by the worker
processes of a machine as the local pool's jobs share the run's. The worker processes
of a machine take turns to start their warm workers, a TensorFlow import per core at a
time (``warm.start_slot``), as the local pool's jobs do. Only the notebook's bytes go out
and an :class:`~autograder.engine.runner.Outcome` comes back, so ``grades.csv``,
feedback and summary are written on the driver as usual.

Every worker machine needs the kit cloned and ``make setup`` run (root,
bubblewrap, the pinned venv, so the same Dask version as the driver's). Give
each worker one thread per process: ``dask worker tcp://HOST:8786 --nworkers
<cores> --nthreads 1``; grading is deterministic only with one TensorFlow
thread per job.
"""
import atexit
import collections
import concurrent.futures
import contextlib
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil

from autograder.build import reference_results
from autograder.engine.runner import (SCORER_MEMORY_GB, Outcome, Sandboxed, run_sandboxed,
                                      score_sandboxed)
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


#: Each worker thread's warm scorer, by thread: kept across tasks (and classes of the same
#: bundle), so TensorFlow is imported once per thread and class, not per task.
_warm: dict[int, WarmScorer] = {}
_warm_lock = threading.Lock()
#: The worker process's sandbox host, shared by its threads and kept from class to class
#: (:func:`_sandbox_host`), and how many times it was asked for (the idle stop checks that
#: nobody asked since).
_host: WarmSandbox | None = None
_host_uses = 0
#: A host no class has asked for in this long is stopped, and its memory given back.
HOST_IDLE_SECONDS = 900


def _sandbox_host(new_class: bool = False) -> tuple[WarmSandbox, bool]:
    """The worker process's sandbox host, and whether it is new (it imports TensorFlow).

    Unlike a scorer, which holds its class's hidden tests, the host holds nothing of any
    class: the worker's files live in /tmp, empty in every sandbox, and each submission
    comes in a folder of its own that is gone once it is graded. So it is kept for the
    worker's next class, which then imports TensorFlow once (its scorer) instead of twice.
    It runs in the Dask worker, itself a long-lived process of the TA's; a host that
    failed to start is tried again with the next class (``new_class``), not before: until
    then its submissions get cold sandboxes, as on the local pool."""
    global _host, _host_uses
    with _warm_lock:
        _host_uses += 1
        if _host is not None and not (new_class and _host.failed):
            return _host, False
        old, _host = _host, WarmSandbox()
    if old is not None:
        old.close(remove=True)
    return _host, True


def _stop_host():
    """Stop the sandbox host and remove its folder (and tmpfs): the Dask worker is stopping
    (a worker stopped with SIGTERM or Ctrl-C exits through atexit; one killed outright
    leaves them to the next grader's ``quota.sweep``)."""
    global _host
    with _warm_lock:
        host, _host = _host, None
    if host is not None:
        host.close(remove=True)


atexit.register(_stop_host)  # (nothing to stop in a process that never started a host)


def _workers(staged: Path) -> tuple[WarmScorer, WarmSandbox]:
    """The worker thread's warm scorer for ``staged`` (a new bundle: a new one) and the
    process's sandbox host."""
    thread = threading.get_ident()
    with _warm_lock:
        scorer = _warm.get(thread)
    if scorer is not None and scorer.staged == staged:
        return scorer, _sandbox_host()[0]
    if scorer is not None:
        scorer.close(remove=True)
    scorer = WarmScorer(staged, SCORER_MEMORY_GB * 2**30)
    sandbox, new_host = _sandbox_host(new_class=True)
    # As the local pool's jobs: the first ones start alone, not all at once, and take a
    # submission while they start (its sandbox runs once the host is up, while the scorer
    # primes); the slots are held until both are ready, then the next worker starts, and
    # takes submissions once ready (started beside a busy one, it is slow, and a submission
    # it held would wait for it). With the host kept from the last class, a worker imports
    # once, and two of them start at once on two cores.
    slot = contextlib.ExitStack()
    waited = slot.enter_context(start_slot(imports=2 if new_host else 1))
    try:
        scorer.warm_up(_cache_of(staged))
        sandbox.warm_up()
    except BaseException:
        slot.close()
        raise
    holder = threading.Thread(target=_hold_until_ready, args=(slot, sandbox, scorer),
                              daemon=True)
    holder.start()
    if waited:
        holder.join()
    with _warm_lock:
        _warm[thread] = scorer
    return scorer, sandbox


def _hold_until_ready(slot: contextlib.ExitStack, *workers):
    """Keep this machine's start-up slots until ``workers`` are ready (or failed to start)."""
    with slot:
        for worker in workers:
            worker.wait(STARTUP_SECONDS)


#: What the warm scorers stopped by :func:`close_warm` did (:func:`warm_state`), the latest.
_stopped: collections.deque = collections.deque(maxlen=64)


def _state(worker) -> dict:
    return {"starts": worker.starts, "served": worker.served}


def _scorer_state(scorer: WarmScorer) -> dict:
    return {"bundle": scorer.staged.name, **_state(scorer)}


def close_warm() -> int:
    """Runs on each worker when a class is graded (``client.run``): stop its warm scorers,
    so that their memory is given back now, not while the next class's scorers start (the
    next class comes with a bundle of its own); how many were stopped. The sandbox host
    stays for the next class, and stops itself after :data:`HOST_IDLE_SECONDS` without one."""
    with _warm_lock:
        scorers = list(_warm.values())
        _warm.clear()
        _stopped.extend(_scorer_state(scorer) for scorer in scorers)
        parked = list(_parked.values())
        _parked.clear()
        uses = _host_uses
    for ran, work, _ in parked:  # none once a class is graded; left by Ctrl-C
        ran.remove()
        shutil.rmtree(work, ignore_errors=True)
    for scorer in scorers:
        scorer.close(remove=True)
    idle = threading.Timer(HOST_IDLE_SECONDS, _stop_idle_host, args=(uses,))
    idle.daemon = True
    idle.start()
    return len(scorers)


def _stop_idle_host(uses: int):
    """Stop the sandbox host if no class asked for it since ``uses``."""
    with _warm_lock:
        if _host_uses != uses:
            return
    _stop_host()


def warm_state() -> dict:
    """What this worker process's warm workers did (``client.run``): its sandbox host
    (how often its process started, how many submissions it took, across classes) and each
    thread's scorers (the bundle, starts and submissions), those stopped after their class
    (:func:`close_warm`) first."""
    with _warm_lock:
        return {"host": _state(_host) if _host is not None else None,
                "scorers": [*_stopped, *(_scorer_state(scorer) for scorer in _warm.values())]}


def _prepared(bundle: bytes, reuse: bool) -> tuple[Path, WarmScorer, WarmSandbox]:
    """This machine's staged bundle (training results seeded) and the thread's warm workers."""
    staged = _unpacked(bundle)
    if reuse:
        reference_results.seed(staged / REFERENCE_RESULTS, _cache_of(staged))
    return staged, *_workers(staged)


def warm_remote(bundle: bytes, reuse: bool = True) -> str:
    """Runs on a worker before its first submission: unpack the bundle, seed the training
    results, start the thread's warm workers (:class:`ClusterPool` sends one per worker and
    hands a worker submissions once it is done). Returns the staged folder."""
    return str(_prepared(bundle, reuse)[0])


@dataclass
class Graded:
    """A worker's answer for a submission it graded: its outcome, and the fingerprint of its
    artifacts when it was scored first (the client then sends those parked on it)."""

    outcome: Outcome
    key: str | None = None


@dataclass
class Parked:
    """A worker's answer for a submission whose artifacts are those of one being scored on
    its machine (:meth:`runner.Sandboxed.fingerprint`): it waits on that worker, by
    ``token``, until the client sends :func:`score_parked` once ``key`` was scored (from
    the training results that one keeps), and the worker's thread takes the next one."""

    token: str
    key: str
    worker: str | None = None  # its address (the driver sent it to none in particular)


def _worker_address() -> str | None:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):  # not on a Dask worker (a test calls it directly)
        return None


#: Submissions this worker process sandboxed and parked, by token: (sandboxed, work folder,
#: when it was parked).
_parked: dict[str, tuple[Sandboxed, Path, float]] = {}


def _claim(staged: Path, key: str) -> Path | None:
    """The marker saying that this process scores ``key`` on this machine now, or None when
    another running process does (a marker whose process is gone is taken over)."""
    folder = staged.with_name(staged.name.replace("remote", "scoring"))
    folder.mkdir(exist_ok=True)
    marker = folder / key
    for _ in range(2):
        try:
            handle = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            try:
                owner = int(marker.read_text() or "0")
            except (OSError, ValueError):
                owner = 0
            if owner and psutil.pid_exists(owner):
                return None
            marker.unlink(missing_ok=True)  # its scorer's process died: score it here
            continue
        with os.fdopen(handle, "w") as f:
            f.write(str(os.getpid()))
        return marker
    return None


def _score(ran: Sandboxed, staged: Path, work: Path, scorer, reuse: bool) -> Outcome:
    return score_sandboxed(ran, staged, cache=_cache_of(staged) if reuse else None,
                           hide=(work,), scorer=scorer)


def grade_remote(bundle: bytes, name: str, notebook: bytes, timeout: float, memory_bytes: int,
                 reuse: bool = True) -> Graded | Parked:
    """Runs on a worker: grade one notebook (its file name and bytes) against the bundle;
    or, when a submission with the same artifacts is being scored on this machine, park it
    (:class:`Parked`)."""
    staged, scorer, sandbox = _prepared(bundle, reuse)  # warm already, unless the worker is new
    work = Path(tempfile.mkdtemp(prefix="kit-remote-"))
    ran = None
    try:
        path = work / name
        path.write_bytes(notebook)
        ran = run_sandboxed(path, staged, timeout=timeout, memory_bytes=memory_bytes,
                            hide=(work,), sandbox=sandbox)
        if ran.ended:
            return Graded(ran.ended)
        key = ran.fingerprint(staged) if reuse else None
        marker = _claim(staged, key) if key else None
        if key and marker is None:
            token = uuid.uuid4().hex
            with _warm_lock:
                _parked[token] = ran, work, time.perf_counter()
            ran = work = None  # kept for score_parked
            return Parked(token, key, _worker_address())
        try:
            return Graded(_score(ran, staged, work, scorer, reuse), key)
        finally:
            if marker is not None:
                marker.unlink(missing_ok=True)
    finally:
        if ran is not None:
            ran.remove()
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def score_parked(bundle: bytes, token: str, reuse: bool = True) -> Graded:
    """Runs on the worker that parked ``token``: score it. LookupError on another worker
    (the one that parked it left the cluster): the client sends the notebook again."""
    staged, scorer, _ = _prepared(bundle, reuse)
    with _warm_lock:
        ran, work, parked_at = _parked.pop(token, (None, None, 0.0))
    if ran is None:
        raise LookupError(f"no submission parked as {token} on this worker")
    ran.waited += time.perf_counter() - parked_at
    try:
        return Graded(_score(ran, staged, work, scorer, reuse))
    finally:
        ran.remove()
        shutil.rmtree(work, ignore_errors=True)


#: How long the cluster's workers are taken as known (workers may join or leave).
WORKERS_SECONDS = 5.0


class ClusterPool:
    """The part of an executor ``grade_class`` uses, backed by a Dask cluster.

    It hands out submissions as the local pool does: each worker first gets a warm-up
    (:func:`warm_remote`: the bundle unpacked, TensorFlow imported by its warm workers), and
    a submission goes to a worker thread that is warm and free, the earliest submission
    first, the next when a thread is free again. Left to the scheduler, the first
    submission went to whichever worker took it, and waited there while that worker
    started (its turn to start came after the other's), so the first row of each
    assignment came 1-7 s later than on two local jobs, 17 s of the class of 300's 18 s
    more wall (issue 25); and the scheduler lets a worker hold a task beside the one it
    runs (``worker-saturation``, 1.1 by default, is two tasks for a one-thread worker), so a
    task queued behind a submission that loops into its CPU limit waited for it while the
    other workers ran out of work. Each submission is sent to its worker by name, but may
    run on another if that one leaves the cluster. What is not yet handed out stays here,
    so Ctrl-C cancels it without asking the cluster.

    A model is trained once per machine, as on the local pool: a submission whose artifacts
    are those of one being scored there comes back :class:`Parked`, its thread takes the
    next submission, and once the other is scored it is sent back to its worker to be
    scored (:func:`score_parked`), before any new submission.
    """

    def __init__(self, address: str, staged: Path, *, timeout: float, memory_bytes: int,
                 reuse: bool = True):
        from dask.distributed import Client

        self.client = Client(address, timeout="30s")
        self.bundle = self.client.scatter(pack(staged), broadcast=True)
        self.options = {"timeout": timeout, "memory_bytes": memory_bytes, "reuse": reuse}
        self._start()
        self._hand_out()  # the warm-ups go out now, before the first submission

    def _start(self):
        self.lock = threading.Lock()
        #: (notebook, its future, whether it was handed out before) not handed out yet
        self.waiting = collections.deque()
        self.running = {}  # the cluster's future -> (ours, the worker it was sent to, notebook)
        self.parked = {}  # fingerprint -> [(token, worker, our future, notebook)] waiting for it
        self.ready = collections.deque()  # those whose fingerprint was scored, to score now
        self.scored = set()  # fingerprints scored (parked ones go straight to ready)
        self.warming = {}  # a warm-up's future -> (its worker, the worker's threads)
        self.known = set()  # workers sent a warm-up
        self.free = collections.deque()  # a warm worker once per free thread
        self.asked, self.closed = -WORKERS_SECONDS, False

    def _new_workers(self) -> dict[str, int]:
        """Workers that joined since the last look (all of them the first time), with their
        threads; the scheduler is asked at most every :data:`WORKERS_SECONDS`, so a free
        thread does not wait for that round trip before its next submission."""
        now = time.monotonic()
        if now - self.asked < WORKERS_SECONDS:
            return {}
        self.asked = now
        workers = self.client.scheduler_info().get("workers", {})
        return {address: max(1, int(info.get("nthreads", 1)))
                for address, info in workers.items() if address not in self.known}

    def submit(self, notebook: Path) -> concurrent.futures.Future:
        future = concurrent.futures.Future()
        with self.lock:
            self.waiting.append((notebook, future, False))
        self._hand_out()
        return future

    def _hand_out(self):
        """Warm up new workers; send waiting submissions to free warm threads. With no
        worker known (a cluster still starting), one submission goes out to whichever
        worker joins first, which warms up as it takes it."""
        warm_ups, sent = [], []
        with self.lock:
            if self.closed:
                return
            for address, threads in self._new_workers().items():
                self.known.add(address)
                remote = self.client.submit(warm_remote, self.bundle, self.options["reuse"],
                                            workers=[address], allow_other_workers=False,
                                            pure=False)
                self.warming[remote] = address, threads
                warm_ups.append(remote)
            for item in list(self.ready):  # parked ones first, each on its own worker
                token, where, future, notebook = item
                if where is None and self.free:  # its worker unknown: the token says
                    where = self.free[0]
                if where in self.free:
                    self.free.remove(where)
                    self.ready.remove(item)
                    remote = self.client.submit(score_parked, self.bundle, token,
                                                self.options["reuse"], pure=False,
                                                workers=[where], allow_other_workers=True)
                    self.running[remote] = future, where, notebook
                    sent.append(remote)
            while self.waiting and (self.free or not (self.known or self.running)):
                notebook, future, again = self.waiting.popleft()
                if not (again or future.set_running_or_notify_cancel()):
                    continue
                where = self.free.popleft() if self.free else None
                placed = {"workers": [where], "allow_other_workers": True} if where else {}
                remote = self.client.submit(grade_remote, self.bundle, notebook.name,
                                            notebook.read_bytes(), pure=False, **placed,
                                            **self.options)
                self.running[remote] = future, where, notebook
                sent.append(remote)
        for remote in warm_ups:
            remote.add_done_callback(self._warmed)
        for remote in sent:
            remote.add_done_callback(self._finished)

    def _warmed(self, remote):
        """A worker's warm-up ended: its threads take submissions (if it failed, they take
        them all the same, and each submission's row says what went wrong there)."""
        with self.lock:
            address, threads = self.warming.pop(remote, (None, 0))
            if address is not None:
                self.free.extend([address] * threads)
        self._hand_out()

    def _finished(self, remote):
        """A Dask future ended (on the client's thread): the next submission to its thread,
        then its result or error to ours (fetching the result is a round trip to the
        worker, which the next submission need not wait for); a parked submission waits for
        its fingerprint, and those parked on a fingerprint just scored are sent back."""
        with self.lock:
            future, where, notebook = self.running.pop(remote, (None, None, None))
            if where is not None:
                self.free.append(where)
        self._hand_out()
        if future is None:
            return
        try:
            result, error = remote.result(), None
        except Exception as exc:  # noqa: BLE001 - the student's row says it (outcome_of)
            result, error = None, exc
        with self.lock:
            if isinstance(result, Parked):
                item = (result.token, where or result.worker, future, notebook)
                if result.key in self.scored:
                    self.ready.append(item)
                else:
                    self.parked.setdefault(result.key, []).append(item)
            elif isinstance(result, Graded) and result.key:
                self.scored.add(result.key)
                self.ready.extend(self.parked.pop(result.key, []))
            elif isinstance(error, LookupError):  # parked on a worker that left: again
                self.waiting.appendleft((notebook, future, True))
            elif error is not None:  # it may have been the one others wait for
                self._release_parked()
            if not (self.running or self.ready or self.waiting):
                self._release_parked()  # never wait for a scoring that will not come
        self._hand_out()
        if isinstance(result, Graded):
            future.set_result(result.outcome)
        elif error is not None:
            if not isinstance(error, LookupError):
                future.set_exception(error)
        elif not isinstance(result, Parked):  # a worker with an older kit: its outcome
            future.set_result(result)

    def _release_parked(self):
        """Every parked submission to be scored now (called with the lock held)."""
        for items in self.parked.values():
            self.ready.extend(items)
        self.parked.clear()

    def as_completed(self, futures):
        return concurrent.futures.as_completed(futures)

    def shutdown(self, wait=True, cancel_futures=False):
        """Close the connection; on Ctrl-C, first cancel what has not run (a submission
        already running on a worker finishes there, within its own timeout)."""
        with self.lock:
            self.closed = True
            waiting, self.waiting = list(self.waiting), collections.deque()
            parked = [*self.ready, *(i for items in self.parked.values() for i in items)]
            self.ready.clear()
            self.parked.clear()
            running = [*self.running, *self.warming]
        for _, future, again in waiting:
            if again:  # handed out before: no longer cancellable
                future.set_exception(RuntimeError("grading was stopped"))
            else:
                future.cancel()
        for _, _, future, _ in parked:  # sandboxed, not scored (close_warm removes them)
            future.set_exception(RuntimeError("grading was stopped"))
        if cancel_futures:
            self.client.cancel(running)
        if not self.running:  # the class is graded (after Ctrl-C, what runs ends there)
            try:
                self.client.run(close_warm)
            except Exception:  # noqa: BLE001 - a worker that left has nothing to stop
                pass
        self.client.close()
