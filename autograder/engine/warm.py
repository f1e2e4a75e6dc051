"""Warm grading workers: start-up is paid once per class (and scorer), not per submission.

Importing TensorFlow costs 5 s or more; a correct notebook runs in less. So a
class keeps long-lived processes:

- :class:`WarmSandbox`, the untrusted stage, one that every job shares:
  ``autograder/zygote.py`` inside bubblewrap, behind the same walls as a cold
  sandbox, with TensorFlow already imported. It forks a fresh process per
  submission in new namespaces, with its own folder (a tmpfs of its own), empty
  scratch space and an unprivileged uid of its own (see the zygote's docstring
  for the walls), and serves several at once. Student code never runs in the
  host itself, so nothing one submission does reaches the next.
- :class:`WarmScorer`, the trusted stage: ``autograder.engine.scorer --serve``, one
  to start with and more while the class waits for one (``grade.LocalPool``).

Either one is restarted when it dies or wedges, and a host that cannot start
at all (an old bubblewrap, say) makes grading fall back to a cold sandbox per
submission, with a warning, rather than fail.

Both are started at once, before the first submission needs them (``warm_up``), so that
the scorer imports TensorFlow while the sandbox host does: the first row of a class
waits for one TensorFlow import, not two in a row. The scorer then scores an empty
submission (*priming*: otter, the kit's readers and the hidden tests imported and parsed,
through the same request and the same check of its global state as any submission), so
the first student's scoring costs about what every later one does.
"""
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from autograder.assignments import REPO_ROOT, KitError
from autograder.engine import quota, trusted
from autograder.engine.runner import (SCORER_TIMEOUT, _in_scratch, _limits, _tail, kill_group,
                                      sandbox_env, sandbox_limits, walls, backstop)
from autograder.engine.zygote import SPOOL

HERE = Path(__file__).parent
#: What the sandbox host may do inside its wall, and no more: build a mount and
#: PID namespace per submission, read the submission's folder, change uid.
HOST_CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP",
                     "CAP_DAC_OVERRIDE")
HOST_BIN = "/tmp/kit-bin"
STARTUP_SECONDS = 180  # a cold disk makes the first TensorFlow import slow


def starting_at_once() -> int:
    """How many TensorFlow imports of warm workers a machine starts at the same time: one
    per core. More only slow the first ones down: the first row of a class waits for its
    own job's imports."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1)


@contextlib.contextmanager
def start_slot(imports: int = 2, seconds: float = STARTUP_SECONDS):
    """Hold ``imports`` of this machine's :func:`starting_at_once` start-up slots (lock files
    in /tmp, one per core), so that the worker processes of a Dask cluster, which all start
    with a class, take turns (the local pool, ``grade.LocalPool``, likewise starts its host
    and one scorer before anything else): the caller starts its warm workers, one import
    each (a scorer, and a sandbox host unless one is kept from an earlier class), and holds
    the slots until they are ready. All of them or none are taken, so two callers never
    hold half of what each needs. Waiting is bounded by ``seconds``, then it goes ahead.
    Yields whether it had to wait (a worker that did not leads: it may take a submission
    while it starts)."""
    folder = Path(tempfile.gettempdir())
    handles = [open(folder / f"kit-warm-start-{k}.lock", "a")
               for k in range(starting_at_once())]
    try:
        deadline = time.monotonic() + seconds
        waited = False
        while time.monotonic() < deadline and not _take(handles, min(imports, len(handles))):
            waited = True
            time.sleep(0.1)
        yield waited
    finally:
        for handle in handles:  # closing releases the slots held
            handle.close()


def _take(handles, needed: int) -> bool:
    """Lock ``needed`` of ``handles``, or none (those taken are let go again)."""
    taken = []
    for handle in handles:
        if len(taken) == needed:
            break
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            taken.append(handle)
        except BlockingIOError:
            pass
    if len(taken) == needed:
        return True
    for handle in taken:
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


class WarmProcess:
    """A long-lived helper process of one grading job, with its own scratch folder."""

    process: subprocess.Popen | None = None
    home: Path
    starts = 0  # processes started (1 while it stays warm): a restart is a new import
    served = 0  # submissions handed to it

    def close(self, remove=False):
        """Stop the process (and everything it started); with ``remove``, its folder too."""
        if self.process is not None:
            kill_group(self.process)
            self.process = None
        self.waiter = None  # its start-up, if pending, ends with the process
        if remove:
            shutil.rmtree(self.home, ignore_errors=True)

    def _ask(self, request: dict, seconds: float) -> str:
        """Send one request line; the reply line, or "" if none came within ``seconds``."""
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            return self._reply(seconds)
        except (BrokenPipeError, OSError):
            return ""

    def _reply(self, seconds: float) -> str:
        ready, _, _ = select.select([self.process.stdout], [], [], seconds)
        return self.process.stdout.readline().strip() if ready else ""

    #: the thread reading the line a start-up ends with (:meth:`_expect`), and whether it came
    waiter: threading.Thread | None = None
    started_ok = False

    def _expect(self, line: str):
        """Read, in a thread, the line the process says when its start-up is done, so that
        the caller goes on (the host and the scorer start at once); :meth:`wait` waits."""
        def read(process):
            try:  # a process closed meanwhile gives an empty line, or a closed pipe
                ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
                self.started_ok = bool(ready) and process.stdout.readline().strip() == line
            except (OSError, ValueError):
                self.started_ok = False
        self.started_ok = False
        self.waiter = threading.Thread(target=read, args=(self.process,), daemon=True)
        self.waiter.start()

    def wait(self, seconds: float | None = None):
        """Wait until the start-up begun by ``warm_up`` is done (or failed)."""
        waiter = self.waiter
        if waiter is not None:
            waiter.join(seconds)

    def _started(self) -> bool | None:
        """None if no start-up is pending; else wait for it: whether it succeeded."""
        if self.waiter is None:
            return None
        self.waiter.join()
        self.waiter = None
        return self.started_ok


class WarmSandbox(WarmProcess):
    """The sandbox host of a grading run, shared by its jobs: :meth:`run` grades a prepared
    private folder in a fresh child, from any number of threads at once.

    One host, not one per job: each host imports TensorFlow (about 4 CPU seconds), and on a
    machine whose cores are all grading that is 4 seconds of grading lost per job and class.
    Each submission's folder is a tmpfs of its own (:meth:`private_dir`), so that what one
    submission writes never takes the room of another running beside it, or of one kept
    waiting to be scored.
    """

    def __init__(self, hide=(), register=None):
        self.hide, self.register = tuple(hide), register
        self.home = Path(tempfile.mkdtemp(prefix="kit-warm-sandbox-"))
        self.spool, self.bin = self.home / "spool", self.home / "bin"
        self.spool.mkdir()
        quota.sweep()  # those of a grader that was killed
        # A tmpfs whose mounts reach the host: each submission's folder is mounted on it.
        self.folders_limited = quota.limit(self.spool) and quota.share(self.spool)
        self.bin.mkdir()
        for source, name in (("zygote.py", "kit_zygote.py"), ("sandbox.py", "kit_sandbox.py"),
                             ("kit_codec.py", "kit_codec.py")):
            shutil.copy(HERE / source, self.bin / name)
        self.log = self.home / "host.log"
        self.process = None
        self.failed = ""  # why the host could not start; then every run() returns None
        self.starting = threading.Lock()  # one thread at a time starts (or waits for) the host
        self.lock = threading.Lock()  # requests in flight and their replies
        self.replied = threading.Condition(self.lock)
        self.asked = 0  # the last request's id
        self.pending: dict[int, subprocess.Popen] = {}  # request id -> the host asked
        self.replies: dict[int, str] = {}
        self.reading = None  # the host whose replies a thread reads

    def close(self, remove=False):
        super().close()
        if remove:  # its spool is a tmpfs of its own (quota.limit): unmounted, then removed
            quota.release(self.spool)
            shutil.rmtree(self.home, ignore_errors=True)

    def private_dir(self) -> Path:
        """A new, empty folder for one submission, visible to the host (and only to it), a
        tmpfs of its own (:mod:`~autograder.engine.quota`; removed with ``quota.release``)."""
        private = Path(tempfile.mkdtemp(dir=self.spool))
        if self.folders_limited:
            quota.limit(private)
        return private

    def command(self) -> list[str]:
        caps = [arg for cap in HOST_CAPABILITIES for arg in ("--cap-add", cap)]
        keep = [str(REPO_ROOT)] if _in_scratch(REPO_ROOT) else []
        return [*walls(self.hide), "--bind", str(self.spool), SPOOL,
                "--ro-bind", str(self.bin), HOST_BIN, "--chdir", HOST_BIN, *caps,
                sys.executable, "kit_zygote.py", *keep]

    def _launch(self):
        self.close()
        self.starts += 1
        self.process = subprocess.Popen(
            self.command(), env=sandbox_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(self.log, "ab"), text=True, start_new_session=True)
        if self.register:
            self.register(self.process)
        self._expect("ready")

    def _ready(self):
        """The running host: a start-up in progress is waited for, a dead host started again;
        None when it does not say "ready" (then every later run() is cold)."""
        with self.starting:
            if self.failed:
                return None
            started = self._started()
            if started is None and (self.process is None or self.process.poll() is not None):
                self._launch()
                started = self._started()
            if started is not False:
                if self.reading is not self.process:
                    self.reading = self.process
                    threading.Thread(target=self._read_replies, args=(self.process,),
                                     daemon=True).start()
                return self.process
            self.failed = _tail(self.log)[-800:].strip() or "no reply"
            print(f"warning: the warm sandbox did not start, so every submission gets a cold "
                  f"one (slower, as safe): {self.failed}", file=sys.stderr)
            self.close()
            return None

    def _read_replies(self, process):
        """Hand each reply line of ``process`` (``<id> <reply>``) to the request it answers;
        once it ends, the requests it had not answered get an empty reply."""
        try:
            for line in process.stdout:
                ident, _, reply = line.strip().partition(" ")
                with self.lock:
                    if ident.isdigit() and self.pending.pop(int(ident), None) is process:
                        self.replies[int(ident)] = reply
                        self.replied.notify_all()
        except (OSError, ValueError):
            pass
        with self.lock:
            for ident in [i for i, asked in self.pending.items() if asked is process]:
                del self.pending[ident]
                self.replies[ident] = ""
            self.replied.notify_all()

    def _exchange(self, process, request: dict, seconds: float) -> str:
        """Send ``request`` to ``process`` under a new id: its reply, or "" if none came within
        ``seconds`` (the replies of several requests at once come in any order)."""
        with self.lock:
            self.asked += 1
            ident = request["id"] = self.asked
            self.pending[ident] = process
            try:
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                del self.pending[ident]
                return ""
            self.replied.wait_for(lambda: ident in self.replies, seconds)
            self.pending.pop(ident, None)
            return self.replies.pop(ident, "")

    def warm_up(self):
        """Start the host now, if it is not running, without waiting for its TensorFlow
        import (:meth:`wait`, or the first run(), waits)."""
        with self.starting:
            if not self.failed and self.waiter is None \
                    and (self.process is None or self.process.poll() is not None):
                self._launch()

    def run(self, private: Path, uid: int, *, timeout: float, memory_bytes: int):
        """Run the sandbox on ``private`` (from :meth:`private_dir`, prepared for ``uid``).

        Returns (timed_out, exit code) like a cold sandbox, or None when the host
        failed: the caller then grades this submission in a cold sandbox.
        """
        process = self._ready()
        if process is None:
            return None
        with self.lock:
            self.served += 1
        request = {"folder": private.name, "uid": uid,
                   "limits": sandbox_limits(memory_bytes, timeout), "timeout": backstop(timeout)}
        reply = self._exchange(process, request, backstop(timeout) + 30)
        if reply == "timeout":
            return True, None
        if reply.startswith("exit "):
            code = int(reply.split()[1])
            return False, -(code - 128) if code > 128 else code
        with self.starting:  # dead or wedged: the next submission starts a new host
            if self.process is process:
                self.close()
        return None


#: The staged bundle's folder of hidden data a scorer drew (``gradelib.DRAWN_DIR``), the files
#: it may hold (``gradelib.keep_drawn``: one per dataset) and their largest size (ConvNets'
#: signs: 15 MB).
DRAWN = "drawn"
DRAWN_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\.npz")
DRAWN_LIMIT = 2**30


def share_drawn(source: Path, staged: Path) -> bool:
    """Copy the hidden data a priming scorer drew (``source``, in its outbox) into the staged
    bundle's ``drawn/`` folder, where every later scorer of the run reads it instead of
    drawing it again (``gradelib.drawn``); whether this call put it there.

    The data is the kit's own, drawn with the hidden seed before the scorer saw any
    submission, so it is the same bytes every scorer would draw; the files are still read
    as anything that crosses the scorer's walls is (regular files only, no link followed,
    bounded, names the kit writes), and copied, so that nothing the scorer does later
    changes the copy. The folder appears whole (a rename) or not at all; the first job's
    copy stays (another job's rename onto it fails). The sandboxes never see the staged
    bundle (it is under /tmp), so they never see this either."""
    target = staged / DRAWN
    if target.exists() or source.is_symlink() or not source.is_dir():
        return False
    # made beside the bundle, not in it: a scorer starting meanwhile walks the bundle
    # (``trusted.prepare_staged``) and must not meet a folder that is being removed
    folder = Path(tempfile.mkdtemp(prefix="kit-drawn-", dir=staged.parent))
    try:
        for path in source.iterdir():
            if DRAWN_NAME.fullmatch(path.name):
                _copy_regular(path, folder / path.name, DRAWN_LIMIT)
        os.chmod(folder, 0o755)
        os.rename(folder, target)
        return True
    except (OSError, trusted.Unreadable):
        return False
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # left only if it was not renamed


def _copy_regular(source: Path, target: Path, limit: int):
    """``source``'s bytes into a new file ``target`` (0644), in the kernel (``sendfile``):
    a regular file of at most ``limit`` bytes, opened without following a link."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        raise trusted.Unreadable("is not a regular file") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise trusted.Unreadable("is not a regular file within the limit")
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            copied = 0
            while copied < info.st_size:
                sent = os.sendfile(out, fd, copied, info.st_size - copied)
                if not sent:
                    break
                copied += sent
        finally:
            os.close(out)
        if copied != info.st_size:
            raise trusted.Unreadable("changed while it was copied")
    finally:
        os.close(fd)


class WarmScorer(WarmProcess):
    """A trusted scorer process kept between submissions (``scorer.py --serve``).

    Starting Python, TensorFlow and otter costs seconds per submission; one warm
    scorer per grading job pays it once. It runs behind the scorer's walls
    (``trusted.scorer_command``): it sees its inbox and the training cache
    read-only and writes only to its outbox, one slot per submission. It is
    restarted when it has taken more than :attr:`RESTART_SHARE` of its address space
    (:meth:`_outgrown`), when it dies, when a request outlives ``SCORER_TIMEOUT``, and
    after a submission that changed its global state (it exits by itself then); a
    failure is reported for that submission alone.
    """

    #: Started afresh, and primed at once, after a request that left it holding more than
    #: this share of its address-space limit: training leaks (TensorFlow keeps what it built
    #: for each model it trained, 60-80 MB a training), a reused result does not (590 MB after
    #: 80 reused submissions as after one), and no submission's training may meet a limit an
    #: earlier one used up. It used to restart after every 25 submissions, and paid a whole
    #: start-up of 3-5 CPU s inside the 26th student's request (issue 25).
    RESTART_SHARE = 0.5

    def __init__(self, staged: Path, memory_bytes: int, register=None, hide=()):
        self.staged, self.memory_bytes, self.register = staged, memory_bytes, register
        self.hide = tuple(hide)
        self.process, self.cache, self.slots = None, None, 0
        self.priming = None  # the priming request's (inbox, outbox) until its reply is read
        self.priming_lock = threading.Lock()  # sharing its drawn data, or removing it
        self.last_code = None  # the exit code of a scorer that ended during the last request
        self.home = Path(tempfile.mkdtemp(prefix="kit-trusted-scorer-"))
        self.inbox, self.outbox = self.home / "inbox", self.home / "outbox"
        self.inbox.mkdir()
        trusted.make_outbox(self.outbox)
        os.chmod(self.home, 0o755)
        self.log = self.home / "scorer.log"

    def warm_up(self, cache: Path | None = None):
        """Start the process now, so that it imports TensorFlow while the first sandbox runs,
        and have it score an empty submission (:meth:`_prime`); neither waits."""
        if self.process is None:
            self.cache = cache
            self._start()
            self._prime()

    def _prime(self):
        """Send a request for an empty inbox: the scorer imports otter and the kit's readers
        and parses the hidden tests (every test fails at once: nothing is defined), so the
        first student's request finds them ready. Its out-folder is in the scorer's own
        temporary folder, not among the submissions' slots; a thread reads the reply
        (:meth:`wait`), and the scores are dropped.

        The hidden data the tests train on is drawn here too (1.5 CPU s for ConvNets). Unless
        an earlier scorer of the run already shared it, the request asks for it to be
        written (``"drawn"``), and once the reply has come it is shared (:func:`share_drawn`)
        for the job's next scorers and the other jobs' (restarts, a second job)."""
        inbox, outbox = self.inbox / "priming", self.outbox / ".tmp" / "priming"
        inbox.mkdir(exist_ok=True)
        os.chmod(inbox, 0o755)
        trusted.make_outbox(outbox)
        self.priming = (inbox, outbox)
        request = {"artifacts": str(inbox), "out": str(outbox), "timings": None, "cache": None}
        if not (self.staged / DRAWN).exists():
            request["drawn"] = str(outbox / DRAWN)
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            self.close()  # score() starts a new one
            return
        self._expect("done")

    def wait(self, seconds: float | None = None):
        """Wait until priming is done (or failed); then share the data it drew."""
        super().wait(seconds)
        waiter = self.waiter
        if waiter is not None and not waiter.is_alive() and self.started_ok:
            self._share_drawn()

    def _primed(self):
        """Before the first real request: the priming reply read, the data it drew shared,
        its folders removed; a scorer that gave none is closed (the request starts a fresh
        one)."""
        started = self._started()
        if started is False:
            self.close()
        elif started:
            self._share_drawn()
        self._drop_priming()

    def _share_drawn(self):
        with self.priming_lock:
            if self.priming is not None:
                share_drawn(self.priming[1] / DRAWN, self.staged)

    def _drop_priming(self):
        with self.priming_lock:
            for folder in self.priming or ():
                trusted.remove(folder)
            self.priming = None

    def close(self, remove=False):
        super().close(remove)  # a closed scorer's priming reply never comes
        self._drop_priming()

    def _start(self):
        self.close()
        trusted.prepare_staged(self.staged)
        if self.cache is not None:
            trusted.open_cache(self.cache)
        self.starts += 1
        command = trusted.scorer_command(
            trusted.scorer_program("--serve", str(self.staged)), staged=self.staged,
            inbox=self.inbox, outbox=self.outbox, cache=self.cache, hide=self.hide)
        self.process = subprocess.Popen(
            command, env=trusted.scorer_env(self.outbox, {}), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(self.log, "ab"), text=True, start_new_session=True,
            preexec_fn=_limits(self.memory_bytes, sandbox=False))
        if self.register:
            self.register(self.process)

    def _outgrown(self) -> bool:
        """Does the scorer (the largest process behind its walls) take more than
        :attr:`RESTART_SHARE` of its address-space limit now?"""
        try:
            wall = psutil.Process(self.process.pid)
            sizes = [p.memory_info().vms for p in [wall, *wall.children(recursive=True)]]
        except (psutil.Error, OSError):
            return False  # ended meanwhile: the next request starts a new one anyway
        return max(sizes) > self.RESTART_SHARE * self.memory_bytes

    def slot(self) -> tuple[Path, Path]:
        """A new (inbox, outbox) pair for one submission, inside the folders the scorer sees."""
        self.slots += 1
        return self.inbox / str(self.slots), self.outbox / str(self.slots)

    def score(self, inbox: Path, outbox: Path, cache=None) -> str:
        """Score the artifacts in ``inbox`` into ``outbox``; "" or why the scorer failed."""
        self._primed()
        if cache != self.cache or self.process is None or self.process.poll() is not None:
            self.cache = cache
            self._start()
        request = {"artifacts": str(inbox), "out": str(outbox),
                   "timings": str(outbox / "timings.jsonl"),
                   "cache": str(cache) if cache else None}
        reply = self._ask(request, SCORER_TIMEOUT)
        self.served += 1
        if reply == "done":
            self.last_code = None
            if self._outgrown():  # the next request finds a fresh one primed
                self._start()
                self._prime()
            return ""
        try:  # a scorer the kernel ended closed its pipe first: its code comes a moment later
            self.last_code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.last_code = None
        what = "timed out" if self.process.poll() is None else f"exit code {self.process.poll()}"
        print(f"scorer log ({what}):\n{_tail(self.log)[-1500:]}", file=sys.stderr)
        self.close()
        return what
