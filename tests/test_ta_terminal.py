"""The TA's terminal in the TA's language (issue 24): a download refused whole (collect.py,
members.py: members.SaidError) and grade.py's lines to the TA are said through the catalogue
in the course file's ``ta_language``; an English course reads the English, byte for byte as
before. (The course file's own errors come before its ``ta_language`` is read: English.)"""
import re
import string

import pytest

from autograder import grade
from autograder.assignments import KitError
from autograder.engine import members
from shared.i18n import MESSAGES, msg_in
from tests import fakes

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def course_file(tmp_path, ta_language):
    path = tmp_path / f"course-{ta_language}.toml"
    path.write_text(f'[course]\nlanguage = "en"\nta_language = "{ta_language}"\n')
    return path


def test_every_download_error_keeps_its_english_and_has_chinese():
    for key in [k for k in MESSAGES if k.startswith(("dl.", "ta."))]:
        fields = {name: f"v{n}" for n, (_, name, *_) in
                  enumerate(string.Formatter().parse(MESSAGES[key]["en"])) if name}
        error = members.SaidError(key, **fields)
        assert str(error) == error.said("en") == msg_in("en", key, **fields), key
        assert isinstance(error, KitError) and CHINESE.search(error.said("zh")), key
        assert all(value in error.said("zh") for value in fields.values()), key  # data kept


@pytest.mark.parametrize("ta_language, says", [
    ("en", "submissions {path} does not exist: pass SUBMISSIONS=<folder or .zip holding the "
           "students' notebooks>"),
    ("zh", "提交 {path} 不存在：请用 `SUBMISSIONS=` 指定存放学生 notebook 的文件夹或 `.zip` 文件")])
def test_a_download_refused_whole_is_said_in_the_tas_language(tmp_path, ta_language, says):
    missing = tmp_path / "nowhere"
    with pytest.raises(KitError) as caught:
        grade.grade_class("convnets", missing, tmp_path / "run", jobs=1, timeout=10,
                          memory_gb=1, progress=False,
                          course_file=course_file(tmp_path, ta_language))
    assert str(caught.value) == says.format(path=missing)
    empty = tmp_path / "empty"
    (empty / "notes").mkdir(parents=True)
    (empty / "notes" / "readme.txt").write_text("no notebooks here")
    with pytest.raises(KitError, match="中没有 .ipynb 文件" if ta_language == "zh"
                       else r"^no \.ipynb file in .* \(it holds: readme\.txt\); expected a Canvas"):
        grade.grade_class("convnets", empty, tmp_path / "run", jobs=1, timeout=10,
                          memory_gb=1, progress=False,
                          course_file=course_file(tmp_path, ta_language))


def test_grades_last_lines_are_in_the_tas_language(tmp_path, monkeypatch, capsys):
    fakes.use_fake_grader(monkeypatch)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.ipynb").write_bytes(fakes.notebook())
    out = tmp_path / "run"
    argv = ["--assignment", "convnets", "--submissions", str(subs), "--out", str(out),
            "--jobs", "1", "--course", str(course_file(tmp_path, "zh"))]
    grade.main(argv)
    assert f"{out / 'grades.csv'} 中共 1 行；摘要见 {out / 'summary.md'}" in capsys.readouterr().out
    grade.main(argv)
    said = capsys.readouterr().out
    assert "1 份提交已在" in said and "`--regrade`" in said and "already graded" not in said
    grade.main([*argv[:-1], str(course_file(tmp_path, "en"))])
    said = capsys.readouterr().out
    assert f"1 submission(s) already graded in {out / 'grades.csv'}; pass --regrade" in said
    assert f"1 row(s) in {out / 'grades.csv'}; summary in {out / 'summary.md'}; report in " in said


def test_a_roster_refused_is_said_in_the_tas_language(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nAda,ada@example.edu\n")
    said = {}
    for language in ("en", "zh"):
        with pytest.raises(KitError) as caught:
            grade.grade_class("convnets", tmp_path / "nowhere", tmp_path / "run", jobs=1,
                              timeout=10, memory_gb=1, progress=False, roster=roster,
                              course_file=course_file(tmp_path, language))
        said[language] = str(caught.value)
    assert said["en"] == (f"{roster} line 1: no id column 'id' (columns: name, email); name it, "
                          f'or set [roster] id = "<column>" in the course file')  # as before
    assert said["zh"].startswith(f"{roster} 第 1 行：没有学号列“id”（现有的列：name, email）")


def test_a_submission_that_cannot_be_described_is_said_to_a_zh_ta_in_chinese(
        tmp_path, monkeypatch, capsys):
    fakes.use_fake_grader(monkeypatch)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "dee.ipynb").write_bytes(fakes.notebook())

    def failing_describe(entry, *args):
        raise OverflowError("date value out of range")
    monkeypatch.setattr(grade, "describe", failing_describe)
    book = grade.grade_class("convnets", subs, tmp_path / "run", jobs=1, timeout=10,
                             memory_gb=1, progress=False, course_file=course_file(tmp_path, "zh"))
    assert book.rows["dee"]["status"] == "invalid"
    assert ("dee：无法读取这份提交的时间或来源（`OverflowError: date value out of range`）"
            in capsys.readouterr().err)
