"""Find English in a Chinese course: every run of Latin-letter words that is not code.

Why a check rather than a review: a Chinese course reads English where one string was
missed (a printout, a comment, a heading a template added), and nobody reading the
Chinese release notices a sentence they skim. This reads what a zh student or TA reads
and names each English run with where it is.

What counts as code and is never reported (the rest is English to translate):

- code spans and blocks (`` `x` ``, fenced blocks), ``{fields}`` of catalogue templates,
  URLs, file names (``train_happy.h5``), HTML tags and comments, LaTeX (``$...$``);
- identifiers: words with ``_``, ``.``, ``(`` or an inner capital (``X_train``,
  ``model.fit``, ``happyModel``, ``ValueError``), and ALL-CAPS abbreviations (``MAE``);
- Keras's own output (:data:`KERAS_OUTPUT`: progress lines, ``model.summary()``);
- the names in :data:`ALLOWED`: libraries, datasets, platforms, the Keras API's layers,
  losses, optimizers, activations and keyword arguments, Python's constants and types,
  and units (lower-case; one word each); the parameters of every graded function
  (``lookback``, ``delay``: a sentence names the argument it is about); single
  letters (``N``, ``r``: a formula's variables);
- a glossary term's English as a gloss in parentheses right after its Chinese
  (``轮次（epoch）``), and the glossary's explanations (``shared/glossary.py``).

What it reads (``python -m autograder.tools.zhcheck``; CI runs the cheap parts,
tests/test_zhcheck.py): the zh catalogue (``shared/i18n.py``), every zh release notebook's
Markdown and code comments, its README and the config texts its feedback shows (written
questions' titles and rubrics); given paths, also notebooks' outputs
(``.ipynb``, run filled or stubbed) and rendered pages (``.html``, ``.md``, ``.csv``;
:func:`run_pages` lists a run folder's).

A page is read as its format means it (:func:`page`): in HTML, what is in ``<code>``,
``<pre>``, ``<kbd>``, ``<samp>`` or an element marked ``translate="no"`` (HTML's own "not to
be translated": the class's data, a student's id or name, their code) is not words, and a
field's ``placeholder``, ``alt``, ``title`` and ``aria-label`` are; in Markdown, backticks are
code; in an LMS export, only the comments a student reads are words, not the format's
headers and ids. So the pages say what is data, and the check holds them to it.
"""
import argparse
import functools
import html
import html.parser
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from shared import glossary
from shared.tuning_spec import RESULT_COLUMNS

#: One word each, lower case: names that stay Latin in a Chinese sentence.
ALLOWED = frozenset("""
    keras tensorflow tf numpy np pandas pd matplotlib plt python pip jupyter jupyterlab
    jupyterhub colab ipynb notebook otter gradescope canvas moodle debian ubuntu windows macos
    linux noto cjk fonts apt-get wheel venv
    imdb reuters happy house signs jena kaggle coursera
    lstm bilstm gru rnn rnns cnn relu sigmoid softmax tanh linear adam rmsprop sgd huber
    mse mae conv2d maxpooling2d maxpool2d zeropadding2d batchnormalization flatten dense input
    sequential functional model lambda bidirectional dropout recurrent_dropout one-hot
    summary history callback callbacks learningratescheduler
    binary_crossentropy categorical_crossentropy sparse_categorical_crossentropy accuracy
    same valid float32 float64 int64 uint8 dtype degc mbar
    metrics loss optimizer axis rate padding momentum strides units activation pool_size
    kernel_size filters epochs batch_size validation_data steps_per_epoch verbose
    true false none dict float int list str tuple
""".split()) | {column.lower() for column in RESULT_COLUMNS}  # a table's keys: code
#: Keras's own output, which no course can translate: progress lines (``Epoch 3/20``,
#: ``loss: 0.35 - val_accuracy: 0.8``) and ``model.summary()``'s table (box-drawn rows,
#: ``Model: "sequential"``, ``Total params: ...``), which the compile checks print.
KERAS_OUTPUT = re.compile(r"^\s*(Epoch \d+/\d+|\d+/\d+ .*(step|loss).*|.*[┃│┏┡└┗╇┳━─].*"
                          r"|Model: \"\w+\"|(Total|Trainable|Non-trainable|Optimizer) params: .*)$",
                          re.M)
CODE = re.compile(
    r"```.*?```|`[^`\n]*`|<!--.*?-->|<[^>]*>|\$[^$\n]+\$|\{[^{}\n]*\}|https?://\S+"
    r"|[\w./-]+\.(?:py|ipynb|h5|npz|json|csv|md|txt|whl|zip|toml|html|png|source)\b"
    r"|\b\w+(?:_\w*|\.\w+|\(\S*)+|\b[A-Za-z][a-z]+[A-Z]\w*|\b[A-Z]{2,}\d*\b|\b\w*\d\w*\b", re.S)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Finding:
    where: str   # the file, cell or message key
    english: str  # the run of English words

    def __str__(self):
        return f"{self.where}: {self.english!r}"


def _glosses() -> re.Pattern:
    """``（epoch）`` after Chinese, for every glossary term; and the glossary's explanations."""
    terms = sorted({t.en for t in glossary.TERMS}, key=len, reverse=True)
    names = "|".join(re.escape(t) for t in terms)
    explained = "|".join(re.escape(t.gloss) for t in glossary.TERMS if t.gloss)
    return re.compile(rf"[（(]\s*(?:{names})\s*[)）]|{explained}", re.I)


GLOSSES = _glosses()


@functools.cache
def _parameters() -> frozenset:
    """The names and parameter names of every graded function (a sentence names the function
    and the argument it is about: ``forecast``, ``generator``; a helper's parameters, such as
    ``validation``, are English words), and the question names (a hidden test file's name,
    a written question's key: the keys of their points in grades.csv, ``forecaster``)."""
    import ast

    from autograder import assignments
    from autograder.engine import notebooks
    names = set()
    for name in assignments.available():
        assignment = assignments.get(name)
        graded = set(assignment.config.get("graded_functions", []))
        names |= {question.lower() for question in (*assignment.question_names,
                                                    *assignment.manual_questions)}
        for cell in notebooks.read(assignment.notebook).cells:
            try:
                tree = ast.parse(cell.source) if cell.cell_type == "code" else None
            except SyntaxError:
                continue
            for node in ast.walk(tree) if tree else ():
                if isinstance(node, ast.FunctionDef) and node.name in graded:
                    names |= {node.name.lower(), *(arg.arg.lower() for arg in node.args.args)}
    return frozenset(names)


def english_runs(text: str) -> list[str]:
    """The runs of English words in ``text`` that are not code (see the module docstring)."""
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", html.unescape(str(text)))  # terminal colours
    text = KERAS_OUTPUT.sub(" ", text)
    text = GLOSSES.sub(" ", CODE.sub(" ", text))
    runs, current = [], []
    # A run is words separated by spaces and ASCII punctuation; Chinese or code ends it.
    for piece in re.split(r"[^A-Za-z' ,;:!?\-]+", text):
        words = WORD.findall(piece)
        current = [w for w in words if len(w) > 1 and w.lower().strip("'-") not in ALLOWED
                   and w.lower() not in _parameters()]
        if current:
            runs.append(" ".join(words).strip())
    return runs


def check_text(where: str, text: str) -> list[Finding]:
    return [Finding(where, run) for run in english_runs(text)]


# --- what a zh student reads -----------------------------------------------------------

def catalogue() -> list[Finding]:
    """Every zh sentence of shared/i18n.py (the blank English-only ones excepted)."""
    from shared import i18n
    found = []
    for key, entry in i18n.MESSAGES.items():
        if entry["en"] == entry["zh"] and key.startswith("field."):
            continue  # an argument's own name (return_sequences), code in any language
        found += check_text(f"shared/i18n.py {key}", entry["zh"])
    return found


def release(name: str, language: str = "zh") -> list[Finding]:
    """The zh release of one assignment: its notebook's Markdown and code comments, and
    its README, as the build makes them (the embedded helpers excepted: code)."""
    from autograder import assignments
    from autograder.build import release as build, translations
    from autograder.engine import notebooks
    assignment = assignments.get(name)
    nb = translations.localized(notebooks.read(assignment.notebook), assignment, language)
    found = []
    for cell in nb.cells:
        where = f"{name} release, cell {cell.id}"
        if cell.cell_type == "markdown":
            found += check_text(where, cell.source)
        elif cell.cell_type == "code":
            for _, _, comment in translations.comments(cell.source):
                if comment.strip() != notebooks.STUB_MARKER:
                    found += check_text(where, comment)
    texts = translations.texts_for(assignment, language)
    readme = build.README[language].format(
        title=texts[("readme", "title")], notebook=assignment.notebook.name,
        data=texts[("readme", "data_note")], wheel_source="x.whl",
        pythons=" / ".join(build.TESTED_PYTHONS), tensorflow="2")
    found += check_text(f"{name} release, README.md", readme)
    for key, text in translations.config_texts(assignment, language).items():
        found += check_text(f"{name} config {key} (the feedback)", text)
    return found


#: The libraries' own log and warnings, which no course can translate (as Keras's output):
#: TensorFlow's C++ log (absl's format, ``I0000 00:00:1.2  123 port.cc:153] ...``, and absl's
#: note before it; the CPU-feature entry's second line), its Python log (``WARNING:tensorflow:...``: tf.function retracing) and a
#: Python warning raised inside an installed library (``.../site-packages/keras/...py:74:
#: UserWarning: ...`` and the source line the warnings module prints under it).
LIBRARY_LOG = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\).*"
                         r"|[IWEF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] .*|WARNING:tensorflow:.*"
                         r"|To enable the following instructions: .* rebuild TensorFlow with the "
                         r"appropriate compiler flags\."
                         r"|\S*site-packages\S*\.py:\d+: \w*Warning: .*(\n[ \t]+.*)?)$", re.M)
#: A decoded review or newswire (getting_started prints one): ``decode_review`` writes the
#: start-of-sequence marker as ``?``, so the line starts with ``? ``; its words are the
#: dataset's own, English in any course.
DATASET_TEXT = re.compile(r"^\? .*$", re.M)


def notebook_outputs(path: Path) -> list[Finding]:
    """The text a run notebook shows: its Markdown and every cell's text outputs, but the
    libraries' own log (:data:`LIBRARY_LOG`) and the dataset's text (:data:`DATASET_TEXT`).
    The release's first cell is read for what it prints (in the bundle's language), not for
    the folder it names; its title, bilingual by design (it runs before a language is set),
    is source, not output."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    found = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        setup = cell.get("metadata", {}).get("kit", {}).get("setup")
        where = f"{path} cell {number}"
        if cell.get("cell_type") == "markdown":
            found += check_text(where, _joined(cell.get("source")))
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            if output.get("output_type") == "error":
                text = f"{output.get('ename', '')}: {output.get('evalue', '')}"
            text = DATASET_TEXT.sub(" ", LIBRARY_LOG.sub(" ", _joined(text)))
            if setup:
                text = re.sub(r"\S*/\S*", " ", text)  # the helpers' folder
            found += check_text(f"{where} output", text)
    return found


#: Elements whose text is code, not words: HTML's own ways of saying so (and scripts,
#: styles). ``translate="no"`` on any element says the same of its content.
CODE_ELEMENTS = frozenset({"code", "pre", "kbd", "samp", "script", "style"})
#: Attributes a reader meets as text: a field's hint, a screen reader's label, a tooltip.
READ_ATTRIBUTES = ("placeholder", "aria-label", "alt", "title")
#: Elements that have no end tag (HTML's void elements): never on the open-element stack.
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                           "meta", "source", "track", "wbr"})
DEPTH = 256  # open elements tracked; a page nested deeper is read as one level (bounded work)
MARKED = 10_000  # distinct pieces of marked data kept to read a title with
#: The columns of an LMS export a person reads (the rest are the format's headers and ids).
COMMENT_COLUMNS = ("Feedback comments",)


class _Words(html.parser.HTMLParser):
    """The text a reader of an HTML page reads as words: what is in no code element and no
    ``translate="no"`` element, and the read attributes of the elements it is in.

    The standard library's parser reads the page once, left to right; the stack of open
    elements is bounded (:data:`DEPTH`), and an end tag searches only it, so the work is
    linear in the page whatever it holds."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # (tag, in code) of each open element
        self.text: list[str] = []
        self.titles: list[str] = []  # <title>: text only, it cannot mark its data
        self.marked: set[str] = set()  # what the page marks as data or code elsewhere

    def _in_code(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        code = (self._in_code() or tag in CODE_ELEMENTS
                or (attrs.get("translate") or "").strip().lower() == "no")
        if not code:
            self.text += [value for name in READ_ATTRIBUTES if (value := attrs.get(name))]
        if tag not in VOID_ELEMENTS and len(self.open) < DEPTH:
            self.open.append((tag, code))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.open and self.open[-1][0] == tag:
            self.open.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        if self._in_code():
            if data.strip() and len(self.marked) < MARKED:
                self.marked.add(data.strip())
        elif self.open and self.open[-1][0] == "title":
            self.titles.append(data)
        else:
            self.text.append(data)

    def words(self) -> str:
        """The page's words; in its title, what the page marks as data in its body is data
        too (a student's id in "feedback for s1")."""
        titles = "\n".join(self.titles)
        for data in sorted(self.marked, key=len, reverse=True):
            titles = titles.replace(data, " ")
        return "\n".join([titles, *self.text])


def html_words(text: str) -> str:
    """What a reader of the HTML ``text`` reads as words (see :class:`_Words`), one piece a line."""
    parser = _Words()
    parser.feed(text)
    parser.close()
    return parser.words()


def csv_words(text: str) -> str:
    """The comments of an LMS export (:data:`COMMENT_COLUMNS`): its headers, ids, names and
    numbers are the format's and the class's, not words a course translates."""
    import csv
    import io
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    read = [index for index, column in enumerate(header) if column in COMMENT_COLUMNS]
    return "\n".join(row[index] for row in rows for index in read if index < len(row))


def page(path: Path) -> list[Finding]:
    """A rendered page (report.html, feedback, similarity, review, an export's comments),
    read as its format means it: HTML's words (:func:`html_words`), Markdown with its code
    spans (backticks), an LMS export's comments (:func:`csv_words`)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        text = html_words(text)
    elif path.suffix == ".csv":
        text = csv_words(text)
    return check_text(str(path), text)


def run_pages(out: Path) -> list[Path]:
    """Every page of a run folder that a student or the TA reads: report.html, summary.md,
    similarity.html, each feedback page (.html and .md), the hand-grading pages
    (``manual/<question>.html``) and each export's comments (``export/<lms>/*.csv``); the
    ones the run has, in a stable order. One list, so the demo and the tests check the same
    pages."""
    out = Path(out)
    pages = [out / name for name in ("report.html", "summary.md", "similarity.html")]
    pages += sorted((out / "feedback").glob("*.html")) + sorted((out / "feedback").glob("*.md"))
    pages += sorted((out / "manual").glob("*.html"))
    pages += sorted((out / "export").glob("*/*.csv"))
    return [path for path in pages if path.is_file()]


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def cheap() -> list[Finding]:
    """What CI checks on every run: the catalogue and every zh release's text."""
    from autograder import assignments
    found = catalogue()
    for name in assignments.available():
        found += release(name)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path,
                        help="run notebooks (.ipynb), rendered pages (.html, .md, .csv) and run "
                             "folders (every page run_pages lists) to check too")
    args = parser.parse_args(argv)
    found = cheap()
    for path in args.paths:
        if path.is_dir():
            found += [f for each in run_pages(path) for f in page(each)]
        else:
            found += notebook_outputs(path) if path.suffix == ".ipynb" else page(path)
    for finding in found:
        print(finding)
    print(f"{len(found)} English run(s) in the Chinese course" if found else
          "no English found in the Chinese course")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
