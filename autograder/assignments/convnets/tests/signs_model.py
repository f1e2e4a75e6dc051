"""Hidden tests for convolutional_model(input_shape) and the compiled conv_model (SIGNS)."""
from otter.test_files import test_case

import gradelib
from shared.convnets_spec import SIGNS_COMPILE, SIGNS_INPUT_SHAPE, SIGNS_PARAMS, SIGNS_TABLE

OK_FORMAT = False
name = "signs_model"


@test_case(name="convolutional_model layers match the course's table", points=3)
def layers(convolutional_model):
    gradelib.assert_architecture(convolutional_model, (SIGNS_INPUT_SHAPE,), SIGNS_TABLE,
                                 "convolutional_model")


@test_case(name="convolutional_model has 1,310 parameters", points=1)
def parameters(convolutional_model):
    gradelib.assert_parameters(convolutional_model, (SIGNS_INPUT_SHAPE,), SIGNS_PARAMS,
                               "convolutional_model")


@test_case(name="conv_model is compiled with adam / categorical_crossentropy / accuracy",
           points=1)
def compiled(conv_model):
    gradelib.assert_compiled(conv_model, SIGNS_COMPILE, "conv_model")


@test_case(name="convolutional_model learns hidden SIGNS data", points=2, hidden=True)
def learns(convolutional_model):
    gradelib.assert_trains(convolutional_model, "signs")
