"""The sandbox's walls, probed directly: what student code can and cannot reach."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.assignments import REPO_ROOT
from autograder.runner import GRADING_ENV, _limits, sandbox_command

PROBE = r'''
import json, os, socket, subprocess
report = {}
def attempt(name, action):
    try:
        action()
        report[name] = "allowed"
    except BaseException as exc:
        report[name] = type(exc).__name__
attempt("read_hidden_test", lambda: open(os.environ["HIDDEN"]).read())
attempt("read_trusted_stage", lambda: open(os.environ["TRUSTED"]).read())
attempt("read_other_submission", lambda: open(os.environ["OTHER"]).read())
attempt("read_shared_helpers", lambda: open(os.environ["SHARED"]).read())
attempt("write_repo", lambda: open(os.environ["SHARED"], "a").write("x"))
attempt("write_own_folder", lambda: open("mine.txt", "w").write("x"))
attempt("network", lambda: socket.create_connection(("1.1.1.1", 80), timeout=2))
attempt("only_own_processes_visible", lambda: (_ for _ in ()).throw(RuntimeError())
        if len([p for p in os.listdir("/proc") if p.isdigit()]) > 3 else None)
report["uid"] = os.getuid()
open("report.json", "w").write(json.dumps(report))
'''


@pytest.fixture(scope="module")
def walls(tmp_path_factory):
    trusted = Path(tempfile.mkdtemp(prefix="kit-trusted-"))
    (trusted / "secret.txt").write_text("hidden")
    others = tmp_path_factory.mktemp("submissions")
    (others / "bob.ipynb").write_text("{}")
    private = Path(tempfile.mkdtemp(prefix="kit-grade-test-"))
    (private / "probe.py").write_text(PROBE)
    os.chown(private, 61999, 61999)
    env = {**os.environ, **GRADING_ENV, "HOME": "/tmp/sandbox",
           "HIDDEN": str(REPO_ROOT / "autograder" / "convnets" / "tests" / "happy_model.py"),
           "TRUSTED": str(trusted / "secret.txt"), "OTHER": str(others / "bob.ipynb"),
           "SHARED": str(REPO_ROOT / "shared" / "summary.py")}
    command = sandbox_command(private, 61999, hide=[others],
                              program=[sys.executable, "probe.py"])
    subprocess.run(command, env=env, check=True, timeout=60, preexec_fn=_limits(4 * 2**30))
    return json.loads((private / "report.json").read_text())


@pytest.mark.parametrize("attempt", ["read_hidden_test", "read_trusted_stage",
                                     "read_other_submission", "write_repo", "network"])
def test_sandbox_refuses(walls, attempt):
    assert walls[attempt] != "allowed", walls


@pytest.mark.parametrize("attempt", ["read_shared_helpers", "write_own_folder",
                                     "only_own_processes_visible"])
def test_sandbox_allows_what_a_notebook_needs(walls, attempt):
    assert walls[attempt] == "allowed", walls


def test_sandbox_runs_as_an_unprivileged_user(walls):
    assert walls["uid"] == 61999
