"""Loaders for the course's image datasets, real or synthetic.

The course ships Happy House and SIGNS as HDF5 files (``train_happy.h5``,
``test_happy.h5``, ``train_signs.h5``, ``test_signs.h5``) holding
``train_set_x``/``test_set_x`` (uint8 images, N x 64 x 64 x 3),
``train_set_y``/``test_set_y`` (integer labels) and ``list_classes``.

Nothing can be downloaded here, so when the real files are not in the data
folder we use deterministic synthetic stand-ins of the same format
(:mod:`shared.synthetic`). ``make data`` writes those to disk; files written
by the kit carry an HDF5 attribute ``source = "synthetic"`` so that every
loader can say which source it used. Files without it are the real ones.

Every sentence a loader prints or raises comes from the catalogue (``shared/i18n.py``,
``data.*``), so a Chinese notebook reads Chinese, and tells the student how to write the
stand-ins where the student is (:func:`write_hint`): ``make data`` exists only in a
checkout of the kit, not in a release bundle, on Colab or on a JupyterHub.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from shared import synthetic
from shared.i18n import msg

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Where the data lives unless a caller or ``COURSE_DATA_DIR`` says otherwise: the kit's
#: ``data/`` in a checkout of the kit; for a student, whose helpers come installed from the
#: release's wheel, ``data/`` in the folder the notebook runs in (see :func:`data_dir`).
DEFAULT_DATA_DIR = REPO_ROOT / "data" if (REPO_ROOT / "autograder").is_dir() else None


@dataclass(frozen=True)
class ImageSetSpec:
    """The fixed facts of one course image dataset."""

    name: str
    n_train: int
    n_test: int
    n_classes: int
    public_seed: int  # seed of the synthetic stand-in students see
    title: str = ""   # the name a message gives it

    def make(self, seed: int, n_train: int | None = None, n_test: int | None = None) -> dict:
        """The synthetic stand-in drawn with ``seed`` (the course's sizes by default)."""
        maker = {"happy": synthetic.make_happy, "signs": synthetic.make_signs}[self.name]
        return maker(seed, n_train=n_train or self.n_train, n_test=n_test or self.n_test)


IMAGE_SETS = {
    "happy": ImageSetSpec("happy", n_train=600, n_test=150, n_classes=2, public_seed=1,
                          title="Happy House"),
    "signs": ImageSetSpec("signs", n_train=1080, n_test=120, n_classes=6, public_seed=2,
                          title="SIGNS"),
}


@dataclass
class ImageData:
    """One dataset, split, with the source it came from ('real' or 'synthetic')."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: np.ndarray
    source: str

    def describe(self, name: str = "") -> str:
        height, width, channels = self.x_train.shape[1:]
        return msg("data.images", name=name, source=msg(f"data.source.{self.source}"),
                   n_train=len(self.x_train), n_test=len(self.x_test), height=height,
                   width=width, channels=channels, classes=plain(self.classes))


def plain(values) -> str:
    """``0, 1, 2``: an array's items as a reader writes them (not ``[np.int64(0), ...]``);
    byte strings (h5py's ``list_classes`` of the real files may hold them) decoded."""
    items = np.asarray(values).reshape(-1).tolist()
    return ", ".join(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                     for v in items)


class DataFileError(ValueError):
    """A data file exists but is not in the course's format."""


def write_hint() -> str:
    """How to write the synthetic stand-ins to disk, where the student is: ``make data`` in
    a checkout of the kit; elsewhere (a release bundle, Colab, a JupyterHub, where the
    helpers come from the notebook's first cell or an installed wheel) one line of Python
    in a code cell, which works wherever the notebook runs."""
    return msg("data.write_in_kit" if DEFAULT_DATA_DIR is not None else "data.write_in_notebook")


def bad_file(where, problem: str, original: str) -> DataFileError:
    """The error of a data file that is not in the course's format: what is wrong, and the
    two ways out (the original file again, or the stand-in)."""
    return DataFileError(msg("data.bad_file", where=where, problem=problem, file=original,
                             how=write_hint()))


def data_dir(path=None) -> Path:
    """The data folder: ``path``, else ``$COURSE_DATA_DIR``, else ``<repo>/data`` in the
    kit, else ``data/`` beside the notebook (Jupyter runs a notebook in its own folder)."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get("COURSE_DATA_DIR") or DEFAULT_DATA_DIR or Path.cwd() / "data")


def keras_cache_dir() -> Path:
    """Where Keras keeps downloads: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets"


def show_path(path: Path) -> str:
    """A short spelling of ``path`` for messages: relative to the repo, or with ``~`` for home."""
    path = Path(path).absolute()
    for base, prefix in ((REPO_ROOT, ""), (Path.home(), "~/")):
        if path.is_relative_to(base):
            return prefix + str(path.relative_to(base))
    return str(path)


def split_files(name: str, folder: Path) -> tuple[Path, Path]:
    return folder / f"train_{name}.h5", folder / f"test_{name}.h5"


def read_split(path: Path, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Read ``{split}_set_x``, ``{split}_set_y`` and ``list_classes`` from one file."""
    keys = (f"{split}_set_x", f"{split}_set_y", "list_classes")
    try:
        with h5py.File(path, "r") as f:
            missing = [k for k in keys if k not in f]
            if missing:
                raise bad_file(path, msg("data.h5_missing_keys", missing=missing,
                                         found=sorted(f.keys())), path.name)
            x, y, classes = (np.asarray(f[k][:]) for k in keys)
            source = f.attrs.get("source", "real")
    except OSError as exc:
        raise bad_file(path, msg("data.h5_unreadable", error=exc), path.name) from exc
    if x.ndim != 4 or x.dtype != np.uint8 or len(x) != len(y):
        raise bad_file(path, msg("data.h5_layout", dtype=x.dtype, shape=x.shape,
                                 labels=len(y)), path.name)
    return x, y.reshape(-1).astype(np.int64), classes, str(source)


def write_split_files(arrays: dict, folder: Path, name: str, *, source: str = "synthetic",
                      overwrite: bool = False) -> list[Path]:
    """Write a dataset dict (the h5 key layout) as ``train_<name>.h5``/``test_<name>.h5``.

    Existing files are left alone unless ``overwrite`` is set: they may be the
    real ones an instructor copied in.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for split, path in zip(("train", "test"), split_files(name, folder)):
        if path.exists() and not overwrite:
            continue
        tmp = path.with_suffix(".h5.tmp")
        with h5py.File(tmp, "w") as f:
            f[f"{split}_set_x"] = arrays[f"{split}_set_x"]
            f[f"{split}_set_y"] = arrays[f"{split}_set_y"]
            f["list_classes"] = arrays["list_classes"]
            f.attrs["source"] = source
        os.replace(tmp, path)
        written.append(path)
    return written


def from_arrays(arrays: dict, source: str) -> ImageData:
    return ImageData(arrays["train_set_x"], arrays["train_set_y"].astype(np.int64),
                     arrays["test_set_x"], arrays["test_set_y"].astype(np.int64),
                     arrays["list_classes"], source)


def load_image_set(name: str, folder=None, *, verbose: bool = True) -> ImageData:
    """Load ``name`` ('happy' or 'signs') from the data folder.

    Real files are used when both splits are present. Otherwise the synthetic
    stand-in is generated in memory (deterministic; ``make data`` writes the
    same arrays to disk). The chosen source is printed and stored in
    ``ImageData.source``.
    """
    spec = IMAGE_SETS[name]
    folder = data_dir(folder)
    train_path, test_path = split_files(name, folder)
    if train_path.exists() and test_path.exists():
        x_train, y_train, classes, train_source = read_split(train_path, "train")
        x_test, y_test, _, test_source = read_split(test_path, "test")
        source = train_source if train_source == test_source else "mixed"
        data = ImageData(x_train, y_train, x_test, y_test, classes, source)
    else:
        lone = [p.name for p in (train_path, test_path) if p.exists()]
        note = msg("data.lone_split", name=lone[0]) if lone else ""
        if verbose:
            print(msg("data.images_not_found", files=f"{train_path.name}/{test_path.name}",
                      folder=show_path(folder), note=note, how=write_hint()))
        data = from_arrays(spec.make(spec.public_seed), "synthetic")
    if verbose:
        print(data.describe(spec.title))
    return data


def load_happy_dataset(folder=None, verbose: bool = True) -> ImageData:
    """Happy House: 64x64 faces, label 1 = smiling."""
    return load_image_set("happy", folder, verbose=verbose)


def load_signs_dataset(folder=None, verbose: bool = True) -> ImageData:
    """SIGNS: 64x64 hands showing 0 to 5 fingers, label = the number shown."""
    return load_image_set("signs", folder, verbose=verbose)


def write_synthetic(folder=None, names=tuple(IMAGE_SETS)) -> list[Path]:
    """``make data``: write every missing file as its synthetic stand-in."""
    folder = data_dir(folder)
    written = []
    for name in names:
        spec = IMAGE_SETS[name]
        present = [p for p in split_files(name, folder) if p.exists()]
        if len(present) == 1:
            print(msg("data.lone_split_kept", path=show_path(present[0])))
        if present:
            continue
        written += write_split_files(spec.make(spec.public_seed), folder, name)
    return written


def write_all_synthetic(folder=None) -> list[Path]:
    """Every dataset of the course: images here, text and weather in their own modules."""
    from shared import jena_data, text_data
    return [*write_synthetic(folder), *text_data.write_synthetic_text(folder),
            *jena_data.write_synthetic_jena(folder)]


if __name__ == "__main__":
    for path in write_all_synthetic():
        print(msg("data.wrote", path=show_path(path)))
    for name in IMAGE_SETS:
        load_image_set(name)
