"""Hidden tests for build_imdb_model() (16-16-1, compiled for binary labels)."""
from otter.test_files import test_case

import gradelib
from shared.getting_started_spec import IMDB_COMPILE, IMDB_PARAMS, IMDB_TABLE

OK_FORMAT = False
name = "imdb_model"


@test_case(name=gradelib.text("build_imdb_model layers are Dense 16 relu, 16 relu, 1 sigmoid",
                          "build_imdb_model 的层是 Dense 16 relu、16 relu、1 sigmoid"), points=2)
def layers(build_imdb_model):
    gradelib.assert_architecture(build_imdb_model, (), IMDB_TABLE, "build_imdb_model")


@test_case(name=gradelib.text("build_imdb_model has 160,305 parameters",
                          "build_imdb_model 有 160,305 个参数"), points=1)
def parameters(build_imdb_model):
    gradelib.assert_parameters(build_imdb_model, (), IMDB_PARAMS, "build_imdb_model")


@test_case(name=gradelib.text("build_imdb_model compiles with rmsprop / binary_crossentropy / accuracy",
                          "build_imdb_model 用 rmsprop / binary_crossentropy / accuracy 编译"),
           points=1)
def compiled(build_imdb_model):
    gradelib.assert_builds_compiled(build_imdb_model, (), IMDB_COMPILE, "build_imdb_model")


@test_case(name=gradelib.text("build_imdb_model learns hidden reviews", "build_imdb_model 能学会隐藏的影评"), points=2, hidden=True)
def learns(build_imdb_model):
    gradelib.assert_trains(build_imdb_model, "imdb")
