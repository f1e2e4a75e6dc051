"""Hidden tests for generator(data, lookback, delay, min_index, max_index, shuffle, batch_size, step).

One mistake costs one concern's points: a sequential case that raises or yields
batches of the wrong shape fails the shape test only (the course's own generator
allocates lookback // step rows and raises when step does not divide lookback);
the order and target tests grade the other cases and say which they skipped.
"""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "generator"
SEQUENTIAL = ("sequential_wraps", "max_index_none", "step_not_dividing", "cut_short")
SHAPES = "generator batches have shape (rows, len(range(0, lookback, step)), features) and (rows,), float64"
VALUE_TESTS = ("the order of the rows", "the targets")


def call_text(args):
    data, lookback, delay, min_index, max_index, shuffle, batch_size, step = args
    return (f"generator(data of shape {data.shape}, lookback={lookback}, delay={delay}, "
            f"min_index={min_index}, max_index={max_index}, shuffle={shuffle}, "
            f"batch_size={batch_size}, step={step})")


def expected(args, count):
    data, lookback, delay, min_index, max_index, _, batch_size, step = args
    rows = gradelib.course_rows(data, lookback, delay, min_index, max_index, batch_size, count)
    return rows, [gradelib.course_batch(data, r, lookback, delay, step) for r in rows]


def form(args, got):
    """None when ``got`` is a list of (samples, targets) batches of the course's shapes."""
    if not isinstance(got, list) or not got:
        return ("should return a generator that yields batches forever (use `while True:` "
                "and `yield samples, targets`).")
    if not all(isinstance(batch, list) and len(batch) == 2 for batch in got):
        return "each batch should be a (samples, targets) pair."
    _, want = expected(args, len(got))
    for number, ((s, t), (ws, wt)) in enumerate(zip(got, want)):
        s, t = np.asarray(s), np.asarray(t)
        if s.shape != ws.shape or t.shape != wt.shape:
            return (f"batch {number} should have samples {ws.shape} and targets {wt.shape}, found "
                    f"{s.shape} and {t.shape}. One sample is data[row - lookback:row:step]: "
                    f"len(range(0, lookback, step)) rows, even when step does not divide lookback.")
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
                              f"default), found {s.dtype} and {t.dtype}.")


@test_case(name="sequential batches walk the rows in order and wrap around as in the course",
           points=2)
def sequential_samples(generator):
    for case in gradelib.gradable(sequential(generator), SHAPES):
        rows, want = expected(case.args, len(case.result))
        for number, ((s, _), (ws, _), r) in enumerate(zip(case.result, want, rows)):
            if not np.allclose(s, ws):
                gradelib.fail(
                    f"{case.call}: batch {number} should hold the windows ending before "
                    f"rows {r[0]}..{r[-1]} ({len(r)} rows). Start at min_index + lookback, "
                    f"start again there when i + batch_size >= max_index, stop each batch at "
                    f"max_index, and take max_index=None as len(data) - delay - 1.")


def rows_of(where, lookback, samples):
    """The row each sample's window ends before, read from its first measurement (``where``
    maps each row of the data, distinct draws, to its index), or None if one is not there."""
    starts = [where.get(tuple(window[0])) for window in samples]
    return None if None in starts else np.asarray(starts) + lookback


@test_case(name="each target is the temperature (column 1) delay rows after its row", points=2)
def targets(generator):
    for case in gradelib.gradable(sequential(generator), SHAPES):
        data, lookback, delay = case.args[0], case.args[1], case.args[2]
        where = {tuple(row): index for index, row in enumerate(data)}
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
                hint = " You took column 0; the temperature is column 1."
            elif np.allclose(t, data[r, 1]):
                hint = " You took the temperature at the row itself: add delay."
            gradelib.fail(f"{case.call}: targets should be data[row + {delay}][1] for rows "
                          f"{r[0]}..{r[-1]}.{hint}")


def batches_of(generator, case):
    """(arguments, [(samples, targets), ...]) of one shuffled case, or a failure."""
    [found] = gradelib.cases_of(generator, "generator", [case], form=lambda args, got: (
        None if isinstance(got, list) and got and all(
            isinstance(b, list) and len(b) == 2 for b in got)
        else "should yield (samples, targets) batches forever."), describe=call_text)
    if found.problem:
        gradelib.fail(found.problem)
    return found.args, [(np.asarray(s), np.asarray(t)) for s, t in found.result]


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
            start = where.get(tuple(window[0])) if np.ndim(window) == 2 else None
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
