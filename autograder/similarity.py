"""``make similarity RUN=<run>``: which students handed in the same code or the same paragraph.

Advisory only: it writes ``similarity.csv`` and ``similarity.html`` into the run folder
and changes no score. ``make grade`` runs it at the end of every class.

How two submissions are compared, and why:

- **Code** (each fill cell): the cell is parsed and normalised on its syntax tree:
  every name the cell binds (variables, arguments, loop and helper names) becomes
  ``_``, every literal becomes a placeholder, docstrings go and comments and
  layout never reach the tree. Each subtree of at least ``MIN_NODES`` nodes is one
  fingerprint, and a cell is the multiset of its fingerprints. Renaming variables,
  changing comments or literals, reformatting and reordering independent
  statements (each statement keeps its own subtrees; only the enclosing block's
  changes) leave the fingerprints as they were, so a disguised copy scores as the
  original. Code that does not parse falls back to normalised token 5-grams.
  This beat copydetect's winnowed token k-grams on the calibration set (see
  ``calibrate``): reordering cuts k-grams at every moved boundary, and the tree
  measure scores a copy with reordered lines as high as an exact copy.
- **Written answers**: lower-cased words cut to their first ``STEM`` letters (a
  crude, language-free stemmer), stop words dropped; a paraphrase keeps the
  content words (numbers, technical terms) while it changes the glue.
- **What everybody writes is no evidence.** Fingerprints of the stub and of the
  notebook's given code are removed; a fingerprint found in more than
  ``COMMON`` of the class (at least ``COMMON_MIN`` submissions) is removed too, and the
  rest are weighted by how rare they are (``log(N / df)``). A pair's score is the
  weighted Jaccard index of its two multisets with ``SMOOTHING`` added to the
  union, so two one-line cells that happen to agree cannot reach the top.

Pairs whose score reaches the assignment's threshold (``similarity`` in its
config, with the separation measured on the sample class and generated copies
beside it) are marked in the report; every pair above ``LISTED`` is listed.
"""
import argparse
import ast
import difflib
import html
import io
import json
import math
import random
import re
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import assignments
from autograder.engine import notebooks, report
from autograder.assignments import KitError

MIN_NODES = 3        # a fingerprint is a subtree of at least this many nodes
TOKEN_GRAM = 5       # tokens per fingerprint for code that does not parse
STEM = 5             # letters kept of each word of a written answer
COMMON = 0.2         # a fingerprint in more than this share of the class is no evidence...
COMMON_MIN = 3       # ...once it is in more than this many submissions
SMOOTHING = 2.0      # weight added to every union: little shared material, low score
EVIDENCE = 8         # fingerprints a cell needs before a copy of it can be told apart
LISTED = 0.1         # pairs listed in similarity.csv score at least this
SHOWN = 30           # pairs shown side by side in similarity.html
PLACEHOLDERS = ("# YOUR CODE HERE", "_Type your answer here, replacing this text._")
STOP_WORDS = set("""a an the and or but if then than so as of to in on at by for with from into
that this these those it its is are was were be been being do does did has have had not no
i we you he she they my our your their me us them which what when where why how who whom
there here also very more most less can could would should will may might must just only
about after before because while over under up down out off again further once all any both
each few other some such own same too s t""".split())


@dataclass
class Document:
    """One student's text for one cell or question, and its fingerprints."""

    student: str
    text: str
    counts: Counter = field(default_factory=Counter)  # fingerprint -> occurrences
    lines: dict = field(default_factory=dict)  # fingerprint -> set of line numbers (1-based)


# ---------------------------------------------------------------- code fingerprints

class _Normalise(ast.NodeTransformer):
    """Bound names -> ``_``, literals -> placeholders, docstrings dropped (in place,
    so nodes keep their line numbers)."""

    def __init__(self, bound: set[str]):
        self.bound = bound

    def visit_Name(self, node):
        if node.id in self.bound:
            node.id = "_"
        return node

    def visit_arg(self, node):
        node.arg, node.annotation = "_", None
        return node

    def visit_keyword(self, node):
        self.generic_visit(node)
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            node.value = ""
        elif isinstance(node.value, (int, float, complex)) and not isinstance(node.value, bool):
            node.value = 0
        return node

    def _body(self, node):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]
        return node

    def visit_FunctionDef(self, node):
        if node.name in self.bound:
            node.name = "_"
        node.returns = None
        return self._body(self.generic_visit(node))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        if node.name in self.bound:
            node.name = "_"
        return self._body(self.generic_visit(node))

    def visit_Expr(self, node):
        return None if _is_docstring(node) else self.generic_visit(node)


def _is_docstring(node) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def _bound_names(tree, given_names: set[str]) -> set[str]:
    """Names the code binds itself, other than the graded functions the stub names."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound - given_names


def code_fingerprints(source: str, given_names: frozenset = frozenset()) -> tuple[Counter, dict]:
    """(fingerprint counts, fingerprint -> lines) of Python ``source``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return _token_fingerprints(source)
    tree = _Normalise(_bound_names(tree, set(given_names))).visit(tree)
    counts, lines, sizes = Counter(), {}, {}
    for node in _post_order(tree):
        children = list(ast.iter_child_nodes(node))
        sizes[node] = 1 + sum(sizes.get(child, 0) for child in children)
        if sizes[node] < MIN_NODES or not hasattr(node, "lineno"):
            continue
        key = hash(ast.dump(node, annotate_fields=False))
        counts[key] += 1
        end = getattr(node, "end_lineno", None) or node.lineno
        lines.setdefault(key, set()).update(range(node.lineno, end + 1))
    return counts, lines


def _post_order(node):
    for child in ast.iter_child_nodes(node):
        yield from _post_order(child)
    yield node


def _token_fingerprints(source: str) -> tuple[Counter, dict]:
    """Normalised token 5-grams, for code the parser refuses."""
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                              tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if token.type == tokenize.NAME:
                text = token.string if token.string in KEYWORDS else "N"
            else:
                text = {tokenize.NUMBER: "0", tokenize.STRING: "''"}.get(token.type, token.string)
            tokens.append((text, token.start[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    counts, lines = Counter(), {}
    for start in range(len(tokens) - TOKEN_GRAM + 1):
        gram = tokens[start:start + TOKEN_GRAM]
        key = hash(tuple(text for text, _ in gram))
        counts[key] += 1
        lines.setdefault(key, set()).update(range(gram[0][1], gram[-1][1] + 1))
    return counts, lines


KEYWORDS = set(__import__("keyword").kwlist)


# ---------------------------------------------------------------- text fingerprints

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def text_fingerprints(text: str) -> tuple[Counter, dict]:
    """Content words of a written answer, cut to ``STEM`` letters; Chinese (no spaces
    between words) as character pairs. Lines: where each occurs."""
    counts, lines = Counter(), {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        for word in re.findall(r"[^\W_]+(?:\.\d+)?", line.lower()):
            if CJK.search(word):
                keys = [word[i:i + 2] for i in range(len(word) - 1)] or [word]
            elif word in STOP_WORDS:
                continue
            else:
                keys = [word[:STEM]]
            for key in keys:
                counts[key] += 1
                lines.setdefault(key, set()).add(line_number)
    return counts, lines


# ---------------------------------------------------------------- scoring

def scores(documents: list[Document], given: Counter | None = None) -> np.ndarray:
    """N x N similarity of ``documents`` (one cell or question across the class)."""
    n = len(documents)
    given = given or Counter()
    frequency = Counter(key for doc in documents for key in doc.counts)
    common = max(COMMON_MIN, COMMON * n)
    columns, weights = {}, []
    for key, df in frequency.items():
        if key in given or df > common or df < 2:
            continue  # given code, what everybody writes, or nobody shares: no column
        for occurrence in range(max(doc.counts.get(key, 0) for doc in documents)):
            columns[(key, occurrence)] = len(weights)
            weights.append(math.log(1 + n / df))
    size = np.zeros(n)
    matrix = np.zeros((n, len(weights)), dtype=np.float32)
    for row, doc in enumerate(documents):
        for key, count in doc.counts.items():
            if key in given or frequency[key] > common:
                continue
            if frequency[key] < 2:  # unique material still counts in the union
                size[row] += count * math.log(1 + n)
                continue
            for occurrence in range(count):
                matrix[row, columns[(key, occurrence)]] = 1.0
    w = np.asarray(weights, dtype=np.float32)
    shared = (matrix * w) @ matrix.T
    size += matrix @ w
    union = size[:, None] + size[None, :] - shared
    result = shared / (union + SMOOTHING)
    np.fill_diagonal(result, 0.0)
    return result


@dataclass
class Pair:
    a: str
    b: str
    cell: str
    kind: str  # "code" or "text"
    score: float
    lines_a: list
    lines_b: list
    words: list = field(default_factory=list)  # written answers: the shared word stems


def compare(units: dict[str, tuple[str, list[Document], Counter]]) -> list[Pair]:
    """Every pair of every unit ({cell: (kind, documents, given fingerprints)}) scoring
    at least ``LISTED``, with the lines each side shares, best first."""
    pairs = []
    for cell, (kind, documents, given) in units.items():
        matrix = scores(documents, given)
        rows, cols = np.nonzero(np.triu(matrix >= LISTED, k=1))
        for i, j in zip(rows.tolist(), cols.tolist()):
            a, b = documents[i], documents[j]
            shared = set(a.counts) & set(b.counts) - set(given)
            pairs.append(Pair(a.student, b.student, cell, kind, float(matrix[i, j]),
                              sorted(set().union(*(a.lines[k] for k in shared))),
                              sorted(set().union(*(b.lines[k] for k in shared))),
                              sorted(shared) if kind == "text" else []))
    return sorted(pairs, key=lambda p: (-p.score, p.cell, p.a, p.b))


# ---------------------------------------------------------------- reading a class

def _strip_placeholders(text: str) -> str:
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, "")
    return text.strip()


def extract(assignment, paths: list[Path]) -> dict:
    """What each submission wrote: {"code": {cell: {student: source}}, "text": {question: ...}}."""
    stub = notebooks.read(assignment.notebook)
    fills = list(notebooks.kit_cells(stub, "fill"))
    questions = list(assignment.manual_questions)
    found = {"code": {cell: {} for cell in fills}, "text": {q: {} for q in questions}}
    for path in paths:
        try:
            nb = notebooks.read(path)
        except KitError:
            continue  # an unreadable notebook is reported by grading, not here
        for role, key in (("fill", "code"), ("manual", "text")):
            for name, index in notebooks.kit_cells(nb, role).items():
                if name in found[key]:
                    found[key][name][path.stem] = _strip_placeholders(nb.cells[index].source)
    return found


def given_code(assignment) -> tuple[dict[str, Counter], frozenset]:
    """Fingerprints of each fill cell's stub and of the notebook's given code cells, and
    the names the stub defines (graded functions keep their names)."""
    stub = notebooks.read(assignment.notebook)
    fills = notebooks.kit_cells(stub, "fill")
    names = frozenset(assignment.config.get("graded_functions", []))
    shared = Counter()
    for index, cell in enumerate(stub.cells):
        if cell.cell_type == "code" and index not in fills.values():
            shared.update(code_fingerprints(cell.source, names)[0])
    given = {key: shared + code_fingerprints(_strip_placeholders(stub.cells[index].source),
                                             names)[0]
             for key, index in fills.items()}
    return given, names


def units_of(assignment, sources: dict) -> dict:
    given, names = given_code(assignment)
    units = {}
    for cell, by_student in sources["code"].items():
        documents = [Document(s, text, *code_fingerprints(text, names))
                     for s, text in sorted(by_student.items())]
        units[cell] = ("code", documents, given.get(cell, Counter()))
    for question, by_student in sources["text"].items():
        documents = [Document(s, text, *text_fingerprints(text))
                     for s, text in sorted(by_student.items())]
        units[question] = ("text", documents, Counter())
    return units


def thresholds(assignment) -> dict:
    config = assignment.config.get("similarity", {})
    return {"code": config.get("code_threshold", 0.5), "text": config.get("text_threshold", 0.5)}


# ---------------------------------------------------------------- calibration

SYNONYMS = {"lowest": "smallest", "rises": "goes up", "falling": "dropping", "model": "network",
            "starts": "begins", "small": "tiny", "because": "since", "fell": "dropped",
            "keeps": "continues", "when": "whenever", "gives": "yields", "cannot": "can't",
            "the": "this", "is": "becomes", "with": "using", "after": "past"}


def disguise_code(source: str, seed: int, names: frozenset = frozenset()) -> str:
    """A copy of ``source`` as a student would disguise it: bound names renamed, adjacent
    independent statements swapped, docstrings and comments replaced."""
    rng = random.Random(seed)
    tree = ast.parse(source)
    bound = sorted(_bound_names(tree, set(names)))
    mapping = {name: f"{rng.choice(['val', 'tmp', 'obj', 'my', 'res'])}_{n}"
               for n, name in enumerate(bound)}

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node):
            node.id = mapping.get(node.id, node.id)
            return node

        def visit_arg(self, node):
            node.arg = mapping.get(node.arg, node.arg)
            return node

        def visit_alias(self, node):
            name = node.asname or node.name.split(".")[0]
            if name in mapping and "." not in node.name:
                node.asname = mapping[name]
            return node

        def visit_FunctionDef(self, node):
            node.name = mapping.get(node.name, node.name)
            if node.body and _is_docstring(node.body[0]):
                node.body[0] = ast.Expr(ast.Constant("My own solution."))
            return self.generic_visit(node)

    tree = Rename().visit(tree)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for i in range(len(body) - 1):
                if rng.random() < 0.7 and _independent(body[i], body[i + 1]):
                    body[i], body[i + 1] = body[i + 1], body[i]
    lines = ast.unparse(ast.fix_missing_locations(tree)).splitlines()
    out = []
    for line in lines:
        if line.strip() and rng.random() < 0.3:
            out.append(line[:len(line) - len(line.lstrip())] + "# " + rng.choice(
                ["next step", "as in the lecture", "this part was tricky", "see the docs"]))
        out.append(line)
    return "\n".join(out)


def _independent(first, second) -> bool:
    """Neither statement reads or writes a name the other writes; no returns or flow."""
    flow = (ast.Return, ast.Yield, ast.Break, ast.Continue, ast.Raise, ast.Global,
            ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    if any(isinstance(n, flow) for s in (first, second) for n in ast.walk(s)):
        return False

    def names(statement, stored):
        return {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Store) == stored}
    writes = names(first, True), names(second, True)
    reads = names(first, False), names(second, False)
    calls = [any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 for n in ast.walk(s)) for s in (first, second)]
    if all(calls):  # two method calls may act on the same object (model.add, list.append)
        return False
    return not (writes[0] & (writes[1] | reads[1]) or writes[1] & reads[0])


def disguise_text(text: str, seed: int) -> str:
    """A lazy paraphrase: sentences reordered, words swapped for synonyms."""
    rng = random.Random(seed)
    sentences = [s for s in re.split(r"(?<=[.!?:;])\s+", text.strip()) if s]
    rng.shuffle(sentences)
    words = " ".join(sentences).split(" ")
    return " ".join(SYNONYMS.get(w, w) if rng.random() < 0.8 else w for w in words)


def origins(assignment, class_samples, sources: dict, planted: dict) -> dict:
    """{unit: {student: origin}}: who wrote each cell and answer independently.

    Code that keeps most of the reference solution (a sample made with ``mistake()``)
    comes from ``REFERENCE``; a planted copy comes from what it copied; everything else
    is its own. Cells with nothing beyond the stub have no origin (they are left out).
    """
    reference = assignment.solution_sources()
    given, names = given_code(assignment)
    found = {}
    for kind, units in (("code", sources["code"]), ("text", sources["text"])):
        for unit, by_student in units.items():
            found[unit] = {}
            stub = set(given.get(unit, ()))
            model = set(code_fingerprints(reference.get(unit, ""), names)[0]) - stub
            for sample in class_samples:
                text = by_student.get(sample.id, "")
                counts = set(code_fingerprints(text, names)[0] if kind == "code"
                             else text_fingerprints(text)[0]) - stub
                if not counts:
                    continue
                source = planted.get(sample.id, {}).get(kind)
                if kind == "code" and (len(model & counts) >= 0.7 * len(model) or
                                       difflib.SequenceMatcher(None, text, reference.get(
                                           unit, "").strip()).ratio() >= 0.6):
                    found[unit][sample.id] = REFERENCE
                elif source:
                    found[unit][sample.id] = found[unit].get(source, source)
                else:
                    found[unit][sample.id] = sample.id
    return found


REFERENCE = "<the reference solution>"


def calibrate(assignment) -> dict:
    """Planted and generated copies against independent pairs, on the sample class.

    For each kind (code, text): the lowest score of a copy with what it copies, the
    highest score of two independently written cells or answers, the pairs that set
    them, and the threshold halfway between (None where a kind has no pairs).
    """
    from autograder.tools import samples as sample_tools
    from autograder.engine import notebooks as nb_tools
    import tempfile

    class_samples = [s for s in sample_tools.samples_of(assignment) if not s.raw]
    planted = getattr(__import__(f"autograder.assignments.{assignment.name}.samples",
                                 fromlist=["PLANTED"]), "PLANTED", {})
    with tempfile.TemporaryDirectory() as folder:
        paths = [nb_tools.write(sample_tools.notebook_for(assignment, s),
                                Path(folder) / f"{s.id}.ipynb") for s in class_samples]
        sources = extract(assignment, paths)
    origin = origins(assignment, class_samples, sources, planted)
    units = units_of(assignment, sources)
    _, names = given_code(assignment)
    copies, independent = {"code": [], "text": []}, {"code": [], "text": []}
    for unit, (kind, documents, given) in units.items():
        # One document per independent author, as in a class where each student writes
        # their own (the sample class repeats the reference in every mistake sample),
        # plus the planted copies.
        who, kept, seen = origin[unit], [], set()
        for doc in sorted(documents, key=lambda doc: doc.student in planted):
            source = who.get(doc.student)
            if source is not None and (source not in seen or doc.student in planted
                                       and source != REFERENCE):
                kept.append(doc)
                seen.add(source)
        matrix = scores(kept, given)
        for i, a in enumerate(kept):
            for j in range(i + 1, len(kept)):
                b = kept[j]
                pair = (float(matrix[i, j]), f"{unit}: {a.student} & {b.student}")
                if who[a.student] != who[b.student]:
                    independent[kind].append(pair)
                else:
                    copies[kind].append(pair)
        for i, original in enumerate(kept):  # a generated copy of every author's cell
            if original.student in planted or len(set(original.counts) - set(given)) < EVIDENCE:
                continue  # a line or two everyone could write: no copy can be told apart
            seed = sum(map(ord, f"{unit}/{original.student}"))
            text = (disguise_code(original.text, seed, names) if kind == "code"
                    else disguise_text(original.text, seed))
            copy = Document(f"{original.student}~copy", text, *(
                code_fingerprints(text, names) if kind == "code" else text_fingerprints(text)))
            alone = [doc for doc in kept if doc.student not in planted]  # one copy at a time
            matrix = scores([*alone, copy], given)
            copies[kind].append((float(matrix[alone.index(original), -1]),
                                 f"{unit}: {original.student} & a generated copy"))
    result = {}
    for kind in ("code", "text"):
        if not copies[kind] or not independent[kind]:
            continue
        low, high = min(copies[kind]), max(independent[kind])
        result[kind] = {"planted_min": round(low[0], 3), "planted_min_pair": low[1],
                        "independent_max": round(high[0], 3), "independent_max_pair": high[1],
                        "copies": len(copies[kind]), "independent_pairs": len(independent[kind]),
                        "threshold": round((low[0] + high[0]) / 2, 2)}
    return result


# ---------------------------------------------------------------- benchmark

def generated_class(assignment, count: int, folder: Path) -> list[Path]:
    """``count`` notebooks, each a sample of the class with every fill cell and answer
    disguised afresh (its own seed): a class in which no two submissions are identical."""
    from autograder.tools import samples as sample_tools

    pool = [s for s in sample_tools.samples_of(assignment) if not s.raw and s.fills is not None]
    names = frozenset(assignment.config.get("graded_functions", []))
    paths = []
    for index in range(count):
        sample = pool[index % len(pool)]
        nb = sample_tools.notebook_for(assignment, sample)
        for role, disguise in (("fill", lambda text, seed: disguise_code(text, seed, names)),
                               ("manual", disguise_text)):
            for key, cell in notebooks.kit_cells(nb, role).items():
                try:
                    nb.cells[cell].source = disguise(nb.cells[cell].source, index * 131 + cell)
                except SyntaxError:
                    pass
        paths.append(notebooks.write(nb, folder / "collected" / f"s{index:03d}.ipynb"))
    return paths


def bench(name: str = "tuning", count: int = 300) -> dict:
    """Time ``run`` on a generated class of ``count`` (make bench; the target is 60 s for 300)."""
    import tempfile
    import time

    assignment = assignments.get(name)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        paths = generated_class(assignment, count, out)
        started = time.perf_counter()
        pairs = run(assignment, paths, out)
        seconds = time.perf_counter() - started
    units = (len(notebooks.kit_cells(notebooks.read(assignment.notebook), "fill"))
             + len(assignment.manual_questions))
    return {"submissions": count, "pairs": count * (count - 1) // 2, "units": units,
            "seconds": seconds, "listed": len(pairs)}


# ---------------------------------------------------------------- reports

def run(assignment, paths: list[Path] | None, out: Path) -> list[Pair]:
    """Compare the class and write the reports (``paths`` None: the notebooks that
    ``make grade`` collected into ``<run>/collected/``)."""
    if paths is None:
        paths = sorted((out / "collected").glob("*.ipynb"))
        if not paths:
            raise KitError(f"no notebooks in {out / 'collected'}: grade the class first "
                           f"(make grade), or pass SUBMISSIONS=<folder>")
    sources = extract(assignment, paths)
    pairs = compare(units_of(assignment, sources))
    limits = thresholds(assignment)
    report.write_csv(out / "similarity.csv",
                     ["a", "b", "cell", "kind", "score", "above_threshold", "lines_a", "lines_b",
                      "words"],
                     [{"a": p.a, "b": p.b, "cell": p.cell, "kind": p.kind, "score": f"{p.score:.3f}",
                       "above_threshold": "yes" if p.score >= limits[p.kind] else "",
                       "lines_a": _ranges(p.lines_a), "lines_b": _ranges(p.lines_b),
                       "words": " ".join(p.words)}
                      for p in pairs])
    write_html(out / "similarity.html", assignment, pairs, sources, limits)
    link_from_summary(out)
    return pairs


def _ranges(lines: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3 7"."""
    parts, start = [], None
    for index, line in enumerate(lines):
        if start is None:
            start = line
        if index + 1 == len(lines) or lines[index + 1] != line + 1:
            parts.append(f"{start}-{line}" if line != start else f"{line}")
            start = None
    return " ".join(parts)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5rem; }}
section {{ border-top: 2px solid #25406b; margin-top: 1.2rem; }}
.sides {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }}
pre {{ background: #f7f7f7; padding: .5rem; overflow-x: auto; white-space: pre-wrap; margin: 0; }}
mark {{ background: #ffe08a; }}
.above {{ color: #a00; font-weight: bold; }}
</style></head><body>
<h1>{title}</h1>
<p>Advisory: nothing here changes a score. {count} pair(s) of cells or answers score at least
{listed}; the {shown} most similar are shown, the matching parts highlighted. Thresholds:
code {code}, written answers {text} (<code>similarity</code> in the assignment's config, where
the separation measured on the sample class is recorded). All listed pairs are in
<code>similarity.csv</code>.</p>
{sections}
</body></html>
"""


def write_html(path: Path, assignment, pairs: list[Pair], sources: dict, limits: dict):
    sections = []
    for pair in pairs[:SHOWN]:
        texts = sources[pair.kind if pair.kind == "text" else "code"][pair.cell]
        sides = [_highlighted(texts.get(student, ""), set(lines), set(pair.words))
                 for student, lines in ((pair.a, pair.lines_a), (pair.b, pair.lines_b))]
        above = pair.score >= limits[pair.kind]
        sections.append(
            f'<section><h2{" class=above" if above else ""}>{html.escape(pair.a)} &amp; '
            f'{html.escape(pair.b)}: {html.escape(pair.cell)} ({pair.kind}), score '
            f'{pair.score:.2f}{" (above the threshold)" if above else ""}</h2>'
            f'<div class="sides"><div><h3>{html.escape(pair.a)}</h3>{sides[0]}</div>'
            f'<div><h3>{html.escape(pair.b)}</h3>{sides[1]}</div></div></section>')
    page = PAGE.format(title=html.escape(f"{assignment.config['title']}: similar work"),
                       count=len(pairs), listed=LISTED, shown=min(SHOWN, len(pairs)),
                       code=limits["code"], text=limits["text"], sections="\n".join(sections))
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)


def _highlighted(text: str, lines: set[int], words: set[str]) -> str:
    """Code: the shared lines marked; a written answer: the shared words marked."""
    if words:
        parts = re.split(r"([^\W_]+(?:\.\d+)?)", text)
        return "<pre>" + "".join(
            f"<mark>{html.escape(part)}</mark>" if index % 2 and part.lower()[:STEM] in words
            and part.lower() not in STOP_WORDS else html.escape(part)
            for index, part in enumerate(parts)) + "</pre>"
    rows = [f"<mark>{html.escape(line)}</mark>" if number in lines else html.escape(line)
            for number, line in enumerate(text.splitlines(), start=1)]
    return "<pre>" + "\n".join(rows) + "</pre>"


SUMMARY_HEADING = "## Similar work"


def summary_lines(out: Path) -> list[str]:
    """The summary's section on similar work (empty before the similarity step ran)."""
    path = out / "similarity.csv"
    if not path.exists():
        return []
    rows = report.read_csv(path)
    above = [r for r in rows if r["above_threshold"]]
    lines = ["", SUMMARY_HEADING, "",
             f"{len(above)} pair(s) of cells or answers score above the similarity threshold "
             f"(advisory, no score changed): see [similarity.html](similarity.html) and "
             f"`similarity.csv`.", ""]
    lines += [f"- {r['a']} & {r['b']}: {r['cell']} ({r['kind']}) {r['score']}" for r in above[:10]]
    return lines


def link_from_summary(out: Path):
    """Append the section to ``summary.md`` unless it is there (the summary is rewritten
    by make grade and make manual; both call this after it)."""
    path = out / "summary.md"
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    if SUMMARY_HEADING in text:
        text = text[:text.index(SUMMARY_HEADING)].rstrip("\n") + "\n"
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(summary_lines(out)) + "\n",
                    encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="the run folder of make grade")
    parser.add_argument("--assignment", help="default: the one the run graded")
    parser.add_argument("--submissions", type=Path,
                        help="compare the notebooks in this folder instead of the run's")
    parser.add_argument("--calibrate", action="store_true",
                        help="measure planted and generated copies against independent pairs "
                             "on the sample class")
    parser.add_argument("--write", action="store_true",
                        help="with --calibrate: record the thresholds in the config")
    args = parser.parse_args(argv)
    try:
        if args.calibrate:
            return _calibrate_command(args.assignment, args.write)
        if args.out is None:
            raise KitError("pass RUN=<run folder> (--out)")
        name = args.assignment or report.run_info(args.out).get("assignment")
        if not name:
            raise KitError(f"cannot tell which assignment {args.out} graded: pass ASSIGNMENT=")
        assignment = assignments.get(name)
        paths = None
        if args.submissions:
            paths = sorted(args.submissions.glob("*.ipynb"))
        pairs = run(assignment, paths, args.out)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    limits = thresholds(assignment)
    above = sum(1 for p in pairs if p.score >= limits[p.kind])
    print(f"{len(pairs)} pair(s) listed, {above} above the threshold: "
          f"{args.out / 'similarity.html'}")


def _calibrate_command(name: str | None, write: bool):
    for assignment in map(assignments.get, [name] if name else assignments.available()):
        measured = calibrate(assignment)
        for kind, values in measured.items():
            print(f"{assignment.name:16} {kind}: {values['copies']} copies, lowest "
                  f"{values['planted_min']:.3f} ({values['planted_min_pair']}); "
                  f"{values['independent_pairs']} independent pairs, highest "
                  f"{values['independent_max']:.3f} ({values['independent_max_pair']}); "
                  f"threshold {values['threshold']}")
            if values["planted_min"] <= values["independent_max"]:
                print(f"  warning: a copy scores no higher than an independent pair")
        if write:
            path = assignment.folder / "config.json"
            config = json.loads(path.read_text())
            config["similarity"] = {
                **{f"{kind}_threshold": values["threshold"] for kind, values in measured.items()},
                "measured": measured}
            path.write_text(json.dumps(config, indent=2) + "\n")
            print(f"  recorded in {path}")


if __name__ == "__main__":
    main()
