"""The layers the grader rebuilds, and what each may say about itself.

One entry per Keras layer class the five assignments use, or a student could
reasonably use instead: its config keys, each with the check its value must
pass (``specvalues``). A key not listed is refused, and so is a class not
listed. To accept another layer, add it here with the keys Keras writes for it
(``layer.get_config()``) and, if it has weights, its parameter count in
``modelspec._params``; ``tests/test_modelspec.py`` checks that honest models
rebuild exactly.
"""
from dataclasses import dataclass

from autograder.engine.specvalues import (activation, boolean, choice, code, constraint, dtype, fail,
                                          initializer, integer, ints, name, none_only,
                                          nullable, number, regularizer, shape, show, SEED)

MAX_UNITS = 4096  # Dense units, RNN units, conv filters
MAX_KERNEL = 32

COMMON = {"name": name, "trainable": boolean, "dtype": dtype}
WEIGHTS = {"kernel_initializer": initializer, "bias_initializer": initializer,
           "kernel_regularizer": regularizer, "bias_regularizer": regularizer,
           "activity_regularizer": regularizer, "kernel_constraint": constraint,
           "bias_constraint": constraint}
UNITS = integer(1, MAX_UNITS)
RATE = number(0, 0.99)
FORMAT = choice("channels_last")
PADDING = choice("valid", "same")


def conv(rank):
    return {"filters": UNITS, "kernel_size": ints(rank, 1, MAX_KERNEL),
            "strides": ints(rank, 1, MAX_KERNEL), "padding": PADDING, "data_format": FORMAT,
            "dilation_rate": ints(rank, 1, 8), "groups": integer(1, 64),
            "activation": activation, "use_bias": boolean, **WEIGHTS}


def pooling(rank):
    return {"pool_size": ints(rank, 1, 64), "strides": nullable(ints(rank, 1, 64)),
            "padding": PADDING, "data_format": FORMAT}


def padding2d(value, where):
    """ZeroPadding2D's padding: n, (rows, cols) or ((top, bottom), (left, right))."""
    side = integer(0, 64)
    if isinstance(value, int) and not isinstance(value, bool):
        return ((side(value, where),) * 2,) * 2
    if isinstance(value, (list, tuple)) and len(value) == 2:
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return tuple((side(v, where),) * 2 for v in value)
        if all(isinstance(v, (list, tuple)) and len(v) == 2 for v in value):
            return tuple(tuple(side(x, where) for x in v) for v in value)
    fail(where, f"should be n, (rows, cols) or ((top, bottom), (left, right)), found {show(value)}",
         f"应为 `n`、`(rows, cols)` 或 `((top, bottom), (left, right))`，实际为 {code(show(value))}")


RNN = {"units": UNITS, "activation": activation, "recurrent_activation": activation,
       "use_bias": boolean, **WEIGHTS, "recurrent_initializer": initializer,
       "recurrent_regularizer": regularizer, "recurrent_constraint": constraint,
       "dropout": RATE, "recurrent_dropout": RATE, "return_sequences": boolean,
       "return_state": choice(False), "go_backwards": boolean, "stateful": choice(False),
       "unroll": boolean, "zero_output_for_mask": boolean, "seed": SEED,
       "unit_forget_bias": boolean, "reset_after": boolean, "use_cudnn": choice("auto", False)}
RNNS = ("LSTM", "GRU", "SimpleRNN")


def wrapped_rnn(value, where):
    """The RNN a Bidirectional wraps: the one nested layer the grader accepts."""
    if not isinstance(value, dict) or value.get("class_name") not in RNNS:
        found = value.get("class_name") if isinstance(value, dict) else value
        fail(where, f"Bidirectional should wrap an LSTM, GRU or SimpleRNN layer, "
                     f"found {show(found)}",
             f"Bidirectional 应包裹一个 LSTM、GRU 或 SimpleRNN 层，实际为 {code(show(found))}")
    from autograder.engine.modelspec import read_layer  # the same reading, one level down
    return read_layer(value, where, nested=True)


@dataclass(frozen=True)
class LayerKind:
    """What the grader accepts of one Keras layer class: its config keys and their values."""

    keys: dict
    required: tuple = ()
    inputs: int = 1  # how many input tensors (Add and Concatenate take 2 or more: 0)


LAYERS = {
    "InputLayer": LayerKind({"batch_shape": lambda v, w: shape(v, w, batch=True),
                             "dtype": dtype, "sparse": choice(False), "ragged": choice(False),
                             "name": name, "optional": choice(False)}, ("batch_shape",), 0),
    "Dense": LayerKind({"units": UNITS, "activation": activation, "use_bias": boolean,
                        **WEIGHTS, "quantization_config": none_only, "lora_rank": none_only,
                        "lora_alpha": none_only}, ("units",)),
    "Conv1D": LayerKind(conv(1), ("filters", "kernel_size")),
    "Conv2D": LayerKind(conv(2), ("filters", "kernel_size")),
    "ZeroPadding2D": LayerKind({"padding": padding2d, "data_format": FORMAT}),
    "BatchNormalization": LayerKind({
        "axis": integer(-4, 4), "momentum": number(0, 1), "epsilon": number(1e-12, 1),
        "center": boolean, "scale": boolean, "beta_initializer": initializer,
        "gamma_initializer": initializer, "moving_mean_initializer": initializer,
        "moving_variance_initializer": initializer, "beta_regularizer": regularizer,
        "gamma_regularizer": regularizer, "beta_constraint": constraint,
        "gamma_constraint": constraint, "synchronized": choice(False),
        "renorm": choice(False), "renorm_clipping": none_only,
        "renorm_momentum": number(0, 1)}),
    "ReLU": LayerKind({"max_value": nullable(number(0, 1e6)), "negative_slope": number(0, 1),
                       "threshold": number(-1e6, 1e6)}),
    "LeakyReLU": LayerKind({"negative_slope": number(0, 1), "alpha": number(0, 1)}),
    "Activation": LayerKind({"activation": activation}, ("activation",)),
    "MaxPooling1D": LayerKind(pooling(1)),
    "MaxPooling2D": LayerKind(pooling(2)),
    "AveragePooling1D": LayerKind(pooling(1)),
    "AveragePooling2D": LayerKind(pooling(2)),
    "GlobalAveragePooling1D": LayerKind({"data_format": FORMAT, "keepdims": boolean}),
    "GlobalAveragePooling2D": LayerKind({"data_format": FORMAT, "keepdims": boolean}),
    "GlobalMaxPooling1D": LayerKind({"data_format": FORMAT, "keepdims": boolean}),
    "GlobalMaxPooling2D": LayerKind({"data_format": FORMAT, "keepdims": boolean}),
    "Flatten": LayerKind({"data_format": FORMAT}),
    "Dropout": LayerKind({"rate": RATE, "seed": SEED,
                          "noise_shape": nullable(lambda v, w: shape(v, w, batch=True))},
                         ("rate",)),
    "Reshape": LayerKind({"target_shape": shape}, ("target_shape",)),
    "Rescaling": LayerKind({"scale": number(-1e6, 1e6), "offset": number(-1e6, 1e6)},
                           ("scale",)),
    "LSTM": LayerKind({k: v for k, v in RNN.items() if k != "reset_after"}, ("units",)),
    "GRU": LayerKind({k: v for k, v in RNN.items() if k != "unit_forget_bias"}, ("units",)),
    "SimpleRNN": LayerKind({k: v for k, v in RNN.items()
                            if k not in ("unit_forget_bias", "reset_after", "recurrent_activation")},
                           ("units",)),
    "Bidirectional": LayerKind({"layer": wrapped_rnn, "backward_layer": nullable(wrapped_rnn),
                                "merge_mode": nullable(choice("concat", "sum", "mul", "ave")),
                                "weights": none_only}, ("layer",)),
    "Add": LayerKind({}, inputs=0),
    "Concatenate": LayerKind({"axis": integer(-6, 6)}, inputs=0),
}
#: Other names Keras writes for the same classes.
ALIASES = {"MaxPool1D": "MaxPooling1D", "MaxPool2D": "MaxPooling2D",
           "AvgPool1D": "AveragePooling1D", "AvgPool2D": "AveragePooling2D"}
ENTRY_KEYS = {"module", "class_name", "config", "registered_name", "build_config", "name",
              "inbound_nodes"}
