"""Run a student's notebook in the sandbox and write what the graded names hold.

This file runs *untrusted* code. The class grader copies it into a private
folder and starts it inside bubblewrap (no network, a read-only file system
with the hidden tests, the hidden data and other students' work masked, its
own PID namespace, an unprivileged user, resource limits). It imports
nothing of the kit's grading code, so there is nothing here to patch.

It executes the notebook's code cells (minus those tagged ``otter_ignore``)
one by one and, after every cell, serialises each probed name into
``artifacts/<name>.json``: a model's architecture as Keras JSON, its compile
settings, or the error the student's code raised. Nothing else leaves the
sandbox; scoring happens in a separate trusted process that never runs
student code (``autograder.engine.scorer``). A file the student forges here is at
most an answer, and is checked like any other.

Usage: python kit_sandbox.py NOTEBOOK PROBES_JSON ARTIFACTS_DIR
"""
import gc
import inspect
import io
import json
import os
import resource
import signal
import sys
import traceback
import types
from pathlib import Path

import kit_codec  # copied next to this file: see autograder/kit_codec.py

#: CPU seconds (not wall-clock: a busy machine must not cut a correct cell short) per cell
#: and per call of a graded function; the whole run has a CPU limit and a wall-clock
#: backstop outside (runner.sandbox_limits).
CELL_SECONDS = 120
PROBE_SECONDS = 60
OUTPUT_LIMIT = 200_000  # characters of student output kept
#: Address space a notebook needs free to go on after a cell ran out of memory
#: (TensorFlow's threads and buffers are allocated natively: with less, a later
#: cell may crash at random instead of raising).
MEMORY_HEADROOM = 512 * 2**20


class CellTimeout(Exception):
    pass


class CappedOutput(io.TextIOBase):
    """stdout/stderr that keeps the first OUTPUT_LIMIT characters and counts the rest."""

    def __init__(self, sink):
        self.sink, self.kept, self.dropped = sink, 0, 0

    def write(self, text):
        room = max(0, OUTPUT_LIMIT - self.kept)
        self.sink.write(text[:room])
        self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - room)
        return len(text)

    def flush(self):
        self.sink.flush()


class Recorder:
    """Suspicious events seen by an audit hook (PEP 578: student code cannot remove it).

    A flag names what the submission's own code did, so that it means something to the
    TA: libraries clean up their own temporary files and probe their environment while
    a cell trains a model (TensorFlow's autograph writes and deletes a module, tempfile
    probes which folder it may write), and a flag on every submission, the reference
    included, would teach the TA to ignore flags. So an event counts when

    - the submission's own frames caused it: walking out from the event, the first frame
      outside the standard library and IPython (which act on the caller's behalf: a
      cell's ``shutil.rmtree`` or ``!ls``) is not the code of an installed library or
      of the kit (network attempts always count: no library connects on its own here);
    - or, for a deletion, whoever did it, the path lies outside the sandbox's own
      temporary space (its scratch folders and what the run itself created in its
      folder), e.g. the data, the repo, the home folder, or the kit's own files in the
      sandbox folder (the notebook, the artifacts, this program).

    Code the submission compiled under a library's file name counts as its own.
    """

    WATCHED = {"socket.connect": "network", "socket.bind": "network",
               "os.fork": "process", "os.forkpty": "process", "subprocess.Popen": "process",
               "os.system": "process", "os.exec": "process", "os.posix_spawn": "process",
               "os.kill": "signal", "os.killpg": "signal", "ctypes.dlopen": "ctypes",
               "os.remove": "delete", "os.rmdir": "delete", "shutil.rmtree": "delete"}
    ALWAYS = {"network"}
    SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
    #: What the sandbox program keeps in its folder besides what it finds there at start.
    KIT_FILES = ("artifacts", "student_output.txt", "kit_sandbox.log")

    def __init__(self):
        import site
        import sysconfig
        import tempfile

        self.flags = set()
        self.active = False
        self.folder = os.path.realpath(os.getcwd())
        # Chosen now, before any cell: choosing it later writes and deletes a probe file.
        temp = os.path.realpath(tempfile.gettempdir())
        self.scratch = tuple({os.path.realpath(p) for p in self.SCRATCH} | {temp, self.folder})
        self.kit_paths = tuple(os.path.join(self.folder, name)
                               for name in {*os.listdir(self.folder), *self.KIT_FILES})
        paths = sysconfig.get_paths()
        self.stdlib = tuple({paths["stdlib"], paths["platstdlib"]})
        ipython = sys.modules.get("IPython")
        self.shell = os.path.dirname(ipython.__file__) if ipython else "//"
        self.libraries = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix,
                                *site.getsitepackages(), *self._kit_code()})
        self.claimed = set()  # library file names the submission compiled code under

    @staticmethod
    def _kit_code():
        """The kit's files this process runs (this program, its codec, the notebook's helpers)."""
        import importlib.util
        files = [__file__, kit_codec.__file__]
        files += [os.path.realpath(f) for f in files]
        try:
            spec = importlib.util.find_spec("shared")
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            files += [os.path.realpath(f) for f in spec.submodule_search_locations]
        return files

    def __call__(self, event, args):
        if not self.active:
            return
        try:
            self._seen(event, args)
        except Exception:  # noqa: BLE001 - a hook that raises would break the student's call
            if event in self.WATCHED:
                self.flags.add(self.WATCHED[event])

    def _seen(self, event, args):
        flag = self.WATCHED.get(event)
        if flag:
            if flag in self.ALWAYS or self._submission(_caller()) or (
                    flag == "delete" and not self._own_scratch(args)):
                self.flags.add(flag)
        elif event in ("compile", "code.__new__") and len(args) > 1:
            name = args[1].decode(errors="replace") if isinstance(args[1], bytes) else args[1]
            caller = _caller()
            if (isinstance(name, str) and self._library(name) and caller is not None
                    and not self._transparent(caller.f_code.co_filename)
                    and not self._library(caller.f_code.co_filename)):
                self.claimed.add(name)  # the submission's own compile() or code.replace()
        elif event == "open" and args and isinstance(args[0], str):
            path, mode = args[0], str(args[1] or "r") if len(args) > 1 else "r"
            if "site-packages" not in path and any(part in path for part in (
                    "/autograder", "hidden", "grading_config", "results.json", "grades.csv")):
                self.flags.add("reads_grader_files" if "r" in mode and "w" not in mode
                               else "writes_grader_files")
        elif event == "import" and args and str(args[0]).split(".")[0] in ("otter", "gradelib"):
            self.flags.add("imports_grader")

    def _library(self, filename: str) -> bool:
        return filename not in self.claimed and (
            filename.startswith("<frozen ") or filename.startswith(self.libraries))

    def _transparent(self, filename: str) -> bool:
        """Code that acts for its caller: the standard library, IPython running a cell."""
        if filename in self.claimed:
            return False
        if filename.startswith("<frozen ") or filename.startswith(self.shell + os.sep):
            return True
        return filename.startswith(self.stdlib) and "-packages" + os.sep not in filename

    def _submission(self, frame) -> bool:
        """Did the submission's own code make this call (see the class docstring)?"""
        while frame is not None:
            filename = frame.f_code.co_filename
            if not self._transparent(filename):
                return not self._library(filename)
            frame = frame.f_back
        return False  # only the interpreter's own frames: a library's thread

    def _own_scratch(self, args) -> bool:
        """Is the deleted path in the sandbox's own temporary space?"""
        try:
            return self._in_scratch(os.fsdecode(os.fspath(args[0])),
                                    args[1] if len(args) > 1 else None)
        except (OSError, TypeError, ValueError):
            return False  # a path it cannot place is not its own

    def _in_scratch(self, path: str, dir_fd) -> bool:
        if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(path):
            base = os.readlink(f"/proc/self/fd/{dir_fd}")
        else:
            base = os.getcwd()
        full = os.path.join(base, path)
        # The folder resolved, not the name: removing a link removes the link alone.
        real = os.path.join(os.path.realpath(os.path.dirname(full)), os.path.basename(full))
        real = os.path.normpath(real)
        if real == self.folder or any(real == k or real.startswith(k + os.sep)
                                      for k in self.kit_paths):
            return False
        return any(real.startswith(root + os.sep) for root in self.scratch)


def _caller():
    """The innermost frame outside the audit hook: the code whose call raised the event
    (None in a thread with no Python frame: a library's native thread)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__ and (
            frame.f_code.co_name in ("_caller", "_seen", "__call__")):
        frame = frame.f_back
    return frame


def limit_cpu(seconds):
    """Raise CellTimeout in this process after ``seconds`` more of its CPU time (0: never);
    returns the seconds that were left of the limit before."""
    return signal.setitimer(signal.ITIMER_PROF, seconds)[0]


def _call(name, function, args):
    """``function(*args)`` under the probe's CPU limit: ("value", result) or ("error", text).
    A call inside another keeps the outer limit when it returns."""
    outer = limit_cpu(PROBE_SECONDS)
    try:
        return "value", function(*args)
    except CellTimeout:
        return "error", (f"TimeoutError: {name}(...) did not return within {PROBE_SECONDS} s "
                         f"of computing time")
    except BaseException as exc:  # SystemExit too: it is the student's answer
        return "error", f"{type(exc).__name__}: {exc}"
    finally:
        limit_cpu(outer)


def call_case(name, function, spec):
    """One probe case: seeded if asked, called, then its first items taken if asked."""
    kit_codec.seed_for(spec)
    outcome, result = _call(name, function, kit_codec.decode_input(spec["args"]))
    if outcome == "value" and "take" in spec:
        outcome, result = _call(name, lambda: kit_codec.taken(result, spec), [])
    return outcome, result


def model_artifact(obj):
    """A model's Keras JSON architecture and compile settings."""
    import keras
    if not isinstance(obj, keras.Model):  # "returned": what it is, for the scorer's sentence
        return {"error": f"TypeError: expected a keras Model, got {type(obj).__name__}",
                "returned": type(obj).__name__}
    artifact = {"model": obj.to_json(), "lambdas": lambda_behaviour(obj)}
    if getattr(obj, "compiled", False):
        artifact["compile"] = json.loads(json.dumps(obj.get_compile_config(), default=str))
    return artifact


def lambda_behaviour(model):
    """What each top-level Lambda layer does to a fixed input (see autograder/lambdas.py).

    The scorer rebuilds a Lambda from built-in layers that do the same, since
    it must not run the Lambda's bytecode.
    """
    import keras
    import numpy as np
    found = {}
    for layer in model.layers:
        if not isinstance(layer, keras.layers.Lambda):
            continue
        try:
            dims = [d if d is not None else (2 if axis == 0 else 5)
                    for axis, d in enumerate(layer.input.shape)]
            x = (np.arange(int(np.prod(dims)), dtype="float32").reshape(dims) - 3.5) / 2.0
        except (AttributeError, ValueError, TypeError):
            continue
        outcome, y = _call(layer.name, lambda f=layer, v=x: np.asarray(f(v)), [])
        if outcome == "value":
            found[layer.name] = {"input": kit_codec.encode(x), "output": kit_codec.encode(y)}
    return found


def _recorded(record, obj):
    """``record(obj)``, or the error it raised: a model whose ``to_json`` fails (or is
    replaced by one that does) is that name's answer, not a reason to stop the notebook."""
    outcome, result = _call("to_json", lambda: record(obj), [])
    return result if outcome == "value" else {"error": result}


def serialise(name, obj, probe):
    """The JSON artifact for one probed name.

    Probe kinds: ``model`` (a variable holding a model), ``model_builder`` (a
    function returning one, called with ``args`` or with each of ``cases``),
    ``function`` (called with each case's arguments; its results recorded)
    and ``value`` (a variable's value, encoded).
    """
    kind = probe["kind"]
    if kind in ("model_builder", "function") and not callable(obj):
        return {"error": f"TypeError: {name} is not a function"}
    if kind == "model":
        return _recorded(model_artifact, obj)
    if kind == "value":
        return {"value": kit_codec.encode(obj)}
    if kind == "model_builder" and "cases" not in probe:
        outcome, result = _call(name, obj, probe.get("args", []))
        return _recorded(model_artifact, result) if outcome == "value" else {"error": result}
    cases = {}
    for case, spec in probe["cases"].items():
        outcome, result = call_case(name, obj, spec)
        if outcome == "error":
            cases[case] = {"error": result}
        elif kind == "model_builder":
            cases[case] = _recorded(model_artifact, result)
        else:
            cases[case] = {"value": kit_codec.encode(result)}
    return {"cases": cases}


def reap_strays():
    """Kill every other process of this sandbox user: what a cell forked must not
    outlive it (sleeping children would hold the process limit the kernel's own
    threads need). kill(-1) spares the caller and the namespace's init."""
    if os.getuid() == 0:  # not in a sandbox: as root, kill(-1) would end every process
        return
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "_ih", "_oh", "_dh"}


def address_space_left():
    """Bytes this process may still map under its RLIMIT_AS, or None without a limit."""
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit == resource.RLIM_INFINITY:
        return None
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    return limit - size


def release_memory(namespace: dict, names_before: dict, error: BaseException) -> list:
    """After a cell ran out of memory: drop the data it bound and what its traceback holds.

    A cell that fills memory and keeps it (``hog.append(...)`` until refused)
    would leave every later cell running at the limit, where TensorFlow may
    crash natively rather than raise, and the grade would depend on chance.
    The data the cell bound (new or rebound names, compared by identity) is
    removed, so the rest of the notebook runs without it; the functions,
    classes and modules it defined stay, as they would in Jupyter (a graded
    function defined beside the allocation keeps its points). Returns the names.
    """
    kept_kinds = (types.FunctionType, types.BuiltinFunctionType, types.ModuleType, type)
    dropped = sorted(name for name, value in namespace.items()
                     if name not in IPYTHON_NAMES and names_before.get(name) != id(value)
                     and not isinstance(value, kept_kinds))
    for name in dropped:
        del namespace[name]
    # A function's locals live on in its frame, which the traceback keeps. Clearing
    # the frame is not enough on Python 3.11 once IPython's traceback printer has
    # read its locals into a dict: reading f_locals again syncs that dict.
    traceback.clear_frames(error.__traceback__)
    for frame, _ in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_flags & inspect.CO_OPTIMIZED:
            frame.f_locals  # noqa: B018 (the read is the sync)
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            setattr(sys, name, None)
    gc.collect()
    return dropped


def write_json(path: Path, data):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def save(artifacts: Path, produced: dict, progress: dict):
    """Write every artifact again after each cell: a cell may have deleted the folder."""
    artifacts.mkdir(exist_ok=True)
    for name, artifact in produced.items():
        write_json(artifacts / f"{name}.json", artifact)
    write_json(artifacts / "progress.json", progress)


def main(notebook, probes_file, artifacts):
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    artifacts = Path(artifacts)
    artifacts.mkdir(exist_ok=True)
    probes = json.loads(Path(probes_file).read_text())
    # The grader wrote it after reading it bounded, converting it to version 4 and validating
    # it (runner.prepare): read as that, without validating again (a tenth of a reused
    # correct submission's sandbox time went to nbformat's schema check).
    nb = nbformat.v4.reads(Path(notebook).read_text(encoding="utf-8"))
    cells = [c.source for c in nb.cells if c.cell_type == "code"
             and "otter_ignore" not in c.get("metadata", {}).get("tags", [])]

    def on_limit(signum, frame):
        raise CellTimeout()
    signal.signal(signal.SIGPROF, on_limit)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over-large writes fail, not kill

    # Import the heavy libraries before watching: their own start-up forks,
    # loads shared libraries and probes sockets, which says nothing of the student.
    import h5py  # noqa: F401
    import keras  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import tensorflow  # noqa: F401

    recorder = Recorder()
    sys.addaudithook(recorder)
    # No history database: cells run with store_history=False, and opening, writing and
    # closing one in the student's folder cost 10-20 ms of every sandbox.
    from traitlets.config import Config
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    out = CappedOutput(open("student_output.txt", "w"))
    real_stdout, real_stderr = sys.stdout, sys.stderr
    seen, produced, progress = {}, {}, {"cells_total": len(cells), "cells_run": 0, "errors": [],
                          "flags": [], "output_dropped": 0, "finished": False}
    for index, source in enumerate(cells, start=1):
        sys.stdout = sys.stderr = out
        recorder.active = True
        names_before = {name: id(value) for name, value in shell.user_ns.items()}
        limit_cpu(CELL_SECONDS)
        try:
            result = shell.run_cell(source, store_history=False, silent=False)
            error = result.error_in_exec or result.error_before_exec
        except CellTimeout:
            error = TimeoutError(f"cell {index} used more than {CELL_SECONDS} s of computing time")
        finally:
            limit_cpu(0)
            recorder.active = False
            sys.stdout, sys.stderr = real_stdout, real_stderr
        reap_strays()
        if isinstance(error, CellTimeout):
            error = TimeoutError(f"cell {index} used more than {CELL_SECONDS} s of computing time")
        if error is not None:
            if isinstance(error, SystemExit):
                recorder.flags.add("exit")
            progress["errors"].append(f"cell {index}: {type(error).__name__}: {error}"[:300])
        if isinstance(error, MemoryError):
            recorder.flags.add("memory")
            dropped = release_memory(shell.user_ns, names_before, error)
            progress["errors"].append(f"cell {index} ran out of memory; the data it bound was "
                                      f"removed: {', '.join(dropped) or 'none'}"[:300])
            left = address_space_left()
            if left is not None and left < MEMORY_HEADROOM:
                # The memory is held where removing names cannot reach (a module
                # attribute, a closure): stop here, so the grade does not depend
                # on where a native allocation fails. Points earned so far stand.
                progress.update(cells_run=index, flags=sorted(recorder.flags),
                                output_dropped=out.dropped, out_of_memory=index)
                save(artifacts, produced, progress)
                os._exit(0)
        namespace = shell.user_ns
        for name, probe in probes.items():
            obj = namespace.get(name)
            if obj is None:
                continue
            if probe["kind"] in ("model_builder", "function") and seen.get(name) is obj:
                continue  # the same function as before: its artifact stands
            seen[name] = obj
            recorder.active = True
            try:
                produced[name] = serialise(name, obj, probe)
            finally:
                recorder.active = False
                sys.stdout, sys.stderr = real_stdout, real_stderr
        progress.update(cells_run=index, flags=sorted(recorder.flags),
                        output_dropped=out.dropped)
        save(artifacts, produced, progress)
    progress["finished"] = True
    save(artifacts, produced, progress)
    os._exit(0)  # skip interpreter teardown: student objects may misbehave in __del__


if __name__ == "__main__":
    main(*sys.argv[1:4])
