"""``make check-assignment NAME=<name>``: what an instructor can get wrong, one line per problem.

First the pieces are read and compared with each other, without running anything:
every fill cell of the notebook has a check cell; every graded name has a reference,
a probe and a test file whose tests take it; every test argument is a probe; the test
points add up to the README's table; every training budget has a threshold with the
reference's measured value beside it; the sample class has a reference (full marks)
and a stub (zero); the course file, the Chinese translation and the check cells'
sentences cover the assignment. Then, unless ``--static``, through the real pipeline: the sample
class is graded as a class (sandbox, trusted scorer), and every sample must get its
expected points, so the reference gets full marks and the stub zero; the reference's
measures must match what the config records; the student release must hold no
solution, hidden test or hidden seed.

Each problem is one line: the file, what is wrong, and what to do. Exit status 1 if any.
"""
import argparse
import ast
import io
import json
import math
import re
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder import assignments
from autograder.assignments import REPO_ROOT, KitError
from autograder.engine import notebooks

README = REPO_ROOT / "README.md"
#: A row of the README's table of assignments: | `name` | points | graded | also |
README_ROW = re.compile(r"^\| `([a-z][a-z0-9_]*)` \| ([0-9.]+)\b[^|]*\|")
#: Measures the pipeline may find apart from the recorded reference on another machine.
MAE_TOLERANCE = 0.03  # relative
ACCURACY_STANDARD_ERRORS = 3


def rel(path: Path) -> str:
    try:
        return str(Path(path).relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


# --- reading the pieces -----------------------------------------------------------

def test_cases(path: Path) -> list[dict]:
    """Each ``@test_case`` of an otter test file: name, points, the names it takes, its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))

    def text_of(node):  # "..." or gradelib.text("...", "中文")
        if isinstance(node, ast.Call) and node.args:
            node = node.args[0]
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
    constants = {t.id: text_of(n.value) for n in tree.body if isinstance(n, ast.Assign)
                 for t in n.targets if isinstance(t, ast.Name) and text_of(n.value)}
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "test_case":
                options = {k.arg: k.value for k in decorator.keywords}
                points = options.get("points")
                name = options.get("name")
                found.append({
                    "function": node.name, "line": node.lineno,
                    "points": points.value if isinstance(points, ast.Constant) else None,
                    "name": (text_of(name) or constants.get(getattr(name, "id", None))
                             or node.name),
                    "takes": [a.arg for a in node.args.args if a.arg != "env"]})
    return found


def test_points(assignment) -> dict[str, float]:
    """Question (test file) -> the points its test cases add up to."""
    return {path.stem: sum(c["points"] or 0 for c in test_cases(path))
            for path in sorted(assignment.tests_dir.glob("*.py"))}


def readme_points(text: str, name: str) -> float | None:
    for line in text.splitlines():
        found = README_ROW.match(line)
        if found and found[1] == name:
            return float(found[2])
    return None


def samples_of(assignment):
    from autograder.tools import samples
    return samples.samples_of(assignment)


# --- the checks that run nothing --------------------------------------------------

def static_problems(assignment) -> list[str]:
    problems = []
    config_path = rel(assignment.folder / "config.json")
    config = assignment.config
    for key in ("notebook", "solutions", "graded_functions", "probes", "hidden_seed", "title"):
        if key not in config:
            problems.append(f"{config_path}: no '{key}': add it (see the template, "
                            f"autograder/build/template)")
    if problems:
        return problems
    try:
        nb = notebooks.read(assignment.notebook)
    except KitError as exc:
        return [str(exc)]
    fills, checks = notebooks.kit_cells(nb, "fill"), notebooks.kit_cells(nb, "check")
    notebook = rel(assignment.notebook)
    for key, index in sorted(fills.items(), key=lambda item: item[1]):
        if key not in checks:
            problems.append(f"{notebook}: fill cell '{key}' (cell {index}) has no check cell: add "
                            f"a code cell after it with metadata kit.check = '{key}' that tries a "
                            f"small example and ends with passed('{key}')")
        elif checks[key] < index:
            problems.append(f"{notebook}: the check cell of '{key}' (cell {checks[key]}) comes "
                            f"before its fill cell (cell {index}): move it after")
    for key in sorted(set(checks) - set(fills)):
        problems.append(f"{notebook}: check cell '{key}' has no fill cell: tag the cell the "
                        f"student fills with metadata kit.fill = '{key}'")
    graded = config["graded_functions"]
    for name in graded:
        if name not in fills:
            problems.append(f"{notebook}: graded function '{name}' has no fill cell: tag its cell "
                            f"with metadata kit.fill = '{name}'")
    try:
        references = assignment.solution_sources()
    except KitError as exc:
        problems.append(f"{exc}: add the reference of each graded function")
        references = {}
    except (OSError, SyntaxError) as exc:
        problems.append(f"{rel(assignment.solutions_path)}: cannot be read ({exc})")
        references = {}
    for key in sorted(set(fills) - set(references) - set(graded)):
        problems.append(f"{rel(assignment.solutions_path)}: no reference for the fill cell "
                        f"'{key}': add it to CELLS = {{...}}")
    probes = config["probes"]
    for name in graded:
        if name not in probes:
            problems.append(f"{config_path}: graded function '{name}' has no probe: add "
                            f"\"{name}\": {{\"kind\": \"function\", \"cases\": {{...}}}} (or "
                            f"\"model_builder\") under \"probes\"")
    tests = sorted(assignment.tests_dir.glob("*.py"))
    if not tests:
        problems.append(f"{rel(assignment.tests_dir)}: no test files: add one otter test file "
                        f"per question (see the template's tests)")
    taken = {}
    for path in tests:
        try:
            cases = test_cases(path)
        except SyntaxError as exc:
            problems.append(f"{rel(path)}:{exc.lineno}: does not parse ({exc.msg})")
            continue
        text = path.read_text(encoding="utf-8")
        if f'name = "{path.stem}"' not in text:
            problems.append(f"{rel(path)}: set name = \"{path.stem}\" (otter's question name is "
                            f"the file's name)")
        if not cases:
            problems.append(f"{rel(path)}: no @test_case: add at least one")
        for case in cases:
            where = f"{rel(path)}:{case['line']}"
            if not isinstance(case["points"], (int, float)) or case["points"] <= 0:
                problems.append(f"{where}: test '{case['name']}' has no points: give "
                                f"@test_case(..., points=<number>)")
            for arg in case["takes"]:
                taken.setdefault(arg, []).append(path)
                if arg not in probes:
                    problems.append(f"{where}: test '{case['name']}' takes '{arg}', which no "
                                    f"probe records (the scorer would pass None): add a probe "
                                    f"for '{arg}' to {config_path} or rename the argument")
    for name in graded:
        if name not in taken:
            problems.append(f"{rel(assignment.tests_dir)}: no test takes '{name}': add a test "
                            f"file with a @test_case function whose argument is {name}")
    points = sum(test_points(assignment).values()) if tests else 0
    stated = readme_points(README.read_text(encoding="utf-8"), assignment.name)
    if stated is None:
        problems.append(f"README.md: the table of assignments has no row for `{assignment.name}`: "
                        f"add | `{assignment.name}` | {points:g} | <graded> | <also> |")
    elif stated != points:
        problems.append(f"README.md: the table of assignments gives `{assignment.name}` "
                        f"{stated:g} points, its tests add up to {points:g}: correct the row "
                        f"(or the tests' points)")
    problems += threshold_problems(assignment, config_path)
    problems += course_problems(assignment, checks)
    problems += sample_problems(assignment, test_points(assignment) if tests else {})
    return problems


def course_problems(assignment, checks) -> list[str]:
    """What the rest of the kit needs of each assignment, where the kit has it: a section in
    the course file (deadlines), the Chinese translation, the check cells' sentences."""
    import tomllib

    problems = []
    course = REPO_ROOT / "course.toml"
    if course.exists():
        try:
            sections = tomllib.loads(course.read_text(encoding="utf-8")).get("assignments", {})
        except tomllib.TOMLDecodeError as exc:
            sections = {}
            problems.append(f"course.toml: not valid TOML ({exc})")
        if assignment.name not in sections:
            problems.append(f"course.toml: no [assignments.{assignment.name}]: add its due date, "
                            f"grace and late policy (make grade and make demo read them)")
    try:
        from autograder.build import translations
        problems += translations.problems(assignment)
    except ImportError:
        pass
    try:
        from shared import i18n
        for key in sorted(checks):
            if not i18n.has(f"graded.{key}"):
                problems.append(f"shared/i18n.py: no \"graded.{key}\": add what the hidden tests "
                                f"examine beyond the check of {key}, in English and Chinese")
    except ImportError:
        pass
    return problems


def threshold_problems(assignment, config_path) -> list[str]:
    problems = []
    for dataset, budget in assignment.config.get("training", {}).items():
        if budget.get("builder") not in assignment.config["graded_functions"]:
            problems.append(f"{config_path}: training '{dataset}' trains '{budget.get('builder')}', "
                            f"not a graded function: set \"builder\" to one")
        for source, entry in budget.get("by_source", {}).items():
            where = f"{config_path}: training '{dataset}' ({source})"
            bar = [key for key in ("min_accuracy", "max_mae") if key in entry]
            if not bar:
                problems.append(f"{where} has no threshold: add min_accuracy (or max_mae)")
                continue
            if "reference" not in entry:
                problems.append(f"{where} has no measured reference beside {bar[0]}: run "
                                f"python -m autograder.build.calibrate {assignment.name} --write")
                continue
            passes = (entry["reference"] >= entry[bar[0]] if bar[0] == "min_accuracy"
                      else entry["reference"] <= entry[bar[0]])
            if not passes:
                problems.append(f"{where}: the reference measures {entry['reference']} and "
                                f"misses its own threshold {bar[0]} = {entry[bar[0]]}: move the "
                                f"threshold below the reference, or give a larger budget")
    return problems


def sample_problems(assignment, points: dict) -> list[str]:
    path = rel(assignment.folder / "samples.py")
    try:
        samples = samples_of(assignment)
    except Exception as exc:  # the instructor's module: say what is wrong with it
        return [f"{path}: cannot be imported ({type(exc).__name__}: {exc}): define SAMPLES = [...]"]
    by_id = {s.id: s for s in samples}
    problems = []
    if by_id.get("reference") is None or by_id["reference"].fills != {}:
        problems.append(f"{path}: no sample 'reference' (fills {{}}, the reference solution): "
                        f"add Sample(\"reference\", \"the reference solution\", {{}}, FULL)")
    elif by_id["reference"].expected != points:
        problems.append(f"{path}: the reference expects {by_id['reference'].expected}, the tests "
                        f"give {points}: the reference must expect every test's points")
    if by_id.get("stub") is None or by_id["stub"].fills is not None:
        problems.append(f"{path}: no sample 'stub' (fills None, the untouched notebook): add "
                        f"Sample(\"stub\", \"the untouched student notebook\", None, ZERO)")
    elif any(by_id["stub"].expected.get(q, 0) for q in points):
        problems.append(f"{path}: the stub expects {by_id['stub'].expected}: an untouched "
                        f"notebook must expect 0 points everywhere")
    for sample in samples:
        for question, value in sample.expected.items():
            if question not in points:
                problems.append(f"{path}: sample '{sample.id}' expects points for '{question}', "
                                f"which is no question (questions: {', '.join(points)})")
            elif value > points[question]:
                problems.append(f"{path}: sample '{sample.id}' expects {value:g} for "
                                f"'{question}', which is worth {points[question]:g}")
    return problems


# --- the checks that run the pipeline -------------------------------------------------

def pipeline_problems(assignment, jobs=2) -> list[str]:
    """The sample class graded as make grade grades it, under the assignment's own sandbox
    budget: a sample that needs more than the budget shows up here, as its wrong status."""
    from autograder import grade
    from autograder.tools import samples

    problems = []
    with tempfile.TemporaryDirectory(prefix=f"check-{assignment.name}-") as tmp:
        folder = samples.write_class(assignment.name, Path(tmp) / "class")
        out = Path(tmp) / "run"
        book = grade.grade_class(assignment.name, folder, out, jobs=jobs, progress=False)
        path = rel(assignment.folder / "samples.py")
        for sample in samples.samples_of(assignment):
            row = book.rows.get(sample.id)
            if row is None:
                problems.append(f"{path}: sample '{sample.id}' was not graded")
                continue
            got = {q: float(row[q]) for q in sample.expected}
            if row["status"] != sample.status or got != {q: float(v) for q, v in sample.expected.items()}:
                feedback = (out / "feedback" / f"{sample.id}.md").read_text(encoding="utf-8")
                why = " ".join(line.strip() for line in feedback.splitlines()
                               if line.strip().startswith("❌") or line.startswith("    "))[:300]
                problems.append(f"{path}: sample '{sample.id}' got {row['total']} ({row['status']}: "
                                f"{got}), expected {sum(sample.expected.values()):g} "
                                f"({sample.status}: {sample.expected}): fix the sample, the "
                                f"reference or the tests ({why or row['message'][:200]})")
        problems += measured_problems(assignment, out / "training-cache")
    problems += release_problems(assignment)
    return problems


def measured_problems(assignment, cache: Path) -> list[str]:
    """The reference's measures in this run against the ones recorded beside the thresholds."""
    config_path = rel(assignment.folder / "config.json")
    measured = {}
    for path in cache.glob("*.json"):
        try:
            result = json.loads(path.read_text())
            measured.setdefault(result["dataset"], []).append(float(result["value"]))
        except (ValueError, KeyError, TypeError):
            continue
    problems = []
    for dataset, budget in assignment.config.get("training", {}).items():
        entry = budget.get("by_source", {}).get("synthetic", {})
        if "reference" not in entry or dataset not in measured:
            continue
        recorded = entry["reference"]
        if "max_mae" in entry:
            tolerance = MAE_TOLERANCE * recorded
        else:
            n = budget.get("synthetic_size", [0, 100])[1]
            tolerance = ACCURACY_STANDARD_ERRORS * math.sqrt(max(recorded * (1 - recorded), 0.01) / n)
        if not any(abs(value - recorded) <= tolerance for value in measured[dataset]):
            problems.append(f"{config_path}: training '{dataset}' records reference {recorded}, "
                            f"the reference measures {min(measured[dataset], key=lambda v: abs(v - recorded)):.4f} "
                            f"here: run python -m autograder.build.calibrate {assignment.name} --write")
    return problems


def release_problems(assignment) -> list[str]:
    """The student release must hold no solution line, hidden test, hidden seed or grader code."""
    from autograder.build import release

    try:
        path = release.build(assignment.name)
    except KitError as exc:
        return [f"{exc}: make release must build before students get the assignment"]
    texts = {}
    with zipfile.ZipFile(path) as bundle:
        for name in bundle.namelist():
            data = bundle.read(name)
            texts[name] = data.decode("utf-8", "replace")
            if name.endswith(".whl"):
                with zipfile.ZipFile(io.BytesIO(data)) as wheel:
                    texts.update({f"{name}!{n}": wheel.read(n).decode("utf-8", "replace")
                                  for n in wheel.namelist()})
    secrets = {"the hidden seed": f"{assignment.config['hidden_seed']},",
               "gradelib": "gradelib", "the grading config": "grading_config"}
    for test in assignment.tests_dir.glob("*.py"):
        secrets[f"hidden test {test.name}"] = test.read_text(encoding="utf-8")
    for key, source in assignment.solution_sources().items():
        for line in source.splitlines():
            if len(line.strip()) > 30 and line.strip() not in _stub_text(assignment):
                secrets[f"the reference of {key}"] = line.strip()
    problems = []
    for what, secret in secrets.items():
        leaks = [name for name, text in texts.items() if secret in text]
        if leaks:
            problems.append(f"{rel(path)}: holds {what} (in {leaks[0]}): keep it out of "
                            f"assignments/{assignment.name}/ and shared/, which the release packs")
    for name in texts:
        inner = name.split("!")[-1]
        if inner.startswith(("solutions/", "autograder/", "tests/")) or "/tests/" in inner:
            problems.append(f"{rel(path)}: holds {inner}: the release must hold only the "
                            f"notebook, its helpers and the README")
    return problems


def _stub_text(assignment) -> str:
    """Everything the notebook hands out anyway (a reference line found there is no leak)."""
    return "\n".join(cell.source for cell in notebooks.read(assignment.notebook).cells)


def problems_of(name, *, static=False, jobs=2) -> list[str]:
    try:
        assignment = assignments.get(name)
        found = static_problems(assignment)
    except KitError as exc:
        return [str(exc)]
    if found or static:
        return found + ([f"{name}: fix the problems above first; the sample class was not graded"]
                        if found and not static else [])
    return pipeline_problems(assignment, jobs=jobs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--static", action="store_true",
                        help="only the checks that run nothing (seconds)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    found = problems_of(args.name, static=args.static, jobs=args.jobs)
    for problem in found:
        print(problem)
    if found:
        sys.exit(1)
    print(f"{args.name}: every check passed"
          + (" (static checks only)" if args.static else ""))


if __name__ == "__main__":
    main()
