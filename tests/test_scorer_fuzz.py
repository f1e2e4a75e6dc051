"""The kit's own fuzz of what the trusted scorer reads, a few hundred cases per CI run
(``make fuzz`` runs 10,000): every mutated artifact is refused with the kit's sentence or
built with Keras' own parameter count, and nothing else ever happens."""
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies

from autograder.engine import modelspec
from autograder.tools import fuzz

CI_CASES = 300
CI_SEED = 22  # fixed, so that a failure here replays with `--seed 22 --case N`


@pytest.fixture(scope="module")
def corpus():
    return fuzz.references(), fuzz.layer_library()


@pytest.fixture(scope="module")
def ci_run():
    return fuzz.run(CI_CASES, CI_SEED)


def test_every_fuzzed_artifact_is_refused_with_a_sentence_or_built_exactly(ci_run):
    report = fuzz.summary(ci_run, CI_SEED)
    assert report["other"] == 0 and report["count"] == 0, json.dumps(report["bugs"], indent=1)
    assert report["refused"] + report["accepted"] == CI_CASES


def test_the_fuzz_reaches_keras_and_the_refusals(ci_run):
    """A fuzz that refuses everything tests nothing past the first check: a good share of
    the cases must be built, and the refusals must come from many checks, not one."""
    accepted = [case for case in ci_run if case.outcome == "accepted"]
    assert len(accepted) >= CI_CASES // 10
    assert all(kit == keras for kit, keras in (case.params for case in accepted))
    reasons = {case.detail.split(":")[0] for case in ci_run if case.outcome == "refused"}
    assert len(reasons) >= 10, reasons
    assert {kind for case in ci_run for kind in case.mutations} >= {
        "drop", "insert", "plausible", "name", "compile", "type"}


def test_every_assignments_reference_is_in_the_corpus(corpus):
    references, _ = corpus
    assert {r["source"].split(".")[0] for r in references} == {
        "convnets", "getting_started", "time_series", "tuning", "weather_rnn"}
    for reference in references:  # unmutated, each is accepted and built exactly
        assert fuzz.check(reference["artifact"], reference["batch"])[0] == "accepted"


def test_the_generator_is_seeded(corpus):
    references, library = corpus
    first = fuzz.generate(7, CI_SEED, references, library)
    again = fuzz.generate(7, CI_SEED, references, library)
    other = fuzz.generate(8, CI_SEED, references, library)
    assert json.dumps(first[0], default=str) == json.dumps(again[0], default=str)
    assert json.dumps(first[0], default=str) != json.dumps(other[0], default=str)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=strategies.integers(0, 2**32), rounds=strategies.integers(1, 6))
def test_any_seed_and_any_number_of_mutations_keeps_the_promise(corpus, seed, rounds):
    """Beyond the fixed run: Hypothesis picks seeds and stacks up to six mutations."""
    references, library = corpus
    rng = random.Random(seed)
    reference = rng.choice(references)
    case = {"model": json.loads(reference["artifact"]["model"]),
            "lambdas": json.loads(json.dumps(reference["artifact"].get("lambdas"))),
            "compile": json.loads(json.dumps(reference["artifact"].get("compile")))}
    for _ in range(rounds):
        fuzz.mutate(rng, case, library)
    artifact = {"model": json.dumps(case["model"]), "lambdas": case["lambdas"],
                "compile": case["compile"]}
    outcome, detail, counts = fuzz.check(artifact, reference["batch"])
    assert outcome in ("refused", "accepted"), detail
    if outcome == "accepted":
        assert counts[0] == counts[1]
    else:
        assert detail and detail.encode("utf-8")


def test_a_count_that_differs_from_keras_is_refused_not_graded(monkeypatch):
    """The last line of defence behind the formulas: build compares the kit's count, on
    which the cap was checked, with Keras' own."""
    from solutions import getting_started

    spec = modelspec.parse(getting_started.build_imdb_model().to_json())
    spec.params -= 1
    with pytest.raises(modelspec.CountMismatch, match="the grader counts"):
        modelspec.build(spec)
