"""Hidden tests for forecast(model, series, window_size, start).

A case that raises or does not return one value per step fails the form test only; the
alignment test grades the other cases and says which it skipped.
"""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "forecast"
CASES = ("last_value", "moving_average")
FORM = "forecast returns a 1-D array of len(series) - start values"


def describe(args):
    _, series, window, start = args
    return f"forecast(model, series of {len(series)} values, {window}, start={start})"


def form(args, got):
    steps = len(args[1]) - args[3]
    size = np.asarray(got).size if isinstance(got, (np.ndarray, list, float, int)) else None
    if size != steps:
        return (f"should return one value per step from start to the end: {steps} values, "
                f"found {size if size is not None else type(got).__name__}.")
    return None


def results(forecast):
    return gradelib.cases_of(forecast, "forecast", CASES, form, describe)


@test_case(name=FORM, points=1)
def one_dimensional(forecast):
    cases = results(forecast)
    gradelib.assert_well_formed(cases, ("the forecasts",))
    for case in cases:
        shape = np.shape(case.result)
        if len(shape) != 1:
            gradelib.fail(f"{case.call} returned an array of shape {shape}; the forecast is a "
                          f"1-D array of {shape[0] if shape else 1} values: flatten what "
                          f"model.predict returns (.ravel() or [:, 0]).")


@test_case(name="forecast predicts each step from start on, from the window before it",
           points=2)
def aligned(forecast):
    for case in gradelib.gradable(results(forecast), FORM):
        model, series, window, start = case.args
        got = np.asarray(case.result, dtype="float64").ravel()
        weights = model.layers[0].get_weights()[0].ravel()
        history = np.lib.stride_tricks.sliding_window_view(series[start - window:-1], window)
        want = history @ weights
        if not np.allclose(got, want, atol=1e-4):
            first = int(np.flatnonzero(~np.isclose(got, want, atol=1e-4))[0])
            gradelib.fail(f"{case.call}: the forecast for step {start + first} should come from "
                          f"the {window} values series[{start + first - window}:{start + first}] "
                          f"(model output {want[first]:.3f}), found {got[first]:.3f}.")
