"""The English-in-Chinese check (autograder/tools/zhcheck.py): what it reports and what it
lets stand as code, and the cheap part CI runs: the zh catalogue and every zh release's
Markdown, code comments and README hold no English."""
import json
from pathlib import Path

import pytest

from autograder.tools import zhcheck
from shared import i18n


@pytest.mark.parametrize("text, runs", [
    ("请先运行 the training cell，然后再检查。", ["the training cell"]),
    ("Epoch 与 loss 在这里", ["Epoch", "loss"][:1]),  # loss is a Keras argument name: code
    ("调用 `model.fit(x, y)`，X_train 和 happyModel 读取 train_happy.h5、{name} 与 MAE。", []),
    ("64 x 64 的图片，步幅 1e-5，padding 为 'same'，r 行与 N 个标签", []),
    ("轮次（epoch）和验证集（validation）", []),  # glossary terms as glosses
    ("轮次 epoch 不在括号里", ["epoch"]),
    ("用 Keras 与 TensorFlow 在 Colab 上训练 BiLSTM 和 GRU", []),
    ("<b>Score</b> 与 <!-- an HTML comment --> 分数", ["Score"]),
])
def test_english_runs_are_words_that_are_not_code(text, runs):
    assert zhcheck.english_runs(text) == runs


def test_the_parameters_of_the_graded_functions_are_code():
    assert zhcheck.english_runs("lookback、delay 和 step 都可以换") == []
    assert "lookback" in zhcheck._parameters()
    assert "validation" not in zhcheck._parameters()  # a helper's parameter: an English word


def test_the_chinese_course_has_no_english_in_its_catalogue_and_releases():
    """What CI checks on every run (python -m autograder.tools.zhcheck)."""
    found = zhcheck.cheap()
    assert found == [], "\n".join(map(str, found))


def test_a_sentence_left_in_english_is_reported_with_its_key(monkeypatch):
    monkeypatch.setitem(i18n.MESSAGES, "planted", {"en": "Compiled.", "zh": "Compiled as asked."})
    assert [str(f) for f in zhcheck.catalogue()] == ["shared/i18n.py planted: 'Compiled as asked'"]


def test_an_english_comment_in_a_release_is_reported(monkeypatch):
    from autograder.build import translations
    texts_for = translations.texts_for

    def english_comment(assignment, language):
        texts = texts_for(assignment, language)
        key = next(k for k in texts if k[0] == "code")
        return {**texts, key: "# read the curve first"}
    monkeypatch.setattr(translations, "texts_for", english_comment)
    found = zhcheck.release("getting_started")
    assert [f.english for f in found] == ["read the curve first"]
    assert found[0].where.startswith("getting_started release, cell ")


def test_outputs_and_pages_are_read_as_a_student_and_a_ta_see_them(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": "fit()", "outputs": [
        {"output_type": "stream", "text": ["Epoch 1/2\n", "20/20 - 1s - loss: 0.3 - step\n",
                                           "训练影评 25000 条\n", 'Model: "sequential"\n',
                                           "┃ Layer (type)  ┃ Output Shape ┃ Param # ┃\n",
                                           "\x1b[1m Total params: \x1b[0m17 (68.00 B)\n"]},
        {"output_type": "execute_result", "data": {"text/plain": "validation accuracy 0.8"}},
        {"output_type": "error", "ename": "ValueError", "evalue": "shapes do not match"}]}]}
    path = tmp_path / "run.ipynb"
    path.write_text(json.dumps(nb))
    assert [f.english for f in zhcheck.notebook_outputs(path)] == [
        "validation accuracy", "shapes do not match"]
    page = tmp_path / "report.html"
    page.write_text('<html lang="zh"><style>body { color: red }</style><script>let late = 1'
                    '</script><h1>成绩报告</h1><p>Late work</p></html>')
    assert [f.english for f in zhcheck.page(page)] == ["Late work"]


def test_the_command_exits_nonzero_on_english(tmp_path, capsys):
    page = tmp_path / "feedback.md"
    page.write_text("# 反馈\n\nAll tests passed!\n")
    with pytest.raises(SystemExit) as exit_:
        zhcheck.main([str(page)])
    assert exit_.value.code == 1
    assert f"{page}: 'All tests passed'" in capsys.readouterr().out


# --- a zh course graded (slow). The zh notebooks run stubbed and filled: test_notebook_runs.py
# (autograder/tools/zhnotebooks.py: five stubbed and one filled in CI, the rest in make demo).

@pytest.mark.slow
def test_a_zh_course_grades_the_same_points_with_chinese_feedback(tmp_path):
    """The course file's language alone switches the hidden tests' feedback; the points of
    the same submissions do not move (tuning: a reference and a stub, released in Chinese)."""
    import zipfile

    import nbformat

    from autograder import assignments, grade
    from autograder.build import release
    from autograder.engine import notebooks, report
    name = "tuning"
    assignment = assignments.get(name)
    with zipfile.ZipFile(release.build(name, "zh")) as bundle:
        stub = nbformat.reads(bundle.read(f"{name}-zh/{name}.ipynb").decode(), as_version=4)
    folder = tmp_path / "submissions"
    notebooks.write(notebooks.fill(stub, assignment.solution_sources()), folder / "s1.ipynb")
    notebooks.write(stub, folder / "s2.ipynb")
    totals = {}
    for language in ("en", "zh"):
        course_file = tmp_path / f"course-{language}.toml"
        course_file.write_text(f'[course]\nlanguage = "{language}"\n')
        out = tmp_path / f"run-{language}"
        rows = grade.grade_class(name, folder, out, jobs=2, timeout=120, memory_gb=8,
                                 progress=False, course_file=course_file).rows
        totals[language] = {s: (r["status"], r["total"]) for s, r in rows.items()}
        said = [text for s in rows for q in report.feedback_data(out, assignment, s)["questions"]
                for case in q["cases"] for text in (case["name"], case["why"])]
        english = [run for text in said for run in zhcheck.english_runs(text)]
        assert (english == []) == (language == "zh"), english[:5]
        if language == "zh":  # the whole pages a student opens
            pages = sorted((out / "feedback").iterdir())
            assert len(pages) == 4 and [f for page in pages for f in zhcheck.page(page)] == []
    assert totals["en"] == totals["zh"] and totals["zh"]["s1"][1] != totals["zh"]["s2"][1]


def test_a_chinese_course_writes_chinese_feedback_pages(tmp_path, monkeypatch):
    """report.write_feedback in the course's language: headings, status, late note, rubric
    table and the written questions' titles, both pages (md and html, <html lang="zh">)."""
    from autograder import assignments
    from autograder.engine import report
    tuning = assignments.get("tuning")
    data = {"language": "zh", "title": "调参实验", "student": "s1", "name": "", "status": "graded",
            "message": "", "total": 7.0, "max": 16.0, "penalty": 10.0, "final": 6.3,
            "late_by": "1 d", "submitted_at": "2027-03-23T10:00+08:00", "time_source": "file",
            "notes": "在截止时间 2027-03-22T23:59+08:00 之后迟交 10 小时：不足一天按一天计，共 1 天 × 10% = 10%",
            "questions": [{"name": "best_epoch", "score": 2.0, "max": 3.0, "text": "✅ best_epoch 选出验证损失最低的轮次 （2 分）",
                           "cases": [{"name": "best_epoch 选出验证损失最低的轮次", "points": 2.0,
                                      "passed": True, "why": ""}]}],
            "hand_graded": [{"question": "overfitting", "title": "学习曲线说明了什么", "points": None,
                             "max": 2, "adjustment": 0.5, "comment": "",
                             "rubric": [{"text": "按这个轮次数重新训练。", "points": 0.5, "given": False}]}]}
    monkeypatch.setattr(report, "feedback_data", lambda *args, **kwargs: data)
    report.write_feedback(tmp_path, tuning, "s1")
    for name in ("s1.md", "s1.html"):
        page = tmp_path / "feedback" / name
        assert zhcheck.page(page) == [], name
    html = (tmp_path / "feedback" / "s1.html").read_text()
    assert '<html lang="zh">' in html and "已评分" in html and "尚未评分" in html
    markdown = (tmp_path / "feedback" / "s1.md").read_text()
    assert markdown.startswith("# 调参实验：`s1` 的反馈") and "状态：**已评分**。得分：**7** 分。" in markdown


def test_the_config_texts_of_a_feedback_follow_the_run_language(tmp_path):
    from autograder import assignments
    from autograder.engine import report
    tuning = assignments.get("tuning")
    (tmp_path / "collected").mkdir()
    (tmp_path / "collected" / "manifest.json").write_text('{"language": "zh", "ta_language": "en"}')
    assert report.run_language(tmp_path, tuning) == "zh"
    assert report.run_language(tmp_path, tuning, "ta_language") == "en"
    data = report.feedback_data(tmp_path, tuning, "s1", {"status": "missing"})
    assert data["language"] == "zh" and data["title"].startswith("调参实验")
    assert [item["title"] for item in data["hand_graded"]] == [
        "学习曲线说明了什么", "为什么 mse 不适合分类", "层太小会怎样"]


def test_the_lms_comment_speaks_the_students_language():
    from autograder import export
    late = {"final": "6.3", "total": "7", "max": "16", "penalty": "10", "status": "graded"}
    said = export.comment(late, language="zh")
    assert said == "6.3/16 分（扣除 10% 迟交罚分之前为 7 分）；详情见附带的反馈文件。"
    assert zhcheck.english_runs(export.comment({**late, "status": "timeout"}, False, "zh")) == []
    assert export.comment({**late, "status": "missing"}, language="zh").startswith("未提交：0 分")
    assert export.comment(late) == "6.3/16 points (7 before a 10% late penalty); details in the attached feedback file."


@pytest.mark.parametrize("page, runs", [
    ("<p>分数 <code>model.fit</code> 与 <kbd>Enter</kbd>，<samp>Epoch done</samp></p>", []),
    ("<pre>def build(units):\n    return model</pre><p>代码如上</p>", []),
    ('<td translate="no">Sun Hana</td><td>Late work</td>', ["Late work"]),
    ('<div translate="no"><p>copier <b>and</b> reference</p></div><p>and more</p>', ["and more"]),
    ('<input placeholder="Search students"><img alt="score chart" src="x.png">', [
        "Search students", "score chart"]),
    ('<p translate="no"><input placeholder="data hint"></p>', []),  # inside data: data
    # The title cannot mark its data: what the body marks is data there too.
    ('<title>反馈：copier</title><h1>反馈：<span translate="no">copier</span></h1>', []),
    ("<title>Feedback for copier</title>", ["Feedback for copier"]),
    ("<p>a<br>b</p><p>未闭合 <span>still read", ["still read"]),
])
def test_a_page_is_read_as_html_means_it(tmp_path, page, runs):
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert [f.english for f in zhcheck.page(path)] == runs


def test_a_page_nested_past_the_depth_is_read_in_linear_work():
    """A page of 20,000 nested elements: the stack stays bounded, the text is still read."""
    deep = "<div>" * 20_000 + "Late work" + "</div>" * 20_000
    assert zhcheck.english_runs(zhcheck.html_words(deep)) == ["Late work"]
    deep = '<div translate="no">' + "<div>" * 20_000 + "Sun Hana" + "</div>" * 20_000 + "</div>"
    assert zhcheck.english_runs(zhcheck.html_words(deep)) == []


def test_an_lms_export_is_read_for_its_comments_only(tmp_path):
    moodle = tmp_path / "grades.csv"
    moodle.write_text("Full name,ID number,Email address,Tuning,Feedback comments\n"
                      "Sun Hana,s1,sun@example.edu,7,7/16 分；Late work\n", encoding="utf-8")
    assert [f.english for f in zhcheck.page(moodle)] == ["Late work"]
    canvas = tmp_path / "gradebook.csv"
    canvas.write_text("Student,ID,SIS User ID,SIS Login ID,Section,ConvNets (1)\n"
                      "    Points Possible,,,,,14\nSun Hana,1001,s1,sun,A,7\n", encoding="utf-8")
    assert zhcheck.page(canvas) == []


def test_the_command_checks_a_run_folders_pages(tmp_path, capsys):
    (tmp_path / "feedback").mkdir()
    (tmp_path / "feedback" / "s1.html").write_text('<h1>反馈：<span translate="no">s1</span></h1>'
                                                   "<p>Late work</p>", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        zhcheck.main([str(tmp_path)])
    assert exit_.value.code == 1
    assert capsys.readouterr().out.splitlines()[0] == f"{tmp_path}/feedback/s1.html: 'Late work'"


def test_run_pages_lists_what_a_run_folder_holds(tmp_path):
    for name in ("report.html", "summary.md", "feedback/s1.html", "feedback/s1.md",
                 "manual/overfitting.html", "export/moodle/grades.csv", "results/s1.json",
                 "collected/s1.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in zhcheck.run_pages(tmp_path)] == [
        "report.html", "summary.md", "feedback/s1.html", "feedback/s1.md",
        "manual/overfitting.html", "export/moodle/grades.csv"]


def test_a_class_reads_the_translations_once_and_an_edited_file_again(tmp_path, monkeypatch):
    """The feedback page's title and written questions come from the release notebook and
    its translation, read once per class (0.4 CPU s each time in Chinese), and read again
    once either file changes."""
    import dataclasses
    from autograder.build import translations
    from autograder.engine import report

    @dataclasses.dataclass(frozen=True)
    class Stand:
        name: str
        folder: Path

        @property
        def notebook(self):
            return self.folder / "stand.ipynb"

    stand = Stand("stand", tmp_path)
    for path in (stand.notebook, tmp_path / "config.json", tmp_path / "stand.zh.md"):
        path.write_text("first")
    reads = []

    def config_texts(assignment, language):
        reads.append(language)
        return {"title": (tmp_path / "stand.zh.md").read_text()}
    monkeypatch.setattr(translations, "config_texts", config_texts)
    first = report._translated(stand, "zh")
    first["title"] = "changed by a caller"
    assert report._translated(stand, "zh") == {"title": "first"} and reads == ["zh"]
    (tmp_path / "stand.zh.md").write_text("second, longer")
    assert report._translated(stand, "zh") == {"title": "second, longer"} and len(reads) == 2
