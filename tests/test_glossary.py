"""The course's glossary (shared/glossary.py) and every Chinese sentence of the kit: one word
for each term, the course notes' word where they have one, 精度 explained where it first
appears, and no term in a parenthesised English gloss that the glossary does not know."""
import re
from pathlib import Path

import pytest

from autograder import assignments
from autograder.assignments import REPO_ROOT
from autograder.build import translations
from autograder.tools import zhcheck
from shared import glossary, i18n

NOTES = REPO_ROOT.parent / "shared" / "course-notes"
#: Code in an English sentence names no term: `spans`, {fields}, calls and keyword arguments.
CODE = re.compile(r"`[^`]*`|\{[^{}]*\}|[\w.]+\([^()]*\)|\w+=\S*")
GLOSS = re.compile(r"[\u4e00-\u9fff]\s*[（(]([A-Za-z][A-Za-z \-]*)[)）]")


def chinese_texts():
    """(where, text) of every Chinese sentence: the catalogue and the translations files."""
    found = [(f"shared/i18n.py {key}", entry["zh"]) for key, entry in i18n.MESSAGES.items()]
    for name in assignments.available():
        path = translations.path_of(assignments.get(name))
        found += [(f"{path.name} {entry.kind} {entry.key}", entry.text)
                  for entry in translations.read(path).values()]
    return found


def uses(term, english):
    return re.search(rf"(?<![\w-]){re.escape(term.en)}(?![\w-])", CODE.sub(" ", english), re.I)


def test_every_term_is_defined_once():
    english = [t.en.lower() for t in glossary.TERMS]
    assert len(english) == len(set(english))
    for term in glossary.TERMS:
        assert term.zh and not set(term.avoid) & {term.zh, *term.also}, term


def test_a_chinese_sentence_uses_the_glossary_word_of_each_term_its_english_names():
    missing = []
    for key, entry in i18n.MESSAGES.items():
        for term in (t for t in glossary.TERMS if t.everywhere):
            if uses(term, entry["en"]) and not any(w in entry["zh"] for w in (term.zh, *term.also)):
                missing.append((key, term.en, term.zh))
    assert missing == []


def test_no_chinese_sentence_uses_a_rendering_the_course_avoids():
    found = [(where, word) for where, text in chinese_texts()
             for term in glossary.TERMS for word in term.avoid if word in text]
    assert found == []


def outside_glossary():
    """Each English gloss in parentheses after Chinese that names neither a glossary term
    nor code (an API name zhcheck lets stand)."""
    return [(where, gloss) for where, text in chinese_texts() for gloss in GLOSS.findall(text)
            if gloss.lower() not in glossary.by_english() and gloss.lower() not in zhcheck.ALLOWED]


def test_an_english_gloss_names_a_glossary_term_or_code():
    """``轮次（epoch）`` is a gloss; one the glossary does not know is a term outside it."""
    assert outside_glossary() == []


def test_a_term_outside_the_glossary_is_reported(monkeypatch):
    monkeypatch.setitem(i18n.MESSAGES, "planted", {"en": "x", "zh": "早停（early stopping）"})
    assert outside_glossary() == [("shared/i18n.py planted", "early stopping")]


def test_accuracy_is_explained_where_each_notebook_first_says_it():
    accuracy = glossary.by_english()["accuracy"]
    for name in assignments.available():
        text = translations.path_of(assignments.get(name)).read_text(encoding="utf-8")
        first = text.find(accuracy.zh)
        if first >= 0:
            assert text[first:first + 80].startswith(f"{accuracy.zh}（准确率，accuracy"), name
            assert accuracy.gloss.split("：")[0] in text[first:first + 80]


@pytest.mark.skipif(not NOTES.is_dir(), reason="the course notes are not beside the repo")
def test_the_notes_words_are_the_notes_words():
    notes = "".join(path.read_text(encoding="utf-8") for path in sorted(NOTES.glob("*.md")))
    assert [t.zh for t in glossary.TERMS if t.notes and t.zh not in notes] == []
    assert Path(NOTES / "README.md").is_file()
