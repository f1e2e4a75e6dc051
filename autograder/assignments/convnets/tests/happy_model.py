"""Hidden tests for happyModel() and the compiled happy_model (Happy House)."""
from otter.test_files import test_case

import gradelib
from shared.convnets_spec import HAPPY_COMPILE, HAPPY_PARAMS, HAPPY_TABLE

OK_FORMAT = False
name = "happy_model"


@test_case(name=gradelib.text("happyModel layers match the course's table",
                          "happyModel 的层与课程的表格一致"), points=3)
def layers(happyModel):
    gradelib.assert_architecture(happyModel, (), HAPPY_TABLE, "happyModel")


@test_case(name=gradelib.text("happyModel has 37,633 parameters", "happyModel 有 37,633 个参数"), points=1)
def parameters(happyModel):
    gradelib.assert_parameters(happyModel, (), HAPPY_PARAMS, "happyModel")


@test_case(name=gradelib.text("happy_model is compiled with adam / binary_crossentropy / accuracy",
                          "happy_model 用 adam / binary_crossentropy / accuracy 编译"), points=1)
def compiled(happy_model):
    gradelib.assert_compiled(happy_model, HAPPY_COMPILE, "happy_model")


@test_case(name=gradelib.text("happyModel learns hidden Happy House data",
                          "happyModel 能学会隐藏的 Happy House 数据"), points=2, hidden=True)
def learns(happyModel):
    gradelib.assert_trains(happyModel, "happy")
