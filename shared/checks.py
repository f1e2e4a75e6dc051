"""Checks shared by the notebooks' public check cells and the hidden tests.

Each check returns or raises plain sentences a student can act on, such as
``layer 3: expected BatchNormalization, found ReLU``, rather than a bare
``AssertionError``; the sentences come from ``shared/i18n.py`` in the student's language.
"""
import keras

from shared.errortext import error_summary
from shared.i18n import has, msg
from shared.summary import ComparisonError, differences, summary

#: Names Keras accepts for "accuracy" in ``metrics=[...]``, by what they resolve to.
ACCURACY_ALIASES = {"accuracy", "acc", "binary_accuracy", "categorical_accuracy",
                    "sparse_categorical_accuracy"}


def say_not_implemented(shell, etype, value, tb, tb_offset=None):
    """IPython's handler for NotImplementedError: a stub's check says the kit's sentence.

    Why: a check cell calls the stub (``happy_model = happyModel()``) before any check of
    the kit runs, so the student saw a bare ``NotImplementedError:`` traceback. Only the
    stubs' own ``raise NotImplementedError()`` (no message, raised in a notebook cell) is
    reworded; one a library raises keeps its traceback.
    """
    last = tb
    while last.tb_next is not None:
        last = last.tb_next
    code = last.tb_frame.f_code
    in_a_cell = code.co_filename.startswith("<ipython-input") or "ipykernel_" in code.co_filename
    if str(value) or not in_a_cell or code.co_name.startswith("<"):
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)  # as without the handler
        return None
    said = [msg("not_implemented", call=f"{code.co_name}()")]
    # The cell's error output (ipykernel sends it); the sentence is its text too, so a front
    # end that shows "ename: evalue" says the sentence, not Python's English.
    shell._showtraceback(etype, said[0], said)
    return said


def say_undefined(shell, etype, value, tb, tb_offset=None):
    """IPython's handler for NameError: a cell using a name no cell defined says which cell
    to run, in the student's language.

    Why: a check cell (``check_compile(happy_model, ...)``) after a model cell that stopped
    (a stub's NotImplementedError) showed Python's English ``NameError`` traceback. Only a
    name missing at the top level of a notebook cell is reworded; one inside a function
    keeps its traceback, which shows the student's line.
    """
    last = tb
    while last.tb_next is not None:
        last = last.tb_next
    code = last.tb_frame.f_code
    in_a_cell = code.co_filename.startswith("<ipython-input") or "ipykernel_" in code.co_filename
    name = getattr(value, "name", None)
    if not (in_a_cell and code.co_name == "<module>" and isinstance(name, str)):
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)  # as without the handler
        return None
    said = [msg("undefined_name", name=name)]
    shell._showtraceback(etype, said[0], said)
    return said


def _say_in_a_cell(shell, etype, value, tb, tb_offset=None):
    """The one custom handler IPython keeps: each kind of error to its sentence."""
    handler = say_undefined if issubclass(etype, NameError) else say_not_implemented
    return handler(shell, etype, value, tb, tb_offset)


def _install_in_ipython():
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to install
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((NotImplementedError, NameError), _say_in_a_cell)


_install_in_ipython()


class StudentCodeError(Exception):
    """An error the student's code raised in the grading sandbox, raised again by the scorer."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def require_model(obj, made_by):
    """Fail clearly when a builder returned something that is not a Keras model."""
    if not isinstance(obj, keras.Model):
        raise ComparisonError(msg("not_a_model", made_by=made_by, kind=type(obj).__name__,
                                  value=f"{obj!r:.80}"))
    return obj


def build(builder, *args, name=None):
    """Call a student's model builder and turn any failure into a readable message."""
    name = name or getattr(builder, "__name__", "the builder")
    call = f"{name}({', '.join(map(repr, args))})"
    if not callable(builder):
        raise ComparisonError(msg("not_a_function", name=name))
    try:
        model = builder(*args)
    except NotImplementedError:
        raise ComparisonError(msg("not_implemented", call=call)) from None
    except ComparisonError:  # the grader's own sentence (a model it cannot rebuild, say)
        raise
    except Exception as exc:  # the student's code failed; report it, do not crash
        kind = exc.kind if isinstance(exc, StudentCodeError) else type(exc).__name__
        raise ComparisonError(msg("raised", call=call, kind=kind,
                                  error=error_summary(exc))) from None
    return require_model(model, call)


def architecture_problems(model, expected_table):
    return differences(summary(model), expected_table)


def check_architecture(model, expected_table, *, show=True, graded=None):
    """Public check: print the model's rows, then compare them with the course's table.

    ``graded`` names the graded function, to say what the hidden tests examine beyond
    this check (:func:`passed`).
    """
    rows = summary(model)
    if show:
        for row in rows:
            print(row)
    problems = differences(rows, expected_table)
    if problems:
        raise ComparisonError("\n".join(problems))
    passed(graded)


def passed(graded=None):
    """A check cell's last line: the success line, then what the grader examines beyond it.

    Why say it: a student whose public check passes can still lose the points of a
    hidden edge case or of the training test; the sentence
    (``shared/i18n.py``, ``graded.<name>``) names them, so nothing comes as a surprise.
    """
    print(msg("all_passed"))
    _say_what_else_is_graded(graded)


def _say_what_else_is_graded(graded):
    if graded and has(f"graded.{graded}"):
        print(msg("graded_beyond", what=msg(f"graded.{graded}")))


def check_compile(model, expected, name, graded=None, builder=None):
    """Public check of a compile cell: print what differs, or that it compiled as asked.
    ``builder``: the graded function that compiles the model it returns (there is no
    compile cell to name then)."""
    problems = compile_problems(model, expected, name, builder=builder)
    if problems:
        print("\n".join(problems))
        return
    print(msg("compiled_as_asked"))
    _say_what_else_is_graded(graded)


def parameter_problem(model, expected):
    found = model.count_params()
    if found != expected:
        return msg("parameter_count", found=found, expected=expected)
    return None


#: Keras accepts both spellings; compare the short one.
LOSS_ALIASES = {"mean_absolute_error": "mae", "mean_squared_error": "mse"}


def _loss_name(loss):
    return LOSS_ALIASES.get(_raw_loss_name(loss), _raw_loss_name(loss))


def _raw_loss_name(loss):
    if isinstance(loss, str):
        return loss
    if isinstance(loss, keras.losses.Loss):
        fn = getattr(loss, "fn", None)
        return getattr(fn, "__name__", None) or loss.name
    return getattr(loss, "__name__", repr(loss))


def _metric_name(metric):
    if isinstance(metric, str):
        return "accuracy" if metric in ACCURACY_ALIASES else metric
    name = getattr(metric, "name", None) or getattr(metric, "__name__", repr(metric))
    return "accuracy" if name in ACCURACY_ALIASES else name


def compile_settings(model):
    """The optimizer, loss and metric names ``model`` was compiled with, or None."""
    if not getattr(model, "compiled", False) or model.optimizer is None:
        return None
    metrics = model.get_compile_config().get("metrics") or []
    if isinstance(metrics, dict):
        metrics = list(metrics.values())
    return {
        "optimizer": type(model.optimizer).__name__.lower(),
        "loss": _loss_name(model.loss),
        "metrics": sorted({_metric_name(_deserialize_metric(m)) for m in metrics}),
    }


def _deserialize_metric(m):
    if isinstance(m, dict):  # a serialized metric object
        return m.get("config", {}).get("name", m.get("class_name"))
    return m


def compile_problems(model, expected, name="the model", builder=None):
    """What differs from ``expected`` in ``model``'s compile settings; ``builder``: the graded
    function that should compile the model it returns (there is no compile cell to name)."""
    settings = compile_settings(model)
    if settings is None:
        return [msg("not_compiled_builder", name=name, builder=builder) if builder
                else msg("not_compiled", name=name)]
    problems = []
    for key in ("optimizer", "loss"):
        if settings[key] != expected[key]:
            problems.append(msg("compile_setting", name=name, setting=key,
                                expected=expected[key], found=settings[key]))
    missing = sorted(set(expected["metrics"]) - set(settings["metrics"]))
    if missing:
        problems.append(msg("compile_metrics", name=name, expected=expected["metrics"],
                            found=settings["metrics"]))
    return problems
