"""Hidden tests for generator(data, lookback, delay, min_index, max_index, shuffle, batch_size, step)."""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "generator"
SEQUENTIAL = ("sequential_wraps", "max_index_none", "step_not_dividing", "cut_short")


def batches_of(generator, case):
    """(arguments, [(samples, targets), ...]) of one hidden case."""
    args = gradelib.probe_case("generator", case)
    batches = gradelib.call_case(generator, "generator", case)
    if not isinstance(batches, list) or not batches:
        gradelib.fail("generator(...) should return a generator that yields batches forever "
                      "(use `while True:` and `yield samples, targets`).")
    for batch in batches:
        if not isinstance(batch, list) or len(batch) != 2:
            gradelib.fail("each batch should be a (samples, targets) pair.")
    return args, [(np.asarray(s), np.asarray(t)) for s, t in batches]


def call_text(args):
    data, lookback, delay, min_index, max_index, shuffle, batch_size, step = args
    return (f"generator(data of shape {data.shape}, lookback={lookback}, delay={delay}, "
            f"min_index={min_index}, max_index={max_index}, shuffle={shuffle}, "
            f"batch_size={batch_size}, step={step})")


def expected(args, count):
    data, lookback, delay, min_index, max_index, _, batch_size, step = args
    rows = gradelib.course_rows(data, lookback, delay, min_index, max_index, batch_size, count)
    return rows, [gradelib.course_batch(data, r, lookback, delay, step) for r in rows]


@test_case(name="generator batches have shape (rows, len(range(0, lookback, step)), features) "
                "and (rows,), float64", points=1)
def shapes(generator):
    for case in SEQUENTIAL:
        args, got = batches_of(generator, case)
        _, want = expected(args, len(got))
        for number, ((s, t), (ws, wt)) in enumerate(zip(got, want)):
            if s.shape != ws.shape or t.shape != wt.shape:
                gradelib.fail(f"{call_text(args)}: batch {number} should have samples {ws.shape} "
                              f"and targets {wt.shape}, found {s.shape} and {t.shape}. One sample "
                              f"is data[row - lookback:row:step]: len(range(0, lookback, step)) "
                              f"rows, even when step does not divide lookback.")
            if s.dtype != np.float64 or t.dtype != np.float64:
                gradelib.fail(f"samples and targets should be float64 (np.zeros' default), "
                              f"found {s.dtype} and {t.dtype}.")


@test_case(name="sequential batches walk the rows in order and wrap around as in the course",
           points=2)
def sequential_samples(generator):
    for case in SEQUENTIAL:
        args, got = batches_of(generator, case)
        rows, want = expected(args, len(got))
        for number, ((s, _), (ws, _), r) in enumerate(zip(got, want, rows)):
            if s.shape != ws.shape or not np.allclose(s, ws):
                gradelib.fail(
                    f"{call_text(args)}: batch {number} should hold the windows ending before "
                    f"rows {r[0]}..{r[-1]} ({len(r)} rows). Start at min_index + lookback, "
                    f"start again there when i + batch_size >= max_index, stop each batch at "
                    f"max_index, and take max_index=None as len(data) - delay - 1.")


@test_case(name="each target is the temperature (column 1) delay rows after its row", points=2)
def targets(generator):
    for case in SEQUENTIAL:
        args, got = batches_of(generator, case)
        data, _, delay = args[0], args[1], args[2]
        rows, want = expected(args, len(got))
        for (s, t), (_, wt), r in zip(got, want, rows):
            if t.shape == wt.shape and np.allclose(t, wt):
                continue
            hint = ""
            if t.shape == wt.shape:
                if np.allclose(t, data[r + delay, 0]):
                    hint = " You took column 0; the temperature is column 1."
                elif np.allclose(t, data[r, 1]):
                    hint = " You took the temperature at the row itself: add delay."
            gradelib.fail(f"{call_text(args)}: targets should be data[row + {delay}][1] for rows "
                          f"{r[0]}..{r[-1]}.{hint}")


@test_case(name="shuffled batches draw rows in [min_index + lookback, max_index), "
                "reproducibly under a seed", points=1)
def shuffled(generator):
    args, first = batches_of(generator, "shuffled")
    _, again = batches_of(generator, "shuffled_again")
    _, other = batches_of(generator, "shuffled_other_seed")
    data, lookback, delay, min_index, max_index, _, batch_size, step = args
    where = {tuple(row): index for index, row in enumerate(data)}
    for samples, _ in first:
        if len(samples) != batch_size:
            gradelib.fail(f"{call_text(args)}: a shuffled batch should have {batch_size} rows, "
                          f"found {len(samples)}.")
        for window in samples:
            start = where.get(tuple(window[0]))
            row = None if start is None else start + lookback
            if row is None or not min_index + lookback <= row < max_index:
                gradelib.fail(f"{call_text(args)}: rows should be drawn from "
                              f"[{min_index + lookback}, {max_index}), found a window ending at "
                              f"row {row}: np.random.randint(min_index + lookback, max_index, "
                              f"size=batch_size).")
    same = all(np.array_equal(a[0], b[0]) for a, b in zip(first, again))
    differs = any(not np.array_equal(a[0], b[0]) for a, b in zip(first, other))
    if not same or not differs:
        gradelib.fail("shuffled batches should come from NumPy's global random generator: the "
                      "same seed should give the same batches and another seed other batches.")
