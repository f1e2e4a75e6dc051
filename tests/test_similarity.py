"""make similarity: disguised copies found, common code and independent work left low."""
import csv
import json

import numpy as np
import pytest

from autograder import assignments, similarity
from autograder.engine import notebooks
from autograder.tools import samples

ORIGINAL = '''
def best_epoch(history):
    """Earliest minimum."""
    losses = history.history["val_loss"]
    best = 0
    for epoch, value in enumerate(losses):
        if value < losses[best]:
            best = epoch
    return best + 1
'''

DISGUISED = '''
def best_epoch(history):
    # my own loop
    idx = 0
    vals = history.history["val_loss"]   # the curve
    for e, v in enumerate(vals):
        if v < vals[idx]:
            idx = e
    return idx + 1
'''

#: Tuning's code threshold, calibrated on its sample class and generated copies.
CODE_THRESHOLD = assignments.get("tuning").config["similarity"]["code_threshold"]

OTHER = '''
def best_epoch(history):
    return int(np.argmin(history.history["val_loss"])) + 1
'''


def documents(texts: dict, kind="code"):
    make = similarity.code_fingerprints if kind == "code" else similarity.text_fingerprints
    return [similarity.Document(name, text, *make(text)) for name, text in texts.items()]


def test_renaming_reordering_and_comments_leave_the_statements_fingerprints():
    original, _ = similarity.code_fingerprints(ORIGINAL)
    disguised, _ = similarity.code_fingerprints(DISGUISED)
    # Only the enclosing function's own fingerprint changes with the order of its body.
    assert sum((original - disguised).values()) == 1
    assert sum((disguised - original).values()) == 1
    matrix = similarity.scores(documents({"a": ORIGINAL, "b": DISGUISED, "c": OTHER,
                                          "d": OTHER.replace("argmin", "argmax")}))
    assert matrix[0, 1] > CODE_THRESHOLD > max(matrix[0, 2], matrix[1, 2], matrix[2, 3])
    assert np.allclose(matrix, matrix.T) and not matrix.diagonal().any()


def test_what_everybody_writes_is_no_evidence():
    """Thirty students with the same compile line and layer list score 0 with each other;
    the one disguised pair of a real function is the top pair."""
    common = ('model = keras.Sequential([keras.layers.Dense(16, activation="relu"), '
              'keras.layers.Dense(1, activation="sigmoid")])\n'
              'model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])\n')
    texts = {f"s{i:02d}": common for i in range(30)}
    texts["s00"] += ORIGINAL
    texts["s01"] += DISGUISED
    matrix = similarity.scores(documents(texts))
    top = np.unravel_index(np.argmax(matrix), matrix.shape)
    assert set(top) == {0, 1} and matrix[top] > CODE_THRESHOLD
    assert matrix[2:, 2:].max() == 0.0


def test_the_stub_and_given_code_are_removed(tmp_path):
    tuning = assignments.get("tuning")
    given, names = similarity.given_code(tuning)
    stub = notebooks.read(tuning.notebook)
    cell = stub.cells[notebooks.kit_cells(stub, "fill")["best_epoch"]].source
    counts, _ = similarity.code_fingerprints(similarity.strip_placeholders(cell), names)
    assert counts and not set(counts) - set(given["best_epoch"])


def test_code_that_does_not_parse_is_compared_on_tokens():
    broken = ORIGINAL.replace("return best + 1", "return best +")
    matrix = similarity.scores(documents({"a": broken, "b": broken.replace("losses", "xs"),
                                          "c": OTHER + "(", "d": "x = (1,"}))
    assert matrix[0, 1] > CODE_THRESHOLD > matrix[0, 2]


def test_a_paraphrase_scores_above_an_independent_answer():
    from autograder.assignments.tuning.samples import ANSWERS, OWN_WORDS, PARAPHRASED
    for key in ANSWERS:
        matrix = similarity.scores(documents({"ref": ANSWERS[key], "copy": PARAPHRASED[key],
                                              "own": OWN_WORDS[key]}, kind="text"))
        assert matrix[0, 1] > max(matrix[0, 2], matrix[1, 2])


def test_chinese_answers_are_compared_on_character_pairs():
    original = "验证损失在第4个epoch最低，之后上升，而训练损失继续下降：模型开始记忆训练数据。"
    paraphrase = "训练损失一直在下降，但是验证损失在第4个epoch达到最小值然后上升，说明网络开始记住训练集。"
    own = "Reuters 最先过拟合：它的验证损失大约在第三轮见底，训练损失还在减小，验证准确率也不再提高。"
    matrix = similarity.scores(documents({"a": original, "b": paraphrase, "c": own}, kind="text"))
    assert matrix[0, 1] > 2 * max(matrix[0, 2], matrix[1, 2])


@pytest.mark.parametrize("name", assignments.available())
def test_planted_copies_rank_above_independent_pairs_and_the_config_is_current(name):
    """Every copy scores above the recorded threshold and every independent pair below it,
    and the separation recorded beside it is still what calibrate measures (samples added
    since: rerun ``python -m autograder.similarity --calibrate --write``)."""
    assignment = assignments.get(name)
    measured = similarity.calibrate(assignment)
    recorded = assignment.config["similarity"]
    assert measured["code"]["copies"] >= 3
    assert set(measured) == set(recorded["measured"])
    for kind, values in measured.items():
        threshold = recorded[f"{kind}_threshold"]
        assert values["planted_min"] > threshold > values["independent_max"], (kind, values)
        then = recorded["measured"][kind]
        assert abs(then["planted_min"] - values["planted_min"]) < 0.05, (kind, then, values)
        assert abs(then["independent_max"] - values["independent_max"]) < 0.05, (kind, then, values)


@pytest.fixture
def tuning_run(tmp_path):
    """The Tuning sample class collected into a run folder, as make grade stages it."""
    tuning = assignments.get("tuning")
    out = tmp_path / "run"
    for sample in samples.samples_of(tuning):
        notebooks.write(samples.notebook_for(tuning, sample), out / "collected" / f"{sample.id}.ipynb")
    (out / "collected" / "manifest.json").write_text(json.dumps({"assignment": "tuning"}))
    (out / "summary.md").write_text("# Tuning: grading summary\n")
    return tuning, out


def test_report_puts_the_planted_copies_on_top_escaped_and_linked(tuning_run, capsys):
    tuning, out = tuning_run
    similarity.main(["--out", str(out)])
    assert "above the threshold" in capsys.readouterr().out
    with open(out / "similarity.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for kind, cells in (("code", 3), ("text", 3)):
        ranked = [r for r in rows if r["kind"] == kind]
        assert all({r["a"], r["b"]} == {"alternative" if kind == "code" else "reference", "copier"}
                   and r["above_threshold"] == "yes" for r in ranked[:cells])
        assert not any(r["above_threshold"] for r in ranked[cells:])
    assert rows[0]["lines_a"] and rows[0]["lines_b"]
    page = (out / "similarity.html").read_text()
    assert "<mark>" in page and "Content-Security-Policy" in page
    assert "<script>" not in page  # the alternative's answer holds one
    summary = (out / "summary.md").read_text()
    assert "[similarity.html](similarity.html)" in summary and "- `alternative` & `copier`" in summary
    similarity.link_from_summary(out)
    assert (out / "summary.md").read_text() == summary  # once, however often it is linked


def test_the_command_names_what_is_missing(tmp_path):
    with pytest.raises(SystemExit, match="cannot tell which assignment"):
        similarity.main(["--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="no notebooks in .*collected: grade the class first"):
        similarity.main(["--out", str(tmp_path), "--assignment", "tuning"])


def test_the_benchmark_class_is_all_distinct(tmp_path):
    tuning = assignments.get("tuning")
    paths = similarity.generated_class(tuning, 12, tmp_path)
    cells = [similarity.extract(tuning, [p])["code"]["build_model"] for p in paths]
    assert len({next(iter(c.values())) for c in cells}) == 12


# --- a student's code is hostile: no recursion, linear work, a budget ---------------

def _calls(function, *args) -> int:
    """Python and C function calls ``function(*args)`` makes: work done, whatever the
    machine's speed."""
    import sys
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        count += event in ("call", "c_call")
    sys.setprofile(profile)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
    return count


def test_deep_code_is_fingerprinted_in_work_linear_in_its_size():
    """A 2,000-term sum nests 2,000 deep (RecursionError in a recursive walk); doubling
    the depth doubles the work (dumping every subtree was quadratic in it)."""
    total = "x = " + "+".join(["a"] * 2000)
    counts, lines = similarity.code_fingerprints(total)
    assert sum(counts.values()) >= 1999 and all(spans for spans in lines.values())
    def nested(depth):
        return "x = " + "f(" * depth + "1" + ")" * depth

    def rows(depth):
        return "\n".join(f"y{i} = " + "+".join(["a"] * depth) for i in range(3))
    for make, depth in ((nested, 90), (rows, 150)):  # nested calls: the parser stops at 200
        small, large = (_calls(similarity.code_fingerprints, make(d)) for d in (depth, 2 * depth))
        assert large < 2.2 * small, (make, small, large)


def test_code_too_deep_for_the_parser_is_compared_on_tokens():
    for deep in ("x = " + "+".join(["a"] * 100_000), "x = " + "-" * 100_000 + "1",
                 "x = " + "(" * 1000 + "1" + ")" * 1000):
        counts, _ = similarity.code_fingerprints(deep)
        assert counts  # RecursionError, MemoryError or SyntaxError: tokens


def test_what_is_over_a_students_budget_is_skipped_with_the_reason():
    tuning = assignments.get("tuning")
    huge = ORIGINAL + "\n" + "z = [" + "1, " * similarity.fingerprints.STUDENT_BUDGET + "]\n"
    sources = {"code": {"best_epoch": {"a": ORIGINAL, "b": DISGUISED, "c": huge},
                        "build_model": {"c": ORIGINAL}},
               "text": {"overfitting": {"a": "loss rises", "c": "the validation loss"}}}
    skipped = []
    units = similarity.units_of(tuning, sources, skipped)
    assert [doc.student for doc in units["best_epoch"][1]] == ["a", "b"]
    assert [doc.student for doc in units["overfitting"][1]] == ["a", "c"]  # budget left
    assert skipped == [("c", "best_epoch", f"not compared: {len(huge):,} characters, over what "
                                           f"is left of the 100,000 compared per student")]


def test_scores_count_a_shared_fingerprint_by_the_smaller_count():
    """Scores per count level equal the weighted Jaccard index by occurrences (the
    definition), checked on random multisets; a statement pasted 10,000 times by two
    students is one column, not 10,000."""
    import math
    import random
    from collections import Counter
    rng = random.Random(7)
    docs = [similarity.Document(f"s{i}", "", Counter({k: rng.randint(1, 4) for k in
                                                       rng.sample(range(30), 12)}))
            for i in range(12)]
    docs.append(similarity.Document("s12", "", Counter(docs[0].counts)))
    n, matrix = len(docs), similarity.scores(docs)
    df = Counter(k for d in docs for k in d.counts)
    common = max(similarity.scoring.COMMON_MIN, similarity.scoring.COMMON * n)
    weight = {k: math.log(1 + n / f) for k, f in df.items() if 2 <= f <= common}
    size = [sum(c * (weight[k] if k in weight else math.log(1 + n) if df[k] < 2 else 0)
                for k, c in d.counts.items()) for d in docs]
    for i in range(n):
        for j in range(i + 1, n):
            shared = sum(w * min(docs[i].counts[k], docs[j].counts[k]) for k, w in weight.items())
            expected = shared / (size[i] + size[j] - shared + similarity.scoring.SMOOTHING)
            assert matrix[i, j] == pytest.approx(expected, rel=1e-4, abs=1e-6)
    pasted = documents({"a": "x = y + 1\n" * 10_000, "b": "x = y + 1\n" * 10_000,
                        "c": OTHER, "d": DISGUISED, "e": ORIGINAL})
    assert similarity.scores(pasted)[0, 1] > 0.99


def test_an_untouched_answer_is_blank_in_every_language(tmp_path):
    """The written-answer placeholder is found by cell metadata in each language's release:
    two Chinese students who left theirs are not 'the same answer', as two English ones."""
    from autograder.build import translations
    tuning = assignments.get("tuning")
    placeholders = translations.answer_placeholders(tuning)
    question = next(iter(placeholders))
    assert len(placeholders[question]) == 2  # the English and the Chinese release's text
    stub = notebooks.read(tuning.notebook)
    index = notebooks.kit_cells(stub, "manual")[question]
    paths = []
    for student, text in zip(("s1", "s2", "s3"), sorted(placeholders[question]) + ["我的答案"]):
        stub.cells[index].source = text
        paths.append(notebooks.write(stub, tmp_path / f"{student}.ipynb"))
    answers = similarity.extract(tuning, paths)["text"][question]
    assert answers == {"s1": "", "s2": "", "s3": "我的答案"}
