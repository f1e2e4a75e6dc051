"""The course file (``course.toml`` at the repo root) and the roster: who is in the class,
when each assignment is due and what lateness costs.

A TA writes deadlines once, in one file, instead of a spreadsheet per week. Nothing here
changes a raw score: :meth:`Deadline.late` turns a submission time into a penalty in
percent of the points earned, with the sentence the summary and the feedback show, and
``grades.csv`` keeps ``total`` beside ``penalty`` and ``final``. That sentence is stored in
English, one text for a class whose students and TA read different languages, and each page
says it in its reader's (:func:`say_late`).

The file (every key but ``due`` optional; docs/ta-week.md, "The course file")::

    [course]
    timezone = "Asia/Shanghai"          # for times written without an offset
    language = "zh"                     # what students read: "zh" or "en"
    ta_language = "zh"                  # what TAs read (default: language)

    [roster]                            # column names of the ROSTER csv
    id = "id"
    name = "name"
    email = "email"
    section = "section"
    lms_id = "lms_id"                   # the LMS's own user id (Canvas "ID"), if any

    [assignments.convnets]
    due = 2027-03-15T23:59:00+08:00     # or "2027-03-15 23:59" in the course time zone
    grace_minutes = 15                  # submissions this late count as on time
    late_policy = { percent = 10, per = "day", cap = 50 }   # or "none"
    last_accepted = 2027-03-22T23:59:00+08:00  # later: no points (penalty 100%)
    canvas_column = "ConvNets (1234)"   # the Canvas gradebook column, if not the title
    language = "en"                     # this assignment's students read English
    [assignments.convnets.extensions]
    s1007 = 2027-03-17T23:59:00+08:00   # a new due date (last_accepted moves with it)
    s1012 = "2 days"                    # or a delay: "36 hours", "2 days"

Every error names the file and the line (``course.toml line 12: ...``); the roster's
name the file, the line and the column.

Why the language lives here: a course is taught in one language, and a TA switches it
once, for the release, the public checks, the hidden tests' feedback and the late notes
alike. Each assignment's ``config.json`` ``"language"`` is only the default for a course
file that names none (:meth:`Course.language_for`); the TA's own pages follow
``ta_language`` (:meth:`Course.ta_language_for`). A table may hold only ``language``
(no deadline) to switch one assignment.
"""
import csv
import functools
import io
import json
import math
import re
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.assignments import REPO_ROOT, KitError, available, get
from autograder.engine import csvcells
from autograder.engine.collect import safe_id
from autograder.engine.members import SaidError  # a roster's errors, said in the TA's language
from shared.i18n import DEFAULT, LANGUAGES  # the languages the message catalogue speaks
from shared.i18n import MESSAGES, msg_in

COURSE_FILE = REPO_ROOT / "course.toml"
ROSTER_FIELDS = ("id", "name", "email", "section", "lms_id")
UNITS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}
ASSIGNMENT_KEYS = {"due", "grace_minutes", "late_policy", "last_accepted", "extensions",
                   "canvas_column", "title", "language"}
#: Keys an assignment's table may hold without a due time (then it has no deadline).
NO_DEADLINE_KEYS = {"language", "canvas_column", "title"}
COURSE_KEYS = {"timezone", "language", "ta_language"}
DEFAULT_LANGUAGE = DEFAULT
POLICY_KEYS = {"percent", "per", "cap"}


def _where(path: Path, line: int | None) -> str:
    return f"{path} line {line}" if line else str(path)


def line_of(text: str, table: str, key: str | None = None) -> int | None:
    """The line (1-based) of ``key`` in ``[table]`` of a TOML text, or of the table header.

    tomllib keeps no positions; errors about values still name the line to fix.
    """
    current, header_line = "", None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\s*([^\[\]]+?)\s*\]$", line)
        if header:
            current = re.sub(r"\s*\.\s*", ".", header.group(1)).replace('"', "")
            if current == table and header_line is None:
                header_line = number
            continue
        if key is not None and current == table and "=" in line:
            if line.split("=", 1)[0].strip().strip('"') == key:
                return number
    if key is not None and "." in table:  # an inline table: name = { key = ... }
        parent, _, child = table.rpartition(".")
        return line_of(text, parent, child) or header_line
    return header_line


@dataclass(frozen=True)
class LatePolicy:
    percent: float = 0.0          # per started unit
    per: str = "day"              # "day" or "hour"
    cap: float = 100.0            # the most a late submission loses, in percent

    @property
    def none(self) -> bool:
        return self.percent == 0

    def describe(self, language: str = DEFAULT) -> str:
        """The policy in one phrase, in ``language`` (the reader's: the TA's pages)."""
        if self.none:
            return msg_in(language, "policy.none")
        cap = msg_in(language, "policy.cap", cap=f"{self.cap:g}") if self.cap < 100 else ""
        return msg_in(language, f"policy.per_{self.per}", percent=f"{self.percent:g}", cap=cap)


@dataclass(frozen=True)
class Late:
    """How late one submission is and what it costs."""

    late_by: timedelta            # after the (possibly extended) due time; 0 if on time
    penalty: float                # percent of the points earned
    reason: str                   # the note grades.csv keeps, in English (say_late)
    due: datetime | None = None

    @property
    def is_late(self) -> bool:
        return self.penalty > 0 or self.late_by > timedelta(0)


ON_TIME = Late(timedelta(0), 0.0, "")


@dataclass(frozen=True)
class Deadline:
    """One assignment's due time, grace, late policy, last accepted time and extensions."""

    assignment: str
    due: datetime
    grace: timedelta = timedelta(0)
    policy: LatePolicy = LatePolicy()
    last_accepted: datetime | None = None
    extensions: dict = field(default_factory=dict)  # student -> new due datetime
    language: str = DEFAULT  # the students' (Course.language_for): describe()'s default

    def due_for(self, student: str) -> datetime:
        return self.extensions.get(student, self.due)

    def last_for(self, student: str) -> datetime | None:
        if self.last_accepted is None:
            return None
        return self.last_accepted + (self.due_for(student) - self.due)

    def describe(self, language: str | None = None) -> str:
        """The deadline and its policy in one line for the TA's pages, in ``language``
        (default: the students' language this deadline was loaded with)."""
        say = functools.partial(msg_in, language or self.language)
        parts = [say("deadline.due", due=fmt_time(self.due))]
        if self.grace:
            parts.append(say("deadline.grace", minutes=f"{self.grace.total_seconds() / 60:g}"))
        parts.append(self.policy.describe(language or self.language))
        if self.last_accepted:
            parts.append(say("deadline.last", last=fmt_time(self.last_accepted)))
        if self.extensions:
            parts.append(say("deadline.extensions", count=len(self.extensions)))
        return say("deadline.separator").join(parts)

    def late(self, student: str, submitted: datetime | None) -> Late:
        """The penalty of a submission made at ``submitted`` by ``student``; its note is
        stored in English and said in each reader's language by :func:`say_late`."""
        if submitted is None:
            return ON_TIME
        say = functools.partial(msg_in, "en")  # as collect's notes: grades.csv's text
        due, last = self.due_for(student), self.last_for(student)
        extended = say("late.extended", due=fmt_time(due)) if student in self.extensions else ""
        late_by = max(submitted - due, timedelta(0))
        if last is not None and submitted > last:
            return Late(late_by, 100.0, say("late.after_last", submitted=fmt_time(submitted),
                                            last=fmt_time(last), extended=extended), due)
        if late_by == timedelta(0):
            return Late(late_by, 0.0, "", due)
        if late_by <= self.grace:
            return Late(late_by, 0.0, say("late.within_grace", late=fmt_delta(late_by),
                                          grace=fmt_delta(self.grace)), due)
        if self.policy.none:
            return Late(late_by, 0.0, say("late.no_penalty", late=fmt_delta(late_by),
                                          extended=extended), due)
        units = math.ceil(late_by / UNITS[self.policy.per])
        raw = units * self.policy.percent
        penalty = min(raw, self.policy.cap, 100.0)
        capped = say("late.capped", penalty=penalty) if penalty < raw else ""
        started = say(f"late.started_{self.policy.per}{'' if units == 1 else 's'}", count=units)
        return Late(late_by, penalty, say("late.penalty", late=fmt_delta(late_by),
                                          due=fmt_time(due), extended=extended, started=started,
                                          percent=self.policy.percent, raw=raw,
                                          capped=capped), due)


# --- a late note in its reader's language ------------------------------------------------
#
# grades.csv and the manifest keep a late note in the catalogue's English, as they keep
# collect's notes: one stored text for a class whose students and TA read different
# languages. Each page finds the note's sentence and facts back from that English and says
# it again in its reader's language (the student's feedback in ``language``, report.html and
# summary.md in ``ta_language``). A text that is not one (a run graded before, whose notes
# were stored in the students' language) stays as stored.

#: The sentences a late note is, and the catalogue keys each nested field may be.
LATE_SENTENCES = ("late.penalty", "late.after_last", "late.within_grace", "late.no_penalty")
LATE_PARTS = {"extended": ("late.extended",), "capped": ("late.capped",),
              "started": ("late.started_day", "late.started_days", "late.started_hour",
                          "late.started_hours")}
_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?"  # fmt_time's
_DELTA = r"\d{1,9} (?:d|h|min)(?: \d{1,9} (?:h|min)){0,2}"  # fmt_delta's English
_NUMBER = r"\d{1,9}(?:\.\d{1,9})?(?:e[+-]\d{1,3})?"  # a :g number
#: What each field of a late note's English holds (bounded: the text comes from grades.csv).
LATE_FIELDS = {"submitted": _TIME, "last": _TIME, "due": _TIME, "late": _DELTA, "grace": _DELTA,
               "count": r"\d{1,9}", "percent": _NUMBER, "raw": _NUMBER, "penalty": _NUMBER,
               "extended": r".{0,80}?", "capped": r".{0,80}?", "started": r".{1,80}?"}
LATE_NOTE_LIMIT = 500  # characters: a late note is one line; a longer text is not one


@functools.cache
def _late_pattern(key: str) -> re.Pattern:
    """The catalogue's English of ``key`` with each field a named group."""
    return re.compile("".join(
        re.escape(text) + (f"(?P<{name}>{LATE_FIELDS[name]})" if name else "")
        for text, name, *_ in string.Formatter().parse(MESSAGES[key]["en"])))


def english_delta(text: str) -> timedelta:
    """:func:`fmt_delta`'s English (grades.csv's ``late_by``) back as a duration."""
    units = {"d": "days", "h": "hours", "min": "minutes"}
    return sum((timedelta(**{units[unit]: int(number)})
                for number, unit in re.findall(r"(\d{1,9}) (d|h|min)\b", text)), timedelta(0))


def _say_late(language: str, keys: tuple, text: str) -> str | None:
    """``text``, the English of one of ``keys``, in ``language``; None if it is none."""
    for key in keys:
        match = _late_pattern(key).fullmatch(text)
        if not match:
            continue
        fields = {}
        for name, value in match.groupdict().items():
            if name in LATE_PARTS:
                value = _say_late(language, LATE_PARTS[name], value) if value else ""
            elif name in ("late", "grace"):
                value = fmt_delta(english_delta(value), language)
            elif name in ("percent", "raw", "penalty"):
                value = float(value)
            fields[name] = value
        if None not in fields.values():
            return msg_in(language, key, **fields)
    return None


def say_late(language: str, text: str) -> str | None:
    """A stored late note (:meth:`Deadline.late`'s English) in ``language``; None if ``text``
    is not one (a note stored in another language by a run graded before)."""
    if len(text) > LATE_NOTE_LIMIT:
        return None
    return _say_late(language, LATE_SENTENCES, text)


def fmt_time(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def fmt_delta(delta: timedelta, language: str = DEFAULT) -> str:
    """``1 d 2 h 5 min`` (``1 天 2 小时 5 分钟``): short, exact to the minute (seconds round
    up). The English form is also grades.csv's ``late_by``, which report.html sorts by."""
    minutes = math.ceil(delta.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [msg_in(language, f"late.{unit}", count=count)
             for unit, count in (("days", days), ("hours", hours), ("minutes", minutes)) if count]
    return " ".join(parts) or msg_in(language, "late.minutes", count=0)


def parse_delta(text: str) -> timedelta | None:
    """``"2 days"``, ``"36 hours"``, ``"90 minutes"``: None if it is not one."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(day|days|d|hour|hours|h|minute|minutes|min)\s*",
                         str(text))
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)[0]
    return timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: number})


@dataclass
class Course:
    """The parsed course file."""

    path: Path | None = None
    timezone: ZoneInfo = ZoneInfo("UTC")
    roster_columns: dict = field(default_factory=lambda: {f: f for f in ROSTER_FIELDS})
    deadlines: dict = field(default_factory=dict)  # assignment -> Deadline
    settings: dict = field(default_factory=dict)   # assignment -> its raw table
    language: str | None = None       # [course] language: what students read
    ta_language: str | None = None    # [course] ta_language: what TAs read
    languages: dict = field(default_factory=dict)  # assignment -> its own language

    def deadline(self, assignment: str) -> Deadline | None:
        return self.deadlines.get(assignment)

    def language_for(self, assignment: str) -> str:
        """The language ``assignment``'s students read: its own key, else the course's,
        else its config.json's default, else English."""
        chosen = self.languages.get(assignment) or self.language
        return chosen or configured_language(assignment)

    def ta_language_for(self, assignment: str | None = None) -> str:
        """The language of the TA's pages: ``ta_language``, else the students' language."""
        if self.ta_language:
            return self.ta_language
        return self.language_for(assignment) if assignment else (self.language or DEFAULT_LANGUAGE)

    def localize(self, moment: datetime) -> datetime:
        """An aware time, naive ones taken in the course's time zone."""
        return moment.replace(tzinfo=self.timezone) if moment.tzinfo is None else moment


def load(path: Path | None) -> Course:
    """Read and check a course file; ``None`` gives a course without deadlines."""
    if path is None:
        return Course()
    path = Path(path)
    if not path.is_file():
        raise KitError(f"course file {path} does not exist (COURSE=<file>; the example is "
                       f"{COURSE_FILE.relative_to(REPO_ROOT)})")
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KitError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - {"course", "roster", "assignments"}
    if unknown:
        first = sorted(unknown)[0]
        raise KitError(f"{_where(path, line_of(text, first) or _key_line(text, first))}: "
                       f"unknown section [{first}] (known: [course], [roster], [assignments.<name>])")
    course = Course(path=path)
    head = data.get("course", {})
    if not isinstance(head, dict):
        raise KitError(f"{_where(path, _key_line(text, 'course'))}: course must be a table [course]")
    for key in head:
        if key not in COURSE_KEYS:
            raise KitError(f"{_where(path, line_of(text, 'course', key))}: unknown key '{key}' in "
                           f"[course] (known: {', '.join(sorted(COURSE_KEYS))})")
    for key in ("language", "ta_language"):
        if key in head:
            setattr(course, key, _language(head[key], _where(path, line_of(text, "course", key)),
                                           f"course.{key}"))
    zone = head.get("timezone", "UTC")
    try:
        course.timezone = ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise KitError(f"{_where(path, line_of(text, 'course', 'timezone'))}: unknown time zone "
                       f"'{zone}' (write an IANA name such as Asia/Shanghai or UTC)") from None
    roster = data.get("roster", {})
    for key, value in roster.items():
        if key not in ROSTER_FIELDS:
            raise KitError(f"{_where(path, line_of(text, 'roster', key))}: unknown roster key "
                           f"'{key}' (known: {', '.join(ROSTER_FIELDS)})")
        if not isinstance(value, str) or not value.strip():
            raise KitError(f"{_where(path, line_of(text, 'roster', key))}: roster.{key} must "
                           f"name a column of the roster csv")
    course.roster_columns.update(roster)
    known = set(available())
    for name, table in data.get("assignments", {}).items():
        where = lambda key=None, name=name: _where(path, line_of(text, f"assignments.{name}", key))  # noqa: E731
        if name not in known:
            raise KitError(f"{where()}: unknown assignment '{name}' (known: {', '.join(sorted(known))})")
        if not isinstance(table, dict):
            raise KitError(f"{where()}: assignments.{name} must be a table")
        if "language" in table:
            course.languages[name] = _language(table["language"], where("language"),
                                               f"assignments.{name}.language")
        if "due" in table or not set(table) <= NO_DEADLINE_KEYS:
            course.deadlines[name] = _deadline(course, name, table, where)
        course.settings[name] = table
    return course


def _language(value, where: str, what: str) -> str:
    if value not in LANGUAGES:
        raise KitError(f"{where}: {what} = {value!r}: write one of "
                       f"{', '.join(repr(v) for v in LANGUAGES)} (\"zh\" for Chinese)")
    return value


def configured_language(assignment: str) -> str:
    """The default language in ``autograder/assignments/<name>/config.json`` (else English)."""
    try:
        chosen = get(assignment).config.get("language", DEFAULT_LANGUAGE)
    except (KitError, OSError, json.JSONDecodeError):
        return DEFAULT_LANGUAGE
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def student_language(assignment: str, path: Path | None = COURSE_FILE) -> str:
    """The language of ``assignment``'s students under the course file ``path`` (the repo's
    ``course.toml`` by default; when it is absent, the assignment's config decides)."""
    if path is not None and not Path(path).is_file() and Path(path) == COURSE_FILE:
        path = None
    return load(path).language_for(assignment)


def _key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.split("=", 1)[0].strip() == key:
            return number
    return None


def _time(course: Course, value, where: str, what: str) -> datetime:
    if isinstance(value, datetime):
        return course.localize(value)
    if isinstance(value, date):
        raise KitError(f"{where}: {what} {value} has no time of day: write {value}T23:59:00")
    try:
        return course.localize(datetime.fromisoformat(str(value).strip()))
    except ValueError:
        raise KitError(f"{where}: {what} '{value}' is not a date and time (write "
                       f"2027-03-15T23:59:00+08:00, or \"2027-03-15 23:59\" in the course "
                       f"time zone {course.timezone.key})") from None


def _number(value, where: str, what: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise KitError(f"{where}: {what} must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)


def _deadline(course: Course, name: str, table: dict, where) -> Deadline:
    unknown = set(table) - ASSIGNMENT_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise KitError(f"{where(key)}: unknown key '{key}' (known: {', '.join(sorted(ASSIGNMENT_KEYS))})")
    if "due" not in table:
        raise KitError(f"{where()}: assignments.{name} needs a due time: due = 2027-03-15T23:59:00+08:00")
    due = _time(course, table["due"], where("due"), "due")
    grace = timedelta(minutes=_number(table.get("grace_minutes", 0), where("grace_minutes"),
                                      "grace_minutes", 0, 7 * 24 * 60))
    policy = _policy(table.get("late_policy", "none"), where)
    last = None
    if "last_accepted" in table:
        last = _time(course, table["last_accepted"], where("last_accepted"), "last_accepted")
        if last < due:
            raise KitError(f"{where('last_accepted')}: last_accepted {fmt_time(last)} is before "
                           f"the due time {fmt_time(due)}")
    extensions = {}
    raw_extensions = table.get("extensions", {})
    if not isinstance(raw_extensions, dict):
        raise KitError(f"{where('extensions')}: extensions must be a table of student = new due time")
    for student, value in raw_extensions.items():
        spot = _where(course.path, line_of(course.path.read_text(encoding="utf-8"),
                                           f"assignments.{name}.extensions", student))
        delay = parse_delta(value) if isinstance(value, str) else None
        new_due = due + delay if delay is not None else _time(course, value, spot,
                                                              f"the extension of {student}")
        if new_due < due:
            raise KitError(f"{spot}: the extension of {student} ({fmt_time(new_due)}) is before "
                           f"the due time {fmt_time(due)}")
        extensions[str(student)] = new_due
    return Deadline(name, due, grace, policy, last, extensions, course.language_for(name))


def _policy(value, where) -> LatePolicy:
    if value == "none":
        return LatePolicy()
    if not isinstance(value, dict):
        raise KitError(f"{where('late_policy')}: late_policy must be \"none\" or a table such as "
                       f"{{ percent = 10, per = \"day\", cap = 50 }}, not {value!r}")
    unknown = set(value) - POLICY_KEYS
    if unknown:
        raise KitError(f"{where('late_policy')}: unknown late_policy key(s) {sorted(unknown)} "
                       f"(known: percent, per, cap)")
    per = value.get("per", "day")
    if per not in UNITS:
        raise KitError(f"{where('late_policy')}: late_policy per = {per!r}: write \"day\" or \"hour\"")
    percent = _number(value.get("percent"), where("late_policy"), "late_policy percent", 0, 100)
    cap = _number(value.get("cap", 100), where("late_policy"), "late_policy cap", 0, 100)
    return LatePolicy(percent, per, cap)


# --- the roster ----------------------------------------------------------------------

@dataclass(frozen=True)
class Student:
    """One roster row: the kit's id plus whatever the LMS needs to match the row back."""

    id: str
    name: str = ""
    email: str = ""
    section: str = ""
    lms_id: str = ""
    line: int = 0
    row: tuple = ()  # the row's (column, value) pairs, for exports that echo them


def read_roster(path: Path, columns: dict | None = None) -> list[Student]:
    """Read a roster csv; raises KitError naming the file, line and column of a problem.

    ``columns`` maps id/name/email/section/lms_id to the csv's column names (course file
    ``[roster]``); only the id column is required. A Canvas gradebook export works as it
    is with ``id = "SIS User ID"``, ``name = "Student"``, ``lms_id = "ID"``: its
    "Points Possible" row is skipped.
    """
    path = Path(path)
    columns = {**{f: f for f in ROSTER_FIELDS}, **(columns or {})}
    if not path.is_file():
        raise SaidError("roster.missing", path=path, column=repr(columns["id"]))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SaidError("roster.not_utf8", path=path, reason=exc.reason,
                        byte=exc.start) from None
    # Rows end where CSV says: str.splitlines() also breaks at U+2028, NEL, \x1c-\x1e,
    # which a student's own name in a Canvas gradebook export may hold.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    unreadable = lambda line, reason: SaidError(  # noqa: E731
        "roster.bad_csv", path=path, line=line, reason=reason)
    header = csvcells.header(reader, unreadable)
    if columns["id"] not in header:
        raise SaidError("roster.no_id_column", path=path, column=columns["id"],
                        header=", ".join(header) or "none")
    students, seen = [], {}
    for row in csvcells.rows(reader, unreadable):
        number = reader.line_num
        value = lambda field: (row.get(columns[field]) or "").strip()  # noqa: E731
        student = value("id")
        if not student:
            if "points possible" in " ".join(str(v) for v in row.values()).lower() or not any(
                    (v or "").strip() for v in row.values() if isinstance(v, str)):
                continue  # Canvas's points row, or a blank line
            raise SaidError("roster.empty_id", path=path, line=number, column=columns["id"])
        if safe_id(student) != student:
            raise SaidError("roster.bad_id", path=path, line=number, column=columns["id"],
                            id=student)
        if student in seen:
            raise SaidError("roster.duplicate_id", path=path, line=number, column=columns["id"],
                            id=student, first=seen[student])
        seen[student] = number
        students.append(Student(student, value("name"), value("email"), value("section"),
                                value("lms_id"), number,
                                tuple((k, (v or "").strip()) for k, v in row.items()
                                      if isinstance(k, str))))
    if not students:
        raise SaidError("roster.no_students", path=path)
    return students
