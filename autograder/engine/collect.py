"""Stage 0 of grading: find each student's notebook in whatever the TA downloaded.

A TA downloads a class's work from the learning-management system (LMS) and should not
rename a hundred files by hand. :func:`scan` reads a folder or a ``.zip`` laid out as

- **Canvas** "Download Submissions": flat files named by Canvas's ``ContentZipper``
  ``<lastfirst>[_late]_<user id>_<attachment id>_<file name>`` (lower case, ``late`` when
  Canvas counts the submission late; a re-uploaded file name gets ``-1``, ``-2``);
- **Moodle** "Download all submissions": ``<Full name>_<participant id>_assignsubmission_file``
  folders (``..._file_/`` before Moodle 4.1), or flat ``..._assignsubmission_file_<file>``;
- **Gradescope** "Export Submissions": ``submission_<id>/`` folders beside
  ``submission_metadata.yml``, whose entries name the ``:submitters:`` (``:name:``,
  ``:sid:``, ``:email:``) and the ``:created_at:`` time, earlier attempts under ``:history:``;
- a plain **folder** of ``<student id>.ipynb``.

It returns :class:`Found` files: where each came from, which student the LMS says it is,
when it was submitted (the LMS's metadata, else the file's own time: each says which) and
the LMS's ids that exports need to match grades and feedback back. :func:`assign` then
matches them to the roster, keeps the latest attempt per student and lists the rest.

A download is hostile data, and every member has its own outcome
(:mod:`autograder.engine.members` reads them): a member refused on its own
(:attr:`Found.refused` says why) still tells whose it was where the LMS's naming allows,
so its student gets a row saying so while the rest of the class is graded. Nothing is
ever written under a name taken from the download: the kit stages each file as
``<id>.ipynb``.

Identity comes from the LMS's ids, never from a display name (:func:`assign`).
"""
import functools
import hashlib
import os
import re
import string
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from autograder.engine.members import (MAX_EXPANDED_BYTES, SaidError, Tree,  # noqa: F401
                                       Unreadable, note)
from shared.i18n import MESSAGES, msg_in

MAX_METADATA_BYTES = 50 * 2**20
JUNK = re.compile(r"(^|/)(__MACOSX|\.DS_Store|Thumbs\.db|desktop\.ini)(/|$)|(^|/)\._")
CANVAS = re.compile(r"^(?:(?P<name>.*?)_)?(?:(?P<late>late)_)?(?P<user>\d+)_(?P<attachment>\d+)_"
                    r"(?P<file>.+)$", re.IGNORECASE)
#: Every place a Canvas name could end: Canvas's own sanitising of the sortable name
#: (``_(\d+)_`` collapsed, then non-word characters removed) lets a student whose name is
#: ``Doe, Jane_ 4242_ 99999999999`` make ``doejane_4242_99999999999_<own id>_...``.
CANVAS_PREFIX = re.compile(r"(?=(?:^|_)(?:late_)?(\d+)_(\d+)_.)", re.IGNORECASE)
NON_WORD = re.compile(r"\W")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)"
                    r"(?:_(?P<rest>.*))?$")
GRADESCOPE_FOLDER = re.compile(r"^submission_(?P<submission>\d+)$")
SAFE_ID = re.compile(r"[^\w.@+-]")
#: Bytes of an id in UTF-8: a file name holds 255 (``collected/.<id>.ipynb.tmp`` adds 11, a
#: numbered id ``_<n>`` a few more); 80 letters of four bytes each made 320, and staging
#: ``collected/<id>.ipynb`` stopped the class with "File name too long".
ID_BYTES = 200


def safe_id(text: str) -> str:
    """An id usable as a file name anywhere the kit writes one (feedback/<id>.html) and as a
    CSV cell no spreadsheet runs as a formula: never starting with a dot or ``+ - @ =``, at
    most 80 characters and :data:`ID_BYTES` bytes."""
    cleaned = SAFE_ID.sub("_", text.strip()).lstrip(".")[:80]
    cleaned = cleaned.encode("utf-8")[:ID_BYTES].decode("utf-8", "ignore")
    if cleaned[:1] in ("+", "-", "@", "="):
        cleaned = "_" + cleaned[1:]
    return cleaned or "unnamed"


@dataclass
class Found:
    """One notebook in a download, and what the LMS says about it."""

    source: str                       # where it is, as the TA can find it
    member: str                       # path inside the download (posix, as shown)
    size: int
    layout: str                       # canvas | moodle | gradescope | folder
    key: str | None                   # the LMS's student key; None: not identified
    name: str = ""
    email: str = ""
    lms: dict = field(default_factory=dict)  # ids an export needs (user_id, participant, ...)
    submitted_at: datetime | None = None
    time_source: str = ""             # "lms" (its metadata) or "file" (the file's time)
    rank: tuple = ()                  # the LMS's order of attempts (later is larger)
    opener: object = None             # () -> binary file object
    digest: str = ""                  # sha256 of the content, once read
    refused: str = ""                 # why this file is not read (its own outcome)
    remarks: list = field(default_factory=list)  # what is odd about it, for the TA

    def open(self):
        if self.refused:
            raise Unreadable(f"{self.source}: refused: {self.refused}")
        try:
            return self.opener()
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - a hostile member may raise anything
            raise Unreadable(f"{self.source}: {type(exc).__name__}: {exc}") from exc

    @property
    def file_name(self) -> str:
        return PurePosixPath(self.member).name


@dataclass
class Download:
    """What :func:`scan` found: notebooks, the layout, files it could not use."""

    path: Path
    layout: str
    found: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (member, why)
    history: dict = field(default_factory=dict)  # student key -> earlier attempts' times (LMS)

    @property
    def refused(self) -> list:
        """(source, why) of every notebook refused on its own."""
        return [(f.source, f.refused) for f in self.found if f.refused]


def scan(path: Path, tz=timezone.utc, limit: int = MAX_EXPANDED_BYTES,
         layout: str | None = None) -> Download:
    """Read the download at ``path`` (folder or zip); detect its layout unless given."""
    tree = Tree(Path(path), tz, limit)
    members = [m for m in tree.files if not JUNK.search(tree.files[m].name)]
    root = _common_root([tree.files[m].name for m in members if not tree.files[m].refused])
    relative = {m: _relative(tree.files[m].name, root) for m in members}
    notebooks = [m for m in members if relative[m].lower().endswith(".ipynb")]
    if not notebooks:
        held = ", ".join(sorted(relative.values())[:5]) or "nothing"
        raise SaidError("dl.no_notebooks", path=path, held=held)
    layout = layout or _layout(relative, [m for m in notebooks if not tree.files[m].refused]
                               or notebooks)
    download = Download(Path(path), layout)
    reader = {"canvas": _canvas, "moodle": _moodle, "gradescope": _gradescope,
              "folder": _folder}.get(layout)
    if reader is None:
        raise SaidError("dl.unknown_layout", layout=layout)
    reader(tree, relative, download)
    for member in members:
        rel = relative[member]
        if not rel.lower().endswith(".ipynb") and PurePosixPath(rel).name != "submission_metadata.yml":
            why = tree.files[member].refused
            download.skipped.append((tree.source(member), note("note.skipped_refused", why=why)
                                     if why else note("note.not_notebook")))
    return download


def _relative(name: str, root: str) -> str:
    return name[len(root):] if root and name.startswith(root) else name


def _common_root(members: list[str]) -> str:
    """A single top folder every member is under (``assignment_1_export/``), or ''."""
    tops = {m.split("/", 1)[0] for m in members}
    if len(tops) == 1 and all("/" in m for m in members):
        return tops.pop() + "/"
    return ""


def _layout(relative: dict, notebooks: list[str]) -> str:
    names = [relative[m] for m in notebooks]
    if _gradescope_metadata_above(relative, names):
        return "gradescope"
    if sum(bool(MOODLE.match(n.split("/", 1)[0])) for n in names) * 2 > len(names):
        return "moodle"
    top = [n for n in names if "/" not in n]
    if top and sum(bool(CANVAS.match(n)) for n in top) * 2 > len(top):
        return "canvas"
    if top and len(top) * 2 > len(names):
        return "folder"
    examples = ", ".join(names[:3])
    raise SaidError("dl.layout_unknown", examples=examples)


def _gradescope_metadata_above(relative: dict, names: list[str]) -> bool:
    """Whether a ``submission_metadata.yml`` lies above every notebook, where Gradescope's
    export puts its own. A student may upload a file of that name beside their notebook
    (in their Moodle folder, say): taken as Gradescope's, it made the whole class
    unidentified, every roster student ``missing``."""
    depths = [r.count("/") for r in relative.values()
              if PurePosixPath(r).name == "submission_metadata.yml"]
    return bool(depths) and min(depths) < min((n.count("/") for n in names), default=0)


def _found(tree, member, layout, key, **fields) -> Found:
    item = tree.files[member]
    return Found(tree.source(member), member, item.size, layout, key, opener=item.opener,
                 submitted_at=fields.pop("submitted_at", item.when),
                 time_source=fields.pop("time_source", "file" if item.when else ""),
                 refused=item.refused, remarks=list(item.remarks), **fields)


def _canvas(tree, relative, download):
    for member, rel in relative.items():
        if not rel.lower().endswith(".ipynb"):
            continue
        # A refused name may hold '/' ('..'): Canvas's prefix still says whose file it is.
        match = CANVAS.match(rel) if "/" not in rel or tree.files[member].refused else None
        if not match:
            download.found.append(_found(tree, member, "canvas", None))
            continue
        name, late = match.group("name") or "", bool(match.group("late"))
        if name.lower() == "late" and not late:  # anonymous grading: no name, then late
            name, late = "", True
        download.found.append(_found(
            tree, member, "canvas", match.group("user"), name=name,
            lms={"user_id": match.group("user"), "attachment_id": match.group("attachment"),
                 "prefix": rel[:match.start("file")].rstrip("_"), "late": late,
                 "file": match.group("file"), "readings": _canvas_readings(rel)},
            rank=(int(match.group("attachment")),)))


def _canvas_readings(rel: str) -> list[str]:
    """Every Canvas user id ``rel`` can be read as carrying (its name part word characters
    only, as Canvas writes it), in order; more than one: the name or the file holds
    ``_<digits>_<digits>_`` and the file name alone cannot say whose the file is."""
    # One pass: the name part is word characters only up to the first non-word character
    # (checking each reading's prefix again was quadratic in the length of the name, which
    # the student chooses: 9 s for one 64 KB member name).
    other = NON_WORD.search(rel)
    words_until = other.start() if other else len(rel)
    users = {}
    for match in CANVAS_PREFIX.finditer(rel):
        if match.start() > words_until:
            break
        users.setdefault(match.group(1), None)
    return list(users)


def _moodle(tree, relative, download):
    for member, rel in relative.items():
        if not rel.lower().endswith(".ipynb"):
            continue
        first, _, inside = rel.partition("/")
        match = MOODLE.match(first)
        if not match:
            download.found.append(_found(tree, member, "moodle", None))
            continue
        download.found.append(_found(
            tree, member, "moodle", match.group("participant"), name=match.group("name"),
            lms={"participant": match.group("participant"), "fullname": match.group("name"),
                 "file": inside or match.group("rest") or ""}))


def _gradescope(tree, relative, download):
    import yaml

    # Gradescope's own file is the shallowest one: a student may upload a file of that name
    # into their submission folder, and it must not say who submitted what.
    meta_member = min((m for m, r in relative.items()
                       if PurePosixPath(r).name == "submission_metadata.yml"),
                      key=lambda m: (relative[m].count("/"), relative[m]))
    try:
        metadata = yaml.safe_load(tree.read(meta_member, MAX_METADATA_BYTES)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SaidError("dl.yaml_invalid_at" if mark else "dl.yaml_invalid",
                        source=tree.source(meta_member), line=mark.line + 1 if mark else 0,
                        error=exc) from None
    if not isinstance(metadata, dict):
        raise SaidError("dl.yaml_shape", source=tree.source(meta_member))
    base = relative[meta_member][:-len("submission_metadata.yml")]
    download.skipped += [(tree.source(m), note("note.gradescope_meta"))
                         for m, r in relative.items()
                         if m != meta_member and PurePosixPath(r).name == "submission_metadata.yml"]
    for member, rel in relative.items():
        if not rel.lower().endswith(".ipynb"):
            continue
        folder = rel[len(base):].split("/", 1)[0] if rel.startswith(base) else ""
        entry = metadata.get(folder) if GRADESCOPE_FOLDER.match(folder) else None
        submitters = _get(entry, "submitters") if isinstance(entry, dict) else None
        if not isinstance(submitters, list) or not submitters:
            download.found.append(_found(tree, member, "gradescope", None))
            continue
        created = _when(_get(entry, "created_at"), tree)
        history = [_when(_get(h, "created_at"), tree) for h in _get(entry, "history") or []
                   if isinstance(h, dict)]
        for person in submitters:  # a group submission counts for each member
            if not isinstance(person, dict):
                continue
            sid, email = str(_get(person, "sid") or "").strip(), str(_get(person, "email") or "").strip()
            key = sid or email or folder
            download.found.append(_found(
                tree, member, "gradescope", key, name=str(_get(person, "name") or ""),
                email=email, lms={"submission": folder, "sid": sid},
                **({"submitted_at": created, "time_source": "lms"} if created else {})))
            download.history[key] = [h for h in history if h]


def _get(entry, key):
    """Gradescope writes Ruby symbols as keys (``:name:``); accept plain keys too."""
    if not isinstance(entry, dict):
        return None
    return entry.get(f":{key}", entry.get(key))


def _when(value, tree) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str):
        try:  # "2027-03-15 23:59:01.123456 -0700" and ISO forms
            text = re.sub(r"\s+([+-]\d\d):?(\d\d)$", r"\1:\2", value.strip())
            moment = datetime.fromisoformat(text.replace(" ", "T", 1))
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        except ValueError:
            return None
    return None


def _folder(tree, relative, download):
    for member, rel in relative.items():
        if not rel.lower().endswith(".ipynb"):
            continue
        if tree.files[member].refused:  # its own row, under its name only when it is plain
            plain = not re.search(r"[/\\]", rel)
            download.found.append(_found(tree, member, "folder", rel[:-6] if plain else None))
            continue
        if "/" in rel:
            download.skipped.append((tree.source(member), note("note.subfolder")))
            continue
        download.found.append(_found(tree, member, "folder", rel[:-len(".ipynb")]))


# --- matching to the roster ----------------------------------------------------------

def name_keys(name: str) -> set[str]:
    """Ways a name may be written by an LMS: ``Doe, Jane``, ``Jane Doe``, ``doejane``."""
    if not name:
        return set()
    clean = lambda text: re.sub(r"[\W_]", "", text.casefold())  # noqa: E731
    keys = {clean(name)}
    if "," in name:
        last, _, first = name.partition(",")
        keys |= {clean(last + first), clean(first + last)}
    else:
        words = name.split()
        if len(words) > 1:
            keys.add(clean(words[-1] + "".join(words[:-1])))
    return {k for k in keys if k}


@dataclass
class Entry:
    """One student's row: the attempt that counts, the others, and what is known of them."""

    id: str
    found: Found | None               # None: on the roster, nothing submitted
    student: object = None            # course.Student, or None when not on the roster
    attempts: list = field(default_factory=list)  # the other attempts, newest first
    identified: bool = True
    history: list = field(default_factory=list)   # earlier attempts the LMS lists (times)
    identity: list = field(default_factory=list)  # what the TA should check of whose it is

    @property
    def on_roster(self) -> bool:
        return self.student is not None

    def notes(self, roster: bool) -> list[str]:
        notes = []
        if not self.identified:
            notes.append(note("note.unidentified"))
        elif roster and not self.on_roster:
            notes.append(note("note.not_on_roster"))
        notes += [note("note.identity", text=text) for text in self.identity]
        if self.found is not None and self.found.refused:
            notes.append(note("note.refused", source=self.found.source, why=self.found.refused))
        if self.found is not None:
            notes += [note("note.file_remark", file=self.found.file_name, remark=remark)
                      for remark in self.found.remarks]
        graded = [a for a in self.attempts if not a.refused]
        if graded:
            notes.append(note("note.earlier", count=len(graded),
                              sources=", ".join(a.source for a in graded[:3])))
        refused = [a for a in self.attempts if a.refused]
        if refused:
            notes.append(note("note.others_refused", count=len(refused),
                              sources=", ".join(f"{a.source} ({a.refused})" for a in refused[:3])
                              + (", ..." if len(refused) > 3 else "")))
        if self.history:
            notes.append(note("note.history", count=len(self.history)))
        if self.found is not None and self.found.lms.get("late"):
            notes.append(note("note.lms_late"))
        return notes


def refusal_message(found: Found, language: str = "en") -> str:
    """What a student whose file was refused reads in their feedback, in the students'
    ``language``."""
    return msg_in(language, "note.refusal", file=found.file_name, source=found.source,
                  why=say_note(language, found.refused))


# --- notes in the reader's language -----------------------------------------------------------

#: A download's skipped files' notes (the manifest's ``skipped``): read apart from a row's,
#: whose "refused: {source} ({why})" would also match "refused: {why}".
SKIPPED_NOTES = ("note.not_notebook", "note.skipped_refused", "note.subfolder",
                 "note.gradescope_meta")
NOTE_LIMIT = 2000  # characters of one note said again; a longer one stays as stored
#: The fields of a note that are notes themselves (a refusal's reason, a remark).
NESTED_NOTES = ("why", "remark", "text")
#: What a number or a name field of a note can hold: a note is found back by its words, not
#: by a field that swallowed another note's ("not compared: 12 characters, ..." is a skip
#: whose reason counts characters, not a count of "not compared: 12").
NOTE_FIELDS = {"count": r"[\d,]+", "names": r"\d+", "size": r"[\d,]+", "budget": r"[\d,]+",
               "participant": r"\d+", "error": r"\w+"}


@functools.cache
def _note_patterns(skipped: bool) -> list:
    """(key, pattern of its English) of every note, the most literal text first."""
    patterns = []
    for key, entry in MESSAGES.items():
        if not key.startswith("note.") or key == "note.refusal" or (key in SKIPPED_NOTES) != skipped:
            continue
        parts = list(string.Formatter().parse(entry["en"]))
        literal = sum(len(text) for text, *_ in parts)
        pattern = "".join(re.escape(text) + (f"(?P<{field}>{NOTE_FIELDS.get(field, '.+?')})"
                                             if field else "") for text, field, *_ in parts)
        patterns.append((literal, key, re.compile(pattern, re.S)))
    return [(key, pattern) for _, key, pattern in sorted(patterns, key=lambda p: -p[0])]


def say_note(language: str, text: str, skipped: bool = False, depth: int = 0) -> str:
    """One stored note (the catalogue's English, see :func:`members.note`) in ``language``;
    a late note through :func:`autograder.course.say_late`; a note the catalogue does not
    know (a run's before, stored in the students' language), or longer than
    :data:`NOTE_LIMIT`, as stored. The class's data in it stays as it is."""
    if language == "en" or len(text) > NOTE_LIMIT:
        return text
    from autograder.course import say_late  # noqa: PLC0415 (course imports this module)
    late = say_late(language, text)  # first: its words are exact, a remark's "{file}: " is not
    if late:
        return late
    for key, pattern in _note_patterns(skipped):
        match = pattern.fullmatch(text)
        if match:
            fields = {name: say_note(language, value, depth=depth + 1)
                      if name in NESTED_NOTES and depth < 2 else value
                      for name, value in match.groupdict().items()}
            return msg_in(language, key, **fields)
    return text


def say_notes(language: str, notes: str) -> str:
    """A row's notes (``"; "``-joined, as grades.csv holds them) in ``language``."""
    return "; ".join(say_note(language, part) for part in notes.split("; "))


def assign(download: Download, roster: list | None = None,
           worksheet: dict | None = None) -> list[Entry]:
    """Match every notebook to a student and keep each student's latest attempt.

    Identity comes from the LMS's ids only, never from a display name (anyone can rename
    themself in an LMS): the roster's ``lms_id`` (Canvas user id; a Moodle participant id),
    its ``id`` (a plain file's name, Gradescope's student id), the e-mail address (from
    Gradescope's metadata, or Moodle's grading worksheet, which maps each participant id
    to an e-mail address and, when the site shows it, an ``ID number``). Without a
    roster, the LMS's own key is the id. A file no rule identifies is graded under its
    file name. Latest: the LMS's order first (Canvas attachment ids grow with each
    upload), then the submission time; a refused file counts only when there is no other.

    What does not add up is listed for the TA on the student's row (``identity: ...``),
    never resolved silently: two files claiming one id under different names or folders,
    a display name that is another roster student's, a Moodle folder whose name is not the
    worksheet's for that participant.
    """
    roster = roster or []
    if download.layout == "moodle":
        _moodle_identities(download, roster, worksheet)
    by = {"id": {}, "lms_id": {}, "email": {}}
    by_name: dict[str, list] = {}
    for student in roster:
        by["id"][student.id] = student
        if student.lms_id:
            by["lms_id"][student.lms_id] = student
        if student.email:
            by["email"][student.email.casefold()] = student
        for key in name_keys(student.name):
            by_name.setdefault(key, []).append(student)
    groups: dict[str, list] = {}
    students: dict[str, object] = {}
    unidentified, unmatched = [], []
    for found in download.found:
        student = _match(found, by) if roster else None
        if student is None and found.key is None:
            unidentified.append(found)
        elif student is None:
            unmatched.append(found)
        else:
            groups.setdefault(student.id, []).append(found)
            students[student.id] = student
    # An LMS key no roster row matched is its own student: it never joins a roster student's
    # row or another key's because the two read alike once made safe ('.s1001' and 's1001';
    # a key that is already safe keeps its own name first).
    roster_ids, own, numbered = {s.id for s in roster}, {}, {}
    for found in sorted(unmatched, key=lambda f: safe_id(f.key) != f.key):
        sid = own.get(found.key)
        if sid is None:
            base = sid = safe_id(found.key)
            while sid in roster_ids or sid in groups:
                numbered[base] = numbered.get(base, 1) + 1
                sid = f"{base}_{numbered[base]}"
            own[found.key] = sid
        groups.setdefault(sid, []).append(found)
        students[sid] = None
    if download.layout == "moodle" and roster and not any(students.values()):
        raise SaidError("dl.moodle_unmatched", path=download.path)
    contested = _contested(download, roster)
    entries = []
    for sid, founds in groups.items():
        ordered = sorted(founds, key=lambda f: (bool(f.refused), id(f) in contested,
                                                *_latest_first(f)))
        history = download.history.get(ordered[0].key or "", [])
        entry = Entry(sid, ordered[0], students[sid], ordered[1:], True, history)
        entry.identity = [note("note.canvas_ambiguous", source=f.source,
                               others=", ".join(contested[id(f)][:3]))
                          for f in founds if id(f) in contested][:2]
        entry.identity += _identity_doubts(entry, founds, by_name)
        entries.append(entry)
    taken = set(groups) | {s.id for s in roster}
    numbers: dict[str, int] = {}  # per name, the last number given: linear however many
    for found in unidentified:  # each file its own row, never another student's id
        base = sid = safe_id(PurePosixPath(found.member).stem)
        while sid in taken:
            numbers[base] = numbers.get(base, 1) + 1
            sid = f"{base}_{numbers[base]}"
        taken.add(sid)
        entries.append(Entry(sid, found, None, [], False))
    submitted = {e.id for e in entries}
    entries += [Entry(s.id, None, s) for s in roster if s.id not in submitted]
    return sorted(entries, key=lambda e: e.id)


def _contested(download: Download, roster: list) -> dict:
    """id() of each Canvas file whose name also reads as another Canvas user's, one that
    has a file of its own in the download or is on the roster -> those users' ids. Such a
    file never silently outranks a file whose name reads one way (a student can put
    ``_<user>_<attachment>_`` into their own Canvas name)."""
    if download.layout != "canvas":
        return {}
    known = {f.lms.get("user_id") for f in download.found} | {s.lms_id for s in roster}
    contested = {}
    for found in download.found:
        own = found.lms.get("user_id")
        others = [u for u in found.lms.get("readings", []) if u != own and u in known]
        if others:
            contested[id(found)] = others
    return contested


def _moodle_identities(download: Download, roster: list, worksheet: dict | None):
    """Give each Moodle file the e-mail (and ID number) its participant id has in Moodle's
    grading worksheet, noting a folder name that is not the worksheet's; refuse to match a
    roster with nothing to match participant ids by."""
    if roster and worksheet is None and not any(s.lms_id for s in roster):
        raise SaidError("dl.moodle_no_ids")
    for found in download.found:
        participant = found.lms.get("participant")
        if worksheet is None or not participant:
            continue
        row = worksheet.get(participant)
        if row is None:
            found.remarks.append(note("note.not_in_worksheet", participant=participant))
            continue
        found.email = row.email
        found.lms.update(id_number=row.id_number, worksheet_name=row.fullname)
        if row.fullname and not name_keys(found.name) & name_keys(row.fullname):
            found.remarks.append(note("note.folder_name", folder=found.name,
                                      participant=participant, worksheet=row.fullname))
        found.name = row.fullname or found.name  # the account's; the folder's stays in lms


def _match(found, by):
    """The roster student an identified file belongs to, by the LMS's ids only, or None."""
    if found.key is None:
        return None
    tries = {"canvas": [("lms_id", found.lms.get("user_id"))],
             "moodle": [("lms_id", found.lms.get("participant")),
                        ("email", found.email.casefold()), ("id", found.lms.get("id_number"))],
             "gradescope": [("id", found.lms.get("sid")), ("lms_id", found.lms.get("sid")),
                            ("email", found.email.casefold())],
             "folder": [("id", found.key), ("lms_id", found.key), ("email", found.key.casefold())],
             }.get(found.layout, [])
    for index, value in tries:
        if value and value in by[index]:
            return by[index][value]
    return None


def _claim(found: Found) -> str:
    """Who a file says it is from, beyond the id: the name, folder or submission it came in."""
    return {"canvas": found.name.casefold(), "moodle": found.lms.get("fullname", ""),
            "gradescope": found.lms.get("submission", "")}.get(found.layout, found.member)


def _identity_doubts(entry: Entry, founds: list, by_name: dict) -> list[str]:
    """What the TA should check before trusting that ``founds`` are ``entry.id``'s files."""
    doubts = []
    claims = sorted({_claim(f) for f in founds})
    if len(claims) > 1:
        doubts.append(note("note.claims", count=len(founds), names=len(claims),
                           sources=", ".join(f.source for f in founds[:4])))
    own = name_keys(entry.student.name) if entry.student is not None else set()
    names = {}  # each name once, with the first file carrying it
    for found in founds if by_name else []:
        for name in (found.name, found.lms.get("fullname", "")):
            names.setdefault(name, found)
    for name, found in names.items():
        others = sorted({s.id for key in name_keys(name) for s in by_name.get(key, [])}
                        - {entry.id})
        if name and others and not name_keys(name) & own:
            doubts.append(note("note.name_of_other", name=name, source=found.source,
                               others=", ".join(others[:3])))
    return doubts[:3]


def _latest_first(found: Found):
    moment = found.submitted_at.timestamp() if found.submitted_at else float("-inf")
    return tuple(-x for x in found.rank), -moment, found.source


def _chunks(found: Found):
    """``found``'s content in chunks, never more than the size its download declared (a zip
    member may lie about it); any failure to read is :class:`Unreadable`."""
    total = 0
    with found.open() as source:
        while True:
            try:
                chunk = source.read(2**20)
            except OSError:
                raise
            except Exception as exc:  # noqa: BLE001 - a corrupt stream may raise anything
                raise Unreadable(f"{found.source}: {type(exc).__name__}: {exc}") from exc
            if not chunk:
                return
            total += len(chunk)
            if total > found.size:
                raise Unreadable(f"{found.source}: holds more than the {found.size} bytes its "
                                 f"download declares")
            yield chunk


def stage(found: Found, destination: Path) -> str:
    """Copy ``found`` to ``destination`` atomically; return its sha256 (kept on ``found``)."""
    digest = hashlib.sha256()
    tmp = destination.with_name(f".{destination.name}.tmp")
    try:
        with open(tmp, "wb") as sink:
            for chunk in _chunks(found):
                digest.update(chunk)
                sink.write(chunk)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, destination)
    found.digest = digest.hexdigest()
    return found.digest


def sha256(found: Found) -> str:
    """The sha256 of ``found``'s content, read once."""
    if not found.digest:
        digest = hashlib.sha256()
        for chunk in _chunks(found):
            digest.update(chunk)
        found.digest = digest.hexdigest()
    return found.digest
