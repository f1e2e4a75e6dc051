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
FORM = gradelib.text("forecast returns a 1-D array of len(series) - start values",
                     "forecast 返回含 len(series) - start 个值的一维数组")


def describe(args):
    _, series, window, start = args
    return gradelib.text(f"forecast(model, series of {len(series)} values, {window}, start={start})",
                         f"forecast(model, 含 {len(series)} 个值的 series, {window}, start={start})")


def form(args, got):
    steps = len(args[1]) - args[3]
    size = np.asarray(got).size if isinstance(got, (np.ndarray, list, float, int)) else None
    if size != steps:
        found = size if size is not None else type(got).__name__
        return gradelib.text(f"should return one value per step from start to the end: {steps} "
                             f"values, found {found}.",
                             f"应为从 start 到末尾的每个时间步返回一个值：共 {steps} 个，实际为 {found}。")
    return None


def results(forecast):
    return gradelib.cases_of(forecast, "forecast", CASES, form, describe)


@test_case(name=FORM, points=1)
def one_dimensional(forecast):
    cases = results(forecast)
    gradelib.assert_well_formed(cases, (gradelib.text("the forecasts", "预测值"),))
    for case in cases:
        shape = np.shape(case.result)
        if len(shape) != 1:
            gradelib.fail(f"{case.call} returned an array of shape {shape}; the forecast is a "
                          f"1-D array of {shape[0] if shape else 1} values: flatten what "
                          f"model.predict returns (.ravel() or [:, 0]).",
                          f"{case.call} 返回了形状为 {shape} 的数组；预测结果应是含 "
                          f"{shape[0] if shape else 1} 个值的一维数组：请把 model.predict 的返回值展平"
                          f"（.ravel() 或 [:, 0]）。")


@test_case(name=gradelib.text("forecast predicts each step from start on, from the window before it",
                          "forecast 用每个时间步之前的窗口，预测从 start 开始的每个时间步"), points=2)
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
                          f"(model output {want[first]:.3f}), found {got[first]:.3f}.",
                          f"{case.call}：时间步 {start + first} 的预测应来自 {window} 个值 "
                          f"series[{start + first - window}:{start + first}]（模型输出 "
                          f"{want[first]:.3f}），实际为 {got[first]:.3f}。")
