"""The student helpers as a wheel: ``shared/`` (and nothing else) as ``dl-course-helpers``.

Why a wheel: it is the one file format every Python installs (``pip install
<file>.whl`` on a JupyterHub image or a laptop) and, being a plain zip of the
package, the released notebook can also carry it inside its first cell and unpack
it with the standard library alone (Colab, offline). Its only source is the kit's
``shared/`` folder, the same files the grader imports.

Why written here rather than by a build backend: the wheel of a pure-Python
package is a zip with three metadata files (PEP 427); writing it directly takes no
build tool the kit does not pin, and with fixed timestamps and order the same
sources give the same bytes, so a release changes only when the helpers do.
"""
import base64
import hashlib
import os
import threading
import zipfile
from pathlib import Path

from autograder.assignments import REPO_ROOT

DISTRIBUTION = "dl-course-helpers"
VERSION = "1.0.0"
PACKAGE = "shared"
#: Fixed zip timestamps: the same sources give the same wheel, byte for byte.
EPOCH = (1980, 1, 1, 0, 0, 0)


def wheel_name() -> str:
    return f"{DISTRIBUTION.replace('-', '_')}-{VERSION}-py3-none-any.whl"


def package_files() -> dict[str, Path]:
    """Name inside the wheel -> source file: every module of ``shared/``."""
    return {f"{PACKAGE}/{path.name}": path
            for path in sorted((REPO_ROOT / PACKAGE).glob("*.py"))}


def _metadata_files() -> dict[str, bytes]:
    info = f"{DISTRIBUTION.replace('-', '_')}-{VERSION}.dist-info"
    metadata = (f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\nVersion: {VERSION}\n"
                f"Summary: Helpers of the deep-learning course notebooks (checks, data "
                f"loaders, plots)\nRequires-Python: >=3.10\n")
    wheel = ("Wheel-Version: 1.0\nGenerator: autograder.build.wheel\nRoot-Is-Purelib: true\n"
             "Tag: py3-none-any\n")
    return {f"{info}/METADATA": metadata.encode(), f"{info}/WHEEL": wheel.encode(),
            f"{info}/top_level.txt": f"{PACKAGE}\n".encode()}, f"{info}/RECORD"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build(folder: Path) -> Path:
    """Write the wheel into ``folder``; return its path."""
    files = {name: path.read_bytes() for name, path in package_files().items()}
    metadata, record_name = _metadata_files()
    files.update(metadata)
    record = "\n".join([*(_record_line(name, data) for name, data in files.items()),
                        f"{record_name},,"]) + "\n"
    files[record_name] = record.encode()
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / wheel_name()
    tmp = out.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")  # builds may overlap
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data, compresslevel=9)
    tmp.replace(out)
    return out
