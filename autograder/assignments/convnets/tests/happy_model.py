"""Hidden tests for happyModel() and the compiled happy_model (Happy House)."""
from otter.test_files import test_case

import gradelib
from shared.convnets_spec import HAPPY_COMPILE, HAPPY_PARAMS, HAPPY_TABLE

OK_FORMAT = False
name = "happy_model"


@test_case(name="happyModel layers match the course's table", points=3)
def layers(happyModel):
    gradelib.assert_architecture(happyModel, (), HAPPY_TABLE, "happyModel")


@test_case(name="happyModel has 37,633 parameters", points=1)
def parameters(happyModel):
    gradelib.assert_parameters(happyModel, (), HAPPY_PARAMS, "happyModel")


@test_case(name="happy_model is compiled with adam / binary_crossentropy / accuracy", points=1)
def compiled(happy_model):
    gradelib.assert_compiled(happy_model, HAPPY_COMPILE, "happy_model")


@test_case(name="happyModel learns hidden Happy House data", points=2, hidden=True)
def learns(happyModel):
    gradelib.assert_trains(happyModel, "happy")
