"""Cells of every CSV the kit writes are data, never formulas.

A TA opens ``grades.csv``, ``similarity.csv``, ``manual/scores.csv`` and the LMS exports
in a spreadsheet, and their cells hold what students chose: names, e-mail addresses,
LMS ids, file names. A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is run as a formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK``
sends data away, ``=cmd|...`` ran programs). OWASP's rule is followed: such a cell gets a
leading single quote, which every spreadsheet shows as text.

Numbers (``int``, ``float``) pass unchanged, so a score stays a number; a string that
only looks like one (``"-5"``, an id) is text and is neutralised like any other.

The quote must not creep into the kit's own files when it reads them back (``grades.csv``
is read and rewritten after every submission): :func:`plain_cell` undoes
:func:`safe_cell` exactly. To keep that exact, a text that already begins with a quote
followed by a formula character or another quote gets one more quote, so every text
written reads back as it was.

Use :func:`writer` / :class:`DictWriter` to write and :class:`DictReader` to read a file
the kit wrote; a file a person typed (a roster) is read with :mod:`csv` as it is.
"""
import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def rows(reader, problem):
    """The rows of a ``csv`` reader of a file a person gave (a roster, a worksheet); a
    line the csv module cannot read (a cell over its 131,072 characters, a NUL) raises
    ``problem(line, reason)``, a sentence naming the file and the line, never a bare
    ``csv.Error`` that stops the TA's command with a traceback."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # raised before the reader counts the line it was on
            raise problem(reader.line_num + 1, str(exc)) from None
        yield row


def header(reader, problem) -> list[str]:
    """The stripped column names of a ``csv.DictReader``, read as :func:`rows` reads a row."""
    try:
        names = reader.fieldnames or []
    except csv.Error as exc:
        raise problem(reader.line_num + 1, str(exc)) from None
    reader.fieldnames = [name.strip() for name in names]
    return reader.fieldnames


def _needs_quote(text: str) -> bool:
    return text[:1] in FORMULA_STARTS or (text[:1] == QUOTE
                                           and text[1:2] in (*FORMULA_STARTS, QUOTE))


def safe_cell(value):
    """``value`` as a CSV cell a spreadsheet reads as data (numbers pass unchanged)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return QUOTE + text if _needs_quote(text) else text


def plain_cell(text: str) -> str:
    """The text :func:`safe_cell` was given, from the cell it wrote."""
    if text[:1] == QUOTE and _needs_quote(text[1:]):
        return text[1:]
    return text


class _Writer:
    """:func:`csv.writer` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(handle, **options) -> _Writer:
    """Like :func:`csv.writer`, with every cell (header included) neutralised."""
    return _Writer(handle, **options)


class DictWriter(csv.DictWriter):
    """Like :class:`csv.DictWriter`, with every cell (header included) neutralised."""

    def writerow(self, rowdict):
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for rowdict in rowdicts:
            self.writerow(rowdict)


class DictReader(csv.DictReader):
    """Like :class:`csv.DictReader`, for a file written by :class:`DictWriter`: each cell
    as it was before :func:`safe_cell`."""

    @property
    def fieldnames(self):
        names = csv.DictReader.fieldnames.fget(self)
        return None if names is None else [plain_cell(name) for name in names]

    @fieldnames.setter
    def fieldnames(self, value):
        csv.DictReader.fieldnames.fset(self, value)

    def __next__(self):
        row = super().__next__()
        return {key: plain_cell(value) if isinstance(value, str) else value
                for key, value in row.items()}
