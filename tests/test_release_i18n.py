"""Chinese and English from one source: the message catalogue, the notebooks' two builds,
the translations files, Chinese plot labels, and the release command's language switch."""
import re
import string
import subprocess
import warnings

import nbformat
import pytest

from autograder import assignments
from autograder.assignments import REPO_ROOT, KitError
from autograder.build import release, translations, wheel
from autograder.engine import notebooks
from shared import i18n, summary

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chinese():
    i18n.set_language("zh")
    yield
    i18n.set_language(None)


def fields(text):
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def test_every_message_has_both_languages_with_the_same_fields():
    for key, entry in i18n.MESSAGES.items():
        assert set(entry) == set(i18n.LANGUAGES), key
        assert fields(entry["en"]) == fields(entry["zh"]), key
        if entry["en"]:  # the one English blank: no sentence needed where fonts exist
            # Chinese words, or a template that only changes the punctuation (plot.title)
            assert HAN.search(entry["zh"]) or re.search("[\u3000-\u303f\uff01-\uff1f]",
                                                      entry["zh"]) or key.startswith("field."), key


def test_no_message_key_is_written_twice():
    """A dict literal keeps the last of two equal keys without a word: a second entry named
    like an existing one would silently replace the first sentence everywhere it is said."""
    import ast
    import collections

    catalogue = REPO_ROOT / "shared" / "i18n.py"
    tree = ast.parse(catalogue.read_text(encoding="utf-8"))
    literal = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                   and any(getattr(t, "id", None) == "MESSAGES" for t in node.targets))
    keys = collections.Counter(k.value for k in literal.keys if isinstance(k, ast.Constant))
    assert len(keys) > 400 and [key for key, n in keys.items() if n > 1] == []


def test_every_message_the_code_asks_for_exists():
    asked = set()
    for path in [*(REPO_ROOT / "shared").glob("*.py"), *(REPO_ROOT / "assignments").glob("*/*.ipynb")]:
        asked |= set(re.findall(r'msg\(\\?"([\w.]+)\\?"', path.read_text()))
    assert asked and asked <= set(i18n.MESSAGES), asked - set(i18n.MESSAGES)
    for fields_of in summary.SETTINGS.values():
        for name in ("type", "output shape", "parameter count", *fields_of):
            assert i18n.has(f"field.{name}"), name


def test_every_graded_name_says_what_the_grader_examines_beyond_its_check(assignment):
    nb = notebooks.read(assignment.notebook)
    for key, index in notebooks.kit_cells(nb, "check").items():
        assert i18n.has(f"graded.{key}"), key
        assert f'"{key}"' in nb.cells[index].source, f"check cell of {key} does not name it"


def test_check_cells_print_no_english_of_their_own(assignment):
    """A check cell's sentences come from the catalogue: an assert's message is msg(...), its
    success line passed() or check_compile() (a literal string would stay English in Chinese)."""
    nb = notebooks.read(assignment.notebook)
    for index in notebooks.kit_cells(nb, "check").values():
        source = nb.cells[index].source
        assert not re.search(r"^\s*assert .*, f?[\"'][A-Za-z ]{6,}", source, re.M), source
        assert not re.search(r"print\(f?[\"'][A-Za-z]", source), source


def test_no_code_cell_prints_or_labels_a_plot_in_english_of_its_own(assignment):
    """Printouts and plot labels of every cell (not only the checks) come from the catalogue
    (msg, shared.plots.label, shared.i18n.term), so a Chinese release prints Chinese."""
    nb = notebooks.read(assignment.notebook)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line.split("  #")[0] for line in cell.source.splitlines())
        # English words in a literal (a variable's name such as "X_train" may be printed)
        assert not re.search(r"print\(\s*f?[\"'][a-z]+ [a-z]", source), source
        assert not re.search(r"print\([^)]*, *f?[\"'][a-z]{3,}[ :\"']", source), source
        assert not re.search(r"(\.title|xlabel|ylabel)\(\s*f?[\"'][a-z]", source), source
        for key in re.findall(r"label=[\"'](\w+)[\"']", source):  # plot_series shows plot.<key>
            assert i18n.has(f"plot.{key}"), key


def test_every_msg_call_of_a_notebook_passes_the_fields_its_message_needs(assignment):
    """A printout's message is filled in cells grading skips too (training cells): a field
    missing or misnamed would stop a student's run there, in either language."""
    import ast
    calls = 0
    for cell in notebooks.read(assignment.notebook).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "msg":
                key = node.args[0].value
                given = sorted(k.arg for k in node.keywords)
                for language in i18n.LANGUAGES:
                    assert given == fields(i18n.MESSAGES[key][language]), (key, given)
                calls += 1
    assert calls or assignment.name == "convnets"


def test_the_time_series_plot_speaks_chinese(chinese):
    import matplotlib.pyplot as plt

    from shared import plots, series
    assert plots.cjk_font()
    plt.figure()
    series.plot_series([0, 1], [2, 3], label="forecast")
    axes = plt.gca()
    said = [axes.get_xlabel(), axes.get_ylabel(), axes.get_lines()[0].get_label()]
    plt.close("all")
    assert said == ["时间（天）", "值", "预测"]
    fig = plots.plot_history({"loss": [1.0], "accuracy": [0.5]}, title="imdb: tanh")
    title = fig.axes[1].get_title()
    plt.close(fig)
    assert title == "IMDB：激活函数改为 tanh：精度"


def test_messages_follow_kit_lang_unless_the_grader_chose(monkeypatch):
    monkeypatch.setenv("KIT_LANG", "zh")
    assert i18n.msg("all_passed") == "全部测试通过！"
    i18n.set_language("en")
    try:
        assert i18n.msg("all_passed") == "All tests passed!"
    finally:
        i18n.set_language(None)
    monkeypatch.setenv("KIT_LANG", "fr")
    assert i18n.language() == "en"
    with pytest.raises(ValueError):
        i18n.set_language("fr")


def test_layer_differences_read_in_chinese(chinese):
    said = summary.differences([["ReLU", (None, 3), 0]], [["BatchNormalization", (None, 3), 12]])
    assert said[0].startswith("第 1 层：应为 BatchNormalization，实际为 ReLU")
    said = summary.differences([["Dense", (None, 1), 17, "relu"]], [["Dense", (None, 1), 17, "sigmoid"]])
    assert "激活函数应为 'sigmoid'，实际为 'relu'" in said[0]  # no space between Chinese words
    said = summary.differences([["GRU", (None, 32), 3264, 32, False, 0.0, 0.0]],
                               [["GRU", (None, 32), 3264, 32, True, 0.0, 0.0]])
    assert "return_sequences 应为 True，实际为 False" in said[0]  # a space after a Latin one


# --- the two builds of each notebook ---------------------------------------------------------

@pytest.fixture
def builds(assignment):
    data = wheel.build(release.DIST / "release" / "wheel").read_bytes()
    return {language: release.student_notebook(assignment, language, data)
            for language in release.LANGUAGES}


def test_no_markdown_cell_lacks_a_current_translation(assignment):
    assert translations.problems(assignment) == []


def without_comments(source):
    """The code's tokens, comments left out: what runs."""
    import io
    import tokenize
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type not in (tokenize.COMMENT, tokenize.NL)]


def test_code_cells_of_the_two_builds_differ_in_their_comments_only(builds):
    code = {language: [c.source for c in nb.cells if c.cell_type == "code"]
            for language, nb in builds.items()}
    setup_en, *rest_en = code["en"]
    setup_zh, *rest_zh = code["zh"]
    assert [without_comments(c) for c in rest_en] == [without_comments(c) for c in rest_zh]
    label = {language: repr(i18n.msg_in(language, "helpers_at")) for language in code}
    assert setup_en.replace('KIT_LANG", "en"', 'KIT_LANG", "zh"').replace(
        f"print({label['en']}, ", f"print({label['zh']}, ") == setup_zh  # its language only
    for english, chinese in zip(rest_en, rest_zh):
        for (_, _, said_en), (_, _, said_zh) in zip(translations.comments(english),
                                                     translations.comments(chinese)):
            assert HAN.search(said_zh) and said_zh != said_en, said_en
        assert english.count(notebooks.STUB_MARKER) == chinese.count(notebooks.STUB_MARKER)


def test_comment_substitution_touches_comments_only():
    source = 'x = "# not a comment"  # the first\n# YOUR CODE HERE\n    # the second\ny = 1'
    assert [c[2] for c in translations.comments(source)] == ["# the first", "# the second"]
    assert translations.with_comments(source, ["# 第一", "# 第二"]) == (
        'x = "# not a comment"  # 第一\n# YOUR CODE HERE\n    # 第二\ny = 1')
    assert translations.comments('x = """never closed  # inside\n') == []  # unreadable: kept


def test_a_code_translation_must_have_one_line_per_comment(tmp_path, monkeypatch):
    assignment = assignments.get("weather_rnn")
    copy = tmp_path / "weather_rnn.zh.md"
    text = translations.path_of(assignment).read_text()
    entry = "# 第 11-15 行；然后 16 + 5 >= 20，所以下一个批量又从第 6 行开始\n"
    assert text.count(entry) == 1
    copy.write_text(text.replace(entry, ""))
    monkeypatch.setattr(translations, "path_of", lambda a, language="zh": copy)
    problems = translations.problems(assignment)
    assert len(problems) == 1 and "must be 2 comment line(s)" in problems[0], problems


def test_answer_placeholders_are_found_by_metadata_in_every_language():
    found = translations.answer_placeholders(assignments.get("tuning"))
    assert set(found) == set(assignments.get("tuning").manual_questions)
    for texts in found.values():
        assert len(texts) == 2 and any(HAN.search(t) for t in texts)
        assert "_Type your answer here, replacing this text._" in texts


def test_chinese_build_translates_every_markdown_cell(builds, assignment):
    source = notebooks.read(assignment.notebook)
    zh_cells = builds["zh"].cells[:]
    del zh_cells[next(i for i, c in enumerate(zh_cells) if c.cell_type == "code")]  # setup
    assert [c.cell_type for c in zh_cells] == [c.cell_type for c in source.cells]
    for original, built in zip(source.cells, zh_cells):
        assert built.metadata == original.metadata
        if translations.needs_translation(original):
            assert HAN.search(built.source) and built.source != original.source, original.source[:60]
        elif original.cell_type == "markdown":
            assert built.source == original.source
    assert builds["zh"].metadata["language"] == "zh"


def test_setup_cell_comes_first_and_embeds_the_helpers(builds):
    nb = builds["zh"]
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.metadata["kit"] == {"setup": True} and first.source.startswith("#@title")
    assert "_WHEEL = \"" in first.source and 'os.environ.setdefault("KIT_LANG", "zh")' in first.source
    nbformat.validate(nb)
    # its title in both languages (it runs before any is set); what it prints in the bundle's
    for language, said in (("zh", "课程辅助代码所在的文件夹："), ("en", "course helpers:")):
        setup = next(c for c in builds[language].cells if c.cell_type == "code").source
        assert setup.startswith("#@title Course helpers: run this cell first / 课程辅助代码：请先运行本单元格")
        assert f"print({said!r}, " in setup and setup.count("print(") == 1


def test_translation_files_are_read_strictly(tmp_path):
    path = tmp_path / "x.zh.md"
    path.write_text("stray text\n<!-- kit-translation: cell a · en 0123abcd -->\n中文\n")
    with pytest.raises(KitError, match=r"x.zh.md:1: text before the first entry"):
        translations.read(path)
    path.write_text("<!-- kit-translation: cell a · en 0123abcd -->\n中文\n\n"
                    "<!-- kit-translation: cell a · en 0123abcd -->\n又一次\n")
    with pytest.raises(KitError, match=r"x.zh.md:4: a second translation of cell a"):
        translations.read(path)
    path.write_text("<!-- kit-translation: cell a en 0123 -->\n")
    with pytest.raises(KitError, match=r"x.zh.md:1: malformed entry line"):
        translations.read(path)
    path.write_text("<!-- kit-translation: cell a · en 0123abcd -->\n\n第一段\n\n第二段\n\n")
    assert translations.read(path)[("cell", "a")].text == "第一段\n\n第二段"


def test_a_stale_translation_is_reported(tmp_path, monkeypatch):
    assignment = assignments.get("time_series")
    copy = tmp_path / "time_series.zh.md"
    text = translations.path_of(assignment).read_text()
    first = translations.HEADER.search(text.splitlines()[0])
    copy.write_text(text.replace(first[0], first[0].replace(first[3], "00000000"), 1))
    monkeypatch.setattr(translations, "path_of", lambda a, language="zh": copy)
    problems = translations.problems(assignment)
    assert len(problems) == 1 and "changed since it was translated" in problems[0]
    with pytest.raises(KitError, match="translations are not complete"):
        translations.texts_for(assignment, "zh")


# --- plots --------------------------------------------------------------------------------------

def render(path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots(figsize=(3, 1))
        ax.set_title(title)
        ax.axis("off")
        fig.savefig(path, dpi=60)
        plt.close(fig)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_chinese_plot_labels_are_drawn_not_boxed(tmp_path, chinese):
    import matplotlib.pyplot as plt
    from matplotlib.image import imread

    from shared import plots
    assert plots.cjk_font(), "no CJK font: make setup installs fonts-noto-cjk"
    fig = plots.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, metric="loss")
    labels = [fig.axes[0].get_xlabel(), fig.axes[0].get_legend().get_texts()[1].get_text()]
    plt.close(fig)
    assert labels == ["轮次（epoch）", "验证集"]
    title = "验证集 损失"
    assert render(tmp_path / "cjk.png", title) == []  # every glyph found in some font
    saved = plt.rcParams["font.family"]
    plt.rcParams["font.family"] = ["DejaVu Sans"]  # no CJK glyphs: boxes, and a warning
    try:
        assert render(tmp_path / "boxes.png", title)
    finally:
        plt.rcParams["font.family"] = saved
    drawn, boxed = imread(tmp_path / "cjk.png"), imread(tmp_path / "boxes.png")
    assert drawn.shape == boxed.shape and (drawn != boxed).any()


def test_without_a_cjk_font_labels_stay_english(monkeypatch, chinese, capsys):
    from shared import plots
    monkeypatch.setattr(plots, "_cjk_family", None)
    assert plots.label("validation") == "validation"
    assert "fonts-noto-cjk" in capsys.readouterr().out


# --- the release command --------------------------------------------------------------------------

def make_release_command(*args, env=None):
    said = subprocess.run(["make", "-n", "release", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=True).stdout
    return said[said.rfind("\n", 0, said.index("autograder.build.release")) + 1:]  # its line on


def test_make_release_takes_lang_from_the_command_line_only():
    import os
    line = make_release_command("LANG=all")
    assert "--lang all" in line and "LANG=C.UTF-8" in line  # the locale is not 'all'
    line = make_release_command(env={**os.environ, "LANG": "zh_CN.UTF-8"})
    assert "--lang" not in line and "LANG=C.UTF-8" not in line  # a locale is no language
    assert "--lang zh" in make_release_command("RELEASE_LANG=zh")


def test_student_requirements_are_the_grader_pins_of_what_notebooks_import():
    wanted = release.student_requirements().splitlines()
    pins = release.pins()
    assert 'tensorflow-cpu==2.21.0 ; sys_platform == "linux"' in wanted
    for line in wanted:
        if line.startswith("#") or "tensorflow" in line or line == release.NOTEBOOK_SERVER:
            continue
        name, version = line.split("==")
        assert pins[name.replace("-", "_")] == version
    assert len(wanted) < 15 < len(pins)


# --- the hidden tests' feedback -----------------------------------------------------------------

@pytest.fixture
def gradelib_in(tmp_path, monkeypatch):
    """``gradelib_in(language)``: gradelib imported as the grader imports it (beside a
    grading_config.json), for a course in ``language``."""
    import importlib
    import json
    import shutil
    import sys

    def load(language):
        folder = tmp_path / language
        folder.mkdir()
        for module in ("gradelib.py", "kit_codec.py"):
            shutil.copy(REPO_ROOT / "autograder" / "engine" / module, folder / module)
        config = {**assignments.get("tuning").config, "language": language}
        (folder / "grading_config.json").write_text(json.dumps(config))
        monkeypatch.syspath_prepend(str(folder))
        for name in ("gradelib", "kit_codec"):
            monkeypatch.delitem(sys.modules, name, raising=False)
        return importlib.import_module("gradelib")
    yield load
    i18n.set_language(None)


def test_hidden_feedback_speaks_the_course_language(gradelib_in):
    from otter.test_files import ExceptionTestFile

    gradelib = gradelib_in("zh")
    with pytest.raises(summary.ComparisonError, match="`best_epoch` 没有定义"):
        gradelib.call_case(None, "best_epoch", "tie")
    with pytest.raises(summary.ComparisonError, match="第 1 层：应为 Dense"):
        gradelib.assert_architecture(lambda: __import__("keras").Sequential(
            [__import__("keras").Input((3,)), __import__("keras").layers.ReLU()]),
            (), [["Dense", (None, 1), 4, "linear"]], "build")
    for path in sorted(REPO_ROOT.glob("autograder/assignments/*/tests/*.py")):
        names = [case.name for case in ExceptionTestFile.from_file(str(path)).test_cases]
        assert all(HAN.search(name) for name in names), (path, names)  # gradelib.text(en, zh)


def test_hidden_feedback_in_english_for_an_english_course(gradelib_in):
    gradelib = gradelib_in("en")
    with pytest.raises(summary.ComparisonError, match="`best_epoch` is not defined"):
        gradelib.call_case(None, "best_epoch", "tie")


def test_the_feedback_texts_of_the_config_have_their_chinese():
    tuning = assignments.get("tuning")
    english = translations.config_texts(tuning, "en")
    chinese = translations.config_texts(tuning, "zh")
    assert set(english) == set(chinese) and len(english) == 1 + 3 + 10
    assert english["manual.mse_loss.title"] == tuning.manual_questions["mse_loss"]["title"]
    assert all(HAN.search(text) for text in chinese.values())
