"""The embedded sample class for "template_assignment": what ``make demo`` grades and
``make check-assignment`` checks. Each sample states the points it must get per question."""
from autograder.tools.samples import Sample, mistake

FULL = {"standardize": 3, "classifier": 5}

SAMPLES = [
    Sample("reference", "the reference solution", {}, FULL),
    Sample("rows_not_columns", "standardize rescales each row instead of each column",
           mistake("template_assignment", "standardize", "axis=0", "axis=1, keepdims=True"),
           {**FULL, "standardize": 1}),
    Sample("stub", "the untouched student notebook", None, {q: 0 for q in FULL}),
]
