"""Hidden tests for forecast(model, series, window_size, start)."""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "forecast"


@test_case(name=gradelib.text("forecast predicts each step from start on, from the window before it",
                          "forecast 用每个时间步之前的窗口，预测从 start 开始的每个时间步"),
           points=2)
def aligned(forecast):
    for case in ("last_value", "moving_average"):
        model, series, window, start = gradelib.probe_case("forecast", case)
        got = np.asarray(gradelib.call_case(forecast, "forecast", case), dtype="float64").ravel()
        weights = model.layers[0].get_weights()[0].ravel()
        history = np.lib.stride_tricks.sliding_window_view(series[start - window:-1], window)
        want = history @ weights
        if got.shape != want.shape:
            gradelib.fail(f"forecast(model, series of {len(series)} values, {window}, start={start}) "
                          f"should return one value per step from start to the end: "
                          f"{len(want)} values, found {got.size}.",
                          f"forecast(model, 含 {len(series)} 个值的序列, {window}, start={start}) "
                          f"应为从 start 到末尾的每个时间步返回一个值：共 {len(want)} 个，实际 {got.size} 个。")
        if not np.allclose(got, want, atol=1e-4):
            first = int(np.flatnonzero(~np.isclose(got, want, atol=1e-4))[0])
            gradelib.fail(f"forecast for step {start + first} should come from the {window} "
                          f"values series[{start + first - window}:{start + first}] (model output "
                          f"{want[first]:.3f}), found {got[first]:.3f}.",
                          f"时间步 {start + first} 的预测应来自 {window} 个值 "
                          f"series[{start + first - window}:{start + first}]（模型输出 "
                          f"{want[first]:.3f}），实际为 {got[first]:.3f}。")
