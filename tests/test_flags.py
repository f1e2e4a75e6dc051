"""Sandbox flags name what the submission's own code did (issue 14, item 7).

The Recorder is an audit hook, and a hook cannot be removed once added, so each case runs
in a fresh interpreter that loads the sandbox program's Recorder (not its ``main``: that
runs only inside bubblewrap) in a folder laid out like a sandbox's. "Library" code is a
function compiled under a file name inside site-packages before the hook is watching, as
an installed package's would be; "the submission" is code compiled under a cell's name.
The sample classes (tests/test_sample_class.py) check the same on real notebooks: no
reference raises a flag, each adversarial sample raises its own.
"""
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from autograder import assignments
from autograder.assignments import REPO_ROOT
from autograder.build import bundle
from autograder.engine import notebooks, runner
from autograder.engine.warm import WarmSandbox
from autograder.tools import samples

ENGINE = REPO_ROOT / "autograder" / "engine"

HARNESS = textwrap.dedent('''
    import importlib.util, json, os, site, socket, subprocess, sys
    sys.path.insert(0, {engine!r})
    spec = importlib.util.spec_from_file_location("kit_sandbox", {engine!r} + "/sandbox.py")
    sandbox = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sandbox)
    os.chdir({folder!r})
    for name in ("submission.ipynb", "probes.json"):
        open(name, "w").close()
    os.makedirs("artifacts", exist_ok=True)
    open("artifacts/progress.json", "w").close()
    LIBRARY = os.path.join(site.getsitepackages()[0], "somelib", "housekeeping.py")

    def define(source, filename):
        namespace = {{"os": os, "shutil": __import__("shutil"), "socket": socket,
                      "subprocess": subprocess, "sys": sys, "tempfile": __import__("tempfile")}}
        exec(compile(textwrap_dedent(source), filename, "exec"), namespace)
        return namespace["run"]

    def textwrap_dedent(text):
        import textwrap
        return textwrap.dedent(text)

    library = define({library!r}, LIBRARY)
    student = define({student!r}, "<ipython-input-3-5f0e2b>")
    recorder = sandbox.Recorder()
    sys.addaudithook(recorder)
    recorder.active = True
    try:
        (library if {who!r} == "library" else student)()
    except OSError:
        pass
    recorder.active = False
    print(json.dumps(sorted(recorder.flags)))
''')


def flags(tmp_path, who: str, body: str) -> list[str]:
    """The flags the Recorder raises when ``who`` (library or student) runs ``body``."""
    folder = Path(tempfile.mkdtemp(prefix="sandbox-", dir=tmp_path))
    source = "def run():\n" + textwrap.indent(textwrap.dedent(body), "    ")
    script = HARNESS.format(engine=str(ENGINE), folder=str(folder), library=source,
                            student=source, who=who)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


TEMP_FILE = """
    handle, path = tempfile.mkstemp()
    os.close(handle)
    os.remove(path)
"""
TEMP_TREE = """
    folder = tempfile.mkdtemp()
    open(os.path.join(folder, "module.py"), "w").close()
    shutil.rmtree(folder)
"""
CHOOSE_TEMPDIR = """
    tempfile.tempdir = None
    tempfile.gettempdir()
"""


@pytest.mark.parametrize("body", [TEMP_FILE, TEMP_TREE, CHOOSE_TEMPDIR],
                         ids=["mkstemp", "mkdtemp-rmtree", "gettempdir"])
def test_a_library_cleaning_its_own_temporary_files_raises_no_flag(tmp_path, body):
    assert flags(tmp_path, "library", body) == []


@pytest.mark.parametrize("body", [TEMP_FILE, TEMP_TREE], ids=["mkstemp", "mkdtemp-rmtree"])
def test_the_submission_deleting_files_itself_is_flagged(tmp_path, body):
    assert flags(tmp_path, "student", body) == ["delete"]


@pytest.mark.parametrize("body", [
    "shutil.rmtree('artifacts')",                     # the kit's files in the sandbox folder
    "os.remove('artifacts/progress.json')",
    "os.remove('submission.ipynb')",
    "shutil.rmtree(os.getcwd())",                     # the sandbox folder itself
    "os.rmdir('/no/such/data/folder')",               # outside the temporary space
    "os.remove(os.path.expanduser('~/.keras/x'))",
])
def test_deleting_outside_the_temporary_space_is_flagged_whoever_does_it(tmp_path, body):
    assert flags(tmp_path, "library", body) == ["delete"]
    assert flags(tmp_path, "student", body) == ["delete"]


def test_a_link_in_the_temporary_space_does_not_hide_what_it_points_to(tmp_path):
    body = """
        link = os.path.join(tempfile.mkdtemp(), "data")
        os.symlink(os.getcwd(), link)
        os.remove(os.path.join(link, "probes.json"))
    """
    assert flags(tmp_path, "library", body) == ["delete"]


@pytest.mark.parametrize("body, flag", [
    ("subprocess.run(['true'])", "process"),
    ("os.kill(os.getpid(), 0)", "signal"),
    ("import ctypes\nctypes.CDLL('libc.so.6')", "ctypes"),
], ids=["process", "signal", "ctypes"])
def test_processes_signals_and_native_code_count_when_the_submission_asks(tmp_path, body, flag):
    assert flags(tmp_path, "student", body) == [flag]
    assert flags(tmp_path, "library", body) == []


def test_a_network_attempt_counts_whoever_makes_it(tmp_path):
    body = """
        with socket.socket() as s:
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", 9))
            except OSError:
                pass
    """
    assert flags(tmp_path, "library", body) == ["network"]


def test_code_compiled_under_a_library_file_name_is_still_the_submissions(tmp_path):
    body = """
        import site
        disguise = os.path.join(site.getsitepackages()[0], "keras", "disguise.py")
        namespace = {"os": os}
        exec(compile("def kill():\\n    os.kill(os.getpid(), 0)\\n", disguise, "exec"), namespace)
        namespace["kill"]()
    """
    assert flags(tmp_path, "student", body) == ["signal"]


# --- real notebooks in the warm sandbox, where the time series reference was flagged -------

ADVERSARIAL = {s.id: s for s in samples.samples_of(assignments.get("convnets")) if s.flags}
NOTEBOOKS = [(name, "reference") for name in assignments.available()] + \
    [("convnets", sample_id) for sample_id in sorted(ADVERSARIAL)]


@pytest.fixture(scope="module")
def sandbox_flags(tmp_path_factory):
    """flags(name, sample_id): the flags a sample raises in a warm sandbox (no scoring)."""
    host = WarmSandbox()
    uid = runner.uid_range()[-2]
    with contextlib.ExitStack() as stack:
        staged = {}

        def run(name, sample_id):
            assignment = assignments.get(name)
            if name not in staged:
                staged[name] = stack.enter_context(bundle.staged_bundle(assignment))
            sample = next(s for s in samples.samples_of(assignment) if s.id == sample_id)
            notebook = tmp_path_factory.mktemp(name) / f"{sample_id}.ipynb"
            notebooks.write(samples.notebook_for(assignment, sample), notebook)
            private = host.private_dir()
            try:
                runner.prepare(notebook, private, staged[name], uid)
                assert host.run(private, uid, timeout=60, memory_bytes=4 * 2**30) is not None, \
                    host.failed
                progress = runner._progress(private / "artifacts")
                assert progress.get("cells_run"), (private / "kit_sandbox.log").read_text()[-2000:]
                return set(progress["flags"]) | ({"output_capped"} if progress.get("output_dropped")
                                                 else set())
            finally:
                shutil.rmtree(private, ignore_errors=True)
        try:
            yield run
        finally:
            host.close(remove=True)


@pytest.mark.slow
@pytest.mark.parametrize("name, sample_id", NOTEBOOKS)
def test_references_raise_no_flag_and_each_attack_exactly_its_own(sandbox_flags, name, sample_id):
    expected = set(ADVERSARIAL[sample_id].flags) if sample_id in ADVERSARIAL else set()
    assert sandbox_flags(name, sample_id) == expected
