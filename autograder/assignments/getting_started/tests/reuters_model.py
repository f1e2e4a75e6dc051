"""Hidden tests for build_reuters_model() (64-64-46, compiled for 46 topics)."""
from otter.test_files import test_case

import gradelib
from shared.getting_started_spec import REUTERS_COMPILE, REUTERS_PARAMS, REUTERS_TABLE

OK_FORMAT = False
name = "reuters_model"


@test_case(name=gradelib.text("build_reuters_model layers are Dense 64 relu, 64 relu, 46 softmax",
                          "build_reuters_model 的层是 Dense 64 relu、64 relu、46 softmax"), points=2)
def layers(build_reuters_model):
    gradelib.assert_architecture(build_reuters_model, (), REUTERS_TABLE, "build_reuters_model")


@test_case(name=gradelib.text("build_reuters_model has 647,214 parameters",
                          "build_reuters_model 有 647,214 个参数"), points=1)
def parameters(build_reuters_model):
    gradelib.assert_parameters(build_reuters_model, (), REUTERS_PARAMS, "build_reuters_model")


@test_case(name=gradelib.text("build_reuters_model compiles with rmsprop / categorical_crossentropy / accuracy",
                          "build_reuters_model 用 rmsprop / categorical_crossentropy / accuracy 编译"),
           points=1)
def compiled(build_reuters_model):
    gradelib.assert_builds_compiled(build_reuters_model, (), REUTERS_COMPILE, "build_reuters_model")


@test_case(name=gradelib.text("build_reuters_model learns hidden newswires",
                          "build_reuters_model 能学会隐藏的新闻"), points=2, hidden=True)
def learns(build_reuters_model):
    gradelib.assert_trains(build_reuters_model, "reuters")
