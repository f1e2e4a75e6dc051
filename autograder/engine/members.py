"""A download's files, from a folder or a zip alike, each with its own outcome.

A class's download is hostile data: its member names are partly the students' own file
names (Canvas keeps ``\\..\\`` in a name made on macOS), and anyone can craft a zip. So
:class:`Tree` lists every member under a name safe to show, and decides for each one
alone whether it may be read:

- refused on its own (:attr:`Member.refused` says why, in words for the student): a
  name that climbs out (``..``, also between backslashes) or is absolute, a symbolic link
  or anything but a plain file (a pipe would block the reader), an encrypted member, one
  compressed with anything but deflate (bzip2 and LZMA inflate without a bound), a
  name flagged UTF-8 that is not (Python's zipfile would refuse the whole archive for it:
  :class:`_Utf8Guard` reads the directory so that it does not), two members shown alike
  (the download cannot say which one the LMS meant);
- read, with a remark for the TA: a name with control characters (a newline, a
  right-to-left override), shown with ``?`` in their place; names differing only in case
  (one file on macOS or Windows), both kept.

Only what concerns the archive as a whole refuses it whole, before anything is read:
more members than :data:`MAX_MEMBERS`, more bytes than the size limit once expanded, a
directory that cannot be read, not a zip at all. A member is opened by its directory
entry, never by its name, and nothing is ever extracted under a name from the zip.
"""
import io
import os
import re
import stat
import struct
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder.assignments import KitError
from shared.i18n import msg_in

MAX_MEMBERS = 50_000
MAX_EXPANDED_BYTES = 4 * 2**30  # a class of notebooks is megabytes; this is a bomb
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
UTF8_FLAG = 0x800
ENCRYPTED_FLAG = 0x1
#: Compressions a member may use. zipfile inflates deflate a chunk at a time, but hands
#: bzip2 and LZMA data to a decompressor without an output bound: a 495-byte zip whose
#: member declares 1,000 bytes made 400 MB in one read (822 MB peak), so a member of a
#: few KB could take the whole machine's memory before its declared size is checked.
#: LMS downloads use deflate.
READABLE_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
COMPRESSION_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "Deflate64"}


def note(key: str, **fields) -> str:
    """A note for a row or the TA as stored (a refusal's reason, a remark; grades.csv, the
    manifest): the catalogue's English, the text the kit matches, which each page says again
    in its reader's language (:func:`autograder.engine.collect.say_note`)."""
    return msg_in("en", key, **fields)


class SaidError(KitError):
    """A KitError said through the catalogue: its key and fields. ``str()`` is the English
    (what the kit's tests and a TA's scripts have always matched); :meth:`said` is the same
    message in a reader's language, for a caller that knows it (grade.py: the course file's
    ``ta_language``, read before the download is scanned)."""

    def __init__(self, key: str, **fields):
        self.key, self.fields = key, fields
        super().__init__(self.said("en"))

    def said(self, language: str) -> str:
        return msg_in(language, self.key, **self.fields)


class Unreadable(OSError):
    """A member that could not be read, whatever the reader raised (a corrupt stream, an
    unsupported compression, a name that differs from its header): that student's row."""


@dataclass
class Member:
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
    remarks = [note("note.controls", controls=ascii(''.join(controls))[:60])] if controls else []
    return text, remarks


def _climbs(raw: str) -> str:
    """Why a member's name points outside the download ('' when it does not)."""
    if raw.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", raw):
        return note("note.absolute")
    if ".." in re.split(r"[/\\]", raw):
        return note("note.climbs")
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


class Tree:
    """A download's files, from a folder or a zip alike: shown name -> :class:`Member`."""

    def __init__(self, path: Path, tz, limit: int):
        self.path, self.files, self.archive, self._numbers = path, {}, None, {}
        if path.is_dir():
            self._folder(path, tz)
        elif path.is_file() and zipfile.is_zipfile(path):
            self._zip(path, tz, limit)
        elif path.is_file():
            raise SaidError("dl.not_folder_or_zip", path=path)
        else:
            raise SaidError("dl.missing", path=path)
        self._mark_alike()

    def _add(self, member: Member):
        """Keep ``member`` under a name unique in the tree (the shown name, numbered when
        two members show alike: both are then refused by :meth:`_mark_alike`)."""
        key, number = member.name, self._numbers.get(member.name, 1)
        stem, dot, suffix = member.name.rpartition(".")
        while key in self.files:  # numbers go on from the last one given: linear in all
            number += 1
            key = (f"{stem} [{number}].{suffix}" if dot and "/" not in suffix
                   else f"{member.name} [{number}]")
        self._numbers[member.name] = number
        self.files[key] = member

    def _folder(self, root: Path, tz):
        for folder, dirs, files in os.walk(root, followlinks=False):
            for name in sorted(dirs + files):
                path = Path(folder) / name
                info = path.lstat()
                if stat.S_ISDIR(info.st_mode):
                    continue
                if len(self.files) >= MAX_MEMBERS:
                    raise SaidError("dl.too_many_files", path=root, limit=MAX_MEMBERS)
                raw = path.relative_to(root).as_posix()
                shown, remarks = _shown(raw)
                when = datetime.fromtimestamp(info.st_mtime, tz=timezone.utc).astimezone(tz)
                refused = ""
                if stat.S_ISLNK(info.st_mode):
                    refused = note("note.symlink")
                elif not stat.S_ISREG(info.st_mode):
                    refused = note("note.not_plain")
                elif shown != raw and any("\udc80" <= c <= "\udcff" for c in raw):
                    refused = note("note.not_utf8")
                self._add(Member(shown, info.st_size, when, lambda p=path: open(p, "rb"),
                                 refused, remarks))

    def _zip(self, path: Path, tz, limit: int):
        # One reader for every member: opening the zip again per member parses its whole
        # directory each time (a minute for a class of 1,000). Members are read one at a time.
        handle = _Utf8Guard(path)
        try:
            self.archive = zipfile.ZipFile(handle)
        except Exception as exc:  # noqa: BLE001 - a corrupt directory may raise anything
            handle.close()
            raise SaidError("dl.zip_unreadable", path=path,
                            error=f"{type(exc).__name__}: {exc}") from None
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
            self._add(Member(shown, info.file_size, when, lambda i=info: self.archive.open(i),
                             self._refusal(info, handle.bad), remarks))

    @staticmethod
    def _refusal(info, bad: set) -> str:
        """Why one zip member is refused on its own ('' when it may be read)."""
        raw = info.orig_filename
        if not info.flag_bits & UTF8_FLAG and raw.encode("cp437") in bad:
            return note("note.false_utf8")
        if why := _climbs(raw):
            return why
        if stat.S_ISLNK(info.external_attr >> 16):
            return note("note.symlink")
        if info.flag_bits & ENCRYPTED_FLAG:
            return note("note.encrypted")
        if info.compress_type not in READABLE_COMPRESSION:
            return note("note.compression", method=COMPRESSION_NAMES.get(
                info.compress_type, f"method {info.compress_type}"))
        return ""

    @staticmethod
    def _check(path: Path, infos: list, limit: int):
        """Refuse the whole zip for what concerns it whole, before anything is read."""
        if len(infos) > MAX_MEMBERS:
            raise SaidError("dl.too_many_members", path=path, count=len(infos),
                            limit=MAX_MEMBERS)
        total = 0
        for info in infos:
            total += info.file_size
            if total > limit:
                raise SaidError("dl.zip_bomb", path=path, limit=f"{limit / 2**20:.0f}",
                                member=_shown(info.orig_filename)[0])

    def _mark_alike(self):
        """Members shown alike are all refused (the download cannot say which is meant);
        names that differ only in case (one file on macOS or Windows) are kept and noted."""
        groups: dict[str, list] = {}
        for key, member in self.files.items():
            groups.setdefault(member.name.casefold(), []).append(key)
        for keys in groups.values():  # linear in the members, however many share a name
            if len(keys) < 2:
                continue
            counts = Counter(self.files[k].name for k in keys)
            for key in keys:
                member = self.files[key]
                if counts[member.name] > 1:
                    member.refused = member.refused or note(
                        "note.same_name", count=counts[member.name], name=member.name)
                other = next((name for name in counts if name != member.name), None)
                if other is not None:
                    member.remarks.append(note("note.case_only", other=other))

    def source(self, member: str) -> str:
        return f"{self.path.name}:{member}" if self.path.is_file() else f"{self.path.name}/{member}"

    def read(self, member: str, limit: int) -> bytes:
        item = self.files[member]
        if item.refused:
            raise SaidError("dl.member_refused", source=self.source(member), why=item.refused)
        if item.size > limit:
            raise SaidError("dl.metadata_too_large", source=self.source(member), size=item.size,
                            limit=limit)
        try:
            with item.opener() as handle:
                return handle.read(limit + 1)[:limit]
        except Exception as exc:  # noqa: BLE001 - the LMS's own file: the download is unusable
            raise SaidError("dl.member_unreadable", source=self.source(member),
                            error=f"{type(exc).__name__}: {exc}") from None
