"""Moodle's grading worksheet: which participant id is which student.

Moodle names each folder of "Download all submissions" ``<Full name>_<participant
id>_assignsubmission_file``. The full name is whatever the student set in their profile
(anyone can rename themself after a classmate), and the participant id is Moodle's own,
per assignment, known to no roster. The assignment's grading worksheet (View all
submissions > Grading action > Download grading worksheet) maps each participant id to
the account behind it: its ``Identifier`` column reads ``Participant 1034521`` (the word
is translated with Moodle's language, the number is not), beside ``Full name``,
``Email address`` and, when the site shows it, ``ID number``. :func:`read` turns it into
participant id -> :class:`Row`; :mod:`autograder.engine.collect` matches by the e-mail
address or ID number, never by the name.

The worksheet comes from the LMS but holds what students typed (names): it is read
bounded, and a problem names the file, the line and the column.
"""
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import KitError
from autograder.engine import csvcells

MAX_BYTES = 20 * 2**20  # a worksheet is about 200 bytes a student


@dataclass(frozen=True)
class Row:
    participant: str
    fullname: str
    email: str
    id_number: str
    line: int


def trailing_digits(text: str) -> str:
    """The digits ``text`` ends with (trailing spaces aside), '' if none: found from the end,
    in time linear in the text (``(\\d+)\\s*$`` searched from every position of a cell of
    20,000 digits and a letter took 4.8 s, one of 40,000 took 15 s)."""
    text = text.rstrip()
    start = len(text)
    while start and text[start - 1].isdecimal():  # what \d matches
        start -= 1
    return text[start:]


def read(path: Path) -> dict[str, Row]:
    """Participant id -> :class:`Row` of the worksheet at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise KitError(f"worksheet {path} does not exist (WORKSHEET=<the grading worksheet csv "
                       f"Moodle gives under View all submissions > Download grading worksheet>)")
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise KitError(f"{path}: more than {MAX_BYTES // 2**20} MB; a grading worksheet is a few "
                       f"hundred bytes a student: is it the right file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KitError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); pass the "
                       f"worksheet as Moodle gave it") from None
    # Lines end where CSV says (\r\n, \n): str.splitlines() also breaks at U+2028, U+0085,
    # \x1c-\x1e, which a student's name may hold, and cut their row in two.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    unreadable = lambda line, reason: KitError(  # noqa: E731
        f"{path} line {line}: not readable as CSV ({reason}); pass the worksheet as Moodle gave it")
    header = csvcells.header(reader, unreadable)
    if "Identifier" not in header:
        raise KitError(f"{path} line 1: no 'Identifier' column (columns: "
                       f"{', '.join(header[:8]) or 'none'}); pass Moodle's grading worksheet")
    rows: dict[str, Row] = {}
    for row in csvcells.rows(reader, unreadable):
        value = lambda column: str(row.get(column) or "").strip()  # noqa: E731
        identifier = value("Identifier")
        participant = trailing_digits(identifier)
        if not participant:
            raise KitError(f"{path} line {reader.line_num}, column Identifier: '{identifier[:60]}' "
                           f"does not end in a participant id (Moodle writes 'Participant 1034521')")
        if participant in rows:
            raise KitError(f"{path} line {reader.line_num}, column Identifier: participant "
                           f"{participant} again (first on line {rows[participant].line})")
        rows[participant] = Row(participant, value("Full name"), value("Email address"),
                                value("ID number"), reader.line_num)
    if not rows:
        raise KitError(f"{path}: the worksheet lists no participants")
    return rows
