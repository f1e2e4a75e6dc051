"""Layer-by-layer model summaries and a comparator that explains differences.

A Keras 3 port of the course's ``summary``/``comparator`` helpers. The rows
are exactly the course's, e.g.::

    ['Conv2D', (None, 64, 64, 32), 4736, 'valid', 'linear', 'GlorotUniform']
    ['MaxPooling2D', (None, 32, 32, 32), 0, (2, 2), (2, 2), 'valid']

Keras 3 dropped the ``output_shape`` attribute of layers; the shape now comes from
``layer.output.shape``. Keras 2 reported an ``InputLayer``'s shape as a
one-element list, and the course's expected tables keep that form, so we do
too.
"""
import difflib

from keras import layers

from shared.i18n import msg

__all__ = ["summary", "comparator", "ComparisonError"]


def _output_shape(layer):
    shape = tuple(layer.output.shape)
    if isinstance(layer, layers.InputLayer):
        return [shape]
    return shape


def _describe(layer):
    """The course's descriptor row for one layer.

    A layer the grader rebuilt in place of a student's ``Lambda`` carries
    ``kit_class_name = "Lambda"`` and is reported as the Lambda it stands for.
    """
    name = getattr(layer, "kit_class_name", layer.__class__.__name__)
    row = [name, _output_shape(layer), layer.count_params()]
    if isinstance(layer, layers.Conv2D):
        row += [layer.padding, layer.activation.__name__,
                layer.kernel_initializer.__class__.__name__]
    elif isinstance(layer, layers.MaxPooling2D):
        row += [tuple(layer.pool_size), tuple(layer.strides), layer.padding]
    elif isinstance(layer, layers.Dropout):
        row += [layer.rate]
    elif isinstance(layer, layers.ZeroPadding2D):
        row += [tuple(tuple(side) for side in layer.padding)]
    elif isinstance(layer, layers.Dense):
        row += [layer.activation.__name__]
    elif isinstance(layer, (layers.GRU, layers.LSTM, layers.SimpleRNN)):
        row += [layer.units, layer.return_sequences, layer.dropout, layer.recurrent_dropout]
    elif isinstance(layer, layers.Bidirectional):
        inner = layer.forward_layer
        row += [inner.__class__.__name__, inner.units, inner.return_sequences]
    elif isinstance(layer, layers.BatchNormalization):
        # Not in the course's original rows; only reported when it differs
        # from the course's axis=3 so the expected tables stay unchanged.
        if layer.axis not in (3, -1):
            row += [f"axis={layer.axis}"]
    return row


def summary(model):
    """Return one descriptor row per layer of ``model``.

    Sequential models do not list their ``InputLayer`` in ``model.layers``
    under Keras 3; Functional models do. This mirrors the course's tables.
    """
    return [_describe(layer) for layer in model.layers]


#: What the extra entries of each row hold, to name them in messages.
SETTINGS = {
    "Conv2D": ("padding", "activation", "kernel initializer"),
    "MaxPooling2D": ("pool size", "strides", "padding"),
    "Dropout": ("rate",),
    "ZeroPadding2D": ("padding",),
    "Dense": ("activation",),
    "BatchNormalization": ("axis",),
    "GRU": ("units", "return_sequences", "dropout", "recurrent_dropout"),
    "LSTM": ("units", "return_sequences", "dropout", "recurrent_dropout"),
    "SimpleRNN": ("units", "return_sequences", "dropout", "recurrent_dropout"),
    "Bidirectional": ("wrapped layer", "units", "return_sequences"),
}


class ComparisonError(AssertionError):
    """Raised by :func:`comparator` with a message a student can act on."""

    def __str__(self):
        """The sentence, with a full stop after a closing quote: otter strips quotes from
        both ends of a failure message (``str(e).strip("'")``), which cut "found 'mse'" to
        "found 'mse"."""
        text = super().__str__()
        return f"{text}." if text.endswith("'") else text


def _name(row):
    """The layer's type, or the catalogue's word for a layer that is not there."""
    return row[0] if row else msg("layer_none")


def explain_difference(index, got, expected):
    """One sentence saying how layer ``index`` (1-based) differs."""
    if _name(got) != _name(expected):
        return msg("layer_type", index=index, expected=_name(expected), found=_name(got),
                   expected_row=expected, found_row=got)
    fields = ["type", "output shape", "parameter count", *SETTINGS.get(_name(expected), ())]
    # a layer's own settings first: a wrong padding changes the output shape too, and the
    # padding is what the student has to change
    order = [*range(3, max(len(got), len(expected))), 1, 2]
    for position in order:
        if position >= min(len(got), len(expected)):
            continue
        g, e = got[position], expected[position]
        if tuple_like(g) != tuple_like(e):
            what = (msg(f"field.{fields[position]}") if position < len(fields)
                    else msg("setting_setting", number=position - 2))
            # a space after a Latin word ("return_sequences 应为"), none between Chinese ones
            gap = " " if what[-1:].isascii() else ""
            return msg("layer_setting", index=index, layer=_name(expected), what=what, gap=gap,
                       expected=e, found=g, expected_row=expected, found_row=got)
    return msg("layer_row", index=index, layer=_name(expected), expected_row=expected,
               found_row=got)


def tuple_like(value):
    """Compare lists and tuples alike, as the course's comparator did."""
    if isinstance(value, (list, tuple)):
        return tuple(tuple_like(v) for v in value)
    return value


#: Rows aligned at most: a course model has 9 layers and the scorer refuses more than 40;
#: a notebook's own model beyond this is compared by count alone, so the alignment's
#: quadratic cost stays bounded whatever a student builds.
ALIGN_LIMIT = 200


def differences(learner, instructor):
    """Every way ``learner`` differs from ``instructor``, as sentences, in table order.

    Why an alignment (difflib.SequenceMatcher over the layers' class names) rather than
    row against row: a left-out layer shifts every later row, and a row-by-row comparison
    then calls each of them mismatched and the last one "missing at the end". Aligned,
    the student reads "layer 3 (BatchNormalization) is missing" and nothing else.
    """
    if len(learner) > ALIGN_LIMIT or len(instructor) > ALIGN_LIMIT:
        return [msg("layers_count", found=len(learner), expected=len(instructor))]
    # Only a functional model lists its InputLayer: the other API, said once, then its layers
    inputs = [bool(rows) and _name(rows[0]) == "InputLayer" for rows in (learner, instructor)]
    if inputs == [True, False]:
        return [msg("functional_not_sequential"), *differences(learner[1:], instructor)]
    if inputs == [False, True] and learner:
        return [msg("sequential_not_functional"), *differences(learner, instructor[1:])]
    matcher = difflib.SequenceMatcher(None, [_name(r) for r in learner],
                                      [_name(r) for r in instructor], autojunk=False)
    problems = []
    for op, got_from, got_to, exp_from, exp_to in matcher.get_opcodes():
        got, expected = learner[got_from:got_to], instructor[exp_from:exp_to]
        paired = min(len(got), len(expected)) if op != "equal" else len(got)
        for offset in range(paired):  # same place in both: the type or a setting differs
            if tuple_like(got[offset]) != tuple_like(expected[offset]):
                problems.append(explain_difference(exp_from + offset + 1, got[offset],
                                                   expected[offset]))
        for offset in range(paired, len(expected)):
            problems.append(msg("layer_missing", index=exp_from + offset + 1,
                                layer=_name(expected[offset]), expected_row=expected[offset]))
        for offset in range(paired, len(got)):
            problems.append(msg("layer_extra", position=got_from + offset + 1,
                                layer=_name(got[offset]), found_row=got[offset]))
    return problems


def comparator(learner, instructor):
    """Check a learner's summary against the instructor's, layer by layer.

    Unlike the course's version, a different number of layers fails too.
    Raises :class:`ComparisonError` naming the first layer that differs.
    """
    problems = differences(learner, instructor)
    if problems:
        raise ComparisonError(problems[0] + (
            msg("more_differences", count=len(problems) - 1) if len(problems) > 1 else ""))
    print(msg("all_passed"))
