"""The sandbox's walls, probed directly: what student code can and cannot reach.

Every wall is checked twice: in a cold sandbox (bubblewrap started for one
submission) and in a warm one (a child forked by the pre-imported host of
``autograder.engine.warm``), which must be exactly as closed.
"""
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder import assignments
from autograder.assignments import REPO_ROOT
from autograder.build import bundle
from autograder.engine import quota
from autograder.engine.runner import (_limits, _progress, run_sandbox, run_sandboxed,
                                      sandbox_command, sandbox_env, status_of)
from autograder.engine.warm import WarmSandbox

UID = 61999
PROBE = r'''
import json, os, socket, subprocess
PATHS = {paths}
report = {{}}
def attempt(name, action):
    try:
        action()
        report[name] = "allowed"
    except BaseException as exc:
        report[name] = type(exc).__name__
attempt("read_hidden_test", lambda: open(PATHS["hidden"]).read())
attempt("read_trusted_stage", lambda: open(PATHS["trusted"]).read())
attempt("read_other_submission", lambda: open(PATHS["other"]).read())
attempt("read_shared_helpers", lambda: open(PATHS["shared"]).read())
attempt("write_repo", lambda: open(PATHS["shared"], "a").write("x"))
attempt("write_own_folder", lambda: open("mine.txt", "w").write("x"))
attempt("write_tmp", lambda: open("/tmp/planted.txt", "w").write("x"))
attempt("network", lambda: socket.create_connection(("1.1.1.1", 80), timeout=2))
attempt("only_own_processes_visible", lambda: (_ for _ in ()).throw(RuntimeError())
        if len([p for p in os.listdir("/proc") if p.isdigit()]) > 3 else None)
attempt("see_the_spool", lambda: os.listdir("/tmp/kit-spool"))
attempt("see_a_previous_submission", lambda: os.listdir(PATHS["previous"]))
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
report["capabilities"] = {{k: status[k].strip() for k in status if k.startswith("Cap")}}
report["no_new_privs"] = status["NoNewPrivs"].strip()
report["uid"] = os.getuid()
report["cwd"] = os.getcwd()
open("report.json", "w").write(json.dumps(report))
'''


def lay_out(private: Path, paths: dict):
    """A submission whose one cell probes the walls, laid out as ``runner.prepare`` does."""
    source = PROBE.format(paths=json.dumps(paths))
    (private / "probe.py").write_text(source)
    lay_out_cells(private, [source])


def lay_out_cells(private: Path, cells: list):
    """A notebook of these code cells, with no probes, laid out as ``runner.prepare`` does."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, private / "submission.ipynb")
    shutil.copy(REPO_ROOT / "autograder" / "engine" / "sandbox.py", private / "kit_sandbox.py")
    shutil.copy(REPO_ROOT / "autograder" / "engine" / "kit_codec.py", private / "kit_codec.py")
    (private / "probes.json").write_text("{}")
    (private / "artifacts").mkdir()
    for path in [private, *private.rglob("*")]:
        os.chown(path, UID, UID)


@pytest.fixture(scope="module", params=["cold", "warm"])
def walls(request, tmp_path_factory):
    trusted = Path(tempfile.mkdtemp(prefix="kit-trusted-"))
    (trusted / "secret.txt").write_text("hidden")
    others = tmp_path_factory.mktemp("submissions")
    (others / "bob.ipynb").write_text("{}")
    paths = {"hidden": str(REPO_ROOT / "autograder" / "assignments" / "convnets" / "tests" / "happy_model.py"),
             "trusted": str(trusted / "secret.txt"), "other": str(others / "bob.ipynb"),
             "shared": str(REPO_ROOT / "shared" / "summary.py")}
    if request.param == "cold":
        private = Path(tempfile.mkdtemp(prefix="kit-grade-test-"))
        paths["previous"] = str(private)  # nothing to find: the cold sandbox has no past
        lay_out(private, paths)
        command = sandbox_command(private, UID, hide=[others],
                                  program=[sys.executable, "probe.py"])
        subprocess.run(command, env=sandbox_env(), check=True, timeout=60,
                       preexec_fn=_limits(4 * 2**30))
        yield json.loads((private / "report.json").read_text())
        shutil.rmtree(private)
    else:
        host = WarmSandbox(hide=[others])
        try:
            first, second = host.private_dir(), host.private_dir()
            paths["previous"] = f"/tmp/kit-spool/{first.name}"
            for private in (first, second):
                lay_out(private, paths)
                assert host.run(private, UID, timeout=60, memory_bytes=4 * 2**30) == (False, 0), \
                    (host.failed, (private / "kit_sandbox.log").read_text())
            assert (first / "report.json").exists()
            yield json.loads((second / "report.json").read_text())
        finally:
            host.close(remove=True)
    shutil.rmtree(trusted)


@pytest.mark.parametrize("attempt", ["read_hidden_test", "read_trusted_stage",
                                     "read_other_submission", "write_repo", "write_tmp",
                                     "network", "see_the_spool", "see_a_previous_submission"])
def test_sandbox_refuses(walls, attempt):
    assert walls[attempt] != "allowed", walls


@pytest.mark.parametrize("attempt", ["read_shared_helpers", "write_own_folder",
                                     "only_own_processes_visible"])
def test_sandbox_allows_what_a_notebook_needs(walls, attempt):
    assert walls[attempt] == "allowed", walls


def test_sandbox_runs_as_an_unprivileged_user_without_capabilities(walls):
    assert walls["uid"] == UID
    assert walls["cwd"] == "/tmp/sandbox"
    assert set(walls["capabilities"].values()) == {"0000000000000000"}, walls["capabilities"]
    assert walls["no_new_privs"] == "1"


MEMORY_CELLS = [
    "open('started.txt', 'w').write('x')",
    # fills memory and keeps it in a name, beside a function that must stay
    "def kept():\n    return 1\nhog = []\nwhile True:\n    hog.append(bytearray(10**8))",
    # needs 1 GB: runs only if the hog's memory was given back
    "room = bytearray(10**9)\nopen('after_name.txt', 'w').write(str(kept()))\ndel room",
    # fills memory in a function's local: its frame lives on in the traceback
    "def fill():\n    local = []\n    while True:\n        local.append(bytearray(10**8))\nfill()",
    "room = bytearray(10**9)\nopen('after_local.txt', 'w').write('x')\ndel room",
    # hides the memory where removing names cannot reach
    "import builtins\nbuiltins.hidden = []\n"
    "while True:\n    builtins.hidden.append(bytearray(10**8))",
    "open('never.txt', 'w').write('x')",
]


@pytest.mark.parametrize("kind", ["cold", "warm"])
def test_a_cell_out_of_memory_gives_it_back_or_stops_the_notebook(kind):
    """Later cells must not run at the memory limit, where a native crash is a matter of chance."""
    memory = 3 * 2**30
    private = Path(tempfile.mkdtemp(prefix="kit-grade-test-"))
    host = WarmSandbox() if kind == "warm" else None
    try:
        if host:
            shutil.rmtree(private)
            private = host.private_dir()
        lay_out_cells(private, MEMORY_CELLS)
        if host:
            ran = host.run(private, UID, timeout=120, memory_bytes=memory)
        else:
            ran = run_sandbox(private, private / "log.txt", UID, timeout=120,
                              memory_bytes=memory, hide=(), register=None)
        log = (private / "kit_sandbox.log" if host else private / "log.txt").read_text()
        assert ran == (False, 0), log
        progress = json.loads((private / "artifacts" / "progress.json").read_text())
        made = {p.name for p in private.glob("*.txt")}
        assert {"started.txt", "after_name.txt", "after_local.txt"} <= made, (progress, log)
        assert "never.txt" not in made, progress
        assert "memory" in progress["flags"]
        assert any("the data it bound was removed: hog" in e for e in progress["errors"]), progress
        assert (private / "after_name.txt").read_text() == "1"  # kept() survived
        assert progress["out_of_memory"] == 6 and not progress["finished"], progress
        status, message = status_of(False, 0, progress, 120)
        assert status == "crashed" and "code cell 6 of 7 ran out of memory" in message, message
    finally:
        if host:
            host.close(remove=True)
        shutil.rmtree(private, ignore_errors=True)


def test_a_notebook_that_got_its_memory_back_is_graded_with_a_note():
    progress = {"cells_total": 3, "cells_run": 3, "finished": True, "flags": ["memory"]}
    status, message = status_of(False, 0, progress, 120)
    assert status == "graded" and "ran out of memory" in message, message
    assert status_of(False, 0, {**progress, "flags": []}, 120) == ("graded", "")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["cold", "warm"])
def test_the_time_limit_counts_computing_time_not_waiting(tmp_path, mode):
    """A cell that waits 25 s of wall-clock time under a 15 s limit finishes (a busy machine
    slows a notebook down without its using more CPU); a cell that computes forever is
    stopped after its 15 s of CPU time (a cold sandbox's imports included), status timeout."""
    results = {}
    for name, cells in {"waits": ["import time\ntime.sleep(25)", "done = 1"],
                        "spins": ["while True:\n    pass"]}.items():
        host = WarmSandbox() if mode == "warm" else None
        private = host.private_dir() if host else Path(tempfile.mkdtemp(prefix="kit-grade-test-"))
        try:
            lay_out_cells(private, cells)
            if host:
                ran = host.run(private, UID, timeout=15, memory_bytes=4 * 2**30)
            else:
                ran = run_sandbox(private, private / "log.txt", UID, timeout=15,
                                  memory_bytes=4 * 2**30, hide=(), register=None)
            progress = _progress(private / "artifacts")  # none when the first cell never ends
            results[name] = status_of(*ran, progress, 15)[0], progress.get("cells_run", 0)
        finally:
            if host:
                host.close(remove=True)
            shutil.rmtree(private, ignore_errors=True)
    assert results == {"waits": ("graded", 2), "spins": ("timeout", 0)}


#: A cell that writes more than its folder holds, in pieces under the file-size limit, then
#: more files than it holds; it says how far it got (in report.json, once it made room).
FILLS_ITS_FOLDER = r'''
import json, os, shutil
report = {"written": 0, "files": 0, "errors": []}
chunk = b"x" * (16 * 2**20)
try:
    for i in range(64):  # 1 GiB
        with open(f"big{i}", "wb") as f:
            f.write(chunk)
        report["written"] += len(chunk)
except OSError as e:
    report["errors"].append(e.errno)
for i in range(64):
    if os.path.exists(f"big{i}"):
        os.remove(f"big{i}")
try:
    os.mkdir("many")
    for i in range(20_000):
        open(f"many/{i}", "w").close()
        report["files"] += 1
except OSError as e:
    report["errors"].append(e.errno)
shutil.rmtree("many", ignore_errors=True)
open("report.json", "w").write(json.dumps(report))
'''


@pytest.mark.parametrize("mode", ["cold", "warm"])
def test_a_submission_cannot_fill_the_disk_the_class_is_graded_on(tmp_path, monkeypatch, mode):
    """Its folder is a tmpfs of its own (quota.FOLDER_BYTES, FOLDER_FILES; smaller here):
    writing past it fails with ENOSPC in the student's cell, and once graded it is gone."""
    monkeypatch.setattr(quota, "FOLDER_BYTES", 256 * 2**20)
    monkeypatch.setattr(quota, "FOLDER_FILES", 5_000)
    assignment = assignments.get("tuning")
    notebook = tmp_path / "fills.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FILLS_ITS_FOLDER)]),
                   notebook)
    host = WarmSandbox() if mode == "warm" else None
    try:
        with bundle.staged_bundle(assignment) as staged:
            ran = run_sandboxed(notebook, staged, timeout=60, memory_bytes=4 * 2**30,
                                sandbox=host)
            try:
                assert os.path.ismount(ran.private)
                report = json.loads((ran.private / "report.json").read_text())
            finally:
                ran.remove()
            assert not ran.private.exists() and not ran.work.exists()
    finally:
        if host:
            host.close(remove=True)
            assert not host.spool.exists()
    assert report["errors"] == [errno.ENOSPC, errno.ENOSPC], report
    assert 200 * 2**20 <= report["written"] <= 256 * 2**20, report
    assert 4_000 <= report["files"] < 5_000, report


def test_a_killed_graders_folders_are_unmounted_by_the_next_one(tmp_path):
    """A grader killed with SIGKILL cannot unmount its sandboxes' folders; the next one to
    start a warm sandbox does (quota.sweep), and leaves those of a running grader alone."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its process id now names no process
    folders = {}
    for owner in ("killed", "running"):
        home = Path(tempfile.mkdtemp(prefix="kit-quota-test-"))
        (home / "spool").mkdir()
        assert quota.limit(home / "spool") and quota.share(home / "spool")
        (home / "spool" / "left.txt").write_text("what the last submission wrote")
        (home / "spool" / "submission").mkdir()  # a submission's folder in it: its own tmpfs
        assert quota.limit(home / "spool" / "submission")
        (home / "spool" / "submission" / "left.txt").write_text("its last write")
        (home / quota.OWNER).write_text(str(gone.pid if owner == "killed" else os.getppid()))
        folders[owner] = home
    try:
        assert quota.sweep() >= 1
        assert not folders["killed"].exists()
        assert not any(str(folders["killed"]) in line
                       for line in Path("/proc/self/mounts").read_text().splitlines())
        assert os.path.ismount(folders["running"] / "spool")
    finally:
        for home in folders.values():
            quota.release(home / "spool")  # its submission's folder goes with it
            shutil.rmtree(home, ignore_errors=True)


#: The first of two submissions on one host: it fills its folder, says so, then waits for the
#: test's word (a file the grader's side writes in its folder) before it ends.
FILLS_THEN_WAITS = r'''
import os, time
chunk = b"x" * (16 * 2**20)
try:
    for i in range(64):
        with open(f"big{i}", "wb") as f:
            f.write(chunk)
except OSError as e:
    os.remove("big0")  # room for the two words
    open("full.txt", "w").write(str(e.errno))
for _ in range(2400):  # two minutes at most
    if os.path.exists("go.txt"):
        break
    time.sleep(0.05)
'''

#: The second: writes 96 MB (in two files, under the file-size limit) beside the first,
#: which has filled its own folder.
WRITES_96MB = r'''
import os
for name in ("a.bin", "b.bin"):
    with open(name, "wb") as f:
        f.write(b"y" * (48 * 2**20))
open("wrote.txt", "w").write(str(os.path.getsize("a.bin") + os.path.getsize("b.bin")))
'''


def test_one_host_serves_two_submissions_at_once_each_in_a_room_of_its_own(tmp_path,
                                                                             monkeypatch):
    """The jobs of a class share one host (grade.LocalPool): a second submission runs while
    the first is still running, and the first having filled its folder takes none of the
    second's room. Ordered by files, not by time: the first ends only once the second has."""
    import threading
    from autograder.engine.runner import prepare, uid_range
    monkeypatch.setattr(quota, "FOLDER_BYTES", 256 * 2**20)
    host = WarmSandbox()
    uids = uid_range()
    results = {}
    try:
        with bundle.staged_bundle(assignments.get("tuning")) as staged:
            folders = {}
            for index, (name, cell) in enumerate((("first", FILLS_THEN_WAITS),
                                                  ("second", WRITES_96MB))):
                notebook = tmp_path / f"{name}.ipynb"
                nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)]),
                               notebook)
                folders[name] = host.private_dir()
                assert os.path.ismount(folders[name])
                prepare(notebook, folders[name], staged, uids[index])

            def run(name, index):
                results[name] = host.run(folders[name], uids[index], timeout=120,
                                         memory_bytes=4 * 2**30)
            first = threading.Thread(target=run, args=("first", 0))
            first.start()
            try:
                for _ in range(2400):
                    if (folders["first"] / "full.txt").exists() or not first.is_alive():
                        break
                    first.join(0.05)
                assert (folders["first"] / "full.txt").read_text() == str(errno.ENOSPC)
                second = threading.Thread(target=run, args=("second", 1))
                second.start()
                second.join(120)
                assert results.get("second") == (False, 0), (
                    results, (folders["second"] / "kit_sandbox.log").read_text())
                assert first.is_alive() and "first" not in results
            finally:
                (folders["first"] / "go.txt").write_text("go")
                first.join(120)
            assert results["first"] == (False, 0)
            assert (folders["second"] / "wrote.txt").read_text() == str(96 * 2**20)
            for folder in folders.values():
                quota.release(folder)
                assert not os.path.ismount(folder)
    finally:
        host.close(remove=True)
    assert host.served == 2 and host.starts == 1


def test_the_host_answers_a_bad_request_by_its_id_and_serves_on(tmp_path):
    """A request it cannot serve gets ``<id> error ...`` (``?`` when the id itself is
    unreadable), and the host goes on reading until the grader closes the pipe."""
    import io
    from autograder.engine import zygote
    requests, asking = os.pipe()
    os.write(asking, b'{"id": 5, "folder": "../other", "uid": 70000, "limits": {}, '
                     b'"timeout": 1}\nnot json\n{"id": 6, "folder": "x", "uid": 0}\n'
                     b'{"id": 7, "folder": "x"')
    os.write(asking, b', "uid": 70000}\n')  # a line in two pieces: read as one request
    os.close(asking)
    replies = io.StringIO()
    zygote.serve((), requests, replies)
    os.close(requests)
    lines = replies.getvalue().splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [["5", "error"], ["?", "error"],
                                                          ["6", "error"], ["7", "error"]]
    assert "bad request" in lines[0] and "bad request" in lines[2] and "limits" in lines[3]
