"""A notebook the bounded reader refuses is explained to the student in the course's language
(issue 24): notebooks.Refused keeps the English the TA's stderr and grades.csv have always
shown (``str()``), and says the same problem through the catalogue (``nb.*``) where the
student's feedback is written. Library text (an OS error, json's message) stays as data, in
backticks."""
import json
import os
import re

import pytest

from autograder import grade
from autograder.engine import notebooks
from autograder.tools import zhcheck
from tests import fakes

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refusals(tmp_path) -> dict:
    """A file per refusal the reader says (name -> bytes, or None for a special file)."""
    cell = {"cell_type": "code", "source": "", "metadata": {}, "outputs": [],
            "execution_count": None}

    def nb(cells=(), **top):
        return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4,
                           "nbformat_minor": 4, **top}).encode()
    return {
        "latin1.ipynb": b'{"cells": "\xe9"}',
        "broken.ipynb": b'{"cells": [',
        "plain.ipynb": b'{"hello": 1}',
        "future.ipynb": nb(nbformat=99),
        "invalid.ipynb": nb([{"cell_type": "code"}]),
        "surrogate.ipynb": b'{"cells": ["\\ud800"]}',
        "digits.ipynb": b'{"cells": [' + b"1" * (notebooks.MAX_NUMBER_DIGITS + 1) + b"]}",
        "deep.ipynb": b"[" * (notebooks.MAX_JSON_DEPTH + 1) + b"]" * (notebooks.MAX_JSON_DEPTH + 1),
        "cells.ipynb": nb([cell] * (notebooks.MAX_CELLS + 1)),
        "folder.ipynb": None,
    }


def test_every_refusal_keeps_its_english_and_says_it_in_chinese(tmp_path):
    said = {}
    for name, data in refusals(tmp_path).items():
        path = tmp_path / name
        if data is None:
            path.mkdir()
        else:
            path.write_bytes(data)
        with pytest.raises(notebooks.Refused) as caught:
            notebooks.read(path)
        said[caught.value.key] = caught.value
    with pytest.raises(notebooks.Refused) as caught:
        notebooks.read(tmp_path / "gone.ipynb")
    said[caught.value.key] = caught.value
    assert len(said) == 11, sorted(said)  # each file a refusal of its own
    for key, refused in said.items():
        english, chinese = str(refused), refused.said("zh")
        assert english == refused.said("en") and english.startswith(f"{refused.name}: "), key
        assert not CHINESE.search(english), key
        assert CHINESE.search(chinese) and chinese.startswith(f"{refused.name}："), key
        assert zhcheck.english_runs(chinese) == [], (key, chinese)
    assert str(said["nb.deep"]) == ("deep.ipynb: not a notebook Jupyter writes (JSON nested more "
                                    f"than {notebooks.MAX_JSON_DEPTH} levels deep)")  # as before
    assert notebooks.too_large("big.ipynb").said("zh") == (
        "big.ipynb：文件超过了 notebook 的 20 MB 上限；请清除输出后重新提交")


def test_a_zh_course_explains_a_file_it_would_not_read_in_chinese(tmp_path, monkeypatch, capsys):
    """A file over the size limit (never copied) and one the grader failed on: the student's
    feedback holds no English; grades.csv's message and the TA's stderr line say it too."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.ipynb").write_bytes(fakes.notebook())
    (subs / "bob.ipynb").write_bytes(fakes.notebook())
    with open(subs / "eve.ipynb", "wb") as f:  # sparse, over the limit: neither copied nor read
        f.truncate(notebooks.MAX_NOTEBOOK_BYTES + 1)

    def _grade(self, notebook):
        if notebook.stem == "bob":
            raise OSError(os.strerror(5))
        return fakes.fake_grade_one(notebook, None)
    monkeypatch.setattr(grade.LocalPool, "_grade", _grade)
    course_file = tmp_path / "course.toml"
    course_file.write_text('[course]\nlanguage = "zh"\n')
    out = tmp_path / "run"
    book = grade.grade_class("convnets", subs, out, jobs=2, timeout=10, memory_gb=4,
                             progress=False, course_file=course_file)
    assert book.rows["eve"]["message"] == (
        "你的 notebook 无法评分。eve.ipynb：文件超过了 notebook 的 20 MB 上限；请清除输出后重新提交。")
    assert book.rows["bob"]["message"] == (
        "你的 notebook 无法评分。bob.ipynb：评分程序处理它时出错（`OSError`）。")
    for student in ("eve", "bob"):
        for ext in ("md", "html"):
            assert zhcheck.page(out / "feedback" / f"{student}.{ext}") == [], (student, ext)
    assert "bob: grading failed (OSError" in capsys.readouterr().err  # the TA's, as before
