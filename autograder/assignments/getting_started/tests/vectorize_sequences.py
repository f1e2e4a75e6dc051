"""Hidden tests for vectorize_sequences(sequences, dimension=10000).

A case that raises or returns the wrong shape fails the shape test only; the value
test grades the other cases and says which it skipped.
"""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "vectorize_sequences"
CASES = ("repeats_and_edges", "small_dimension", "default_dimension")
SHAPE = gradelib.text("vectorize_sequences returns float32 arrays of shape (samples, dimension)",
                      "vectorize_sequences 返回形状为 (序列数, dimension) 的 float32 数组")


def dimension_of(args):
    return args[1] if len(args) > 1 else 10000


def form(args, got):
    want = (len(args[0]), dimension_of(args))
    found = np.shape(got) if isinstance(got, (np.ndarray, list)) else None
    if found != want:
        found = found if found is not None else type(got).__name__
        return gradelib.text(f"should return shape {want}: one row per sequence and `dimension` "
                             f"columns; found {found}.",
                             f"返回的形状应为 {want}：每个序列一行、`dimension` 列；实际为 {found}。")
    return None


def results(vectorize_sequences):
    return gradelib.cases_of(vectorize_sequences, "vectorize_sequences", CASES, form)


@test_case(name=SHAPE, points=1)
def shape_and_dtype(vectorize_sequences):
    cases = results(vectorize_sequences)
    gradelib.assert_well_formed(cases, (gradelib.text("the multi-hot values", "多热编码的取值"),))
    for case in cases:
        gradelib.assert_array_like(case.result, (len(case.args[0]), dimension_of(case.args)),
                                   "float32", case.call)


@test_case(name=gradelib.text("vectorize_sequences is an exact multi-hot encoding",
                          "vectorize_sequences 是准确的多热编码"), points=2)
def multi_hot(vectorize_sequences):
    for case in gradelib.gradable(results(vectorize_sequences), SHAPE):
        got = np.asarray(case.result)
        want = gradelib.multi_hot(case.args[0], dimension_of(case.args))
        for row, (got_row, want_row) in enumerate(zip(got, want)):
            if not np.array_equal(got_row, want_row):
                ones = np.flatnonzero(want_row).tolist()
                found = {int(i): float(got_row[i]) for i in np.flatnonzero(got_row)[:10]}
                gradelib.fail(
                    f"{case.call}: row {row} (sequence {list(case.args[0][row])}) should hold 1.0 "
                    f"at indices {ones} and 0.0 elsewhere; found nonzero values {found}. Set "
                    f"results[i, sequence] = 1.0 (a repeated word still gives 1.0, an empty "
                    f"sequence a row of zeros).",
                    f"{case.call}：第 {row} 行（序列 {list(case.args[0][row])}）应在索引 {ones} 处为 1.0，"
                    f"其余为 0.0；实际的非零值为 {found}。请设置 `results[i, sequence] = 1.0`"
                    f"（重复的词仍然是 1.0，空序列是一行零）。")
