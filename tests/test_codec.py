"""Values crossing from the sandbox to the scorer: kept exactly, decoded only as plain data."""
import base64
import json
import zlib

import numpy as np
import pandas as pd
import pytest

from autograder.engine import kit_codec as codec


def through_json(value):
    return codec.decode(json.loads(json.dumps(codec.encode(value))))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
def test_arrays_keep_values_shape_and_dtype(dtype):
    array = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
    back = through_json(array)
    assert back.dtype == array.dtype and back.shape == array.shape
    assert np.array_equal(back, array)


def test_scalars_lists_dicts_and_frames():
    assert through_json(np.int64(4)) == 4 and isinstance(through_json(np.int64(4)), int)
    assert through_json([1, "a", None, 2.5]) == [1, "a", None, 2.5]
    assert through_json({"a": [1, 2], 3: "x"}) == {"a": [1, 2], 3: "x"}
    frame = pd.DataFrame({"name": ["a", "b"], "best_epoch": np.array([2, 1]),
                          "val_loss": [0.4, 0.3]})
    back = through_json(frame)
    assert list(back.columns) == ["name", "best_epoch", "val_loss"]
    assert back.to_dict("records") == frame.to_dict("records")


def test_strange_objects_are_described_not_kept():
    class Sneaky:
        def __eq__(self, other):
            return True
    back = through_json(Sneaky())
    assert isinstance(back, codec.UnsupportedValue) and back != "anything"
    assert "Sneaky" in repr(back)


def test_decoding_refuses_object_dtypes_and_bad_sizes():
    raw = base64.b64encode(zlib.compress(b"\0" * 8)).decode()
    with pytest.raises(ValueError, match="dtype"):
        codec.decode({"__ndarray__": raw, "dtype": "|O", "shape": [1]})
    with pytest.raises(ValueError, match="size"):
        codec.decode({"__ndarray__": raw, "dtype": "<f8", "shape": [3]})


def test_inputs_become_what_a_student_expects():
    sequences, labels, history = codec.decode_input([
        {"__sequences__": [[1, 2], [], [3]]},
        {"__ndarray__": [0, 45], "dtype": "int64"},
        {"__history__": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.9]}}])
    assert sequences.dtype == object and sequences.shape == (3,) and sequences[1] == []
    assert labels.dtype == np.int64 and labels.tolist() == [0, 45]
    assert history.history["val_loss"] == [1.1, 0.9] and history.epoch == [0, 1]
    assert codec.decode_input({"the": 1}) == {"the": 1}  # a word index stays a dict


def test_a_few_megabytes_never_decode_into_gigabytes():
    """MAX_ARRAY_BYTES bounded one array, not a result: one long string among a million empty
    ones (4 MB of JSON) decoded into a 5.6 GiB string array in the trusted scorer, and 57
    compressed 64 MiB arrays fit in one 5 MB artifact. Each is refused with a ValueError
    (``gradelib.call_case`` says so) before anything is allocated."""
    strings = {"__strings__": ["x" * 1500] + [""] * 1_000_000, "shape": [1_000_001]}
    assert len(json.dumps(strings)) < 5_000_000
    with pytest.raises(ValueError, match="a decoded result may hold"):
        codec.decode(strings)
    big = {"__ndarray__": base64.b64encode(zlib.compress(bytes(codec.MAX_ARRAY_BYTES), 9)).decode(),
           "dtype": "<f8", "shape": [codec.MAX_ARRAY_BYTES // 8]}
    assert codec.decode(big).nbytes == codec.MAX_ARRAY_BYTES  # one array at the limit is kept
    with pytest.raises(ValueError, match="size|a decoded result may hold"):
        codec.decode([big, big])
    with pytest.raises(ValueError, match="a decoded result may hold"):
        codec.decode({"__objects__": [big, big], "shape": [2]})
    honest = np.array([["a", "bb"], ["ccc", ""]])
    assert np.array_equal(through_json(honest), honest)
