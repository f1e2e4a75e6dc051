"""report.html and the feedback pages in a real headless browser (Debian chromium): they load
from file:// with nothing fetched, sort, filter, every link resolves, no console error."""
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from autograder import grade, manual
from autograder.review import store
from autograder.engine import report
from autograder.tools import downloads
from tests import fakes
from tests.browser import browser, page  # noqa: F401 (fixtures)

CST = timezone(timedelta(hours=8))
DUE = datetime(2027, 4, 5, 23, 59, tzinfo=CST)
COURSE = ('[course]\ntimezone = "Asia/Shanghai"\n\n[roster]\nid = "SIS User ID"\n'
          'name = "Student"\nsection = "Section"\nlms_id = "ID"\n\n[assignments.{name}]\n'
          'due = 2027-04-05T23:59:00+08:00\nlate_policy = {{ percent = 10, per = "day" }}\n'
          'last_accepted = 2027-04-09T23:59:00+08:00\n')
ALL = {q: [c for c, _ in cs] for q, cs in fakes.CASES.items()}


def make_run(tmp_path, monkeypatch, name="convnets") -> Path:
    """Twelve students: correct, partly wrong, late, too late, flagged, timed out, missing,
    not on the roster; graded with the stand-in grader from a Canvas download."""
    fakes.use_fake_grader(monkeypatch)
    persons = downloads.people(12, seed=3)
    no_compile = {q: ["architecture", "accuracy"] for q in fakes.CASES}
    attempts = [
        downloads.Attempt(persons[0], fakes.notebook(ALL), DUE - timedelta(hours=9)),
        downloads.Attempt(persons[1], fakes.notebook(no_compile), DUE - timedelta(hours=8)),
        downloads.Attempt(persons[2], fakes.notebook(no_compile), DUE - timedelta(hours=7)),
        downloads.Attempt(persons[3], fakes.notebook({"happy_model": ["architecture"]}),
                          DUE - timedelta(hours=6)),
        downloads.Attempt(persons[4], fakes.notebook(ALL), DUE + timedelta(hours=5), late=True),
        downloads.Attempt(persons[5], fakes.notebook(ALL), DUE + timedelta(days=6), late=True),
        downloads.Attempt(persons[6], fakes.notebook(ALL, flags=("network",)),
                          DUE - timedelta(hours=4)),
        downloads.Attempt(persons[7], fakes.notebook({}, status="timeout"), DUE - timedelta(hours=3)),
        downloads.Attempt(persons[8], fakes.notebook(ALL), DUE - timedelta(hours=2)),
        downloads.Attempt(persons[9], fakes.notebook(no_compile), DUE - timedelta(hours=1)),
        downloads.Attempt(persons[11], fakes.notebook(ALL), DUE - timedelta(hours=1)),
    ]
    zip_path = downloads.canvas_zip(tmp_path / "dl" / "submissions.zip", attempts, CST)
    roster = downloads.write_roster(tmp_path / "roster.csv", persons[:11])  # 11: a stranger
    course_file = tmp_path / "course.toml"
    course_file.write_text(COURSE.format(name=name))
    out = tmp_path / "run"
    grade.grade_class(name, zip_path, out, jobs=2, timeout=10, memory_gb=1, progress=False,
                      roster=roster, course_file=course_file)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    try:
        yield make_run(tmp_path_factory.mktemp("report"), monkeypatch)
    finally:
        monkeypatch.undo()


def rows_in_table(page):
    return page.eval_on_selector_all("#students tbody tr:not([hidden])",
                                     "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))")


def test_report_shows_histogram_statuses_and_every_test(page, run):  # noqa: F811
    page.goto((run / "report.html").as_uri())
    ticks = page.eval_on_selector_all(".histogram .tick.y", "ts => ts.map(t => t.textContent)")
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks)  # integer counts
    counts = page.eval_on_selector_all(".histogram rect", "rs => rs.map(r => +r.dataset.count)")
    assert sum(counts) == 11 and len(counts) == 15  # bins 0..14
    cards = page.inner_text(".cards")
    assert "12\nstudents" in cards and "1\nmissing" in cards and "1\ntimeout" in cards
    tests = page.eval_on_selector_all("#tests tbody tr", "rs => rs.map(r => r.innerText)")
    assert len(tests) == 6
    compiled = next(t for t in tests if t.startswith("happy_model\tcompiled"))
    # Failed by the three that never compile, the one with half a model and the timeout.
    assert "6 / 11" in compiled and "the model is not compiled: call compile() first (5×)" in compiled
    assert tests[0].split("\t")[1] == "compiled"  # the test failed most comes first
    assert [t.split("\t")[3] for t in tests] == ["6 / 11", "6 / 11", "9 / 11", "9 / 11",
                                                 "9 / 11", "10 / 11"]
    look = page.inner_text("#look")
    for what in ("missing", "timeout", "flags: network", "late", "not on the roster"):
        assert what in look, what


def test_report_table_sorts_and_filters(page, run):  # noqa: F811
    page.goto((run / "report.html").as_uri())
    names = [c.strip() for c in page.eval_on_selector_all(
        "#students th", "hs => hs.map(h => h.textContent)")]
    column = names.index("final")
    button = page.locator("#students th button", has_text="final")
    button.focus()  # the headers are buttons: sorted from the keyboard
    page.keyboard.press("Enter")
    finals = [float(r[column]) for r in rows_in_table(page)]
    assert finals == sorted(finals) and len(finals) == 12
    assert page.locator("#students th", has_text="final").get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Space")
    finals = [float(r[column]) for r in rows_in_table(page)]
    assert finals == sorted(finals, reverse=True)
    assert page.locator("#students th", has_text="final").get_attribute("aria-sort") == "descending"
    page.locator("#students th button", has_text="id").first.click()
    ids = [r[0] for r in rows_in_table(page)]
    assert ids == sorted(ids)
    assert page.locator("#students th", has_text="final").get_attribute("aria-sort") == "none"
    late = names.index("late by")
    page.locator("#students th button", has_text="late by").click()
    lates = [r[late] for r in rows_in_table(page) if r[late]]
    assert lates == sorted(lates, key=report.late_minutes) and len(lates) == 2
    assert report.late_minutes(lates[0]) < report.late_minutes(lates[1])
    # It sorts by the minutes each cell carries, not by its text ("6 d" < "10 h" as text).
    sort_keys = page.eval_on_selector_all(
        "#students tbody tr",
        f"rs => rs.map(r => [r.cells[{late}].textContent, r.cells[{late}].dataset.sort])")
    assert all(int(key) == report.late_minutes(text) for text, key in sort_keys)
    page.fill("#filter", "s1003")
    assert [r[0] for r in rows_in_table(page)] == ["s1003"]
    assert page.inner_text("#shown") == "1 shown"
    page.fill("#filter", "")
    page.select_option("#status", "missing")
    assert [r[0] for r in rows_in_table(page)] == ["s1011"]
    page.select_option("#status", "")
    page.check("#only-look")
    looked = {r[0] for r in rows_in_table(page)}
    assert {"s1011", "s1008", "s1007", "s1005", "s1006"} <= looked and "s1001" not in looked


def test_the_most_common_failure_counts_root_causes_not_knock_ons(tmp_path):
    """A notebook that timed out fails the tests it never reached with "run its cell
    first": counted apart, so two of those never outnumber one real mistake."""
    knock = "happyModel is not defined as a function: run its cell first."
    real = "layer 3: expected BatchNormalization, found ReLU"
    for student, status, message in (("a", "timeout", knock), ("b", "crashed", knock),
                                     ("c", "graded", real), ("d", "graded", knock),
                                     ("e", "timeout", real)):
        report.atomic_write(report.results_path(tmp_path, student), json.dumps({"results": {
            "happy_model": {"cases": [{"name": "architecture", "points": 4, "passed": False,
                                       "message": message}]}}}))
    statuses = {"a": "timeout", "b": "crashed", "c": "graded", "d": "graded", "e": "timeout"}
    [rate] = report.test_rates(tmp_path, list(statuses), statuses)
    assert rate["failed"] == 5 and rate["knock_on"] == 2
    # Two real failures (c, and e before its timeout) and d's, whose notebook ran on.
    assert rate["common"] == real and rate["common_count"] == 2


def test_late_by_sorts_by_value_and_needs_a_look_says_each_thing_once():
    assert report.late_minutes("1 d 2 h 5 min") == 24 * 60 + 125
    assert sorted(["6 d", "10 h", "45 min", ""], key=report.late_minutes) == [
        "", "45 min", "10 h", "6 d"]
    row = {"status": "missing", "notes": "no submission", "message": "no submission"}
    assert report.look_text(row, report.needs_a_look(row)) == ["missing", "no submission"]
    long = "the model " + "overfits badly " * 30
    [_, message] = report.look_text({"status": "error", "message": long}, ["error"])
    assert message.endswith("…") and len(message) <= 201 and long.startswith(message[:-1])
    assert message[:-1].split()[-1] in ("overfits", "badly")  # cut at a word, not inside one


def test_every_link_resolves_and_feedback_pages_load_clean(page, run):  # noqa: F811
    page.goto((run / "report.html").as_uri())
    links = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    assert len(links) >= 12
    for link in links:
        target = Path(unquote(urlparse(link).path))
        assert urlparse(link).scheme == "file" and target.is_file(), link
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    for link in sorted(set(links)):
        page.goto(link)
        assert ("feedback for" in page.title() if "/feedback/" in link
                else page.title().endswith("similar work")), link
    assert any(link.endswith("/similarity.html") for link in links)  # linked once it exists
    assert all(url.startswith("file://") for url in requests)  # nothing from the network


def test_feedback_page_shows_points_per_test_messages_and_the_late_penalty(page, run):  # noqa: F811
    page.goto((run / "feedback" / "s1005.html").as_uri())
    text = page.inner_text("body")
    assert "Final after the late penalty: 12.6 points" in text
    assert "1 started day × 10% = 10%" in text
    page.goto((run / "feedback" / "s1002.html").as_uri())
    text = page.inner_text("body")
    assert "the model is not compiled: call compile() first" in text
    assert "0 / 1" in text and "4 / 4" in text
    md = (run / "feedback" / "s1002.md").read_text()
    assert "the model is not compiled" in md  # the same content as the .md


def test_feedback_page_shows_the_tas_points_and_comment(page, tmp_path, monkeypatch):  # noqa: F811
    out = make_run(tmp_path, monkeypatch, name="tuning")
    from autograder import assignments
    tuning = assignments.get("tuning")
    key = next(iter(tuning.manual_questions))
    item = store.rubric(tuning, key)[0]
    points = max(0, item["points"])
    page.goto((out / "report.html").as_uri())  # nothing graded by hand yet: all provisional
    pending = 11 * len(tuning.manual_questions)  # 11 submissions, 1 missing
    assert f"{pending}\nhand-graded answers pending" in page.inner_text(".cards")
    assert "mean final points (provisional)" in page.inner_text(".cards")
    assert page.locator("#students td.pending").count() == pending
    assert page.locator("#students th", has_text="final (provisional)").count() == 1
    store.save_review(tuning, out, key, "s1001",
                       {"rubric": [item["id"]], "adjustment": 0 if points else 1,
                        "comment": "Clear <b>and</b> right."})
    manual.main(["--assignment", "tuning", "--out", str(out)])
    page.goto((out / "feedback" / "s1001.html").as_uri())
    text = page.inner_text("body")
    title = tuning.manual_questions[key]["title"]
    assert f"{title} (graded by hand)" in text and item["text"] in text
    missed = store.rubric(tuning, key)[1]  # the whole rubric: the items not given too
    assert f"{missed['text']}\t{missed['points']:+g}\tnot given" in text
    assert "Clear <b>and</b> right." in text  # the comment is text, not markup
    assert page.locator("b", has_text="and").count() == 0
    assert "Clear <b>and</b> right." in (out / "feedback" / "s1001.md").read_text()
    report_page = (out / "report.html").read_text()
    assert f"manual:{key}" in report_page and "provisional" in report_page
    for student in store.read_answers(out)[1]:  # every answer scored: nothing provisional
        for question in tuning.manual_questions:
            if (student, question) != ("s1001", key):
                store.save_review(tuning, out, question, student, {"adjustment": 0})
    manual.main(["--assignment", "tuning", "--out", str(out)])
    page.goto((out / "report.html").as_uri())
    text = page.inner_text("body")
    assert "provisional" not in text.lower() and "pending" not in text
