"""Warm grading workers: start-up is paid once per grading job, not once per submission.

Importing TensorFlow costs 5 s or more; a correct notebook runs in less. Each
grading job therefore keeps two long-lived processes:

- :class:`WarmSandbox`, the untrusted stage: ``autograder/zygote.py`` inside
  bubblewrap, behind the same walls as a cold sandbox, with TensorFlow already
  imported. It forks a fresh process per submission in new namespaces, with
  its own folder, empty scratch space and an unprivileged uid of its own
  (see the zygote's docstring for the walls). Student code never runs in the
  host itself, so nothing one submission does reaches the next.
- :class:`WarmScorer`, the trusted stage: ``autograder.engine.scorer --serve``.

Either one is restarted when it dies or wedges, and a host that cannot start
at all (an old bubblewrap, say) makes grading fall back to a cold sandbox per
submission, with a warning, rather than fail.
"""
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.assignments import REPO_ROOT, KitError
from autograder.engine import trusted
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


class WarmProcess:
    """A long-lived helper process of one grading job, with its own scratch folder."""

    process: subprocess.Popen | None = None
    home: Path

    def close(self, remove=False):
        """Stop the process (and everything it started); with ``remove``, its folder too."""
        if self.process is not None:
            kill_group(self.process)
            self.process = None
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


class WarmSandbox(WarmProcess):
    """One job's sandbox host; :meth:`run` grades a prepared private folder in a fresh child."""

    def __init__(self, hide=(), register=None):
        self.hide, self.register = tuple(hide), register
        self.home = Path(tempfile.mkdtemp(prefix="kit-warm-sandbox-"))
        self.spool, self.bin = self.home / "spool", self.home / "bin"
        self.spool.mkdir()
        self.bin.mkdir()
        for source, name in (("zygote.py", "kit_zygote.py"), ("sandbox.py", "kit_sandbox.py"),
                             ("kit_codec.py", "kit_codec.py")):
            shutil.copy(HERE / source, self.bin / name)
        self.log = self.home / "host.log"
        self.process = None
        self.failed = ""  # why the host could not start; then every run() returns None

    def private_dir(self) -> Path:
        """A new, empty folder for one submission, visible to the host (and only to it)."""
        return Path(tempfile.mkdtemp(dir=self.spool))

    def command(self) -> list[str]:
        caps = [arg for cap in HOST_CAPABILITIES for arg in ("--cap-add", cap)]
        keep = [str(REPO_ROOT)] if _in_scratch(REPO_ROOT) else []
        return [*walls(self.hide), "--bind", str(self.spool), SPOOL,
                "--ro-bind", str(self.bin), HOST_BIN, "--chdir", HOST_BIN, *caps,
                sys.executable, "kit_zygote.py", *keep]

    def _start(self) -> bool:
        self.close()
        self.process = subprocess.Popen(
            self.command(), env=sandbox_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(self.log, "ab"), text=True, start_new_session=True)
        if self.register:
            self.register(self.process)
        if self._reply(STARTUP_SECONDS) == "ready":
            return True
        self.failed = _tail(self.log)[-800:].strip() or "no reply"
        print(f"warning: the warm sandbox did not start, so every submission gets a cold one "
              f"(slower, as safe): {self.failed}", file=sys.stderr)
        self.close()
        return False

    def run(self, private: Path, uid: int, *, timeout: float, memory_bytes: int):
        """Run the sandbox on ``private`` (from :meth:`private_dir`, prepared for ``uid``).

        Returns (timed_out, exit code) like a cold sandbox, or None when the host
        failed: the caller then grades this submission in a cold sandbox.
        """
        if self.failed or (self.process is None or self.process.poll() is not None) \
                and not self._start():
            return None
        request = {"folder": private.name, "uid": uid,
                   "limits": sandbox_limits(memory_bytes, timeout), "timeout": backstop(timeout)}
        reply = self._ask(request, backstop(timeout) + 30)
        if reply == "timeout":
            return True, None
        if reply.startswith("exit "):
            code = int(reply.split()[1])
            return False, -(code - 128) if code > 128 else code
        self.close()  # dead or wedged: the next submission starts a new host
        return None


class WarmScorer(WarmProcess):
    """A trusted scorer process kept between submissions (``scorer.py --serve``).

    Starting Python, TensorFlow and otter costs seconds per submission; one warm
    scorer per grading job pays it once. It runs behind the scorer's walls
    (``trusted.scorer_command``): it sees its inbox and the training cache
    read-only and writes only to its outbox, one slot per submission. It is
    restarted after ``MAX_USES`` submissions (memory), when it dies, when a
    request outlives ``SCORER_TIMEOUT``, and after a submission that changed its
    global state (it exits by itself then); a failure is reported for that
    submission alone.
    """

    MAX_USES = 25

    def __init__(self, staged: Path, memory_bytes: int, register=None, hide=()):
        self.staged, self.memory_bytes, self.register = staged, memory_bytes, register
        self.hide = tuple(hide)
        self.process, self.uses, self.cache, self.slots = None, 0, None, 0
        self.last_code = None  # the exit code of a scorer that ended during the last request
        self.home = Path(tempfile.mkdtemp(prefix="kit-trusted-scorer-"))
        self.inbox, self.outbox = self.home / "inbox", self.home / "outbox"
        self.inbox.mkdir()
        trusted.make_outbox(self.outbox)
        os.chmod(self.home, 0o755)
        self.log = self.home / "scorer.log"

    def warm_up(self, cache: Path | None = None):
        """Start the process now, so that it imports TensorFlow while the first sandbox runs."""
        if self.process is None:
            self.cache = cache
            self._start()

    def _start(self):
        self.close()
        trusted.prepare_staged(self.staged)
        if self.cache is not None:
            trusted.open_cache(self.cache)
        command = trusted.scorer_command(
            trusted.scorer_program("--serve", str(self.staged)), staged=self.staged,
            inbox=self.inbox, outbox=self.outbox, cache=self.cache, hide=self.hide)
        self.process = subprocess.Popen(
            command, env=trusted.scorer_env(self.outbox, {}), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(self.log, "ab"), text=True, start_new_session=True,
            preexec_fn=_limits(self.memory_bytes, sandbox=False))
        if self.register:
            self.register(self.process)
        self.uses = 0

    def slot(self) -> tuple[Path, Path]:
        """A new (inbox, outbox) pair for one submission, inside the folders the scorer sees."""
        self.slots += 1
        return self.inbox / str(self.slots), self.outbox / str(self.slots)

    def score(self, inbox: Path, outbox: Path, cache=None) -> str:
        """Score the artifacts in ``inbox`` into ``outbox``; "" or why the scorer failed."""
        if cache != self.cache or self.process is None or self.process.poll() is not None \
                or self.uses >= self.MAX_USES:
            self.cache = cache
            self._start()
        request = {"artifacts": str(inbox), "out": str(outbox),
                   "timings": str(outbox / "timings.jsonl"),
                   "cache": str(cache) if cache else None}
        reply = self._ask(request, SCORER_TIMEOUT)
        self.uses += 1
        if reply == "done":
            self.last_code = None
            return ""
        try:  # a scorer the kernel ended closed its pipe first: its code comes a moment later
            self.last_code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.last_code = None
        what = "timed out" if self.process.poll() is None else f"exit code {self.process.poll()}"
        print(f"scorer log ({what}):\n{_tail(self.log)[-1500:]}", file=sys.stderr)
        self.close()
        return what
