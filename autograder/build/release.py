"""``make release``: the student bundles ``dist/release/<assignment>-<language>.zip``.

Each unzips into a folder of the same name, ``<assignment>-<language>/``.

A bundle holds the stub notebook in one language, a README in that language, the
student's ``requirements.txt`` and the helpers' wheel (``autograder/build/wheel.py``).
Solutions, hidden tests, the grading config, hidden data and grading code never go
in; ``tests/test_bundles.py`` proves it, and ``tests/test_release_student.py`` runs
each bundle as a student would, in an environment where the kit cannot be imported.

Why the notebook carries its helpers: most students upload the ``.ipynb`` alone (to
Colab, to a JupyterHub) and have no ``shared/`` folder beside it. So the release puts
a first code cell before the notebook's imports that makes ``shared`` importable when
it is not: it unpacks the helpers' wheel, embedded in the cell as base64 (about 70 kB),
into a folder named after its hash under the temporary directory and puts that on
``sys.path``. That needs no network, no pip and no URL that could move or change
between the release and the deadline, and the notebook can never meet helpers of
another version. Where ``shared`` is already importable (the grader, a JupyterHub
image or laptop that installed the wheel with pip) the cell changes nothing. The
same cell sets ``KIT_LANG`` to the notebook's language unless the student set it. Its
title is in both languages (it is the one cell that runs before a language is set, and a
student opening either build must know to run it first); what it prints, the helpers'
folder, is in the bundle's language, chosen when the bundle is built (the catalogue's
``helpers_at``): it cannot ask the helpers it is still unpacking.

Languages: each notebook is written once, in English, with its Chinese Markdown in
``assignments/<name>/<name>.zh.md`` (``autograder/build/translations.py``); the two
builds differ in their Markdown and in the language the first cell names, nothing else.
"""
import argparse
import base64
import hashlib
import io
import os
import threading
import zipfile
from pathlib import Path

import nbformat

from autograder import assignments, course
from autograder.assignments import DIST, REPO_ROOT, KitError
from autograder.build import translations, wheel
from autograder.engine import notebooks
from shared.i18n import msg_in

LANGUAGES = translations.LANGUAGES
#: What a student installs, with the grader's own pins (requirements.txt), so that a
#: laptop runs what the grader runs. TensorFlow's CPU build on Linux (a third of the
#: download); macOS and Windows get the ``tensorflow`` package of the same version.
STUDENT_PACKAGES = ("keras", "numpy", "pandas", "h5py", "matplotlib", "ipykernel")
TENSORFLOW = "tensorflow_cpu"
#: Not a grading dependency, so not in requirements.txt: the notebook server a laptop needs.
NOTEBOOK_SERVER = "jupyterlab==4.6.6"
#: The Python versions a bundle's requirements were installed and its notebooks run with
#: (tests/test_release_student.py on 3.11; the same on 3.12 by hand, see the README).
TESTED_PYTHONS = ("3.11", "3.12")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

SETUP_CELL = '''\
#@title Course helpers: run this cell first / 课程辅助代码：请先运行本单元格
# It makes the course's helpers (the `shared` package: checks, data loaders, plots)
# importable, from the copy embedded below when they are not installed, and sets the
# language of their messages. It needs no network: it works the same on Colab, on a
# JupyterHub and offline. Embedded: {wheel_name}, sha256 {digest}...
import importlib.util, os, sys
os.environ.setdefault("KIT_LANG", "{language}")

def _helpers_missing():
    try:
        return importlib.util.find_spec("shared.i18n") is None
    except ImportError:  # no `shared`, or another module of that name
        return True

if _helpers_missing():
    import base64, io, pathlib, tempfile, zipfile
    sys.modules.pop("shared", None)
    _home = pathlib.Path(tempfile.gettempdir()) / "dl-course-helpers-{digest}"
    if not (_home / "shared" / "__init__.py").is_file():
        _part = pathlib.Path(tempfile.mkdtemp(prefix=_home.name + "."))
        zipfile.ZipFile(io.BytesIO(base64.b64decode(_WHEEL))).extractall(_part)
        try:
            _part.rename(_home)
        except OSError:  # another kernel unpacked the same helpers first
            pass
    sys.path.insert(0, str(_home))
import shared
print({helpers_at!r}, os.path.dirname(os.path.dirname(shared.__file__)))
'''
#: The embedded wheel, after the cell's title and comments: one (long) line.
WHEEL_LINE = '_WHEEL = "{data}"\n'

README = {
    "en": """# {title}

Language: English (a Chinese edition of this assignment is released beside it).

## Where to work

- **Colab or any JupyterHub**: upload `{notebook}` alone and run its first cell. It carries
  the course's helpers (the `shared` package) inside it, so nothing else is needed, not even
  a network connection.
- **A laptop**: Python {pythons} (tested), then, in this folder:

  ```sh
  python -m venv .venv && . .venv/bin/activate   # Windows: .venv\\Scripts\\activate
  pip install -r requirements.txt                # TensorFlow {tensorflow}, Keras, Jupyter
  jupyter lab {notebook}
  ```

- **A course JupyterHub image**: `pip install {wheel_source}` installs the helpers for
  everyone; the notebook's first cell then uses them as they are.

Fill the cells marked `# YOUR CODE HERE`, run the check cell after each one, and submit the
`.ipynb` file. A check that passes also says what the grader examines beyond it.

## Data

{data}

## Why the helpers are inside the notebook

The first cell unpacks the helpers embedded in it when they are not installed. This works
offline, on Colab and on a laptop alike, needs no download that could move or change before
the deadline, and the notebook always runs the helpers it was released with. The grader
imports its own copy of the same helpers and runs nothing else of that cell.

Messages come in the notebook's language; set the environment variable `KIT_LANG=zh` or
`KIT_LANG=en` before starting Jupyter to choose another.
""",
    "zh": """# {title}

语言：中文（本作业同时发布了英文版）。

## 在哪里做作业

- **Colab 或任意 JupyterHub**：只需上传 `{notebook}`，然后运行它的第一个单元格。课程的辅助代码
  （`shared` 包）就包含在这个 notebook 里，不需要任何其他文件，甚至不需要联网。
- **自己的电脑**：Python {pythons}（已测试），然后在本文件夹中运行：

  ```sh
  python -m venv .venv && . .venv/bin/activate   # Windows：.venv\\Scripts\\activate
  pip install -r requirements.txt                # TensorFlow {tensorflow}、Keras、Jupyter
  jupyter lab {notebook}
  ```

- **课程的 JupyterHub 镜像**：`pip install {wheel_source}` 为所有人安装辅助代码；之后 notebook 的第一个
  单元格会直接使用已安装的版本。

填写标有 `# YOUR CODE HERE` 的单元格，每填完一个就运行它后面的检查单元格，最后提交 `.ipynb` 文件。
检查通过时，它还会告诉你评分程序在此之外还会检查什么。

## 数据

{data}

## 为什么辅助代码放在 notebook 里

辅助代码没有安装时，第一个单元格会把内嵌在其中的辅助代码解压出来。这样离线、在 Colab 上和在自己的电脑上
都一样能用，不需要下载任何可能在截止日期前移动或改变的文件，而且 notebook 总是使用与它一起发布的辅助代码。
评分程序导入的是它自己的同一份辅助代码，不会运行这个单元格的其他部分。

消息使用 notebook 的语言；如果想换一种，请在启动 Jupyter 之前设置环境变量 `KIT_LANG=zh` 或 `KIT_LANG=en`。
""",
}


def pins() -> dict[str, str]:
    """Package name (normalised) -> pinned version, from the kit's requirements.txt."""
    found = {}
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        name, _, version = line.strip().partition("==")
        if version:
            found[name.lower().replace("-", "_")] = version
    return found


def student_requirements(helpers_wheel: str | None = None) -> str:
    """The bundle's requirements.txt: what the notebooks import, at the grader's versions,
    and (``helpers_wheel``) the helpers' wheel beside it, so that on a laptop the helpers
    are installed like any package and ``python -m shared.data`` runs in the bundle's folder."""
    pinned = pins()
    missing = [name for name in (*STUDENT_PACKAGES, TENSORFLOW) if name not in pinned]
    if missing:
        raise KitError(f"{REPO_ROOT / 'requirements.txt'}: no pin for {missing} (the student "
                       f"requirements take their versions from it)")
    tf = pinned[TENSORFLOW]
    lines = [f"# Python {' or '.join(TESTED_PYTHONS)}. Everything the course notebooks import, at "
             f"the versions the grader runs.",
             f'tensorflow-cpu=={tf} ; sys_platform == "linux"',
             f'tensorflow=={tf} ; sys_platform != "linux"',
             *(f"{name}=={pinned[name]}" for name in STUDENT_PACKAGES),
             NOTEBOOK_SERVER]
    if helpers_wheel:
        lines += ["# The course's helpers (the shared package), from the wheel in this folder.",
                  f"./{helpers_wheel}"]
    return "\n".join(lines) + "\n"


def setup_cell(wheel_bytes: bytes, language: str):
    digest = hashlib.sha256(wheel_bytes).hexdigest()[:16]
    code = SETUP_CELL.format(wheel_name=wheel.wheel_name(), digest=digest, language=language,
                             helpers_at=msg_in(language, "helpers_at"))
    head, _, rest = code.partition("import importlib.util")
    source = (head + WHEEL_LINE.format(data=base64.b64encode(wheel_bytes).decode())
              + "import importlib.util" + rest)
    cell = nbformat.v4.new_code_cell(source.rstrip("\n"))
    # Colab shows a form (the title only); Jupyter collapses the source.
    cell.metadata.update({"cellView": "form", "jupyter": {"source_hidden": True},
                          "kit": {"setup": True}})
    cell.id = "kit-setup"
    return cell


def student_notebook(assignment, language: str, wheel_bytes: bytes):
    """The stub notebook in ``language``, its helpers in its first code cell."""
    nb = translations.localized(notebooks.read(assignment.notebook), assignment, language)
    first_code = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    nb.cells.insert(first_code, setup_cell(wheel_bytes, language))
    nbformat.validate(nb)
    return nb


def language_of(assignment, language=None) -> str:
    """``language``, else the course file's (``course.toml``: the assignment's own key,
    else ``[course] language``, else config.json's default), else English."""
    chosen = language or course.student_language(assignment.name)
    if chosen not in LANGUAGES:
        raise KitError(f"unknown language '{chosen}' (use {', '.join(LANGUAGES)} or all)")
    return chosen


def zip_path(name: str, language: str) -> Path:
    return DIST / "release" / f"{folder_name(name, language)}.zip"


def folder_name(name: str, language: str) -> str:
    """The folder a bundle unzips into, named like the zip: the zh and en bundles of one
    assignment unzipped side by side never mix their files."""
    return f"{name}-{language}"


def files_for(assignment, language: str, url: str | None = None) -> dict[str, bytes]:
    """Archive name -> content, for everything the student bundle holds.

    ``url``: where the course publishes ``dist/release``; the README then installs the
    helpers' wheel from there (a JupyterHub image), instead of from the bundle's copy.
    """
    wheel_file = wheel.build(DIST / "release" / "wheel")
    wheel_bytes = wheel_file.read_bytes()
    texts = translations.texts_for(assignment, language)
    root = folder_name(assignment.name, language)
    notebook = student_notebook(assignment, language, wheel_bytes)
    readme = README[language].format(
        title=texts[("readme", "title")], notebook=assignment.notebook.name,
        data=texts[("readme", "data_note")],
        wheel_source=f"{url.rstrip('/')}/{wheel_file.name}" if url else wheel_file.name,
        pythons=" / ".join(TESTED_PYTHONS), tensorflow=pins()[TENSORFLOW])
    return {f"{root}/{assignment.notebook.name}": (nbformat.writes(notebook) + "\n").encode(),
            f"{root}/README.md": readme.encode(),
            f"{root}/requirements.txt": student_requirements(wheel_file.name).encode(),
            f"{root}/{wheel_file.name}": wheel_bytes}


def build(name: str, language: str | None = None, url: str | None = None) -> Path:
    """Write ``dist/release/<name>-<language>.zip``; return its path."""
    assignment = assignments.get(name)
    language = language_of(assignment, language)
    out = zip_path(name, language)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for arcname, data in files_for(assignment, language, url).items():
            info = zipfile.ZipInfo(arcname, ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
    tmp = out.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")  # builds may overlap
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(out)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    parser.add_argument("--lang", default=None,
                        help="en, zh or all (default: each assignment's language in "
                             "course.toml)")
    parser.add_argument("--url", default=None,
                        help="where dist/release will be published: READMEs install the "
                             "helpers' wheel from there")
    args = parser.parse_args(argv)
    if args.lang not in (None, "all", *LANGUAGES):
        parser.error(f"--lang {args.lang}: use {', '.join(LANGUAGES)} or all")
    for language in (LANGUAGES if args.lang == "all" else [args.lang]):
        assignments.build_all(build, args.assignments, language=language, url=args.url)


if __name__ == "__main__":
    main()
