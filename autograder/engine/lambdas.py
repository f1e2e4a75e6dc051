"""Trusted stand-ins for a student's ``Lambda`` layers.

A Lambda layer's function is Python bytecode; Keras refuses to load it in safe
mode, and the trusted scorer must never run it. The sandbox instead records
what each Lambda did to a fixed input (``kit_codec``-encoded input and output
arrays). Here that behaviour is matched against a short list of operations
the kit can rebuild from built-in layers:

- adding a last axis of size 1 (``tf.expand_dims(x, axis=-1)``) -> ``Reshape``
- ``x * a + b`` for constants ``a``, ``b`` (``x * 100.0``) -> ``Rescaling``

and the model is rebuilt with those layers under the Lambda's name, so its
weights, training and output are those of the student's model. Anything else
is reported as a Lambda the grader cannot rebuild safely. A forged record can
only select one of these trusted layers: at most a different answer.
"""
import numpy as np

from autograder.engine import kit_codec

LAMBDA = "Lambda"


def equivalent(name: str, behaviour: dict) -> dict | None:
    """A built-in layer's serialised config doing what the recorded Lambda did, or None."""
    try:
        x = np.asarray(kit_codec.decode(behaviour["input"]), dtype="float64")
        y = np.asarray(kit_codec.decode(behaviour["output"]), dtype="float64")
    except (KeyError, TypeError, ValueError):
        return None
    if x.ndim < 2 or x.size < 2:
        return None
    if y.shape == x.shape + (1,) and np.array_equal(y[..., 0], x):
        target = [-1, *x.shape[2:], 1]
        return _layer("Reshape", name, target_shape=target)
    if y.shape == x.shape:
        flat_x, flat_y = x.ravel(), y.ravel()
        scale, offset = np.polyfit(flat_x, flat_y, 1)
        if np.allclose(flat_x * scale + offset, flat_y, rtol=1e-6, atol=1e-6):
            return _layer("Rescaling", name, scale=_tidy(scale), offset=_tidy(offset))
    return None


def _tidy(value: float) -> float:
    """100.00000000001 -> 100.0: the fit of an exact x * 100.0 should rebuild x * 100.0."""
    rounded = float(np.round(value, 6))
    return rounded if np.isclose(rounded, value, rtol=1e-9, atol=1e-9) else float(value)


def _layer(class_name: str, name: str, **config) -> dict:
    return {"module": "keras.layers", "class_name": class_name, "registered_name": None,
            "config": {"name": name, "trainable": True, "dtype": "float32", **config}}


def replace_lambdas(model_json: dict, behaviours: dict) -> tuple[dict, list[str], list[str]]:
    """The model's JSON with every top-level Lambda replaced where a trusted equivalent exists.

    Returns (json, names replaced, names that could not be replaced).
    """
    replaced, refused = [], []
    for entry in model_json.get("config", {}).get("layers", []):
        if entry.get("class_name") != LAMBDA:
            continue
        name = entry.get("config", {}).get("name", "?")
        substitute = equivalent(name, behaviours.get(name, {}))
        if substitute is None:
            refused.append(name)
            continue
        keep = {k: v for k, v in entry.items() if k not in ("class_name", "config", "module",
                                                            "registered_name", "build_config")}
        entry.clear()
        entry.update({**substitute, **keep})
        replaced.append(name)
    return model_json, replaced, refused
