"""Calibration: planted and generated copies against independently written pairs.

The sample class of each assignment holds planted copies (``PLANTED`` in its
``samples.py``: a copy of another sample with names renamed, independent statements
reordered, comments changed, answers paraphrased). :func:`calibrate` adds a generated
copy of every independently written cell and answer (:func:`disguise_code`,
:func:`disguise_text`), keeps one document per author (the sample class repeats the
reference in every mistake sample, which a real class does not), and measures the
lowest score of a copy with its original and the highest score of two independent
authors. The threshold in the config is halfway; the measured separation is recorded
beside it (``python -m autograder.similarity --calibrate --write``).
"""
import ast
import difflib
import importlib
import json
import random
import re
import tempfile
import time
from pathlib import Path

from autograder import assignments
from autograder.engine import notebooks
from autograder.similarity.fingerprints import (Document, _bound_names, _is_docstring,
                                                code_fingerprints, text_fingerprints)
from autograder.similarity.reports import run
from autograder.similarity.scoring import extract, given_code, scores, units_of

EVIDENCE = 8         # fingerprints a cell needs before a copy of it can be told apart


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

    class_samples = [s for s in sample_tools.samples_of(assignment) if not s.raw]
    planted = getattr(importlib.import_module(f"autograder.assignments.{assignment.name}.samples"),
                      "PLANTED", {})
    with tempfile.TemporaryDirectory() as folder:
        paths = [notebooks.write(sample_tools.notebook_for(assignment, s),
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



def calibrate_command(name: str | None, write: bool):
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

