"""A size-limited folder for everything a sandbox may write.

A submission's sandbox may write only in its own folder (``/tmp/sandbox`` inside; a folder
of the grading job's spool, or of its work folder when cold, outside), and each file it
writes is capped (``RLIMIT_FSIZE``, 64 MB); the number of files is not. In its 30 CPU
seconds a notebook can write tens of GB in 64 MB pieces, or a million empty files: the
disk the TA grades on fills, and the student graded beside it, or the TA's own
``grades.csv``, cannot be written. So the folder that holds a submission's folder is a
tmpfs of its own, mounted here by the grader (root, as grading is): at most
:data:`FOLDER_BYTES` and :data:`FOLDER_FILES`, and once unmounted it is gone at once,
however many files the student made. Each submission's folder is one, whether a cold
sandbox's or one in a warm sandbox host's spool (itself a small shared tmpfs, so that the
folders mounted in it reach the host, :func:`share`): the jobs sharing a host, and a
submission kept waiting to be scored, never take each other's room.

A correct notebook writes a few KB there (its artifacts and output); one that saves a
model or an array has room for it. Where the kernel refuses the mount (no
``CAP_SYS_ADMIN``), the folder stays as it was and :func:`limit` says so: the grader warns
once and grades on.
"""
import ctypes
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import psutil

#: What one sandbox's folder may hold: bytes (tmpfs pages are memory, given back as soon as
#: the folder is unmounted) and files (each costs the kernel about 1 KB).
FOLDER_BYTES = 2**30
FOLDER_FILES = 50_000

MS_NOSUID, MS_NODEV, MS_SHARED = 2, 4, 1 << 20
MNT_DETACH = 2

_libc = ctypes.CDLL(None, use_errno=True)
_warned = threading.Event()


#: Beside each limited folder: the grader's process id, so that a later grader can unmount
#: the folders of one that was killed before it could (:func:`sweep`).
OWNER = ".kit-quota-owner"


def limit(folder: Path) -> bool:
    """Mount a tmpfs of :data:`FOLDER_BYTES` and :data:`FOLDER_FILES` on the empty
    ``folder``; whether it is now limited (a warning, once per process, when not)."""
    options = f"size={FOLDER_BYTES},nr_inodes={FOLDER_FILES},mode=0755".encode()
    (folder.parent / OWNER).write_text(str(os.getpid()))
    if _libc.mount(b"tmpfs", os.fsencode(folder), b"tmpfs",
                   ctypes.c_ulong(MS_NOSUID | MS_NODEV), options) == 0:
        return True
    error = os.strerror(ctypes.get_errno())
    if not _warned.is_set():
        _warned.set()
        print(f"warning: the sandboxes' folders could not be limited in size ({error}): a "
              f"submission could fill the disk the class is graded on", file=sys.stderr)
    return False


def share(folder: Path) -> bool:
    """Make the mount on ``folder`` shared, so that what is mounted in it later also appears
    in a bubblewrap started before (a warm sandbox host's spool: each submission's folder in
    it is limited on its own, :func:`limit`); whether it now is. The host's own mounts do
    not come back out: bubblewrap's copy is a slave."""
    return _libc.mount(None, os.fsencode(folder), None, ctypes.c_ulong(MS_SHARED), None) == 0


def release(folder: Path):
    """Unmount what :func:`limit` mounted on ``folder`` (its files go with it); nothing when
    nothing is mounted there."""
    if os.path.ismount(folder):
        _libc.umount2(os.fsencode(folder), MNT_DETACH)


def sweep() -> int:
    """Unmount and remove the limited folders of graders that are no longer running (a
    grader killed with SIGKILL leaves its tmpfs mounted, holding what its last
    submission wrote, until the machine restarts); how many. Run as a class starts."""
    swept = 0
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return 0
    scratch = Path(tempfile.gettempdir())
    for line in mounts:
        fields = line.split()
        if len(fields) < 3 or fields[2] != "tmpfs":
            continue
        folder = Path(fields[1].replace("\\040", " "))
        if folder.parent.parent != scratch or not folder.parent.name.startswith("kit-"):
            continue
        try:
            owner = int((folder.parent / OWNER).read_text())
        except (OSError, ValueError):
            continue  # not one of ours
        if owner == os.getpid() or psutil.pid_exists(owner):
            continue
        release(folder)
        shutil.rmtree(folder.parent, ignore_errors=True)
        swept += 1
    return swept
