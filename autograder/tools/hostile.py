"""The hostile files of issue 21, from one source, and the issue's "done when" measurement.

Two suites attack the TA's own process: ``tests/test_ta_attacks.py`` hands it hostile
*notebooks* (malformed, huge, deep, long digits, many cells, big outputs, code too deep for
similarity) and ``tests/test_lms_attacks.py`` hostile *zip member names* (climbing out, a
link, not UTF-8, a newline, one name twice, an encrypted later file, a case twin, strays).
Their makers live here, so that the measurement throws exactly what the tests throw.

``python -m autograder.tools.hostile [--jobs N]`` (the end of ``make bench``) measures what
issue 21 asks: one Canvas download holding the honest students and one file of each kind
from both suites finishes with one row per student, the honest scores identical to grading
them alone, the grader's peak memory under 1 GB above its baseline and its wall time under
2x that of the honest students alone, and ``make similarity`` on it finishes. Both classes
are graded as ``make grade`` grades (:func:`autograder.grade.grade_class`, in this process,
so that psutil samples the grader itself and not its sandboxes, which have limits of their
own), in ``runs/hostile/<time>/``.

The honest students are Tuning's ``reference`` and ``alternative`` samples: every hostile
notebook is Tuning's reference with one thing changed (its fill cells ``best_epoch``,
``results_table``, ``build_model``), so the valid ones train no model the reference did not
(the training cache reuses it), and Tuning's correct submission is the cheapest to grade of
the five (``make bench``: 8 s, Getting Started 11 s). Getting Started would need makers of
its own for the same files.
"""
import argparse
import json
import os
import stat
import threading
import time
import uuid
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat
import psutil

from autograder import assignments, course, grade, similarity
from autograder.assignments import REPO_ROOT
from autograder.engine import notebooks, report
from autograder.tools import demo, downloads, samples, scale

NAME = "tuning"
HONEST = ("reference", "alternative")
#: The issue's bounds: the grader's own peak memory above its baseline, and the wall time of
#: the hostile class against the honest students alone.
PEAK_BYTES = 2**30
WALL_RATIO = 2.0


# --- hostile notebooks (tests/test_ta_attacks.py) ------------------------------------------

def reference() -> dict:
    """The reference sample's notebook as JSON (a fresh copy each time)."""
    tuning = assignments.get(NAME)
    sample = next(s for s in samples.samples_of(tuning) if s.id == "reference")
    return json.loads(nbformat.writes(samples.notebook_for(tuning, sample)))


def with_top(tail: str) -> str:
    """The reference's JSON with ``"x": <tail>`` added at its top level."""
    return json.dumps(reference())[:-1] + ', "x": ' + tail + "}"


def fill_cell(nb: dict, key: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("kit", {}).get("fill") == key)


def appended(key: str, code: str) -> str:
    """The reference with ``code`` after its own in the fill cell ``key``."""
    nb = reference()
    cell = fill_cell(nb, key)
    cell["source"] = "".join(cell["source"]) + "\n" + code
    return json.dumps(nb)


def with_outputs(sizes) -> str:
    """The reference with stream outputs of these sizes (characters) on its first code cell."""
    nb = reference()
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "y" * size}
                       for size in sizes]
    return json.dumps(nb)


def kit_metadata_broken() -> str:
    nb = reference()
    for cell in nb["cells"]:
        if "kit" in cell["metadata"]:
            cell["metadata"]["kit"] = ["fill", {"deep": [1]}]
    return json.dumps(nb)


def source_not_text() -> str:
    nb = reference()
    nb["cells"][1]["source"] = {"code": 1}
    return json.dumps(nb)


def many_cells() -> str:
    nb = reference()
    nb["cells"] += [{"cell_type": "markdown", "id": f"m{i}", "metadata": {}, "source": "."}
                    for i in range(notebooks.MAX_CELLS)]
    return json.dumps(nb)


def deep_lines(total: int) -> str:
    """``total`` characters of lines, each a list nested 90 deep (CPython's parser stops
    at 200)."""
    line = "_deep = " + "[" * 90 + "0" + "]" * 90 + "\n"
    return line * (total // len(line))


def over_the_limit() -> bytes:
    """1 byte over the notebook size limit (zeros: a folder writes it sparse, a zip deflates
    it to a few KB)."""
    return bytes(notebooks.MAX_NOTEBOOK_BYTES + 1)


#: kind -> (its maker, the status its student gets). Valid files get the reference's points.
#: A cell that leaves a FIFO where the sandbox writes progress.json and takes its own write
#: permission away, so that the sandbox stops with the FIFO in place: opening it would wait
#: for a writer for ever (the TA's process did, 2026-12-05, and the class with it).
FIFO_PROGRESS = """
import os as _os
if _os.path.exists("artifacts/progress.json"):
    _os.remove("artifacts/progress.json")
_os.mkfifo("artifacts/progress.json")
_os.chmod("artifacts", 0o500)
"""
#: A cell that replaces the artifacts folder with a link into the file system, which the
#: TA's process would follow when it reads the artifacts.
ARTIFACTS_LINK = """
import os as _os, shutil as _shutil
_shutil.rmtree("artifacts")
_os.symlink("/etc", "artifacts")
"""
NOTEBOOK_ATTACKS = {
    "truncated": (lambda: json.dumps(reference())[:4000], "invalid"),
    "not_utf8": (lambda: json.dumps(reference()).encode()[:-1] + b', "x": "\xff\xfe"}',
                 "invalid"),
    "json_list": (lambda: "[" + json.dumps(reference()) + "]", "invalid"),
    "huge_file": (over_the_limit, "invalid"),
    "digits_5000": (lambda: with_top("9" * 5000), "invalid"),
    "deep_arrays": (lambda: with_top("[" * 100_000 + "]" * 100_000), "invalid"),
    "deep_objects": (lambda: with_top('{"a": ' * 100_000 + "1" + "}" * 100_000), "invalid"),
    "many_values": (lambda: with_top("[" + "{}," * 300_000 + "{}]"), "invalid"),
    "many_cells": (many_cells, "invalid"),
    "huge_output": (lambda: with_outputs([notebooks.MAX_OUTPUT_CHARS]), "invalid"),
    "source_not_text": (source_not_text, "invalid"),
    "nbformat_99": (lambda: json.dumps({**reference(), "nbformat": 99}), "invalid"),
    "lone_surrogate": (lambda: appended("best_epoch", "# \ud800"), "invalid"),
    # valid, graded as the reference is
    "big_outputs": (lambda: with_outputs([4 * 2**20] * 3), "graded"),
    "kit_metadata": (kit_metadata_broken, "graded"),
    "sum_2000": (lambda: appended("best_epoch", "_total = " + "+".join(["1"] * 2000)), "graded"),
    "deep_90kb": (lambda: appended("results_table", deep_lines(90_000)), "graded"),
    "deep_3mb": (lambda: appended("build_model", deep_lines(3 * 2**20)), "graded"),
    # the sandbox's own files, replaced by the student's code for the TA's process to read
    "fifo_progress": (lambda: appended("best_epoch", FIFO_PROGRESS), "crashed"),
    "artifacts_link": (lambda: appended("best_epoch", ARTIFACTS_LINK), "crashed"),
}
#: Files the budget of similarity leaves out, with the cell (the report lists them).
OVER_BUDGET = {("deep_3mb", "build_model")}


def notebook_bytes(kind: str) -> bytes:
    content = NOTEBOOK_ATTACKS[kind][0]()
    return content if isinstance(content, bytes) else content.encode()


def write_notebooks(folder: Path):
    """Each hostile notebook as ``<kind>.ipynb`` in ``folder`` (the file over the size limit
    sparse)."""
    for kind in NOTEBOOK_ATTACKS:
        path = folder / f"{kind}.ipynb"
        if kind == "huge_file":
            with open(path, "wb") as f:
                f.truncate(notebooks.MAX_NOTEBOOK_BYTES + 1)
        else:
            path.write_bytes(notebook_bytes(kind))


# --- hostile member names (tests/test_lms_attacks.py) --------------------------------------

def write_zip(path: Path, members: list, compression: int = zipfile.ZIP_STORED) -> Path:
    """A zip of (name, data, kind) members; kind: "" plain, "link", "encrypted", "not-utf8"
    (written with an 'ä' then patched to bytes that are not UTF-8, the UTF-8 flag kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")  # duplicate names are the point
        for name, data, kind in members:
            info = zipfile.ZipInfo(name, date_time=(2027, 3, 15, 12, 0, 0))
            info.external_attr = ((stat.S_IFLNK | 0o777) if kind == "link" else 0o644) << 16
            info.compress_type = compression
            archive.writestr(info, data)
    raw = bytearray(path.read_bytes())
    for name in {name.encode() for name, _, kind in members if kind == "encrypted"}:
        # zipfile writes no encrypted member: set the flag in both of its headers.
        start = raw.find(name)
        while start >= 0:
            for signature, back, flags in ((b"PK\x01\x02", 46, 8), (b"PK\x03\x04", 30, 6)):
                if raw[start - back:start - back + 4] == signature:
                    raw[start - back + flags] |= 0x1
            start = raw.find(name, start + 1)
    raw = bytes(raw)
    for name in {name for name, _, kind in members if kind == "not-utf8"}:
        raw = raw.replace(name.encode(), name.encode().replace("ä".encode(), b"\xff\xfe"))
    path.write_bytes(raw)
    return path


def canvas_name(person, attachment: int, file: str = "week3.ipynb") -> str:
    return f"{person.lastfirst}_{person.canvas_id}_{attachment}_{file}"


#: kind -> the status of its student's row (each student's own file is ``good`` unless said).
MEMBER_ATTACKS = {
    "climbs_out": "invalid",      # week3\..\..\..\<escape>: Canvas keeps the student's name
    "link": "invalid",            # a symbolic link to /etc/passwd
    "not_utf8": "invalid",        # flagged UTF-8, holds \xff\xfe
    "newline": "graded",          # week\n3.ipynb: noted, graded
    "same_name": "invalid",       # two members of one name (good, then other)
    "encrypted_later": "graded",  # good, then a later encrypted file (refused): good counts
    "case_twin": "graded",        # week3\u202egnp.ipynb and WEEK3... (other): both kept
}
#: Members no student can be found for (a relative and an absolute path out): each an
#: ``invalid`` row of its own.
STRAY_MEMBERS = 2


def member_attacks(persons: list, good: bytes, other: bytes, escape: str) -> list:
    """(name, data, kind) members: one file per kind of :data:`MEMBER_ATTACKS` for each of
    ``persons`` (in that order), then the :data:`STRAY_MEMBERS`. ``escape`` is the file name
    they try to write outside the download (a test checks it never appears)."""
    p = dict(zip(MEMBER_ATTACKS, persons, strict=True))
    number = {kind: 7731100 + i for i, kind in enumerate(MEMBER_ATTACKS)}

    def named(kind, file="week3.ipynb", attachment=None):
        return canvas_name(p[kind], attachment or number[kind], file)
    return [
        (named("climbs_out", f"week3\\..\\..\\..\\{escape}"), good, ""),
        (named("link"), b"/etc/passwd", "link"),
        (named("not_utf8", "weekä.ipynb"), good, "not-utf8"),
        (named("newline", "week\n3.ipynb"), good, ""),
        (named("same_name"), good, ""),
        (named("same_name"), other, ""),
        (named("encrypted_later"), good, ""),
        (named("encrypted_later", attachment=number["encrypted_later"] + 100), other, "encrypted"),
        (named("case_twin", "week3\u202egnp.ipynb"), good, ""),
        (named("case_twin", "WEEK3\u202egnp.ipynb"), other, ""),
        (f"../../../../../../tmp/{escape}", good, ""),
        (f"/tmp/abs-{escape}", good, ""),
    ]


# --- one Canvas download with every kind ---------------------------------------------------

@dataclass
class HostileDownload:
    """A Canvas download, its roster, and what grading it must give."""

    zip: Path
    roster: Path
    expected: dict       # roster id -> status
    kinds: dict          # roster id -> the sample or the kind of attack it holds
    honest: dict         # sample id (reference, alternative) -> roster id
    strays: int          # rows beyond the roster's, each invalid
    escape: str          # the file name the strays try to write outside


def honest_notebooks() -> dict:
    """Tuning's honest samples: id -> notebook bytes."""
    tuning = assignments.get(NAME)
    return {s.id: nbformat.writes(samples.notebook_for(tuning, s)).encode()
            for s in samples.samples_of(tuning) if s.id in HONEST}


def canvas_download(folder: Path, hostile: bool = True) -> HostileDownload:
    """``folder/submissions.zip`` in Canvas's naming and ``folder/roster.csv`` (the kit's
    columns, Canvas user ids as ``lms_id``): the honest students and, with ``hostile``, one
    student per hostile notebook and per hostile member name, and the strays."""
    persons = downloads.people(len(HONEST) + len(NOTEBOOK_ATTACKS) + len(MEMBER_ATTACKS))
    honest = honest_notebooks()
    members = [(canvas_name(p, 7730000 + i), honest[sample], "")
               for i, (p, sample) in enumerate(zip(persons, HONEST))]
    expected = {p.id: "graded" for p in persons[:len(HONEST)]}
    kinds = {p.id: sample for p, sample in zip(persons, HONEST)}
    escape = f"evil-{uuid.uuid4().hex}.ipynb"
    if hostile:
        rest = persons[len(HONEST):]
        for i, (p, (kind, (_, status))) in enumerate(zip(rest, NOTEBOOK_ATTACKS.items())):
            members.append((canvas_name(p, 7731000 + i, f"{kind}.ipynb"), notebook_bytes(kind), ""))
            expected[p.id], kinds[p.id] = status, kind
        by_name = rest[len(NOTEBOOK_ATTACKS):]
        members += member_attacks(by_name, honest["reference"], honest["alternative"], escape)
        expected.update({p.id: status for p, status in zip(by_name, MEMBER_ATTACKS.values())})
        kinds.update({p.id: kind for p, kind in zip(by_name, MEMBER_ATTACKS)})
    else:
        persons = persons[:len(HONEST)]
    return HostileDownload(
        write_zip(folder / "submissions.zip", members, zipfile.ZIP_DEFLATED),
        downloads.write_roster(folder / "roster.csv", persons, style="kit"), expected, kinds,
        dict(zip(HONEST, (p.id for p in persons))), STRAY_MEMBERS if hostile else 0, escape)


def statuses_as_expected(rows: dict, download: HostileDownload) -> list[str]:
    """What differs from the expected rows: one per student, strays invalid (empty: none)."""
    wrong = [f"{sid}: {rows[sid]['status'] if sid in rows else 'no row'}, expected {status}"
             for sid, status in download.expected.items()
             if rows.get(sid, {}).get("status") != status]
    strays = [sid for sid in rows if sid not in download.expected]
    if len(strays) != download.strays or any(rows[s]["status"] != "invalid" for s in strays):
        wrong.append(f"rows beyond the roster: {sorted(strays)}, expected {download.strays} "
                     f"invalid")
    return wrong


# --- the measurement ----------------------------------------------------------------------

class PeakMemory:
    """This process's peak resident memory above its level at the start, sampled."""

    def __init__(self):
        self.process, self.stop = psutil.Process(), threading.Event()
        self.baseline = self.peak = self.process.memory_info().rss
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    @property
    def above(self) -> int:
        return self.peak - self.baseline


def comparable_rows(out: Path) -> dict:
    """grades.csv's rows, without when and where each file was read or how long it took."""
    drop = {"seconds", "submitted_at", "source"}
    return {row["id"]: {k: v for k, v in row.items() if k not in drop}
            for row in report.read_csv(out / "grades.csv")}


def _graded(download: HostileDownload, out: Path, jobs: int, timeout: float) -> dict:
    load = os.getloadavg()[0]
    started = time.perf_counter()
    grade.grade_class(NAME, download.zip, out, jobs=jobs, timeout=timeout,
                      progress=False, roster=download.roster,
                      course_file=course.COURSE_FILE)
    return {"seconds": time.perf_counter() - started, "load": (load, os.getloadavg()[0]),
            "rows": comparable_rows(out),
            "stages": {r["id"]: r for r in report.read_csv(out / "stages.csv")}}


def measure(root: Path, jobs: int, timeout: float) -> dict:
    """Grade the honest students alone, then the hostile download, then make similarity."""
    alone_dl = canvas_download(root / "download-alone", hostile=False)
    class_dl = canvas_download(root / "download")
    alone = _graded(alone_dl, root / "run-alone", jobs, timeout)
    with PeakMemory() as memory:
        hostile = _graded(class_dl, root / "run", jobs, timeout)
    started = time.perf_counter()
    similarity.main(["--out", str(root / "run")])  # exits (SystemExit) if it cannot finish
    rows = hostile["rows"]
    return {"alone": alone, "hostile": hostile, "download": class_dl, "memory": memory.above,
            "similarity": time.perf_counter() - started,
            "wrong": statuses_as_expected(rows, class_dl),
            "honest": {sample: (alone["rows"].get(alone_dl.honest[sample], {}).get("total"),
                                rows.get(class_dl.honest[sample], {}).get("total"),
                                alone["rows"].get(alone_dl.honest[sample])
                                == rows.get(class_dl.honest[sample]))
                       for sample in HONEST},
            "graded": sum(1 for r in rows.values() if r["status"] == "graded"),
            "escaped": any(Path("/tmp", name).exists()
                           for name in (class_dl.escape, "abs-" + class_dl.escape))}


def print_table(m: dict):
    hostile, alone = m["hostile"], m["alone"]
    counts = Counter(r["status"] for r in hostile["rows"].values())
    expected = Counter(m["download"].expected.values()) + Counter(invalid=m["download"].strays)
    print(f"\nissue 21, one Canvas download: {len(HONEST)} honest Tuning students, "
          f"{len(NOTEBOOK_ATTACKS)} hostile notebooks, {len(MEMBER_ATTACKS)} students with a "
          f"hostile member name, {m['download'].strays} stray members")
    print(f"{'status':<10} {'rows':>5} {'expected':>9}")
    for status in sorted(set(counts) | set(expected)):
        print(f"{status:<10} {counts[status]:>5} {expected[status]:>9}")
    for line in m["wrong"]:
        print(f"  NOT AS EXPECTED: {line}")
    print(f"{'honest':<12} {'alone':>6} {'in class':>9}  identical row")
    for sample, (by_itself, beside, same) in m["honest"].items():
        print(f"{sample:<12} {by_itself!s:>6} {beside!s:>9}  {'yes' if same else 'NO'}")
    ratio = hostile["seconds"] / alone["seconds"]
    print(f"grader peak RSS above its baseline: {m['memory'] / 2**20:.0f} MB "
          f"(bound {PEAK_BYTES / 2**30:.0f} GB)")
    print(f"wall: honest alone {alone['seconds']:.1f} s (load {alone['load'][0]:.1f} -> "
          f"{alone['load'][1]:.1f}), hostile class {hostile['seconds']:.1f} s (load "
          f"{hostile['load'][0]:.1f} -> {hostile['load'][1]:.1f}): {ratio:.2f}x (bound "
          f"{WALL_RATIO:g}x); {m['graded']} notebooks graded in the class against "
          f"{len(HONEST)} alone, {ratio * len(HONEST) / m['graded']:.2f}x per graded notebook")
    slowest = sorted(hostile["stages"].values(), key=lambda r: -float(r["total"] or 0))[:3]
    kinds = m["download"].kinds
    print("slowest in the class (seconds in all: sandbox, scorer): " + ", ".join(
              f"{kinds.get(r['id'], r['id'])} {r['total']} ({r['sandbox']}, {r['scorer']})"
              for r in slowest))
    invalid = [sid for sid, r in hostile["rows"].items() if r["status"] == "invalid"]
    read = [hostile["stages"][sid] for sid in invalid if sid in hostile["stages"]]
    print(f"invalid: {len(read)} read and refused by the bounded reader (no sandbox started), "
          f"{len(invalid) - len(read)} refused before a byte was read (size, member name)")
    print(f"make similarity on the hostile run: finished in {m['similarity']:.1f} s")
    verdicts = {"one row per student, statuses as expected": not m["wrong"],
                "honest rows identical to alone": all(s for _, _, s in m["honest"].values()),
                "no file written where a member name points (/tmp)": not m["escaped"],
                f"peak memory under {PEAK_BYTES / 2**30:.0f} GB above baseline":
                    m["memory"] < PEAK_BYTES,
                f"wall under {WALL_RATIO:g}x the honest alone": ratio < WALL_RATIO,
                "make similarity finished": True}
    for what, ok in verdicts.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {what}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float,
                        help="CPU seconds per sandbox (default: the assignment's)")
    args = parser.parse_args(argv)
    root = REPO_ROOT / "runs" / "hostile" / f"{datetime.now():%Y%m%d-%H%M%S}"
    print(f"issue 21's measurement in {root}, {datetime.now():%Y-%m-%d %H:%M}: "
          f"{scale.machine()}")
    print_table(measure(root, args.jobs, args.timeout))


if __name__ == "__main__":
    main()
