"""What one training step of an accepted model costs, estimated from its spec before training.

The parameter cap (``modelspec.MAX_PARAMS``) bounds neither computation nor
memory: a Conv2D with 32x32 kernels on 64x64 images has few parameters and
takes minutes per step, a stack of wide Conv1D layers on 10,000 inputs or an
``OrthogonalRegularizer`` on a 110,592-input Dense layer (a 110,592 x 110,592
matrix per step) needs more memory than the scorer has, and TensorFlow then
dies in native code instead of saying why. So each layer's cost per training
step is estimated here from its shapes and the assignment's batch size (the
largest its budgets train with):

- FLOPs: the layer's forward multiply-adds per example (kernels over output
  positions, gates over time steps, a pass over the elements for the rest),
  three times over for the backward pass, times the batch;
- memory: each layer's output kept for the backward pass and its gradient,
  a convolution's unrolled patches, a recurrent layer's gates at every time
  step, weights with their gradients and two optimizer slots, and what each
  regularizer computes (an orthogonal one a square matrix of its weight's side).

An axis of unknown length (a recurrent model's time steps) counts as
``UNKNOWN_AXIS`` steps, longer than any sequence the course trains on. The
estimate errs high; the budget (``MAX_STEP_FLOPS``, ``MAX_STEP_BYTES``) is
two orders of magnitude above every reference and honest alternative of the
five assignments (``tests/test_modelspec.py`` checks the margin), and a model
above it is refused with a sentence, in well under a second.
"""
import math

from autograder.engine.specvalues import SpecError, place, say

MAX_STEP_FLOPS = 500e9  # the costliest honest step: about 9 GFLOP (happyModel, batch 64)
MAX_STEP_BYTES = 3 * 2**30  # of the scorer's 8 GiB; the largest honest step: about 400 MiB
UNKNOWN_AXIS = 300  # time steps assumed where a shape says None (Jena's lookback: 288)
DEFAULT_BATCH = 128  # an assignment without a training budget
FLOAT = 4  # bytes: the grader rebuilds float32 models only
OPTIMIZER_COPIES = 4  # a weight, its gradient and two slots (Adam's moments)
BACKWARD = 3  # a training step's FLOPs per forward FLOP
GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


def batch_size(config: dict) -> int:
    """The largest batch the assignment's training budgets use (``config.json``)."""
    found = []

    def collect(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "batch_size" and isinstance(item, int) and not isinstance(item, bool):
                    found.append(item)
                else:
                    collect(item)
    collect(config.get("training", {}))
    return max(found, default=DEFAULT_BATCH)


def _size(shape) -> int:
    """Elements of one example of ``shape`` (batch axis left out, unknown axes assumed)."""
    return math.prod(UNKNOWN_AXIS if d is None else d for d in shape[1:])


def _weights(layer, inputs) -> dict:
    """The weight shapes of ``layer`` by setting name (the key its regularizer is under)."""
    config, last = layer.config, inputs[0][-1] or UNKNOWN_AXIS
    cls = layer.class_name
    if cls == "Dense":
        return {"kernel": (last, config["units"]), "bias": (config["units"],)}
    if cls in ("Conv1D", "Conv2D"):
        kernel = (*config["kernel_size"], last // config.get("groups", 1), config["filters"])
        return {"kernel": kernel, "bias": (config["filters"],)}
    if cls in GATES:
        width = GATES[cls] * config["units"]
        return {"kernel": (last, width), "recurrent": (config["units"], width),
                "bias": (width,)}
    if cls == "BatchNormalization":
        channels = inputs[0][config.get("axis", -1)] or UNKNOWN_AXIS
        return {"gamma": (channels,), "beta": (channels,)}
    return {}


def _regularizers(layer, inputs, out, where) -> tuple[float, float]:
    """(FLOPs, bytes) per step of ``layer``'s regularizers; an orthogonal one on a weight
    that is not a matrix is refused (Keras would fail on it in the middle of training)."""
    flops = memory = 0.0
    weights = _weights(layer, inputs)
    for key, value in layer.config.items():
        if not key.endswith("_regularizer") or value is None:
            continue
        target = key.removesuffix("_regularizer")
        shape = (out[-1] or UNKNOWN_AXIS,) if target == "activity" else weights.get(target)
        if shape is None:
            continue
        if value["class_name"] != "OrthogonalRegularizer":
            flops, memory = flops + 3 * math.prod(shape), memory + FLOAT * math.prod(shape)
            continue
        if len(shape) != 2 or target == "activity":
            raise SpecError(say(f"{where}, {key}: an OrthogonalRegularizer applies to a weight "
                                f"matrix (a Dense or recurrent layer's kernel), not here",
                                f"{place(f'{where}, {key}')}：OrthogonalRegularizer 只用于权重矩阵"
                                f"（Dense 层或循环层的 `kernel`），不能用在这里"))
        rows, columns = shape
        side, other = (rows, columns) if value["config"].get("mode", "rows") == "rows" \
            else (columns, rows)
        flops += 2 * BACKWARD * side * side * other
        memory += 3 * FLOAT * side * side  # the product, its gradient, the identity it meets
    return flops, memory


def layer_cost(layer, inputs: list, out, where: str) -> tuple[float, float]:
    """(forward FLOPs per example, bytes per example kept for the backward pass), and the
    step's fixed regularizer cost added by :func:`step_cost`."""
    cls, config = layer.class_name, layer.config
    out_size = _size(out)
    if cls == "Dense":
        return 2 * _size(inputs[0]) * config["units"], 2 * FLOAT * out_size
    if cls in ("Conv1D", "Conv2D"):
        patch = math.prod(config["kernel_size"]) * ((inputs[0][-1] or UNKNOWN_AXIS)
                                                    // config.get("groups", 1))
        positions = out_size // config["filters"]
        return 2 * patch * out_size, FLOAT * (2 * out_size + patch * positions)
    if cls in GATES:
        steps = inputs[0][1] or UNKNOWN_AXIS
        width = GATES[cls] * config["units"]
        per_step = 2 * width * ((inputs[0][-1] or UNKNOWN_AXIS) + config["units"])
        return steps * per_step, FLOAT * steps * (2 * width + 2 * config["units"])
    if cls == "Bidirectional":
        backward = config.get("backward_layer") or config["layer"]
        costs = [layer_cost(rnn, inputs, out, where) for rnn in (config["layer"], backward)]
        return sum(c[0] for c in costs), sum(c[1] for c in costs) + 2 * FLOAT * out_size
    pool = math.prod(config.get("pool_size", ())) if "pool_size" in config else 1
    in_size = sum(_size(shape) for shape in inputs)
    return 10 * max(in_size, out_size) * pool, 2 * FLOAT * out_size


def step_cost(spec, batch: int) -> tuple[float, float]:
    """(FLOPs, bytes) of one training step of ``spec`` (its shapes checked by
    ``modelspec.parse``) on ``batch`` examples, refusing what cannot be trained at all."""
    flops = memory = 0.0
    fixed_flops = fixed_memory = 0.0
    for index, layer in enumerate(spec.layers):
        where = _where(spec, index)
        out = spec.shapes[layer.name]
        inputs = spec.inputs_of(index)
        if layer.class_name == "InputLayer":
            memory += batch * FLOAT * _size(out)
            continue
        forward, kept = layer_cost(layer, inputs, out, where)
        flops, memory = flops + BACKWARD * forward * batch, memory + kept * batch
        for regularized in _with_inner(layer):
            extra_flops, extra_memory = _regularizers(regularized, inputs, out, where)
            fixed_flops, fixed_memory = fixed_flops + extra_flops, fixed_memory + extra_memory
    weights = OPTIMIZER_COPIES * FLOAT * spec.params
    return flops + fixed_flops, memory + fixed_memory + weights


def _with_inner(layer) -> list:
    """The layer, or the RNNs a Bidirectional wraps (their settings are theirs)."""
    if layer.class_name != "Bidirectional":
        return [layer]
    return [layer.config["layer"], layer.config.get("backward_layer") or layer.config["layer"]]


def _where(spec, index) -> str:
    from autograder.engine.modelspec import _where as where
    return where(spec, index)


def check(spec, batch: int):
    """Refuse ``spec`` with a sentence if one training step needs more than the budget."""
    flops, memory = step_cost(spec, batch)
    if flops > MAX_STEP_FLOPS:
        raise SpecError(say(
            f"one training step of this model on {batch} examples takes about "
            f"{flops / 1e9:,.0f} billion operations; the grader trains models of up "
            f"to {MAX_STEP_FLOPS / 1e9:,.0f} billion per step (the notebook's model "
            f"takes far less): use fewer or smaller filters, kernels or units",
            f"这个模型在 {batch} 个样本上训练一步大约需要 {flops / 1e9:,.0f} 十亿次运算；评分程序"
            f"训练的模型每步最多 {MAX_STEP_FLOPS / 1e9:,.0f} 十亿次（notebook 中的模型远少于此）："
            f"请使用更少或更小的卷积核、过滤器或单元"))
    if memory > MAX_STEP_BYTES:
        raise SpecError(say(
            f"one training step of this model on {batch} examples needs about "
            f"{memory / 2**30:,.1f} GiB of memory; the grader trains models of up to "
            f"{MAX_STEP_BYTES / 2**30:,.0f} GiB per step (the notebook's model needs far "
            f"less): use smaller layers, fewer time steps or no orthogonal "
            f"regularizer on a large weight",
            f"这个模型在 {batch} 个样本上训练一步大约需要 {memory / 2**30:,.1f} GiB 内存；评分程序"
            f"训练的模型每步最多 {MAX_STEP_BYTES / 2**30:,.0f} GiB（notebook 中的模型远少于此）："
            f"请使用更小的层、更少的时间步，或不要在大的权重上使用正交正则化器"))
    return flops, memory
