"""Hidden tests for build_model(n_layers, units, activation, loss, output).

A variant whose call raises fails the layer test only; the compile test grades the
variants that built and says which it skipped.
"""
from otter.test_files import test_case

import gradelib
from shared.checks import architecture_problems, compile_problems
from shared.tuning_spec import expected_compile, expected_table

OK_FORMAT = False
name = "build_model"
CASES = ("imdb_3x32_tanh", "imdb_1x64_mse", "reuters_2x128")
LAYERS = gradelib.text("build_model stacks n_layers Dense(units, activation) and the right output "
                       "layer", "build_model 堆叠 n_layers 个 Dense(units, activation) 和正确的输出层")


@test_case(name=LAYERS, points=2)
def layers(build_model):
    cases = gradelib.built_cases(build_model, "build_model", CASES)
    gradelib.assert_well_formed(cases, (gradelib.text("the compile settings", "编译设置"),))
    for case in cases:
        n_layers, units, activation, _, output = case.args
        problems = architecture_problems(case.result,
                                         expected_table(n_layers, units, activation, output))
        if problems:
            gradelib.fail(f"{case.call}: " + "\n".join(problems),
                          f"{case.call}：" + "\n".join(problems))


@test_case(name=gradelib.text("build_model compiles with rmsprop, the given loss and accuracy",
                          "build_model 用 rmsprop、传入的损失函数和 accuracy 编译"), points=1)
def compiled(build_model):
    for case in gradelib.gradable(gradelib.built_cases(build_model, "build_model", CASES), LAYERS):
        problems = compile_problems(case.result, expected_compile(case.args[3]), name=case.call,
                                    builder="build_model")
        if problems:
            gradelib.fail("\n".join(problems) + " (compile with the loss given as an argument)",
                          "\n".join(problems) + "（请用作为参数传入的损失函数编译）")


@test_case(name=gradelib.text("build_model(2, 16, 'relu', 'binary_crossentropy', 1) learns hidden "
                          "reviews", "build_model(2, 16, 'relu', 'binary_crossentropy', 1) 能学会隐藏的影评"),
           points=1, hidden=True)
def learns(build_model):
    gradelib.assert_trains(build_model, "imdb")
