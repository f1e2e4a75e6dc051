"""A late note in each reader's language (issue 24): grades.csv keeps it in the catalogue's
English, as it keeps collect's notes, and each page says it again: the student's feedback in
the course's ``language``, report.html and summary.md in ``ta_language``. A class whose
students and TA read different languages sees each note in its own reader's; a note stored
by a run graded before (in the students' language) is shown as stored.

The week is test_report_html's (a student 5 hours late, one after the last accepted time),
graded with the stand-in grader.
"""
import csv

import pytest

from autograder import course
from autograder.engine import collect, report
from tests import test_report_html

ENGLISH_COURSE = test_report_html.COURSE
#: The two late students' notes, stored (English) and as a Chinese reader reads them.
STORED = ("late by 5 h after 2027-04-05T23:59+08:00: 1 started day × 10% = 10%",
          "submitted 2027-04-11T23:59+08:00, after the last accepted time "
          "2027-04-09T23:59+08:00: no points (100%)")
CHINESE = ("在截止时间 2027-04-05T23:59+08:00 之后迟交 5 小时：不足一天按一天计，共 1 天 × 10% = 10%",
           "提交于 2027-04-11T23:59+08:00，晚于最后接收时间 2027-04-09T23:59+08:00：不得分（扣 100%）")


def graded(tmp_path, monkeypatch, language, ta_language):
    monkeypatch.setattr(test_report_html, "COURSE", ENGLISH_COURSE.replace(
        "[course]\n", f'[course]\nlanguage = "{language}"\nta_language = "{ta_language}"\n', 1))
    out = test_report_html.make_run(tmp_path, monkeypatch)
    with open(out / "grades.csv", encoding="utf-8", newline="") as handle:
        rows = {row["penalty"]: row for row in csv.DictReader(handle) if row["late_by"]}
    return out, rows


def pages(out, rows, penalty):
    """report.html, summary.md and the feedback (.md, .html) of the student with ``penalty``."""
    student = rows[penalty]["id"]
    return ([(out / name).read_text(encoding="utf-8") for name in ("report.html", "summary.md")],
            [(out / "feedback" / f"{student}.{ext}").read_text(encoding="utf-8")
             for ext in ("md", "html")])


@pytest.mark.parametrize("language, ta_language", [("en", "zh"), ("zh", "en")])
def test_each_page_says_a_late_note_in_its_readers_language(tmp_path, monkeypatch, language,
                                                             ta_language):
    out, rows = graded(tmp_path, monkeypatch, language, ta_language)
    said = {"en": STORED, "zh": CHINESE}
    for penalty, stored in zip(("10", "100"), STORED):
        assert rows[penalty]["notes"].split("; ")[0] == stored  # grades.csv: one stored text
        ta_pages, feedback = pages(out, rows, penalty)
        note = said[ta_language][STORED.index(stored)]
        for page in ta_pages:
            assert note in page and said[language][STORED.index(stored)] not in page
        if penalty == "10":  # a feedback page shows the note of a penalty it applies
            for page in feedback:
                assert said[language][0] in page and said[ta_language][0] not in page
    summary = (out / "summary.md").read_text(encoding="utf-8")
    late_by = {"en": "| 5 h |", "zh": "| 5 小时 |"}
    assert late_by[ta_language] in summary and late_by[language] not in summary
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f'data-sort="300">{"5 小时" if ta_language == "zh" else "5 h"}</td>' in html


def test_a_note_that_is_not_a_late_rules_english_is_shown_as_stored():
    """Runs graded before stored the note in the students' language; a malformed or cut
    note, or one too long to be one, is not read as another."""
    for text in (CHINESE[0], "late by 5 h after yesterday: 1 started day × 10% = 10%",
                 STORED[0][:-5], STORED[0] + "x" * course.LATE_NOTE_LIMIT, "late by "):
        assert course.say_late("zh", text) is None and course.say_late("en", text) is None
    old = f"{CHINESE[0]}; {CHINESE[1]}"  # a zh class's run before: shown as stored, any reader
    assert collect.say_notes("zh", old) == old and collect.say_notes("en", old) == old
    assert collect.say_notes("zh", "; ".join(STORED)) == "; ".join(CHINESE)
    assert collect.say_notes("en", "; ".join(STORED)) == "; ".join(STORED)
    assert report.late_by("1 d 2 h 5 min", "zh") == "1 天 2 小时 5 分钟"
    assert report.late_by("1 d 2 h 5 min", "en") == "1 d 2 h 5 min" and report.late_by("", "zh") == ""
    assert report.late_by("5 小时", "zh") == "5 小时"  # not fmt_delta's English: as stored


def test_every_late_note_and_its_parts_come_back_from_their_english():
    """Every sentence of Deadline.late (grace, no policy, capped, hourly, extended, after the
    last time) found back from its English and said in Chinese as the catalogue says it."""
    from datetime import datetime, timedelta, timezone
    due = datetime(2027, 3, 15, 23, 59, tzinfo=timezone(timedelta(hours=8)))
    daily = course.Deadline("x", due, timedelta(minutes=15), course.LatePolicy(10, "day", 50),
                            due + timedelta(days=7), {"s7": due + timedelta(days=2)})
    cases = [(daily, "s1", timedelta(minutes=5), "迟交 5 分钟，在 15 分钟 的宽限期内：不扣分"),
             (daily, "s1", timedelta(days=6, hours=2), "按上限只扣 50%"),
             (daily, "s7", timedelta(days=3), "（已延期至 2027-03-17T23:59+08:00） 之后迟交 1 天"),
             (daily, "s7", timedelta(days=12), "晚于最后接收时间 2027-03-24T23:59+08:00（已延期至"),
             (course.Deadline("x", due, policy=course.LatePolicy(0)), "s1", timedelta(hours=3),
              "迟交 3 小时；本作业的迟交规定不扣分"),
             (course.Deadline("x", due, policy=course.LatePolicy(2.5, "hour")), "s1",
              timedelta(minutes=61), "共 2 小时 × 2.5% = 5%")]
    for deadline, student, after, chinese in cases:
        stored = deadline.late(student, due + after).reason
        assert chinese in course.say_late("zh", stored), stored
        assert course.say_late("en", stored) == stored
