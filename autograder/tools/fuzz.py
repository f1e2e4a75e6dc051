"""``make fuzz [CASES=10000] [SEED=0]``: the kit's own fuzz of what the trusted scorer reads.

A submission controls every byte of its model artifacts, and the scorer promises
three things about any of them (``docs/grading.md``): it is refused with the kit's
sentence or built exactly as Keras would (its parameter count, on which the cap is
checked, equal to Keras' own count of the built model), and reading, checking,
pricing and building it is fast and small. Hand-written attacks test the routes we
thought of; this tests the rest. From every assignment's reference models, as the
sandbox records them (architecture, Lambda behaviours, compile settings), a seeded
generator makes mutants: structure (layers dropped, doubled, swapped, moved in from
another model, rewired, class names swapped), types (any value replaced by one of
another type), values (boundaries, huge numbers, NaN, plausible settings of every
key the layer table accepts), names (lone surrogates, slashes, duplicates, long) and
compile settings; each goes through the scorer's own steps (``modelspec.parse``,
``modelcost.check``, ``compilespec.parse_compile``, ``modelspec.build``).

Outcomes: ``refused`` (a :class:`SpecError` whose sentence UTF-8 can hold),
``accepted`` (built, counts equal), ``count`` (built, but the kit's count differs
from Keras': a kit bug) and ``other`` (any other exception: a kit bug; the student
would read a Python error). The report gives each count, the slowest cases against
``CASE_SECONDS`` (CPU seconds) and the peak memory of the process, and lists every
bug with its seed so that ``--case N`` replays it. ``tests/test_scorer_fuzz.py``
runs a few hundred cases per CI run; this target runs 10,000 (3 to 9 minutes here).
"""
import argparse
import copy
import json
import math
import random
import resource
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from autograder import assignments
from autograder.assignments import REPO_ROOT

CASE_SECONDS = 5.0  # CPU seconds to read, check, price and build one case (a course model: < 0.5)
MAX_RSS_BYTES = 6 * 2**30  # peak memory of the whole fuzz process (TensorFlow included)
REPORT = REPO_ROOT / "runs" / "fuzz" / "report.json"


# --- the corpus: every assignment's reference models, as the sandbox records them ---------

def _sandbox():
    """The sandbox's recorder, imported as the sandbox has it (kit_codec beside it)."""
    engine = str(REPO_ROOT / "autograder" / "engine")
    sys.path.insert(0, engine)
    try:
        import sandbox
        return sandbox
    finally:
        sys.path.remove(engine)


def references() -> list[dict]:
    """[{"source", "artifact", "batch"}]: every model builder probed by an assignment,
    called with each probed argument list, compiled as its training budget compiles."""
    import importlib

    from autograder.engine import modelcost

    sandbox = _sandbox()
    found = []
    for name in assignments.available():
        assignment = assignments.get(name)
        solutions = importlib.import_module(f"solutions.{name}")
        losses = [t.get("loss") for t in assignment.config.get("training", {}).values()]
        for probe_name, probe in assignment.config["probes"].items():
            if probe["kind"] != "model_builder":
                continue
            calls = ([case["args"] for case in probe["cases"].values()] if "cases" in probe
                     else [probe.get("args", [])])
            for args in calls:
                model = getattr(solutions, probe_name)(*args)
                model.compile(optimizer="adam", loss=next(filter(None, losses), "mse"),
                              metrics=["accuracy"])
                artifact = json.loads(json.dumps(sandbox.model_artifact(model)))
                found.append({"source": f"{name}.{probe_name}{tuple(args)}",
                              "artifact": artifact,
                              "batch": modelcost.batch_size(assignment.config)})
    return found


def layer_library() -> list[dict]:
    """Valid layer entries of every class the grader accepts, to move into other models."""
    import keras
    from keras import layers

    made = [layers.Dense(3), layers.Dense(5, activation="relu", use_bias=False),
            layers.Conv1D(4, 3), layers.Conv1D(4, 2, groups=2, padding="same"),
            layers.Conv2D(4, 3, strides=2), layers.Conv2D(6, (1, 3), groups=3),
            layers.Conv2D(2, 2, dilation_rate=2, padding="same"), layers.ZeroPadding2D(2),
            layers.BatchNormalization(), layers.BatchNormalization(axis=1, center=False),
            layers.ReLU(max_value=6.0), layers.LeakyReLU(0.2), layers.Activation("tanh"),
            layers.MaxPooling1D(), layers.MaxPooling2D(3, strides=1), layers.AveragePooling1D(2),
            layers.AveragePooling2D(2, padding="same"), layers.GlobalAveragePooling1D(),
            layers.GlobalAveragePooling2D(keepdims=True), layers.GlobalMaxPooling1D(),
            layers.GlobalMaxPooling2D(), layers.Flatten(), layers.Dropout(0.5),
            layers.Reshape((-1, 1)), layers.Reshape((4, 4)), layers.Rescaling(0.5, 1.0),
            layers.LSTM(4, return_sequences=True), layers.GRU(3, reset_after=False),
            layers.SimpleRNN(2), layers.Bidirectional(layers.GRU(2)),
            layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="sum"),
            layers.Add(), layers.Concatenate(),
            layers.Dense(7, kernel_regularizer=keras.regularizers.OrthogonalRegularizer()),
            layers.Dense(2, kernel_constraint=keras.constraints.MaxNorm(2.0),
                         kernel_initializer="he_normal", trainable=False)]
    return [json.loads(json.dumps({"module": "keras.layers", "class_name": type(layer).__name__,
                                   "config": layer.get_config(), "registered_name": None}))
            for layer in made]


# --- mutations ---------------------------------------------------------------------------

NAMES = ["a\udfffb", "a/b", "x" * 81, "", " ", "dense", "input_layer", "层", "tab\there",
         "<b>", "..", "a\\b", "\u202e", "name" * 20]
STRINGS = ["same", "valid", "causal", "channels_first", "relu", "softmax", "Dense", "LSTM",
           "glorot_uniform", "he_normal", "zeros", "float16", "mixed_float16", "rows",
           "columns", "concat", "sum", "auto", "__keras_tensor__", "Sequential", "Functional",
           "keras.layers", "L2", "OrthogonalRegularizer", "MaxNorm", "adam", "mse", "\udfff",
           "/etc/passwd", "x" * 2000]
NUMBERS = [0, 1, -1, 2, 3, 7, 64, 100, 4096, 4097, 100_000, 2**31, 2**63, 10**30, -2**63,
           0.0, 0.5, -0.5, 0.99, 1.5, 1e-12, 1e308, -1e308, float("nan"), float("inf"),
           float("-inf")]
#: Plausible settings of the keys the layer table accepts: mostly accepted, so that the
#: builder and the parameter formulas see many combinations that reach Keras.
REGULARIZERS = [None, {"class_name": "L2", "config": {"l2": 0.01}},
                {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.1}},
                {"class_name": "OrthogonalRegularizer", "config": {"factor": 0.01,
                                                                    "mode": "rows"}},
                {"class_name": "OrthogonalRegularizer", "config": {"factor": 0.1,
                                                                    "mode": "columns"}}]
PLAUSIBLE = {
    "units": [1, 2, 3, 16, 64, 300, 4096], "filters": [1, 2, 4, 6, 64, 512, 4096],
    "kernel_size": [1, 2, 3, 5, [3, 1], [1, 5], 7, 32, [32, 32]],
    "strides": [1, 2, 3, [2, 1], None, 32], "padding": ["same", "valid"],
    "dilation_rate": [1, 2, [2, 1], 8], "groups": [1, 2, 3, 4, 64],
    "activation": ["relu", "linear", "softmax", "gelu", "log_softmax", None],
    "recurrent_activation": ["sigmoid", "hard_sigmoid", "relu"],
    "use_bias": [True, False], "trainable": [True, False],
    "axis": [-1, 1, 2, 3, -2, 4, -4, 0], "center": [True, False], "scale": [True, False],
    "return_sequences": [True, False], "go_backwards": [True, False],
    "reset_after": [True, False], "unroll": [True, False], "keepdims": [True, False],
    "pool_size": [1, 2, 3, [2, 3], 64], "rate": [0, 0.5, 0.99], "seed": [None, 0, 7],
    "target_shape": [[-1, 1], [4, 4], [16], [-1], [2, -1, 2]],
    "merge_mode": ["concat", "sum", "mul", "ave", None],
    "negative_slope": [0, 0.2, 1], "max_value": [None, 1.0, 6.0], "threshold": [0, -1.0],
    "momentum": [0.0, 0.99, 1], "epsilon": [1e-12, 0.001, 1],
    "scale_value": [0.5], "offset": [0, 1.0, -1e6],
    "kernel_regularizer": REGULARIZERS, "bias_regularizer": REGULARIZERS,
    "activity_regularizer": REGULARIZERS, "recurrent_regularizer": REGULARIZERS,
    "kernel_initializer": ["glorot_uniform", "he_normal", "orthogonal", "zeros", "identity",
                           {"class_name": "Identity", "config": {"gain": 1.0}},
                           {"class_name": "VarianceScaling", "config": {"scale": 2.0,
                                                                        "mode": "fan_out"}}],
    "recurrent_initializer": ["orthogonal", "identity", "glorot_uniform"],
    "kernel_constraint": [None, {"class_name": "MaxNorm", "config": {"max_value": 2.0,
                                                                     "axis": 0}},
                          {"class_name": "UnitNorm", "config": {"axis": 5}},
                          {"class_name": "NonNeg", "config": {}}],
}


def random_value(rng, depth=0):
    """Any JSON value, of any type, of a size a submission could write."""
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind in (1, 2):
        return rng.choice(NUMBERS)
    if kind == 3:
        return rng.choice(STRINGS + NAMES)
    if kind == 4:
        return rng.choice([[], {}, [None], [3, 3], [[1, 1], [1, 1]], [1.5, 2], ["3", 3]])
    if kind in (5, 6):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["class_name", "config", "name", "module", "units", "a"]):
            random_value(rng, depth + 1) for _ in range(rng.randrange(4))}


def _paths(value, prefix=()):
    """Every (path, value) inside a JSON value, the value itself first."""
    found = [(prefix, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, prefix + (index,))
    return found


def _set(root, path, value):
    target = root
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _layers(model) -> list:
    config = _config_of(model)
    layers = config.get("layers") if config else None
    return layers if isinstance(layers, list) else []


def _config_of(layer) -> dict | None:
    config = layer.get("config") if isinstance(layer, dict) else None
    return config if isinstance(config, dict) else None


def _tensor(name):
    return {"class_name": "__keras_tensor__", "config": {"shape": [None], "dtype": "float32",
                                                         "keras_history": [name, 0, 0]}}


def _name(layer):
    config = _config_of(layer)
    return config.get("name") if config else None


def mutate(rng, case: dict, library: list) -> list[str]:
    """Change ``case`` ({"model": dict, "lambdas", "compile"}) in place; what was done."""
    model, layers = case["model"], _layers(case["model"])
    functional = bool(layers) and model.get("class_name") == "Functional"
    kind = rng.choice(["drop", "double", "swap", "insert", "class", "type", "value",
                       "plausible", "plausible", "plausible", "name", "compile", "lambda",
                       "rewire", "key"])
    if kind == "drop" and len(layers) > 1:
        del layers[rng.randrange(1, len(layers))]
    elif kind == "double" and layers:
        copied = copy.deepcopy(rng.choice(layers))
        if _config_of(copied) is not None and rng.random() < 0.7:
            copied["config"]["name"] = f"copy_{rng.randrange(10**6)}"
        layers.insert(rng.randrange(1, len(layers) + 1), copied)
    elif kind == "swap" and len(layers) > 2:
        i, j = rng.sample(range(1, len(layers)), 2)
        layers[i], layers[j] = layers[j], layers[i]
    elif kind == "insert" and layers:
        entry = copy.deepcopy(rng.choice(library))
        entry["config"]["name"] = f"fuzz_{rng.randrange(10**6)}"
        at = rng.randrange(1, len(layers) + 1)
        if functional:
            source = _name(layers[at - 1])
            entry["inbound_nodes"] = [{"args": [_tensor(source)], "kwargs": {}}]
            if entry["class_name"] in ("Add", "Concatenate"):
                entry["inbound_nodes"][0]["args"] = [[_tensor(source), _tensor(source)]]
            if at < len(layers) and rng.random() < 0.7:  # the next layer takes it instead
                nxt = layers[at]
                if isinstance(nxt, dict) and nxt.get("inbound_nodes"):
                    nxt["inbound_nodes"] = [{"args": [_tensor(entry["config"]["name"])],
                                             "kwargs": {}}]
            elif rng.random() < 0.5:
                model["config"]["output_layers"] = [[entry["config"]["name"], 0, 0]]
        layers.insert(at, entry)
    elif kind == "class" and layers:
        layer = rng.choice(layers[1:] or layers)
        if isinstance(layer, dict):
            layer["class_name"] = rng.choice([e["class_name"] for e in library])
    elif kind == "plausible" and layers:
        config = _config_of(rng.choice(layers))
        if config is not None:
            key = rng.choice(sorted(PLAUSIBLE))
            if "layer" in config and rng.random() < 0.5:  # Bidirectional: inside the RNN
                config = _config_of(config["layer"]) or config
            config[key] = copy.deepcopy(rng.choice(PLAUSIBLE[key]))
    elif kind == "name" and layers:
        config = _config_of(rng.choice(layers))
        if config is not None:
            config["name"] = rng.choice(NAMES + [_name(rng.choice(layers))])
    elif kind == "compile":
        compiled = case.get("compile")
        if isinstance(compiled, dict) and compiled:
            path, _ = rng.choice(_paths(compiled)[1:] or [((), None)])
            if path:
                _set(compiled, path, random_value(rng))
        else:
            case["compile"] = random_value(rng)
    elif kind == "lambda" and case.get("lambdas"):
        record = case["lambdas"][rng.choice(sorted(case["lambdas"]))]
        if isinstance(record, dict) and record:
            key = rng.choice(sorted(record))
            record[key] = rng.choice([record.get("output"), record.get("input"),
                                      random_value(rng)])
    elif kind == "rewire" and functional and len(layers) > 2:
        layer = rng.choice(layers[1:])
        if isinstance(layer, dict):
            source = _name(rng.choice(layers))
            layer["inbound_nodes"] = [{"args": [_tensor(source)], "kwargs": {}}]
    elif kind == "key" and layers:
        config = _config_of(rng.choice(layers))
        if config:
            if rng.random() < 0.5:
                config.pop(rng.choice(sorted(config)))
            else:
                config[rng.choice(sorted(PLAUSIBLE) + ["bogus"])] = random_value(rng)
    else:  # "type", "value", and any of the above with nothing to act on
        paths = _paths(model)[1:]
        if paths:
            path, value = rng.choice(paths)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            _set(model, path, rng.choice(NUMBERS) if kind == "value" and numeric
                 else random_value(rng))
    return [kind]


# --- one case through the scorer's own steps -----------------------------------------------

@dataclass
class Case:
    number: int
    source: str
    mutations: list
    outcome: str = ""  # refused | accepted | count | other
    detail: str = ""
    seconds: float = 0.0
    params: tuple = ()  # (the kit's count, Keras' count) of a built model


def check(artifact: dict, batch: int) -> tuple[str, str, tuple]:
    """(outcome, detail, counts) of one artifact through the scorer's steps."""
    from autograder.engine import compilespec, modelcost, modelspec

    try:
        spec = modelspec.parse(artifact.get("model"), artifact.get("lambdas"))
        modelcost.check(spec, batch)
        if artifact.get("compile"):
            spec.compile = compilespec.parse_compile(artifact["compile"])
        model = modelspec.build(spec)
    except modelspec.CountMismatch as exc:
        return "count", str(exc), ()
    except modelspec.SpecError as exc:
        message = str(exc)
        try:
            message.encode("utf-8")
        except UnicodeEncodeError:
            return "other", f"a refusal UTF-8 cannot hold: {message!r}"[:500], ()
        return "refused", message[:300], ()
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return "other", (f"{type(exc).__name__}: {str(exc)[:300]!r} at "
                         f"{Path(where.filename).name}:{where.lineno}"), ()
    return "accepted", "", (spec.params, model.count_params())


def generate(number: int, seed: int, corpus: list, library: list) -> tuple[dict, dict, list]:
    """Case ``number`` of the run seeded ``seed``: (artifact, reference, mutations)."""
    rng = random.Random(f"{seed}:{number}")
    reference = corpus[rng.randrange(len(corpus))]
    artifact = copy.deepcopy(reference["artifact"])
    case = {"model": json.loads(artifact["model"]), "lambdas": artifact.get("lambdas"),
            "compile": artifact.get("compile")}
    done = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        done += mutate(rng, case, library)
    text = json.dumps(case["model"], ensure_ascii=rng.random() < 0.5)
    return {**artifact, "model": text, "lambdas": case["lambdas"],
            "compile": case["compile"]}, reference, done


def run(cases: int, seed: int = 0, only=None, progress=None) -> list[Case]:
    """``cases`` fuzzed artifacts (or case ``only``), each checked; the results."""
    import keras

    corpus, library = references(), layer_library()
    results = []
    for number in ([only] if only is not None else range(cases)):
        artifact, reference, mutations = generate(number, seed, corpus, library)
        started = time.process_time()
        outcome, detail, counts = check(artifact, reference["batch"])
        results.append(Case(number, reference["source"], mutations, outcome, detail,
                            time.process_time() - started, counts))
        if number % 50 == 49:
            keras.backend.clear_session()  # the models built so far: memory, not state
        if progress:
            progress(results[-1])
    return results


def summary(results: list[Case], seed: int) -> dict:
    """The report: counts by outcome, the slowest cases, the memory, every bug."""
    counts = {o: sum(r.outcome == o for r in results) for o in ("refused", "accepted",
                                                                "count", "other")}
    slowest = sorted(results, key=lambda r: -r.seconds)[:5]
    return {"seed": seed, "cases": len(results), **counts,
            "case_seconds_bound": CASE_SECONDS,
            "over_bound": sum(r.seconds > CASE_SECONDS for r in results),
            "slowest": [{"case": r.number, "seconds": round(r.seconds, 3), "source": r.source,
                         "outcome": r.outcome} for r in slowest],
            "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "max_rss_bound": MAX_RSS_BYTES,
            "bugs": [{"case": r.number, "outcome": r.outcome, "source": r.source,
                      "mutations": r.mutations, "detail": r.detail,
                      "counts": list(r.params)}
                     for r in results if r.outcome in ("count", "other")]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case", type=int, default=None, help="replay one case and show it")
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    if args.case is not None:
        corpus, library = references(), layer_library()
        artifact, reference, mutations = generate(args.case, args.seed, corpus, library)
        print(json.dumps({"source": reference["source"], "mutations": mutations,
                          "artifact": artifact}, indent=1, default=str)[:20_000])
        print(check(artifact, reference["batch"]))
        return 0
    started = time.perf_counter()
    tick = max(1, args.cases // 20)
    results = run(args.cases, args.seed, progress=lambda r: (
        r.number % tick == tick - 1 and print(f"  {r.number + 1:,} cases", file=sys.stderr)))
    report = {**summary(results, args.seed), "wall_seconds": round(time.perf_counter() - started)}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"{report['cases']:,} fuzzed artifacts (seed {args.seed}): {report['refused']:,} "
          f"refused with the kit's sentence, {report['accepted']:,} accepted and built, "
          f"{report['count']} parameter-count differences, {report['other']} other exceptions; "
          f"slowest case {report['slowest'][0]['seconds']:.2f} s of CPU (bound "
          f"{CASE_SECONDS:g} s, {report['over_bound']} over); peak memory "
          f"{report['max_rss_bytes'] / 2**30:.2f} GiB (bound {MAX_RSS_BYTES / 2**30:g} GiB); "
          f"{report['wall_seconds']} s. Report: {args.report}")
    for bug in report["bugs"][:20]:
        print(f"  case {bug['case']} ({bug['source']}, {'+'.join(bug['mutations'])}): "
              f"{bug['outcome']}: {bug['detail'][:200]}")
    failed = report["count"] or report["other"] or report["over_bound"] or \
        report["max_rss_bytes"] > MAX_RSS_BYTES
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
