"""Process-wide settings a warm scorer keeps identical for every submission.

A warm scorer grades many submissions in one process, so anything global that
one submission's grading could change would leak into the next: Keras keeps
``keras.config`` settings (epsilon, floatx, image data format, dtype policy,
the maximum epochs and steps per epoch, safe mode) that ``clear_session()``
does not reset, and TensorFlow, NumPy and Python keep their own. One of them
changed (``set_max_steps_per_epoch(1)``, say) would make a later student's
correct model fail its accuracy test, or poison the training result that every
identical model reuses.

No student data can reach these settings any more (the scorer builds models
from a checked spec, ``modelspec``), but the scorer does not rely on that
alone: :func:`snapshot` records them when the scorer starts, :func:`restore`
puts them back before every submission, and a submission after which
:func:`snapshot` differs is treated as tainted: its new training results are
not kept and the process is replaced.
"""
import os
import sys

#: Environment variables that steer TensorFlow, Keras and the grader.
WATCHED_ENV = ("TF_", "KERAS_", "OMP_", "KIT_", "CUDA_", "PYTHONHASHSEED", "MPLBACKEND")


def _keras_state() -> dict:
    import keras
    from keras.src.backend.common import global_state
    from keras.src.saving import serialization_lib

    return {
        "floatx": keras.config.floatx(),
        "epsilon": keras.config.epsilon(),
        "image_data_format": keras.config.image_data_format(),
        "dtype_policy": keras.config.dtype_policy().name,
        "max_epochs": keras.config.max_epochs(),
        "max_steps_per_epoch": keras.config.max_steps_per_epoch(),
        "interactive_logging": keras.config.is_interactive_logging_enabled(),
        "traceback_filtering": keras.config.is_traceback_filtering_enabled(),
        "flash_attention": keras.config.is_flash_attention_enabled(),
        "safe_mode": serialization_lib.in_safe_mode(),
        "safe_mode_global": global_state.get_global_attribute("safe_mode_saving"),
    }


def _tensorflow_state() -> dict:
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config  # not exported in 2.21

    return {
        "run_eagerly": tf.config.functions_run_eagerly(),
        "jit": tf.config.optimizer.get_jit(),
        "graph_options": sorted(tf.config.optimizer.get_experimental_options().items()),
        "op_determinism": tf_config.is_op_determinism_enabled(),
        "soft_placement": tf.config.get_soft_device_placement(),
        "intra_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_threads": tf.config.threading.get_inter_op_parallelism_threads(),
    }


def snapshot() -> dict:
    """Every watched setting, as plain values that compare with ``==``."""
    import numpy as np

    return {
        "keras": _keras_state(),
        "tensorflow": _tensorflow_state(),
        "numpy_errors": sorted(np.geterr().items()),
        "numpy_print": sorted(np.get_printoptions().items()),
        "recursion_limit": sys.getrecursionlimit(),
        "cwd": os.getcwd(),
        "sys_path": list(sys.path),
        "env": sorted((k, v) for k, v in os.environ.items() if k.startswith(WATCHED_ENV)),
    }


def restore(saved: dict):
    """Put every watched setting back to ``saved`` (from :func:`snapshot`)."""
    import keras
    import numpy as np
    import tensorflow as tf
    from keras.src.backend.common import global_state
    from tensorflow.python.framework import config as tf_config

    k = saved["keras"]
    keras.config.set_floatx(k["floatx"])
    keras.config.set_epsilon(k["epsilon"])
    keras.config.set_image_data_format(k["image_data_format"])
    keras.config.set_dtype_policy(k["dtype_policy"])
    keras.config.set_max_epochs(k["max_epochs"])
    keras.config.set_max_steps_per_epoch(k["max_steps_per_epoch"])
    (keras.config.enable_interactive_logging if k["interactive_logging"]
     else keras.config.disable_interactive_logging)()
    (keras.config.enable_traceback_filtering if k["traceback_filtering"]
     else keras.config.disable_traceback_filtering)()
    global_state.set_global_attribute("flash_attention", k["flash_attention"])
    global_state.set_global_attribute("safe_mode_saving", k["safe_mode_global"])

    t = saved["tensorflow"]
    tf.config.run_functions_eagerly(t["run_eagerly"])
    tf.config.optimizer.set_jit(t["jit"] or False)
    from tensorflow.python.eager import context
    options = context.context()._optimizer_experimental_options  # set_ only adds: clear it
    options.clear()
    options.update(dict(t["graph_options"]))
    context.context()._thread_local_data.function_call_options = None
    if t["op_determinism"]:
        tf.config.experimental.enable_op_determinism()
    else:
        tf_config.disable_op_determinism()
    tf.config.set_soft_device_placement(t["soft_placement"])
    # thread counts cannot change once TensorFlow has run an op: snapshot() reports them

    np.seterr(**dict(saved["numpy_errors"]))
    np.set_printoptions(**dict(saved["numpy_print"]))
    sys.setrecursionlimit(saved["recursion_limit"])
    os.chdir(saved["cwd"])
    sys.path[:] = saved["sys_path"]
    for key in [k for k in os.environ if k.startswith(WATCHED_ENV)]:
        os.environ.pop(key)
    os.environ.update(dict(saved["env"]))


def differences(before: dict, after: dict) -> list[str]:
    """The names of the settings that differ between two snapshots."""
    found = []
    for key in before:
        if isinstance(before[key], dict):
            found += [f"{key}.{k}" for k in before[key] if before[key][k] != after[key].get(k)]
        elif before[key] != after[key]:
            found.append(key)
    return found
