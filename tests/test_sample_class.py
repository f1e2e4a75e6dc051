"""The embedded sample class, graded through the real otter path: every score asserted."""
import re

import psutil
import pytest

from autograder import assignments, bundle, grade, samples
from autograder.runner import grade_one

pytestmark = pytest.mark.slow

TIMEOUT = 60  # seconds for the sandbox stage; a correct notebook needs about 6


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    assignment = assignments.get("convnets")
    bundle.build("convnets")
    folder = samples.write_class("convnets", tmp_path_factory.mktemp("class"))
    out = tmp_path_factory.mktemp("run")
    book = grade.grade_class("convnets", folder, out, jobs=2, timeout=TIMEOUT, memory_gb=8,
                             progress=False)
    return assignment, folder, out, book


SAMPLES = {s.id: s for s in samples.samples_of(assignments.get("convnets"))}


@pytest.mark.parametrize("sample_id", sorted(SAMPLES))
def test_sample_gets_exactly_its_expected_points(sample_run, sample_id):
    _, _, _, book = sample_run
    sample, row = SAMPLES[sample_id], book.rows[sample_id]
    assert row["status"] == sample.status, row["message"]
    for question, points in sample.expected.items():
        assert float(row[question]) == points, f"{sample_id} {question}: {row}"
    assert float(row["total"]) == sum(sample.expected.values())
    assert set(sample.flags) <= set(row["flags"].split()), row


def test_reference_feedback_says_everything_passed(sample_run):
    _, _, out, _ = sample_run
    text = (out / "feedback" / "reference.md").read_text()
    assert "❌" not in text and text.count("✅") == 8


def test_mistakes_get_feedback_a_student_can_act_on(sample_run):
    _, _, out, _ = sample_run
    no_bn = (out / "feedback" / "no_batchnorm.md").read_text()
    assert "layer 3: expected BatchNormalization, found ReLU" in no_bn
    assert "raised ValueError" in (out / "feedback" / "raises.md").read_text()
    stub = (out / "feedback" / "stub.md").read_text()
    assert "is not implemented yet: replace `raise NotImplementedError()`" in stub
    assert "timeout" in (out / "feedback" / "loops_forever.md").read_text()


def test_no_sandbox_process_outlives_the_run(sample_run):
    # Sandboxes run as users 61000-80999; loops, forks and timeouts included, none is left.
    for process in psutil.process_iter(["uids", "cmdline"]):
        assert not 61000 <= process.info["uids"].real < 81000, process.info


def without_times(text):
    return re.sub(r" in [0-9.]+ s:", ":", text)


def test_grading_alone_gives_the_same_scores_and_feedback_as_in_parallel(sample_run):
    assignment, folder, out, book = sample_run
    # wrong_activation fails its accuracy test, so its feedback shows the accuracy reached.
    for sample_id in ("reference", "wrong_activation"):
        with bundle.staged_bundle(assignment) as staged:
            alone = grade_one(folder / f"{sample_id}.ipynb", staged,
                              timeout=TIMEOUT, memory_bytes=8 * 2**30)
        assert {q: f"{p:g}" for q, p in alone.scores.items()} == {
            q: book.rows[sample_id][q] for q in alone.scores}
        feedback = without_times((out / "feedback" / f"{sample_id}.md").read_text())
        for text in alone.outputs.values():
            assert without_times(text) in feedback  # accuracies included
        assert alone.train_seconds > 0  # the hidden tests trained and said how long
