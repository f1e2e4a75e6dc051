"""Hidden tests for build_reuters_model() (64-64-46, compiled for 46 topics)."""
from otter.test_files import test_case

import gradelib
from shared.getting_started_spec import REUTERS_COMPILE, REUTERS_PARAMS, REUTERS_TABLE

OK_FORMAT = False
name = "reuters_model"


@test_case(name="build_reuters_model layers are Dense 64 relu, 64 relu, 46 softmax", points=2)
def layers(build_reuters_model):
    gradelib.assert_architecture(build_reuters_model, (), REUTERS_TABLE, "build_reuters_model")


@test_case(name="build_reuters_model has 647,214 parameters", points=1)
def parameters(build_reuters_model):
    gradelib.assert_parameters(build_reuters_model, (), REUTERS_PARAMS, "build_reuters_model")


@test_case(name="build_reuters_model compiles with rmsprop / categorical_crossentropy / accuracy",
           points=1)
def compiled(build_reuters_model):
    gradelib.assert_builds_compiled(build_reuters_model, (), REUTERS_COMPILE, "build_reuters_model")


@test_case(name="build_reuters_model learns hidden newswires", points=2, hidden=True)
def learns(build_reuters_model):
    gradelib.assert_trains(build_reuters_model, "reuters")
