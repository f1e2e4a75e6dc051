"""Hidden tests for generator(data, lookback, delay, min_index, max_index, shuffle, batch_size, step).

One mistake costs one concern's points: a sequential case that raises or yields
batches of the wrong shape fails the shape test only (the course's own generator
allocates lookback // step rows and raises when step does not divide lookback);
the order and target tests grade the other cases and say which they skipped.
"""
import numpy as np
from otter.test_files import test_case

import gradelib
import kit_codec

OK_FORMAT = False
name = "generator"
SEQUENTIAL = ("sequential_wraps", "max_index_none", "max_index_none_odd", "step_not_dividing",
              "cut_short")
SHAPES = gradelib.text("generator batches have shape (rows, len(range(0, lookback, step)), features) "
                       "and (rows,), float64", "generator 的批量形状为 (行数, len(range(0, lookback, step)), "
                       "特征数) 和 (行数,)，float64")
VALUE_TESTS = (gradelib.text("the order of the rows", "行的顺序"), gradelib.text("the targets", "目标"))


def call_text(args):
    data, lookback, delay, min_index, max_index, shuffle, batch_size, step = args
    arguments = (f"lookback={lookback}, delay={delay}, min_index={min_index}, "
                 f"max_index={max_index}, shuffle={shuffle}, batch_size={batch_size}, step={step}")
    return gradelib.text(f"generator(data of shape {data.shape}, {arguments})",
                         f"generator(形状为 {data.shape} 的 data, {arguments})")


def expected(args, count):
    data, lookback, delay, min_index, max_index, _, batch_size, step = args
    rows = gradelib.course_rows(data, lookback, delay, min_index, max_index, batch_size, count)
    return rows, [gradelib.course_batch(data, r, lookback, delay, step) for r in rows]


def returned_one_batch(got) -> bool:
    """Whether ``got`` is one (samples, targets) pair rather than batches: what a function
    that ``return``s its first batch gives (taking items from a tuple takes its two arrays)."""
    return (len(got) == 2 and all(isinstance(part, np.ndarray) for part in got)
            and got[0].ndim == 3 and got[1].ndim == 1)


def pairs_problem(got):
    """A sentence when ``got`` (a non-empty list) is not (samples, targets) batches whose
    samples and targets are arrays (a list of windows of different lengths is not)."""
    if returned_one_batch(got):
        return gradelib.text("returned one (samples, targets) batch instead of yielding batches: "
                             "`return` ends the function after its first batch; write "
                             "`yield samples, targets` inside `while True:`.",
                             "返回了一个 (样本, 目标) 批量，而不是不断产生批量：`return` 在第一个批量后就结束了函数；"
                             "请在 `while True:` 里写 `yield samples, targets`。")
    if not all(isinstance(batch, list) and len(batch) == 2 for batch in got):
        return gradelib.text("each batch should be a (samples, targets) pair.",
                             "每个批量应是一个 (样本, 目标) 对。")
    for number, (samples, targets) in enumerate(got):
        try:
            np.asarray(samples, dtype="float64"), np.asarray(targets, dtype="float64")
        except (ValueError, TypeError):
            lengths = sorted({len(w) for w in samples if hasattr(w, "__len__")}) \
                if isinstance(samples, list) else []
            return gradelib.text(
                f"the samples of batch {number} are not one array of numbers"
                f"{f' (windows of {lengths} rows)' if len(lengths) > 1 else ''}: every window "
                f"data[row - lookback:row:step] has the same length only when row >= "
                f"lookback, so draw rows from min_index + lookback on, and build samples "
                f"with np.zeros((len(rows), len(range(0, lookback, step)), data.shape[-1])).",
                f"第 {number} 个批量的样本不是一个数值数组"
                f"{f'（窗口有 {lengths} 行）' if len(lengths) > 1 else ''}：只有当 `row >= lookback` 时，"
                f"每个窗口 `data[row - lookback:row:step]` 的长度才相同，所以请从 `min_index + lookback` 开始取行，"
                f"并用 `np.zeros((len(rows), len(range(0, lookback, step)), data.shape[-1]))` 构造样本。")
    return None


def form(args, got):
    """None when ``got`` is a list of (samples, targets) batches of the course's shapes."""
    if not isinstance(got, list) or not got:
        return gradelib.text("should return a generator that yields batches forever (use "
                             "`while True:` and `yield samples, targets`).",
                             "应当返回一个无限产生批量的生成器（使用 `while True:` 和 `yield samples, targets`）。")
    problem = pairs_problem(got)
    if problem:
        return problem
    _, want = expected(args, len(got))
    for number, ((s, t), (ws, wt)) in enumerate(zip(got, want)):
        s, t = np.asarray(s), np.asarray(t)
        if s.shape != ws.shape or t.shape != wt.shape:
            return gradelib.text(
                f"batch {number} should have samples {ws.shape} and targets {wt.shape}, found "
                f"{s.shape} and {t.shape}. One sample is data[row - lookback:row:step]: "
                f"len(range(0, lookback, step)) rows, even when step does not divide lookback.",
                f"第 {number} 个批量的样本应为 {ws.shape}、目标应为 {wt.shape}，实际为 {s.shape} 和 "
                f"{t.shape}。一个样本是 `data[row - lookback:row:step]`：len(range(0, lookback, step)) 行，"
                f"即使 step 不能整除 lookback 也是如此。")
    return None


def sequential(generator):
    cases = gradelib.cases_of(generator, "generator", SEQUENTIAL, form, call_text)
    for case in cases:
        if not case.problem:
            case.result = [(np.asarray(s), np.asarray(t)) for s, t in case.result]
    return cases


@test_case(name=SHAPES, points=1)
def shapes(generator):
    cases = sequential(generator)
    gradelib.assert_well_formed(cases, VALUE_TESTS)
    for case in cases:
        for s, t in case.result:
            if s.dtype != np.float64 or t.dtype != np.float64:
                gradelib.fail(f"{case.call}: samples and targets should be float64 (np.zeros' "
                              f"default), found {s.dtype} and {t.dtype}.",
                              f"{case.call}：样本和目标应为 float64（np.zeros 的默认类型），实际为 "
                              f"{s.dtype} 和 {t.dtype}。")


@test_case(name=gradelib.text("sequential batches walk the rows in order and wrap around as in the "
                          "course", "按顺序的批量依次走过各行，并像课程里那样回到开头"), points=2)
def sequential_samples(generator):
    for case in gradelib.gradable(sequential(generator), SHAPES):
        rows, want = expected(case.args, len(case.result))
        for number, ((s, _), (ws, _), r) in enumerate(zip(case.result, want, rows)):
            if not np.allclose(s, ws):
                gradelib.fail(
                    f"{case.call}: batch {number} should hold the windows ending before "
                    f"rows {r[0]}..{r[-1]} ({len(r)} rows). Start at min_index + lookback, "
                    f"start again there when i + batch_size >= max_index, stop each batch at "
                    f"max_index, and take max_index=None as len(data) - delay - 1.",
                    f"{case.call}：第 {number} 个批量应包含结束于第 {r[0]}..{r[-1]} 行之前的窗口（{len(r)} 行）。"
                    f"从 min_index + lookback 开始，当 i + batch_size >= max_index 时回到那里重新开始，"
                    f"每个批量在 max_index 处停止，并把 max_index=None 当作 len(data) - delay - 1。")
        if stopped_early(case):
            gradelib.fail(stopped_early(case))


def stopped_early(case):
    """The sentence for a sequential case whose generator ended before the grader had taken
    its batches (``take``): it stops where it should start again. None when it went on."""
    spec = gradelib.config()["probes"]["generator"]["cases"][case.name]
    wanted = min(int(spec["take"]), kit_codec.TAKE_LIMIT)
    if len(case.result) >= wanted:
        return None
    return gradelib.text(f"{case.call}: the generator ended after {len(case.result)} batches, "
                         f"where the grader asked for {wanted}: keep yielding inside `while "
                         f"True:`, and when i + batch_size >= max_index start again at "
                         f"min_index + lookback.",
                         f"{case.call}：生成器在 {len(case.result)} 个批量后就结束了，而评分程序要取 {wanted} 个："
                         f"请在 `while True:` 里不断 `yield`，当 i + batch_size >= max_index 时回到 "
                         f"min_index + lookback 重新开始。")


def keyed(row):
    """A row of the data as a lookup key, the same for its float64 and float32 copies (a
    generator that yields float32 is the shape test's concern, not the rows')."""
    return tuple(np.asarray(row, dtype="float32").tolist())


def rows_of(where, lookback, samples):
    """The row each sample's window ends before, read from its first measurement (``where``
    maps each row of the data, distinct draws, to its index), or None if one is not there."""
    starts = [where.get(keyed(window[0])) for window in samples]
    return None if None in starts else np.asarray(starts) + lookback


@test_case(name=gradelib.text("each target is the temperature (column 1) delay rows after its row",
                          "每个目标是该行之后 delay 行的气温（第 1 列）"), points=2)
def targets(generator):
    for case in gradelib.gradable(sequential(generator), SHAPES):
        data, lookback, delay = case.args[0], case.args[1], case.args[2]
        where = {keyed(row): index for index, row in enumerate(data)}
        rows, want = expected(case.args, len(case.result))
        for (s, t), (_, wt), r in zip(case.result, want, rows):
            if np.allclose(t, wt):
                continue
            own = rows_of(where, lookback, s)  # a walk gone wrong is the order test's concern
            if own is not None and own.max() + delay < len(data) and np.allclose(
                    t, data[own + delay, 1]):
                continue
            hint = ""
            if np.allclose(t, data[r + delay, 0]):
                hint = gradelib.text(" You took column 0; the temperature is column 1.",
                                     "你取的是第 0 列；气温是第 1 列。")
            elif np.allclose(t, data[r, 1]):
                hint = gradelib.text(" You took the temperature at the row itself: add delay.",
                                     "你取的是该行本身的气温：请加上 delay。")
            gradelib.fail(f"{case.call}: targets should be data[row + {delay}][1] for rows "
                          f"{r[0]}..{r[-1]}.{hint}",
                          f"{case.call}：第 {r[0]}..{r[-1]} 行的目标应为 `data[row + {delay}][1]`。{hint}")


def batches_of(generator, case):
    """(arguments, [(samples, targets), ...]) of one shuffled case, or a failure."""
    [found] = gradelib.cases_of(generator, "generator", [case], form=lambda args, got: (
        pairs_problem(got) if isinstance(got, list) and got
        else gradelib.text("should yield (samples, targets) batches forever.",
                           "应当无限地产生 (样本, 目标) 批量。")), describe=call_text)
    if found.problem:
        gradelib.fail(found.problem)
    return found.args, [(np.asarray(s), np.asarray(t)) for s, t in found.result]


@test_case(name=gradelib.text("shuffled batches draw rows in [min_index + lookback, max_index), "
                          "reproducibly under a seed", "打乱的批量从 [min_index + lookback, max_index) "
                          "中抽取行，相同种子下可以重现"), points=1)
def shuffled(generator):
    args, first = batches_of(generator, "shuffled")
    _, again = batches_of(generator, "shuffled_again")
    _, other = batches_of(generator, "shuffled_other_seed")
    data, lookback, delay, min_index, max_index, _, batch_size, step = args
    where = {keyed(row): index for index, row in enumerate(data)}
    for samples, _ in first:
        if len(samples) != batch_size:
            gradelib.fail(f"{call_text(args)}: a shuffled batch should have {batch_size} rows, "
                          f"found {len(samples)}.",
                          f"{call_text(args)}：打乱的批量应有 {batch_size} 行，实际为 {len(samples)} 行。")
        for window in samples:
            if np.ndim(window) != 2:
                gradelib.fail(f"{call_text(args)}: each sample should be a window of "
                              f"{len(range(0, lookback, step))} rows of {data.shape[-1]} "
                              f"features, found shape {np.shape(window)}: yield samples, "
                              f"targets (in that order).",
                              f"{call_text(args)}：每个样本应是一个 {len(range(0, lookback, step))} 行、"
                              f"{data.shape[-1]} 个特征的窗口，实际形状为 {np.shape(window)}：请 "
                              f"`yield samples, targets`（按这个顺序）。")
            start = where.get(keyed(window[0]))
            row = None if start is None else start + lookback
            if row is None or not min_index + lookback <= row < max_index:
                gradelib.fail(f"{call_text(args)}: rows should be drawn from "
                              f"[{min_index + lookback}, {max_index}), found a window ending at "
                              f"row {row}: np.random.randint(min_index + lookback, max_index, "
                              f"size=batch_size).",
                              f"{call_text(args)}：行应从 [{min_index + lookback}, {max_index}) 中抽取，"
                              f"实际有一个窗口结束于第 {row} 行：`np.random.randint(min_index + lookback, "
                              f"max_index, size=batch_size)`。")
    same = all(np.array_equal(a[0], b[0]) for a, b in zip(first, again))
    differs = any(not np.array_equal(a[0], b[0]) for a, b in zip(first, other))
    if not same or not differs:
        gradelib.fail("shuffled batches should come from NumPy's global random generator: the "
                      "same seed should give the same batches and another seed other batches.",
                      "打乱的批量应来自 NumPy 的全局随机数生成器：相同的种子给出相同的批量，"
                      "不同的种子给出不同的批量。")
