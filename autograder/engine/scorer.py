"""Score a submission's artifacts in a trusted process: no student code runs here.

The sandbox (``autograder.engine.sandbox``) leaves JSON artifacts: each graded
builder's model architecture (or the error it raised), each compiled model's
settings, what each graded function returned. A submission controls every
byte of them, so they are read as data and nothing else:

- a model is parsed against the kit's allowlists into a spec
  (``modelspec``, ``compilespec``) and built by the kit's own code; Keras'
  deserialisers (``model_from_json``, ``compile_from_config``) never see it;
- a function's results are decoded by ``kit_codec`` into plain data only.

The stand-ins carry the names the hidden tests ask for: ``happyModel``
becomes a function that builds the student's architecture from its spec,
``happy_model`` a model compiled from the checked settings. The otter test
files of the assignment then run against them exactly as in otter's own
kernel, so one set of tests serves both the Gradescope zip and the class
grader. Anything unreadable fails the tests that need it, with a sentence the
student can act on, and leaves the others to score; a failure message never
quotes the hidden test's source.

The process runs without network, as an unprivileged user, on a read-only
view of the bundle and the training cache (``runner.scorer_command``). It
writes only into its out-folder: the scores, after every test case (so a
crash keeps what was earned), and the training results it measured, which the
grader copies into the cache only after a clean run (``runner.keep_trained``).

Usage: python -m autograder.engine.scorer STAGED_BUNDLE ARTIFACTS_DIR OUT_DIR
       python -m autograder.engine.scorer --serve STAGED_BUNDLE   (warm: requests on stdin)
(STAGED_BUNDLE is the folder ``autograder.build.bundle.stage`` fills.)
"""
import contextlib
import io
import json
import math
import os
import resource
import signal
import sys
import time
from pathlib import Path

from autograder.engine import trusted
from autograder.engine.specvalues import say
from autograder.engine.runner import (CACHE_ENV, GRADING_ENV, TEST_FAILED_SILENTLY, TEST_STOPPED,
                                      TIMINGS_ENV)

#: Per test case, in CPU seconds of this process (a busy machine does not shorten it): a
#: student's architecture may be slow to train. The course's slowest test trains for ~60 s.
TEST_CPU_SECONDS = 400
#: CPU seconds past the limit before the kernel ends the process: the limit's timer raises
#: between bytecodes, and a training step is one call into TensorFlow, so RLIMIT_CPU
#: (SIGXCPU, whose default action ends the process) holds inside that call.
KERNEL_GRACE = 5
RESUME = ".resume.json"  # in the inbox: the cases a scorer that was ended had scored
BUILD_SECONDS = 60  # CPU seconds per submission rebuilding its models (a course model: < 1 s)
SCORES = "score.json"  # in the out-folder, with "complete": false until the last test
TRAINED = "trained"  # folder of the out-folder where gradelib puts new training results
TRAINED_ENV = "KIT_TRAINED_OUT"
#: Where gradelib writes the hidden data it draws (a priming request's "drawn" folder): the
#: grader shares it with the job's later scorers (``warm.WarmScorer``, ``gradelib.drawn``).
DRAWN_ENV = "KIT_DRAWN_OUT"
NOTE_LIMIT = 1000  # characters a passing test may add to the feedback


def read_artifact(path: Path):
    """One artifact, read defensively (again: the grader copied it in the same way): the
    sandbox's user wrote it."""
    from autograder.engine.modelspec import MAX_DEPTH, depth_of

    try:
        raw = trusted.read_bounded(path, trusted.ARTIFACT_LIMIT)
    except FileNotFoundError:
        return None
    except trusted.Unreadable as why:
        return json.loads(trusted.refused(path.stem, why))
    try:
        text = raw.decode("utf-8")
        if depth_of(text) > MAX_DEPTH + 10:
            return {"error": say(f"ValueError: the artifact for {path.stem} nests too deeply",
                                 f"ValueError: {path.stem} 的记录嵌套过深")}
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {"error": say(f"ValueError: the artifact for {path.stem} is not valid JSON",
                             f"ValueError: {path.stem} 的记录不是有效的 JSON")}
    return data if isinstance(data, dict) else _as_dict(data)


class BuildClock:
    """Seconds spent rebuilding one submission's models, against ``BUILD_SECONDS``, and the
    batch the assignment trains with (what ``modelcost`` prices a training step at)."""

    spent = 0.0
    batch = 0

    @classmethod
    def reset(cls, config: dict | None = None):
        from autograder.engine import modelcost

        cls.spent = 0.0
        cls.batch = modelcost.batch_size(config or {})


#: The key of a case the sandbox did not record: not text, so no record read from JSON has it.
UNRECORDED = object()


def model_spec(name, artifact):
    """The validated spec of a recorded model; raises ComparisonError saying what is refused."""
    from autograder.engine import compilespec, modelcost, modelspec
    from shared.checks import ComparisonError, StudentCodeError

    if UNRECORDED in artifact:  # the sandbox stopped before it called the builder so
        from shared.i18n import msg
        raise ComparisonError(msg("no_result", name=name, case=artifact[UNRECORDED]))
    if isinstance(artifact.get("returned"), str):  # the builder returned no model: say what
        from shared.i18n import msg
        raise ComparisonError(msg("returned_not_a_model", made_by=f"{name}()",
                                  kind=returned_kind(artifact)))
    if "error" in artifact:
        kind, _, message = str(artifact["error"]).partition(": ")
        if kind == "NotImplementedError":
            raise NotImplementedError()
        raise StudentCodeError(kind[:80] or "Error", message[:1000])
    try:
        spec = modelspec.parse(artifact.get("model"), artifact.get("lambdas"))
        modelcost.check(spec, BuildClock.batch or modelcost.DEFAULT_BATCH)
        if artifact.get("compile"):
            spec.compile = compilespec.parse_compile(artifact["compile"])
    except modelspec.SpecError as exc:
        raise ComparisonError(say(f"{name}'s model cannot be graded: {exc}",
                                  f"{name} 的模型无法评分：{exc}")) from None
    except Exception as exc:  # RecursionError, MemoryError, ...: still the artifact's fault
        raise ComparisonError(say(f"{name}'s model cannot be graded: its record could not be "
                                  f"read ({type(exc).__name__})",
                                  f"{name} 的模型无法评分：无法读取它的记录（{type(exc).__name__}）")
                              ) from None
    return spec


def returned_kind(artifact) -> str:
    """What the sandbox found where a model belonged (``model_artifact``'s "returned"), as
    a sentence names it: ``None`` rather than ``NoneType``."""
    kind = str(artifact["returned"])[:80]
    return "None" if kind == "NoneType" else kind


def build_model(name, spec):
    """A fresh Keras model from a validated spec, within the submission's build budget."""
    from autograder.engine import modelspec
    from shared.checks import ComparisonError

    if BuildClock.spent > BUILD_SECONDS:
        raise ComparisonError(say(f"rebuilding this submission's models took over "
                                  f"{BUILD_SECONDS} s; {name}'s model was not rebuilt",
                                  f"重建这份提交的模型用了超过 {BUILD_SECONDS} 秒；"
                                  f"没有重建 {name} 的模型"))
    started = time.process_time()
    try:
        return modelspec.build(spec)
    except Exception as exc:
        raise ComparisonError(say(f"{name}'s model cannot be graded: the grader could not "
                                  f"build it ({type(exc).__name__}: {str(exc)[:200]})",
                                  f"{name} 的模型无法评分：评分程序无法构建它"
                                  f"（`{type(exc).__name__}: {str(exc)[:200]}`）")) from None
    finally:
        BuildClock.spent += time.process_time() - started


def rebuild(name, artifact):
    """A fresh Keras model from one model artifact (parsed, checked, built by the kit)."""
    return build_model(name, model_spec(name, artifact))


def _normalised(args):
    return [list(a) if isinstance(a, tuple) else a for a in args]


def recorded_builder(name, artifacts_by_args: list):
    """A stand-in for a student's model builder: rebuilds what each probed call returned.

    Each artifact is parsed once; every call builds a fresh model from the spec.
    """
    parsed = {}

    def builder(*args):
        for index, (expected, artifact) in enumerate(artifacts_by_args):
            if _normalised(args) == expected:
                if index not in parsed:
                    try:
                        parsed[index] = ("spec", model_spec(name, artifact))
                    except BaseException as exc:  # keep it: the next call raises it again
                        parsed[index] = ("error", exc)
                kind, value = parsed[index]
                if kind == "error":
                    raise value
                return build_model(name, value)
        probed = ", ".join(str(expected) for expected, _ in artifacts_by_args)
        raise ValueError(say(f"{name} was probed with {probed}, called with {list(args)}",
                             f"{name} 用 {probed} 探测过，却以 {list(args)} 调用"))
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
        raise RuntimeError(say(f"{self.__name__} is a recorded stand-in: use gradelib.call_case",
                               f"{self.__name__} 是记录下来的替身：请用 `gradelib.call_case`"))


class RefusedModel:
    """What a model variable (``happy_model``) stands for when it cannot be rebuilt:
    ``gradelib.assert_compiled`` reports ``kit_refused`` instead of "not defined"."""

    compiled = False

    def __init__(self, message):
        self.kit_refused = message


def stand_in(name, probe, artifact):
    """The object the hidden tests see under ``name``."""
    from shared.checks import ComparisonError, StudentCodeError

    kind = probe["kind"]
    if kind == "model_builder" and "cases" in probe:
        recorded = artifact.get("cases")
        if not isinstance(recorded, dict):  # not a function at all: every case shares the error
            recorded = {case: artifact for case in probe["cases"]}
        return recorded_builder(name, [
            (_normalised(spec["args"]), _as_dict(recorded.get(case, {UNRECORDED: case})))
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
    if isinstance(artifact.get("returned"), str):  # happy_model = happy_model.compile(...)
        from shared.i18n import msg
        return RefusedModel(msg("held_not_a_model", name=name, kind=returned_kind(artifact)))
    try:
        return rebuild(name, artifact)
    except (StudentCodeError, NotImplementedError):
        return None
    except ComparisonError as exc:
        return RefusedModel(str(exc))


def _as_dict(value):
    return value if isinstance(value, dict) else {
        "error": say("ValueError: malformed artifact", "ValueError: 记录的格式不对")}


def stand_ins(probes: dict, artifacts: Path) -> dict:
    """The environment the hidden tests see: one trusted stand-in per probed name.

    An artifact that cannot be read at all leaves its name undefined (its tests
    say so) or a stand-in that reports the problem; the other names are unaffected.
    """
    env = {}
    for name, probe in probes.items():
        try:
            artifact = read_artifact(artifacts / f"{name}.json")
            if artifact is None:
                continue  # never defined, or the notebook stopped before it: tests say so
            env[name] = stand_in(name, probe, artifact)
        except Exception as exc:  # RecursionError, MemoryError, zlib.error, ...
            env[name] = RecordedFunction(name, {}) if probe["kind"] == "function" else None
            print(f"unreadable artifact for {name}: {type(exc).__name__}: {str(exc)[:200]}",
                  file=sys.stderr)
    return env


class TestTimeout(Exception):
    pass


def student_message(message: str) -> str:
    """The sentence of a failed test, never the hidden test's source.

    Otter writes ``Error at line N in test T:`` and the failing source line
    before the exception; our helpers raise ComparisonError with a sentence.
    """
    if "ComparisonError: " in message:
        return message.split("ComparisonError: ", 1)[1].strip()
    lines = message.removeprefix("❌ Test case failed").strip().split("\n")
    if lines and lines[0].startswith("Error at line"):
        lines = lines[2:]  # the location and the hidden test's own line
    text = "\n".join(lines).strip()
    return f"{TEST_STOPPED} {text}" if text else TEST_FAILED_SILENTLY


def over_limit_message(language: str | None = None) -> str:
    """What a student reads of a test stopped at its CPU limit (by the timer or the kernel),
    in ``language``: the course's, which the scorer has set and the TA's process passes."""
    from shared.i18n import language as current, msg_in
    return msg_in(language or current(), "test.over_limit", seconds=TEST_CPU_SECONDS)


@contextlib.contextmanager
def kernel_cpu_limit(seconds: float):
    """RLIMIT_CPU set ``seconds`` past this process's CPU time so far, lifted afterwards.

    Only the soft limit moves (an unprivileged process may raise it again up to the hard
    one, never the hard one): at it the kernel sends SIGXCPU, which ends the process even
    inside a native call. The scores written after each case survive it, and the grader
    fails that case and scores the rest in a fresh scorer (``trusted.score_submission``).
    """
    used = sum(os.times()[:2])
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(used + seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY
                                             else min(soft, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


def run_case(test_file, case, env) -> dict:
    """One otter test case, under a CPU-time limit, as otter itself would run it.

    CPU time, not wall-clock time: on a machine busy with other jobs a correct
    model trains as many steps in as many CPU seconds, so its grade does not
    depend on the load. (The scorer runs no student code, so it cannot sleep.)
    The timer stops the test between bytecodes; the kernel's limit
    (:func:`kernel_cpu_limit`), ``KERNEL_GRACE`` seconds later, inside a call.
    """
    def on_limit(signum, frame):
        raise TestTimeout(over_limit_message())
    signal.signal(signal.SIGPROF, on_limit)
    signal.setitimer(signal.ITIMER_PROF, TEST_CPU_SECONDS)
    limit = kernel_cpu_limit(TEST_CPU_SECONDS + KERNEL_GRACE)
    limit.__enter__()
    printed = io.StringIO()  # what a passing test says (a case it skipped, a training's report)
    try:
        test_file.test_cases = [case]  # otter's runner, one case at a time
        with contextlib.redirect_stdout(printed):
            test_file.run(env)
        result = test_file.test_case_results[0]
        passed, message = bool(result.passed), result.message
    except TestTimeout as exc:
        passed, message = False, str(exc)
    except Exception as exc:  # otter itself failed on what the test raised
        passed, message = False, f"{type(exc).__name__}: {str(exc)[:300]}"
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        limit.__exit__(None, None, None)
    return {"name": case.name, "points": case.points, "passed": passed,
            "message": "" if passed else student_message(message),
            "note": printed.getvalue().strip()[:NOTE_LIMIT] if passed else ""}


def scored_before(artifacts: Path) -> dict:
    """{question: {case name: result}} a scorer ended inside a test had scored, with that
    test failed (the grader's :data:`RESUME` file; none on a first run)."""
    try:
        data = json.loads(trusted.read_bounded(artifacts / RESUME, trusted.SCORES_LIMIT))
        return {str(q): {str(c["name"]): c for c in cases}
                for q, cases in data["questions"].items()}
    except FileNotFoundError:
        return {}


def score(staged: Path, artifacts: Path, on_case=None) -> dict:
    """Run every test file of the staged bundle against the stand-ins.

    ``on_case(questions, running)`` is called before every test case (``running`` names
    it) and after the last, with what is scored so far. Cases scored by an earlier scorer
    of this submission (:func:`scored_before`) are taken as they are, not run again.
    """
    from otter.test_files import ExceptionTestFile

    if str(staged) not in sys.path:
        sys.path[:0] = [str(staged)]  # gradelib, kit_codec, grading_config.json, shared/
    config = json.loads((staged / "grading_config.json").read_text())
    from shared.i18n import set_language
    set_language(config.get("language"))  # before the stand-ins: a refused model says why in it
    BuildClock.reset(config)
    env = stand_ins(config["probes"], artifacts)
    before = scored_before(artifacts)
    questions = {}
    for path in sorted((staged / "tests").glob("*.py")):
        test_file = ExceptionTestFile.from_file(str(path))
        cases = []
        questions[test_file.name] = question = {"score": 0, "max": 0, "cases": cases}
        for case in list(test_file.test_cases):
            done = before.get(test_file.name, {}).get(case.name)
            if done is None and on_case:
                on_case(questions, {"question": test_file.name, "case": case.name,
                                    "points": case.points})
            cases.append(done or run_case(test_file, case, env))
            question["score"] = sum(c["points"] for c in cases if c["passed"])
            question["max"] = sum(c["points"] for c in cases)
    if on_case:
        on_case(questions, None)
    return questions


def write_scores(out: Path, questions: dict, *, complete: bool, tainted=(), running=None):
    """The out-folder's score file, replaced atomically; ``running``: the case about to run
    (if the process ends inside it, the grader knows which test to fail)."""
    tmp = out / f".{SCORES}.tmp"
    tmp.write_text(json.dumps({"questions": questions, "complete": complete,  # no indent:
                               "tainted": list(tainted), "running": running}))  # C encoder
    os.replace(tmp, out / SCORES)


def score_into(staged: Path, artifacts: Path, out: Path) -> dict:
    """Score one submission into ``out`` (scores before and after every case; new training
    results under ``out/trained``). Returns the questions."""
    os.environ[TRAINED_ENV] = str(out / TRAINED)
    questions = score(staged, artifacts, on_case=lambda q, running: write_scores(
        out, q, complete=False, running=running))
    return questions


def main(staged, artifacts, out):
    os.environ.update(GRADING_ENV)  # before TensorFlow is imported
    from autograder.engine import pristine

    out = Path(out)
    _settle(Path(staged), out)
    before = pristine.snapshot()
    questions = score_into(Path(staged), Path(artifacts), out)
    write_scores(out, questions, complete=True,
                 tainted=pristine.differences(before, pristine.snapshot()))


def _settle(staged: Path, out: Path | None = None):
    """What every submission's scoring needs, set once before the snapshot is taken:
    deterministic ops, the bundle importable, where new training results go."""
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU dumps no core into the outbox
    if str(staged) not in sys.path:
        sys.path[:0] = [str(staged)]
    if out is not None:
        os.environ[TRAINED_ENV] = str(out / TRAINED)


def _freeze_warm_heap():
    """Leave what start-up built out of every later garbage collection (``gc.freeze``).

    ``keras.backend.clear_session()`` after each submission runs a full collection, which
    walked the millions of objects TensorFlow, Keras and otter hold: 0.15 s of CPU, about
    40% of what the scorer spends on a reused correct submission (issue 25). Frozen, they
    are skipped; the collection still walks, and frees, everything a submission allocated.
    Only objects alive before the first request are frozen, so no submission's data is.
    """
    import gc

    import otter.test_files  # noqa: F401 (imported by the first request otherwise)
    gc.collect()
    gc.freeze()


def serve(staged):
    """Warm mode: TensorFlow, Keras and otter imported once, then one submission per request.

    Each line on stdin is a JSON request {"artifacts", "out", "timings", "cache"} (and, for
    the priming request alone, "drawn": where to write the hidden data it draws); scores and
    new training results go to the out-folder and the line "done" to stdout. Every
    process-wide setting is put back to how it was at start before each submission
    (``pristine``); a submission after which one differs is reported as tainted (its
    training results are not kept) and the process exits, so the next submission starts
    in a fresh one.
    """
    os.environ.update(GRADING_ENV)  # before TensorFlow is imported
    import keras

    from autograder.engine import pristine
    _settle(Path(staged))
    replies, sys.stdout = sys.stdout, sys.stderr  # what the tests print must not mix in
    start = pristine.snapshot()
    _freeze_warm_heap()
    for line in sys.stdin:
        request = json.loads(line)
        pristine.restore(start)
        for key, variable in (("timings", TIMINGS_ENV), ("cache", CACHE_ENV),
                              ("drawn", DRAWN_ENV)):
            if request.get(key):
                os.environ[variable] = request[key]
        out = Path(request["out"])
        questions = score_into(Path(staged), Path(request["artifacts"]), out)
        keras.backend.clear_session()
        for variable in (TIMINGS_ENV, CACHE_ENV, TRAINED_ENV, DRAWN_ENV):
            os.environ.pop(variable, None)
        tainted = pristine.differences(start, pristine.snapshot())
        write_scores(out, questions, complete=True, tainted=tainted)
        replies.write("done\n")
        replies.flush()
        if tainted:
            return  # a fresh process for the next submission


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(sys.argv[2])
    else:
        main(*sys.argv[1:4])
