"""The trusted scorer's walls, and what crosses them in each direction.

The scorer runs no student code, but it reads data a submission controls, and
the kit does not bet everything on reading it right (``modelspec``). So the
scorer also runs with the least privilege that works: under bubblewrap, with
no network, as a user of its own (the last uid of the grader's range, which no
sandbox gets), with no capabilities and ``no_new_privs``, on a read-only view
of the file system in which the submissions, the run folders, the kit's tests,
solutions and builds are masked. It sees the staged bundle and the training
cache read-only, one inbox read-only and one out-folder it may write.

What crosses:

- in: :func:`copy_artifacts` copies the sandbox's artifacts into the inbox,
  done by the grader, which opens each one without following links, takes
  regular files of a bounded size named after the probes, and nothing else;
- out: :func:`read_scores` reads the scores back (size-bounded, checked), and
  :func:`keep_trained` is the one narrow function that adds the scorer's new
  training results to the cache: only after a clean, complete run, only
  well-formed entries, never over an existing one.
"""
import json
import math
import os
import re
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.engine import runner

ARTIFACT_LIMIT = 5_000_000  # bytes per artifact, as the scorer reads them
SCORES_LIMIT = 2_000_000  # bytes of score.json
ENTRY_LIMIT = 10_000  # bytes of one training result
#: Folders of the repo the scorer does not need to see (it needs autograder/: its own code).
SCORER_MASKED = ("solutions", "tests", "dist", "runs", ".git")
ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.json")
ENTRY_KEYS = {"value", "seconds", "dataset"}
MAX_RESUMES = 50  # fresh scorers per submission after one ended inside a test (one per test)


class Unreadable(Exception):
    """Why a file another process wrote is not read (its text ends "the artifact for x ...")."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, opened
    without following a link (a FIFO does not block either); FileNotFoundError when there is
    none, :class:`Unreadable` saying why otherwise. Every file that crosses the scorer's
    walls, either way, is read through here."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError:
        raise Unreadable("is not a regular file") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("is not a regular file")
        if info.st_size > limit:
            raise Unreadable(f"is {info.st_size:,} bytes, over the limit")
        data = f.read(limit + 1)
    if len(data) > limit:  # it grew while we read
        raise Unreadable("is over the size limit")
    return data


def scorer_uid() -> int:
    """The scorer's own user: the last of the grader's range (sandboxes get the others)."""
    return runner.uid_range()[-1]


def grant(path: Path, uid: int):
    """Make ``path`` (a file or a tree) the scorer user's own, private to it."""
    for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
        if not item.is_symlink():
            os.chown(item, uid, uid)


def scorer_env(outbox: Path, extra: dict) -> dict:
    """A minimal environment: nothing of the TA's (tokens, paths) reaches the scorer. Its
    home and temporary folder are in ``outbox``, the one place it may write."""
    kept = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "KIT_UID_BASE", "KIT_LANG",
                                       "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
            if k in os.environ}
    return {**kept, **runner.GRADING_ENV, "HOME": str(outbox / ".home"),
            "TMPDIR": str(outbox / ".tmp"), "MPLCONFIGDIR": str(outbox / ".home" / "matplotlib"),
            "PYTHONDONTWRITEBYTECODE": "1", **extra}


def scorer_command(program: list[str], *, staged: Path, inbox: Path, outbox: Path,
                   cache: Path | None, hide=()) -> list[str]:
    """bubblewrap around ``program`` for the scorer: read-only but for ``outbox``."""
    command = runner.walls(hide, masked=SCORER_MASKED)
    binds = [("--ro-bind", staged), ("--ro-bind", inbox), ("--bind", outbox)]
    if cache is not None:
        binds.append(("--ro-bind", cache))
    emptied = [Path(p) for p in (*runner.SCRATCH, *runner.masked_paths(hide, SCORER_MASKED))]
    for how, path in binds:
        # folders on the way that bubblewrap makes inside an emptied one get the source's
        # modes (0700 from mkdtemp): made first, so that the scorer's user may pass
        parents = [p for p in reversed(path.parents) if any(p.is_relative_to(e) and p != e
                                                            for e in emptied)]
        for parent in parents:
            command += ["--perms", "0755", "--dir", str(parent)]
        command += [how, str(path), str(path)]
    command += ["--chdir", str(outbox)]
    uid = scorer_uid()
    return [*command, "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", *program]


def scorer_program(*args: str) -> list[str]:
    return [sys.executable, "-m", "autograder.engine.scorer", *args]


def copy_artifacts(artifacts: Path, inbox: Path, names):
    """The artifacts of ``names`` copied from the sandbox's folder into ``inbox``.

    A link, a folder, a device or an oversized file becomes an error record the
    scorer reports, so the tests of that name fail and the others score.
    """
    inbox.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = artifacts / f"{name}.json"
        try:
            data = read_bounded(source, ARTIFACT_LIMIT)
        except FileNotFoundError:
            continue
        except Unreadable as why:
            data = refused(name, why)
        _write(inbox / source.name, data)
    os.chmod(inbox, 0o755)


def refused(name, why) -> bytes:
    """The error record that stands for an artifact that could not be read."""
    return json.dumps({"error": f"ValueError: the artifact for {name} {why}"}).encode()


def _write(path: Path, data: bytes):
    path.write_bytes(data)
    os.chmod(path, 0o644)


def make_outbox(outbox: Path) -> Path:
    """A folder only the scorer's user may write, with its home and temporary folder."""
    for folder in (outbox, outbox / ".home", outbox / ".tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    grant(outbox, scorer_uid())
    os.chmod(outbox, 0o700)
    return outbox


def read_scores(outbox: Path) -> dict | None:
    """The scorer's ``score.json``: {"questions", "complete", "tainted"}, or None.

    Read as the output of a process that saw hostile data: bounded, no links,
    the expected shape, points recomputed from the cases.
    """
    try:
        data = json.loads(read_bounded(outbox / "score.json", SCORES_LIMIT))
        questions = {}
        for name, question in data["questions"].items():
            cases = [{"name": str(c["name"])[:200], "points": float(c["points"]),
                      "passed": c["passed"] is True, "message": str(c["message"])[:6000],
                      "note": str(c.get("note", ""))[:2000]}
                     for c in question["cases"]]
            questions[str(name)[:100]] = {
                "score": sum(c["points"] for c in cases if c["passed"]),
                "max": sum(c["points"] for c in cases), "cases": cases}
        running = data.get("running")
        running = ({"question": str(running["question"])[:100],
                    "case": str(running["case"])[:200],
                    "points": float(running["points"])} if running else None)
        return {"questions": questions, "complete": data["complete"] is True,
                "tainted": [str(t)[:80] for t in data.get("tainted", [])][:20],
                "running": running}
    except (OSError, Unreadable, ValueError, KeyError, TypeError, AttributeError):
        return None


def resume_after(inbox: Path, scores: dict, failure: str, out_of_time: bool,
                 language: str = "en") -> bool:
    """After a scorer ended inside a test (``scores["running"]``): fail that test with a
    sentence and write what was scored into the inbox (``scorer.RESUME``), so that a fresh
    scorer scores the rest. False when it did not end inside a test (nothing to resume).
    The sentence is in ``language``, the course's."""
    from autograder.engine.scorer import RESUME, over_limit_message
    from shared.i18n import msg_in

    running = scores["running"]
    if not running:
        return False
    message = over_limit_message(language) if out_of_time else msg_in(
        language, "test.stopped_grader", failure=failure)
    done = {q: r["cases"] for q, r in scores["questions"].items()}
    done.setdefault(running["question"], []).append(
        {"name": running["case"], "points": running["points"], "passed": False,
         "message": message, "note": ""})
    previous = _read_resume(inbox / RESUME)
    for question, cases in previous.items():  # an earlier resume's failed cases stay failed
        names = {c["name"] for c in done.get(question, [])}
        done.setdefault(question, []).extend(c for c in cases if c["name"] not in names)
    os.chmod(inbox, 0o755)
    _write(inbox / RESUME, json.dumps({"questions": done}).encode())
    return True


def _read_resume(path: Path) -> dict:
    try:
        return json.loads(read_bounded(path, SCORES_LIMIT))["questions"]
    except (OSError, Unreadable, ValueError, KeyError):
        return {}


def open_cache(cache: Path):
    """The training cache, made if missing, readable (not writable) by the scorer's user."""
    cache.mkdir(parents=True, exist_ok=True)
    os.chmod(cache, 0o755)


def keep_trained(outbox: Path, cache: Path | None) -> int:
    """Add the training results the scorer measured to ``cache``; how many were added.

    Called only after a clean, complete run. Each entry must be a small regular
    file named by its 64-hex key holding {"value", "seconds", "dataset"} with
    finite numbers; an entry already in the cache is never replaced.
    """
    folder = outbox / "trained"
    if cache is None or folder.is_symlink() or not folder.is_dir():
        return 0
    cache.mkdir(parents=True, exist_ok=True)
    added = 0
    for path in folder.iterdir():
        target = cache / path.name
        if not ENTRY_NAME.fullmatch(path.name) or target.exists():
            continue
        entry = _entry(path)
        if entry is None:
            continue
        tmp = cache / f".{path.name}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(entry))
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, target)  # fails if another job added it meanwhile: keep theirs
            added += 1
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return added


def _entry(path: Path) -> dict | None:
    try:
        entry = json.loads(read_bounded(path, ENTRY_LIMIT))
    except (OSError, Unreadable, ValueError):
        return None
    if not isinstance(entry, dict) or set(entry) != ENTRY_KEYS:
        return None
    value, seconds, dataset = entry["value"], entry["seconds"], entry["dataset"]
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
               for x in (value, seconds)) or seconds < 0:
        return None
    if not isinstance(dataset, str) or not re.fullmatch(r"[a-z0-9_]{1,40}", dataset):
        return None
    return {"value": float(value), "seconds": float(seconds), "dataset": dataset}


def run_cold(staged: Path, inbox: Path, outbox: Path, log: Path, *, memory_bytes, register,
             cache: Path | None, hide, timeout) -> tuple[bool, int | None]:
    """One scorer process for one submission, behind the walls. Returns (timed out, exit code)."""
    env = {runner.TIMINGS_ENV: str(outbox / "timings.jsonl")}
    if cache is not None:
        env[runner.CACHE_ENV] = str(cache)
    command = scorer_command(scorer_program(str(staged), str(inbox), str(outbox)),
                             staged=staged, inbox=inbox, outbox=outbox, cache=cache, hide=hide)
    return runner.run_stage(command, log, env=scorer_env(outbox, env), timeout=timeout,
                            limits=runner._limits(memory_bytes, sandbox=False), register=register)


def prepare_staged(staged: Path):
    """The staged bundle readable by the scorer's user (and only by it and root)."""
    grant(staged, scorer_uid())


def probe_names(staged: Path) -> list[str]:
    return list(json.loads((staged / "grading_config.json").read_text())["probes"])


@dataclass
class Scored:
    """What the trusted scorer gave for one submission."""

    questions: dict = field(default_factory=dict)
    complete: bool = False
    failure: str = ""  # why the scorer did not finish, for the TA
    train_seconds: float = 0.0
    reused: int = 0
    kept: int = 0  # new training results added to the cache


def score_submission(staged: Path, artifacts: Path, work: Path, *, cache: Path | None,
                     memory_bytes: int, register=None, hide=(), scorer=None) -> Scored:
    """Stage 2 for one submission: artifacts in, scores out, new training results kept
    after a clean run. ``scorer``: a warm one (``warm.WarmScorer``), else a cold process."""
    if scorer is not None:
        inbox, outbox = scorer.slot()
    else:
        inbox, outbox = work / "inbox", work / "outbox"
    if cache is not None:
        open_cache(cache)
    try:
        copy_artifacts(artifacts, inbox, probe_names(staged))
        make_outbox(outbox)
        resumed = 0
        while True:
            if scorer is not None:
                failure = scorer.score(inbox, outbox, cache)
                code = scorer.last_code
            else:
                prepare_staged(staged)
                log = work / "scorer.log"
                timed_out, code = run_cold(staged, inbox, outbox, log,
                                           memory_bytes=memory_bytes, register=register,
                                           cache=cache, hide=hide, timeout=runner.SCORER_TIMEOUT)
                failure = (f"timed out after {runner.SCORER_TIMEOUT} s" if timed_out
                           else f"exit code {code}" if code else "")
                if failure:
                    print(f"scorer log ({failure}):\n{runner._tail(log)[-1500:]}",
                          file=sys.stderr)
            scores = read_scores(outbox) or {"questions": {}, "complete": False,
                                             "tainted": [], "running": None}
            # Ended inside a test (its CPU limit, held by the kernel; a native crash): that
            # test fails with a sentence and a fresh scorer scores the rest.
            if not failure or resumed >= MAX_RESUMES or not resume_after(
                    inbox, scores, failure, runner.out_of_time(False, code),
                    runner.course_language(staged)):
                break
            resumed += 1
        complete = scores["complete"] and not failure
        train_seconds, reused = runner._stage_times(outbox / "timings.jsonl")
        # A run that had to be resumed was not clean: what it trained is not kept.
        kept = keep_trained(outbox, cache) if complete and not scores["tainted"] \
            and not resumed else 0
        if complete and scores["tainted"]:
            print(f"warning: the scorer's global state changed while scoring "
                  f"({', '.join(scores['tainted'])}); its training results were not kept",
                  file=sys.stderr)
        return Scored(scores["questions"], complete,
                      "" if complete else failure or "no complete scores", train_seconds,
                      reused, kept)
    finally:
        if scorer is not None:
            remove(inbox)
            remove(outbox)


def remove(path: Path):
    shutil.rmtree(path, ignore_errors=True)
