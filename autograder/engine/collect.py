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

A download is hostile data: a zip member with ``..`` or an absolute path, a symlink
(in a zip or a folder), more members than :data:`MAX_MEMBERS` or more bytes than the size
limit once expanded refuse the whole download before anything is written.
"""
import hashlib
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from autograder.assignments import KitError

MAX_MEMBERS = 50_000
MAX_EXPANDED_BYTES = 4 * 2**30  # a class of notebooks is megabytes; this is a bomb
MAX_METADATA_BYTES = 50 * 2**20
JUNK = re.compile(r"(^|/)(__MACOSX|\.DS_Store|Thumbs\.db|desktop\.ini)(/|$)|(^|/)\._")
CANVAS = re.compile(r"^(?:(?P<name>.*?)_)?(?:(?P<late>late)_)?(?P<user>\d+)_(?P<attachment>\d+)_"
                    r"(?P<file>.+)$", re.IGNORECASE)
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)"
                    r"(?:_(?P<rest>.*))?$")
GRADESCOPE_FOLDER = re.compile(r"^submission_(?P<submission>\d+)$")
SAFE_ID = re.compile(r"[^\w.@+-]")


def safe_id(text: str) -> str:
    """An id usable as a file name anywhere the kit writes one (feedback/<id>.html) and as a
    CSV cell no spreadsheet runs as a formula: never starting with a dot or ``+ - @ =``."""
    cleaned = SAFE_ID.sub("_", text.strip()).lstrip(".")[:80]
    if cleaned[:1] in ("+", "-", "@", "="):
        cleaned = "_" + cleaned[1:]
    return cleaned or "unnamed"


@dataclass
class Found:
    """One notebook in a download, and what the LMS says about it."""

    source: str                       # where it is, as the TA can find it
    member: str                       # path inside the download (posix)
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

    def open(self):
        return self.opener()

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


class _Tree:
    """A download's files, from a folder or a zip alike: member -> (size, mtime, opener)."""

    def __init__(self, path: Path, tz, limit: int):
        self.path, self.files, self.archive = path, {}, None
        if path.is_dir():
            self._folder(path, tz)
        elif path.is_file() and zipfile.is_zipfile(path):
            self._zip(path, tz, limit)
        elif path.is_file():
            raise KitError(f"{path} is neither a folder nor a .zip: pass SUBMISSIONS=<the LMS "
                           f"download, as downloaded or unzipped>")
        else:
            raise KitError(f"submissions {path} does not exist: pass SUBMISSIONS=<folder or .zip "
                           f"holding the students' notebooks>")

    def _folder(self, root: Path, tz):
        for folder, dirs, files in os.walk(root, followlinks=False):
            for name in sorted(dirs + files):
                path = Path(folder) / name
                if path.is_symlink():
                    raise KitError(f"{path} is a symbolic link: a download holds plain files only "
                                   f"(it could point at another student's work or the grader's "
                                   f"files); remove it and run again. Nothing was graded.")
            for name in files:
                path = Path(folder) / name
                member = path.relative_to(root).as_posix()
                info = path.stat()
                when = datetime.fromtimestamp(info.st_mtime, tz=timezone.utc).astimezone(tz)
                self.files[member] = (info.st_size, when, lambda p=path: open(p, "rb"))

    def _zip(self, path: Path, tz, limit: int):
        # One reader for every member: opening the zip again per member parses its whole
        # directory each time (a minute for a class of 1,000). Members are read one at a time.
        self.archive = zipfile.ZipFile(path)
        try:
            self._check(path, self.archive.infolist(), limit)
        except KitError:
            self.archive.close()
            raise
        for info in self.archive.infolist():
            if info.is_dir():
                continue
            member = info.filename.replace("\\", "/")
            try:
                when = datetime(*info.date_time, tzinfo=tz)
            except ValueError:
                when = None
            self.files[member] = (info.file_size, when,
                                  lambda n=info.filename: self.archive.open(n))

    @staticmethod
    def _check(path: Path, infos: list, limit: int):
        """Refuse the whole zip for one hostile member, before anything is read."""
        if len(infos) > MAX_MEMBERS:
            raise KitError(f"{path}: {len(infos)} members, more than the {MAX_MEMBERS} a class "
                           f"download can hold; refusing it (nothing was extracted or graded)")
        total = 0
        for info in infos:
            name = info.filename
            parts = name.replace("\\", "/").split("/")
            if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
                raise KitError(f"{path}: member '{name}' has an absolute path; refusing the whole "
                               f"download (nothing was extracted or graded)")
            if ".." in parts:
                raise KitError(f"{path}: member '{name}' climbs out of the download with '..'; "
                               f"refusing the whole download (nothing was extracted or graded)")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise KitError(f"{path}: member '{name}' is a symbolic link; refusing the whole "
                               f"download (nothing was extracted or graded)")
            if info.flag_bits & 0x1:
                raise KitError(f"{path}: member '{name}' is encrypted; download the class again "
                               f"without a password")
            total += info.file_size
            if total > limit:
                raise KitError(f"{path}: its members expand past {limit / 2**20:.0f} MB (at "
                               f"'{name}'); refusing it as a zip bomb (nothing was extracted "
                               f"or graded)")

    def source(self, member: str) -> str:
        return f"{self.path.name}:{member}" if self.path.is_file() else f"{self.path.name}/{member}"

    def read(self, member: str, limit: int) -> bytes:
        size, _, opener = self.files[member]
        if size > limit:
            raise KitError(f"{self.source(member)}: {size} bytes is more than a metadata file "
                           f"may hold ({limit})")
        with opener() as handle:
            return handle.read(limit + 1)[:limit]


def scan(path: Path, tz=timezone.utc, limit: int = MAX_EXPANDED_BYTES,
         layout: str | None = None) -> Download:
    """Read the download at ``path`` (folder or zip); detect its layout unless given."""
    tree = _Tree(Path(path), tz, limit)
    members = [m for m in tree.files if not JUNK.search(m)]
    root = _common_root(members)
    relative = {m: m[len(root):] for m in members}
    notebooks = [m for m in members if m.lower().endswith(".ipynb")]
    if not notebooks:
        held = ", ".join(sorted(relative.values())[:5]) or "nothing"
        raise KitError(f"no .ipynb file in {path} (it holds: {held}); expected a Canvas, Moodle "
                       f"or Gradescope download or a folder of <student id>.ipynb")
    layout = layout or _layout(relative, notebooks)
    download = Download(Path(path), layout)
    reader = {"canvas": _canvas, "moodle": _moodle, "gradescope": _gradescope,
              "folder": _folder}.get(layout)
    if reader is None:
        raise KitError(f"unknown layout '{layout}' (known: canvas, moodle, gradescope, folder)")
    reader(tree, relative, download)
    for member in members:
        if not member.lower().endswith(".ipynb") and not member.endswith("submission_metadata.yml"):
            download.skipped.append((tree.source(member), "not a notebook"))
    return download


def _common_root(members: list[str]) -> str:
    """A single top folder every member is under (``assignment_1_export/``), or ''."""
    tops = {m.split("/", 1)[0] for m in members}
    if len(tops) == 1 and all("/" in m for m in members):
        return tops.pop() + "/"
    return ""


def _layout(relative: dict, notebooks: list[str]) -> str:
    names = [relative[m] for m in notebooks]
    if any(PurePosixPath(r).name == "submission_metadata.yml" for r in relative.values()):
        return "gradescope"
    if sum(bool(MOODLE.match(n.split("/", 1)[0])) for n in names) * 2 > len(names):
        return "moodle"
    top = [n for n in names if "/" not in n]
    if top and sum(bool(CANVAS.match(n)) for n in top) * 2 > len(top):
        return "canvas"
    if top and len(top) * 2 > len(names):
        return "folder"
    examples = ", ".join(names[:3])
    raise KitError(f"unknown download layout: the notebooks ({examples}, ...) are neither "
                   f"Canvas files (<lastfirst>_<user id>_<attachment id>_<file>), Moodle folders "
                   f"(<Full name>_<participant id>_assignsubmission_file), a Gradescope export "
                   f"(submission_metadata.yml) nor <student id>.ipynb files at the top; "
                   f"unzip it as the LMS gave it")


def _found(tree, member, layout, key, **fields) -> Found:
    size, when, opener = tree.files[member]
    return Found(tree.source(member), member, size, layout, key, opener=opener,
                 submitted_at=fields.pop("submitted_at", when),
                 time_source=fields.pop("time_source", "file" if when else ""), **fields)


def _canvas(tree, relative, download):
    for member, rel in relative.items():
        if not rel.lower().endswith(".ipynb"):
            continue
        match = CANVAS.match(rel) if "/" not in rel else None
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
                 "file": match.group("file")},
            rank=(int(match.group("attachment")),)))


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

    meta_member = next(m for m, r in relative.items()
                       if PurePosixPath(r).name == "submission_metadata.yml")
    try:
        metadata = yaml.safe_load(tree.read(meta_member, MAX_METADATA_BYTES)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise KitError(f"{tree.source(meta_member)}{line}: not valid YAML ({exc})") from None
    if not isinstance(metadata, dict):
        raise KitError(f"{tree.source(meta_member)}: expected one entry per submission_<id> folder")
    base = relative[meta_member][:-len("submission_metadata.yml")]
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
        if "/" in rel:
            download.skipped.append((tree.source(member), "in a subfolder of a plain folder"))
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

    @property
    def on_roster(self) -> bool:
        return self.student is not None

    def notes(self, roster: bool) -> list[str]:
        notes = []
        if not self.identified:
            notes.append("unidentified: graded under its file name")
        elif roster and not self.on_roster:
            notes.append("not on the roster")
        if self.attempts:
            notes.append(f"{len(self.attempts)} earlier attempt(s) not graded: "
                         + ", ".join(a.source for a in self.attempts[:3]))
        if self.history:
            notes.append(f"{len(self.history)} earlier attempt(s) in the LMS history")
        if self.found is not None and self.found.lms.get("late"):
            notes.append("the LMS marks it late")
        return notes


def assign(download: Download, roster: list | None = None) -> list[Entry]:
    """Match every notebook to a student and keep each student's latest attempt.

    Matching, in order: the roster's ``lms_id`` (Canvas user id), its ``id`` (a plain
    file's name, Gradescope's student id), the e-mail address, then the name (only when
    exactly one roster student has it). Without a roster, the LMS's own key is the id. A
    file no rule identifies is graded under its file name. Latest: the LMS's order first
    (Canvas attachment ids grow with each upload), then the submission time.
    """
    roster = roster or []
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
    unidentified = []
    for found in download.found:
        student = _match(found, by, by_name) if roster else None
        if student is None and found.key is None:
            unidentified.append(found)
            continue
        sid = student.id if student is not None else safe_id(found.key)
        groups.setdefault(sid, []).append(found)
        students[sid] = student
    entries = []
    for sid, founds in groups.items():
        ordered = sorted(founds, key=_latest_first)
        history = download.history.get(ordered[0].key or "", [])
        entries.append(Entry(sid, ordered[0], students[sid], ordered[1:], True, history))
    taken = set(groups) | {s.id for s in roster}
    for found in unidentified:  # each file its own row, never another student's id
        sid = safe_id(PurePosixPath(found.member).stem)
        while sid in taken:
            sid += "_"
        taken.add(sid)
        entries.append(Entry(sid, found, None, [], False))
    submitted = {e.id for e in entries}
    entries += [Entry(s.id, None, s) for s in roster if s.id not in submitted]
    return sorted(entries, key=lambda e: e.id)


def _match(found, by, by_name):
    """The roster student an identified file belongs to, or None."""
    if found.key is None:
        return None
    tries = {"canvas": [("lms_id", found.lms.get("user_id"))],
             "gradescope": [("id", found.lms.get("sid")), ("lms_id", found.lms.get("sid")),
                            ("email", found.email.casefold())],
             "folder": [("id", found.key), ("lms_id", found.key), ("email", found.key.casefold())],
             }.get(found.layout, [])
    for index, value in tries:
        if value and value in by[index]:
            return by[index][value]
    if found.layout == "folder":
        return None
    matches = {s.id: s for key in name_keys(found.name) for s in by_name.get(key, [])}
    return next(iter(matches.values())) if len(matches) == 1 else None


def _latest_first(found: Found):
    moment = found.submitted_at.timestamp() if found.submitted_at else float("-inf")
    return tuple(-x for x in found.rank), -moment, found.source


def stage(found: Found, destination: Path) -> str:
    """Copy ``found`` to ``destination`` atomically; return its sha256 (kept on ``found``)."""
    digest = hashlib.sha256()
    tmp = destination.with_name(f".{destination.name}.tmp")
    with found.open() as source, open(tmp, "wb") as sink:
        while chunk := source.read(2**20):
            digest.update(chunk)
            sink.write(chunk)
    os.replace(tmp, destination)
    found.digest = digest.hexdigest()
    return found.digest


def sha256(found: Found) -> str:
    """The sha256 of ``found``'s content, read once."""
    if not found.digest:
        digest = hashlib.sha256()
        with found.open() as source:
            while chunk := source.read(2**20):
                digest.update(chunk)
        found.digest = digest.hexdigest()
    return found.digest
