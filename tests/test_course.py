"""The course file (deadlines, late policy, extensions) and the roster: penalties computed
as documented, and every mistake named with its file and line."""
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder import course
from autograder.assignments import REPO_ROOT, KitError

CST = timezone(timedelta(hours=8))
DUE = datetime(2027, 3, 15, 23, 59, tzinfo=CST)


def load(tmp_path, text: str) -> course.Course:
    path = tmp_path / "course.toml"
    path.write_text(text)
    return course.load(path)


BASE = """[course]
timezone = "Asia/Shanghai"

[assignments.convnets]
due = "2027-03-15 23:59"
grace_minutes = 10
late_policy = { percent = 10, per = "day", cap = 30 }
last_accepted = 2027-03-20T23:59:00+08:00

[assignments.convnets.extensions]
s1007 = 2027-03-17T23:59:00+08:00
s1008 = "36 hours"
"""


@pytest.fixture
def deadline(tmp_path):
    return load(tmp_path, BASE).deadline("convnets")


def test_the_repo_course_file_covers_every_assignment():
    loaded = course.load(course.COURSE_FILE)
    from autograder.assignments import available
    assert set(loaded.deadlines) == set(available())


def test_a_local_time_is_taken_in_the_course_time_zone(deadline):
    assert deadline.due == DUE


@pytest.mark.parametrize("after, penalty, says", [
    (timedelta(minutes=-30), 0, ""),
    (timedelta(0), 0, ""),
    (timedelta(minutes=10), 0, "within the 10 min grace period"),
    (timedelta(minutes=11), 10, "1 started day × 10% = 10%"),
    (timedelta(days=1), 10, "1 started day × 10% = 10%"),
    (timedelta(days=1, seconds=1), 20, "2 started days × 10% = 20%"),
    (timedelta(days=4, hours=2), 30, "5 started days × 10% = 50%, capped at 30%"),
    (timedelta(days=5, minutes=1), 100, "after the last accepted time 2027-03-20T23:59+08:00"),
])
def test_percent_per_started_day_with_grace_cap_and_last_accepted(deadline, after, penalty, says):
    late = deadline.late("s1001", DUE + after)
    assert late.penalty == penalty
    assert says in late.reason
    assert late.late_by == max(after, timedelta(0))


def test_extensions_move_the_due_time_and_the_last_accepted_time(deadline):
    extended = datetime(2027, 3, 17, 23, 59, tzinfo=CST)
    assert deadline.due_for("s1007") == extended
    assert deadline.due_for("s1008") == DUE + timedelta(hours=36)
    assert deadline.late("s1007", extended - timedelta(hours=1)).penalty == 0
    one_day = deadline.late("s1007", extended + timedelta(hours=5))
    assert one_day.penalty == 10 and "extended to 2027-03-17T23:59+08:00" in one_day.reason
    # The last accepted time moves by the extension: 2 days later for s1007.
    assert deadline.late("s1007", datetime(2027, 3, 22, 23, 0, tzinfo=CST)).penalty == 30
    assert deadline.late("s1001", datetime(2027, 3, 22, 23, 0, tzinfo=CST)).penalty == 100


def test_percent_per_hour_and_no_policy(tmp_path):
    hourly = load(tmp_path, '[assignments.tuning]\ndue = 2027-03-01T12:00:00Z\n'
                            'late_policy = { percent = 2.5, per = "hour" }\n').deadline("tuning")
    due = datetime(2027, 3, 1, 12, tzinfo=timezone.utc)
    assert hourly.late("a", due + timedelta(hours=3, minutes=1)).penalty == 10
    assert hourly.late("a", due + timedelta(days=3)).penalty == 100  # default cap: all
    none = load(tmp_path, '[assignments.tuning]\ndue = 2027-03-01T12:00:00Z\n').deadline("tuning")
    late = none.late("a", due + timedelta(days=3))
    assert late.penalty == 0 and late.late_by == timedelta(days=3)
    assert "the policy has no penalty" in late.reason
    assert "no penalty for late work" in none.describe()


def test_the_policy_describes_itself(deadline):
    text = deadline.describe()
    assert "due 2027-03-15T23:59+08:00" in text and "10 minutes' grace" in text
    assert "10% of the points earned per started day late, at most 30%" in text
    assert "2 extension(s)" in text


def test_no_time_means_no_penalty(deadline):
    assert deadline.late("s1001", None).penalty == 0


@pytest.mark.parametrize("text, line, says", [
    ('[assignments.convnets]\ndue = "the 15th"\n', 2, "due 'the 15th' is not a date and time"),
    ('[assignments.convnets]\ndue = 2027-03-15\n', 2, "has no time of day"),
    ('[assignments.convnets]\ndue = 2027-03-15T23:59:00Z\nlate_policy = "harsh"\n', 3,
     'late_policy must be "none" or a table'),
    ('[assignments.convnets]\ndue = 2027-03-15T23:59:00Z\n'
     'late_policy = { percent = 10, per = "week" }\n', 3, 'per = \'week\': write "day" or "hour"'),
    ('[assignments.convnets]\ndue = 2027-03-15T23:59:00Z\n'
     'late_policy = { percent = 150 }\n', 3, "percent must be a number from 0 to 100"),
    ('[assignments.convnets]\ndue = 2027-03-15T23:59:00Z\ngrace_minutes = -5\n', 3,
     "grace_minutes must be a number"),
    ('[assignments.convnets]\ndue = 2027-03-15T23:59:00Z\n'
     'last_accepted = 2027-03-14T23:59:00Z\n', 3, "is before the due time"),
    ('[assignments.convnets]\ndue = 2027-03-15T23:59:00Z\ndeu = 1\n', 3, "unknown key 'deu'"),
    ('[assignments.convnet]\ndue = 2027-03-15T23:59:00Z\n', 1, "unknown assignment 'convnet'"),
    ('[course]\ntimezone = "Mars/Olympus"\n', 2, "unknown time zone 'Mars/Olympus'"),
    ('[assignments.convnets]\ngrace_minutes = 5\n', 1, "needs a due time"),
    ('[assignments.convnets]\ndue = 2027-03-15T23:59:00Z\n\n[assignments.convnets.extensions]\n'
     's1 = "soon"\n', 5, "the extension of s1 'soon' is not a date"),
    ('[roster]\nidentifier = "SIS"\n', 2, "unknown roster key 'identifier'"),
])
def test_course_file_mistakes_name_file_and_line(tmp_path, text, line, says):
    with pytest.raises(KitError) as error:
        load(tmp_path, text)
    message = str(error.value)
    assert f"course.toml line {line}: " in message, message
    assert says in message, message


@pytest.mark.parametrize("text, line, says", [
    ('[course]\nlanguage = "cn"\n', 2, "course.language = 'cn': write one of 'en', 'zh'"),
    ('[course]\ntimezone = "UTC"\nta_language = 1\n', 3, "course.ta_language = 1"),
    ('[course]\nlang = "zh"\n', 2, "unknown key 'lang' in [course]"),
    ('[assignments.tuning]\nlanguage = "chinese"\n', 2, "assignments.tuning.language = 'chinese'"),
])
def test_language_mistakes_name_file_line_and_key(tmp_path, text, line, says):
    with pytest.raises(KitError) as error:
        load(tmp_path, text)
    assert f"course.toml line {line}: {says}" in str(error.value)


def test_one_key_chooses_the_students_language_and_one_the_tas(tmp_path):
    chinese = load(tmp_path, '[course]\nlanguage = "zh"\n\n[assignments.tuning]\nlanguage = "en"\n')
    assert [chinese.language_for(n) for n in ("convnets", "tuning")] == ["zh", "en"]
    assert chinese.ta_language_for() == "zh" and chinese.ta_language_for("tuning") == "en"
    assert chinese.deadline("tuning") is None  # a table with only a language: no deadline
    split = load(tmp_path, '[course]\nlanguage = "zh"\nta_language = "en"\n')
    assert split.language_for("convnets") == "zh" and split.ta_language_for("convnets") == "en"


def test_without_a_language_key_the_assignment_config_is_the_default(tmp_path, monkeypatch):
    from autograder import assignments
    configured = assignments.Assignment.config.func
    monkeypatch.setattr(assignments.Assignment, "config", property(
        lambda self: {**configured(self), "language": "zh" if self.name == "convnets" else "en"}))
    assert load(tmp_path, '[course]\ntimezone = "UTC"\n').language_for("convnets") == "zh"
    assert course.load(None).language_for("convnets") == "zh"
    assert course.load(None).language_for("tuning") == "en"
    assert load(tmp_path, '[course]\nlanguage = "en"\n').language_for("convnets") == "en"


def test_the_release_and_the_grader_follow_the_course_file(tmp_path, monkeypatch):
    import json

    from autograder import assignments
    from autograder.build import bundle, release
    path = tmp_path / "course.toml"
    path.write_text('[course]\nlanguage = "zh"\n')
    monkeypatch.setattr(course, "COURSE_FILE", path)
    monkeypatch.setattr(course.student_language, "__defaults__", (path,))
    tuning = assignments.get("tuning")
    assert release.language_of(tuning) == "zh" and release.language_of(tuning, "en") == "en"
    staged = tmp_path / "staged"
    staged.mkdir()
    bundle.stage(tuning, staged)
    assert json.loads((staged / "grading_config.json").read_text())["language"] == "zh"
    again = tmp_path / "again"
    again.mkdir()
    bundle.stage(tuning, again, language="en")  # make grade passes its COURSE=<file>'s
    assert json.loads((again / "grading_config.json").read_text())["language"] == "en"


def test_the_example_course_file_documents_both_language_keys():
    text = course.COURSE_FILE.read_text()
    assert re.search(r'^language = "(en|zh)"', text, re.M) and "ta_language" in text
    docs = (REPO_ROOT / "docs" / "ta-week.md").read_text()
    assert "`[course] language`" in docs and "`[course] ta_language`" in docs


def test_invalid_toml_names_the_line(tmp_path):
    with pytest.raises(KitError, match=r"course.toml: not valid TOML: .*line 2"):
        load(tmp_path, '[course]\ntimezone = Asia/Shanghai\n')


def test_a_missing_course_file_says_so(tmp_path):
    with pytest.raises(KitError, match="does not exist"):
        course.load(tmp_path / "nope.toml")
    assert course.load(None).deadline("convnets") is None


# --- the roster ----------------------------------------------------------------------

def roster(tmp_path, text: str, **columns):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return course.read_roster(path, columns or None)


def test_roster_with_default_and_configured_columns(tmp_path):
    students = roster(tmp_path, "\ufeffid,name,email,section\ns1,Ada Abe,a@x.edu,L1\n\n"
                                "s2,Bo Bauer,,L2\n")
    assert [(s.id, s.name, s.email, s.section, s.line) for s in students] == [
        ("s1", "Ada Abe", "a@x.edu", "L1", 2), ("s2", "Bo Bauer", "", "L2", 4)]
    canvas = roster(tmp_path, "Student,ID,SIS User ID,SIS Login ID,Section\n"
                              "    Points Possible,,,,\n\"Abe, Ada\",4801,s1,aabe,L1\n",
                    id="SIS User ID", name="Student", lms_id="ID", section="Section")
    assert [(s.id, s.name, s.lms_id) for s in canvas] == [("s1", "Abe, Ada", "4801")]
    assert dict(canvas[0].row)["SIS Login ID"] == "aabe"


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\x1e"])
def test_a_name_holding_a_unicode_line_separator_stays_in_its_roster_row(tmp_path, separator):
    """Canvas writes a sortable name without a comma unquoted; one holding U+2028 (or NEL)
    was cut in two by str.splitlines(), and the half without an id stopped the class."""
    canvas = roster(tmp_path, "Student,ID,SIS User ID,SIS Login ID,Section\n"
                              f"    Points Possible,,,,\nAda{separator}Abe,4801,s1,aabe,L1\n"
                              f'"Bauer,{separator} Bo",4802,s2,bbauer,L1\n',
                    id="SIS User ID", name="Student", lms_id="ID", section="Section")
    assert [(s.id, s.name, s.lms_id, s.line) for s in canvas] == [
        ("s1", f"Ada{separator}Abe", "4801", 3), ("s2", f"Bauer,{separator} Bo", "4802", 4)]


@pytest.mark.parametrize("text, says", [
    ("student,name\ns1,A\n", "roster.csv line 1: no id column 'id' (columns: student, name)"),
    ("id,name\ns1,A\ns2,B\ns1,C\n", "roster.csv line 4, column id: duplicate id 's1' (first on line 2)"),
    ("id,name\ns1,A\n,B\n", "roster.csv line 3, column id: the id is empty"),
    ("id,name\n../etc,A\n", "roster.csv line 2, column id: the id '../etc' has characters"),
    ("id,name\n", "the roster has no students"),
])
def test_roster_mistakes_name_file_line_and_column(tmp_path, text, says):
    with pytest.raises(KitError, match=pytest.importorskip("re").escape(says)):
        roster(tmp_path, text)


def test_a_roster_that_is_not_utf8_says_how_to_save_it(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("id,name\ns1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(KitError, match="not UTF-8 text .* save the roster as CSV UTF-8"):
        course.read_roster(path)


def test_the_readme_documents_the_course_file():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "course.toml" in readme and "docs/ta-week.md" in readme
    assert "late_policy" in (REPO_ROOT / "docs" / "ta-week.md").read_text()
    assert Path(course.COURSE_FILE).exists()


def test_a_chinese_course_writes_its_late_notes_in_chinese_with_the_same_penalty(tmp_path):
    english = load(tmp_path, BASE).deadline("convnets")
    chinese = load(tmp_path, BASE.replace('timezone = "Asia/Shanghai"',
                                          'timezone = "Asia/Shanghai"\nlanguage = "zh"')).deadline("convnets")
    for after in (timedelta(minutes=5), timedelta(days=1, seconds=1), timedelta(days=4, hours=2),
                  timedelta(days=9)):
        en, zh = english.late("s1", DUE + after), chinese.late("s1", DUE + after)
        assert (en.penalty, en.late_by, en.reason) == (zh.penalty, zh.late_by, zh.reason)  # stored
        said = course.say_late("zh", zh.reason)  # as each page says it to a Chinese reader
        assert re.search(r"[\u4e00-\u9fff]", said) and not re.search(r"\b(late|day|min)\b", said)
        assert course.say_late("en", en.reason) == en.reason
    assert course.say_late("zh", chinese.late("s1", DUE + timedelta(days=1, seconds=1)).reason) == (
        "在截止时间 2027-03-15T23:59+08:00 之后迟交 1 天 1 分钟：不足一天按一天计，共 2 天 × 10% = 20%")
    assert "已延期至 2027-03-17T23:59+08:00" in course.say_late(
        "zh", chinese.late("s1007", DUE + timedelta(days=3)).reason)
    assert course.fmt_delta(timedelta(hours=26, minutes=3), "zh") == "1 天 2 小时 3 分钟"
    assert course.fmt_delta(timedelta(hours=26, minutes=3)) == "1 d 2 h 3 min"  # grades.csv late_by
