"""Grade one submission with ``otter run`` in its own process group.

Each submission runs in a private temporary folder holding a copy of the
notebook (the student's file is never touched), under a wall-clock timeout
and an address-space limit, with TensorFlow pinned to one thread so that the
same submission always gets the same score.
"""
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from autograder import notebooks
from autograder.assignments import KitError

#: Environment that makes TensorFlow deterministic and quiet in the grading kernel.
GRADING_ENV = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "Agg",
}
TIMINGS_ENV = "KIT_TIMINGS_FILE"  # where gradelib records stage durations
LOG_TAIL_BYTES = 4000
DEFAULT_MEMORY_GB = 8  # address space per submission; TensorFlow reserves a lot of it


@dataclass
class Outcome:
    """What grading one submission produced."""

    student: str
    status: str  # graded | timeout | crashed | invalid
    scores: dict = field(default_factory=dict)  # question -> points earned
    outputs: dict = field(default_factory=dict)  # question -> feedback text
    message: str = ""
    seconds: float = 0.0
    train_seconds: float = 0.0


def _limit_memory(limit_bytes):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return apply


def _tail(path: Path, size=LOG_TAIL_BYTES) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, path.stat().st_size - size))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _train_seconds(timings: Path) -> float:
    """Seconds the hidden tests spent training, as they recorded them."""
    if not timings.exists():
        return 0.0
    total = 0.0
    for line in timings.read_text().splitlines():
        try:
            record = json.loads(line)
            if str(record["stage"]).startswith("train"):
                total += float(record["seconds"])
        except (ValueError, KeyError, TypeError):
            continue
    return total


def parse_results(path: Path) -> tuple[dict, dict]:
    """Per-question scores and feedback from otter's Gradescope-format results.json."""
    results = json.loads(path.read_text())
    scores, outputs = {}, {}
    for test in results.get("tests", []):
        if "score" not in test:  # otter's "Public Tests" summary entry
            continue
        scores[test["name"]] = float(test["score"])
        outputs[test["name"]] = test.get("output", "")
    return scores, outputs


def prepare(notebook: Path, folder: Path) -> Path:
    """Validate the submission and copy it, with the standard kernel, into ``folder``."""
    nb = notebooks.read(notebook)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return notebooks.write(nb, folder / "submission.ipynb")


def grade_one(notebook: Path, autograder_zip: Path, *, timeout: float, memory_bytes: int,
              register=None) -> Outcome:
    """Grade ``notebook``; never raises for anything the submission does."""
    student = notebook.stem
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix=f"grade-{student[:40]}-"))
    try:
        try:
            submission = prepare(notebook, folder)
        except KitError as exc:
            return Outcome(student, "invalid", message=str(exc))
        out = folder / "out"
        out.mkdir()
        log = folder / "otter.log"
        timings = folder / "timings.jsonl"
        env = {**os.environ, **GRADING_ENV, TIMINGS_ENV: str(timings)}
        command = [sys.executable, "-m", "otter", "run", "-a", str(autograder_zip),
                   str(submission), "-o", str(out)]
        with open(log, "wb") as sink:
            process = subprocess.Popen(command, cwd=folder, env=env, stdout=sink,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True,
                                       preexec_fn=_limit_memory(memory_bytes))
            if register:
                register(process)
            try:
                process.wait(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                kill_group(process)
        seconds = time.perf_counter() - started
        results = out / "results.json"
        if timed_out:
            return Outcome(student, "timeout", seconds=seconds,
                           message=f"stopped after {timeout:.0f} s (wall-clock limit): "
                                   f"does a cell or a graded function loop forever?")
        if not results.exists():
            tail = _tail(log)
            return Outcome(student, "crashed", seconds=seconds,
                           message=f"{crash_reason(tail, memory_bytes)} No test result was "
                                   f"written (otter exit code {process.returncode}). "
                                   f"Last output:\n{tail[-1500:]}")
        scores, outputs = parse_results(results)
        return Outcome(student, "graded", scores, outputs, seconds=seconds,
                       train_seconds=_train_seconds(timings))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def crash_reason(log_tail: str, memory_bytes: int) -> str:
    """A sentence saying why otter wrote no results, from the end of its log."""
    if "MemoryError" in log_tail or "bad_alloc" in log_tail:
        return f"The notebook ran out of memory (limit {memory_bytes / 2**30:g} GiB)."
    if "DeadKernelError" in log_tail:
        return ("The notebook's kernel died while its cells ran: a cell may call os._exit, "
                "kill its own process, exhaust memory or crash a native library.")
    return "Grading stopped before the tests ran."


def kill_group(process):
    """Kill otter, its kernel and anything they started.

    Jupyter starts kernels in a session of their own, so killing otter's
    process group is not enough: walk the process tree as well.
    """
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
