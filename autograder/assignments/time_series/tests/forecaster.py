"""Hidden tests for build_forecaster() (Lambda, BiLSTM x 2, Dense, Lambda)."""
import numpy as np
from otter.test_files import test_case

import gradelib
from shared.checks import build
from shared.time_series_spec import FORECASTER_PARAMS, FORECASTER_TABLE

OK_FORMAT = False
name = "forecaster"
SCALE = 100.0  # the last Lambda: x * 100.0


@test_case(name=gradelib.text("build_forecaster layers match the table, the last Lambda scaling "
                              "by 100", "build_forecaster 的层与表格一致，最后的 Lambda 乘以 100"),
           points=2)
def layers(build_forecaster):
    gradelib.assert_architecture(build_forecaster, (), FORECASTER_TABLE, "build_forecaster")
    model = build(build_forecaster, name="build_forecaster")
    probe = np.array([[-1.5], [0.5], [2.0]], dtype="float32")
    found = np.asarray(model.layers[-1](probe), dtype="float64")
    if not np.allclose(found, SCALE * probe, rtol=1e-5):
        turned = f"{found.ravel()[-1]:g}" if found.size else gradelib.text("nothing", "空输出")
        gradelib.fail(f"the last Lambda of build_forecaster should multiply by {SCALE:g} (the "
                      f"LSTM's outputs are near 1, the series in the tens), found it turns 2.0 "
                      f"into {turned}: Lambda(lambda x: x * 100.0).",
                      f"build_forecaster 的最后一个 Lambda 应乘以 {SCALE:g}（LSTM 的输出在 1 附近，"
                      f"序列的值在几十），实际它把 2.0 变成了 {turned}：Lambda(lambda x: x * 100.0)。")


@test_case(name=gradelib.text("build_forecaster has 33,601 parameters", "build_forecaster 有 33,601 个参数"), points=1)
def parameters(build_forecaster):
    gradelib.assert_parameters(build_forecaster, (), FORECASTER_PARAMS, "build_forecaster")


@test_case(name=gradelib.text("build_forecaster beats the naive forecast on a hidden series",
                          "build_forecaster 在隐藏序列上优于朴素预测"), points=2,
           hidden=True)
def forecasts(build_forecaster):
    gradelib.assert_forecasts(build_forecaster, "forecaster")
