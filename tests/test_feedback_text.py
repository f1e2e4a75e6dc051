"""Feedback a student can act on (issue 23): library errors cut to their cause, escape codes
gone, an error said once, a stopped notebook's cause instead of knock-on advice, and an
unreadable notebook explained without the grader's folders."""
import json

import pytest

from autograder.assignments import KitError
from autograder.engine import runner
from shared.errortext import ERROR_LINE, error_summary, plain
from shared.i18n import MESSAGES

KERAS_ERROR = ("Exception encountered when calling Sequential.call().\n\n\x1b[1mInput 0 of layer "
               "'dense' is incompatible with the layer: expected axis -1 of input shape to have "
               "value 4, but received input with shape (None, 5)\x1b[0m\n\nArguments received by "
               "Sequential.call():\n  • inputs=tf.Tensor(shape=(None, 5), dtype=float32)\n"
               "  • training=True")


def test_a_keras_error_is_summarised_to_its_cause_without_escape_codes():
    assert error_summary(KERAS_ERROR) == (
        "Input 0 of layer 'dense' is incompatible with the layer: expected axis -1 of input "
        "shape to have value 4, but received input with shape (None, 5)")
    assert error_summary("ValueError happened\nsecond line") == "ValueError happened"
    assert error_summary("") == "" and error_summary("\n\n  \n") == ""


def test_a_tensorflow_op_error_is_summarised_without_the_graphs_names():
    error = ("{{function_node __wrapped__IteratorGetNext_output_types_2_device_/job:localhost/"
             "replica:0/task:0/device:CPU:0}} Cannot add tensor to the batch: number of elements "
             "does not match. Shapes are: [tensor]: [4], [batch]: [6] [Op:IteratorGetNext] name: ")
    assert error_summary(error) == ("Cannot add tensor to the batch: number of elements does "
                                    "not match. Shapes are: [tensor]: [4], [batch]: [6]")
    assert error_summary("Incompatible shapes: [8,1] vs. [8] [Op:Sub] name: sub") == (
        "Incompatible shapes: [8,1] vs. [8]")
    assert error_summary("{{function_node x}}") == "{{function_node x}}"  # nothing else: kept


def test_a_long_error_is_cut_at_a_word_and_a_hostile_one_costs_little():
    said = error_summary("word " * 200)
    assert len(said) <= ERROR_LINE + 4 and said.endswith("word ...")
    assert error_summary("x" * 1000) == "x" * ERROR_LINE + " ..."
    # unterminated escapes and a megabyte of digits: read bounded, nothing left behind
    assert "\x1b" not in error_summary("\x1b[" + "0" * 10**6) + error_summary("\x1b]" + "a" * 10**6)
    assert plain("a\x1b[31mred\x1b[0m\tb\x07\n") == "ared\tb\n"


def case(name, passed, message="", note=""):
    return {"name": name, "points": 1, "passed": passed, "message": message, "note": note}


def results_of(*cases):
    return {"q": {"score": 0, "max": len(cases), "cases": list(cases)}}


def test_the_same_error_is_shown_once_then_said_to_be_above():
    error = "happyModel() raised TypeError: expected a keras Model, got Anything"
    results = results_of(case("layers", False, error), case("parameters", False, error),
                         case("trains", True, note="trained"), case("other", False, "short"))
    results["r"] = {"cases": [case("learns", False, f"ComparisonError: {error}")]}
    runner.say_once(results, "graded", "en")
    said = [c["said"] for r in results.values() for c in r["cases"]]
    again = "the same problem as under \u201clayers\u201d above."
    assert said == [error, again, "trained", "short", again]
    text = runner.feedback_text(results["q"])
    assert text.count("raised TypeError") == 1 and again in text
    runner.say_once(results, "graded", "zh")  # worded again from the stored messages
    assert results["q"]["cases"][1]["said"] == "与上面\u201clayers\u201d下的问题相同。"


def test_a_stopped_notebook_gets_its_cause_not_run_its_cell_first():
    knock_on = [MESSAGES["not_a_function"]["en"].format(name="happyModel"),
                MESSAGES["undefined_model"]["zh"].format(name="happy_model"),
                MESSAGES["no_result"]["en"].format(name="f", case="c1")]
    real = "layer 3 (BatchNormalization) is missing (expected row [...])"
    for status in ("timeout", "crashed"):
        results = results_of(*[case(str(i), False, m) for i, m in enumerate(knock_on)],
                             case("real", False, real))
        runner.say_once(results, status, "en")
        said = [c["said"] for c in results["q"]["cases"]]
        cause = MESSAGES[f"stopped_before.{status}"]["en"]
        assert said == [cause, cause, cause, real]
    results = results_of(case("0", False, knock_on[0]))
    runner.say_once(results, "graded", "en")  # never ran the cell: that is the advice
    assert results["q"]["cases"][0]["said"] == knock_on[0]


def test_a_crash_of_a_test_is_never_hidden_or_merged():
    crash = "the test stopped with KeyError: 'x'"
    results = results_of(case("a", False, crash), case("b", False, crash))
    runner.say_once(results, "timeout", "en")
    assert [c["said"] for c in results["q"]["cases"]] == [crash, crash]
    assert runner.is_crash(crash) and runner.is_crash("the test failed")
    assert not runner.is_crash("the test failed on the hidden input 3")


def test_an_unreadable_notebook_is_explained_to_the_student_without_folders(tmp_path):
    notebook = tmp_path / "collected" / "s1.ipynb"
    (tmp_path / "grading_config.json").write_text(json.dumps({"language": "zh"}))
    said = runner.unreadable(KitError(f"{notebook}: not a notebook (invalid JSON at line 1)"),
                             notebook, tmp_path)
    assert said == "你的 notebook 无法评分。s1.ipynb: not a notebook (invalid JSON at line 1)。"
    assert str(tmp_path) not in said


def test_a_stubs_check_says_not_implemented_yet_in_ipython():
    """The check cell calls the stub before any check runs: IPython shows the kit's sentence
    instead of a bare NotImplementedError; a library's own one keeps its traceback."""
    from IPython.core.interactiveshell import InteractiveShell

    from shared import checks

    shell = InteractiveShell.instance()
    shown = []  # what the front end receives (ipykernel sends it as the cell's error output)
    shell._showtraceback = lambda etype, value, stb: shown.append("\n".join(stb))
    try:
        shell.set_custom_exc((NotImplementedError, NameError), checks._say_in_a_cell)
        shell.run_cell("def happyModel():\n    raise NotImplementedError()\n")
        result = shell.run_cell("happy_model = happyModel()")
        assert isinstance(result.error_in_exec, NotImplementedError)  # the cell still stops
        assert shown == [MESSAGES["not_implemented"]["en"].format(call="happyModel()")]
        shell.run_cell("def lib():\n    raise NotImplementedError('no such op')\nlib()")
        assert "no such op" in shown[-1] and "not implemented yet" not in shown[-1]
        # the check cell after it: the model was never assigned
        result = shell.run_cell("print(happy_model.name)")
        assert isinstance(result.error_in_exec, NameError)
        assert shown[-1] == MESSAGES["undefined_name"]["en"].format(name="happy_model")
        shell.run_cell("def f():\n    return undefined_inside\nf()")  # the student's own line
        assert "undefined_inside" in shown[-1] and "is not defined yet" not in shown[-1]
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def test_a_result_no_form_check_foresaw_is_a_sentence_not_a_crash(tmp_path, monkeypatch):
    """gradelib.cases_of: a form check that raises on an odd result (a ragged list, say)
    gives the student a sentence about that call; the other cases still grade."""
    from autograder.engine import kit_codec
    from autograder.engine.scorer import RecordedFunction

    monkeypatch.syspath_prepend(str(kit_codec.__file__.rsplit("/", 1)[0]))  # as staged
    import gradelib
    (tmp_path / "grading_config.json").write_text(json.dumps({"probes": {"f": {"cases": {
        "a": {"args": [[1, 2]]}, "b": {"args": [[3]]}}}}}))
    recorded = RecordedFunction("f", {"a": {"value": kit_codec.encode([[1], [2, 3]])},
                                      "b": {"value": kit_codec.encode([1.0])}})

    def form(args, result):
        return None if len(result) == 1 else f"shape {__import__('numpy').shape(result)}"
    first, second = gradelib.cases_of(recorded, "f", ("a", "b"), form, folder=tmp_path)
    assert first.problem.startswith("f([1, 2]): it returned a list whose form the grader could "
                                    "not check (ValueError: "), first.problem
    assert second.problem is None and second.result == [1.0]


def test_a_forecaster_giving_a_sequence_is_told_so_not_a_broadcast_error(monkeypatch):
    """A forecaster that returns one value per time step (a recurrent layer left with
    return_sequences=True at the end, or dropped) fails "beats the naive forecast/baseline"
    with a sentence about its output, where numpy's broadcast error used to stop the test
    (make mutants: time_series' Bidirectional layer, weather_rnn's GRU dropped)."""
    import keras
    import numpy as np
    import pytest

    from autograder.engine import kit_codec
    from shared.summary import ComparisonError
    monkeypatch.syspath_prepend(str(kit_codec.__file__.rsplit("/", 1)[0]))  # as staged
    import gradelib
    series = np.linspace(0, 1, 60, dtype="float32")
    model = keras.Sequential([keras.Input((20, 1)), keras.layers.Dense(1)])  # (None, 20, 1)
    with pytest.raises(ComparisonError, match=r"gives 20 values for each input "
                                              r"\(output shape \(None, 20, 1\)\)"):
        gradelib.forecast_steps(model, series, 20, 40)
    flat = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1)])
    assert gradelib.forecast_steps(flat, series, 20, 40).shape == (20,)


def test_a_notebook_the_reader_refuses_is_explained_in_the_course_language(tmp_path):
    """runner.unreadable says a bounded reader's refusal (notebooks.Refused) through the
    catalogue in the course's language, its file's folder left out."""
    from autograder.engine import notebooks
    from autograder.tools import zhcheck

    notebook = tmp_path / "collected" / "s1.ipynb"
    notebook.parent.mkdir()
    notebook.write_bytes(b"[" * (notebooks.MAX_JSON_DEPTH + 1) + b"]" * (notebooks.MAX_JSON_DEPTH + 1))
    (tmp_path / "grading_config.json").write_text(json.dumps({"language": "zh"}))
    with pytest.raises(notebooks.Refused) as refused:
        notebooks.read(notebook)
    said = runner.unreadable(refused.value, notebook, tmp_path)
    assert said.startswith("你的 notebook 无法评分。") and str(tmp_path) not in said
    assert zhcheck.english_runs(said) == [], said
