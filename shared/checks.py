"""Checks shared by the notebooks' public check cells and the hidden tests.

Each check returns or raises plain sentences a student can act on, such as
``layer 3: expected BatchNormalization, found ReLU``, rather than a bare
``AssertionError``.
"""
import keras

from shared.summary import ComparisonError, differences, summary

#: Names Keras accepts for "accuracy" in ``metrics=[...]``, by what they resolve to.
ACCURACY_ALIASES = {"accuracy", "acc", "binary_accuracy", "categorical_accuracy",
                    "sparse_categorical_accuracy"}


class StudentCodeError(Exception):
    """An error the student's code raised in the grading sandbox, raised again by the scorer."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def require_model(obj, made_by):
    """Fail clearly when a builder returned something that is not a Keras model."""
    if not isinstance(obj, keras.Model):
        raise ComparisonError(f"{made_by} should return a keras Model, but it returned "
                              f"{type(obj).__name__} ({obj!r:.80}). Did you forget `return model`?")
    return obj


def build(builder, *args, name=None):
    """Call a student's model builder and turn any failure into a readable message."""
    name = name or getattr(builder, "__name__", "the builder")
    call = f"{name}({', '.join(map(repr, args))})"
    if not callable(builder):
        raise ComparisonError(f"{name} is not defined as a function: run its cell first.")
    try:
        model = builder(*args)
    except NotImplementedError:
        raise ComparisonError(f"{call} is not implemented yet: replace "
                              f"`raise NotImplementedError()` with your code.") from None
    except Exception as exc:  # the student's code failed; report it, do not crash
        kind = exc.kind if isinstance(exc, StudentCodeError) else type(exc).__name__
        raise ComparisonError(f"{call} raised {kind}: {exc}") from None
    return require_model(model, call)


def architecture_problems(model, expected_table):
    return differences(summary(model), expected_table)


def check_architecture(model, expected_table, *, show=True):
    """Public check: print the model's rows, then compare them with the course's table."""
    rows = summary(model)
    if show:
        for row in rows:
            print(row)
    problems = differences(rows, expected_table)
    if problems:
        raise ComparisonError("\n".join(problems))
    print("All tests passed!")


def parameter_problem(model, expected):
    found = model.count_params()
    if found != expected:
        return f"the model has {found:,} parameters, expected {expected:,}"
    return None


#: Keras accepts both spellings; compare the short one.
LOSS_ALIASES = {"mean_absolute_error": "mae", "mean_squared_error": "mse"}


def _loss_name(loss):
    return LOSS_ALIASES.get(_raw_loss_name(loss), _raw_loss_name(loss))


def _raw_loss_name(loss):
    if isinstance(loss, str):
        return loss
    if isinstance(loss, keras.losses.Loss):
        fn = getattr(loss, "fn", None)
        return getattr(fn, "__name__", None) or loss.name
    return getattr(loss, "__name__", repr(loss))


def _metric_name(metric):
    if isinstance(metric, str):
        return "accuracy" if metric in ACCURACY_ALIASES else metric
    name = getattr(metric, "name", None) or getattr(metric, "__name__", repr(metric))
    return "accuracy" if name in ACCURACY_ALIASES else name


def compile_settings(model):
    """The optimizer, loss and metric names ``model`` was compiled with, or None."""
    if not getattr(model, "compiled", False) or model.optimizer is None:
        return None
    metrics = model.get_compile_config().get("metrics") or []
    if isinstance(metrics, dict):
        metrics = list(metrics.values())
    return {
        "optimizer": type(model.optimizer).__name__.lower(),
        "loss": _loss_name(model.loss),
        "metrics": sorted({_metric_name(_deserialize_metric(m)) for m in metrics}),
    }


def _deserialize_metric(m):
    if isinstance(m, dict):  # a serialized metric object
        return m.get("config", {}).get("name", m.get("class_name"))
    return m


def compile_problems(model, expected, name="the model"):
    settings = compile_settings(model)
    if settings is None:
        return [f"{name} is not compiled: call {name}.compile(optimizer=..., loss=..., "
                f"metrics=[...]) in the compile cell"]
    problems = []
    for key in ("optimizer", "loss"):
        if settings[key] != expected[key]:
            problems.append(f"{name} should be compiled with {key}='{expected[key]}', "
                            f"found '{settings[key]}'")
    missing = sorted(set(expected["metrics"]) - set(settings["metrics"]))
    if missing:
        problems.append(f"{name} should track metrics={expected['metrics']}, "
                        f"found {settings['metrics']}")
    return problems
