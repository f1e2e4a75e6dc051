"""Grade one submission in two stages: untrusted sandbox, then trusted scorer.

1. The sandbox (``autograder/sandbox.py``, copied into a private folder) runs
   the student's notebook inside bubblewrap: no network, a read-only file
   system on which the hidden tests, hidden data, the kit's grading code,
   other submissions and grade files are masked, its own PID namespace, an
   unprivileged user of its own, limits on memory, processes, file size and
   CPU time (a wall-clock backstop besides). It leaves only JSON artifacts (model architectures,
   compile settings, errors raised). Either bubblewrap starts it cold for this
   submission alone, or a warm sandbox host (``autograder.engine.warm``) forks it
   behind the same walls with TensorFlow already imported.
2. The scorer (``autograder.engine.scorer``) runs in a separate process that never
   executes student code: it rebuilds the models from the artifacts and runs
   the assignment's otter test files against them, training under fixed seeds
   with TensorFlow pinned to one thread, so the same submission always gets
   the same score, alone or in parallel.

Points come from stage 2 only, so nothing a submission prints, patches or
writes can change them; a sandbox that crashes or times out partway still
gets the points its artifacts so far earn.
"""
import fcntl
import functools
import hashlib
import itertools
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from autograder.engine import notebooks, quota, trusted
from autograder.assignments import REPO_ROOT, KitError

#: Environment that makes TensorFlow deterministic and quiet in both stages.
GRADING_ENV = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "Agg",
}
#: Where the scorer's gradelib records stage durations, and reads trusted training results
#: (the same names are in gradelib, which is staged alone).
TIMINGS_ENV = "KIT_TIMINGS_FILE"
CACHE_ENV = "KIT_TRAINING_CACHE"
#: The scorer's address space: it trains the submission's model on the hidden data, and
#: TensorFlow reserves much more than it touches.
SCORER_MEMORY_GB = 8
#: A submission's sandbox budget, unless its assignment's config.json says otherwise
#: (``"sandbox": {"cpu_seconds": ..., "memory_gb": ...}``) or the TA does (``--timeout``,
#: ``--memory-gb``). Grading skips the cells tagged ``otter_ignore`` (training, plots): what
#: is left takes the reference solutions 0.3-1.4 CPU s in a warm sandbox and 4-5 s in a
#: cold one (TensorFlow's import), and reserves 1.4-2.1 GiB of address space. 30 s is 20
#: times a warm reference and 4 GiB twice its memory: enough for a slower machine or a
#: slower correct answer, while what loops forever or fills memory stops that much sooner
#: (at 60 s and 8 GiB, the three looping and one memory-filling samples of a generated class
#: of 300 took a third of its job-seconds; issue 25), and JOBS sandboxes fit a TA's laptop.
SANDBOX_CPU_SECONDS = 30
SANDBOX_MEMORY_GB = 4
MAX_PROCESSES = 256  # per sandbox user: a fork bomb stops here
MAX_FILE_BYTES = 64 * 2**20
CPU_GRACE = 5  # seconds between SIGXCPU and SIGKILL
SCORER_TIMEOUT = 1800  # wall-clock backstop per submission; each test has a CPU limit
LOG_TAIL_BYTES = 4000
SANDBOX_MOUNT = "/tmp/sandbox"
#: Every flag the sandbox may raise (see its Recorder): anything else in progress.json is forged.
FLAGS = {"network", "process", "signal", "exit", "delete", "memory", "reads_grader_files",
         "writes_grader_files", "imports_grader", "ctypes"}
#: Folders of the repo a submission must not see (hidden tests, solutions, runs).
MASKED = ("autograder", "solutions", "tests", "dist", "runs", ".git")
#: Each submission's sandbox runs as a user of its own, taken in turn from a range of
#: UID_COUNT ids (no account has them) from DEFAULT_UID_BASE; the last id of the range is the
#: trusted scorer's (``trusted.scorer_uid``). No two live sandboxes of a machine share a
#: user, whichever grader process runs them (:func:`claim_uid`); KIT_UID_BASE moves the range.
DEFAULT_UID_BASE = 61000
UID_COUNT = 10000
_uids = itertools.count()


@dataclass
class Outcome:
    """What grading one submission produced."""

    student: str
    status: str  # graded | timeout | crashed | invalid | error
    scores: dict = field(default_factory=dict)  # question -> points earned
    outputs: dict = field(default_factory=dict)  # question -> feedback text
    message: str = ""
    seconds: float = 0.0
    train_seconds: float = 0.0
    flags: list = field(default_factory=list)
    sandbox_seconds: float = 0.0
    reused: int = 0  # hidden trainings answered from trusted results of identical models
    #: question -> {"score", "max", "cases": [{"name", "points", "passed", "message"}]},
    #: as the scorer returned it (per-test pass rates and failure messages for reports)
    results: dict = field(default_factory=dict)


def uid_range() -> range:
    """The sandbox users of this grader (KIT_UID_BASE, or the default)."""
    base = int(os.environ.get("KIT_UID_BASE", DEFAULT_UID_BASE))
    return range(base, base + UID_COUNT)


#: Where a grader process marks the sandbox users it has running, one lock file per uid, for
#: every grader process of the machine to see (not /tmp: a test or a TA may give each its own).
UID_LOCKS = Path(os.environ.get("KIT_UID_LOCKS", "/run/lock/kit-sandbox-uids"))


def claim_uid() -> tuple[int, int]:
    """A sandbox user no other live sandbox of this machine has, and the descriptor that holds
    it (:func:`release_uid` once its sandbox has ended).

    Why a lock and not only a counter: the counter is one process's, and the Dask workers
    of a machine are several processes (``dask worker --nworkers <cores>``), each counting from
    the same base, so their first submissions ran at once as one user, and that user's
    RLIMIT_NPROC is counted over all its processes: a fork bomb in one sandbox left the
    other no thread to start. Each uid is taken with an exclusive ``flock`` on its own file,
    which the kernel drops with the descriptor, even when the process dies."""
    uids = uid_range()
    usable = len(uids) - 1  # the last one is the scorer's
    UID_LOCKS.mkdir(parents=True, exist_ok=True, mode=0o700)
    start = next(_uids)
    for step in range(usable):
        uid = uids[(start + step) % usable]
        fd = os.open(UID_LOCKS / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return uid, fd
    raise RuntimeError(f"all {usable} sandbox users of this machine are in use")


def release_uid(fd: int):
    """Give back a uid :func:`claim_uid` took."""
    os.close(fd)


def sandbox_limits(memory_bytes, cpu_seconds=None) -> dict:
    """A sandbox's resource limits, (soft, hard) by ``RLIMIT_`` name (a warm sandbox gets
    them sent, and applies them as they are).

    Time is CPU time (``RLIMIT_CPU``: SIGXCPU, then SIGKILL a few seconds later), so a
    notebook gets the same computing time on a busy machine as on an idle one; a wall-clock
    backstop (:func:`backstop`) still ends one that sleeps forever.
    """
    limits = {"AS": memory_bytes, "NPROC": MAX_PROCESSES, "FSIZE": MAX_FILE_BYTES, "CORE": 0}
    limits = {name: (value, value) for name, value in limits.items()}
    if cpu_seconds is not None:  # SIGXCPU first, SIGKILL a little later
        cpu = max(1, int(cpu_seconds))
        limits["CPU"] = (cpu, cpu + CPU_GRACE)
    return limits


def sandbox_budget(config: dict) -> tuple[float, float]:
    """(CPU seconds, GiB of address space) of one submission's sandbox under an assignment's
    config: its ``sandbox`` entry, or the kit's defaults."""
    entry = config.get("sandbox") or {}
    return (float(entry.get("cpu_seconds", SANDBOX_CPU_SECONDS)),
            float(entry.get("memory_gb", SANDBOX_MEMORY_GB)))


def set_limits(limits: dict):
    """Apply (soft, hard) limits by ``RLIMIT_`` name to this process."""
    for name, (soft, hard) in limits.items():
        resource.setrlimit(getattr(resource, f"RLIMIT_{name}"), (soft, hard))


def backstop(cpu_seconds) -> float:
    """Wall-clock seconds after which a sandbox is stopped whatever its CPU use."""
    return cpu_seconds * 4 + 60


def _limits(memory_bytes, sandbox=True, cpu_seconds=None):
    """Resource limits applied in the child before it starts: memory always, the
    process, file-size, core and CPU limits for the sandbox."""
    limits = (sandbox_limits(memory_bytes, cpu_seconds) if sandbox
              else {"AS": (memory_bytes, memory_bytes)})
    return lambda: set_limits(limits)


def out_of_time(timed_out, code) -> bool:
    """Stopped by the wall-clock backstop, or by its CPU limit (SIGXCPU, which bubblewrap
    and the warm host report as 128 + 24)."""
    return timed_out or code in (-signal.SIGXCPU, 128 + signal.SIGXCPU)


def run_stage(command, log: Path, *, env, timeout, limits, register, cwd=None):
    """Run one grading stage in its own session, output to ``log``, killed when done.

    Returns (timed_out, exit code).
    """
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, preexec_fn=limits)
        if register:
            register(process)
        try:
            process.wait(timeout=timeout)
            return False, process.returncode
        except subprocess.TimeoutExpired:
            return True, None
        finally:
            kill_group(process)


def _tail(path: Path, size=LOG_TAIL_BYTES) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, path.stat().st_size - size))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")  # emptied in every sandbox


def _in_scratch(path: Path) -> bool:
    return any(path.is_relative_to(s) for s in SCRATCH)


def closed_homes() -> list[str]:
    """The folder others may not enter above the Python that runs the sandbox, if any
    (pyenv under a 0700 /root): emptied in the sandbox, with only that Python bound
    back in, so a submission runs the same interpreter and standard library as the
    grader and sees nothing else of that home."""
    base = Path(sys.base_prefix).resolve()
    for folder in reversed(base.parents):
        if folder != Path("/") and not folder.stat().st_mode & 0o001:
            return [str(folder)]
    return []


def masked_paths(extra=(), masked=MASKED) -> list[str]:
    """Existing folders to hide, leaving out any inside another hidden one.

    Scratch folders are empty in the sandbox anyway, except the repo itself,
    which is mounted again when it lives there (a CI checkout in /tmp, say).
    """
    candidates = [REPO_ROOT / name for name in masked] + [Path(p).resolve() for p in extra]
    hidden = []
    for path in sorted({p for p in candidates if p.is_dir()}, key=lambda p: len(p.parts)):
        if any(path.is_relative_to(h) for h in hidden):
            continue
        if _in_scratch(path) and not path.is_relative_to(REPO_ROOT):
            continue
        hidden.append(path)
    return [str(p) for p in hidden]


SANDBOX_PROGRAM = [sys.executable, "kit_sandbox.py", "submission.ipynb", "probes.json",
                   "artifacts"]


def walls(hide=(), masked=MASKED) -> list[str]:
    """bubblewrap's options for the file system every sandbox sees: everything read-only,
    empty scratch folders, the repo's ``masked`` folders (the kit's grading code) and
    ``hide`` masked. The trusted scorer gets the same walls with its own code visible."""
    command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    emptied = [*SCRATCH, *closed_homes()]
    for folder in emptied:
        command += ["--tmpfs", folder]
    for needed in {Path(sys.base_prefix).resolve(), REPO_ROOT}:
        inside = [Path(f) for f in emptied if needed.is_relative_to(f)]
        if inside:  # bound back, with folders on the way that others may enter
            for folder in reversed(needed.relative_to(inside[0]).parents[:-1]):
                command += ["--perms", "0755", "--dir", str(inside[0] / folder)]
            command += ["--ro-bind", str(needed), str(needed)]
    for path in masked_paths(hide, masked):
        command += ["--tmpfs", path]
    return command + ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                      "--die-with-parent", "--new-session"]


def sandbox_command(private: Path, uid: int, hide=(), program=SANDBOX_PROGRAM) -> list[str]:
    """bubblewrap around ``program``, run as ``uid`` in ``private`` (seen as /tmp/sandbox)."""
    return [*walls(hide), "--bind", str(private), SANDBOX_MOUNT, "--chdir", SANDBOX_MOUNT,
            "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", *program]


def _stage_times(timings: Path) -> tuple[float, int]:
    """(seconds the hidden tests spent training, trainings reused) as gradelib recorded them."""
    if not timings.exists():
        return 0.0, 0
    total, reused = 0.0, 0
    for line in timings.read_text().splitlines():
        try:
            record = json.loads(line)
            stage = str(record["stage"])
            if stage.startswith("train"):
                total += float(record["seconds"])
            reused += stage.startswith("reuse")
        except (ValueError, KeyError, TypeError):
            continue
    return total, reused


#: progress.json when the student's code removed or replaced what the sandbox wrote.
LOST = {"lost": True}
#: The largest progress.json read (the sandbox's own is under 10 KB: a count, flags, and
#: at most one 300-character line per cell).
PROGRESS_LIMIT = 100_000


def _progress(artifacts: Path) -> dict:
    """What the sandbox said of its run (progress.json), reduced to the fields and types the
    kit reads; {} when there is no such file, :data:`LOST` when it is not one the kit wrote.

    The student's code ran as the owner of that folder, so the file may be anything: a
    FIFO (opening it would wait for ever, and the class with it), a link, 100 KB of
    ``[``, a count that is a string. It is read as every file from a sandbox is
    (:func:`trusted.read_bounded`: regular, unlinked, bounded); a failure of any type makes
    it lost, and the submission's status says the record was removed or replaced."""
    try:
        data = json.loads(trusted.read_bounded(artifacts / "progress.json", PROGRESS_LIMIT))
    except FileNotFoundError:  # the first cell never ended (or the folder was replaced)
        return {}
    except Exception:  # Unreadable, ValueError, RecursionError, ...
        return LOST
    return _progress_fields(data) if isinstance(data, dict) else LOST


def _progress_fields(data: dict) -> dict:
    """The fields of progress.json status_of and grade_one use, each of its type or left out."""
    def count(value):
        return value if isinstance(value, int) and not isinstance(value, bool) \
            and 0 <= value < 2**63 else None
    fields = {key: count(data.get(key)) for key in ("cells_run", "cells_total",
                                                    "out_of_memory", "output_dropped")}
    fields = {key: value for key, value in fields.items() if value is not None}
    if data.get("finished") is True:
        fields["finished"] = True
    flags = data.get("flags")
    if isinstance(flags, list):
        fields["flags"] = [flag for flag in flags[:100]
                           if isinstance(flag, str) and len(flag) < 100]
    return fields


def _artifacts_of(private: Path) -> Path | None:
    """The sandbox's artifacts folder; None when what is there is not a folder (a student
    may replace it with a link into the TA's file system, which paths read later would
    follow)."""
    artifacts = private / "artifacts"
    try:
        return artifacts if stat.S_ISDIR(os.lstat(artifacts).st_mode) else None
    except OSError:
        return None


def prepare(notebook: Path, private: Path, staged: Path, uid: int):
    """Validate the submission and lay out the sandbox's private folder for ``uid``.

    The notebook is read within :mod:`~autograder.engine.notebooks`' bounds (KitError
    when it is not one); writing the validated copy for the sandbox is the last step that
    handles the student's data here, so a failure of any type in it is theirs too."""
    nb = notebooks.read(notebook)
    probes = json.loads((staged / "grading_config.json").read_text())["probes"]
    try:
        notebooks.write(nb, private / "submission.ipynb")
    except Exception as exc:
        raise KitError(f"{notebook.name}: the notebook could not be written for grading "
                       f"({type(exc).__name__})") from None
    shutil.copy(Path(__file__).with_name("sandbox.py"), private / "kit_sandbox.py")
    shutil.copy(Path(__file__).with_name("kit_codec.py"), private / "kit_codec.py")
    (private / "probes.json").write_text(json.dumps(probes))
    (private / "artifacts").mkdir()
    for path in [private, *private.rglob("*")]:
        os.chown(path, uid, uid)


def sandbox_env() -> dict:
    """A minimal environment: the TA's variables (tokens, paths) stay outside."""
    kept = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "COURSE_DATA_DIR",
                                       "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
            if k in os.environ}
    return {**kept, **GRADING_ENV, "HOME": SANDBOX_MOUNT, "PYTHONDONTWRITEBYTECODE": "1"}


def run_sandbox(private: Path, log: Path, uid: int, *, timeout, memory_bytes, hide, register):
    """Stage 1 in a cold sandbox of its own: ``timeout`` CPU seconds. Returns (timed_out,
    exit code)."""
    return run_stage(sandbox_command(private, uid, hide), log, env=sandbox_env(),
                     timeout=backstop(timeout), register=register,
                     limits=_limits(memory_bytes, cpu_seconds=timeout))


def feedback_text(question: dict, language: str = "en") -> str:
    """One line per test case; under a failed one, the sentence that says why (in the
    course's ``language``)."""
    from shared.i18n import msg_in
    lines = []
    for case in question["cases"]:
        mark = "✅" if case["passed"] else "❌"
        points = case["points"]
        worth = msg_in(language, "fb.case_points" if points == 1 else "fb.case_points_many",
                       points=f"{points:g}")
        lines.append(f"{mark} {case['name']}{worth}")  # en " (2 points)", zh "（2 分）"
        said = case_text(case)
        if said:  # why it failed; or what a passing test noted (a case it skipped, a training)
            lines.append("    " + said.replace("\n", "\n    "))
    return "\n".join(lines)


def case_text(case: dict) -> str:
    """What the feedback shows under one test case: :func:`say_once`'s wording when the
    grader stored it, else the passing test's note or the failure's readable part."""
    if "said" in case:
        return str(case["said"])
    return str(case.get("note", "")) if case.get("passed") else why(str(case.get("message", "")))


#: Failures that only say a name was never defined (or never returned): after a timeout or
#: a crash they are the knock-on of the notebook stopping, not advice ("run its cell first").
KNOCK_ON = ("not_a_function", "undefined_function", "undefined_model", "no_result",
            "not_compiled")


def _template(text: str) -> re.Pattern:
    """A catalogue sentence as a pattern to search for: each ``{field}`` between two literal
    parts matches up to 300 characters (one at either end matters not to a search)."""
    parts = re.split(r"\{[^{}]*\}", text)
    while len(parts) > 1 and not parts[0]:
        parts.pop(0)
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return re.compile(".{0,300}?".join(re.escape(part) for part in parts), re.S)


@functools.lru_cache(maxsize=1)
def _knock_on_patterns() -> list[re.Pattern]:
    from shared.i18n import LANGUAGES, MESSAGES
    return [_template(MESSAGES[key][lang]) for key in KNOCK_ON for lang in LANGUAGES]


def knock_on(text: str, scan=2000) -> bool:
    """Whether ``text`` is a knock-on sentence; those are short, so only its start is read
    (each pattern's cost grows with the text times its 300-character gaps)."""
    return any(pattern.search(text[:scan]) for pattern in _knock_on_patterns())


def say_once(results: dict, status: str, language: str) -> dict:
    """Set ``said`` on every test case of ``results``: what the student reads under it.

    Why here, once per submission: a student whose builder raised meets the same error
    under every test that needs the model; it is shown in full under the first and the
    others say "the same problem as under <test> above". A notebook that timed out or
    crashed gets that cause under the tests it never reached, instead of the knock-on
    "not defined: run its cell first". Escape codes and control characters go (a library's
    colours are boxes in a browser). Returns ``results``, changed in place.
    """
    from shared.errortext import plain
    from shared.i18n import msg_in

    first_under = {}
    for result in results.values():
        for case in result.get("cases", []):
            case.pop("said", None)
            text = plain(case_text(case))
            if not case.get("passed") and not is_crash(text):
                if status in ("timeout", "crashed") and knock_on(text):
                    text = msg_in(language, f"stopped_before.{status}")
                elif text in first_under:
                    text = msg_in(language, "same_as_above", test=first_under[text])
                else:
                    first_under[text] = case.get("name", "")
            case["said"] = text
    return results


#: How the scorer (``scorer.student_message``) words a test case that raised instead of
#: failing with the kit's sentence: a defect of the hidden tests, never the student's, which
#: ``make mutants`` counts as a kill by a crash and the CI looks for in every feedback.
TEST_STOPPED = "the test stopped with"
TEST_FAILED_SILENTLY = "the test failed"


def is_crash(message: str) -> bool:
    """Whether a failed test case's stored message is a crash of the test, not a sentence."""
    message = message.strip()
    return message.startswith(TEST_STOPPED) or message == TEST_FAILED_SILENTLY


def why(message: str) -> str:
    """The readable part of otter's failure message: our sentence, without the test's source."""
    if "ComparisonError: " in message:
        return message.split("ComparisonError: ", 1)[1].strip()
    return message.removeprefix("❌ Test case failed").strip()


def course_language(staged: Path) -> str:
    """The language the bundle's feedback speaks (``grading_config.json``, as the bundle
    was built for the course)."""
    try:
        return json.loads((staged / "grading_config.json").read_text()).get("language", "en")
    except (OSError, ValueError, AttributeError):
        return "en"


def unreadable(exc: KitError, notebook: Path, staged: Path) -> str:
    """The reason a notebook could not be read, said to the student: their file's own name
    and no folder of the grader's (the TA sees the same in the report)."""
    from shared.errortext import plain
    from shared.i18n import msg_in

    from autograder.engine.members import SaidError

    language = course_language(staged)
    reason = exc.said(language) if isinstance(exc, SaidError) else str(exc)
    for folder in sorted({str(notebook.parent), str(notebook.resolve().parent), str(staged)},
                         key=len, reverse=True):  # the deepest first
        reason = reason.replace(folder + os.sep, "").replace(folder, "")
    return msg_in(language, "unreadable_notebook", reason=plain(reason).rstrip(". "))


def status_of(timed_out, code, progress, timeout, language="en") -> tuple[str, str]:
    """The submission's status and the sentence that tells the student why, in ``language``."""
    from shared.i18n import msg_in

    if progress.get("lost"):
        where = msg_in(language, "status.record_lost")
    elif progress:
        where = msg_in(language, "status.in_cell", cell=progress.get("cells_run", 0) + 1,
                       total=progress.get("cells_total", "?"))
    else:
        where = msg_in(language, "status.before_first_cell")
    if out_of_time(timed_out, code):
        return "timeout", msg_in(language, "status.timeout", seconds=f"{timeout:.0f}",
                                 where=where)
    cell = progress.get("out_of_memory") if code == 0 else None
    if isinstance(cell, int) and not isinstance(cell, bool):
        return "crashed", msg_in(language, "status.out_of_memory", cell=cell,
                                 total=progress.get("cells_total", "?"))
    if code != 0 or not progress.get("finished"):
        how = (msg_in(language, "status.signal", signal=-code) if code and code < 0
               else msg_in(language, "status.exit_code", code=code))
        return "crashed", msg_in(language, "status.crashed", where=where, how=how)
    if "memory" in progress.get("flags", []):
        return "graded", msg_in(language, "status.memory_dropped")
    return "graded", ""


@dataclass
class Sandboxed:
    """A submission whose sandbox has run and that waits for the scorer: the first half of
    :func:`grade_one`, kept apart so that a pool may score it later (``grade.LocalPool``
    does, when a submission identical to it is being scored: see :meth:`fingerprint`).
    ``ended`` is its outcome when there is nothing to score (the notebook was refused).
    :meth:`remove` removes its folders, once scored."""

    student: str
    started: float
    work: Path
    private: Path | None = None
    ended: Outcome | None = None
    artifacts: Path | None = None
    status: str = ""
    message: str = ""
    flags: list = field(default_factory=list)
    sandbox_seconds: float = 0.0
    #: seconds it waited, sandboxed, for an identical submission to be scored (not its own
    #: grading time: left out of its ``Outcome.seconds``)
    waited: float = 0.0
    #: seconds it waited, sandboxed, for a scorer to be free (left out as well)
    queued: float = 0.0

    def fingerprint(self, staged: Path) -> str | None:
        """A digest of every artifact the scorer will read (:func:`trusted.probe_names`),
        read as the scorer's copy reads them; None when one of them is not a regular file
        within the limit. Two submissions with the same digest are scored alike, down to the
        models trained: the digest decides only which of them is scored first."""
        digest = hashlib.sha256()
        for name in trusted.probe_names(staged):
            try:
                data = trusted.read_bounded(self.artifacts / f"{name}.json",
                                            trusted.ARTIFACT_LIMIT)
            except FileNotFoundError:
                data = None
            except Exception:  # Unreadable, or anything else: no digest, scored at once
                return None
            digest.update(f"{name}\0{-1 if data is None else len(data)}\0".encode())
            digest.update(data or b"")
        return digest.hexdigest()

    def remove(self):
        if self.private is not None:
            quota.release(self.private)  # a tmpfs of its own (warm or cold): gone at once
            shutil.rmtree(self.private, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)


def _laid_out(ran: Sandboxed, notebook: Path, staged: Path, uid: int) -> bool:
    """:func:`prepare` into ``ran.private``; False, with ``ran.ended`` the student's
    ``invalid`` row, when the notebook is refused."""
    try:
        prepare(notebook, ran.private, staged, uid)
        return True
    except KitError as exc:
        ran.ended = Outcome(ran.student, "invalid", message=unreadable(exc, notebook, staged))
        return False


def run_sandboxed(notebook: Path, staged: Path, *, timeout: float, memory_bytes: int,
                  register=None, hide=(), sandbox=None) -> Sandboxed:
    """Stage 1 of :func:`grade_one`: the notebook read, laid out and run in a sandbox (the
    warm ``sandbox`` when it works, else a cold one); its status from what the run left."""
    ran = Sandboxed(notebook.stem, time.perf_counter(), Path(tempfile.mkdtemp(prefix="kit-grade-")))
    uid, claim = claim_uid()  # this machine's only live sandbox with this user
    try:
        sandboxed = None
        if sandbox is not None and not sandbox.failed:
            ran.private = sandbox.private_dir()
            if not _laid_out(ran, notebook, staged, uid):
                return ran
            sandboxed = sandbox.run(ran.private, uid, timeout=timeout, memory_bytes=memory_bytes)
            if sandboxed is None:  # the host failed: this submission starts again, cold
                quota.release(ran.private)
                shutil.rmtree(ran.private, ignore_errors=True)
        if sandboxed is None:
            ran.private = ran.work / "sandbox"
            ran.private.mkdir()
            quota.limit(ran.private)
            if not _laid_out(ran, notebook, staged, uid):
                return ran
            sandboxed = run_sandbox(ran.private, ran.work / "sandbox.log", uid, timeout=timeout,
                                    memory_bytes=memory_bytes, hide=hide, register=register)
        timed_out, code = sandboxed
        ran.sandbox_seconds = time.perf_counter() - ran.started
        found = _artifacts_of(ran.private)
        progress = _progress(found) if found else LOST
        ran.artifacts = found or ran.work / "no-artifacts"  # replaced: an empty one of ours
        ran.artifacts.mkdir(exist_ok=True)
        ran.status, ran.message = status_of(timed_out, code, progress, timeout,
                                            course_language(staged))
        # progress.json is the sandbox's own word, which a submission can rewrite: keep only
        # flag names the kit knows (they are advisory; points never depend on them).
        ran.flags = sorted({str(f) for f in progress.get("flags", []) if str(f) in FLAGS})
        if progress.get("output_dropped"):
            ran.flags.append("output_capped")
        return ran
    except BaseException:
        ran.remove()
        raise
    finally:
        release_uid(claim)  # its processes ended with its PID namespace


def score_sandboxed(ran: Sandboxed, staged: Path, *, cache: Path | None = None,
                    register=None, hide=(), scorer=None) -> Outcome:
    """Stage 2 of :func:`grade_one`: ``ran``'s artifacts scored by the trusted scorer (the
    warm ``scorer``, else a cold one), and the outcome the student's row is made of."""
    scored = trusted.score_submission(staged, ran.artifacts, ran.work, cache=cache,
                                      memory_bytes=SCORER_MEMORY_GB * 2**30,
                                      register=register, hide=hide, scorer=scorer)
    results, status, message = scored.questions, ran.status, ran.message
    language = course_language(staged)
    if not scored.complete:  # the TA reads the cause in the grader's log (make grade says)
        from shared.i18n import msg_in
        done = sum(len(r["cases"]) for r in results.values())
        status, message = "error", msg_in(language, "grader_stopped", done=done)
        print(f"{ran.student}: the trusted scorer stopped ({scored.failure}) after {done} "
              f"test(s); grade it again with --regrade", file=sys.stderr)
    say_once(results, status, language)
    return Outcome(ran.student, status,
                   {q: float(r["score"]) for q, r in results.items()},
                   {q: feedback_text(r, language) for q, r in results.items()},
                   message=message,
                   seconds=time.perf_counter() - ran.started - ran.waited - ran.queued,
                   train_seconds=scored.train_seconds, flags=ran.flags,
                   sandbox_seconds=ran.sandbox_seconds, reused=scored.reused, results=results)


def grade_one(notebook: Path, staged: Path, *, timeout: float, memory_bytes: int,
              register=None, hide=(), cache: Path | None = None,
              scorer=None, sandbox=None) -> Outcome:
    """Grade ``notebook`` against the staged bundle; never raises for what a submission does.

    ``timeout`` and ``memory_bytes`` are the sandbox's CPU seconds and address space (the
    scorer's is :data:`SCORER_MEMORY_GB`, whatever the submission). ``cache`` (trusted
    training results to reuse) must be inside one of ``hide``.
    ``scorer`` and ``sandbox``: warm workers (:mod:`autograder.engine.warm`) to use instead
    of starting a scorer and a sandbox for this submission alone.
    """
    ran = run_sandboxed(notebook, staged, timeout=timeout, memory_bytes=memory_bytes,
                        register=register, hide=hide, sandbox=sandbox)
    try:
        return ran.ended or score_sandboxed(ran, staged, cache=cache, register=register,
                                            hide=hide, scorer=scorer)
    finally:
        ran.remove()


def kill_group(process):
    """Kill a stage and everything it started (bubblewrap takes its PID namespace along)."""
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for child in family:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    process.wait()
