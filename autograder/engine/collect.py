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

A download is hostile data, and every member has its own outcome. Only what concerns the
archive as a whole refuses it whole, before anything is read: more members than
:data:`MAX_MEMBERS`, more bytes than the size limit once expanded, not a zip at all. A
member whose name climbs out (``..``, an absolute path), is a link or anything but a plain
file, is encrypted, is not the UTF-8 its zip flags it as, or shares its name with another
member is *refused on its own* (:attr:`Found.refused` says why); its student is still
identified from the name where the LMS's naming allows, and gets a row saying so, while
the rest of the class is graded. A name with control characters (a newline, a
right-to-left override) is shown with ``?`` in their place, and names differing only in
case (one file on macOS or Windows) are both kept; each is noted. Nothing is ever written
under a name taken from the download: the kit stages each file as ``<id>.ipynb``.

Identity comes from the LMS's ids, never from a display name (:func:`assign`).
"""
import hashlib
import io
import os
import re
import stat
import struct
import unicodedata
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
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
UTF8_FLAG = 0x800
ENCRYPTED_FLAG = 0x1


class Unreadable(OSError):
    """A member that could not be read, whatever the reader raised (a corrupt stream, an
    unsupported compression, a name that differs from its header): that student's row."""


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


@dataclass
class _Member:
    """One file of a download as the kit shows it, and whether it may be read."""

    name: str                         # posix, control characters as '?'
    size: int
    when: datetime | None
    opener: object                    # () -> binary file object
    refused: str = ""                 # why it is not read
    remarks: list = field(default_factory=list)


def _shown(name: str) -> tuple[str, list]:
    """``name`` with control characters (newline, NUL, right-to-left override...) and bytes
    that were not UTF-8 shown as ``?``, and what was replaced."""
    controls = [c for c in name if unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS]
    text = "".join("?" if unicodedata.category(c) in ("Cc", "Cs") or c in BIDI_CONTROLS else c
                   for c in name)
    remarks = [f"its file name holds control characters, shown as '?' "
               f"({ascii(''.join(controls))[:60]})"] if controls else []
    return text, remarks


def _climbs(raw: str) -> str:
    """Why a member's name points outside the download ('' when it does not)."""
    if raw.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", raw):
        return "its name is an absolute path"
    if ".." in re.split(r"[/\\]", raw):
        return "its name climbs out of the download with '..'"
    return ""


class _Utf8Guard(io.FileIO):
    """The zip file, read so that a member name flagged UTF-8 that is not UTF-8 does not stop
    :class:`zipfile.ZipFile` from listing the others: while the central directory is read,
    such a name loses its flag (it is then read as cp437) and is remembered in ``bad``."""

    def __init__(self, path):
        super().__init__(path, "rb")
        self.listing, self.bad = True, set()

    def read(self, size=-1):
        data = super().read(size)
        if self.listing and data[:4] == zipfile.stringCentralDir:
            data = self._unflag(data)
        return data

    def _unflag(self, data: bytes) -> bytes:
        out, offset = bytearray(data), 0
        while offset + zipfile.sizeCentralDir <= len(out) and out[offset:offset + 4] == zipfile.stringCentralDir:
            fields = struct.unpack_from(zipfile.structCentralDir, out, offset)
            flags, lengths = fields[5], fields[12:15]
            start = offset + zipfile.sizeCentralDir
            raw = bytes(out[start:start + lengths[0]])
            if flags & UTF8_FLAG:
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    struct.pack_into("<H", out, offset + 8, flags & ~UTF8_FLAG)
                    self.bad.add(raw)
            offset = start + sum(lengths)
        return bytes(out)


class _Tree:
    """A download's files, from a folder or a zip alike: shown name -> :class:`_Member`."""

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
        self._mark_alike()

    def _add(self, member: _Member):
        """Keep ``member`` under a name unique in the tree (the shown name, numbered when
        two members show alike: both are then refused by :meth:`_mark_alike`)."""
        key, number = member.name, 1
        stem, dot, suffix = member.name.rpartition(".")
        while key in self.files:
            number += 1
            key = (f"{stem} [{number}].{suffix}" if dot and "/" not in suffix
                   else f"{member.name} [{number}]")
        self.files[key] = member

    def _folder(self, root: Path, tz):
        for folder, dirs, files in os.walk(root, followlinks=False):
            for name in sorted(dirs + files):
                path = Path(folder) / name
                info = path.lstat()
                if stat.S_ISDIR(info.st_mode):
                    continue
                raw = path.relative_to(root).as_posix()
                shown, remarks = _shown(raw)
                when = datetime.fromtimestamp(info.st_mtime, tz=timezone.utc).astimezone(tz)
                refused = ""
                if stat.S_ISLNK(info.st_mode):
                    refused = ("it is a symbolic link (it could point at another student's work "
                               "or the grader's files)")
                elif not stat.S_ISREG(info.st_mode):
                    refused = "it is not a plain file (a pipe, socket or device)"
                elif shown != raw and any("\udc80" <= c <= "\udcff" for c in raw):
                    refused = "its name is not valid UTF-8"
                self._add(_Member(shown, info.st_size, when,
                                       lambda p=path: open(p, "rb"), refused, remarks))

    def _zip(self, path: Path, tz, limit: int):
        # One reader for every member: opening the zip again per member parses its whole
        # directory each time (a minute for a class of 1,000). Members are read one at a time.
        handle = _Utf8Guard(path)
        try:
            self.archive = zipfile.ZipFile(handle)
        except Exception as exc:  # noqa: BLE001 - a corrupt directory may raise anything
            handle.close()
            raise KitError(f"{path}: the zip's directory cannot be read ({type(exc).__name__}: "
                           f"{exc}); download the class again (nothing was extracted or "
                           f"graded)") from None
        handle.listing = False
        infos = self.archive.infolist()
        try:
            self._check(path, infos, limit)
        except KitError:
            self.archive.close()
            raise
        for info in infos:
            raw = info.orig_filename  # ``filename`` is cut at a NUL, ``is_dir`` fails on ''
            if raw.endswith("/") and not info.file_size:
                continue
            shown, remarks = _shown(raw.replace("\\", "/") if not _climbs(raw) else raw)
            try:
                when = datetime(*info.date_time, tzinfo=tz)
            except ValueError:
                when = None
            self._add(_Member(shown, info.file_size, when,
                                   lambda i=info: self.archive.open(i),
                                   self._refusal(info, handle.bad), remarks))

    @staticmethod
    def _refusal(info, bad: set) -> str:
        """Why one zip member is refused on its own ('' when it may be read)."""
        raw = info.orig_filename
        if not info.flag_bits & UTF8_FLAG and raw.encode("cp437") in bad:
            return "its name is flagged UTF-8 but is not (the kit cannot tell which file it is)"
        if why := _climbs(raw):
            return why
        if stat.S_ISLNK(info.external_attr >> 16):
            return "it is a symbolic link (it could point at another student's work or the grader's files)"
        if info.flag_bits & ENCRYPTED_FLAG:
            return "it is encrypted (a zip password)"
        return ""

    @staticmethod
    def _check(path: Path, infos: list, limit: int):
        """Refuse the whole zip for what concerns it whole, before anything is read."""
        if len(infos) > MAX_MEMBERS:
            raise KitError(f"{path}: {len(infos)} members, more than the {MAX_MEMBERS} a class "
                           f"download can hold; refusing it (nothing was extracted or graded)")
        total = 0
        for info in infos:
            total += info.file_size
            if total > limit:
                raise KitError(f"{path}: its members expand past {limit / 2**20:.0f} MB (at "
                               f"'{_shown(info.orig_filename)[0]}'); refusing it as a zip bomb "
                               f"(nothing was extracted or graded)")

    def _mark_alike(self):
        """Members shown alike are all refused (the download cannot say which is meant);
        names that differ only in case (one file on macOS or Windows) are kept and noted."""
        groups: dict[str, list] = {}
        for key, member in self.files.items():
            groups.setdefault(member.name.casefold(), []).append(key)
        for keys in groups.values():
            if len(keys) < 2:
                continue
            for key in keys:
                member = self.files[key]
                same = [k for k in keys if k != key and self.files[k].name == member.name]
                if same:
                    member.refused = member.refused or (
                        f"{len(same) + 1} members of the download are named "
                        f"'{member.name}' (the kit cannot tell which one the LMS meant)")
                others = [self.files[k].name for k in keys if self.files[k].name != member.name]
                if others:
                    member.remarks.append(f"its name differs only in case from "
                                          f"'{others[0]}' (kept apart)")

    def source(self, member: str) -> str:
        return f"{self.path.name}:{member}" if self.path.is_file() else f"{self.path.name}/{member}"

    def read(self, member: str, limit: int) -> bytes:
        item = self.files[member]
        if item.refused:
            raise KitError(f"{self.source(member)}: refused: {item.refused}")
        if item.size > limit:
            raise KitError(f"{self.source(member)}: {item.size} bytes is more than a metadata "
                           f"file may hold ({limit})")
        with item.opener() as handle:
            return handle.read(limit + 1)[:limit]


def scan(path: Path, tz=timezone.utc, limit: int = MAX_EXPANDED_BYTES,
         layout: str | None = None) -> Download:
    """Read the download at ``path`` (folder or zip); detect its layout unless given."""
    tree = _Tree(Path(path), tz, limit)
    members = [m for m in tree.files if not JUNK.search(tree.files[m].name)]
    root = _common_root([tree.files[m].name for m in members if not tree.files[m].refused])
    relative = {m: _relative(tree.files[m].name, root) for m in members}
    notebooks = [m for m in members if relative[m].lower().endswith(".ipynb")]
    if not notebooks:
        held = ", ".join(sorted(relative.values())[:5]) or "nothing"
        raise KitError(f"no .ipynb file in {path} (it holds: {held}); expected a Canvas, Moodle "
                       f"or Gradescope download or a folder of <student id>.ipynb")
    layout = layout or _layout(relative, [m for m in notebooks if not tree.files[m].refused]
                               or notebooks)
    download = Download(Path(path), layout)
    reader = {"canvas": _canvas, "moodle": _moodle, "gradescope": _gradescope,
              "folder": _folder}.get(layout)
    if reader is None:
        raise KitError(f"unknown layout '{layout}' (known: canvas, moodle, gradescope, folder)")
    reader(tree, relative, download)
    for member in members:
        rel = relative[member]
        if not rel.lower().endswith(".ipynb") and PurePosixPath(rel).name != "submission_metadata.yml":
            why = tree.files[member].refused
            download.skipped.append((tree.source(member), f"refused: {why}" if why
                                     else "not a notebook"))
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

    # Gradescope's own file is the shallowest one: a student may upload a file of that name
    # into their submission folder, and it must not say who submitted what.
    meta_member = min((m for m, r in relative.items()
                       if PurePosixPath(r).name == "submission_metadata.yml"),
                      key=lambda m: (relative[m].count("/"), relative[m]))
    try:
        metadata = yaml.safe_load(tree.read(meta_member, MAX_METADATA_BYTES)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise KitError(f"{tree.source(meta_member)}{line}: not valid YAML ({exc})") from None
    if not isinstance(metadata, dict):
        raise KitError(f"{tree.source(meta_member)}: expected one entry per submission_<id> folder")
    base = relative[meta_member][:-len("submission_metadata.yml")]
    download.skipped += [(tree.source(m), "not Gradescope's metadata (inside a submission): not read")
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
    identity: list = field(default_factory=list)  # what the TA should check of whose it is

    @property
    def on_roster(self) -> bool:
        return self.student is not None

    def notes(self, roster: bool) -> list[str]:
        notes = []
        if not self.identified:
            notes.append("unidentified: graded under its file name")
        elif roster and not self.on_roster:
            notes.append("not on the roster")
        notes += [f"identity: {text}" for text in self.identity]
        if self.found is not None and self.found.refused:
            notes.append(f"refused: {self.found.source} ({self.found.refused})")
        if self.found is not None:
            notes += [f"{self.found.file_name}: {remark}" for remark in self.found.remarks]
        graded = [a for a in self.attempts if not a.refused]
        if graded:
            notes.append(f"{len(graded)} earlier attempt(s) not graded: "
                         + ", ".join(a.source for a in graded[:3]))
        notes += [f"refused: {a.source} ({a.refused})" for a in self.attempts if a.refused]
        if self.history:
            notes.append(f"{len(self.history)} earlier attempt(s) in the LMS history")
        if self.found is not None and self.found.lms.get("late"):
            notes.append("the LMS marks it late")
        return notes


def refusal_message(found: Found) -> str:
    """What a student whose file was refused reads in their feedback."""
    return (f"Your file '{found.file_name}' ({found.source}) was not graded: {found.refused}. "
            f"Upload the notebook again as a plain .ipynb file with an ordinary name "
            f"(letters, digits, '-', '_' and '.').")


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
    unidentified = []
    for found in download.found:
        student = _match(found, by) if roster else None
        if student is None and found.key is None:
            unidentified.append(found)
            continue
        sid = student.id if student is not None else safe_id(found.key)
        groups.setdefault(sid, []).append(found)
        students[sid] = student
    if download.layout == "moodle" and roster and not any(students.values()):
        raise KitError(f"no file of the Moodle download {download.path} matched a roster student "
                       f"by participant id: pass WORKSHEET=<the assignment's grading worksheet "
                       f"csv>, or give the roster an lms_id column holding each student's "
                       f"participant id (not the Canvas or Moodle user id)")
    entries = []
    for sid, founds in groups.items():
        ordered = sorted(founds, key=lambda f: (bool(f.refused), *_latest_first(f)))
        history = download.history.get(ordered[0].key or "", [])
        entry = Entry(sid, ordered[0], students[sid], ordered[1:], True, history)
        entry.identity = _identity_doubts(entry, founds, by_name)
        entries.append(entry)
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


def _moodle_identities(download: Download, roster: list, worksheet: dict | None):
    """Give each Moodle file the e-mail (and ID number) its participant id has in Moodle's
    grading worksheet, noting a folder name that is not the worksheet's; refuse to match a
    roster with nothing to match participant ids by."""
    if roster and worksheet is None and not any(s.lms_id for s in roster):
        raise KitError("a Moodle download is matched to the roster by participant id, never by "
                       "name: pass WORKSHEET=<the assignment's grading worksheet csv> (Moodle: "
                       "View all submissions > Download grading worksheet), or give the "
                       "roster an lms_id column holding each student's participant id")
    for found in download.found:
        participant = found.lms.get("participant")
        if worksheet is None or not participant:
            continue
        row = worksheet.get(participant)
        if row is None:
            found.remarks.append(f"participant {participant} is not in the grading worksheet")
            continue
        found.email = row.email
        found.lms.update(id_number=row.id_number, worksheet_name=row.fullname)
        if row.fullname and not name_keys(found.name) & name_keys(row.fullname):
            found.remarks.append(f"its folder names '{found.name}', but the grading worksheet "
                                 f"names participant {participant} '{row.fullname}'")
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
        doubts.append(f"{len(founds)} files claim this id under {len(claims)} different names or "
                      f"folders: " + ", ".join(f.source for f in founds[:4]))
    own = name_keys(entry.student.name) if entry.student is not None else set()
    for found in founds if by_name else []:
        for name in {found.name, found.lms.get("fullname", "")} - {""}:
            others = sorted({s.id for key in name_keys(name) for s in by_name.get(key, [])}
                            - {entry.id})
            if others and not name_keys(name) & own:
                doubts.append(f"the name '{name}' on {found.source} is that of "
                              f"{', '.join(others[:3])} on the roster, not of the id it carries")
    return doubts


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
