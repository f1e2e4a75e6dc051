"""Hidden tests for build_forecaster() (Lambda, BiLSTM x 2, Dense, Lambda)."""
from otter.test_files import test_case

import gradelib
from shared.time_series_spec import FORECASTER_PARAMS, FORECASTER_TABLE

OK_FORMAT = False
name = "forecaster"


@test_case(name=gradelib.text("build_forecaster layers match the table", "build_forecaster 的层与表格一致"), points=2)
def layers(build_forecaster):
    gradelib.assert_architecture(build_forecaster, (), FORECASTER_TABLE, "build_forecaster")


@test_case(name=gradelib.text("build_forecaster has 33,601 parameters", "build_forecaster 有 33,601 个参数"), points=1)
def parameters(build_forecaster):
    gradelib.assert_parameters(build_forecaster, (), FORECASTER_PARAMS, "build_forecaster")


@test_case(name=gradelib.text("build_forecaster beats the naive forecast on a hidden series",
                          "build_forecaster 在隐藏序列上优于朴素预测"), points=2,
           hidden=True)
def forecasts(build_forecaster):
    gradelib.assert_forecasts(build_forecaster, "forecaster")
