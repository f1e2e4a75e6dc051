"""Hidden tests for build_gru_model(n_features) (GRU(32) -> Dense(1), rmsprop / mae)."""
from otter.test_files import test_case

import gradelib
from shared.weather_spec import GRU_COMPILE, GRU_PARAMS, GRU_TABLE, N_FEATURES

OK_FORMAT = False
name = "gru_model"


@test_case(name=gradelib.text("build_gru_model layers are GRU(32) and Dense(1)",
                          "build_gru_model 的层是 GRU(32) 和 Dense(1)"), points=1)
def layers(build_gru_model):
    gradelib.assert_architecture(build_gru_model, (N_FEATURES,), GRU_TABLE, "build_gru_model")


@test_case(name=gradelib.text("build_gru_model has 4,641 parameters", "build_gru_model 有 4,641 个参数"), points=1)
def parameters(build_gru_model):
    gradelib.assert_parameters(build_gru_model, (N_FEATURES,), GRU_PARAMS, "build_gru_model")


@test_case(name=gradelib.text("build_gru_model compiles with rmsprop and the mae loss",
                          "build_gru_model 用 rmsprop 和 mae 损失函数编译"), points=1)
def compiled(build_gru_model):
    gradelib.assert_builds_compiled(build_gru_model, (N_FEATURES,), GRU_COMPILE, "build_gru_model")


@test_case(name=gradelib.text("build_gru_model beats the naive baseline on hidden weather",
                          "build_gru_model 在隐藏的天气数据上优于朴素基准"), points=2, hidden=True)
def beats_naive(build_gru_model):
    gradelib.assert_beats_naive(build_gru_model, "gru")
