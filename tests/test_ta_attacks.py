"""The TA's own process under hostile notebooks (issue 21): each one graded in a class
beside honest students.

The sandbox and the scorer have their own attack suites (test_sandbox, test_scorer_attacks);
this one is about what the TA's process does with a submission's bytes: reading it
(:func:`autograder.engine.notebooks.read`'s bounds), staging it, the written answers and
similarity. Every hostile file must become its own row, the honest students' rows must be
what they get alone, nothing may be written outside the run folder, and the grader's own
memory stays bounded. The fast tests below check the class loop's rule with a fake grader
(an exception of any type is that student's row, on a rerun too) and fuzz the reader and
the fingerprinting with Hypothesis. The hostile notebooks are made by
:mod:`autograder.tools.hostile`, which also puts them and test_lms_attacks' member names in
one Canvas download (issue 21's "done when" measurement, in ``make bench``).
"""
import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from autograder import assignments, course, grade, similarity
from autograder.engine import notebooks, runner
from autograder.engine.runner import Outcome
from autograder.similarity import fingerprints
from autograder.tools import hostile, samples
from autograder.tools.hostile import (HONEST, NAME, NOTEBOOK_ATTACKS as ATTACKS, OVER_BUDGET,
                                      PEAK_BYTES, PeakMemory, comparable_rows as rows_of,
                                      reference, write_notebooks as write_attacks)
from tests import fakes
from tests.conftest import without_times

TIMEOUT = 45  # CPU seconds per sandbox, as test_sample_class


def snapshot(root, leave_out):
    """Every file under ``root`` but inside ``leave_out``: path -> (size, mtime)."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file() and not p.is_relative_to(leave_out)}


@pytest.fixture(scope="module")
def classes(tmp_path_factory, reference_results):
    """The honest students graded alone, then with every attack beside them."""
    reference_results(NAME)
    root = tmp_path_factory.mktemp("ta-attacks")
    alone, hostile = root / "alone", root / "hostile"
    samples.write_class(NAME, alone)
    for path in alone.iterdir():
        if path.stem not in HONEST:
            path.unlink()
    hostile.mkdir()
    for student in HONEST:
        (hostile / f"{student}.ipynb").write_bytes((alone / f"{student}.ipynb").read_bytes())
    write_attacks(hostile)
    started = time.perf_counter()
    grade.grade_class(NAME, alone, root / "run-alone", jobs=2, timeout=TIMEOUT,
                      memory_gb=8, progress=False)
    seconds_alone = time.perf_counter() - started
    before = snapshot(root, root / "run")
    with PeakMemory() as memory:
        started = time.perf_counter()
        book = grade.grade_class(NAME, hostile, root / "run", jobs=2, timeout=TIMEOUT,
                                 memory_gb=8, progress=False)
    # reported, not asserted (no test depends on the machine's speed)
    print(f"grader peak memory above baseline: {memory.above / 2**20:.0f} MB; honest alone "
          f"{seconds_alone:.0f} s, with the attacks {time.perf_counter() - started:.0f} s")
    return {"root": root, "out": root / "run", "alone": root / "run-alone", "book": book,
            "before": before, "memory": memory}


slow = pytest.mark.slow


@slow
def test_every_student_has_a_row_with_its_status(classes):
    rows = classes["book"].rows
    expected = {**{s: "graded" for s in HONEST}, **{s: st_ for s, (_, st_) in ATTACKS.items()}}
    assert {s: rows[s]["status"] for s in rows} == expected
    full = rows["reference"]["total"]
    for student, (_, status) in ATTACKS.items():
        message = rows[student]["message"]
        if status == "graded":  # bounded reading changed nothing of a valid notebook
            assert rows[student]["total"] == full, (student, rows[student])
        elif status == "invalid":  # a sentence for the student naming the file and the problem
            assert f"{student}.ipynb" in message and "ask the student" not in message, message
        else:  # the sandbox's record replaced: said so, not "before the first cell"
            assert "removed or replaced the grader's record" in message, message
        assert "Traceback" not in message


@slow
def test_honest_rows_are_what_they_get_alone(classes):
    alone = rows_of(classes["alone"])
    beside = rows_of(classes["out"])
    for student in HONEST:
        assert beside[student] == alone[student]
        assert (without_times((classes["out"] / "feedback" / f"{student}.md").read_text())
                == without_times((classes["alone"] / "feedback" / f"{student}.md").read_text()))


@slow
def test_nothing_is_written_outside_the_run_folder_and_memory_stays_bounded(classes):
    root = classes["root"]
    assert snapshot(root, root / "run") == classes["before"]  # the download untouched too
    assert classes["memory"].above < PEAK_BYTES, classes["memory"].above


@slow
def test_similarity_compares_the_rest_and_lists_what_it_left_out(classes, capsys):
    out = classes["out"]
    rows = grade.report.read_csv(out / "similarity.csv")
    skipped = {(r["a"], r["cell"]) for r in rows if r["kind"] == "skipped"}
    assert skipped == OVER_BUDGET
    assert all("100,000 compared per student" in r["note"] for r in rows
               if r["kind"] == "skipped")
    assert "Not compared (1)" in (out / "similarity.html").read_text()
    assert "were not compared" in (out / "summary.md").read_text()
    similarity.main(["--out", str(out)])  # make similarity on the same run finishes
    assert "pair(s) listed" in capsys.readouterr().out


@slow
def test_a_rerun_grades_nothing_again_and_keeps_every_row(classes):
    out = classes["out"]
    before = rows_of(out)
    grade.grade_class(NAME, classes["root"] / "hostile", out, jobs=2, timeout=TIMEOUT,
                      memory_gb=8, progress=False)
    assert rows_of(out) == before


# --- the class loop's rule, with a fake grader (fast) -------------------------------

def test_an_exception_of_any_type_is_that_students_row_on_reruns_too(tmp_path, monkeypatch,
                                                                     capsys):
    """A grader failing on one student (any exception type), a file that cannot be staged,
    a submission that cannot be described and a file over the size limit (never copied)
    are each that student's ``invalid`` row; the others keep their points; a rerun and a
    --regrade do not stop on them either."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for student in ("ada", "bob", "cy", "dee"):
        (subs / f"{student}.ipynb").write_bytes(fakes.notebook())
    with open(subs / "eve.ipynb", "wb") as f:  # sparse, over the limit: neither copied nor read
        f.truncate(notebooks.MAX_NOTEBOOK_BYTES + 1)
    calls = []

    def _grade(self, notebook):
        calls.append(notebook.stem)
        if notebook.stem == "bob":
            raise RecursionError("maximum recursion depth exceeded")
        return fakes.fake_grade_one(notebook, None)
    monkeypatch.setattr(grade.LocalPool, "_grade", _grade)
    stage, describe = grade.collect.stage, grade.describe

    def failing_stage(found, destination):
        if destination.stem == "cy":
            raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")
        return stage(found, destination)

    def failing_describe(entry, *args):
        if entry.id == "dee":
            raise OverflowError("date value out of range")
        return describe(entry, *args)
    monkeypatch.setattr(grade.collect, "stage", failing_stage)
    monkeypatch.setattr(grade, "describe", failing_describe)
    out = tmp_path / "run"
    for regrade in (False, False, True):
        book = grade.grade_class("convnets", subs, out, jobs=2, timeout=10, memory_gb=4,
                                 progress=False, regrade=regrade)
        rows = book.rows
        assert [rows[s]["status"] for s in ("ada", "bob", "cy", "dee", "eve")] == [
            "graded", "invalid", "invalid", "invalid", "invalid"]
        assert rows["ada"]["total"] == "14"
        assert rows["bob"]["message"] == ("Your notebook could not be graded. bob.ipynb: the "
                                          "grader failed on it (RecursionError).")
        assert "graded. cy.ipynb: the file could not be read (Exceeds the" in rows["cy"]["message"]
        assert "time or origin could not be read (OverflowError)." in rows["dee"]["message"]
        assert "graded. eve.ipynb: the file is over the 20 MB limit" in rows["eve"]["message"]
        assert all(rows[s]["message"].startswith("Your notebook could not be graded. ")
                   for s in ("bob", "cy", "dee", "eve"))
        assert not (out / "collected" / "eve.ipynb").exists()
    assert sorted(calls) == ["ada", "ada", "bob", "bob"]  # the rerun graded nobody again
    said = capsys.readouterr().err  # for the TA
    assert "bob: grading failed (RecursionError" in said
    assert "dee: could not be described (OverflowError: date value out of range)" in said


# --- issue 21's "done when" download: both suites' files in one Canvas zip (fast) -----

def test_the_combined_download_has_one_row_per_student_with_its_status(tmp_path, monkeypatch):
    """The download ``python -m autograder.tools.hostile`` grades for real (``make bench``):
    the two honest students, one student per hostile notebook, one per hostile member name
    and the stray members, with a roster. Collect, the member rules, staging, the bounded
    reader and similarity are the real ones; only the sandbox and the scorer are a stand-in
    that reads the staged notebook as ``runner.prepare`` does (full marks when it can; a
    crash for the cells that replace the sandbox's own files, as the real sandbox gives)."""
    download = hostile.canvas_download(tmp_path / "dl")
    questions, _ = grade.report.question_points(assignments.get(NAME))
    read = []

    def _grade(self, notebook):
        read.append(notebook.stem)
        try:
            nb = notebooks.read(notebook)
        except notebooks.KitError as exc:
            return Outcome(notebook.stem, "invalid", message=str(exc))
        if any(attack.strip() in cell.source for cell in nb.cells
               for attack in (hostile.FIFO_PROGRESS, hostile.ARTIFACTS_LINK)):
            return Outcome(notebook.stem, "crashed", message="the sandbox's record was replaced")
        return Outcome(notebook.stem, "graded", {q: 1.0 for q in questions},
                       {q: "" for q in questions})
    monkeypatch.setattr(grade.LocalPool, "_grade", _grade)
    out = tmp_path / "run"
    book = grade.grade_class(NAME, download.zip, out, jobs=2, timeout=10, memory_gb=4,
                             progress=False, roster=download.roster,
                             course_file=course.COURSE_FILE)
    rows = book.rows
    assert hostile.statuses_as_expected(rows, download) == []
    assert len(rows) == len(ATTACKS) + len(hostile.MEMBER_ATTACKS) + len(HONEST) + 2
    assert set(download.honest.values()) <= set(read)  # graded through the stand-in
    # every staged file reached the reader: all but the one over the size limit (never
    # copied) and the members refused by their names
    refused = [kind for kind, status in hostile.MEMBER_ATTACKS.items() if status == "invalid"]
    assert len(read) == len(HONEST) + len(ATTACKS) - 1 + len(hostile.MEMBER_ATTACKS) - len(refused)
    assert all(s == "graded" or rows[i]["message"] for i, s in download.expected.items())
    assert not any(Path("/tmp", name).exists() for name in (download.escape,
                                                           "abs-" + download.escape))
    skipped = {r["cell"] for r in grade.report.read_csv(out / "similarity.csv")
               if r["kind"] == "skipped"}
    assert skipped == {cell for _, cell in OVER_BUDGET}


# --- fuzzing the reader and the fingerprints (fast, deterministic) ------------------

JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                        st.floats(allow_nan=False), st.text(max_size=20))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=30)
#: Where a generated value goes in the reference notebook, or how its text is cut.
PLACES = ("metadata", "cell metadata", "kit", "source", "outputs", "cells", "cell", "nbformat")


#: Valid JSON at the bounds and past them, planted in place of a generated value.
RAW = ["[" * d + "]" * d for d in (notebooks.MAX_JSON_DEPTH - 8, notebooks.MAX_JSON_DEPTH + 1,
                                   5000)] + [
    "9" * d for d in (notebooks.MAX_NUMBER_DIGITS, notebooks.MAX_NUMBER_DIGITS + 1, 5000)] + [
    "1e999999", "-0.0e-5000", '"\\\\\\""', '"\\ud800"', "[" + "0," * 300_000 + "0]"]
PLACEHOLDER = "kit-fuzz-placeholder"


def planted(value, place: str, raw: str | None, cut: int | None, noise: bytes) -> bytes:
    """The reference notebook with ``value`` (or the ``raw`` JSON) at ``place``, then
    ``noise`` inserted at byte ``cut`` (when given)."""
    value = PLACEHOLDER if raw is not None else value
    nb = reference() if place != "cells" else {**reference(), "cells": value}
    cell = nb["cells"][3] if isinstance(nb["cells"], list) and len(nb["cells"]) > 3 else {}
    if place == "metadata":
        nb["metadata"]["x"] = value
    elif place == "cell metadata":
        cell.setdefault("metadata", {})["x"] = value
    elif place == "kit":
        cell.setdefault("metadata", {})["kit"] = value
    elif place in ("source", "outputs"):
        cell[place] = value
    elif place == "cell" and isinstance(nb["cells"], list):
        nb["cells"].append(value)
    elif place == "nbformat":
        nb["nbformat"] = value
    text = json.dumps(nb)
    if raw is not None:
        text = text.replace(json.dumps(PLACEHOLDER), raw)
    data = text.encode()
    if cut is not None:
        data = data[:cut % (len(data) + 1)] + noise + data[cut % (len(data) + 1):]
    return data


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(value=JSON_VALUES, place=st.sampled_from(PLACES),
       raw=st.one_of(st.none(), st.sampled_from(RAW)),
       cut=st.one_of(st.none(), st.integers(0, 10**6)),
       noise=st.one_of(st.binary(max_size=8), st.sampled_from(
           [b"[" * 5000, b'{"a":' * 5000, b"9" * 5000, b"\\" * 7, b'"', b"\xc3"])))
def test_fuzzed_notebooks_are_read_or_refused_with_a_kit_error(tmp_path, value, place, raw,
                                                               cut, noise):
    path = tmp_path / "fuzz.ipynb"
    path.write_bytes(planted(value, place, raw, cut, noise))
    try:
        nb = notebooks.read(path)
    except notebooks.KitError as exc:
        assert str(exc).startswith("fuzz.ipynb: ")
        return
    assert len(nb.cells) <= notebooks.MAX_CELLS
    nbformat.writes(nb).encode("utf-8")  # the copy for the sandbox can be written
    for cell in nb.cells:  # what every reader downstream relies on
        assert isinstance(cell.source, str) and len(cell.source) <= notebooks.MAX_SOURCE_CHARS
        kit = cell.metadata.get("kit", {})
        assert isinstance(kit, dict) and all(isinstance(v, str) for v in kit.values())
        fingerprints.code_fingerprints(cell.source)
        fingerprints.text_fingerprints(cell.source)


CODE_PIECES = ["(", ")", "[", "]", "{", "}", "lambda x:", "not ", "-", "+", "a", "1", ".b",
               "f(", ",", ":", "\n", "    ", "def g():", "if a:", "'s", '"""', "\\", "#", "=",
               "yield", "await ", "*", "**", "@", "x if y else ", "for i in r", "\t", "\x00"]


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(pieces=st.lists(st.sampled_from(CODE_PIECES), max_size=300),
       repeat=st.integers(1, 400), depth=st.integers(0, 3000))
def test_fuzzed_code_is_fingerprinted_without_an_exception(pieces, repeat, depth):
    """Code of any shape, nested up to 3,000 deep, parses, falls back to tokens, or both:
    never an exception (the report would lose its whole cell)."""
    source = "".join(pieces) * (repeat if len("".join(pieces)) * repeat < 20_000 else 1)
    deep = "x = " + "(" * depth + "1" + ")" * depth if depth % 2 else "x = " + "-a" * depth
    for text in (source, deep, source + deep):
        counts, lines = fingerprints.code_fingerprints(text)
        assert set(counts) == set(lines)
        fingerprints.text_fingerprints(text)


# --- what the sandbox leaves behind, read by the TA's process ------------------------------

def _sandbox_folder(tmp_path):
    artifacts = tmp_path / "sandbox" / "artifacts"
    artifacts.mkdir(parents=True)
    return artifacts


def test_progress_that_is_not_a_file_the_kit_wrote_reads_as_none(tmp_path):
    """A FIFO (which would block for ever), a link, a folder, 100 KB of brackets, or the
    wrong JSON: each reads at once as a lost record, never an exception or a wait, and the
    student reads that a cell removed or replaced it."""
    artifacts = _sandbox_folder(tmp_path)
    progress = artifacts / "progress.json"
    (tmp_path / "outside.json").write_text('{"finished": true, "cells_run": 3}')
    makers = {"fifo": lambda: os.mkfifo(progress),
              "link": lambda: progress.symlink_to(tmp_path / "outside.json"),
              "folder": lambda: progress.mkdir(),
              "deep": lambda: progress.write_text("[" * 99_000),
              "over": lambda: progress.write_text(" " * (runner.PROGRESS_LIMIT + 1) + "{}"),
              "list": lambda: progress.write_text("[1, 2]"),
              "digits": lambda: progress.write_text('{"cells_run": ' + "9" * 5000 + "}")}
    for kind, make in makers.items():
        make()
        assert runner._progress(artifacts) == runner.LOST, kind
        if progress.is_dir() and not progress.is_symlink():
            progress.rmdir()
        else:
            progress.unlink()
    assert runner._progress(artifacts) == {}  # none at all: the first cell never ended
    status, message = runner.status_of(False, 71, runner.LOST, 30)
    assert status == "crashed" and "removed or replaced the grader's record" in message


def test_progress_keeps_only_the_fields_and_types_the_kit_reads(tmp_path):
    artifacts = _sandbox_folder(tmp_path)
    (artifacts / "progress.json").write_text(json.dumps(
        {"cells_run": "3", "cells_total": 7, "finished": 1, "out_of_memory": True,
         "flags": ["memory", 5, "x" * 500], "output_dropped": 12, "errors": ["cell 1"]}))
    assert runner._progress(artifacts) == {"cells_total": 7, "output_dropped": 12,
                                          "flags": ["memory"]}
    status, message = runner.status_of(False, 0, runner._progress(artifacts), 30)
    assert status == "crashed" and "code cell 1 of the 7" in message, message


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON_VALUES, code=st.one_of(st.none(), st.integers(-300, 300)),
       timed_out=st.booleans())
def test_fuzzed_progress_gives_a_status_and_a_sentence(tmp_path, value, code, timed_out):
    """Whatever JSON the student's code leaves as progress.json, the status and the sentence
    the student reads are made without an exception."""
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "progress.json").write_text(json.dumps(value))
    progress = runner._progress(artifacts)
    status, message = runner.status_of(timed_out, code, progress, 30)
    assert status in ("graded", "timeout", "crashed") and isinstance(message, str)


def test_an_artifacts_link_is_read_as_an_empty_folder_of_the_kits(tmp_path):
    """A student who replaced their artifacts folder by a link into the TA's file system
    has no artifacts folder as far as the kit is concerned (run_sandboxed reads an empty
    one of its own instead, and the record as lost), never the link's target."""
    private = tmp_path / "private"
    private.mkdir()
    assert runner._artifacts_of(private) is None  # removed
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "progress.json").write_text('{"finished": true}')
    (private / "artifacts").symlink_to(target)
    assert runner._artifacts_of(private) is None  # replaced by a link
    (private / "artifacts").unlink()
    (private / "artifacts").mkdir()
    assert runner._artifacts_of(private) == private / "artifacts"


# --- summary.md: what a student chose is Markdown data, never markup ---------------------

MARKUP = st.text(alphabet=st.sampled_from(list("`<>[]()!\\|*_#&; \nab/:=\"'")), max_size=40)


def _rendered(markdown: str) -> str:
    """The HTML a Markdown viewer makes of ``markdown`` (CommonMark, raw HTML on)."""
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark").render(markdown)


@settings(max_examples=300, deadline=None)
@given(MARKUP)
def test_a_file_name_in_summary_md_is_one_code_span_whatever_it_holds(name):
    from autograder.engine.report import md_code
    html = _rendered(f"skipped: {md_code(name)} (why)")
    tags = {tag for tag in __import__("re").findall(r"<(/?\w+)", html)}
    assert tags <= {"p", "/p", "code", "/code"}, html
    assert html.count("<code>") == 1, html


@settings(max_examples=300, deadline=None)
@given(MARKUP)
def test_a_sentence_quoting_a_students_text_makes_no_link_image_or_html(text):
    from autograder.engine.report import md_text
    html = _rendered(f"- `s1001`: {md_text(text)}")
    tags = {tag for tag in __import__("re").findall(r"<(/?\w+)", html)}
    assert not tags & {"a", "img", "script", "h1", "h2", "table", "pre"}, html
    assert html.count("<li>") == 1, html


def test_summary_md_shows_a_planted_image_and_link_as_text(tmp_path):
    """The two ways a name got into summary.md: a skipped member's name and a refused row's
    message; a viewer that renders Markdown fetched the image before."""
    from autograder.engine import report
    planted = "x` <img src=http://e/p.png> ![t](http://e/t.png) [here](http://e/).ipynb"
    info = {"download": "d.zip", "layout": "canvas", "skipped": [[planted, "note.not_a_notebook"]]}
    lines = report.collect_lines(info, [], "en")
    html = _rendered("\n".join(lines))
    assert "<img" not in html and "<a " not in html and "http://e/p.png" in html, html
