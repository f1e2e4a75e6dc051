"""Training results of the reference solution, built with the autograder, are reused exactly."""
import pytest

from autograder import assignments, grade
from autograder.engine import notebooks, report
from autograder.tools import samples
from tests.conftest import without_times

pytestmark = pytest.mark.slow

NAME = "getting_started"
CHOSEN = ("reference", "no_sigmoid")  # one network the reference results cover, one they do not


@pytest.fixture(scope="module")
def runs(tmp_path_factory, reference_results):
    """The chosen submissions graded twice: seeded with the reference results, and training all."""
    assignment = assignments.get(NAME)
    folder = reference_results(NAME)[NAME]  # reference_results.build, once per session
    submissions = tmp_path_factory.mktemp("class")
    by_id = {s.id: s for s in samples.samples_of(assignment)}
    for sample_id in CHOSEN:
        notebooks.write(samples.notebook_for(assignment, by_id[sample_id]),
                        submissions / f"{sample_id}.ipynb")
    out = {}
    for reuse in (True, False):
        run = tmp_path_factory.mktemp(f"run-{reuse}")
        book = grade.grade_class(NAME, submissions, run, jobs=2, timeout=60, memory_gb=8,
                                 progress=False, reuse=reuse)
        stages = {row["id"]: row for row in report.read_csv(run / "stages.csv")}
        out[reuse] = book, stages, run
    return folder, out


def test_building_the_autograder_keeps_the_reference_results(runs):
    folder, _ = runs
    # build_imdb_model and build_reuters_model: one hidden training each
    assert len(list(folder.glob("*.json"))) == 2


def test_a_correct_submission_trains_nothing(runs):
    _, out = runs
    book, stages, run = out[True]
    assert stages["reference"]["reused"] == "2"
    assert float(stages["reference"]["training"]) == 0.0
    assert float(stages["no_sigmoid"]["training"]) > 0  # a new network is still trained


def test_scores_and_feedback_are_those_of_training_every_model(runs):
    _, out = runs
    (seeded, _, seeded_run), (fresh, _, fresh_run) = out[True], out[False]
    for sample_id in CHOSEN:
        assert ({k: v for k, v in seeded.rows[sample_id].items() if k != "seconds"}
                == {k: v for k, v in fresh.rows[sample_id].items() if k != "seconds"})
        feedback = f"feedback/{sample_id}.md"
        assert (without_times((seeded_run / feedback).read_text())
                == without_times((fresh_run / feedback).read_text()))
