"""Hidden tests for to_one_hot(labels, dimension=46).

A case that raises or returns the wrong shape fails the shape test only; the value
test grades the other cases and says which it skipped.
"""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "to_one_hot"
CASES = ("topics", "default_dimension", "small_dimension", "labels_below_dimension")
SHAPE = gradelib.text("to_one_hot returns float32 arrays of shape (labels, dimension)",
                      "to_one_hot 返回形状为 (labels, dimension) 的 float32 数组")


def reference(labels, dimension=46):
    import keras
    return keras.utils.to_categorical(np.asarray(labels), dimension)


def dimension_of(args):
    return args[1] if len(args) > 1 else 46


def form(args, got):
    want = (len(args[0]), dimension_of(args))
    found = np.shape(got) if isinstance(got, (np.ndarray, list)) else None
    if found is None:
        return gradelib.text(f"should return an array of shape {want}, found "
                             f"{'None (no return statement?)' if got is None else type(got).__name__}.",
                             f"应当返回形状为 {want} 的数组，实际为 "
                             f"{'None（是不是没有写 `return`？）' if got is None else type(got).__name__}。")
    if found != want and found == (want[0], max(args[0], default=-1) + 1):  # to_categorical(labels)
        return gradelib.text(
            f"should return shape {want}: one row per label and `dimension` columns, even "
            f"when no label reaches dimension - 1 (keras.utils.to_categorical needs "
            f"num_classes=dimension); found {found}.",
            f"返回的形状应为 {want}：每个标签一行、`dimension` 列，即使没有标签达到 dimension - 1"
            f"（keras.utils.to_categorical 需要 num_classes=dimension）；实际为 {found}。")
    if found != want:
        return gradelib.text(f"should return shape {want}: one row per label and `dimension` "
                             f"columns; found {found}.",
                             f"返回的形状应为 {want}：每个标签一行、`dimension` 列；实际为 {found}。")
    return None


def results(to_one_hot):
    return gradelib.cases_of(to_one_hot, "to_one_hot", CASES, form)


@test_case(name=gradelib.text("to_one_hot matches keras.utils.to_categorical",
                          "to_one_hot 与 keras.utils.to_categorical 一致"), points=2)
def values(to_one_hot):
    for case in gradelib.gradable(results(to_one_hot), SHAPE):
        got = np.asarray(case.result)
        want = gradelib.expected_case(reference, "to_one_hot", case.name)
        if not np.array_equal(got, want):
            rows = [np.flatnonzero(r).tolist() for r in got]
            gradelib.fail(f"{case.call} should equal keras.utils.to_categorical(labels, "
                          f"{want.shape[1]}): one row per label with a single 1.0 at the "
                          f"label's index. Found nonzero columns per row {rows}.",
                          f"{case.call} 应等于 keras.utils.to_categorical(labels, {want.shape[1]})："
                          f"每个标签一行，只在标签的索引处为 1.0。实际每行的非零列为 {rows}。")


@test_case(name=SHAPE, points=1)
def shape_and_dtype(to_one_hot):
    cases = results(to_one_hot)
    gradelib.assert_well_formed(cases, (gradelib.text("the values", "取值"),))
    for case in cases:
        gradelib.assert_array_like(case.result, (len(case.args[0]), dimension_of(case.args)),
                                   "float32", case.call)
