"""Score a submission's artifacts in a trusted process: no student code runs here.

The sandbox (``autograder.engine.sandbox``) leaves JSON artifacts: each graded
builder's model architecture (or the error it raised) and each compiled
model's settings. Here they become stand-ins with the names the hidden tests
ask for: ``happyModel`` becomes a function that rebuilds the student's
architecture from its Keras JSON with ``safe_mode`` on (no Lambda bytecode,
no custom classes), ``happy_model`` a model compiled from the student's
settings. The otter test files of the assignment then run against those
stand-ins exactly as they run in otter's own kernel, so one set of tests
serves both the Gradescope zip and the class grader.

Usage: python -m autograder.engine.scorer STAGED_BUNDLE ARTIFACTS_DIR OUT_JSON
       python -m autograder.engine.scorer --serve STAGED_BUNDLE   (warm: requests on stdin)
(STAGED_BUNDLE is the folder ``autograder.build.bundle.stage`` fills.)
"""
import json
import os
import signal
import sys
from pathlib import Path

from autograder.engine import lambdas
from autograder.engine.runner import GRADING_ENV

ARTIFACT_LIMIT = 5_000_000  # bytes; a model's JSON is a few kB
TEST_SECONDS = 240  # per test case: a student's architecture may be slow to train


def read_artifact(path: Path):
    """One artifact, read defensively: the sandbox's user wrote this folder."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return {"error": f"ValueError: the artifact for {path.stem} is not a regular file"}
    with os.fdopen(fd, "rb") as f:
        if not os.path.isfile(f"/proc/self/fd/{fd}") or os.fstat(fd).st_size > ARTIFACT_LIMIT:
            return {"error": f"ValueError: the artifact for {path.stem} is not a small file"}
        raw = f.read(ARTIFACT_LIMIT + 1)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {"error": f"ValueError: the artifact for {path.stem} is not valid JSON"}
    return data if isinstance(data, dict) else {"error": "ValueError: malformed artifact"}


def rebuild(name, artifact):
    """A fresh Keras model from the student's JSON architecture, deserialised safely."""
    import keras
    from shared.checks import StudentCodeError

    if "error" in artifact:
        kind, _, message = str(artifact["error"]).partition(": ")
        if kind == "NotImplementedError":
            raise NotImplementedError()
        raise StudentCodeError(kind or "Error", message)
    try:
        spec = json.loads(str(artifact["model"]))
        spec, replaced, refused = lambdas.replace_lambdas(spec, artifact.get("lambdas") or {})
    except (ValueError, AttributeError, TypeError) as exc:
        raise StudentCodeError("UnsafeModel", f"{name}'s model could not be read ({exc})") from None
    if refused:
        raise StudentCodeError(
            "UnsafeModel", f"the grader cannot rebuild the Lambda layer(s) {refused} of {name}'s "
            f"model: it rebuilds only Lambdas that add a last axis (tf.expand_dims(x, axis=-1)) "
            f"or scale (x * 100.0)")
    try:
        model = keras.models.model_from_json(json.dumps(spec))
        for layer_name in replaced:
            model.get_layer(layer_name).kit_class_name = lambdas.LAMBDA
    except Exception as exc:
        raise StudentCodeError(
            "UnsafeModel", f"the grader cannot rebuild {name}'s model safely "
            f"({type(exc).__name__}: {str(exc)[:200]}); use built-in Keras layers only") from None
    if artifact.get("compile"):
        try:
            model.compile_from_config(artifact["compile"])
        except Exception as exc:
            raise StudentCodeError(type(exc).__name__, f"cannot compile {name}: {exc}") from None
    return model


def _normalised(args):
    return [list(a) if isinstance(a, tuple) else a for a in args]


def recorded_builder(name, artifacts_by_args: list):
    """A stand-in for a student's model builder: rebuilds what each probed call returned."""
    def builder(*args):
        for expected, artifact in artifacts_by_args:
            if _normalised(args) == expected:
                return rebuild(name, artifact)
        probed = ", ".join(str(expected) for expected, _ in artifacts_by_args)
        raise ValueError(f"{name} was probed with {probed}, called with {list(args)}")
    builder.__name__ = name
    return builder


class RecordedFunction:
    """A stand-in for a student's function: what it returned for each probed case.

    ``gradelib.call_case`` asks it for a case by name; the hidden tests never
    call student code here.
    """

    def __init__(self, name, cases: dict):
        self.__name__ = name
        self.kit_recorded_cases = cases  # case -> {"value": encoded} | {"error": text}

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"{self.__name__} is a recorded stand-in: use gradelib.call_case")


def stand_in(name, probe, artifact):
    """The object the hidden tests see under ``name``."""
    from shared.checks import StudentCodeError

    kind = probe["kind"]
    if kind == "model_builder" and "cases" in probe:
        recorded = artifact.get("cases")
        if not isinstance(recorded, dict):  # not a function at all: every case shares the error
            recorded = {case: artifact for case in probe["cases"]}
        return recorded_builder(name, [
            (_normalised(spec["args"]), recorded.get(case, {"error": "NameError: not probed"}))
            for case, spec in probe["cases"].items()])
    if kind == "model_builder":
        return recorded_builder(name, [(_normalised(probe.get("args", [])), artifact)])
    if kind == "function":
        if "error" in artifact:
            return RecordedFunction(name, {case: artifact for case in probe["cases"]})
        cases = artifact.get("cases")
        return RecordedFunction(name, cases if isinstance(cases, dict) else {})
    if kind == "value":
        import kit_codec  # from the staged bundle
        return kit_codec.decode(artifact["value"]) if "value" in artifact else None
    try:
        return rebuild(name, artifact)
    except (StudentCodeError, NotImplementedError):
        return None


def stand_ins(probes: dict, artifacts: Path) -> dict:
    """The environment the hidden tests see: one trusted stand-in per probed name."""
    env = {}
    for name, probe in probes.items():
        artifact = read_artifact(artifacts / f"{name}.json")
        if artifact is None:
            continue  # never defined, or the notebook stopped before it: tests say so
        try:
            env[name] = stand_in(name, probe, artifact)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            env[name] = RecordedFunction(name, {}) if probe["kind"] == "function" else None
            print(f"malformed artifact for {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
    return env


class TestTimeout(Exception):
    pass


def run_case(test_file, case, env) -> dict:
    """One otter test case, under a time limit, as otter itself would run it."""
    def on_alarm(signum, frame):
        raise TestTimeout(f"this test ran longer than {TEST_SECONDS} s")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_SECONDS)
    try:
        test_file.test_cases = [case]  # otter's runner, one case at a time
        test_file.run(env)
        result = test_file.test_case_results[0]
        passed, message = bool(result.passed), result.message
    except TestTimeout as exc:
        passed, message = False, f"❌ Test case failed\n{exc}"
    finally:
        signal.alarm(0)
    return {"name": case.name, "points": case.points, "passed": passed, "message": message}


def score(staged: Path, artifacts: Path) -> dict:
    """Run every test file of the staged bundle against the stand-ins."""
    from otter.test_files import ExceptionTestFile

    if str(staged) not in sys.path:
        sys.path[:0] = [str(staged)]  # gradelib, kit_codec, grading_config.json, shared/
    config = json.loads((staged / "grading_config.json").read_text())
    env = stand_ins(config["probes"], artifacts)
    questions = {}
    for path in sorted((staged / "tests").glob("*.py")):
        test_file = ExceptionTestFile.from_file(str(path))
        cases = [run_case(test_file, case, env) for case in test_file.test_cases]
        questions[test_file.name] = {
            "score": sum(c["points"] for c in cases if c["passed"]),
            "max": sum(c["points"] for c in cases), "cases": cases}
    return questions


def main(staged, artifacts, out):
    os.environ.update(GRADING_ENV)  # before TensorFlow is imported
    result = score(Path(staged), Path(artifacts))
    Path(out).write_text(json.dumps(result, indent=1))


def serve(staged):
    """Warm mode: TensorFlow, Keras and otter imported once, then one submission per request.

    Each line on stdin is a JSON request {"artifacts", "out", "timings", "cache"};
    the scores go to "out" and the line "done" to stdout. Between submissions
    Keras's global state is cleared; every hidden training sets its own seeds,
    so a warm scorer gives what a fresh one gives (the sample-class test
    compares them). Nothing here runs student code, so reusing the process
    shares nothing a submission controls.
    """
    os.environ.update(GRADING_ENV)  # before TensorFlow is imported
    import keras
    replies, sys.stdout = sys.stdout, sys.stderr  # what the tests print must not mix in
    for line in sys.stdin:
        request = json.loads(line)
        for key, variable in (("timings", "KIT_TIMINGS_FILE"), ("cache", "KIT_TRAINING_CACHE")):
            if request.get(key):
                os.environ[variable] = request[key]
            else:
                os.environ.pop(variable, None)
        result = score(Path(staged), Path(request["artifacts"]))
        Path(request["out"]).write_text(json.dumps(result, indent=1))
        keras.backend.clear_session()
        replies.write("done\n")
        replies.flush()


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(sys.argv[2])
    else:
        main(*sys.argv[1:4])
