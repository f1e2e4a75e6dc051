"""The TA's pages follow ``ta_language`` (issue 24): a class graded with ``ta_language = "zh"``
gives report.html, summary.md, similarity.html and the review app's pages whose own words
are all Chinese, and ``<html lang="zh">``.

What may stay Latin on those pages is the class's data, never the page's words: the
students' names (a roster's), the test cases' names (code), what the stand-in grader
said (tests/fakes.py's English failures: a real zh grading words them in Chinese, see
tests/test_zhcheck.py) and the collect step's notes. Each English run
:func:`autograder.tools.zhcheck.page` finds must be one of the runs of that data.
"""
import csv
import re

import pytest

from autograder import assignments, course
from autograder.review import app as review, store
from autograder.tools import zhcheck
from tests import fakes
from tests import test_report_html

ZH = '[course]\nlanguage = "zh"\nta_language = "zh"\n'
ENGLISH_COURSE = test_report_html.COURSE  # as imported: each fixture starts from it


def zh_course(monkeypatch):
    """test_report_html's course file with both languages set to Chinese."""
    monkeypatch.setattr(test_report_html, "COURSE", ENGLISH_COURSE.replace("[course]\n", ZH, 1))


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    try:
        zh_course(monkeypatch)
        yield test_report_html.make_run(tmp_path_factory.mktemp("zh"), monkeypatch)
    finally:
        monkeypatch.undo()


def data_runs(out) -> set[str]:
    """The English runs of the class's own data: names, notes, messages, flags, case names."""
    texts = [case for cases in fakes.CASES.values() for case, _ in cases]
    texts += fakes.FAILURES.values()
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            texts += [row["name"], row["flags"], row["message"], *row["notes"].split("; ")]
    return {run for text in texts for run in zhcheck.english_runs(text)}


def page_words(out, found) -> list[str]:
    """The English runs of ``found`` that are not the class's data: the page's own words."""
    allowed = data_runs(out)
    return [str(f) for f in found if f.english not in allowed]


def found_on(path, tmp_path):
    """zhcheck.page's findings, with what a page shows as ``<code>`` or ``<kbd>`` (a config
    key, a command, a key to press) read as code: page() drops tags, so the copy marks
    each one with backticks."""
    copy = tmp_path / path.name
    copy.write_text(re.sub(r"<(code|kbd)>([^<`]*)</\1>", r"<\1>`\2`</\1>",
                           path.read_text(encoding="utf-8")), encoding="utf-8")
    return zhcheck.page(copy)


@pytest.mark.parametrize("path", ["report.html", "summary.md", "similarity.html"])
def test_the_tas_pages_are_chinese(zh_run, path, tmp_path):
    assert page_words(zh_run, found_on(zh_run / path, tmp_path)) == []


def test_html_pages_say_they_are_chinese(zh_run):
    for path in ("report.html", "similarity.html"):
        text = (zh_run / path).read_text(encoding="utf-8")
        assert '<html lang="zh">' in text, path
    report = (zh_run / "report.html").read_text(encoding="utf-8")
    assert "评分报告" in report and "迟交规则：截止时间" in report
    assert "grading report" not in report


def test_the_data_is_not_what_is_allowed_of_a_page(zh_run):
    """The allowance is the data's runs only: a page word such as "grading report" is not in it."""
    allowed = data_runs(zh_run)
    assert "Sun Hana" in allowed and "grading report" not in allowed and "Late policy" not in allowed


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
    """A Tuning class (questions graded by hand) graded under the zh course file.

    Left in English and out of this check for now: the question's prompt (the English
    notebook's Markdown, answers.prompts) and a blank answer's stand-in (store.NO_ANSWER)."""
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
    for path in ("/", f"/q/{key}/1"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        page = tmp_path / f"page{len(path)}.html"
        # The question's prompt is the English notebook's Markdown (answers.prompts reads
        # no translation yet): left out here, said in the report to the lead.
        page.write_text(re.sub(r'<details class="prompt">.*?</details>', "", response.text,
                               flags=re.S), encoding="utf-8")
        assert '<html lang="zh">' in response.text, path
        found = [f for f in found_on(page, tmp_path)  # store.NO_ANSWER: still English, see below
                 if f.english not in zhcheck.english_runs(store.NO_ANSWER)]
        assert page_words(zh_tuning, found) == [], path


def test_make_exports_notes_to_the_ta_are_chinese(zh_run, capsys):
    from autograder import export
    export.main(["--run", str(zh_run), "--lms", "csv"])
    said = capsys.readouterr().out
    assert said.startswith("已把 12 名学生导出到 ") and "个反馈文件" in said
    said = said.replace(str(zh_run / "export" / "csv"), "")  # the folder: a path, not words
    assert [run for run in zhcheck.english_runs(said) if run not in data_runs(zh_run)] == []
