"""Mutation testing (autograder/tools/mutants.py): the mutants it makes, the equivalents file,
the reports, and a small fixed set of mutants per assignment graded with asserted outcomes."""
import ast
import csv
import json
from types import SimpleNamespace

import pytest

from autograder import assignments
from autograder.assignments import KitError
from autograder.tools import mutants as mutation

NAMES = assignments.available()


def made(source, builder=False, stub=None):
    """[(operator, change, the mutant's source as ast.unparse writes it)] of one cell."""
    return [(m.operator, m.change, ast.unparse(ast.parse(m.source)))
            for m in mutation.cell_mutants("f", source, stub, builder)]


def test_each_operator_makes_the_change_it_names():
    source = '''
def f(x, step=6):
    """Given by the stub: neither the docstring nor the signature is mutated."""
    y = np.stack([x[1:n] for n in range(3)], axis=0)
    model = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])
    return y.mean(axis=-1)
'''
    found = made(source, stub="def f(x, step=6):\n    raise NotImplementedError()")

    def has(operator, change, text):
        return any(o == operator and c == change and text in s for o, c, s in found)
    assert has("slice", "lower bound 1 + 1", "x[1 + 1:n]")
    assert has("slice", "upper bound n - 1", "x[1:n - 1]")
    assert has("constant", "3 -> 6", "range(6)") and has("constant", "3 -> 4", "range(4)")
    assert has("string", "'relu' -> 'tanh'", "activation='tanh'")
    assert has("axis", "axis=0 -> axis=1", "axis=1)") and has("axis", "axis=-1 -> axis=0", "mean(axis=0)")
    assert has("layer", "drop layer Dense", "keras.Sequential([layers.Dense(1)])")
    assert has("layer", "drop layer Dense", "keras.Sequential([layers.Dense(4, activation='relu')])")
    assert has("zeros", "return zeros", "return np.zeros_like(y.mean(axis=-1))")
    assert has("argument", "drop activation='relu' of layers.Dense", "layers.Dense(4), layers")
    assert any(o == "statement" and "model = " not in s for o, _, s in found)
    assert [s for o, _, s in found if o == "stub"] == ["def f(x, step=6):\n    raise NotImplementedError()"]
    for operator, change, text in found:
        if operator != "stub":
            assert "step=6" in text and "Given by the stub" in text, (operator, change)
    mutants = mutation.cell_mutants("f", source, None, False)
    assert len({m.id for m in mutants}) == len(mutants) == len({m.source for m in mutants})
    assert all(m.diff.startswith("--- reference") for m in mutants)


def test_builders_get_no_zeros_and_the_functional_api_loses_layers():
    found = made('''
def f(shape):
    x = keras.Input(shape=shape)
    y = layers.ReLU()(layers.Conv2D(8, 4, padding="same")(x))
    return keras.Model(x, y)
''', builder=True)
    assert not [o for o, _, _ in found if o == "zeros"]
    dropped = [s for o, _, s in found if o == "layer"]
    assert any("y = layers.Conv2D(8, 4, padding='same')(x)" in s for s in dropped)
    assert any("y = layers.ReLU()(x)" in s for s in dropped)
    assert any(o == "string" and c == "'same' -> 'valid'" for o, c, _ in found)


@pytest.mark.parametrize("name", NAMES)
def test_every_graded_cell_gets_mutants_with_stable_ids(name):
    assignment = assignments.get(name)
    first, again = mutation.generate(assignment), mutation.generate(assignment)
    assert [m.id for m in first] == [m.id for m in again]
    assert len({m.id for m in first}) == len(first)
    assert {m.cell for m in first} == set(assignment.solution_sources())
    for cell in assignment.solution_sources():
        operators = {m.operator for m in first if m.cell == cell}
        assert {"stub", "argument"} <= operators, (cell, operators)


def test_the_operators_of_the_issue_all_occur():
    operators = {m.operator for name in NAMES for m in mutation.generate(assignments.get(name))}
    assert operators == {"constant", "string", "layer", "statement", "argument", "slice", "axis",
                         "zeros", "stub"}


@pytest.mark.parametrize("name", NAMES)
def test_every_listed_equivalent_mutant_is_still_made(name):
    assignment = assignments.get(name)
    listed = mutation.equivalents(assignment)
    made = {m.id for m in mutation.generate(assignment)}
    assert not set(listed) - made, f"stale entries in {assignment.folder / mutation.EQUIVALENTS_FILE}"


def test_an_equivalents_file_without_a_reason_is_refused_by_name(tmp_path):
    (tmp_path / mutation.EQUIVALENTS_FILE).write_text(
        '[[equivalent]]\nid = "f-1"\nreason = "prints only"\n\n[[equivalent]]\nid = "f-2"\n')
    with pytest.raises(KitError, match=r"equivalent_mutants.toml: \[\[equivalent\]\] entry 2 "
                                       r"needs an id and a reason"):
        mutation.equivalents(SimpleNamespace(folder=tmp_path))
    (tmp_path / mutation.EQUIVALENTS_FILE).write_text("[[equivalent]\n")
    with pytest.raises(KitError, match="not valid TOML"):
        mutation.equivalents(SimpleNamespace(folder=tmp_path))


def test_reports_show_each_survivor_with_its_diff_and_the_scores(tmp_path):
    made = mutation.cell_mutants("f", "def f(x):\n    return x + 1\n", None, False)
    outcomes = ("killed", "survived", "equivalent", "crashed")
    for outcome, mutant in zip(outcomes, made):
        mutant.outcome, mutant.detail = outcome, {"killed": "f -2", "equivalent": "same",
                                                  "crashed": "f -2; f / t: the test stopped with "
                                                             "KeyError: 'x' | y"}.get(outcome, "")
    for mutant in made[4:]:
        mutant.outcome, mutant.detail = "killed", "f -2"
    made[1].change = "<script>alert(1)</script>"
    mutation.write_reports(SimpleNamespace(name="demo"), made, tmp_path, ["f-gone"], 12.0)
    rows = list(csv.DictReader(open(tmp_path / "mutants.csv")))
    assert [r["outcome"] for r in rows][:4] == list(outcomes)
    counts = mutation.tally(made)["f"]
    assert (counts["killed"], counts["crashed"]) == (len(made) - 3, 1)
    assert counts["score"] == round(100 * (len(made) - 2) / (len(made) - 1), 1)
    assert counts["sentence"] == round(100 * (len(made) - 3) / (len(made) - 1), 1)
    text = (tmp_path / "mutants.md").read_text()
    assert made[1].diff in text and f'id = "{made[1].id}"' in text and "f-gone" in text
    assert "## Killed by a crash (1)" in text and "KeyError: 'x' \\| y" in text
    row = next(line for line in text.splitlines() if line.startswith("| `f` |"))
    assert row == (f"| `f` | {len(made)} | {len(made) - 3} | 1 | 1 | 1 | {counts['score']:g}% | "
                   f"{counts['sentence']:g}% |")
    page = (tmp_path / "mutants.html").read_text()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert made[1].id in page and "f-gone" in page and "Killed by a crash (1)" in page
    assert [m.outcome for m in mutation.read_results_from(tmp_path / "mutants.csv")][:4] == \
        list(outcomes)


def test_a_test_that_raised_counts_as_a_crash_not_a_sentence(tmp_path):
    """What the scorer stores for a test that raised ("the test stopped with ...") or said
    nothing is a crash; the kit's sentences and passed tests are not."""
    def case(name, passed, message=""):
        return {"name": name, "points": 1, "passed": passed, "message": message}
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "m1.json").write_text(json.dumps({"results": {
        "q1": {"cases": [case("sentence", False, "happy_model should be compiled with ..."),
                         case("raised", False, "the test stopped with TypeError: msg() got "
                                               "multiple values for argument 'key'"),
                         case("passed", True, "the test stopped with nothing")]},
        "q2": {"cases": [case("silent", False, "the test failed")]}}}))
    assert mutation.crashes(tmp_path, "m1") == [
        "q1 / raised: the test stopped with TypeError: msg() got multiple values for argument "
        "'key'", "q2 / silent: the test failed"]
    assert mutation.crashes(tmp_path, "absent") == []


#: A few mutants per assignment, chosen to need no new training (function cells, or compile
#: settings, which the trusted training cache does not key on): (cell, change) -> outcome.
#: The wrong loss or optimizer ones crashed the compile test before issue 23 (a msg() clash):
#: "killed" means killed with a sentence, "crashed" would be a crash of a test.
FIXED = {
    "getting_started": {("decode_review", "constant 3 -> 2"): "killed",
                        ("to_one_hot", "argument drop dtype='float32' of np.zeros"): "killed",
                        ("build_imdb_model", "argument drop optimizer='rmsprop' of model.compile"):
                            "equivalent",
                        ("build_imdb_model", "string 'binary_crossentropy' -> 'mse'"): "killed"},
    "tuning": {("best_epoch", "constant 1 -> 0"): "killed",
               ("build_model", "string 'rmsprop' -> 'adam'"): "killed"},
    "convnets": {("happy_compile", "string 'adam' -> 'sgd'"): "killed"},
    "time_series": {("forecast", "slice lower bound start - window_size + 1"): "killed",
                    ("forecast", "argument drop verbose=0 of model.predict"): "equivalent"},
    "weather_rnn": {("generator", "slice upper bound row - 1"): "killed",
                    ("evaluate_naive_method", "constant 1 -> 2"): "killed",
                    ("build_gru_model", "string 'mae' -> 'mse'"): "killed"},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FIXED))
def test_a_fixed_set_of_mutants_gets_its_outcome_through_the_real_pipeline(
        name, reference_results, tmp_path):
    reference_results(name)  # it checks the reference earns every point; unchanged models reuse
    assignment = assignments.get(name)
    made = {(m.cell, f"{m.operator} {m.change}"): m for m in mutation.generate(assignment)}
    chosen = [made[key] for key in FIXED[name]]
    mutation.grade(assignment, chosen, tmp_path, jobs=1, timeout=120, progress=False,
                   control=False)
    assert {key: made[key].outcome for key in FIXED[name]} == FIXED[name]
    crashed = {key: made[key].detail for key in FIXED[name] if made[key].outcome == "crashed"}
    assert not crashed, f"killed by a crash of a test, not a sentence: {crashed}"
