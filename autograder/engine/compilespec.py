"""A model's recorded compile settings read as names and checked numbers.

The hidden tests look at three things of a compiled model: the optimizer's
kind, the loss and the metrics. A recorded compile config is a Keras
serialisation a submission controls, and ``compile_from_config`` would
deserialise whatever it names (a nested model under ``run_eagerly``, say), so
the scorer reads only those three against the allowlists here and compiles
the rebuilt model with objects it makes itself. Everything else a compile
config holds is never read. See ``modelspec`` for the same idea on layers; the checks are ``specvalues``'.
"""
from autograder.engine.specvalues import (SpecError, boolean, choice, class_name, code, fail,
                                          integer, none_only, nullable, number, place, say,
                                          settings, show)

RATE_SETTINGS = {"learning_rate": number(1e-12, 10), "weight_decay": nullable(number(0, 10)),
                 "clipnorm": nullable(number(0, 1e6)), "global_clipnorm": nullable(number(0, 1e6)),
                 "clipvalue": nullable(number(0, 1e6)), "use_ema": boolean,
                 "ema_momentum": number(0, 1), "ema_overwrite_frequency": nullable(integer(1, 10**6)),
                 "loss_scale_factor": nullable(number(1e-6, 1e6)),
                 "gradient_accumulation_steps": nullable(integer(1, 1000)),
                 "name": lambda v, w: v if isinstance(v, str) and len(v) < 80 else fail(w, "a name should be text of up to 80 characters",
                                                      "名称应为不超过 80 个字符的文本")}
BETAS = {"beta_1": number(0, 1), "beta_2": number(0, 1), "epsilon": number(0, 1)}
OPTIMIZERS = {
    "Adam": {**BETAS, "amsgrad": boolean}, "AdamW": {**BETAS, "amsgrad": boolean},
    "Adamax": BETAS, "Nadam": BETAS,
    "RMSprop": {"rho": number(0, 1), "momentum": number(0, 1), "epsilon": number(0, 1),
                "centered": boolean},
    "SGD": {"momentum": number(0, 1), "nesterov": boolean},
    "Adagrad": {"initial_accumulator_value": number(0, 100), "epsilon": number(0, 1)},
    "Adadelta": {"rho": number(0, 1), "epsilon": number(0, 1)},
}
SCHEDULES = {"ExponentialDecay": "initial_learning_rate", "InverseTimeDecay": "initial_learning_rate",
             "PolynomialDecay": "initial_learning_rate", "CosineDecay": "initial_learning_rate",
             "CosineDecayRestarts": "initial_learning_rate"}
LOSS_SETTINGS = {"name": lambda v, w: v if isinstance(v, str) and len(v) < 80 else fail(w, "a name should be text of up to 80 characters",
                                                      "名称应为不超过 80 个字符的文本"),
                 "reduction": choice("sum_over_batch_size", "sum", "mean", "none", None),
                 "from_logits": boolean, "label_smoothing": number(0, 1), "axis": integer(-6, 6),
                 "ignore_class": nullable(integer(-1, 10**6)), "delta": number(0, 1e6),
                 "apply_class_balancing": boolean, "alpha": number(0, 1), "gamma": number(0, 10)}
#: A metric object's settings the grader keeps; its name is the class's own.
METRIC_SETTINGS = {"name": lambda v, w: v, "dtype": choice("float32"),
                   "threshold": number(0, 1), "from_logits": boolean,
                   "label_smoothing": number(0, 1), "axis": integer(-6, 6), "k": integer(1, 100),
                   "num_thresholds": integer(2, 10_000), "curve": choice("ROC", "PR"),
                   "summation_method": choice("interpolation", "minoring", "majoring"),
                   "multi_label": choice(False), "num_labels": none_only,
                   "label_weights": none_only, "thresholds": none_only, "top_k": none_only,
                   "class_id": none_only}
#: Settings a compile config may hold that the grader does not use: checked to be what
#: Keras writes (plain values), never read further.
UNUSED = {"loss_weights": none_only, "weighted_metrics": none_only,
          "run_eagerly": nullable(boolean), "steps_per_execution": integer(1, 10**6),
          "jit_compile": nullable(lambda v, w: v if v == "auto" else boolean(v, w)),
          "auto_scale_loss": nullable(boolean)}
COMPILE_KEYS = {"optimizer", "loss", "metrics", *UNUSED}


#: The name a Keras loss or metric object is graded under (what Keras calls it by default).
LOSS_OF_CLASS = {"BinaryCrossentropy": "binary_crossentropy",
                 "CategoricalCrossentropy": "categorical_crossentropy",
                 "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
                 "MeanSquaredError": "mean_squared_error", "MeanAbsoluteError": "mean_absolute_error",
                 "Huber": "huber", "LogCosh": "log_cosh",
                 "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
                 "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
                 "Hinge": "hinge", "SquaredHinge": "squared_hinge",
                 "CategoricalHinge": "categorical_hinge", "KLDivergence": "kl_divergence",
                 "Poisson": "poisson", "BinaryFocalCrossentropy": "binary_focal_crossentropy"}
METRIC_OF_CLASS = {"Accuracy": "accuracy", "BinaryAccuracy": "binary_accuracy",
                   "CategoricalAccuracy": "categorical_accuracy",
                   "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
                   "MeanAbsoluteError": "mean_absolute_error",
                   "MeanSquaredError": "mean_squared_error",
                   "RootMeanSquaredError": "root_mean_squared_error", "AUC": "auc",
                   "Precision": "precision", "Recall": "recall",
                   "BinaryCrossentropy": "binary_crossentropy",
                   "CategoricalCrossentropy": "categorical_crossentropy",
                   "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
                   "MeanAbsolutePercentageError": "mean_absolute_percentage_error"}
#: Names accepted as strings: the defaults above and Keras' short spellings.
LOSS_NAMES = {*LOSS_OF_CLASS.values(), "mse", "mae"}
METRIC_NAMES = {*METRIC_OF_CLASS.values(), "acc", "mse", "mae"}


def _named(value, table: set, by_class: dict, what: tuple, where: str) -> str:
    """A loss or metric given as a name, a function (``keras.losses.mse``) or a Keras
    object, as the snake-case name of the built-in it is; its own settings are dropped
    except where the grader keeps them (see :func:`parse_compile`). ``what``: (en, zh)."""
    if isinstance(value, str) and value in table:
        return value
    if isinstance(value, dict) and value.get("class_name") == "function" \
            and isinstance(value.get("config"), str) and value["config"] in table:
        return value["config"]
    if class_name(value) in by_class \
            and set(value) <= {"module", "class_name", "config", "registered_name"}:
        return by_class[value["class_name"]]
    found = value.get("class_name") if isinstance(value, dict) else value
    if isinstance(value, dict) and value.get("class_name") == "function":
        found = value.get("config")
    english, chinese = what
    fail(where, f"{show(found)} is not a built-in Keras {english} the grader accepts",
         f"{code(show(found))} 不是评分程序接受的 Keras 内置{chinese}")


def parse_compile(config) -> dict:
    """A model's recorded compile settings as names and checked numbers.

    Only what the hidden tests look at is kept: the optimizer (class and
    hyperparameters; a learning-rate schedule keeps its initial rate), the loss
    and the metrics. Nothing else is read, so nothing else can be deserialised.
    """
    where = "the compile settings"
    if not isinstance(config, dict):
        raise SpecError(say(f"{where} were not recorded as a JSON object",
                            f"{place(where)}没有以 JSON 对象记录"))
    unknown = sorted(set(config) - COMPILE_KEYS)
    if unknown:
        raise SpecError(say(f"{where}: {show(unknown[0])} is not a compile setting the grader reads",
                            f"{place(where)}：{code(show(unknown[0]))} 不是评分程序读取的编译设置"))
    for key, check in UNUSED.items():
        if key in config:
            check(config[key], f"{where}, {key}")
    optimizer = config.get("optimizer")
    if isinstance(optimizer, str):
        lookup = {k.lower(): k for k in OPTIMIZERS}
        if optimizer.lower() not in lookup:
            fail(where, f"optimizer {show(optimizer)} is not one the grader accepts "
                         f"({', '.join(OPTIMIZERS)})",
                 f"优化器 {code(show(optimizer))} 不是评分程序接受的优化器（{code(', '.join(OPTIMIZERS))}）")
        optimizer = {"class_name": lookup[optimizer.lower()], "config": {}}
    elif class_name(optimizer) in OPTIMIZERS and isinstance(optimizer.get("config", {}), dict) \
            and set(optimizer) <= {"module", "class_name", "config", "registered_name"}:
        values = dict(optimizer.get("config") or {})
        rate = values.get("learning_rate")
        if isinstance(rate, dict):
            initial = rate.get("config", {}).get(SCHEDULES.get(class_name(rate), "-")) \
                if isinstance(rate.get("config"), dict) else None
            if initial is None:
                fail(where, f"the learning-rate schedule {show(rate.get('class_name'))} is "
                             f"not one the grader accepts",
                     f"学习率调度 {code(show(rate.get('class_name')))} 不是评分程序接受的调度")
            values["learning_rate"] = initial
        cls = optimizer["class_name"]
        optimizer = {"class_name": cls, "config": settings(
            values, {**RATE_SETTINGS, **OPTIMIZERS[cls]}, f"{where}, optimizer {cls}")}
        optimizer["config"].pop("name", None)
    else:
        found = optimizer.get("class_name") if isinstance(optimizer, dict) else optimizer
        fail(where, f"optimizer {show(found)} is not one the grader accepts "
                     f"({', '.join(OPTIMIZERS)})",
             f"优化器 {code(show(found))} 不是评分程序接受的优化器（{code(', '.join(OPTIMIZERS))}）")
    loss = config.get("loss")
    if loss is not None:
        if class_name(loss) in LOSS_OF_CLASS:
            settings(loss.get("config") or {}, LOSS_SETTINGS, f"{where}, loss")
        loss = _named(loss, LOSS_NAMES, LOSS_OF_CLASS, ("loss", "损失函数"), where)
    metrics = config.get("metrics") or []
    if isinstance(metrics, dict):
        metrics = list(metrics.values())
    if not isinstance(metrics, list) or len(metrics) > 10:
        fail(where, "metrics should be a list of up to ten metrics",
             "metrics 应为最多十个评估指标的列表")
    names = []
    for metric in metrics:
        if isinstance(metric, dict) and metric.get("class_name") != "function":
            settings(metric.get("config") or {}, METRIC_SETTINGS, f"{where}, metric")
        names.append(_named(metric, METRIC_NAMES, METRIC_OF_CLASS, ("metric", "评估指标"), where))
    return {"optimizer": optimizer, "loss": loss, "metrics": names}


def compile_model(model, spec: dict):
    """Compile ``model`` from the names in ``spec`` (built by the kit, never deserialised)."""
    import keras

    optimizer = spec["optimizer"]
    optimizer = getattr(keras.optimizers, optimizer["class_name"])(**optimizer["config"])
    model.compile(optimizer=optimizer, loss=spec["loss"], metrics=spec["metrics"])
