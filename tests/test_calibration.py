"""The reference accuracies recorded in the grading config are current and clear the bar."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REAL_DATA, REPO

pytestmark = pytest.mark.slow


def measured(name: str, real: bool) -> dict:
    """Run the calibration in a fresh process, as grading does (threads pinned at start)."""
    args = [sys.executable, "-c",
            "import json, sys; from autograder.calibrate import measure; "
            f"print('RESULT', json.dumps(measure({name!r}, "
            f"real_data={str(REAL_DATA) if real else None!r}, synthetic={not real})))"]
    out = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def recorded(name, source):
    """The thresholds the grader uses (an entry that extends another reads that one's)."""
    from autograder import assignments
    return {dataset: budget["by_source"][source]
            for dataset, budget in assignments.get(name).config["training"].items()
            if source in budget["by_source"]}


@pytest.mark.parametrize("name, source", [("convnets", "synthetic"), ("convnets", "real"),
                                          ("getting_started", "synthetic"),
                                          ("tuning", "synthetic"),
                                          ("time_series", "synthetic"),
                                          ("weather_rnn", "synthetic")])
def test_recorded_reference_accuracy_is_what_the_reference_gets(name, source):
    if source == "real" and not (REAL_DATA / "test_happy.h5").exists():
        pytest.skip("real course data not available")
    results = measured(name, real=source == "real")
    assert results, f"nothing measured for {name} on {source} data"
    for dataset, settings in recorded(name, source).items():
        if dataset not in results or source not in results[dataset]:
            continue
        assert results[dataset][source] == settings["reference"], (
            f"{dataset}/{source}: measured {results[dataset][source]}, config says "
            f"{settings['reference']}; run python -m autograder.calibrate --write")
        if "max_mae" in settings:
            assert settings["reference"] <= settings["max_mae"], (dataset, source)
        else:
            assert settings["reference"] >= settings["min_accuracy"], (dataset, source)
