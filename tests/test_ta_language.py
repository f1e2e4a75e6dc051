"""The TA's pages follow ``ta_language`` (issue 24): a class graded with ``ta_language = "zh"``
gives report.html, summary.md, similarity.html, the feedback pages, the exports' comments
and the review app's pages whose own words are all Chinese, and ``<html lang="zh">``.

The class's data stays as it is, and the pages say which it is: students' ids and names
``translate="no"``, code in ``<code>``/``<pre>``, ids in summary.md in backticks. So
:func:`autograder.tools.zhcheck.page` reads each page as HTML (or Markdown, or an LMS
export) means it, and these tests check what the pages themselves say: no allowance.

The week: a Canvas download with a roster, a late student, one too late, a missing one and
one not on the roster (test_report_html.make_run), graded by the stand-in grader worded in
Chinese as a real zh grading words it (:func:`chinese_grader`; tests/test_zhcheck.py grades
real notebooks in Chinese).
"""
import re

import pytest

from autograder import assignments, course, export
from autograder.engine import report
from autograder.review import app as review
from autograder.tools import zhcheck
from tests import fakes
from tests import test_report_html

ZH = '[course]\nlanguage = "zh"\nta_language = "zh"\n'
ENGLISH_COURSE = test_report_html.COURSE  # as imported: each fixture starts from it
#: The stand-in grader's test cases and failures as a zh grading words them.
ZH_CASES = {"architecture": "模型的层与要求一致", "compiled": "模型已经编译",
            "accuracy": "测试集准确率达到要求"}
ZH_FAILURES = {"architecture": "第 3 层应为 BatchNormalization，实际是 ReLU。",
               "compiled": "模型还没有编译：请先调用 compile()。",
               "accuracy": "测试集准确率 0.41，低于 0.7。"}


def chinese_grader(monkeypatch):
    """fakes' grader, its cases and failures said in Chinese (and a stopped run's message)."""
    from autograder import grade
    from autograder.engine.runner import feedback_text

    def _grade(self, notebook):
        outcome = fakes.fake_grade_one(notebook, None)
        for question, result in outcome.results.items():
            for case in result["cases"]:
                case["message"] = ZH_FAILURES[case["name"]] if case["message"] else ""
                case["name"] = ZH_CASES[case["name"]]
            outcome.outputs[question] = feedback_text(result, "zh")
        if outcome.message:
            outcome.message = "运行超时，已停止。"
        return outcome
    monkeypatch.setattr(grade.LocalPool, "_grade", _grade)


def zh_course(monkeypatch):
    """test_report_html's course file with both languages set to Chinese, graded in Chinese."""
    monkeypatch.setattr(test_report_html, "COURSE", ENGLISH_COURSE.replace("[course]\n", ZH, 1))
    monkeypatch.setattr(fakes, "use_fake_grader", chinese_grader)


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    try:
        zh_course(monkeypatch)
        out = test_report_html.make_run(tmp_path_factory.mktemp("zh"), monkeypatch)
        export.export(out, "canvas", column="ConvNets (1)")
        export.export(out, "moodle")
        export.export(out, "csv")
        yield out
    finally:
        monkeypatch.undo()


def test_a_zh_tas_week_has_no_english_on_any_page(zh_run):
    pages = zhcheck.run_pages(zh_run)
    names = {path.relative_to(zh_run).as_posix() for path in pages}
    assert {"report.html", "summary.md", "export/moodle/grades.csv",
            "export/canvas/gradebook.csv"} <= names
    assert sum(name.startswith("feedback/") for name in names) == 2 * 12
    found = [f for path in pages for f in zhcheck.page(path)]
    assert found == [], "\n".join(map(str, found))


def test_english_planted_in_a_pages_own_words_is_reported(zh_run, tmp_path):
    report = (zh_run / "report.html").read_text(encoding="utf-8")
    planted = tmp_path / "report.html"
    planted.write_text(report.replace("<main>", '<main><p>Late work <span translate="no">'
                                      'Sun Hana</span></p><p title="Sort by name">排序</p>', 1),
                       encoding="utf-8")
    assert [f.english for f in zhcheck.page(planted)] == ["Late work", "Sort by name"]
    summary = (zh_run / "summary.md").read_text(encoding="utf-8")
    planted = tmp_path / "summary.md"
    planted.write_text(summary + "\nAll tests passed `for a in b`\n", encoding="utf-8")
    assert [f.english for f in zhcheck.page(planted)] == ["All tests passed"]


def test_html_pages_say_they_are_chinese(zh_run):
    for path in ("report.html", "similarity.html"):
        text = (zh_run / path).read_text(encoding="utf-8")
        assert '<html lang="zh">' in text, path
    report = (zh_run / "report.html").read_text(encoding="utf-8")
    assert "评分报告" in report and "迟交规则：截止时间" in report
    assert "grading report" not in report


def test_deadline_describe_in_both_languages():
    from datetime import datetime, timedelta, timezone
    due = datetime(2027, 4, 5, 23, 59, tzinfo=timezone(timedelta(hours=8)))
    deadline = course.Deadline("convnets", due, policy=course.LatePolicy(10, "day", 50),
                               last_accepted=due + timedelta(days=4))
    assert deadline.describe() == ("due 2027-04-05T23:59+08:00; 10% of the points earned per "
                                   "started day late, at most 50%; nothing accepted after "
                                   "2027-04-09T23:59+08:00 (no points)")
    zh = deadline.describe("zh")
    assert zh.startswith("截止时间 2027-04-05T23:59+08:00；") and "最多扣 50%" in zh
    assert zhcheck.english_runs(zh) == []


@pytest.fixture(scope="module")
def zh_tuning(tmp_path_factory):
    """A Tuning class (questions graded by hand) graded under the zh course file: the review
    app shows each question's prompt from the zh release and a blank answer in Chinese."""
    monkeypatch = pytest.MonkeyPatch()
    try:
        zh_course(monkeypatch)
        yield test_report_html.make_run(tmp_path_factory.mktemp("zh-tuning"), monkeypatch,
                                        name="tuning")
    finally:
        monkeypatch.undo()


def test_the_review_apps_pages_are_chinese(zh_tuning, tmp_path):
    client = review.create_app(review.load(zh_tuning)).test_client()
    key = next(iter(assignments.get("tuning").manual_questions))
    for path in ("/", f"/q/{key}/1", f"/names/on?back=/q/{key}/1"):  # blank answers; names shown
        response = (client.post if path.startswith("/names") else client.get)(
            path, follow_redirects=True)
        assert response.status_code == 200, path
        assert '<html lang="zh">' in response.text, path
        page = tmp_path / f"page{len(path)}.html"
        page.write_text(response.text, encoding="utf-8")
        found = zhcheck.page(page)
        assert found == [], "\n".join(map(str, found))
    assert "（未作答）" in response.text and "学习曲线说明了什么" in response.text
    assert '<span translate="no">' in response.text  # the students' ids and names, shown
    # What the page's script says (read from the page) and a refused grade's reason.
    words = re.findall(r'data-(?:saving|saved|not-saved|not-changed|no-reply)="([^"]*)"',
                       response.text)
    assert len(words) == 5 and zhcheck.english_runs(" ".join(words)) == []
    refused = client.post(f"/api/q/{key}/1", json={"rubric": [], "adjustment": 99, "comment": ""},
                          headers={"Origin": "http://localhost"})
    assert refused.status_code == 400
    said = refused.get_json()["error"]
    assert said.startswith("第 1 个回答：99 分不是题目") and zhcheck.english_runs(said) == []


def test_the_hand_grading_pages_are_chinese(zh_tuning):
    pages = [path for path in zhcheck.run_pages(zh_tuning) if path.parent.name == "manual"]
    assert len(pages) == len(assignments.get("tuning").manual_questions)
    found = [f for path in zhcheck.run_pages(zh_tuning) for f in zhcheck.page(path)]  # all
    assert found == [], "\n".join(map(str, found))
    text = pages[0].read_text(encoding="utf-8")
    assert '<html lang="zh">' in text and "（未作答）" in text


def test_make_exports_notes_to_the_ta_are_chinese(zh_run, capsys):
    export.main(["--run", str(zh_run), "--lms", "csv"])
    said = capsys.readouterr().out
    assert said.startswith("已把 12 名学生导出到 ") and "个反馈文件" in said
    said = said.replace(str(zh_run / "export" / "csv"), "")  # the folder: a path, not words
    assert zhcheck.english_runs(said) == []


def test_the_summarys_histogram_is_labelled_in_the_tas_language(zh_run, monkeypatch):
    """histogram.png's axes and title, in Chinese with the CJK font the release plots use
    (matplotlib warns of each glyph its font cannot draw)."""
    import warnings

    import matplotlib.axes

    from autograder import grade
    assignment = assignments.get("convnets")
    questions, max_points = report.question_points(assignment)
    book = grade.GradeBook(zh_run / "grades.csv", questions, max_points)
    said = {}
    set_ = matplotlib.axes.Axes.set
    monkeypatch.setattr(matplotlib.axes.Axes, "set",
                        lambda self, **kw: said.update(kw) or set_(self, **kw))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report.write_summary(zh_run, assignment, book)
    assert said == {"xlabel": "总分（满分 14）", "ylabel": "提交数",
                    "title": "convnets：11 份提交"}
    assert not [w for w in caught if "missing from" in str(w.message)]


def test_an_english_class_with_a_chinese_ta_reads_the_deadline_in_chinese(tmp_path, monkeypatch):
    """The manifest records the deadline's facts; each page says them in its reader's
    language: report.html and summary.md in the TA's (zh), the students' feedback in theirs."""
    monkeypatch.setattr(test_report_html, "COURSE", ENGLISH_COURSE.replace(
        "[course]\n", '[course]\nlanguage = "en"\nta_language = "zh"\n', 1))
    out = test_report_html.make_run(tmp_path, monkeypatch)
    for page in ("report.html", "summary.md"):
        text = (out / page).read_text(encoding="utf-8")
        assert "截止时间 2027-04-05T23:59+08:00" in text and "due 2027-04-05" not in text, page
    late = next(path for path in (out / "feedback").glob("*.md")
                if "late" in path.read_text(encoding="utf-8").lower())
    assert "截止" not in late.read_text(encoding="utf-8")
    facts = report.run_info(out)["deadline_facts"]
    assert facts["policy"] == {"percent": 10.0, "per": "day", "cap": 100.0}
    assert report.deadline_line({"deadline": "stored", "deadline_facts": {"due": "no"}}, "zh") == "stored"


def test_every_note_is_said_again_in_the_readers_language():
    """A note is stored in the catalogue's English (grades.csv, the manifest: the kit matches
    that text) and each page says it in its reader's language: every note key, each found
    back from its English alone (none is read as another), a nested reason too."""
    import string

    from autograder.engine import collect
    from autograder.engine.members import note
    from shared.i18n import MESSAGES, msg_in
    for key in [k for k in MESSAGES if k.startswith("note.") and k != "note.refusal"]:
        fields = {name: "ValueError" if name == "error" else str(12 + n)
                  if name in collect.NOTE_FIELDS else f"v{n}"
                  for n, (_, name, *_) in enumerate(string.Formatter().parse(MESSAGES[key]["en"]))
                  if name}
        skipped = key in collect.SKIPPED_NOTES
        assert collect.say_note("zh", note(key, **fields), skipped=skipped) == \
            msg_in("zh", key, **fields), key
    stored = "; ".join([note("note.not_on_roster"), note("note.lms_late"),
                        note("note.refused", source="dl.zip:a/x.ipynb", why=note("note.symlink")),
                        note("note.earlier", count=2, sources="a.ipynb, b.ipynb"),
                        "在截止时间之后迟交 5 小时"])  # a late rule's note: as stored
    said = collect.say_notes("zh", stored)
    assert zhcheck.english_runs(said) == [] and said.endswith("; 在截止时间之后迟交 5 小时")
    assert "符号链接" in said and collect.say_notes("en", stored) == stored
    skipped = note("note.sim_skipped", why=note("note.sim_budget", size="120,000",
                                                    budget="100,000"))  # similarity's
    assert collect.say_note("zh", skipped) == "未比较：共 120,000 个字符，超出了每名学生最多比较 100,000 个字符的剩余额度"
    long = note("note.identity", text="x" * collect.NOTE_LIMIT)
    assert collect.say_note("zh", long) == long  # bounded: a longer one stays as stored


def test_a_refused_file_is_explained_in_the_students_language():
    from autograder.engine import collect
    from autograder.engine.members import note
    found = collect.Found("dl.zip:a/x.ipynb", "a/x.ipynb", 10, "canvas", "s1",
                          refused=note("note.encrypted"))
    said = collect.refusal_message(found, "zh")
    assert said.startswith("你的文件“x.ipynb”（dl.zip:a/x.ipynb）没有评分：它已加密")
    assert zhcheck.english_runs(said) == []
    assert collect.refusal_message(found).startswith(
        "Your file 'x.ipynb' (dl.zip:a/x.ipynb) was not graded: it is encrypted (a zip password). ")


def test_a_tests_backtick_spans_are_code_on_the_html_pages():
    """What a test's sentence quotes in backticks (a call, a value, a student's output) is
    ``<code>`` on the HTML pages, as on the Markdown ones: code to the reader and to zhcheck;
    the rest escaped."""
    said = "decode_review 返回了 `'? the film'`，应为 `<b>ok</b>` & 单个 ` 号"
    shown = str(report.code_spans(said))
    assert shown == ("decode_review 返回了 <code>&#39;? the film&#39;</code>，应为 "
                     "<code>&lt;b&gt;ok&lt;/b&gt;</code> &amp; 单个 ` 号")
    assert zhcheck.english_runs(zhcheck.html_words(shown)) == []


def test_make_reviews_line_to_the_ta_is_chinese(zh_tuning, monkeypatch, capsys):
    from autograder.review import __main__ as cli

    class Server:  # listens nowhere; Ctrl-C at once
        server_port = 8765

        def serve_forever(self):
            raise KeyboardInterrupt

        def server_close(self):
            pass
    monkeypatch.setattr(cli, "make_server", lambda *args, **kwargs: Server())
    cli.main(["--out", str(zh_tuning)])
    said = capsys.readouterr().out
    assert said.startswith(f"正在评阅 {zh_tuning} 中 `tuning` 的书面回答：请打开 http://127.0.0.1:8765/")
    assert zhcheck.english_runs(said.replace(str(zh_tuning), "")) == []


def test_make_similaritys_line_to_the_ta_is_chinese(zh_run, capsys):
    from autograder import similarity
    similarity.main(["--out", str(zh_run)])
    said = capsys.readouterr().out
    assert said.startswith("列出了 ") and "对高于阈值" in said
    assert zhcheck.english_runs(said.replace(str(zh_run), "")) == []


def test_a_students_english_answer_is_their_data_not_the_pages_words(zh_tuning, tmp_path):
    """An answer written in English is shown as the student wrote it, marked translate="no" on
    the hand-grading page and in the review app, so zhcheck reads only the pages' own words;
    a blank answer's placeholder stays the page's (Chinese) words."""
    from autograder.review import answers, store

    assignment = assignments.get("tuning")
    key = next(iter(assignment.manual_questions))
    english = "The validation loss rises after epoch five, so the model overfits."
    answers.write_page(zh_tuning, assignment, key, {"s1": english, "s2": store.NO_ANSWER})
    page = store.folder(zh_tuning) / f"{key}.html"
    text = page.read_text(encoding="utf-8")
    assert english in text and "（未作答）" in text
    assert zhcheck.page(page) == []
    planted = tmp_path / "planted.html"  # the same answer without the mark is reported
    planted.write_text(text.replace(' translate="no">The validation', ">The validation"),
                       encoding="utf-8")
    assert any("validation loss rises" in f.english for f in zhcheck.page(planted))
