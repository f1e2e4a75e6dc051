import fcntl
import os
import re
import uuid
from pathlib import Path

import pytest

from autograder.engine import runner

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
#: ``make test`` runs two pytest workers (xdist); each grades with sandbox users of its own
#: (runner.uid_range), so one worker never sees the other's sandboxes.
#: KIT_TEST_SLOT=<n> moves a whole pytest run to ranges of its own, for two runs side by side.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_SLOT = int(os.environ.get("KIT_TEST_SLOT", "0")) * 4
os.environ["KIT_UID_BASE"] = str(runner.DEFAULT_UID_BASE + runner.UID_COUNT * (_SLOT + _WORKER))

#: xdist hands each worker whole modules, in this order first (the longest first), so that
#: neither is left with a long module at the end while the other has nothing to do.
LONGEST_FIRST = ["test_sample_class", "test_calibration", "test_notebook_runs", "test_bundles",
                 "test_release_student", "test_mutants", "test_scorer_attacks", "test_ta_attacks",
                 "test_scaffold", "test_reference_results", "test_distributed", "test_sandbox",
                 "test_axe", "test_zhcheck", "test_zh_demo"]


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.module.__name__.rpartition(".")[2]
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)  # stable: within a module, the order of the file

REPO = Path(__file__).resolve().parent.parent
#: Real course files provided beside the repo (never committed into it).
REAL_DATA = REPO.parent / "shared" / "real-data"


def without_times(text):
    """Feedback without the seconds a training took, which no two runs share."""
    return re.sub(r" in [0-9.]+ s:", ":", text)


def real_file(name):
    path = REAL_DATA / name
    if not path.exists():
        pytest.skip(f"real data file {path} is not available here")
    return path


ASSIGNMENTS = sorted(p.parent.name for p in (REPO / "autograder" / "assignments").glob("*/config.json"))


@pytest.fixture
def chinese_course():
    """This process speaks Chinese, as a Chinese course's scorer does once gradelib has read
    the grading config; the language before is restored."""
    from shared import i18n
    was = i18n._chosen
    i18n.set_language("zh")
    yield
    i18n.set_language(was)


@pytest.fixture(scope="session", params=ASSIGNMENTS)
def assignment(request):
    """Each assignment in turn: tests taking it hold for every one of them."""
    from autograder import assignments
    return assignments.get(request.param)


@pytest.fixture(scope="session")
def reference_results():
    """``reference_results(*names)``: those assignments' trusted reference results, as
    ``make autograder`` builds them, built from this checkout once per test run (two at a
    time; with xdist, by whichever worker asks first) and returned as {name: folder}.

    Class runs seed their training cache from these folders (``grade.grade_class`` does so
    whenever they exist), so the reference networks train once per test run, not once per
    test that grades a correct notebook.
    """
    from concurrent.futures import ThreadPoolExecutor

    from autograder import assignments
    from autograder.build import reference_results as results

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex  # one per test run

    def build_once(name):
        folder = results.folder_of(assignments.get(name))
        folder.parent.mkdir(parents=True, exist_ok=True)
        with open(folder.parent / f".{name}-results.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker may be building it
            stamp = folder / "test-run"
            if not (stamp.is_file() and stamp.read_text() == run):
                results.build(name)
                stamp.write_text(run)
        return folder

    def build(*names):
        names = list(dict.fromkeys(names))
        with ThreadPoolExecutor(max_workers=2) as pool:
            return dict(zip(names, pool.map(build_once, names)))
    return build
