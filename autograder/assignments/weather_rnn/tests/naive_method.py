"""Hidden tests for evaluate_naive_method(data, lookback, delay, min_index, max_index, ...)."""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "naive_method"


def reference(data, lookback, delay, min_index, max_index, batch_size=128, step=6):
    steps = (max_index - min_index - lookback) // batch_size
    rows = gradelib.course_rows(data, lookback, delay, min_index, max_index, batch_size, steps)
    maes = []
    for r in rows:
        samples, targets = gradelib.course_batch(data, r, lookback, delay, step)
        maes.append(np.mean(np.abs(samples[:, -1, 1] - targets)))
    return float(np.mean(maes))


@test_case(name=gradelib.text("evaluate_naive_method averages the batch MAEs of 'no change in delay steps'",
                          "evaluate_naive_method 对“delay 步之后不变”的各批量 MAE 取平均"),
           points=2)
def naive_mae(evaluate_naive_method):
    for case in ("validation_like", "small_batches"):
        args = gradelib.probe_case("evaluate_naive_method", case)
        got = gradelib.call_case(evaluate_naive_method, "evaluate_naive_method", case)
        want = reference(*args)
        try:
            value = float(got)
        except (TypeError, ValueError):
            gradelib.fail(f"evaluate_naive_method should return a number, found {got!r}.",
                          f"evaluate_naive_method 应当返回一个数，实际为 {got!r}。")
        if not np.isclose(value, want, rtol=1e-6):
            gradelib.fail(f"on hidden data (lookback={args[1]}, delay={args[2]}, batch_size="
                          f"{args[5]}, step={args[6]}) the naive MAE is {want:.4f}, found "
                          f"{value:.4f}. Walk (max_index - min_index - lookback) // batch_size "
                          f"sequential batches; predict samples[:, -1, 1]; average the batch MAEs.",
                          f"在隐藏数据上（lookback={args[1]}、delay={args[2]}、batch_size={args[5]}、"
                          f"step={args[6]}），朴素方法的 MAE 是 {want:.4f}，实际为 {value:.4f}。请按顺序走 "
                          f"`(max_index - min_index - lookback) // batch_size` 个批量；用 `samples[:, -1, 1]` 作预测；"
                          f"对各批量的 MAE 取平均。")
