"""Helpers for the hidden tests; packed into every autograder zip.

The hidden tests run inside otter's grading kernel, in the folder where otter
unpacked the autograder's support files (this module, ``shared/`` and
``grading_config.json``). Every helper turns a failure into one sentence a
student can act on.
"""
import contextlib
import functools
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import kit_codec
from shared.checks import (ComparisonError, architecture_problems, build,
                           compile_problems, compile_settings, parameter_problem)
from shared.errortext import error_summary
from shared.data import IMAGE_SETS, ImageData, from_arrays, read_split
from shared.i18n import msg, set_language
from shared.i18n import language as _language

HERE = Path(__file__).resolve().parent
CONFIG_FILE = "grading_config.json"
HIDDEN_DATA_DIR = "hidden_data"
TIMINGS_ENV = "KIT_TIMINGS_FILE"  # set by autograder.engine.runner
CACHE_ENV = "KIT_TRAINING_CACHE"  # set by autograder.engine.runner for the trusted scorer only
TRAINED_ENV = "KIT_TRAINED_OUT"  # where the scorer collects new results (autograder.engine.scorer)
DRAWN_DIR = "drawn"  # hidden data one warm scorer drew, for the others (hidden_training_data)
DRAWN_ENV = "KIT_DRAWN_OUT"  # where the priming scorer writes what it drew (autograder.engine.scorer)


def config(folder=HERE):
    """The assignment's grading configuration (budgets, thresholds, hidden seed)."""
    return json.loads((Path(folder) / CONFIG_FILE).read_text())


def use_course_language(folder=HERE):
    """Write feedback in the course's language (``"language"`` in the grading config).

    Called when this module is imported, so before the hidden tests' own sentences
    (their test names too) are made."""
    path = Path(folder) / CONFIG_FILE
    if path.is_file():
        set_language(json.loads(path.read_text()).get("language"))


use_course_language()


def text(english, chinese=None):
    """One feedback sentence, in the course's language: ``chinese`` when it is Chinese.

    The hidden tests write each sentence in both languages side by side, here and in
    the test files (the student-side catalogue, shared/i18n.py, ships to students; these
    stay hidden). The shared checks they call already speak the course's language.
    """
    return chinese if chinese is not None and _language() == "zh" else english


def fail(message, chinese=None):
    """Fail a test case with a readable message (no traceback noise)."""
    raise ComparisonError(text(message, chinese))


def assert_architecture(builder, args, expected_table, name):
    problems = architecture_problems(build(builder, *args, name=name), expected_table)
    if problems:
        fail("\n".join(problems))


def assert_parameters(builder, args, expected, name):
    problem = parameter_problem(build(builder, *args, name=name), expected)
    if problem:
        fail(f"{name}: {problem}", f"{name}：{problem}")


def assert_compiled(model, expected, variable):
    if getattr(model, "kit_refused", None):  # the scorer could not rebuild it: say why
        fail(model.kit_refused)
    if model is None:
        fail(msg("undefined_model", name=variable))
    problems = compile_problems(model, expected, name=variable)
    if problems:
        fail("\n".join(problems))


def assert_builds_compiled(builder, args, expected, name):
    """For builders that compile their model before returning it."""
    model = build(builder, *args, name=name)
    problems = compile_problems(model, expected, name=text(f"{name}()'s model", f"{name}() 返回的模型"),
                                builder=name)
    if problems and compile_settings(model) is None:  # the sentence says where to compile
        fail("\n".join(problems))
    if problems:
        fail("\n".join(problems) + f" (compile the model inside {name} before returning it)",
             "\n".join(problems) + f"（请在 {name} 里编译模型，然后再返回它）")


# --- graded functions ------------------------------------------------------

def probe_case(name, case, folder=HERE):
    """The arguments of one hidden input ``case`` of ``name``, from the grading config."""
    return kit_codec.decode_input(config(folder)["probes"][name]["cases"][case]["args"])


def call_case(function, name, case, folder=HERE):
    """What the student's ``name`` returns on the hidden input ``case``.

    In the class grader ``function`` is a recorded stand-in: the sandbox
    already called the student's function on this input and the scorer only
    reads the result. In otter's own kernel it is the student's function and
    is called here. Either way the result passes through the same encoding,
    so a test sees the same thing on both paths.
    """
    if function is None:
        fail(msg("undefined_function", name=name))
    recorded = getattr(function, "kit_recorded_cases", None)
    if recorded is not None:
        result = recorded.get(case)
        if not isinstance(result, dict) or not ("value" in result or "error" in result):
            fail(msg("no_result", name=name, case=case))
        if "error" in result:
            raise_student_error(name, str(result["error"]))
        try:
            return kit_codec.decode(result["value"])
        except Exception as exc:  # a forged or damaged record: bad zlib, base64, nesting, ...
            fail(f"what {name} returned on the hidden input '{case}' could not be read "
                 f"({type(exc).__name__}); return numbers, arrays, lists or DataFrames.",
                 f"无法读取 {name} 在隐藏输入 '{case}' 上的返回值（{type(exc).__name__}）；"
                 f"请返回数字、数组、列表或 DataFrame。")
    if not callable(function):
        fail(f"`{name}` should be a function, found {type(function).__name__}.",
             f"`{name}` 应当是一个函数，实际是 {type(function).__name__}。")
    spec = config(folder)["probes"][name]["cases"][case]
    try:
        kit_codec.seed_for(spec)
        result = kit_codec.taken(function(*probe_case(name, case, folder)), spec)
    except NotImplementedError:
        raise_student_error(name, "NotImplementedError: ")
    except Exception as exc:
        raise_student_error(name, f"{type(exc).__name__}: {exc}")
    return kit_codec.roundtrip(result)


def raise_student_error(name, error):
    kind, _, message = error.partition(": ")
    if kind == "NotImplementedError":
        fail(f"{name} is not implemented yet: replace `raise NotImplementedError()` "
             f"with your code.", f"{name} 还没有实现：请用你的代码替换 `raise NotImplementedError()`。")
    fail(f"{name} raised {kind}: {error_summary(message)}",
         f"{name} 抛出了 {kind}：`{error_summary(message)}`")


# --- hidden data -----------------------------------------------------------

@dataclass
class TrainingData:
    """Held-back data for one accuracy test, ready for ``fit``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # 'real' or 'synthetic'
    what: str  # 'images', 'reviews', ... for the feedback sentence


def hidden_image_set(dataset, folder=HERE):
    """The images a hidden accuracy test trains and scores on.

    When the instructor packed a real file (``hidden_data/<hidden_file>``, the
    course's format) it is split in two: the first two thirds train, the rest
    score. Otherwise a synthetic set is drawn with the hidden seed, which no
    student has seen.
    """
    cfg = config(folder)
    real = Path(folder) / HIDDEN_DATA_DIR / cfg["training"][dataset].get("hidden_file", "-")
    if real.is_file():
        x, y, classes, source = read_split(real, "test")
        cut = (2 * len(x)) // 3
        return ImageData(x[:cut], y[:cut], x[cut:], y[cut:], classes, source)
    n_train, n_test = cfg["training"][dataset]["synthetic_size"]
    arrays = IMAGE_SETS[dataset].make(cfg["hidden_seed"], n_train, n_test)
    return from_arrays(arrays, "synthetic")


def multi_hot(sequences, dimension):
    """The grader's own multi-hot encoding (what ``vectorize_sequences`` must return)."""
    out = np.zeros((len(sequences), dimension), dtype="float32")
    for row, sequence in enumerate(sequences):
        out[row, list(sequence)] = 1.0
    return out


def hidden_text_set(dataset, folder=HERE):
    """Reviews or newswires drawn with the hidden seed, processed as Keras does, multi-hot."""
    sequences, labels = hidden_sequences(dataset, folder)
    n_train = config(folder)["training"][dataset]["synthetic_size"][0]
    x = multi_hot(sequences, config(folder)["training"][dataset]["num_words"])
    return x[:n_train], labels[:n_train], x[n_train:], labels[n_train:]


def hidden_sequences(dataset, folder=HERE):
    """(word-index sequences, labels) of the reviews or newswires drawn with the hidden
    seed, processed as Keras does, train first.

    IMDB keeps its own train/test split; Reuters draws ``n_train + n_test``
    newswires and cuts them, as ``test_split`` does.
    """
    from shared import text_data

    cfg = config(folder)
    settings = cfg["training"][dataset]
    n_train, n_test = settings["synthetic_size"]
    if settings["data"] == "imdb":
        raw = text_data.make_imdb(cfg["hidden_seed"], n_train, n_test)
        parts = [(raw["x_train"], raw["y_train"]), (raw["x_test"], raw["y_test"])]
    else:
        raw = text_data.make_reuters(cfg["hidden_seed"], n_train + n_test)
        parts = [(raw["x"], raw["y"])]
    sequences, labels, _ = text_data.process(parts, num_words=settings["num_words"])
    return sequences, labels


def hidden_table(dataset, folder=HERE):
    """Rows of a synthetic table drawn with the hidden seed (``shared.tabular``), each column
    standardised with the training rows' mean and standard deviation, as the notebook does."""
    from shared.tabular import make_table

    cfg = config(folder)
    settings = cfg["training"][dataset]
    n_train, n_test = settings["synthetic_size"]
    x, y = make_table(cfg["hidden_seed"], n_train + n_test, settings["features"])
    mean, std = x[:n_train].mean(axis=0), x[:n_train].std(axis=0)
    x = ((x - mean) / std).astype("float32")
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


@functools.lru_cache(maxsize=4)
def hidden_training_data(dataset, folder=HERE) -> TrainingData:
    """The held-back data for ``dataset``, by the kind its config names.

    Drawing it takes seconds and it never changes within a run, so a warm
    scorer keeps it; the arrays are read-only so that no test can alter what
    the next submission is graded on. What takes the time (ConvNets' images:
    1.5 CPU s, the reviews and newswires: 0.4) is drawn once per class: the
    first warm scorer writes it (:func:`keep_drawn`, a few MB) and the grader puts
    it in the staged bundle, where the later scorers of the run read it
    (:func:`drawn`); only the last, cheap steps (scaling, multi-hot, labels) run
    in each. Otter's own kernel has no such folder and draws.
    """
    raw = drawn(dataset, folder)
    if raw is None:
        raw = _draw(dataset, folder)
        keep_drawn(dataset, raw)
    settings = config(folder)["training"][dataset]
    kind = settings.get("data", "image")
    one_hot = settings["labels"] == "one_hot"
    if kind == "image":
        n_classes = int(raw["classes"])
        found = TrainingData(raw["x_train"] / 255.0, _labels(raw["y_train"], n_classes, one_hot),
                             raw["x_test"] / 255.0, _labels(raw["y_test"], n_classes, one_hot),
                             str(raw["source"]), "images")
    elif kind == "table":
        found = TrainingData(raw["x_train"], _labels(raw["y_train"], 2, one_hot), raw["x_test"],
                             _labels(raw["y_test"], 2, one_hot), "synthetic", "rows")
    else:
        n_train = settings["synthetic_size"][0]
        sequences = np.split(raw["tokens"], np.cumsum(raw["lengths"])[:-1])
        x, labels = multi_hot(sequences, settings["num_words"]), raw["labels"]
        n_classes = settings.get("classes", 2)
        found = TrainingData(x[:n_train], _labels(labels[:n_train], n_classes, one_hot),
                             x[n_train:], _labels(labels[n_train:], n_classes, one_hot),
                             "synthetic",
                             {"imdb": "reviews", "reuters": "newswires"}.get(kind, "samples"))
    for array in (found.x_train, found.y_train, found.x_test, found.y_test):
        array.setflags(write=False)
    return found


#: The arrays :func:`_draw` gives, by the kind of data (every kind but images and tables is
#: text: word-index sequences).
DRAWN_KEYS = {"image": {"x_train", "y_train", "x_test", "y_test", "classes", "source"},
              "table": {"x_train", "y_train", "x_test", "y_test"},
              "text": {"tokens", "lengths", "labels"}}
TEXT_KIND = "text"


def _kind(dataset, folder=HERE) -> str:
    kind = config(folder)["training"][dataset].get("data", "image")
    return kind if kind in DRAWN_KEYS else TEXT_KIND


def _draw(dataset, folder=HERE) -> dict:
    """The part of ``dataset``'s hidden data that takes the time, as plain arrays: the
    images (drawn with the hidden seed, or the instructor's file) and their labels, the
    table, or the word-index sequences (all in one array, with their lengths) and labels."""
    kind = _kind(dataset, folder)
    if kind == "image":
        data = hidden_image_set(dataset, folder)
        return {"x_train": data.x_train, "y_train": data.y_train, "x_test": data.x_test,
                "y_test": data.y_test, "classes": np.asarray(len(data.classes)),
                "source": np.asarray(data.source)}
    if kind == "table":
        return dict(zip(("x_train", "y_train", "x_test", "y_test"), hidden_table(dataset, folder)))
    sequences, labels = hidden_sequences(dataset, folder)
    return {"tokens": np.asarray([token for sequence in sequences for token in sequence],
                                 dtype=np.int64),
            "lengths": np.asarray([len(sequence) for sequence in sequences], dtype=np.int64),
            "labels": np.asarray(labels)}


def drawn(dataset, folder=HERE) -> dict | None:
    """What :func:`_draw` gave an earlier scorer of this run (the staged bundle's ``drawn/``
    folder, where the grader put it), or None: the same arrays, dtypes and bytes."""
    import zipfile

    try:
        with np.load(Path(folder) / DRAWN_DIR / f"{dataset}.npz", allow_pickle=False) as saved:
            raw = {name: saved[name] for name in saved.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):  # none (otter's kernel, the
        return None  # first scorer), or not whole
    return raw if set(raw) == DRAWN_KEYS[_kind(dataset, folder)] else None


def keep_drawn(dataset, raw: dict):
    """Write what :func:`_draw` gave where the scorer was told to (``KIT_DRAWN_OUT``, priming
    only), for :func:`drawn` in the later scorers; written whole, then renamed."""
    out = os.environ.get(DRAWN_ENV)
    if not out:
        return
    try:  # a full disk costs each later scorer a draw, nothing else
        Path(out).mkdir(parents=True, exist_ok=True)
        with open(Path(out) / f".{dataset}.npz", "wb") as f:
            np.savez(f, allow_pickle=False, **raw)
        os.replace(Path(out) / f".{dataset}.npz", Path(out) / f"{dataset}.npz")
    except OSError:
        pass


def budget_for(dataset, source, folder=HERE):
    """The training budget and threshold for ``dataset`` graded on ``source`` data."""
    settings = dict(config(folder)["training"][dataset])
    return {**settings, **settings.pop("by_source")[source]}


def _labels(y, n_classes, one_hot):
    import keras
    if one_hot:
        return keras.utils.to_categorical(y, n_classes).astype("float32")
    return np.asarray(y).reshape(-1, 1).astype("float32")


def _optimizer(budget, total_steps=None):
    """The budget's optimizer; ``"schedule": "cosine"`` decays the rate to 0 over the run,
    which makes the end of a short training stable (the model graded is the last one)."""
    import keras
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop,
                  "sgd": keras.optimizers.SGD}
    rate = budget["learning_rate"]
    if budget.get("schedule") == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(rate, total_steps)
    return optimizers[budget.get("optimizer", "adam")](rate)


@contextlib.contextmanager
def student_training(name):
    """Errors of a student's model while it trains or predicts become one readable failure."""
    try:
        yield
    except ComparisonError:
        raise
    except Exception as exc:
        fail(f"training the model from {name} failed with {type(exc).__name__}: "
             f"{error_summary(exc)}",
             f"训练 {name} 的模型时出错，{type(exc).__name__}：`{error_summary(exc)}`")


def fresh_model(builder, budget):
    """The student's model, built right after the budget's seeds are set (so its initial
    weights are the same every time)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(budget["seed"])
    tf.config.experimental.enable_op_determinism()
    return build(builder, *budget["args"], name=budget["builder"])


def fit(model, budget, x, y=None, *, dataset, total_steps=None, metrics=(), **options):
    """Train ``model`` under the budget; return the seconds it took.

    The budget (epochs, batch size, seed), loss and optimizer come from the
    grading config, never from the student's notebook, so grading time does
    not depend on how long a student trained. Threads are pinned by the
    grader's environment (TF_NUM_INTRAOP_THREADS=1) so results repeat exactly.
    """
    with student_training(budget["builder"]):
        model.compile(optimizer=_optimizer(budget, total_steps), loss=budget["loss"],
                      metrics=list(metrics))
        started = time.perf_counter()
        model.fit(x, y, epochs=budget["epochs"], verbose=0, **options)
    seconds = time.perf_counter() - started
    record_timing(f"train:{dataset}", seconds)
    return seconds


def measured(builder, budget, dataset, measure, folder=HERE):
    """``measure(model)`` of a fresh model from ``builder``, or the same measure reused.

    A trusted measure of a model is a function of its architecture, the budget,
    the hidden data and the grader's code alone, so when the class grader has
    already measured a model of identical architecture (compared on the kit's
    validated spec with layer names left out, not on source text) it reuses that
    result instead of training again: same numbers, same report. The scorer
    only reads the cache (it is mounted read-only there); a new result goes to
    ``KIT_TRAINED_OUT``, which the grader copies into the cache after a clean
    run. Otter's own kernel (no ``KIT_TRAINING_CACHE``) always trains.
    """
    model = fresh_model(builder, budget)
    cache = os.environ.get(CACHE_ENV)
    key = cache_key(model, budget, dataset, folder) if cache else None
    path = Path(cache) / f"{key}.json" if cache else None
    if path is not None and path.is_file():
        started = time.perf_counter()
        result = json.loads(path.read_text())
        record_timing(f"reuse:{dataset}", time.perf_counter() - started)
        return result
    before = trainable_weights(model)
    result = {**measure(model), "dataset": dataset}  # which measure it is, for the calibration
    out = os.environ.get(TRAINED_ENV)
    if key is not None and out and trained(before, trainable_weights(model)):
        Path(out).mkdir(parents=True, exist_ok=True)
        tmp = Path(out) / f".{key}.tmp"
        tmp.write_text(json.dumps(result))
        os.replace(tmp, Path(out) / f"{key}.json")
    return result


def trainable_weights(model) -> list:
    """Copies of the weights training may change (the measure trains the model in place)."""
    return [weight.numpy().copy() for weight in model.trainable_weights]


def trained(before: list, after: list) -> bool:
    """Whether training changed the model at all: the result of a model that could not learn
    (every layer frozen, or gradients that never reach a weight) is this submission's own and
    is never kept for another, whatever its key (issue 22: a frozen copy must not decide for
    an honest student, nor borrow an honest student's result)."""
    return any(not (b.shape == a.shape and (b == a).all()) for b, a in zip(before, after))


def canonical_architecture(model) -> dict:
    """The model's Keras config with every layer name replaced by its position.

    Two students' identical networks differ only in layer names (``dense_7``
    against ``dense``); names change nothing a model computes.
    """
    config = json.loads(model.to_json())
    config.pop("compile_config", None)  # the budget compiles; the student's settings do not train
    names = {layer.name: f"\x00layer-{index}"
             for index, layer in enumerate(model._flatten_layers(include_self=True))}

    def rename(value):
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rename(item) for item in value]
        return names.get(value, value) if isinstance(value, str) else value
    return rename(config)


@functools.lru_cache(maxsize=1)
def machine() -> str:
    """The kind of CPU: the same training gives other numbers where oneDNN takes other paths."""
    import platform
    described = [platform.machine()]
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith(("model name", "flags")):
                    described.append(line.strip())
                if line.startswith("flags"):
                    break  # the first CPU tells
    except OSError:
        pass
    return "\n".join(described)


@functools.lru_cache(maxsize=4)
def grader_digest(folder: Path) -> str:
    """A hash of the grader's code and hidden data files (fixed for a run: kept)."""
    import hashlib

    code = hashlib.sha256()
    for path in sorted([folder / "gradelib.py", *folder.glob("shared/*.py"),
                        *folder.glob(f"{HIDDEN_DATA_DIR}/*")]):
        code.update(path.name.encode() + path.read_bytes())
    return code.hexdigest()


def cache_key(model, budget, dataset, folder=HERE) -> str:
    """What a trusted training result depends on, hashed."""
    import hashlib

    import keras
    import tensorflow as tf

    spec = getattr(model, "kit_spec", None)  # the scorer's validated spec of the model
    facts = {"model": spec.canonical() if spec is not None else canonical_architecture(model),
             "budget": budget, "dataset": dataset,
             "hidden_seed": config(folder)["hidden_seed"], "grader": grader_digest(Path(folder)),
             "versions": [tf.__version__, keras.__version__, np.__version__],
             "machine": machine()}
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def trained_accuracy(builder, dataset, folder=HERE):
    """Test accuracy of a fresh model from ``builder`` on held-back data: (accuracy, threshold, report)."""
    data = hidden_training_data(dataset, folder)
    budget = budget_for(dataset, data.source, folder)

    def measure(model):
        seconds = fit(model, budget, data.x_train, data.y_train, dataset=dataset,
                      metrics=["accuracy"], batch_size=budget["batch_size"], shuffle=True)
        with student_training(budget["builder"]):
            _, accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
        return {"value": float(accuracy), "seconds": seconds}

    result = measured(builder, budget, dataset, measure, folder)
    accuracy, threshold = result["value"], budget["min_accuracy"]
    report = text(f"trained {budget['epochs']} epochs on {len(data.x_train)} hidden {data.source} "
                  f"{data.what} in {result['seconds']:.1f} s: test accuracy {accuracy:.3f}, needs "
                  f"at least {threshold:.2f}",
                  f"在 {len(data.x_train)} 个隐藏的{SOURCES_ZH.get(data.source, data.source)}"
                  f"{WHAT_ZH.get(data.what, data.what)}上训练了 {budget['epochs']} 个轮次（用时 "
                  f"{result['seconds']:.1f} 秒）：测试集精度 {accuracy:.3f}，至少需要 {threshold:.2f}")
    return accuracy, threshold, report


def record_timing(stage, seconds):
    """Append a stage's duration to the file the class grader names, if any (for make bench)."""
    path = os.environ.get(TIMINGS_ENV)
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"stage": stage, "seconds": round(seconds, 3)}) + "\n")


def assert_trains(builder, dataset, folder=HERE):
    """Pass when a fresh model from ``builder`` reaches the config's accuracy threshold."""
    accuracy, threshold, report = trained_accuracy(builder, dataset, folder)
    _judge(builder, report, np.isfinite(accuracy) and accuracy >= threshold)


def _judge(builder, report, passed):
    """Print how the training went; fail with it unless it passed."""
    print(report)
    if not passed:
        fail(f"{getattr(builder, '__name__', 'the model')}: {report}. Compare your layers, "
             f"their sizes and activations with what the notebook asks for.",
             f"{getattr(builder, '__name__', '模型')}：{report}。请对照 notebook 的要求检查你的层、"
             f"层的大小和激活函数。")


# --- one mistake, one concern's points ----------------------------------------
#
# A graded function is called on several hidden cases, and several tests look at
# the results: one about their form (raised or returned, shape, type), others about
# their values. A case that raises or has the wrong form fails the form test alone;
# each value test grades the cases it can and says which it skipped, so that one
# edge case mishandled costs that concern's points and not every test's.

@dataclass
class Case:
    """One hidden case of a graded function, as a test sees it."""

    name: str  # the case's key in the grading config
    args: list  # its arguments, decoded
    call: str  # the call, shortened, for feedback
    result: object = None
    problem: str | None = None  # why its values cannot be graded: it raised, or its form is wrong


def cases_of(function, name, cases, form=None, describe=None, folder=HERE) -> list[Case]:
    """What ``name`` returned on each hidden case, never failing on one case's error.

    ``form(args, result)`` returns a sentence when the result's form (shape, type,
    structure) is wrong, else None; ``describe(args)`` the call as feedback shows it.
    """
    found = []
    for case in cases:
        args = probe_case(name, case, folder)
        call = describe(args) if describe else describe_call(name, args)
        try:
            result = call_case(function, name, case, folder)
        except ComparisonError as exc:
            found.append(Case(case, args, call, problem=_on_call(call, name, str(exc))))
            continue
        try:
            problem = form(args, result) if form else None
        except ComparisonError as exc:
            problem = str(exc)
        except Exception as exc:  # a result of a shape no form check foresaw: still a sentence
            problem = msg("unchecked_result", kind=type(result).__name__,
                          error=f"{type(exc).__name__}: {error_summary(exc)}")
        found.append(Case(case, args, call, result,
                          text(f"{call}: {problem}", f"{call}：{problem}") if problem else None))
    return found


def built_cases(builder, name, cases, folder=HERE) -> list[Case]:
    """The model ``builder`` returns on each hidden case (model builders probed with cases)."""
    found = []
    for case in cases:
        args = probe_case(name, case, folder)
        call = f"{name}{tuple(args)!r}"
        try:
            found.append(Case(case, args, call, build(builder, *args, name=name)))
        except ComparisonError as exc:
            found.append(Case(case, args, call, problem=str(exc)))
    return found


def _on_call(call, name, sentence):
    """``sentence`` about ``name`` said of this one call (``call`` names its arguments)."""
    for verb in ("raised", "抛出了"):  # either language of raise_student_error
        sentence = sentence.replace(f"{name} {verb}", f"{call} {verb}", 1)
    return sentence


def assert_well_formed(cases, value_tests=()):
    """The form test: fail on every case that raised or whose form is wrong.

    The sentence names the value tests that graded the other cases without these.
    """
    bad = [case for case in cases if case.problem]
    if not bad:
        return
    note = ""
    if value_tests and len(bad) < len(cases):
        tests = " and ".join([", ".join(value_tests[:-1]), value_tests[-1]] if len(value_tests) > 1
                             else value_tests)
        note = text(f"\n(The test{'s' if len(value_tests) > 1 else ''} of {tests} graded the "
                    f"other hidden inputs and skipped "
                    f"{'this one' if len(bad) == 1 else 'these'}: only this test's points are lost.)",
                    f"\n（{'、'.join(value_tests)}的测试评了其他隐藏输入，跳过了"
                    f"{'这一个' if len(bad) == 1 else '这些'}：只扣这个测试的分。）")
    fail("\n".join(dict.fromkeys(case.problem for case in bad)) + note)


def gradable(cases, form_test):
    """The cases a value test can grade: those that returned a well-formed result.

    The others are the form test's (``form_test`` names it); this test says it skipped
    them and grades the rest. With none left, it fails with the first one's reason.
    """
    good = [case for case in cases if not case.problem]
    skipped = [case for case in cases if case.problem]
    if not good:
        fail(skipped[0].problem)
    if skipped:
        print(text(f"skipped {', '.join(case.call for case in skipped)}: it raised or its form "
                   f"is wrong, which '{form_test}' grades; graded the other {len(good)} case(s).",
                   f"跳过了 {', '.join(case.call for case in skipped)}：它抛出了异常或形式不对，由"
                   f"“{form_test}”评分；评了其余 {len(good)} 个情况。"))
    return good


#: How the Chinese feedback names the data a training used.
SOURCES_ZH = {"synthetic": "合成", "real": "真实"}
WHAT_ZH = {"images": "图片", "reviews": "影评", "newswires": "新闻", "samples": "样本"}


# --- comparing results of graded functions ---------------------------------

def expected_case(reference, name, case, folder=HERE):
    """``reference`` applied to the hidden input ``case`` of ``name``."""
    return reference(*probe_case(name, case, folder))


def assert_array_like(result, shape, dtype, call):
    """Fail unless ``result`` is a numpy array of ``shape`` and ``dtype``."""
    if not isinstance(result, np.ndarray):
        fail(f"{call} should return a numpy array, found {type(result).__name__}.",
             f"{call} 应当返回一个 numpy 数组，实际是 {type(result).__name__}。")
    if result.shape != tuple(shape):
        fail(f"{call} should return shape {tuple(shape)}, found {result.shape}.",
             f"{call} 返回的形状应为 {tuple(shape)}，实际为 {result.shape}。")
    if result.dtype != np.dtype(dtype):
        fail(f"{call} should return dtype {dtype}, found {result.dtype}: pass "
             f"dtype='{dtype}' when you create the array.",
             f"{call} 返回的 dtype 应为 {dtype}，实际为 {result.dtype}：创建数组时请传入 dtype='{dtype}'。")


def describe_call(name, args, limit=120):
    """``name(arg, ...)`` shortened for feedback."""
    text = ", ".join(_short(a) for a in args)
    return f"{name}({text if len(text) <= limit else text[:limit] + '...'})"


def _short(value):
    if isinstance(value, np.ndarray) and value.dtype == object:
        return f"[{', '.join(_short(v) for v in value[:4])}{', ...' if len(value) > 4 else ''}]"
    if isinstance(value, np.ndarray):
        return np.array2string(value, threshold=8)
    if isinstance(value, dict) and len(value) > 4:
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in list(value.items())[:3]) + ", ...}"
    return repr(value)


# --- forecasting -------------------------------------------------------------

def hidden_series(dataset, folder=HERE):
    """(series, split) of a synthetic series with the hidden seed and the config's shape."""
    from shared.series import make_series

    cfg = config(folder)
    settings = cfg["training"][dataset]
    _, series = make_series(**settings["series"], seed=cfg["hidden_seed"])
    return series, settings["split"]


def window_batches(series, window, batch_size, seed):
    """Shuffled (window, next value) batches built by Keras, not by the student's code."""
    import keras
    return keras.utils.timeseries_dataset_from_array(
        series[:-1], targets=series[window:], sequence_length=window, batch_size=batch_size,
        shuffle=True, seed=seed)


def forecast_steps(model, series, window, start):
    """The model's forecast of every step from ``start`` on, from the ``window`` values before it."""
    history = np.asarray(series[start - window:-1], dtype="float32")
    windows = np.lib.stride_tricks.sliding_window_view(history, window)
    return one_value_each(model.predict(windows, batch_size=256, verbose=0), len(windows))


def one_value_each(predicted, count: int) -> np.ndarray:
    """The model's predictions for ``count`` inputs as one value each, or the test's sentence:
    a model left with a value per time step (its recurrent layer dropped, or one with
    return_sequences=True at the end) cannot be compared with the targets."""
    predicted = np.asarray(predicted)
    if predicted.size != count:
        each, shape = predicted.size // max(count, 1), (None, *predicted.shape[1:])
        fail(f"the model gives {each} values for each input (output shape {shape}), where the "
             f"grader compares one, the value to predict: its last layer must be Dense(1), after a "
             f"layer that returns one vector per input (a recurrent layer without "
             f"return_sequences=True, or Flatten)",
             f"模型对每个输入给出了 {each} 个值（输出形状 {shape}），而评分程序只比较一个值，即要预测的值："
             f"最后一层必须是 Dense(1)，且它前面的层对每个输入只返回一个向量（不带 return_sequences=True "
             f"的循环层，或 Flatten）")
    return predicted.ravel()


def trained_forecast(builder, dataset, folder=HERE):
    """Validation MAE of a fresh model from ``builder`` on the hidden series:
    (mae, naive mae, threshold, report)."""
    series, split = hidden_series(dataset, folder)
    budget = budget_for(dataset, "synthetic", folder)
    window = budget["window"]

    def measure(model):
        batches = window_batches(series[:split], window, budget["batch_size"], budget["seed"])
        seconds = fit(model, budget, batches, dataset=dataset,
                      total_steps=budget["epochs"] * len(batches))
        with student_training(budget["builder"]):
            predicted = forecast_steps(model, series, window, split)
        return {"value": float(np.mean(np.abs(predicted - series[split:]))), "seconds": seconds}

    result = measured(builder, budget, dataset, measure, folder)
    mae = result["value"]
    naive = float(np.mean(np.abs(series[split - 1:-1] - series[split:])))
    report = text(f"trained {budget['epochs']} epochs on {split} steps of a hidden series in "
                  f"{result['seconds']:.1f} s: validation MAE {mae:.2f} (naive forecast {naive:.2f}; "
                  f"needs at most {budget['max_mae']:.2f} and less than the naive forecast)",
                  f"在一条隐藏序列的 {split} 个时间步上训练了 {budget['epochs']} 个轮次（用时 "
                  f"{result['seconds']:.1f} 秒）：验证集平均绝对误差（MAE）{mae:.2f}（朴素预测 {naive:.2f}；"
                  f"最多 {budget['max_mae']:.2f}，并且要低于朴素预测）")
    return mae, naive, budget["max_mae"], report


def assert_forecasts(builder, dataset, folder=HERE):
    """Pass when a fresh model from ``builder`` beats both the threshold and the naive forecast."""
    mae, naive, threshold, report = trained_forecast(builder, dataset, folder)
    _judge(builder, report, np.isfinite(mae) and mae <= threshold and mae < naive)


# --- the weather generator ---------------------------------------------------

def course_batch(data, rows, lookback, delay, step):
    """The batch the course's generator yields for ``rows`` (float64, as np.zeros gives)."""
    samples = np.stack([data[row - lookback:row:step] for row in rows]).astype("float64")
    return samples, np.asarray(data[np.asarray(rows) + delay, 1], dtype="float64")


def course_rows(data, lookback, delay, min_index, max_index, batch_size, count):
    """The rows of the first ``count`` sequential batches: the specification of the generator.

    ``max_index=None`` means ``len(data) - delay - 1``; a batch that would reach
    ``max_index`` starts again from ``min_index + lookback``; a range shorter than
    a batch gives short batches.
    """
    if max_index is None:
        max_index = len(data) - delay - 1
    i, batches = min_index + lookback, []
    for _ in range(count):
        if i + batch_size >= max_index:
            i = min_index + lookback
        rows = np.arange(i, min(i + batch_size, max_index))
        i += len(rows)
        batches.append(rows)
    return batches


def hidden_weather(dataset, folder=HERE):
    """A synthetic weather record drawn with the hidden seed, normalised, and its split.

    A short record cannot be cut into a training past and a validation future
    without a change of season between them (which persistence handles better
    than any model trained briefly), so whole weeks alternate: every
    ``validation_every``-th week validates, the others train.
    """
    from shared import jena_data

    cfg = config(folder)
    settings = cfg["training"][dataset]
    frame = jena_data.make_jena(seed=cfg["hidden_seed"], days=settings["days"])
    values = frame[list(jena_data.FEATURES)].to_numpy(dtype="float64")
    rows = np.arange(settings["lookback"], len(values) - settings["delay"])
    week = rows // (7 * jena_data.ROWS_PER_DAY)
    validates = week % settings["validation_every"] == settings["validation_every"] - 1
    train = values[rows[~validates]]
    return (values - train.mean(axis=0)) / train.std(axis=0), rows[~validates], rows[validates]


def trained_weather(builder, dataset, folder=HERE):
    """Validation MAE of a fresh model from ``builder`` on hidden weather:
    (mae, naive mae, threshold, report).

    Training rows are drawn at random from the training weeks (the course's
    shuffled generator, seeded); validation uses every ``step``-th row of the others.
    """
    data, train_rows, val_rows = hidden_weather(dataset, folder)
    budget = budget_for(dataset, "synthetic", folder)
    lookback, delay, step = budget["lookback"], budget["delay"], budget["step"]
    x_val, y_val = course_batch(data, val_rows[::step], lookback, delay, step)

    def measure(model):
        rng = np.random.default_rng(budget["seed"])
        count = budget["epochs"] * budget["steps_per_epoch"] * budget["batch_size"]
        x_train, y_train = course_batch(data, rng.choice(train_rows, count), lookback, delay, step)
        seconds = fit(model, budget, x_train.astype("float32"), y_train.astype("float32"),
                      dataset=dataset, total_steps=budget["epochs"] * budget["steps_per_epoch"],
                      batch_size=budget["batch_size"], shuffle=False)
        with student_training(budget["builder"]):
            predicted = one_value_each(
                model.predict(x_val.astype("float32"), batch_size=256, verbose=0), len(x_val))
        return {"value": float(np.mean(np.abs(predicted - y_val))), "seconds": seconds}

    result = measured(builder, budget, dataset, measure, folder)
    mae = result["value"]
    naive = float(np.mean(np.abs(x_val[:, -1, 1] - y_val)))
    report = text(f"trained {budget['epochs']} epochs of {budget['steps_per_epoch']} batches on "
                  f"{budget['days']} days of hidden weather in {result['seconds']:.1f} s: validation "
                  f"MAE {mae:.3f} (naive baseline {naive:.3f}; needs at most {budget['max_mae']:.3f} "
                  f"and less than the baseline)",
                  f"在 {budget['days']} 天的隐藏天气数据上训练了 {budget['epochs']} 个轮次、每轮 "
                  f"{budget['steps_per_epoch']} 个批量（用时 {result['seconds']:.1f} 秒）：验证集平均绝对误差 "
                  f"{mae:.3f}（基于常识的基准 {naive:.3f}；最多 {budget['max_mae']:.3f}，并且要低于基准）")
    return mae, naive, budget["max_mae"], report


def assert_beats_naive(builder, dataset, folder=HERE):
    """Pass when a fresh model from ``builder`` beats the threshold and the naive baseline."""
    mae, naive, threshold, report = trained_weather(builder, dataset, folder)
    _judge(builder, report, np.isfinite(mae) and mae <= threshold and mae < naive)
