"""A warm scorer's process-wide settings: each one changed is noticed and put back, and a
process poisoned in every way grades the next submission exactly as a fresh one does."""
import importlib
import json
import os
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.framework import config as tf_config

from autograder import assignments
from autograder.build import bundle
from autograder.engine import pristine, scorer
from solutions import getting_started
from tests.conftest import REPO

#: One way to change each watched setting, as a submission's grading might have.
POISONS = {
    "keras.floatx": lambda: keras.config.set_floatx("float16"),
    "keras.epsilon": lambda: keras.config.set_epsilon(1.0),
    "keras.image_data_format": lambda: keras.config.set_image_data_format("channels_first"),
    "keras.dtype_policy": lambda: keras.config.set_dtype_policy("mixed_float16"),
    "keras.max_epochs": lambda: keras.config.set_max_epochs(1),
    "keras.max_steps_per_epoch": lambda: keras.config.set_max_steps_per_epoch(1),
    "keras.interactive_logging": keras.config.disable_interactive_logging,
    "keras.traceback_filtering": keras.config.disable_traceback_filtering,
    "keras.safe_mode_global": keras.config.enable_unsafe_deserialization,
    "keras.flash_attention": keras.config.disable_flash_attention,
    "tensorflow.run_eagerly": lambda: tf.config.run_functions_eagerly(True),
    "tensorflow.jit": lambda: tf.config.optimizer.set_jit(True),
    "tensorflow.graph_options": lambda: tf.config.optimizer.set_experimental_options(
        {"constant_folding": False}),
    "tensorflow.op_determinism": tf_config.disable_op_determinism,
    "tensorflow.soft_placement": lambda: tf.config.set_soft_device_placement(False),
    "numpy_errors": lambda: np.seterr(all="raise"),
    "numpy_print": lambda: np.set_printoptions(precision=2),
    "recursion_limit": lambda: sys.setrecursionlimit(12345),
    "cwd": lambda: os.chdir("/"),
    "sys_path": lambda: sys.path.insert(0, "/tmp/planted"),
    "env": lambda: os.environ.__setitem__("TF_PLANTED", "1"),
}


@pytest.fixture
def start():
    tf.config.experimental.enable_op_determinism()  # as the scorer does before its snapshot
    saved = pristine.snapshot()
    yield saved
    pristine.restore(saved)


@pytest.mark.parametrize("setting", list(POISONS))
def test_each_setting_changed_is_noticed_and_put_back(start, setting):
    POISONS[setting]()
    assert setting in pristine.differences(start, pristine.snapshot())
    pristine.restore(start)
    assert pristine.differences(start, pristine.snapshot()) == []


@pytest.mark.slow
def test_a_poisoned_process_trains_the_next_model_as_a_fresh_one(start):
    """IMDB's hidden accuracy test, in this process: the same value after every setting was
    changed and put back, and a different one when they are left changed (so the test can
    fail)."""
    sys.path.insert(0, str(REPO / "autograder" / "engine"))  # gradelib's kit_codec
    gradelib = importlib.import_module("gradelib")
    artifact = {"model": getting_started.build_imdb_model().to_json()}
    builder = scorer.recorded_builder("build_imdb_model", [([], json.loads(json.dumps(artifact)))])
    with bundle.staged_bundle(assignments.get("getting_started")) as staged:
        def accuracy():
            return gradelib.trained_accuracy(builder, "imdb", folder=staged)[0]
        fresh = accuracy()
        for poison in POISONS.values():
            poison()
        pristine.restore(start)
        assert accuracy() == fresh
        keras.config.set_max_steps_per_epoch(1)  # left changed: the grade would differ
        assert accuracy() != fresh
    if str(REPO / "autograder" / "engine") in sys.path:  # restore() may have dropped it
        sys.path.remove(str(REPO / "autograder" / "engine"))


def test_a_warm_scorer_freezes_only_its_start_up_and_still_frees_a_submissions_cycles():
    """Issue 25: ``serve`` freezes its start-up heap, so that each submission's
    ``clear_session()`` collection skips TensorFlow's objects; what a submission leaves
    in reference cycles is still freed by that collection (in a fresh process: a freeze
    would outlive this test)."""
    import subprocess

    program = (
        "import gc, json, weakref\n"
        "from autograder.engine import scorer\n"
        "scorer._freeze_warm_heap()\n"
        "frozen = gc.get_freeze_count()\n"
        "class Model: pass\n"
        "model = Model(); model.cycle = model; alive = weakref.ref(model); del model\n"
        "young = len(gc.get_objects())\n"
        "gc.collect()\n"
        "print(json.dumps({'frozen': frozen, 'young': young, 'freed': alive() is None}))\n")
    result = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["frozen"] > 50_000  # otter and everything it imports: out of every collection
    assert seen["young"] < seen["frozen"] / 10  # a collection walks only what came after
    assert seen["freed"]  # a submission's cycle is still collected
