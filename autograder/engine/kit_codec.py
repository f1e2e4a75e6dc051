"""JSON encoding of the values that cross from the sandbox to the scorer.

A function probe calls a student's function on inputs from the grading
config and records what it returned. Both sides need the same encoding:
the sandbox (``kit_sandbox.py``, which copies this file next to itself)
turns inputs from JSON into the objects a student expects (numpy arrays,
object arrays of token lists as Keras loaders return, a Keras ``History``)
and turns results into JSON; the scorer and ``gradelib`` decode results
back into numpy arrays, DataFrames and plain values.

Decoding only ever builds plain data: numbers, strings, lists, dicts,
numeric numpy arrays, DataFrames of those. Nothing a student wrote can make
it construct anything else.
"""
import base64
import itertools
import math
import zlib

import numpy as np

#: numpy dtype kinds an encoded array may have (no objects, no void records)
NUMERIC_KINDS = "biuf"
MAX_ARRAY_BYTES = 64 * 2**20


class _History:
    """A stand-in for ``keras.callbacks.History`` with the two attributes students use."""

    def __init__(self, history: dict):
        self.history = {key: list(values) for key, values in history.items()}
        self.epoch = list(range(len(next(iter(self.history.values()), []))))

    def __repr__(self):
        return f"History({sorted(self.history)})"


def _history(history: dict):
    """A real Keras History when Keras is there (the sandbox), else the stand-in."""
    try:
        from keras.callbacks import History
    except ImportError:
        return _History(history)
    record = History()
    record.history = {key: list(values) for key, values in history.items()}
    record.epoch = list(range(len(next(iter(record.history.values()), []))))
    return record


TAKE_LIMIT = 2000  # items drawn from a returned iterator


def seed_for(spec: dict):
    """Seed Python, NumPy and TensorFlow when a probe case asks (reproducible shuffles)."""
    if "seed" in spec:
        import keras
        keras.utils.set_random_seed(int(spec["seed"]))


def taken(result, spec: dict):
    """The first ``take`` items of a returned iterator (generator, tf.data.Dataset) as a list.

    Capped at ``TAKE_LIMIT`` so that an endless generator still gives an answer.
    """
    if "take" not in spec:
        return result
    return list(itertools.islice(iter(result), min(int(spec["take"]), TAKE_LIMIT)))


def _window_model(weights):
    """A Keras model mapping a window (batch, len(weights)) to its weighted sum: a known forecaster."""
    import keras
    model = keras.Sequential([keras.Input(shape=(len(weights),)),
                              keras.layers.Dense(1, use_bias=False)])
    model.layers[0].set_weights([np.asarray(weights, dtype="float32").reshape(-1, 1)])
    return model


def decode_input(value):
    """Build a probe's argument from its JSON form.

    Tags: ``{"__sequences__": [[...], ...]}`` is a 1-D object array of lists,
    as ``keras.datasets`` loaders return; ``{"__ndarray__": [...], "dtype": d}``
    a numpy array; ``{"__history__": {"loss": [...], ...}}`` a Keras History.
    Other lists and dicts are decoded item by item.
    """
    if isinstance(value, list):
        return [decode_input(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__sequences__" in value:
        sequences = value["__sequences__"]
        array = np.empty(len(sequences), dtype=object)
        for index, sequence in enumerate(sequences):
            array[index] = list(sequence)
        return array
    if "__ndarray__" in value:
        return np.asarray(value["__ndarray__"], dtype=value.get("dtype"))
    if "__history__" in value:
        return _history(value["__history__"])
    if "__normal__" in value:
        draws = np.random.default_rng(int(value.get("seed", 0))).normal(size=value["__normal__"])
        return (draws * value.get("scale", 1.0)).astype(value.get("dtype", "float64"))
    if "__window_model__" in value:
        return _window_model(value["__window_model__"])
    return {key: decode_input(item) for key, item in value.items()}


def encode(value, depth=0):
    """JSON-able form of a student's result; anything unexpected is described, not kept."""
    if depth > 20:
        return {"__unsupported__": "nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
        if isinstance(value, (np.integer, np.floating, np.bool_)):
            return encode(np.asarray(value), depth + 1)
        return value if not isinstance(value, float) or np.isfinite(value) else repr(value)
    module = type(value).__module__
    if module.startswith(("tensorflow", "keras")) and hasattr(value, "numpy"):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        return _encode_array(value, depth)
    if module.startswith("pandas") and type(value).__name__ == "DataFrame":
        return {"__dataframe__": {"columns": [str(c) for c in value.columns],
                                  "rows": [encode(list(row), depth + 1)
                                           for row in value.itertuples(index=False)]}}
    if isinstance(value, (list, tuple)):
        return [encode(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    return {"__unsupported__": type(value).__name__}


def _encode_array(array: np.ndarray, depth: int):
    if array.dtype.kind in NUMERIC_KINDS:
        raw = array.copy(order="C")
        return {"__ndarray__": base64.b64encode(zlib.compress(raw.tobytes())).decode(),
                "dtype": raw.dtype.str, "shape": list(raw.shape)}
    if array.dtype.kind in "US":
        return {"__strings__": array.astype(str).tolist(), "shape": list(array.shape)}
    return {"__objects__": [encode(item, depth + 1) for item in array.ravel().tolist()],
            "shape": list(array.shape)}


class UnsupportedValue:
    """What decoding gives for a result the encoder could not keep."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<a {self.type_name} object>"


#: Bytes one decoded value may hold in arrays, all of them together (``MAX_ARRAY_BYTES``
#: bounds one array): a few MB of JSON must not become gigabytes in the trusted scorer, as
#: 57 zlib-compressed 64 MiB arrays or one long string among a million empty ones would.
#: The course's results are a few kB.
MAX_DECODED_BYTES = MAX_ARRAY_BYTES


class _Budget:
    """What is left of ``MAX_DECODED_BYTES`` while one value is decoded."""

    def __init__(self):
        self.left = MAX_DECODED_BYTES

    def spend(self, size: int, what: str):
        if size > self.left:
            raise ValueError(f"{what} would take {size:,} bytes; a decoded result may hold "
                             f"{MAX_DECODED_BYTES:,}")
        self.left -= size


def decode(value, budget=None):
    """Plain data back from :func:`encode`'s JSON form (within ``MAX_DECODED_BYTES``)."""
    budget = budget or _Budget()
    if isinstance(value, list):
        return [decode(item, budget) for item in value]
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        return _decode_array(value, budget)
    if "__strings__" in value:
        strings = _leaves(value["__strings__"])
        if not all(isinstance(s, str) for s in strings):
            raise ValueError("an encoded string array should hold strings")
        budget.spend(len(strings) * max(map(len, strings), default=1) * 4, "a string array")
        return np.array(value["__strings__"], dtype=str).reshape(value["shape"])
    if "__objects__" in value:
        budget.spend(8 * len(value["__objects__"]), "an object array")
        items = [decode(item, budget) for item in value["__objects__"]]
        array = np.empty(len(items), dtype=object)
        array[:] = items if items else []
        return array.reshape(value["shape"])
    if "__dataframe__" in value:
        import pandas as pd
        frame = value["__dataframe__"]
        return pd.DataFrame([decode(row, budget) for row in frame["rows"]],
                            columns=frame["columns"])
    if "__dict__" in value:
        pairs = [decode(pair, budget) for pair in value["__dict__"]]
        return {_hashable(k): v for k, v in pairs}
    if "__unsupported__" in value:
        return UnsupportedValue(str(value["__unsupported__"]))
    raise ValueError(f"malformed value: {sorted(value)[:5]}")


def _leaves(value) -> list:
    """The items of nested lists, without recursion (JSON nesting is bounded, not small)."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            found.append(item)
    return found


def _hashable(key):
    return key if isinstance(key, (str, int, float, bool, type(None))) else repr(key)


def _decode_array(value, budget):
    dtype = np.dtype(str(value["dtype"]))
    if dtype.kind not in NUMERIC_KINDS:
        raise ValueError(f"an encoded array may not have dtype {dtype}")
    shape = tuple(int(n) for n in value["shape"])
    if any(n < 0 for n in shape):
        raise ValueError("an encoded array's shape has a negative length")
    size = math.prod(shape) * dtype.itemsize  # exact: no int64 product to wrap around
    if size > MAX_ARRAY_BYTES:
        raise ValueError(f"an encoded array's size, {size:,} bytes, is over {MAX_ARRAY_BYTES:,}")
    budget.spend(size, "an array")  # before a byte is inflated
    raw = zlib.decompressobj().decompress(base64.b64decode(value["__ndarray__"]), size + 1)
    if len(raw) != size:
        raise ValueError("an encoded array's size does not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return array.item() if array.ndim == 0 else array


def roundtrip(value):
    """What the scorer would see of ``value``: lets the otter path check the same thing."""
    return decode(encode(value))
