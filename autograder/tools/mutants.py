"""``make mutants ASSIGNMENT=<name>|all``: which small mistakes the hidden tests catch.

A mutant is the reference solution with one change a student could make: a number
off by one or doubled, another activation, padding, loss, optimizer or metric, a
layer, a statement or an argument left out, a slice bound shifted by one, another
axis, zeros returned, or the untouched stub. Each is written as a submission and the
whole set is graded as one class through the real pipeline (sandbox, trusted scorer,
warm workers, training reuse: a mutant that changes a model trains it once).

A mutant that loses a point is *killed*, and how matters as much: killed *with a
sentence* when every failed test told the student what is wrong in the catalogue's words,
killed *by a crash* (``crashed``) when one of its tests raised instead ("the test stopped
with TypeError: ..."): the student then reads a traceback, and a crash would "kill" a
mutant while telling nobody anything (issue 23: a msg() clash crashed every compile test).
One with full marks *survived*: a hole in the hidden tests, unless it computes the same
thing as the reference; the instructor lists those, each with its reason, in
``autograder/assignments/<name>/equivalent_mutants.toml``. Per graded cell, the score is
(killed + crashed) / (mutants - equivalent) and the goal is ``TARGET``% killed with a
sentence: killed / (mutants - equivalent).

Writes ``runs/mutants/<name>/mutants.csv``, ``mutants.md`` and ``mutants.html`` (per
graded cell: killed, survived, equivalent; each survivor with its diff and a TOML entry
to paste if it is equivalent), and ``runs/mutants/summary.md`` / ``index.html`` across
the assignments of the run. The grading run itself is kept under
``runs/mutants/<name>/runs/<digest>/`` (digest of the hidden tests, config, grader code
and reference): the same command resumes an interrupted run; changed tests grade anew,
reusing trusted training results that still apply.
"""
import argparse
import ast
import copy
import csv
import difflib
import hashlib
import os
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from autograder import assignments
from autograder.assignments import REPO_ROOT, KitError
from autograder.engine import notebooks, report, runner

EQUIVALENTS_FILE = "equivalent_mutants.toml"
MUTANTS_DIR = REPO_ROOT / "runs" / "mutants"
CONTROL = "reference"  # the unmutated reference, graded with the mutants: it must get full marks
TIMEOUT = 180  # seconds of sandbox per mutant; a timeout counts as killed and is reported apart
TARGET = 100  # percent of the non-equivalent mutants of every graded cell killed with a sentence
OUTCOMES = ("killed", "crashed", "survived", "equivalent")

#: String swaps, by what the string names: (replacement, ...) for each value.
SWAPS = {
    # activations
    "relu": ("tanh",), "tanh": ("relu",), "sigmoid": ("relu", "softmax"),
    "softmax": ("sigmoid",), "linear": ("relu",),
    # padding
    "same": ("valid",), "valid": ("same",),
    # losses
    "binary_crossentropy": ("mse",), "categorical_crossentropy": ("binary_crossentropy",),
    "sparse_categorical_crossentropy": ("categorical_crossentropy",),
    "mse": ("mae",), "mae": ("mse",), "mean_absolute_error": ("mse",), "huber": ("mse",),
    # optimizers
    "adam": ("sgd",), "rmsprop": ("adam",), "sgd": ("adam",),
    # metrics
    "accuracy": ("mae",),
    # the keys of a Keras History
    "val_loss": ("loss",), "loss": ("val_loss",), "val_accuracy": ("accuracy",),
}
#: Calls whose arguments are never mutated (they change nothing graded).
QUIET_CALLS = {"print"}
#: Class names that are not layers, though called like them.
NOT_LAYERS = {"Input", "InputLayer", "Sequential", "Model"}


@dataclass
class Mutant:
    """One change to one graded cell of the reference."""

    id: str  # <cell>-<hash of the mutated source>: stable while the reference cell is
    cell: str  # the fill key: a graded function, or a cell such as a compile cell
    operator: str
    change: str  # what changed, in a few words
    source: str  # the mutated cell
    diff: str  # against the reference cell (both as ast.unparse writes them)
    outcome: str = ""  # one of OUTCOMES (crashed: killed by a crash of a test)
    detail: str = ""  # what killed it (questions that lost points, status, the crash), or the reason
    lost: dict = field(default_factory=dict)  # question -> points lost


# --- generating mutants ---------------------------------------------------------

def dotted(node) -> str:
    """``keras.layers.Dense`` for the expression that names a called thing."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ""


def is_layer_call(node) -> bool:
    """A call that makes a Keras layer: ``layers.Dense(...)``, ``tfl.ReLU()``, ``keras.layers.X``."""
    if not isinstance(node, ast.Call):
        return False
    name = dotted(node.func)
    last = name.rpartition(".")[2]
    return (bool(last) and last[0].isupper() and last not in NOT_LAYERS
            and ("layers" in name.split(".") or name.split(".")[0] in ("tfl", "layers")))


def given(tree) -> set[int]:
    """ids of what the stub hands the student and a student does not write (never mutated):
    docstrings and each function's signature with its defaults."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            found.update(id(n) for n in ast.walk(node.args))
        if isinstance(node, (ast.Module, ast.FunctionDef)) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                found.add(id(first))
                found.add(id(first.value))
    return found


def parents_of(tree) -> dict:
    """id(node) -> (parent, field name, index in the field's list or None)."""
    parents = {}
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if isinstance(value, list):
                for index, child in enumerate(value):
                    if isinstance(child, ast.AST):
                        parents[id(child)] = (parent, name, index)
            elif isinstance(value, ast.AST):
                parents[id(value)] = (parent, name, None)
    return parents


def _number(node):
    """The int or float a constant (or a negated constant) holds, else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float)):
        return -node.operand.value
    return None


def _constant(value):
    return ast.UnaryOp(ast.USub(), ast.Constant(-value)) if value < 0 else ast.Constant(value)


def _replace(parents, node, new):
    parent, name, index = parents[id(node)]
    if index is None:
        setattr(parent, name, new)
    else:
        getattr(parent, name)[index] = new


def _remove(parents, node):
    parent, name, index = parents[id(node)]
    del getattr(parent, name)[index]
    if name in ("body", "finalbody") and not getattr(parent, name):
        getattr(parent, name).append(ast.Pass())


def sites(tree, builder: bool, skip: set[int]):
    """Every mutation of ``tree``: (operator, change, action), ``action(node, parents)``
    applied to the node of the same position in a copy. ``builder``: the cell returns a
    model (no "return zeros" then)."""
    nodes = list(ast.walk(tree))
    for position, node in enumerate(nodes):
        if id(node) in skip:
            continue
        value = _number(node)
        if value is not None and not (isinstance(node, ast.Constant) and _is_negated(nodes, node)):
            for new in dict.fromkeys((value + 1, value - 1, value * 2)):
                if new != value:
                    yield position, "constant", f"{value} -> {new}", \
                        lambda n, p, new=new: _replace(p, n, _constant(new))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in SWAPS:
            for new in SWAPS[node.value]:
                yield position, "string", f"'{node.value}' -> '{new}'", \
                    lambda n, p, new=new: setattr(n, "value", new)
        if isinstance(node, ast.Slice):
            for bound in ("lower", "upper"):
                if getattr(node, bound) is not None:
                    for op, sign in ((ast.Add(), "+"), (ast.Sub(), "-")):
                        yield position, "slice", f"{bound} bound {ast.unparse(getattr(node, bound))} {sign} 1", \
                            lambda n, p, bound=bound, op=op: setattr(
                                n, bound, ast.BinOp(getattr(n, bound), op, ast.Constant(1)))
        if isinstance(node, ast.keyword) and node.arg == "axis" and _number(node.value) is not None:
            axis = _number(node.value)
            for new in (-1, 0, 1, axis - 1):
                if new != axis and new >= -1:
                    yield position, "axis", f"axis={axis} -> axis={new}", \
                        lambda n, p, new=new: setattr(n, "value", _constant(new))
        if isinstance(node, ast.Call) and dotted(node.func).rpartition(".")[2] not in QUIET_CALLS:
            for index, arg in enumerate(node.args):
                yield position, "argument", f"drop argument {ast.unparse(arg)[:40]} of {dotted(node.func) or 'a call'}", \
                    lambda n, p, index=index: n.args.pop(index)
            for index, keyword in enumerate(node.keywords):
                yield position, "argument", f"drop {ast.unparse(keyword)[:40]} of {dotted(node.func) or 'a call'}", \
                    lambda n, p, index=index: n.keywords.pop(index)
        if isinstance(node, (ast.List, ast.Tuple)) and any(map(is_layer_call, node.elts)):
            for index, element in enumerate(node.elts):
                if is_layer_call(element):
                    yield position, "layer", f"drop layer {dotted(element.func).rpartition('.')[2]}", \
                        lambda n, p, index=index: n.elts.pop(index)
        if (isinstance(node, ast.Call) and is_layer_call(node.func) and len(node.args) == 1
                and not node.keywords):
            yield position, "layer", f"drop layer {dotted(node.func.func).rpartition('.')[2]}", \
                lambda n, p: _replace(p, n, n.args[0])
        if isinstance(node, ast.stmt) and not isinstance(node, ast.FunctionDef):
            adds_layer = (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                          and dotted(node.value.func).endswith(".add")
                          and node.value.args and is_layer_call(node.value.args[0]))
            if adds_layer:
                yield position, "layer", f"drop layer {dotted(node.value.args[0].func).rpartition('.')[2]}", \
                    lambda n, p: _remove(p, n)
            else:
                yield position, "statement", f"drop `{ast.unparse(node).splitlines()[0][:60]}`", \
                    lambda n, p: _remove(p, n)
        if not builder and isinstance(node, (ast.Return, ast.Yield)) and node.value is not None:
            yield position, "zeros", f"{type(node).__name__.lower()} zeros", \
                lambda n, p: setattr(n, "value", _zeros(n.value))


def _is_negated(nodes, node) -> bool:
    """True for the constant inside ``-1``: the ``-1`` itself is the site."""
    return any(isinstance(other, ast.UnaryOp) and isinstance(other.op, ast.USub)
               and other.operand is node for other in nodes)


def _zeros(value):
    """``np.zeros_like(value)``, element by element for a tuple."""
    def zeros(expr):
        return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "zeros_like", ast.Load()),
                        [expr], [])
    if isinstance(value, ast.Tuple):
        return ast.Tuple([zeros(e) for e in value.elts], ast.Load())
    return zeros(value)


def cell_mutants(cell: str, source: str, stub: str | None, builder: bool) -> list[Mutant]:
    """Every distinct mutant of one graded cell's reference ``source``."""
    tree = ast.parse(source)
    original = ast.unparse(tree)
    found, seen = [], {original}

    def add(operator, change, mutated):
        text = mutated if isinstance(mutated, str) else ast.unparse(ast.fix_missing_locations(mutated))
        key = ast.unparse(ast.parse(text)) if isinstance(mutated, str) else text
        if key in seen:
            return
        seen.add(key)
        diff = "\n".join(difflib.unified_diff(original.splitlines(), key.splitlines(),
                                              "reference", "mutant", n=1, lineterm=""))
        digest = hashlib.sha1(key.encode()).hexdigest()[:8]
        found.append(Mutant(f"{cell}-{digest}", cell, operator, change, text, diff))

    skip = given(tree)
    for position, operator, change, action in sites(tree, builder, skip):
        mutated = copy.deepcopy(tree)
        node = list(ast.walk(mutated))[position]
        action(node, parents_of(mutated))
        try:
            compile(ast.fix_missing_locations(mutated), cell, "exec")
        except (SyntaxError, ValueError, TypeError):
            continue
        add(operator, change, mutated)
    if stub is not None:
        add("stub", "the untouched stub", stub)
    return found


def builders_of(assignment) -> set[str]:
    """Cells that return a model: ``model_builder`` probes and training builders."""
    config = assignment.config
    names = {n for n, p in config["probes"].items() if p["kind"] == "model_builder"}
    return names | {t["builder"] for t in config.get("training", {}).values()}


def generate(assignment, cells=None) -> list[Mutant]:
    """Every mutant of every graded cell (or of ``cells``) of the reference solution."""
    sources = assignment.solution_sources()
    nb = notebooks.read(assignment.notebook)
    stubs = {key: nb.cells[index].source for key, index in notebooks.kit_cells(nb, "fill").items()}
    builders = builders_of(assignment)
    found = []
    for cell, source in sources.items():
        if cells and cell not in cells:
            continue
        found += cell_mutants(cell, source, stubs.get(cell), cell in builders or "compile" in cell)
    return found


# --- equivalent mutants ---------------------------------------------------------

def equivalents(assignment) -> dict[str, str]:
    """id -> reason, from the instructor's ``equivalent_mutants.toml`` beside the tests."""
    path = assignment.folder / EQUIVALENTS_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise KitError(f"{path}: not valid TOML ({exc})") from None
    found = {}
    for number, entry in enumerate(data.get("equivalent", []), start=1):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("reason"):
            raise KitError(f"{path}: [[equivalent]] entry {number} needs an id and a reason "
                           f"(why the mutant computes the same thing as the reference)")
        found[entry["id"]] = entry["reason"]
    return found


def toml_entry(mutant: Mutant) -> str:
    """What to paste into equivalent_mutants.toml when a survivor is equivalent."""
    change = mutant.change.replace("\\", "\\\\").replace('"', '\\"')
    return (f'[[equivalent]]\nid = "{mutant.id}"\nchange = "{mutant.operator}: {change}"\n'
            f'reason = "..."\n')


# --- grading ----------------------------------------------------------------------

def digest(assignment) -> str:
    """What a grading of the mutants depends on: tests, config, grader code, reference, notebook."""
    h = hashlib.sha256()
    files = [*sorted(assignment.tests_dir.glob("*.py")), assignment.folder / "config.json",
             REPO_ROOT / "autograder" / "engine" / "gradelib.py",
             REPO_ROOT / "autograder" / "engine" / "kit_codec.py",
             *sorted((REPO_ROOT / "shared").glob("*.py")), assignment.solutions_path,
             assignment.notebook]
    for path in files:
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:12]


def write_submissions(assignment, mutants, folder: Path, control=True):
    """One notebook per mutant (the reference with that cell replaced), and the control."""
    folder.mkdir(parents=True, exist_ok=True)
    reference = notebooks.fill(notebooks.read(assignment.notebook), assignment.solution_sources())
    if control:
        notebooks.write(reference, folder / f"{CONTROL}.ipynb")
    for mutant in mutants:
        path = folder / f"{mutant.id}.ipynb"
        if not path.exists():
            notebooks.write(notebooks.fill(reference, {mutant.cell: mutant.source}), path)


def full_points(assignment) -> dict[str, float]:
    """Question -> the points of its test cases (written answers are not graded here)."""
    from autograder.build import check_assignment
    return check_assignment.test_points(assignment)


def grade(assignment, mutants, out: Path, *, jobs, timeout=TIMEOUT, progress=True, control=True):
    """Grade the mutants as one class into ``out``; set each mutant's outcome.

    With ``control``, the unmutated reference is graded with them and must earn every
    point (else KitError); without, the reference is known to (``make autograder``
    checked it) and the mutants are compared with the tests' points.
    """
    from autograder import grade as grading
    from autograder.build import reference_results

    write_submissions(assignment, mutants, out / "submissions", control)
    cache = out / "run" / "training-cache"
    for earlier in out.parent.glob("*/run/training-cache"):  # still valid: keys say what they need
        if earlier != cache:
            reference_results.seed(earlier, cache)
    book = grading.grade_class(assignment.name, out / "submissions", out / "run", jobs=jobs,
                               timeout=timeout, memory_gb=8, progress=progress)
    full = full_points(assignment)
    if control:
        row = book.rows[CONTROL]
        got = {q: float(row[q]) for q in full}
        if row["status"] != "graded" or got != full:
            raise KitError(f"{assignment.name}: the unmutated reference got {got} of {full} "
                           f"({row['status']}: {row['message']}); see "
                           f"{out / 'run' / 'feedback' / 'reference.md'}")
    listed = equivalents(assignment)
    for mutant in mutants:
        row = book.rows[mutant.id]
        mutant.lost = {q: p - float(row[q]) for q, p in full.items() if float(row[q]) < p}
        if row["status"] == "graded" and not mutant.lost:
            mutant.outcome = "equivalent" if mutant.id in listed else "survived"
            mutant.detail = listed.get(mutant.id, "")
        else:
            stopped = crashes(out / "run", mutant.id)
            mutant.outcome = "crashed" if stopped else "killed"
            why = ", ".join(f"{q} -{p:g}" for q, p in mutant.lost.items())
            mutant.detail = row["status"] if row["status"] != "graded" else why
            if stopped:
                mutant.detail += "; " + stopped[0] + (
                    f" (and {len(stopped) - 1} more)" if len(stopped) > 1 else "")
            if row["status"] == "graded" and mutant.id in listed:
                mutant.detail += " (listed as equivalent, but killed: remove it from the file)"
    return book


def crashes(run: Path, student: str, limit=160) -> list[str]:
    """``question / test: message`` of each test case that crashed on ``student``'s
    submission (``runner.is_crash``), from the run folder's stored results."""
    found = []
    for question, result in (report.load_results(run, student).get("results") or {}).items():
        for case in result.get("cases", []) if isinstance(result, dict) else []:
            message = str(case.get("message", ""))
            if not case.get("passed") and runner.is_crash(message):
                found.append(f"{question} / {case.get('name', '')}: {message[:limit]}")
    return found


# --- reports ------------------------------------------------------------------------

def counted(mutants) -> dict:
    """{"total", each of OUTCOMES, "score", "sentence"}: the scores in percent, or None.

    ``score``: killed by any means; ``sentence``: killed with a sentence only."""
    counts = {"total": 0, **dict.fromkeys(OUTCOMES, 0)}
    for mutant in mutants:
        counts["total"] += 1
        counts[mutant.outcome] += 1
    scored = counts["total"] - counts["equivalent"]
    share = (lambda n: round(100 * n / scored, 1) if scored else None)  # noqa: E731
    return {**counts, "score": share(counts["killed"] + counts["crashed"]),
            "sentence": share(counts["killed"])}


def tally(mutants) -> dict:
    """cell -> :func:`counted` of its mutants, cells in the order they come."""
    cells = {}
    for mutant in mutants:
        cells.setdefault(mutant.cell, []).append(mutant)
    return {cell: counted(group) for cell, group in cells.items()}


def overall(mutants) -> dict:
    return counted(mutants)


def write_reports(assignment, mutants, folder: Path, stale: list[str], seconds: float):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "mutants.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "cell", "operator", "change", "outcome", "detail"])
        for m in mutants:
            writer.writerow([m.id, m.cell, m.operator, m.change, m.outcome, m.detail])
    (folder / "mutants.md").write_text(markdown(assignment, mutants, stale, seconds))
    (folder / "mutants.html").write_text(html(assignment, mutants, stale, seconds))


def _pct(value):
    return "n/a" if value is None else f"{value:g}%"


EXPLAINED = (f"Score = (killed + crashed) / (mutants - equivalent); with a sentence = killed / "
             f"(mutants - equivalent), where crashed means a test raised instead of telling the "
             f"student what is wrong (\"the test stopped with ...\"). Target: {TARGET}% killed "
             f"with a sentence in every graded cell.")


def _row(label, c) -> str:
    return (f"| {label} | {c['total']} | {c['killed']} | {c['crashed']} | {c['survived']} | "
            f"{c['equivalent']} | {_pct(c['score'])} | {_pct(c['sentence'])} |")


TABLE_HEAD = ["| graded cell | mutants | killed with a sentence | killed by a crash | survived | "
              "equivalent | score | with a sentence |", "|---|---|---|---|---|---|---|---|"]


def markdown(assignment, mutants, stale, seconds) -> str:
    lines = [f"# Mutants of {assignment.name}", "",
             f"{len(mutants)} mutants of the reference graded in {seconds / 60:.1f} min. "
             + EXPLAINED, "", *TABLE_HEAD]
    lines += [_row(f"`{cell}`", c) for cell, c in tally(mutants).items()]
    lines.append(_row("all", overall(mutants)))
    if stale:
        lines += ["", f"Listed in {EQUIVALENTS_FILE} but no longer generated (remove them): "
                  + ", ".join(stale)]
    survivors = [m for m in mutants if m.outcome == "survived"]
    lines += ["", f"## Survivors ({len(survivors)}): holes in the hidden tests", ""]
    for m in survivors:
        lines += [f"### `{m.id}` ({m.operator}: {m.change})", "", "```diff", m.diff, "```", "",
                  "Equivalent? Add to the file, with the reason:", "", "```toml",
                  toml_entry(m).rstrip(), "```", ""]
    equivalent = [m for m in mutants if m.outcome == "equivalent"]
    lines += [f"## Equivalent ({len(equivalent)})", ""]
    lines += [f"- `{m.id}` ({m.operator}: {m.change}): {m.detail}" for m in equivalent]
    crashed = [m for m in mutants if m.outcome == "crashed"]
    lines += ["", f"## Killed by a crash ({len(crashed)}): tests to mend", "",
              "| mutant | change | lost; the crash |", "|---|---|---|"]
    lines += [f"| `{m.id}` | {m.operator}: {m.change} | {_cell(m.detail)} |" for m in crashed]
    lines += ["", "## Killed with a sentence", "", "| mutant | change | lost |", "|---|---|---|"]
    lines += [f"| `{m.id}` | {m.operator}: {m.change} | {_cell(m.detail)} |"
              for m in mutants if m.outcome == "killed"]
    return "\n".join(lines) + "\n"


def _cell(text) -> str:
    """``text`` fit for one Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mutants of {{ name }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2em .5em; }
td.n { text-align: right; } .low { background: #fdd; } .ok { background: #dfd; }
pre { background: #f6f6f6; padding: .5em; overflow-x: auto; }
.add { color: #070; } .del { color: #a00; }
</style></head><body>
<h1>Mutants of {{ name }}</h1>
<p>{{ count }} mutants of the reference solution graded through the real pipeline in
{{ minutes }} min. {{ explained }}</p>
<table><tr><th>graded cell</th><th>mutants</th><th>killed with a sentence</th>
<th>killed by a crash</th><th>survived</th><th>equivalent</th><th>score</th><th>with a sentence</th></tr>
{% for cell, c in cells %}<tr><td><code>{{ cell }}</code></td><td class="n">{{ c.total }}</td>
<td class="n">{{ c.killed }}</td><td class="n {{ 'low' if c.crashed else '' }}">{{ c.crashed }}</td>
<td class="n">{{ c.survived }}</td><td class="n">{{ c.equivalent }}</td><td class="n">{{ pct(c.score) }}</td>
<td class="n {{ 'ok' if c.sentence is not none and c.sentence >= target else 'low' }}">{{ pct(c.sentence) }}</td></tr>
{% endfor %}<tr><th>all</th><td class="n">{{ all.total }}</td><td class="n">{{ all.killed }}</td>
<td class="n">{{ all.crashed }}</td><td class="n">{{ all.survived }}</td><td class="n">{{ all.equivalent }}</td>
<td class="n">{{ pct(all.score) }}</td><td class="n">{{ pct(all.sentence) }}</td></tr></table>
{% if stale %}<p>Listed in {{ file }} but no longer generated (remove them): {{ stale|join(", ") }}</p>{% endif %}
<h2>Survivors ({{ survivors|length }}): holes in the hidden tests</h2>
{% for m in survivors %}<h3 id="{{ m.id }}"><code>{{ m.id }}</code> {{ m.operator }}: {{ m.change }}</h3>
<pre>{% for line in m.diff.splitlines() %}<span class="{{ 'add' if line.startswith('+') else 'del' if line.startswith('-') else '' }}">{{ line }}</span>
{% endfor %}</pre>
<p>Equivalent? Add to {{ file }}, with the reason:</p><pre>{{ toml(m) }}</pre>
{% endfor %}
<h2>Equivalent ({{ equivalent|length }})</h2><ul>
{% for m in equivalent %}<li><code>{{ m.id }}</code> {{ m.operator }}: {{ m.change }}: {{ m.detail }}</li>
{% endfor %}</ul>
<h2>Killed by a crash ({{ crashed|length }}): tests to mend</h2>
<table><tr><th>mutant</th><th>change</th><th>lost; the crash</th></tr>
{% for m in crashed %}<tr><td><code>{{ m.id }}</code></td><td>{{ m.operator }}: {{ m.change }}</td><td>{{ m.detail }}</td></tr>
{% endfor %}</table>
<h2>Killed with a sentence ({{ killed|length }})</h2>
<table><tr><th>mutant</th><th>change</th><th>lost</th></tr>
{% for m in killed %}<tr><td><code>{{ m.id }}</code></td><td>{{ m.operator }}: {{ m.change }}</td><td>{{ m.detail }}</td></tr>
{% endfor %}</table>
</body></html>
"""


def html(assignment, mutants, stale, seconds) -> str:
    import jinja2
    template = jinja2.Environment(autoescape=True).from_string(PAGE)
    return template.render(
        name=assignment.name, count=len(mutants), minutes=f"{seconds / 60:.1f}",
        cells=list(tally(mutants).items()), all=overall(mutants), pct=_pct, toml=toml_entry,
        stale=stale, file=EQUIVALENTS_FILE, explained=EXPLAINED, target=TARGET,
        crashed=[m for m in mutants if m.outcome == "crashed"],
        survivors=[m for m in mutants if m.outcome == "survived"],
        equivalent=[m for m in mutants if m.outcome == "equivalent"],
        killed=[m for m in mutants if m.outcome == "killed"])


SUMMARY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mutation testing</title>
<style>body { font-family: system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2em .5em; }
td.n { text-align: right; } .low { background: #fdd; } .ok { background: #dfd; }</style></head><body>
<h1>Mutation testing of the hidden tests</h1>
<p>{{ explained }}</p>
<table><tr><th>assignment</th><th>graded cell</th><th>mutants</th><th>killed with a sentence</th>
<th>killed by a crash</th><th>survived</th><th>equivalent</th><th>score</th><th>with a sentence</th></tr>
{% for name, cell, c in rows %}<tr><td><a href="{{ name }}/mutants.html">{{ name }}</a></td>
<td><code>{{ cell }}</code></td><td class="n">{{ c.total }}</td><td class="n">{{ c.killed }}</td>
<td class="n {{ 'low' if c.crashed else '' }}">{{ c.crashed }}</td>
<td class="n">{{ c.survived }}</td><td class="n">{{ c.equivalent }}</td><td class="n">{{ pct(c.score) }}</td>
<td class="n {{ 'ok' if c.sentence is not none and c.sentence >= target else 'low' }}">{{ pct(c.sentence) }}</td></tr>
{% endfor %}</table></body></html>
"""


def write_summary(results: dict):
    """runs/mutants/summary.md and index.html from every assignment's latest mutants.csv."""
    rows = []
    for name in sorted(results):
        for cell, counts in tally(results[name]).items():
            rows.append((name, cell, counts))
    lines = ["# Mutation testing of the hidden tests", "", EXPLAINED, "",
             "| assignment " + TABLE_HEAD[0], "|---" + TABLE_HEAD[1]]
    lines += [f"| {n} " + _row(f"`{cell}`", c) for n, cell, c in rows]
    MUTANTS_DIR.mkdir(parents=True, exist_ok=True)
    (MUTANTS_DIR / "summary.md").write_text("\n".join(lines) + "\n")
    import jinja2
    page = jinja2.Environment(autoescape=True).from_string(SUMMARY_PAGE)
    (MUTANTS_DIR / "index.html").write_text(page.render(rows=rows, pct=_pct, explained=EXPLAINED,
                                                        target=TARGET))


def read_results(name) -> list[Mutant] | None:
    """The mutants of ``name``'s latest report, for the summary."""
    path = MUTANTS_DIR / name / "mutants.csv"
    return read_results_from(path) if path.exists() else None


def read_results_from(path: Path) -> list[Mutant]:
    """The mutants of one ``mutants.csv``, with their outcomes."""
    with open(path, newline="") as f:
        return [Mutant(r["id"], r["cell"], r["operator"], r["change"], "", "", r["outcome"],
                       r["detail"]) for r in csv.DictReader(f)]


def run(name, *, jobs, timeout=TIMEOUT, cells=None, progress=True) -> list[Mutant]:
    assignment = assignments.get(name)
    mutants = generate(assignment, cells)
    listed = equivalents(assignment)
    stale = sorted(set(listed) - {m.id for m in mutants}) if not cells else []
    out = MUTANTS_DIR / name / "runs" / digest(assignment)
    print(f"{name}: {len(mutants)} mutants, graded in {out.relative_to(REPO_ROOT)}", flush=True)
    started = time.perf_counter()
    grade(assignment, mutants, out, jobs=jobs, timeout=timeout, progress=progress)
    seconds = time.perf_counter() - started
    write_reports(assignment, mutants, MUTANTS_DIR / name, stale, seconds)
    for cell, c in tally(mutants).items():
        print(f"  {cell:<24} {c['killed']:>3} killed with a sentence, {c['crashed']:>3} by a "
              f"crash, {c['survived']:>3} survived, {c['equivalent']:>3} equivalent of "
              f"{c['total']:>3}: {_pct(c['score'])} killed, {_pct(c['sentence'])} with a sentence")
    print(f"  report: {(MUTANTS_DIR / name / 'mutants.html').relative_to(REPO_ROOT)}")
    return mutants


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="+", help="assignment names, or all")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help="seconds of sandbox per mutant (a timeout counts as killed)")
    parser.add_argument("--cells", nargs="*", help="only these graded cells")
    parser.add_argument("--list", action="store_true", help="list the mutants, grade nothing")
    args = parser.parse_args(argv)
    names = assignments.available() if args.assignments == ["all"] else args.assignments
    try:
        if args.list:
            for name in names:
                for m in generate(assignments.get(name), args.cells):
                    print(f"{m.id:<34} {m.operator:<9} {m.change}")
            return
        for name in names:
            run(name, jobs=args.jobs, timeout=args.timeout, cells=args.cells)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    results = {n: read_results(n) for n in assignments.available()}
    write_summary({n: r for n, r in results.items() if r})
    print(f"summary: {(MUTANTS_DIR / 'summary.md').relative_to(REPO_ROOT)}")
    below = [f"{n}/{cell} {_pct(c['sentence'])}" for n, r in results.items() if r and n in names
             for cell, c in tally(r).items() if c["sentence"] is not None
             and c["sentence"] < TARGET]
    if below:
        print(f"below the target of {TARGET}% killed with a sentence: " + ", ".join(below))


if __name__ == "__main__":
    main()
