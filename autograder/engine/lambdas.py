"""Trusted stand-ins for a student's ``Lambda`` layers.

A Lambda layer's function is Python bytecode; Keras refuses to load it in safe
mode, and the trusted scorer must never run it. The sandbox instead records
what each Lambda did to a fixed input (``kit_codec``-encoded input and output
arrays). Here that behaviour is matched against a short list of operations
the kit can rebuild from built-in layers:

- adding a last axis of size 1 (``tf.expand_dims(x, axis=-1)``) -> ``Reshape``
- ``x * a + b`` for constants ``a``, ``b`` (``x * 100.0``) -> ``Rescaling``

and ``modelspec`` rebuilds the model with that layer under the Lambda's name,
so its weights, training and output are those of the student's model. Anything
else is reported as a Lambda the grader cannot rebuild. A forged record can
only select one of these trusted layers, with numbers the spec checks: at most
a different answer.
"""
import warnings

import numpy as np

from autograder.engine import kit_codec

LAMBDA = "Lambda"
MAX_VALUES = 100_000  # the sandbox records a few dozen; a forged record may claim millions


def equivalent(name: str, behaviour: dict) -> dict | None:
    """A built-in layer's serialised config doing what the recorded Lambda did, or None."""
    try:  # a forged record may be anything: bad zlib, base64, nesting, sizes
        x = np.asarray(kit_codec.decode(behaviour["input"]), dtype="float64")
        y = np.asarray(kit_codec.decode(behaviour["output"]), dtype="float64")
    except Exception:
        return None
    if x.ndim < 2 or x.size < 2 or x.size > MAX_VALUES or y.size > 2 * MAX_VALUES:
        return None
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return None
    if y.shape == x.shape + (1,) and np.array_equal(y[..., 0], x):
        target = [-1, *x.shape[2:], 1]
        return _layer("Reshape", name, target_shape=target)
    if y.shape == x.shape:
        flat_x, flat_y = x.ravel(), y.ravel()
        try:  # a forged input of one repeated value, or of 1e300s, has no line through it
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # polyfit's RankWarning
                scale, offset = np.polyfit(flat_x, flat_y, 1)
                fits = np.allclose(flat_x * scale + offset, flat_y, rtol=1e-6, atol=1e-6)
        except (np.linalg.LinAlgError, ValueError):
            return None
        if fits and np.isfinite([scale, offset]).all():
            return _layer("Rescaling", name, scale=_tidy(scale), offset=_tidy(offset))
    return None


def _tidy(value: float) -> float:
    """100.00000000001 -> 100.0: the fit of an exact x * 100.0 should rebuild x * 100.0."""
    rounded = float(np.round(value, 6))
    return rounded if np.isclose(rounded, value, rtol=1e-9, atol=1e-9) else float(value)


def _layer(class_name: str, name: str, **config) -> dict:
    return {"module": "keras.layers", "class_name": class_name, "registered_name": None,
            "config": {"name": name, "trainable": True, "dtype": "float32", **config}}
