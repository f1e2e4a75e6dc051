"""The embedded sample classes, graded through the class grader: every score asserted."""
import psutil
import pytest

from autograder import assignments, grade
from autograder.build import bundle
from autograder.tools import samples
from autograder.engine.runner import grade_one, sandbox_budget, uid_range
from tests.conftest import without_times

pytestmark = pytest.mark.slow

#: The sample classes are graded under each assignment's own sandbox budget, as make grade
#: grades (runner.sandbox_budget: 30 CPU s and 4 GiB unless its config says): every sample's
#: expected score and status below is what a TA gets with the defaults.

@pytest.fixture(scope="module")
def graded(tmp_path_factory, reference_results):
    """grade(name): the assignment's sample class graded once per test module."""
    runs = {}

    def grade_class(name):
        if name not in runs:
            reference_results(name)  # as after make autograder: correct networks are not trained
            folder = samples.write_class(name, tmp_path_factory.mktemp(f"class-{name}"))
            out = tmp_path_factory.mktemp(f"run-{name}")
            book = grade.grade_class(name, folder, out, jobs=2, progress=False)
            runs[name] = assignments.get(name), folder, out, book
        return runs[name]
    return grade_class


@pytest.fixture(scope="module")
def sample_run(graded):
    return graded("convnets")


CLASSES = {name: {s.id: s for s in samples.samples_of(assignments.get(name))}
           for name in assignments.available()}


@pytest.mark.parametrize("name, sample_id",
                         [(name, i) for name, by_id in CLASSES.items() for i in sorted(by_id)])
def test_sample_gets_exactly_its_expected_points(graded, name, sample_id):
    _, _, _, book = graded(name)
    sample, row = CLASSES[name][sample_id], book.rows[sample_id]
    assert row["status"] == sample.status, row["message"]
    for question, points in sample.expected.items():
        assert float(row[question]) == points, f"{sample_id} {question}: {row}"
    assert float(row["total"]) == sum(sample.expected.values())
    assert set(sample.flags) <= set(row["flags"].split()), row


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_reference_feedback_says_everything_passed(graded, name):
    assignment, _, out, _ = graded(name)
    text = (out / "feedback" / "reference.md").read_text()
    cases = sum(p.read_text().count("@test_case(") for p in assignment.tests_dir.glob("*.py"))
    assert "❌" not in text and text.count("✅") == cases


def test_text_mistakes_get_feedback_a_student_can_act_on(graded):
    _, _, out, _ = graded("getting_started")
    assert "Look up index - 3" in (out / "feedback" / "off_by_one.md").read_text()
    counts = (out / "feedback" / "counts_words.md").read_text()
    assert "should hold 1.0 at indices [1, 5, 9]" in counts and "5: 3.0" in counts
    assert "found float64" in (out / "feedback" / "float64.md").read_text()
    _, _, out, _ = graded("tuning")
    assert "return the earlier one" in (out / "feedback" / "last_tie.md").read_text()
    assert "count epochs from 1" in (out / "feedback" / "zero_based.md").read_text()


def test_written_answers_wait_for_the_ta(graded):
    assignment, _, out, book = graded("tuning")
    for key in assignment.manual_questions:
        assert (out / "manual" / f"{key}.html").exists()
        assert all(row[f"manual:{key}"] == "" for row in book.rows.values())
    assert "answer(s) still to score" in (out / "summary.md").read_text()


def test_a_value_test_says_which_case_it_skipped(graded):
    """The course's generator raises on the case whose step does not divide lookback: the
    form test fails on it, and the value tests that pass say they left that case out."""
    _, _, out, _ = graded("weather_rnn")
    lines = (out / "feedback" / "course_generator.md").read_text().splitlines()
    passed = [i for i, line in enumerate(lines) if line.startswith("✅")]
    notes = [lines[i + 1] for i in passed if i + 1 < len(lines)
             and lines[i + 1].strip().startswith("skipped ")]
    assert notes and all("which '" in note for note in notes), lines


def test_mistakes_get_feedback_a_student_can_act_on(sample_run):
    _, _, out, _ = sample_run
    no_bn = (out / "feedback" / "no_batchnorm.md").read_text()
    assert "layer 3 (BatchNormalization) is missing" in no_bn and "mismatch" not in no_bn
    assert "raised ValueError" in (out / "feedback" / "raises.md").read_text()
    stub = (out / "feedback" / "stub.md").read_text()
    assert "is not implemented yet: replace `raise NotImplementedError()`" in stub
    assert "timeout" in (out / "feedback" / "loops_forever.md").read_text()


def adversarial(sample) -> bool:
    """A sample that attacks the grader or is no notebook at all: its status is its own."""
    return bool(sample.attack or sample.raw)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_no_test_crashes_on_any_sample_of_the_class(graded, name):
    """Every failed test says what is wrong in a sentence (issue 23): none raised instead
    ("the test stopped with ..."), whatever mistake a sample makes; adversarial ones aside."""
    from autograder.engine import report
    from autograder.engine.runner import is_crash

    _, _, out, _ = graded(name)
    crashed = {}
    for sample in CLASSES[name].values():
        if adversarial(sample):
            continue
        for question, result in (report.load_results(out, sample.id).get("results") or {}).items():
            for case in result["cases"]:
                if not case["passed"] and is_crash(case["message"]):
                    crashed.setdefault(sample.id, []).append(f"{case['name']}: {case['message']}")
    assert not crashed, crashed


#: Words meant for the TA, never for a student's feedback.
TA_WORDS = ("ask the student", "the student", "--regrade", "make grade", "maintainers",
            "grader's log", "Traceback (most recent call last)")


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_feedback_is_addressed_to_the_student_and_reads_clean(graded, name):
    """No feedback page holds a folder of the grader's, an escape code or TA words; only an
    adversarial sample's own status may mention a crash of a test."""
    _, folder, out, _ = graded(name)
    for sample in CLASSES[name].values():
        for suffix in (".md", ".html"):
            page = (out / "feedback" / f"{sample.id}{suffix}").read_text()
            where = f"{sample.id}{suffix}"
            for path in {str(out), str(out.resolve()), str(folder), str(folder.resolve()),
                         str(samples.REPO_ROOT)}:
                assert path not in page, (where, path)
            assert "\x1b" not in page and "[0m" not in page, where
            assert not [w for w in TA_WORDS if w in page], (where, page)
            if not adversarial(sample):
                assert "the test stopped with" not in page, (where, page)


def test_an_error_is_shown_once_and_a_stopped_notebook_gets_its_cause(sample_run):
    """The builder's error in full under the first test that needs it, "the same problem"
    under the others; a timed-out student is not told to run cells it never reached."""
    _, _, out, _ = sample_run
    always = (out / "feedback" / "eq_always_true.md").read_text()
    assert always.count("happyModel() should return a keras Model, but it returned") == 1, always
    assert "the same problem as under \u201chappyModel layers match the course's table\u201d" in always
    for sample_id in ("loops_forever", "kills_kernel"):
        page = (out / "feedback" / f"{sample_id}.md").read_text()
        assert "run its cell first" not in page and "is not defined" not in page, page
        assert "not graded: your notebook" in page, page


def test_no_sandbox_process_outlives_the_run(sample_run):
    # This run's sandboxes ran as users of its range; loops, forks and timeouts included,
    # none is left (another pytest worker has a range of its own, see conftest).
    for process in psutil.process_iter(["uids", "cmdline"]):
        assert process.info["uids"].real not in uid_range(), process.info


def test_grading_alone_gives_the_same_scores_and_feedback_as_in_parallel(graded):
    """A cold sandbox and scorer of its own, training from scratch, against the warm class run.

    Getting Started trains in seconds; its bottleneck network misses the accuracy bar, so
    the comparison covers a passed and a failed training, with the accuracy in the feedback.
    """
    assignment, folder, out, book = graded("getting_started")
    for sample_id, fails_training in (("reference", False), ("bottleneck", True)):
        with bundle.staged_bundle(assignment) as staged:
            cpu_seconds, memory_gb = sandbox_budget(assignment.config)
            alone = grade_one(folder / f"{sample_id}.ipynb", staged,
                              timeout=cpu_seconds, memory_bytes=int(memory_gb * 2**30))
        assert {q: f"{p:g}" for q, p in alone.scores.items()} == {
            q: book.rows[sample_id][q] for q in alone.scores}
        feedback = without_times((out / "feedback" / f"{sample_id}.md").read_text())
        for text in alone.outputs.values():
            assert without_times(text) in feedback  # accuracies included
        lines = feedback.splitlines()
        failed = [i for i, line in enumerate(lines) if line.startswith("❌") and " learns " in line]
        assert bool(failed) is fails_training, feedback
        for i in failed:  # a failed training says what it got, right under its line
            assert "test accuracy" in lines[i + 1] and "needs at least" in lines[i + 1], feedback
        assert "test accuracy" in feedback  # a passed one notes its accuracy too
        assert alone.train_seconds > 0  # the hidden tests trained and said how long


def test_reusing_trusted_training_results_changes_no_score(graded, tmp_path):
    """The class run reused results for identical models; training every model gives the same."""
    _, folder, out, book = graded("getting_started")
    cache = sorted((out / "training-cache").glob("*.json"))
    # reference and alternative build the same two networks; no_sigmoid and bottleneck one
    # new network each: 4 distinct trainings instead of 8.
    chosen = ("reference", "alternative", "no_sigmoid", "bottleneck")
    subset = tmp_path / "subset"
    subset.mkdir()
    for sample_id in chosen:
        (subset / f"{sample_id}.ipynb").write_bytes((folder / f"{sample_id}.ipynb").read_bytes())
    fresh = grade.grade_class("getting_started", subset, tmp_path / "fresh", jobs=2,
                              progress=False, reuse=False)
    assert not (tmp_path / "fresh" / "training-cache").exists()
    for sample_id in chosen:
        drop = {"seconds", "submitted_at", "source"}  # when and where each file was read
        assert ({k: v for k, v in fresh.rows[sample_id].items() if k not in drop}
                == {k: v for k, v in book.rows[sample_id].items() if k not in drop})
        assert (without_times((tmp_path / "fresh" / "feedback" / f"{sample_id}.md").read_text())
                == without_times((out / "feedback" / f"{sample_id}.md").read_text()))
    distinct = {"build_imdb_model": 2, "build_reuters_model": 2}  # in the subset
    assert len(cache) >= sum(distinct.values())
    assert len(cache) < 2 * len(CLASSES["getting_started"])  # far fewer than trainings asked


# --- the sample correct except for one documented edge case ------------------------

def edge_case_of(name):
    """The id each sample class names as correct except for one documented edge case."""
    import importlib
    return importlib.import_module(f"autograder.assignments.{name}.samples").EDGE_CASE


@pytest.fixture(scope="module")
def edge_case_runs(tmp_path_factory):
    """Each edge-case sample's notebook as grading runs it (no otter_ignore cells), executed
    two at a time with nbclient, each in a folder of its own: {name: notebook or exception}."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from nbclient import NotebookClient

    def run(name):
        assignment = assignments.get(name)
        nb = samples.notebook_for(assignment, CLASSES[name][edge_case_of(name)])
        nb.cells = [c for c in nb.cells if "otter_ignore" not in c.metadata.get("tags", [])]
        folder = tmp_path_factory.mktemp(f"edge-{name}")
        try:
            NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(folder)}}).execute(
                env={**os.environ, "COURSE_DATA_DIR": str(folder / "data"), "KIT_LANG": "en"})
        except Exception as error:  # reported by the test of that assignment
            return error
        return nb
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(sorted(CLASSES), pool.map(run, sorted(CLASSES))))


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_edge_case_sample_passes_every_public_check_and_loses_a_point(edge_case_runs, name):
    """A student can pass every public check and still lose the hidden edge case's points
    (and only those: the class run asserts its expected points above)."""
    from shared.i18n import MESSAGES

    sample = CLASSES[name][edge_case_of(name)]
    full = CLASSES[name]["reference"].expected
    assert sum(sample.expected.values()) < sum(full.values())
    assert sum(p != full[q] for q, p in sample.expected.items()) == 1  # one question loses
    nb = edge_case_runs[name]
    if isinstance(nb, Exception):
        raise nb
    success = {MESSAGES[key]["en"] for key in ("all_passed", "compiled_as_asked")}
    for cell in nb.cells:
        if not cell.metadata.get("kit", {}).get("check"):
            continue
        outputs = cell.get("outputs", [])
        assert not [o for o in outputs if o.get("output_type") == "error"], cell.source
        said = "".join(o.get("text", "") for o in outputs)
        assert any(line in said for line in success), (cell.source, said)
