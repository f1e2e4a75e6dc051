"""Hidden tests for convolutional_model(input_shape) and the compiled conv_model (SIGNS)."""
from otter.test_files import test_case

import gradelib
from shared.checks import build
from shared.convnets_spec import SIGNS_COMPILE, SIGNS_INPUT_SHAPE, SIGNS_PARAMS, SIGNS_TABLE

OK_FORMAT = False
name = "signs_model"
#: The hidden case "small_images": the same network built for 32 x 32 images.
SMALL_IMAGES = (32, 32, 3)


@test_case(name=gradelib.text("convolutional_model layers match the course's table",
                          "convolutional_model 的层与课程的表格一致"), points=2)
def layers(convolutional_model):
    gradelib.assert_architecture(convolutional_model, (SIGNS_INPUT_SHAPE,), SIGNS_TABLE,
                                 "convolutional_model")


@test_case(name=gradelib.text("convolutional_model builds its Input from the input_shape it is given",
                          "convolutional_model 用传入的 input_shape 构建它的 Input"), points=1)
def uses_input_shape(convolutional_model):
    model = build(convolutional_model, SMALL_IMAGES, name="convolutional_model")
    found = tuple(model.inputs[0].shape) if len(model.inputs) == 1 else None
    if found != (None, *SMALL_IMAGES):
        gradelib.fail(f"convolutional_model({SMALL_IMAGES}) built a model for inputs {found}, "
                      f"expected (None, {', '.join(map(str, SMALL_IMAGES))}): the grader also "
                      f"builds it for images of another size; use keras.Input(shape=input_shape) "
                      f"rather than a fixed shape.",
                      f"convolutional_model({SMALL_IMAGES}) 构建的模型输入为 {found}，应为 "
                      f"(None, {', '.join(map(str, SMALL_IMAGES))})：评分程序还会为其他大小的图片构建它；"
                      f"请使用 keras.Input(shape=input_shape)，不要写死形状。")


@test_case(name=gradelib.text("convolutional_model has 1,310 parameters",
                          "convolutional_model 有 1,310 个参数"), points=1)
def parameters(convolutional_model):
    gradelib.assert_parameters(convolutional_model, (SIGNS_INPUT_SHAPE,), SIGNS_PARAMS,
                               "convolutional_model")


@test_case(name=gradelib.text("conv_model is compiled with adam / categorical_crossentropy / accuracy",
                          "conv_model 用 adam / categorical_crossentropy / accuracy 编译"), points=1)
def compiled(conv_model):
    gradelib.assert_compiled(conv_model, SIGNS_COMPILE, "conv_model")


@test_case(name=gradelib.text("convolutional_model learns hidden SIGNS data",
                          "convolutional_model 能学会隐藏的 SIGNS 数据"), points=2, hidden=True)
def learns(convolutional_model):
    gradelib.assert_trains(convolutional_model, "signs")
