"""Hidden tests for standardize(table).

A case that raises or returns the wrong shape fails the form test only; the value test
grades the other cases and says which it skipped (gradelib.cases_of, assert_well_formed,
gradable). Each sentence is written in English and Chinese (gradelib.text): the course's
language in config.json chooses.
"""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "standardize"
CASES = ("measurements", "wide")
FORM = gradelib.text("standardize returns a float32 array of the table's shape",
                     "standardize 返回与表格形状相同的 float32 数组")


def form(args, got):
    want = np.shape(args[0])
    found = np.shape(got) if isinstance(got, np.ndarray) else type(got).__name__
    if found != want:
        return gradelib.text(f"should return an array of shape {want}, found {found}.",
                             f"应返回形状为 {want} 的数组，实际为 {found}。")
    return None


def results(standardize):
    return gradelib.cases_of(standardize, "standardize", CASES, form)


@test_case(name=FORM, points=1)
def shape_and_dtype(standardize):
    cases = results(standardize)
    gradelib.assert_well_formed(cases, (gradelib.text("the values", "数值"),))
    for case in cases:
        gradelib.assert_array_like(case.result, np.shape(case.args[0]), "float32", case.call)


@test_case(name=gradelib.text("standardize rescales each column to mean 0 and standard deviation 1",
                              "standardize 把每一列缩放到均值 0、标准差 1"), points=2)
def values(standardize):
    for case in gradelib.gradable(results(standardize), FORM):
        table = np.asarray(case.args[0], dtype="float64")
        want = (table - table.mean(axis=0)) / table.std(axis=0)
        if not np.allclose(case.result, want, atol=1e-5):
            gradelib.fail(f"{case.call}: each column should become (column - its mean) / its "
                          f"standard deviation (axis=0: per column, not per row).",
                          f"{case.call}：每一列都应变为 (该列 - 该列均值) / 该列标准差"
                          f"（axis=0：按列，而不是按行）。")
