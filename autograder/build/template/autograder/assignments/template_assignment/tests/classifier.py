"""Hidden tests for build_classifier(n_features): Dense(16, relu) -> Dense(1, sigmoid), compiled."""
from otter.test_files import test_case

import gradelib
from shared.template_assignment_spec import CLASSIFIER_COMPILE, CLASSIFIER_TABLE, N_FEATURES

OK_FORMAT = False
name = "classifier"


@test_case(name=gradelib.text("build_classifier layers are Dense 16 relu and Dense 1 sigmoid",
                              "build_classifier 的层为 Dense 16 relu 和 Dense 1 sigmoid"), points=2)
def layers(build_classifier):
    gradelib.assert_architecture(build_classifier, (N_FEATURES,), CLASSIFIER_TABLE,
                                 "build_classifier")


@test_case(name=gradelib.text("build_classifier compiles with adam / binary_crossentropy / accuracy",
                              "build_classifier 用 adam / binary_crossentropy / accuracy 编译"),
           points=1)
def compiled(build_classifier):
    gradelib.assert_builds_compiled(build_classifier, (N_FEATURES,), CLASSIFIER_COMPILE,
                                    "build_classifier")


@test_case(name=gradelib.text("build_classifier learns hidden rows",
                              "build_classifier 能学会隐藏的数据行"), points=2, hidden=True)
def learns(build_classifier):
    gradelib.assert_trains(build_classifier, "classifier")
