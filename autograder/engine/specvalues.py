"""The value checks the kit's model and compile specs are made of.

Each check takes a value read from a recorded Keras config and the place it
came from (``layer 3 (Conv2D), kernel_size``) and returns the value normalised
(``3`` becomes ``(3, 3)``), or raises :class:`SpecError` with a sentence that
names the place. Objects Keras would deserialise (initializers, regularizers,
constraints) are accepted only as built-in classes with plain numeric
settings, and come out as ``{"class_name", "config"}`` for the kit to build.
"""
import json
import math
import re

MAX_DIM = 100_000  # any dimension of an input shape


class SpecError(ValueError):
    """The recorded model is outside what the grader rebuilds; the message says why."""


def show(value) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def fail(where: str, text: str):
    raise SpecError(f"{where}: {text}")


def class_name(value):
    """The ``class_name`` a serialised Keras object names, if it is text (a forged one may be
    a list, which no table lookup may hash), else None."""
    found = value.get("class_name") if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


def integer(lo, hi):
    def check(value, where):
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            fail(where, f"should be a whole number from {lo} to {hi}, found {show(value)}")
        return value
    return check


def number(lo, hi):
    def check(value, where):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or not lo <= value <= hi:
            fail(where, f"should be a number from {lo:g} to {hi:g}, found {show(value)}")
        return float(value)
    return check


def boolean(value, where):
    if not isinstance(value, bool):
        fail(where, f"should be True or False, found {show(value)}")
    return value


def choice(*options):
    def check(value, where):
        if not any(value == o and type(value) is type(o) for o in options):
            fail(where, f"should be one of {', '.join(map(repr, options))}, found {show(value)}")
        return value
    return check


def nullable(inner):
    def check(value, where):
        return None if value is None else inner(value, where)
    return check


def none_only(value, where):
    if value is not None:
        fail(where, f"is not a setting the grader accepts (found {show(value)})")
    return None


def ints(n, lo, hi):
    """An int, or a list of ``n`` ints (Keras' kernel_size=3 or (3, 3)); always a tuple."""
    one = integer(lo, hi)

    def check(value, where):
        if isinstance(value, int) and not isinstance(value, bool):
            return (one(value, where),) * n
        if not isinstance(value, (list, tuple)) or len(value) != n:
            fail(where, f"should be a whole number or {n} of them, found {show(value)}")
        return tuple(one(v, where) for v in value)
    return check


def shape(value, where, *, batch=False):
    """A shape: a list of None or positive ints (the batch dimension may be None only)."""
    if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= 6:
        fail(where, f"should be a shape of 1 to 6 dimensions, found {show(value)}")
    dims = []
    for index, dim in enumerate(value):
        if dim is None:
            dims.append(None)
        elif isinstance(dim, int) and not isinstance(dim, bool) and 1 <= dim <= MAX_DIM:
            dims.append(dim)
        elif dim == -1 and not batch and -1 not in dims:
            dims.append(-1)
        else:
            fail(where, f"dimension {index} should be None or a whole number from 1 to "
                         f"{MAX_DIM}, found {show(dim)}")
    return tuple(dims)


NAME_FORBIDDEN = set("\"'<>\\/")  # quotes and markup break pages, separators break paths


def name(value, where):
    """A layer or model name: it reaches Keras (which refuses '/'), file-backed reports and
    pages, so printable (no control characters, no lone surrogates that no file can hold),
    bounded, and without quotes, markup or path separators."""
    if not isinstance(value, str) or not 1 <= len(value) <= 80 or not value.isprintable() \
            or NAME_FORBIDDEN & set(value):
        fail(where, f"a name should be 1 to 80 printable characters without quotes, '<', "
                     f"'>', slashes or backslashes, found {show(value)}")
    return value


def dtype(value, where):
    """float32 only, as a name or as Keras' serialised DTypePolicy."""
    if value in (None, "float32"):
        return "float32"
    if isinstance(value, dict) and value.get("class_name") == "DTypePolicy" \
            and value.get("module") == "keras" and value.get("config") == {"name": "float32"} \
            and set(value) <= {"module", "class_name", "config", "registered_name"} \
            and value.get("registered_name") is None:
        return "float32"
    fail(where, f"the grader rebuilds float32 models only, found dtype {show(value)}")


ACTIVATIONS = {"relu", "sigmoid", "softmax", "tanh", "linear", "elu", "selu", "softplus",
               "softsign", "swish", "silu", "gelu", "exponential", "hard_sigmoid",
               "leaky_relu", "relu6", "mish", "log_softmax", "hard_swish", "hard_silu"}


def activation(value, where):
    if value is None:
        return "linear"
    if isinstance(value, str) and value in ACTIVATIONS:
        return value
    found = value.get("config") if isinstance(value, dict) else value
    fail(where, f"the activation should be a built-in Keras activation given by name "
                 f"(such as 'relu' or 'sigmoid'), found {show(found)}")


def _object(kinds: dict, what: str, allow_names=True):
    """A serialised Keras object of a class in ``kinds`` ({class: {key: validator}}).

    Keras writes ``{"module", "class_name", "config", "registered_name"}``; a
    plain name (``"glorot_uniform"``) is accepted where Keras accepts one.
    Normalised to ``{"class_name": ..., "config": {...}}``.
    """
    by_snake = {re.sub(r"(?<!^)(?=[A-Z])", "_", c).lower(): c for c in kinds}

    def check(value, where):
        if isinstance(value, str) and allow_names:
            key = value.lower()
            cls = value if value in kinds else by_snake.get(key) or by_snake.get(key.replace("_", ""))
            if cls is None:
                fail(where, f"{value!r} is not a {what} the grader accepts "
                             f"({', '.join(sorted(kinds))})")
            return {"class_name": cls, "config": {}}
        if not isinstance(value, dict) or class_name(value) not in kinds \
                or not set(value) <= {"module", "class_name", "config", "registered_name"} \
                or not isinstance(value.get("config", {}), dict):
            found = value.get("class_name") if isinstance(value, dict) else value
            fail(where, f"the {what} should be a built-in one ({', '.join(sorted(kinds))}), "
                         f"found {show(found)}")
        cls = value["class_name"]
        return {"class_name": cls,
                "config": settings(value.get("config", {}), kinds[cls], f"{where} ({cls})")}
    return check


SEED = nullable(integer(0, 2**31 - 1))
AXES = nullable(lambda v, w: list(ints(len(v) if isinstance(v, list) else 1, -6, 6)(v, w)))
FAN = {"seed": SEED, "input_axes": AXES, "output_axes": AXES}
initializer = _object({
    "GlorotUniform": FAN, "GlorotNormal": FAN, "HeNormal": FAN, "HeUniform": FAN,
    "LecunNormal": FAN, "LecunUniform": FAN,
    "Orthogonal": {"seed": SEED, "gain": number(0, 100)},
    "Zeros": {}, "Ones": {}, "Identity": {"gain": number(0, 100)},
    "Constant": {"value": number(-1e6, 1e6)},
    "RandomNormal": {"seed": SEED, "mean": number(-100, 100), "stddev": number(0, 100)},
    "TruncatedNormal": {"seed": SEED, "mean": number(-100, 100), "stddev": number(0, 100)},
    "RandomUniform": {"seed": SEED, "minval": number(-100, 100), "maxval": number(-100, 100)},
    "VarianceScaling": {**FAN, "scale": number(0, 100),
                        "mode": choice("fan_in", "fan_out", "fan_avg"),
                        "distribution": choice("truncated_normal", "untruncated_normal",
                                               "uniform", "normal")},
}, "initializer")
regularizer = nullable(_object({
    "L1": {"l1": number(0, 100)}, "L2": {"l2": number(0, 100)},
    "L1L2": {"l1": number(0, 100), "l2": number(0, 100)},
    "OrthogonalRegularizer": {"factor": number(0, 100), "mode": choice("rows", "columns")},
}, "regularizer"))
constraint = nullable(_object({
    "MaxNorm": {"max_value": number(0, 1e6), "axis": integer(-6, 6)},
    "MinMaxNorm": {"min_value": number(0, 1e6), "max_value": number(0, 1e6),
                   "rate": number(0, 1), "axis": integer(-6, 6)},
    "NonNeg": {}, "UnitNorm": {"axis": integer(-6, 6)},
}, "constraint", allow_names=False))


def settings(config: dict, allowed: dict, where: str) -> dict:
    """``config`` checked key by key against ``allowed`` ({key: validator})."""
    if not isinstance(config, dict):
        fail(where, f"settings should be a JSON object, found {show(config)}")
    unknown = sorted(set(config) - set(allowed))
    if unknown:
        fail(where, f"{', '.join(map(repr, unknown[:3]))} is not a setting the grader accepts")
    return {key: allowed[key](value, f"{where}, {key}") for key, value in config.items()}
