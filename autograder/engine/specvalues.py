"""The value checks the kit's model and compile specs are made of.

Each check takes a value read from a recorded Keras config and the place it
came from (``layer 3 (Conv2D), kernel_size``) and returns the value normalised
(``3`` becomes ``(3, 3)``), or raises :class:`SpecError` with a sentence that
names the place. Objects Keras would deserialise (initializers, regularizers,
constraints) are accepted only as built-in classes with plain numeric
settings, and come out as ``{"class_name", "config"}`` for the kit to build.

Every sentence is written in both languages (:func:`say`, :func:`fail`): a refusal is
feedback, and a Chinese course's student reads it in Chinese.
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


def code(text: str) -> str:
    """``text`` (a value found, a list of names) as code in a Chinese sentence, which the
    feedback pages show as code and zhcheck does not read as English."""
    return "`" + str(text).replace("`", "'") + "`"


def say(english: str, chinese: str) -> str:
    """One sentence in the course's language. The scorer sets the language from the grading
    config (``gradelib`` does, on import) before it reads any record."""
    from shared.i18n import language
    return chinese if language() == "zh" else english


#: The places :func:`fail` names, in Chinese. A place is built by the kit alone from these
#: heads or a layer's number, then allowlisted class and setting names (``layer 3 (Conv2D),
#: kernel_size``); a submission's own words never reach it, so a fixed table translates it.
PLACE_HEADS = {"the recorded model": "记录的模型", "the model's name": "模型的名称",
               "the input shape": "输入形状", "the input": "输入层",
               "the compile settings": "编译设置", "its compile settings": "它的编译设置",
               "the model": "模型"}
HEADS_LONGEST_FIRST = sorted(PLACE_HEADS, key=len, reverse=True)  # "the input shape" first
LAYER_AT = re.compile(r"layer (\d+)")
#: What follows the head: `` (Class)``, ``, optimizer Class``, ``, loss``, ``, setting``.
PLACE_PART = re.compile(r" \((\w+)\)|, optimizer (\w+)|, (loss|metric)\b|, (\w+)")
PLACE_WORDS = {"loss": "损失函数", "metric": "评估指标"}


def place(where: str) -> str:
    """``where`` in the course's language; in Chinese its names are code: ``第 3 层
    （`Conv2D`），`kernel_size```."""
    from shared.i18n import language
    if language() != "zh":
        return where
    head = next((h for h in HEADS_LONGEST_FIRST if where.startswith(h)), None)
    layer = LAYER_AT.match(where)
    if head is not None:
        start, rest = PLACE_HEADS[head], where[len(head):]
    elif layer is not None:
        start, rest = f"第 {layer.group(1)} 层", where[layer.end():]
    else:
        return where
    return start + PLACE_PART.sub(_place_part, rest)


def _place_part(part: re.Match) -> str:
    cls, optimizer, word, key = part.groups()
    if cls:
        return f"（`{cls}`）"
    if optimizer:
        return f"，优化器 `{optimizer}`"
    return f"，{PLACE_WORDS[word]}" if word else f"，`{key}`"


def fail(where: str, english: str, chinese: str):
    """Refuse the record with a sentence that names the place, in the course's language."""
    raise SpecError(say(f"{where}: {english}", f"{place(where)}：{chinese}"))


def class_name(value):
    """The ``class_name`` a serialised Keras object names, if it is text (a forged one may be
    a list, which no table lookup may hash), else None."""
    found = value.get("class_name") if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


def integer(lo, hi):
    def check(value, where):
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            fail(where, f"should be a whole number from {lo} to {hi}, found {show(value)}",
                 f"应为 {lo} 到 {hi} 之间的整数，实际为 {code(show(value))}")
        return value
    return check


def number(lo, hi):
    def check(value, where):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or not lo <= value <= hi:
            fail(where, f"should be a number from {lo:g} to {hi:g}, found {show(value)}",
                 f"应为 {lo:g} 到 {hi:g} 之间的数，实际为 {code(show(value))}")
        return float(value)
    return check


def boolean(value, where):
    if not isinstance(value, bool):
        fail(where, f"should be True or False, found {show(value)}",
             f"应为 True 或 False，实际为 {code(show(value))}")
    return value


def choice(*options):
    def check(value, where):
        if not any(value == o and type(value) is type(o) for o in options):
            fail(where, f"should be one of {', '.join(map(repr, options))}, found {show(value)}",
                 f"应为 {code(', '.join(map(repr, options)))} 之一，实际为 {code(show(value))}")
        return value
    return check


def nullable(inner):
    def check(value, where):
        return None if value is None else inner(value, where)
    return check


def none_only(value, where):
    if value is not None:
        fail(where, f"is not a setting the grader accepts (found {show(value)})",
             f"不是评分程序接受的设置（实际为 {code(show(value))}）")
    return None


def ints(n, lo, hi):
    """An int, or a list of ``n`` ints (Keras' kernel_size=3 or (3, 3)); always a tuple."""
    one = integer(lo, hi)

    def check(value, where):
        if isinstance(value, int) and not isinstance(value, bool):
            return (one(value, where),) * n
        if not isinstance(value, (list, tuple)) or len(value) != n:
            fail(where, f"should be a whole number or {n} of them, found {show(value)}",
                 f"应为一个整数或 {n} 个整数，实际为 {code(show(value))}")
        return tuple(one(v, where) for v in value)
    return check


def shape(value, where, *, batch=False):
    """A shape: a list of None or positive ints (the batch dimension may be None only)."""
    if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= 6:
        fail(where, f"should be a shape of 1 to 6 dimensions, found {show(value)}",
             f"应为 1 到 6 维的形状，实际为 {code(show(value))}")
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
                         f"{MAX_DIM}, found {show(dim)}",
                 f"第 {index} 维应为 None 或 1 到 {MAX_DIM} 之间的整数，实际为 {code(show(dim))}")
    return tuple(dims)


NAME_FORBIDDEN = set("\"'<>\\/")  # quotes and markup break pages, separators break paths


def name(value, where):
    """A layer or model name: it reaches Keras (which refuses '/'), file-backed reports and
    pages, so printable (no control characters, no lone surrogates that no file can hold),
    bounded, and without quotes, markup or path separators."""
    if not isinstance(value, str) or not 1 <= len(value) <= 80 or not value.isprintable() \
            or NAME_FORBIDDEN & set(value):
        fail(where, f"a name should be 1 to 80 printable characters without quotes, '<', "
                     f"'>', slashes or backslashes, found {show(value)}",
             f"名称应为 1 到 80 个可打印字符，不含引号、`<`、`>`、斜杠或反斜杠，实际为 {code(show(value))}")
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
    fail(where, f"the grader rebuilds float32 models only, found dtype {show(value)}",
         f"评分程序只重建 float32 模型，实际的 dtype 为 {code(show(value))}")


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
                 f"(such as 'relu' or 'sigmoid'), found {show(found)}",
         f"激活函数应为按名称给出的 Keras 内置激活函数（如 `'relu'` 或 `'sigmoid'`），实际为 {code(show(found))}")


def _object(kinds: dict, what: tuple, allow_names=True):
    """A serialised Keras object of a class in ``kinds`` ({class: {key: validator}}).

    Keras writes ``{"module", "class_name", "config", "registered_name"}``; a
    plain name (``"glorot_uniform"``) is accepted where Keras accepts one.
    Normalised to ``{"class_name": ..., "config": {...}}``. ``what``: its kind, (en, zh).
    """
    english, chinese = what
    by_snake = {re.sub(r"(?<!^)(?=[A-Z])", "_", c).lower(): c for c in kinds}

    def check(value, where):
        if isinstance(value, str) and allow_names:
            key = value.lower()
            cls = value if value in kinds else by_snake.get(key) or by_snake.get(key.replace("_", ""))
            if cls is None:
                fail(where, f"{show(value)} is not a {english} the grader accepts "
                             f"({', '.join(sorted(kinds))})",
                     f"{code(show(value))} 不是评分程序接受的{chinese}（{code(', '.join(sorted(kinds)))}）")
            return {"class_name": cls, "config": {}}
        if not isinstance(value, dict) or class_name(value) not in kinds \
                or not set(value) <= {"module", "class_name", "config", "registered_name"} \
                or not isinstance(value.get("config", {}), dict):
            found = value.get("class_name") if isinstance(value, dict) else value
            fail(where, f"the {english} should be a built-in one ({', '.join(sorted(kinds))}), "
                         f"found {show(found)}",
                 f"{chinese}应为内置的一种（{code(', '.join(sorted(kinds)))}），实际为 {code(show(found))}")
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
}, ("initializer", "初始化器"))
regularizer = nullable(_object({
    "L1": {"l1": number(0, 100)}, "L2": {"l2": number(0, 100)},
    "L1L2": {"l1": number(0, 100), "l2": number(0, 100)},
    "OrthogonalRegularizer": {"factor": number(0, 100), "mode": choice("rows", "columns")},
}, ("regularizer", "正则化器")))
constraint = nullable(_object({
    "MaxNorm": {"max_value": number(0, 1e6), "axis": integer(-6, 6)},
    "MinMaxNorm": {"min_value": number(0, 1e6), "max_value": number(0, 1e6),
                   "rate": number(0, 1), "axis": integer(-6, 6)},
    "NonNeg": {}, "UnitNorm": {"axis": integer(-6, 6)},
}, ("constraint", "约束"), allow_names=False))


def settings(config: dict, allowed: dict, where: str) -> dict:
    """``config`` checked key by key against ``allowed`` ({key: validator})."""
    if not isinstance(config, dict):
        fail(where, f"settings should be a JSON object, found {show(config)}",
             f"设置应为一个 JSON 对象，实际为 {code(show(config))}")
    unknown = sorted(set(config) - set(allowed))
    if unknown:
        keys = ", ".join(map(show, unknown[:3]))
        fail(where, f"{keys} is not a setting the grader accepts", f"{code(keys)} 不是评分程序接受的设置")
    return {key: allowed[key](value, f"{where}, {key}") for key, value in config.items()}
