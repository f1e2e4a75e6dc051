"""A student's model read as data into a spec the kit owns, then built by the kit's own code.

Why not ``keras.models.model_from_json`` and ``compile_from_config``? They are
general deserialisers: a config names the classes and functions to call, and
Keras's ``safe_mode`` only refuses a short list of them (a blocklist). Every
other exported Keras function or class can be reached from a crafted config,
for instance as a ``Lambda``'s ``function`` with constants in its inbound node,
or nested in the compile settings; loading a TensorFlow SavedModel that way
runs graph ops that read and write files. The sandbox writes these configs and
a submission controls every byte of them, so the trusted scorer never hands
them to Keras.

Instead :func:`parse` reads the recorded JSON against the kit's allowlists:

- layer classes the five assignments and reasonable alternatives use
  (``layertable.LAYERS``), each with the config keys it may carry and the type
  and range of each value (``specvalues``); activations, initializers,
  regularizers and constraints only by built-in name with numeric arguments;
- a Functional graph whose nodes take only tensors of earlier layers of the
  same model (no constants, no keyword arguments, no shared layers), and no
  nested model but the one RNN a ``Bidirectional`` wraps;
- limits on text size, nesting depth, layer count, units and filters, and
  parameters, all checked before a single weight is allocated (shapes come
  from the layers' own shape arithmetic, parameters from formulas here);
- ``Lambda`` layers rebuilt from their recorded behaviour (``lambdas.py``);
- compile settings by name only (``compilespec``).

:func:`build` then creates every layer by calling the class from the table
with validated keyword arguments. Anything outside the spec raises
:class:`SpecError` with a sentence a student can act on ("layer 4:
`TFSMLayer` is not a layer the grader accepts"), which the scorer turns into
failed tests, never a crash. :meth:`ModelSpec.canonical` is the trusted
description the training cache is keyed on.
"""
import contextlib
import json
import math
import random
import re
from dataclasses import dataclass, field

import numpy as np

from autograder.engine.layertable import ALIASES, COMMON, ENTRY_KEYS, LAYERS, RNNS
from autograder.engine.specvalues import (MAX_DIM, SpecError, class_name, code, fail, name, place,
                                          say, settings, shape, show)

MAX_JSON_CHARS = 1_000_000  # a course model's JSON is 5-20 kB
MAX_DEPTH = 40  # nesting of the JSON; a Bidirectional LSTM's config is 8 deep
MAX_LAYERS = 40  # the course's largest model has 9
MAX_PARAMS = 10_000_000  # the course's largest model has 647,214
LAMBDA = "Lambda"


@dataclass
class LayerSpec:
    """One validated layer: its class, checked settings and the layers it takes input from."""

    class_name: str
    name: str
    config: dict  # validated, normalised settings (no name)
    inbound: list = field(default_factory=list)  # names of earlier layers (Functional)
    shown_as: str = ""  # "Lambda" for a rebuilt Lambda: the summary reports it so

    def canonical(self, positions: dict) -> list:
        """Everything :func:`make_layer` hands to Keras but the name (which computes
        nothing): ``config`` whole, so a setting the builder honours cannot be left out of
        the training cache's key (a frozen layer once shared its trainable twin's key)."""
        config = {"trainable": True, **self.config}  # Keras' default, written or not
        if "layer" in config:  # Bidirectional: its RNNs' own names are not settings
            config = {**config, **{k: config[k].canonical({}) for k in ("layer", "backward_layer")
                                   if isinstance(config.get(k), LayerSpec)}}
        return [self.class_name, _jsonable(config), [positions[n] for n in self.inbound]]


@dataclass
class ModelSpec:
    """A validated model: Sequential (layers in order) or Functional (a graph of them)."""

    kind: str  # "Sequential" | "Functional"
    name: str
    layers: list  # LayerSpec; InputLayer entries included
    outputs: list  # names of the output layers (Functional)
    params: int = 0
    compile: dict | None = None  # {"optimizer": (class, {...}), "loss": ..., "metrics": [...]}
    shapes: dict = field(default_factory=dict)  # layer name -> output shape (batch first)

    def inputs_of(self, index: int) -> list:
        """The shapes of the tensors layer ``index`` takes (its own, for an Input)."""
        layer = self.layers[index]
        if layer.class_name == "InputLayer":
            return [self.shapes[layer.name]]
        return [self.shapes[n] for n in (layer.inbound or [self.layers[index - 1].name])]

    def canonical(self) -> dict:
        """What the model computes, without its names: the training cache's key."""
        positions = {layer.name: index for index, layer in enumerate(self.layers)}
        return {"kind": self.kind, "layers": [layer.canonical(positions) for layer in self.layers],
                "outputs": [positions[n] for n in self.outputs]}


class CountMismatch(SpecError):
    """The kit's parameter formulas and Keras disagree on a built model (a kit bug: the
    fuzz (``autograder.tools.fuzz``) counts these; a student reads a refusal)."""


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


# --- reading -------------------------------------------------------------------

def depth_of(text: str) -> int:
    """How deeply a JSON text nests, in one linear pass (strings skipped), before any parse.

    Student text of up to 5 MB comes here before any limit is armed, so no regular
    expression that backtracks (a string-skipping one was quadratic on ``"`` followed by
    many ``\\"``): numpy marks each byte once. A byte is inside a string when an odd number
    of unescaped quotes precede it; a quote is escaped when an odd run of backslashes
    precedes it, and each run's length comes from the positions where runs start.
    """
    raw = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    if not raw.size:
        return 0
    slash = raw == ord("\\")
    index = np.arange(1, raw.size + 1, dtype=np.int32)
    run_start = np.maximum.accumulate(np.where(slash, 0, index))  # last byte before each run
    odd_run = (index - run_start) % 2 == 1  # an odd run of backslashes ends at this byte
    quote = raw == ord('"')
    quote[1:] &= ~odd_run[:-1]
    inside = np.cumsum(quote, dtype=np.int32) % 2 == 1  # a quote opens (odd) or closes a string
    inside |= quote  # a closing quote itself is not structure either
    steps = ((raw == ord("[")) | (raw == ord("{"))).astype(np.int8) \
        - ((raw == ord("]")) | (raw == ord("}"))).astype(np.int8)
    steps[inside] = 0
    return int(steps.cumsum(dtype=np.int32).max(initial=0))


def load_json(text, what: str):
    """JSON text of bounded size and depth, or SpecError."""
    if not isinstance(text, str):
        raise SpecError(say(f"{what} was not recorded as JSON text",
                            f"{place(what)}没有以 JSON 文本记录"))
    if len(text) > MAX_JSON_CHARS:
        raise SpecError(say(f"{what} is {len(text):,} characters of JSON; the grader reads up "
                            f"to {MAX_JSON_CHARS:,}",
                            f"{place(what)}是 {len(text):,} 个字符的 JSON；评分程序最多读取 "
                            f"{MAX_JSON_CHARS:,} 个"))
    if depth_of(text) > MAX_DEPTH:
        raise SpecError(say(f"{what} nests deeper than {MAX_DEPTH} levels",
                            f"{place(what)}的嵌套超过 {MAX_DEPTH} 层"))
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SpecError(say(f"{what} is not valid JSON ({type(exc).__name__})",
                            f"{place(what)}不是有效的 JSON（{type(exc).__name__}）")) from None


def read_layer(entry, where, *, nested=False, behaviours=None) -> LayerSpec:
    """One serialised layer checked against :data:`LAYERS`."""
    if isinstance(entry, dict) and entry.get("class_name") in ("Sequential", "Functional", "Model"):
        fail(where, f"a nested model ({entry['class_name']}) is not a layer the grader accepts: "
                     f"put its layers directly into the model",
             f"嵌套的模型（{entry['class_name']}）不是评分程序接受的层：请把它的层直接放进模型")
    if not isinstance(entry, dict) or not set(entry) <= ENTRY_KEYS:
        fail(where, "a layer should be a Keras layer config", "层应为 Keras 的层配置")
    cls = class_name(entry)
    cls = ALIASES.get(cls, cls)
    config = entry.get("config")
    if not isinstance(config, dict):
        fail(where, "a layer should carry its settings", "层应带有它的设置")
    label = config.get("name") if isinstance(config.get("name"), str) else "?"
    if cls == LAMBDA and behaviours is not None:
        return _lambda(label, config, behaviours, where)
    if not isinstance(cls, str) or cls not in LAYERS or nested and cls not in RNNS:
        found = show(entry.get("class_name")).strip("'")
        rebuilt = ", ".join(sorted(k for k in LAYERS if k != "InputLayer"))
        lambdas = behaviours is not None
        fail(where, f"`{found}` is not a layer the grader accepts (it rebuilds {rebuilt}"
                    f"{', and Lambdas that add a last axis or scale' if lambdas else ''})",
             f"`{found}` 不是评分程序接受的层（它重建 {code(rebuilt)}"
             f"{'，以及增加最后一个轴或做缩放的 Lambda 层' if lambdas else ''}）")
    kind = LAYERS[cls]
    where = f"{where} ({cls})"
    checked = settings(config, {**COMMON, **kind.keys}, where)
    missing = [key for key in kind.required if key not in checked]
    if missing:
        fail(where, f"the setting {missing[0]!r} is missing", f"缺少设置 {code(repr(missing[0]))}")
    layer_name = checked.pop("name", None) or re.sub(r"\W+", "_", f"{cls} {where}").lower()
    checked.pop("dtype", None)  # always float32
    return LayerSpec(cls, layer_name, checked)


def _lambda(label, config, behaviours, where) -> LayerSpec:
    from autograder.engine import lambdas  # imports kit_codec, as the scorer has it

    layer_name = name(label, where)
    substitute = lambdas.equivalent(layer_name, behaviours.get(layer_name) or {})
    if substitute is None:
        fail(where, f"the grader cannot rebuild the Lambda layer {layer_name!r}: it rebuilds "
                     f"only Lambdas that add a last axis (tf.expand_dims(x, axis=-1)) or scale "
                     f"(x * 100.0); use built-in Keras layers otherwise",
             f"评分程序无法重建 Lambda 层 {code(repr(layer_name))}：它只重建增加最后一个轴"
             f"（`tf.expand_dims(x, axis=-1)`）或做缩放（`x * 100.0`）的 Lambda 层；"
             f"其他情况请使用 Keras 内置的层")
    spec = read_layer(substitute, where)
    spec.shown_as = LAMBDA
    return spec


def _inbound(entry, known: set, where) -> list:
    """The layers a Functional node takes tensors from: earlier layers of this model only."""
    nodes = entry.get("inbound_nodes", [])
    if not isinstance(nodes, list) or len(nodes) > 1:
        fail(where, "a layer may be called once (shared layers are not rebuilt)",
             "一个层只能被调用一次（共享的层不会被重建）")
    if not nodes:
        return []
    node = nodes[0]
    kwargs = node.get("kwargs") if isinstance(node, dict) else None
    if not isinstance(node, dict) or set(node) - {"args", "kwargs"} or not (
            kwargs is None or isinstance(kwargs, dict) and set(kwargs) <= {"mask", "training"}
            and all(value is None for value in kwargs.values())):
        fail(where, "a layer's call may take only the tensors of earlier layers, no other "
                     "arguments", "调用一个层时只能传入前面各层的张量，不能有其他参数")
    args = node.get("args")
    if isinstance(args, list) and len(args) == 1 and isinstance(args[0], list):
        args = args[0]  # Add()([a, b]) records one list of tensors
    if not isinstance(args, list) or not 1 <= len(args) <= 8:
        fail(where, "a layer's call should take one to eight tensors",
             "调用一个层时应传入一到八个张量")
    sources = []
    for arg in args:
        if not (isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__"
                and isinstance(arg.get("config"), dict)):
            fail(where, "a layer's call may take only tensors of earlier layers of the "
                         "same model (no constants)",
                 "调用一个层时只能传入同一模型中前面各层的张量（不能是常量）")
        history = arg["config"].get("keras_history")
        if not (isinstance(history, list) and len(history) == 3
                and isinstance(history[0], str) and history[0] in known
                and history[1:] == [0, 0]):
            fail(where, f"takes a tensor of {show(history)}, which is not an earlier layer "
                         f"of the same model",
                 f"传入了 {code(show(history))} 的张量，它不是同一模型中前面的层")
        sources.append(history[0])
    return sources


def parse(model_json, behaviours=None) -> ModelSpec:
    """The recorded Keras JSON (text) of a model as a validated :class:`ModelSpec`.

    ``behaviours``: what each Lambda did to a fixed input, recorded by the sandbox.
    Raises :class:`SpecError` for anything the grader does not rebuild.
    """
    data = load_json(model_json, "the recorded model")
    behaviours = behaviours if isinstance(behaviours, dict) else {}
    if not isinstance(data, dict) or data.get("class_name") not in ("Sequential", "Functional") \
            or not isinstance(data.get("config"), dict):
        found = data.get("class_name") if isinstance(data, dict) else type(data).__name__
        raise SpecError(say(f"the model should be a keras.Sequential or a keras.Model built "
                            f"from layers, found {show(found)}",
                            f"模型应为由层构成的 `keras.Sequential` 或 `keras.Model`，"
                            f"实际为 {code(show(found))}"))
    kind, config = data["class_name"], data["config"]
    entries = config.get("layers")
    if not isinstance(entries, list) or not entries:
        raise SpecError(say("the model has no layers", "模型没有任何层"))
    if len(entries) > MAX_LAYERS:
        raise SpecError(say(f"the model has {len(entries)} layers; the grader rebuilds models "
                            f"of up to {MAX_LAYERS}",
                            f"模型有 {len(entries)} 层；评分程序最多重建 {MAX_LAYERS} 层的模型"))
    model_name = name(config.get("name", "model"), "the model's name")
    layers, known = [], set()
    sequential = kind == "Sequential"
    shown = 0
    for index, entry in enumerate(entries):
        is_input = isinstance(entry, dict) and entry.get("class_name") == "InputLayer"
        shown += not (sequential and is_input)
        where = f"layer {shown}" if not is_input else "the input"
        spec = read_layer(entry, where, behaviours=behaviours)
        if spec.class_name == "InputLayer" and sequential and index:
            fail(where, "an Input belongs at the start of a Sequential model",
                 "Input 应放在 Sequential 模型的开头")
        if spec.name in known:
            fail(where, f"two layers are named {spec.name!r}", f"有两个层都叫 {code(repr(spec.name))}")
        if not sequential:
            spec.inbound = _inbound(entry, known, where)
            if spec.class_name != "InputLayer" and not spec.inbound:
                fail(where, "the layer is not connected to any earlier layer",
                     "这个层没有连接到前面的任何层")
        _check_arity(spec, 1 if sequential else len(spec.inbound), where)
        layers.append(spec)
        known.add(spec.name)
    if sequential:
        if layers[0].class_name != "InputLayer":
            build_shape = config.get("build_input_shape")
            if build_shape is None:
                raise SpecError(say("the model has no input shape: start it with "
                                    "keras.Input(shape=...) as the notebook shows",
                                    "模型没有输入形状：请像 notebook 中那样以 "
                                    "`keras.Input(shape=...)` 开头"))
            layers.insert(0, LayerSpec("InputLayer", "input_layer",
                                       {"batch_shape": shape(build_shape, "the input shape",
                                                             batch=True)}))
        outputs = [layers[-1].name]
    else:
        outputs = _endpoints(config.get("output_layers"), known, "output")
        inputs = _endpoints(config.get("input_layers"), known, "input")
        by_name = {layer.name: layer for layer in layers}
        if any(by_name[n].class_name != "InputLayer" for n in inputs) or \
                {n for n, l in by_name.items() if l.class_name == "InputLayer"} != set(inputs):
            raise SpecError(say("the model's inputs should be its Input layers",
                                "模型的输入应为它的 Input 层"))
        used = set(outputs)
        for layer in reversed(layers):  # inbound layers come earlier: one pass back
            if layer.name in used:
                used.update(layer.inbound)
        unused = [index for index, layer in enumerate(layers) if layer.name not in used]
        if unused:  # Keras would leave it out of the model, and out of its parameter count
            fail(_where(ModelSpec(kind, model_name, layers, outputs), unused[0]),
                 "its output reaches none of the model's outputs: remove it or connect it",
                 "它的输出没有到达模型的任何输出：请删除它或把它连接上")
    if all(layer.class_name == "InputLayer" for layer in layers):
        raise SpecError(say("the model has no layers besides its input", "模型除了输入以外没有任何层"))
    spec = ModelSpec(kind, model_name, layers, outputs)
    # The shape check makes throw-away layers, and Keras gives each unseeded initializer and
    # dropout a seed drawn from Python's random module when it is made: put the draws back,
    # or the model built next would start from other weights than a model built later.
    state = random.getstate()
    try:
        spec.params = _check_shapes(spec)
    finally:
        random.setstate(state)
    return spec


def _check_arity(spec: LayerSpec, given: int, where: str):
    """Add and Concatenate merge two or more tensors (of a Functional model); every other
    layer takes one."""
    if spec.class_name == "InputLayer":
        return
    if LAYERS[spec.class_name].inputs == 0 and given < 2:
        fail(where, f"{spec.class_name} merges two or more tensors: call it on a list of "
                     f"earlier layers' outputs in a Functional model (keras.Model)",
             f"{code(spec.class_name)} 合并两个或更多张量：请在函数式模型（`keras.Model`）中"
             f"用前面各层输出的列表调用它")
    if LAYERS[spec.class_name].inputs == 1 and given != 1:
        fail(where, f"{spec.class_name} takes one tensor, not {given}",
             f"{code(spec.class_name)} 只接受一个张量，而不是 {given} 个")


def _endpoints(value, known, what) -> list:
    """Keras writes ``[name, 0, 0]`` for one endpoint and a list of those for several."""
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        value = [value]
    if not isinstance(value, list) or not 1 <= len(value) <= 4 or not all(
            isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) and v[0] in known
            and v[1:] == [0, 0]
            for v in value):
        raise SpecError(say(f"the model's {what} layers should be layers of the model",
                            f"模型的{'输出' if what == 'output' else '输入'}层应为模型中的层"))
    return [v[0] for v in value]


# --- shapes and parameters, before anything is allocated --------------------------

def _params(spec: LayerSpec, inputs: list) -> int:
    """Trainable and non-trainable weights of ``spec`` on input shapes ``inputs``."""
    config, last = spec.config, inputs[0][-1]
    bias = 1 if config.get("use_bias", True) else 0
    if last is None and spec.class_name in ("Dense", "Conv1D", "Conv2D", *RNNS, "Bidirectional"):
        raise SpecError(say("the size of the input's last axis must be known",
                            "输入最后一个轴的大小必须是已知的"))
    if spec.class_name == "Dense":
        return last * config["units"] + bias * config["units"]
    if spec.class_name in ("Conv1D", "Conv2D"):
        kernel = math.prod(config["kernel_size"])
        groups = config.get("groups", 1)
        return kernel * (last // groups) * config["filters"] + bias * config["filters"]
    if spec.class_name == "BatchNormalization":
        axis = config.get("axis", -1)
        channels = inputs[0][axis]
        return channels * (2 + config.get("center", True) + config.get("scale", True))
    if spec.class_name in RNNS:
        units = config["units"]
        gates = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}[spec.class_name]
        biases = gates * units * bias * (2 if spec.class_name == "GRU"
                                         and config.get("reset_after", True) else 1)
        return gates * units * (last + units) + biases
    if spec.class_name == "Bidirectional":
        backward = config.get("backward_layer") or config["layer"]
        return _params(config["layer"], inputs) + _params(backward, inputs)
    return 0


def _check_shapes(spec: ModelSpec) -> int:
    """Each layer's output shape by Keras' own shape arithmetic on unbuilt layers, and the
    parameter count by :func:`_params`; refuses what the grader could not allocate."""
    shapes, total = spec.shapes, 0
    for index, layer in enumerate(spec.layers):
        where = _where(spec, index)
        if layer.class_name == "InputLayer":
            shapes[layer.name] = layer.config["batch_shape"]
            continue
        inputs = [shapes[n] for n in (layer.inbound or [spec.layers[index - 1].name])]
        try:
            built = make_layer(layer)
            out = built.compute_output_shape(inputs if len(inputs) > 1 else inputs[0])
        except SpecError:
            raise
        except Exception as exc:
            _wrong_input(where, inputs, exc)
        if not isinstance(out, tuple) or not all(d is None or isinstance(d, int) for d in out):
            fail(where, "gives an output the grader cannot follow",
                 "给出的输出是评分程序无法推算的")
        if any(d is not None and d > 50 * MAX_DIM ** 2 for d in out):
            fail(where, f"gives an output of shape {out}, too large to rebuild",
                 f"给出形状为 {out} 的输出，太大，无法重建")
        shapes[layer.name] = tuple(out)
        try:
            total += _params(layer, inputs)
        except SpecError as exc:
            fail(where, str(exc), str(exc))
        except (IndexError, TypeError, ZeroDivisionError):
            _wrong_input(where, inputs)
        if total > MAX_PARAMS:
            fail(where, f"brings the model to {total:,} parameters; the grader rebuilds models "
                         f"of up to {MAX_PARAMS:,}",
                 f"使模型的参数达到 {total:,} 个；评分程序最多重建 {MAX_PARAMS:,} 个参数的模型")
    return total


def _where(spec: ModelSpec, index: int) -> str:
    skip = spec.kind == "Sequential"
    shown = sum(1 for layer in spec.layers[:index + 1]
                if not (skip and layer.class_name == "InputLayer"))
    return f"layer {shown} ({spec.layers[index].class_name})"


def _shape_text(inputs) -> str:
    return ", ".join(str(tuple(s)) for s in inputs)


def _wrong_input(where, inputs, exc=None):
    """The layer at ``where`` refused its input, with Keras's reason when it gave one."""
    keras_says = _keras_says(exc) if exc is not None else ""
    fail(where, f"cannot take an input of shape {_shape_text(inputs)}{keras_says}",
         f"无法接受形状为 {_shape_text(inputs)} 的输入{keras_says}")


# --- building --------------------------------------------------------------------

def _keras_object(module, value):
    """A Keras initializer, regularizer or constraint from its validated spec."""
    if value is None:
        return None
    return getattr(module, value["class_name"])(**value["config"])


def make_layer(spec: LayerSpec):
    """A new, unbuilt Keras layer of ``spec``'s class with its validated settings."""
    import keras

    kwargs = dict(spec.config)
    for key, value in list(kwargs.items()):
        if key.endswith("_initializer"):
            kwargs[key] = _keras_object(keras.initializers, value)
        elif key.endswith("_regularizer"):
            kwargs[key] = _keras_object(keras.regularizers, value)
        elif key.endswith("_constraint"):
            kwargs[key] = _keras_object(keras.constraints, value)
        elif key in ("layer", "backward_layer") and value is not None:
            kwargs[key] = make_layer(value)
    if spec.class_name == "LeakyReLU" and "alpha" in kwargs:
        kwargs.setdefault("negative_slope", kwargs.pop("alpha"))
    cls = getattr(keras.layers, spec.class_name)
    return cls(name=spec.name, dtype="float32", **kwargs)


def build(spec: ModelSpec):
    """A fresh Keras model of ``spec``, every layer made by :func:`make_layer`."""
    import keras

    first = spec.layers[0]
    if spec.kind == "Sequential":
        model = _sequential(spec, keras)
    else:
        tensors, inputs = {}, []
        for index, layer in enumerate(spec.layers):
            if layer.class_name == "InputLayer":
                tensors[layer.name] = keras.Input(batch_shape=layer.config["batch_shape"],
                                                  name=layer.name)
                inputs.append(tensors[layer.name])
                continue
            given = [tensors[n] for n in layer.inbound]
            with _refusing(spec, index):
                tensors[layer.name] = _marked(make_layer(layer), layer)(
                    given if len(given) > 1 else given[0])
        outputs = [tensors[n] for n in spec.outputs]
        with _refusing(spec, None):
            model = keras.Model(inputs=inputs if len(inputs) > 1 else inputs[0],
                                outputs=outputs if len(outputs) > 1 else outputs[0],
                                name=spec.name)
    if model.count_params() != spec.params:  # the cap was checked on spec.params
        raise CountMismatch(say(f"the grader counts {spec.params:,} parameters in this model and "
                                f"Keras {model.count_params():,}: it cannot be graded safely",
                                f"评分程序算出这个模型有 {spec.params:,} 个参数，Keras 算出 "
                                f"{model.count_params():,} 个：无法安全地评分"))
    if spec.compile:
        from autograder.engine.compilespec import compile_model
        with _refusing(spec, None, "its compile settings"):
            compile_model(model, spec.compile)
    model.kit_spec = spec
    return model


def _sequential(spec: ModelSpec, keras):
    """A Sequential model of ``spec`` built once, with its layers added all at a time.

    Why not layer by layer: Keras rebuilds the whole model at every ``add``, so a model of
    n layers costs n builds (happyModel: 62-78 ms against 42-46 ms, the same weights, as the
    layers create their variables in the same order either way), and the warm scorer builds
    several models per submission. Only when Keras refuses the whole are the layers added
    again one by one, so the refusal names the layer that could not be built."""
    first = spec.layers[0]

    def start():
        return keras.Input(batch_shape=first.config["batch_shape"], name=first.name)

    made = []
    for index, layer in enumerate(spec.layers[1:], 1):
        with _refusing(spec, index):
            made.append(_marked(make_layer(layer), layer))
    try:
        return keras.Sequential([start(), *made], name=spec.name)
    except Exception:  # noqa: BLE001 - built again below, layer by layer, to name the layer
        pass
    model = keras.Sequential([start()], name=spec.name)
    for index, layer in enumerate(spec.layers[1:], 1):
        with _refusing(spec, index):
            model.add(_marked(make_layer(layer), layer))
    return model


@contextlib.contextmanager
def _refusing(spec: ModelSpec, index, what="the model"):
    """Keras' own refusal of a checked layer (a combination no single check sees) as the
    kit's sentence naming the layer, never a Python error the student cannot place."""
    try:
        yield
    except SpecError:
        raise
    except Exception as exc:
        if index is None:
            raise SpecError(say(f"{what}: Keras cannot build it{_keras_says(exc)}",
                                f"{place(what)}：Keras 无法构建它{_keras_says(exc)}")) from None
        _wrong_input(_where(spec, index), spec.inputs_of(index), exc)


def _keras_says(exc) -> str:
    """Keras' own reason, when it gave one in words (a ValueError), as the end of the
    kit's sentence; a Python error (IndexError, TypeError) says nothing to a student.
    Keras speaks English only: a Chinese sentence quotes it as code."""
    if not isinstance(exc, ValueError):
        return say(" (it expects another number of axes or inputs)", "（它需要另一个轴数或输入数）")
    text = " ".join(str(exc).encode("utf-8", "replace").decode("utf-8").split())[:200]
    return say(f" (Keras: {text})", f"（Keras 的说明：`{text.replace('`', chr(39))}`）")


def _marked(layer, spec: LayerSpec):
    if spec.shown_as:
        layer.kit_class_name = spec.shown_as
    return layer
