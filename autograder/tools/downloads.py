"""Generated LMS downloads: a class's notebooks laid out as Canvas, Moodle or Gradescope
give them to a TA, with a matching roster. ``make demo`` grades one, ``make bench`` times
collecting and exporting 1,000, the tests read each layout back.

Names are made up (no real student data); ids, times and layouts follow each vendor's
documented naming (see :mod:`autograder.engine.collect`).
"""
import csv
import random
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

FIRST = ["Ada", "Bo", "Chen", "Dara", "Eli", "Fang", "Gus", "Hana", "Ivo", "Jia", "Kai", "Lena",
         "Min", "Noor", "Omar", "Pia", "Qiu", "Rui", "Sara", "Tao", "Uma", "Vik", "Wei", "Xin",
         "Yara", "Zoe"]
LAST = ["Abe", "Bauer", "Cruz", "Deng", "Eze", "Fischer", "Gao", "Horvat", "Ito", "Jung", "Kim",
        "Lopez", "Ma", "Nkosi", "Ortiz", "Park", "Quinn", "Rossi", "Sun", "Tan", "Ueda", "Varga",
        "Wu", "Xu", "Yilmaz", "Zhou"]


@dataclass(frozen=True)
class Person:
    """A made-up student with the ids each LMS would give them."""

    id: str            # the school's id (Canvas "SIS User ID", Gradescope sid, roster id)
    first: str
    last: str
    canvas_id: int     # Canvas user id
    participant: int   # Moodle participant id (per assignment)
    section: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def sortable(self) -> str:
        return f"{self.last}, {self.first}"

    @property
    def email(self) -> str:
        return f"{self.first.lower()}.{self.last.lower()}.{self.id}@example.edu"

    @property
    def lastfirst(self) -> str:
        """Canvas's file-name form: the sortable name, word characters only, lower case."""
        return "".join(c for c in self.sortable if c.isalnum()).lower()


def people(count: int, seed: int = 7) -> list[Person]:
    rng = random.Random(seed)
    return [Person(f"s{1001 + i}", rng.choice(FIRST), rng.choice(LAST), 48000 + 7 * i,
                   1034500 + 17 * i, f"L{1 + i % 3}")
            for i in range(count)]


@dataclass(frozen=True)
class Attempt:
    person: Person
    notebook: bytes
    when: datetime     # aware
    late: bool = False
    file: str = "week3.ipynb"


def _member(archive: zipfile.ZipFile, name: str, data: bytes, when: datetime, tz):
    info = zipfile.ZipInfo(name, date_time=when.astimezone(tz).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def canvas_zip(path: Path, attempts: list[Attempt], tz=timezone.utc) -> Path:
    """Canvas "Download Submissions": flat ``<lastfirst>[_late]_<user>_<attachment>_<file>``,
    attachment ids growing with upload time; a re-uploaded file name gets ``-1``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    attachment, seen = 7_730_000, {}
    with zipfile.ZipFile(path, "w") as archive:
        for attempt in sorted(attempts, key=lambda a: a.when):
            attachment += 37
            p = attempt.person
            count = seen.get((p.id, attempt.file), 0)
            seen[(p.id, attempt.file)] = count + 1
            stem, _, ext = attempt.file.rpartition(".")
            display = attempt.file if not count else f"{stem}-{count}.{ext}"
            late = "_late" if attempt.late else ""
            _member(archive, f"{p.lastfirst}{late}_{p.canvas_id}_{attachment}_{display}",
                    attempt.notebook, attempt.when, tz)
    return path


def moodle_zip(path: Path, attempts: list[Attempt], tz=timezone.utc) -> Path:
    """Moodle (4.1+) "Download all submissions": a folder per participant."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for attempt in attempts:
            p = attempt.person
            _member(archive, f"{p.name}_{p.participant}_assignsubmission_file/{attempt.file}",
                    attempt.notebook, attempt.when, tz)
    return path


def gradescope_zip(path: Path, attempts: list[Attempt], assignment_id: int = 2207112,
                   tz=timezone.utc) -> Path:
    """Gradescope "Export Submissions": ``submission_<id>/`` folders and the metadata file;
    a student's earlier attempts appear only under ``:history:``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    root = f"assignment_{assignment_id}_export"
    latest: dict[str, list[Attempt]] = {}
    for attempt in sorted(attempts, key=lambda a: a.when):
        latest.setdefault(attempt.person.id, []).append(attempt)
    lines = []
    with zipfile.ZipFile(path, "w") as archive:
        for number, (_, tries) in enumerate(sorted(latest.items()), start=1):
            last, p = tries[-1], tries[-1].person
            folder = f"submission_{184520000 + number}"
            _member(archive, f"{root}/{folder}/{last.file}", last.notebook, last.when, tz)
            lines += [f"{folder}:", "  :submitters:", f"  - :name: {p.name}",
                      f"    :sid: '{p.id}'", f"    :email: {p.email}",
                      f"  :created_at: {_ruby_time(last.when)}", "  :score: 0.0", "  :history:"]
            for number_before, earlier in enumerate(tries[:-1], start=1):
                lines += [f"  - :id: {184510000 + number * 10 + number_before}",
                          f"    :created_at: {_ruby_time(earlier.when)}", "    :score: 0.0"]
            if len(tries) == 1:
                lines[-1] = "  :history: []"
        _member(archive, f"{root}/submission_metadata.yml", "\n".join(lines).encode() + b"\n",
                datetime.now(timezone.utc), tz)
    return path


def _ruby_time(moment: datetime) -> str:
    """As Ruby's YAML writes a time: ``2027-03-15 23:59:01.123456000 +08:00``."""
    text = moment.strftime("%Y-%m-%d %H:%M:%S.%f000 %z")
    return text[:-2] + ":" + text[-2:]


def write_roster(path: Path, persons: list[Person], style: str = "canvas") -> Path:
    """A roster csv: Canvas's gradebook export columns (``style="canvas"``, with its
    "Points Possible" row) or the kit's own ``id,name,email,section,lms_id``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if style == "canvas":
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"])
            writer.writerow(["    Points Possible", "", "", "", ""])
            for p in persons:
                writer.writerow([p.sortable, p.canvas_id, p.id, p.email.split("@")[0],
                                 p.section])
        else:
            writer.writerow(["id", "name", "email", "section", "lms_id"])
            for p in persons:
                writer.writerow([p.id, p.name, p.email, p.section, p.canvas_id])
    return path


def moodle_worksheet(path: Path, persons: list[Person]) -> Path:
    """Moodle's grading worksheet for the assignment (``Download grading worksheet``): the
    ``Participant <id>`` identifier beside each account's full name and e-mail address."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Identifier", "Full name", "Email address", "Status", "Grade",
                         "Maximum Grade", "Grade can be changed", "Last modified (submission)",
                         "Last modified (grade)", "Feedback comments"])
        for p in persons:
            writer.writerow([f"Participant {p.participant}", p.name, p.email,
                             "Submitted for grading", "", "14.00", "Yes", "", "-", ""])
    return path


#: [roster] columns for a Canvas gradebook export used as the roster.
CANVAS_ROSTER_COLUMNS = {"id": "SIS User ID", "name": "Student", "section": "Section",
                         "lms_id": "ID"}
