"""Hidden tests for build_forecaster() (Lambda, BiLSTM x 2, Dense, Lambda)."""
from otter.test_files import test_case

import gradelib
from shared.time_series_spec import FORECASTER_PARAMS, FORECASTER_TABLE

OK_FORMAT = False
name = "forecaster"


@test_case(name="build_forecaster layers match the table", points=2)
def layers(build_forecaster):
    gradelib.assert_architecture(build_forecaster, (), FORECASTER_TABLE, "build_forecaster")


@test_case(name="build_forecaster has 33,601 parameters", points=1)
def parameters(build_forecaster):
    gradelib.assert_parameters(build_forecaster, (), FORECASTER_PARAMS, "build_forecaster")


@test_case(name="build_forecaster beats the naive forecast on a hidden series", points=2,
           hidden=True)
def forecasts(build_forecaster):
    gradelib.assert_forecasts(build_forecaster, "forecaster")
