"""Every sentence the hidden tests can say to a student is bilingual, and its Chinese is
Chinese (issue 24).

Why a scan of the source and not a grading: a sentence reaches a student only when a
submission makes that mistake, and no sample class makes every mistake. So this reads the
hidden tests (``autograder/assignments/*/tests/*.py``) and ``gradelib.py`` as Python:

- a sentence given to ``gradelib.text``/``gradelib.fail`` as a literal has its Chinese
  beside it (``text(en, zh)``);
- that Chinese, its ``{fields}`` filled with a number, holds no English
  (:func:`autograder.tools.zhcheck.english_runs`: code in backticks, API and argument
  names stand);
- no other literal of two or more English words, nor an English word chosen by a
  conditional, is built outside ``text``/``fail`` (it would reach the feedback in English
  whatever the course's language): docstrings, dictionary keys and indexes are not read.

The scorer's refusals of a recorded model (``modelspec``, its value checks, compile
settings, training cost, and the scorer's own) are feedback too, and are read the same way:
there ``say(en, zh)`` and ``fail(where, en, zh)`` are the sayers.

``make demo`` then grades every sample class in Chinese and checks the pages it wrote.
"""
import ast
from pathlib import Path

import pytest

from autograder.tools import zhcheck

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(REPO.glob("autograder/assignments/*/tests/*.py")) + [
    REPO / "autograder" / "engine" / "gradelib.py"]
#: The calls whose arguments are (en, zh) feedback sentences, and where the pair starts.
SAYERS = {"text": 0, "fail": 0}
#: The scorer's refusals of a record: ``fail(where, en, zh)`` names the place first.
REFUSERS = {"say": 0, "fail": 1}
REFUSING = [REPO / "autograder" / "engine" / f"{name}.py" for name in (
    "specvalues", "layertable", "modelspec", "compilespec", "modelcost", "scorer")]


def _called(node) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)


def _is_text(node) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str))


def rendered(node) -> str:
    """A literal's text, each ``{field}`` of an f-string filled with a number."""
    if isinstance(node, ast.Constant):
        return node.value
    return "".join(part.value if isinstance(part, ast.Constant) else "0" for part in node.values)


def _parents(tree) -> dict:
    return {id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _not_words(node, parent) -> bool:
    """A literal that is a key, an index, a comparison's operand or a docstring: not said."""
    if isinstance(parent, (ast.Subscript, ast.Compare)) or (
            isinstance(parent, ast.Dict) and any(node is key for key in parent.keys)):
        return True
    if isinstance(parent, ast.Expr) and isinstance(node, ast.Constant):
        return True  # a docstring
    if _called(parent) == "print" and any(k.arg == "file" for k in parent.keywords):
        return True  # to stderr: the TA's log, not feedback
    return _called(parent) in ("get", "startswith", "endswith", "msg", "msg_in", "getattr",
                               "hasattr", "record_timing", "replace", "partition", "join",
                               "glob", "mkdir", "open", "removeprefix")


def _a_place(text: str) -> bool:
    """A place the scorer names (``layer 3``, ``the compile settings``), which
    ``specvalues.place`` translates as it says it."""
    from autograder.engine.specvalues import place
    from shared import i18n
    was = i18n._chosen
    i18n.set_language("zh")
    try:
        return not zhcheck.english_runs(place(text))
    finally:
        i18n.set_language(was)


def problems_in(path: Path, sayers: dict = SAYERS) -> list[str]:
    """What in one source file would reach a zh student in English (see the docstring)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = _parents(tree)
    said = set()  # ids of every node inside a sayer's arguments
    found = []
    where = path.relative_to(REPO)
    for call in ast.walk(tree):
        if _called(call) not in sayers or not call.args:
            continue
        for argument in call.args:
            said |= {id(node) for node in ast.walk(argument)}
        pair = call.args[sayers[_called(call)]:]
        if not pair:
            continue
        english = pair[0]
        if len(pair) < 2:
            if _is_text(english):
                found.append(f"{where}:{call.lineno}: English only: {rendered(english)[:70]!r}")
            continue
        chinese = pair[1]
        if _is_text(chinese):
            runs = zhcheck.english_runs(rendered(chinese))
            if runs:
                found.append(f"{where}:{call.lineno}: English in the Chinese: {runs}")
        for node in ast.walk(chinese):  # literals inside its {fields}
            if node is not chinese and _is_text(node) and not _not_words(node, parents[id(node)]):
                runs = zhcheck.english_runs(rendered(node))
                if runs and not isinstance(parents[id(node)], ast.JoinedStr):
                    found.append(f"{where}:{node.lineno}: English in the Chinese: {runs}")
    for node in ast.walk(tree):
        if not _is_text(node) or id(node) in said:
            continue
        parent = parents.get(id(node))
        if parent is None or _not_words(node, parent) or isinstance(parent, ast.JoinedStr):
            continue
        runs = zhcheck.english_runs(rendered(node))
        if runs and sayers is REFUSERS and _a_place(rendered(node)):
            continue
        words = sum(len(run.split()) for run in runs)
        if words >= 2 or (runs and isinstance(parent, ast.IfExp)):
            found.append(f"{where}:{node.lineno}: English outside text(en, zh): {runs}")
    return sorted(found, key=lambda line: int(line.split(":")[1]))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_feedback_sentence_is_bilingual_and_its_chinese_is_chinese(path):
    found = problems_in(path)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("path", REFUSING, ids=lambda p: p.stem)
def test_every_refusal_of_a_record_is_bilingual_and_its_chinese_is_chinese(path):
    found = problems_in(path, REFUSERS)
    assert found == [], "\n".join(found)


def test_the_scan_finds_english_only_english_in_the_chinese_and_english_outside(tmp_path):
    """The scan can fail: each kind of mistake it exists for is reported, with its line."""
    hidden = tmp_path / "planted.py"
    hidden.write_text(
        "import gradelib\n"
        "def form(args, got):\n"
        "    gradelib.fail(f'should return {got} rows')\n"
        "    gradelib.fail('the windows overlap', '窗口 overlap with each other')\n"
        "    found = got if got else 'nothing'\n"
        "    return f'found {found} of the batches'\n"
        "def fine(got):\n"
        "    gradelib.fail(f'{got} is wrong', f'`{got}` 不对：请用 `model.fit(x, y)`')\n"
        "    return {'value': got['seconds']}\n", encoding="utf-8")
    global REPO
    repo, REPO = REPO, tmp_path
    try:
        found = problems_in(hidden)
    finally:
        REPO = repo
    assert found == [
        "planted.py:3: English only: 'should return 0 rows'",
        "planted.py:4: English in the Chinese: ['overlap with each other']",
        "planted.py:5: English outside text(en, zh): ['nothing']",
        "planted.py:6: English outside text(en, zh): ['found of the batches']"]


def test_a_run_notebook_is_read_without_the_libraries_log_and_the_datasets_text(tmp_path):
    """What zhcheck lets stand in a zh notebook's outputs (TensorFlow's and Keras's own log
    and warnings, a decoded review, the helpers' folder) and what it still reports."""
    import json
    logs = ("WARNING: All log messages before absl::InitializeLog() is called are written to "
            "STDERR\nI0000 00:00:1796421235.073024   16915 port.cc:153] oneDNN custom operations "
            "are on. You may see slightly different numerical results.\n"
            "To enable the following instructions: AVX2 FMA, in other operations, rebuild "
            "TensorFlow with the appropriate compiler flags.\n"
            "/x/site-packages/keras/src/trainers/epoch_iterator.py:74: UserWarning: `shuffle=True` "
            "was passed, but will be ignored.\n  self.data_adapter = get_data_adapter(\n"
            "WARNING:tensorflow:5 out of the last 5 calls to <function f> triggered retracing.\n")
    cells = [
        {"cell_type": "code", "metadata": {"kit": {"setup": True}}, "source": "", "outputs": [
            {"output_type": "stream", "text": "课程辅助代码所在的文件夹： /tmp/dl-course-helpers-0a1b\n"}]},
        {"cell_type": "code", "metadata": {}, "source": "", "outputs": [
            {"output_type": "stream", "name": "stderr", "text": logs},
            {"output_type": "stream", "text": "训练影评 25000 条\n? the film was quietly brilliant\n"}]},
        {"cell_type": "code", "metadata": {}, "source": "", "outputs": [
            {"output_type": "stream", "text": "Training on the hidden reviews\n"}]},
        {"cell_type": "code", "metadata": {"kit": {"setup": True}}, "source": "", "outputs": [
            {"output_type": "stream", "text": "course helpers: /tmp/dl-course-helpers-0a1b\n"}]}]
    path = tmp_path / "run.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    found = zhcheck.notebook_outputs(path)
    assert [(f.where.rsplit(" ", 2)[-2], f.english) for f in found] == [
        ("3", "Training on the hidden reviews"), ("4", "course helpers")]


@pytest.mark.parametrize("key", ["returned_not_a_model", "held_not_a_model"])
def test_what_a_builder_returned_is_code_in_a_chinese_sentence(key):
    """The type a student's builder returned is their class's name (``Anything``): in a Chinese
    sentence it is code, never English (make demo's zh ConvNets class found it bare)."""
    from shared.i18n import msg_in
    said = msg_in("zh", key, made_by="happyModel()", name="happy_model", kind="Anything")
    assert "`Anything`" in said and zhcheck.english_runs(said) == [], said
