"""Hidden tests for windowed_dataset(series, window_size, batch_size, shuffle_buffer).

A case that raises or gives batches of the wrong form fails the shape test only; the
label, coverage and shuffling tests grade the other cases and say which they skipped.
"""
from collections import Counter

import numpy as np
from otter.test_files import test_case

import gradelib
import kit_codec

OK_FORMAT = False
name = "windowed_dataset"
CASES = ("window_6", "window_3")
SHAPES = gradelib.text("windowed_dataset gives float32 batches of (batch, window) features and "
                       "(batch,) labels", "windowed_dataset 给出 float32 批量：特征形状为 (批量大小, window_size)、标签形状为 (批量大小,)")


def describe(args):
    series, window, batch_size, shuffle_buffer = args
    return gradelib.text(f"windowed_dataset(series of {len(series)} values, window_size={window}, "
                         f"batch_size={batch_size}, shuffle_buffer={shuffle_buffer})",
                         f"windowed_dataset(含 {len(series)} 个值的 series, window_size={window}, "
                         f"batch_size={batch_size}, shuffle_buffer={shuffle_buffer})")


def form(args, batches):
    """None when one epoch is a list of (features (n, window), labels (n,)) batches."""
    window = args[1]
    if not isinstance(batches, list) or not batches:
        return gradelib.text("iterating over the dataset gave no batches: return the batched dataset.",
                             "遍历数据集没有得到任何批量：请返回分好批的数据集。")
    for number, batch in enumerate(batches):
        if not isinstance(batch, list) or len(batch) != 2:
            return gradelib.text("each element of the dataset should be a (features, labels) pair: "
                                 "map each window to (window[:-1], window[-1]) before batching.",
                                 "数据集的每个元素应是一个 (特征, 标签) 对：分批之前把每个窗口映射成 "
                                 "`(window[:-1], window[-1])`。")
        x, y = np.asarray(batch[0]), np.asarray(batch[1])
        if x.ndim != 2 or x.shape[1] != window or y.shape != (x.shape[0],):
            return gradelib.text(f"batch {number} has features {x.shape} and labels {y.shape}; "
                                 f"expected (batch, {window}) and (batch,).",
                                 f"第 {number} 个批量的特征形状为 {x.shape}、标签形状为 {y.shape}；应为 "
                                 f"(批量大小, {window}) 和 (批量大小,)。")
    return None


def epochs(windowed_dataset):
    """Each hidden case with one epoch of its batches as [(features, labels), ...] arrays."""
    cases = gradelib.cases_of(windowed_dataset, "windowed_dataset", CASES, form, describe)
    for case in cases:
        if case.problem and "Cannot add tensor to the batch" in case.problem:  # tf.data's words
            case.problem += gradelib.text(
                " (the windows have different lengths: .window(window_size + 1, shift=1, "
                "drop_remainder=True) keeps only the full ones.)",
                "（窗口长度不一：`.window(window_size + 1, shift=1, drop_remainder=True)` 只保留完整的窗口。）")
        if not case.problem:
            case.result = [(np.asarray(x), np.asarray(y)) for x, y in case.result]
    return cases


def endless(case):
    """The sentence for a dataset the grader stopped reading at its limit (``take`` batches):
    ``.repeat()`` makes one epoch endless. None when it ended."""
    spec = gradelib.config()["probes"]["windowed_dataset"]["cases"][case.name]
    if len(case.result) < min(int(spec["take"]), kit_codec.TAKE_LIMIT):
        return None
    series, window, batch_size, _ = case.args
    batches = -(-(len(series) - window) // batch_size)
    return gradelib.text(f"{case.call} did not end: the grader stopped reading it after "
                         f"{len(case.result)} batches, where one epoch is {batches}. Do not call "
                         f".repeat(): model.fit starts each epoch again by itself.",
                         f"{case.call} 没有结束：评分程序读了 {len(case.result)} 个批量后停了下来，而一个轮次只有 "
                         f"{batches} 个批量。不要调用 `.repeat()`：model.fit 会自己开始每个轮次。")


def starts_of(series, window, features):
    """Where each row of features starts in the series (None if it is not a window of it)."""
    where = {tuple(series[i:i + window]): i for i in range(len(series) - window + 1)}
    return [where.get(tuple(row)) for row in np.asarray(features)]


@test_case(name=SHAPES, points=1)
def shapes(windowed_dataset):
    cases = epochs(windowed_dataset)
    gradelib.assert_well_formed(cases, (gradelib.text("the labels", "标签"),
                                        gradelib.text("the windows", "窗口"),
                                        gradelib.text("the shuffling", "打乱")))
    for case in cases:
        series, window, batch_size, _ = case.args
        for x, y in case.result:
            if x.dtype != np.float32 or y.dtype != np.float32:
                gradelib.fail(f"{case.call}: features and labels should be float32 like the "
                              f"series, found {x.dtype} and {y.dtype}.",
                              f"{case.call}：特征和标签应与序列一样是 float32，实际为 {x.dtype} 和 {y.dtype}。")
        if endless(case):
            gradelib.fail(endless(case))
        total = len(series) - window
        expected = [batch_size] * (total // batch_size) + ([total % batch_size] if total % batch_size else [])
        sizes = [len(y) for _, y in case.result]
        if sorted(sizes) != sorted(expected):  # where the short batch falls is the shuffling's concern
            gradelib.fail(f"{case.call} should give batches of {expected}, found {sizes}: "
                          f"windows of window_size + 1 values with shift 1 and "
                          f"drop_remainder=True, then .batch(batch_size) (keep the last, "
                          f"smaller batch).",
                          f"{case.call} 应给出大小为 {expected} 的批量，实际为 {sizes}：窗口长 window_size + 1、"
                          f"`shift=1` 且 `drop_remainder=True`，然后 `.batch(batch_size)`（保留最后那个较小的批量）。")


@test_case(name=gradelib.text("each label is the value right after its window",
                          "每个标签都是其窗口之后紧接着的那个值"), points=2)
def labels(windowed_dataset):
    for case in gradelib.gradable(epochs(windowed_dataset), SHAPES):
        series, window = case.args[0], case.args[1]
        for x, y in case.result:
            for row, start, label in zip(x, starts_of(series, window, x), y):
                if start is None:
                    gradelib.fail(f"{case.call}: the features {row[:4]}... are not "
                                  f"{window} consecutive values of the series.",
                                  f"{case.call}：特征 {row[:4]}... 不是序列中连续的 {window} 个值。")
                if start + window >= len(series):  # the series' last values: nothing follows
                    gradelib.fail(f"{case.call}: the window starting at step {start} ends the "
                                  f"series, so no value follows it to be its label: the last "
                                  f"window starts at step {len(series) - window - 1}.",
                                  f"{case.call}：从第 {start} 步开始的窗口已到序列末尾，后面没有值可作它的标签："
                                  f"最后一个窗口应从第 {len(series) - window - 1} 步开始。")
                if label != series[start + window]:
                    hint = gradelib.text(" (the label is the last value of the window: windows "
                                         "should be window_size + 1 long)",
                                         "（标签是窗口的最后一个值：窗口应长 window_size + 1）") if (
                        label == series[start + window - 1]) else ""
                    gradelib.fail(f"{case.call}: the window starting at step {start} should have "
                                  f"label series[{start + window}] = "
                                  f"{series[start + window]:.3f}, found {label:.3f}{hint}.",
                                  f"{case.call}：从第 {start} 步开始的窗口，标签应为 series[{start + window}] = "
                                  f"{series[start + window]:.3f}，实际为 {label:.3f}{hint}。")


@test_case(name=gradelib.text("one epoch holds every window of the series exactly once",
                          "一个轮次里序列的每个窗口恰好出现一次"), points=2)
def every_window_once(windowed_dataset):
    for case in gradelib.gradable(epochs(windowed_dataset), SHAPES):
        series, window = case.args[0], case.args[1]
        if endless(case):
            gradelib.fail(endless(case))
        seen = Counter(tuple(row) for x, _ in case.result for row in x)
        expected = Counter(tuple(series[i:i + window]) for i in range(len(series) - window))
        if seen != expected:
            missing = sum((expected - seen).values())
            extra = sum((seen - expected).values())
            gradelib.fail(f"{case.call}: one epoch should hold each of the "
                          f"{len(series) - window} windows once; {missing} missing, {extra} "
                          f"extra or repeated (shift=1, drop_remainder=True).",
                          f"{case.call}：一个轮次应包含全部 {len(series) - window} 个窗口各一次；缺少 "
                          f"{missing} 个，多出或重复 {extra} 个（`shift=1`，`drop_remainder=True`）。")


@test_case(name=gradelib.text("the windows are shuffled before batching", "窗口在分批之前被打乱"),
           points=1)
def shuffled(windowed_dataset):
    for case in gradelib.gradable(epochs(windowed_dataset), SHAPES):
        series, window = case.args[0], case.args[1]
        starts = [starts_of(series, window, x) for x, _ in case.result]
        flat = [s for batch in starts for s in batch]
        if flat == sorted(flat, key=lambda s: -1 if s is None else s):
            gradelib.fail(f"{case.call}: the windows come in the series' order: shuffle them "
                          f"(dataset.shuffle(shuffle_buffer)) before batching.",
                          f"{case.call}：窗口是按序列顺序出现的：请在分批之前打乱它们"
                          f"（dataset.shuffle(shuffle_buffer)）。")
        runs = [batch for batch in starts if len(batch) > 1]
        if runs and all(None not in batch and np.all(np.diff(batch) == 1) for batch in runs):
            gradelib.fail(f"{case.call}: each batch holds consecutive windows, so only the order "
                          f"of the batches is shuffled: call .shuffle(shuffle_buffer) on the "
                          f"windows, before .batch(batch_size).",
                          f"{case.call}：每个批量里是相邻的窗口，所以只打乱了批量的顺序：请在 "
                          f".batch(batch_size) 之前，对窗口调用 .shuffle(shuffle_buffer)。")
