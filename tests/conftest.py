import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

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


ASSIGNMENTS = sorted(p.parent.name for p in (REPO / "autograder").glob("*/config.json"))


@pytest.fixture(scope="session", params=ASSIGNMENTS)
def assignment(request):
    """Each assignment in turn: tests taking it hold for every one of them."""
    from autograder import assignments
    return assignments.get(request.param)


@pytest.fixture(scope="session")
def reference_results():
    """``reference_results(*names)``: those assignments' trusted reference results, as
    ``make autograder`` builds them, built from this checkout once per session (two at a
    time) and returned as {name: folder}.

    Class runs seed their training cache from these folders (``grade.grade_class`` does so
    whenever they exist), so the reference networks train once per session, not once per
    test that grades a correct notebook.
    """
    from concurrent.futures import ThreadPoolExecutor

    from autograder import reference_results as results

    built = {}

    def build(*names):
        missing = [name for name in dict.fromkeys(names) if name not in built]
        with ThreadPoolExecutor(max_workers=2) as pool:
            built.update(zip(missing, pool.map(results.build, missing)))
        return {name: built[name] for name in names}
    return build
