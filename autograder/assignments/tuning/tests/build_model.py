"""Hidden tests for build_model(n_layers, units, activation, loss, output)."""
from otter.test_files import test_case

import gradelib
from shared.checks import architecture_problems, build, compile_problems
from shared.tuning_spec import expected_compile, expected_table

OK_FORMAT = False
name = "build_model"
CASES = ("imdb_3x32_tanh", "imdb_1x64_mse", "reuters_2x128")


def built(build_model, case):
    args = gradelib.probe_case("build_model", case)
    return args, build(build_model, *args, name="build_model")


@test_case(name="build_model stacks n_layers Dense(units, activation) and the right output layer",
           points=2)
def layers(build_model):
    for case in CASES:
        args, model = built(build_model, case)
        n_layers, units, activation, _, output = args
        problems = architecture_problems(model, expected_table(n_layers, units, activation, output))
        if problems:
            gradelib.fail(f"build_model{tuple(args)}: " + "\n".join(problems))


@test_case(name="build_model compiles with rmsprop, the given loss and accuracy", points=1)
def compiled(build_model):
    for case in CASES:
        args, model = built(build_model, case)
        problems = compile_problems(model, expected_compile(args[3]),
                                    name=f"build_model{tuple(args)}")
        if problems:
            gradelib.fail("\n".join(problems))


@test_case(name="build_model(2, 16, 'relu', 'binary_crossentropy', 1) learns hidden reviews",
           points=1, hidden=True)
def learns(build_model):
    gradelib.assert_trains(build_model, "imdb")
