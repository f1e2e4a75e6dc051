"""``make new-assignment NAME=<name>``: every piece of a new assignment, from a working template.

The template (``autograder/build/template/``, the repo's own layout with the name
``template_assignment``) is one graded function and one graded model, each with a
fill cell and a check cell in the notebook, a probe, an otter test file, and a
sample class of reference, stub and one mistake. Copying it under another name
gives an assignment that ``make demo ASSIGNMENTS=<name>`` and
``make check-assignment NAME=<name>`` pass straight away; the instructor then
replaces its pieces with the real ones (docs/instructors.md, "Adding an assignment", says
in which order).

Besides copying, it draws a hidden seed of the assignment's own, measures the
reference's accuracy on the hidden data of that seed and records it beside the
threshold (``autograder.build.calibrate``), adds the assignment's row to the README's
table, a section with placeholder dates to the course file and, when the kit has a
message catalogue and translations, the two sentences the check cells print after they
pass and the stamps of the Chinese translation.
"""
import argparse
import json
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from autograder import assignments
from autograder.assignments import REPO_ROOT, KitError

TEMPLATE = Path(__file__).resolve().parent / "template"
TOKEN = "template_assignment"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
README = "README.md"
COURSE_FILE = "course.toml"
#: What the check cells print after they pass: what the hidden tests examine beyond them.
MESSAGES = {
    "graded.standardize": (
        "calls it on larger hidden tables, and checks float32, the shape and every value.",
        "在更大的隐藏表格上调用它，检查 float32、形状和每一个值。"),
    "graded.build_classifier": (
        "trains a fresh copy for a short fixed budget on hidden rows: it must reach a test "
        "accuracy close to the reference solution's.",
        "在隐藏的数据行上按固定的小训练预算训练一个新模型：测试集精度要接近参考答案的精度。"),
}


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def targets(name: str) -> dict[Path, Path]:
    """Template file -> where it goes in the repo for ``name``."""
    return {path: REPO_ROOT / str(path.relative_to(TEMPLATE)).replace(TOKEN, name)
            for path in template_files()}


def check_name(name: str):
    if not NAME_PATTERN.match(name or ""):
        raise KitError(f"NAME={name!r}: use 2 to 40 lowercase letters, digits and underscores, "
                       f"starting with a letter (it names a folder and a Python module)")
    taken = [path for path in targets(name).values() if path.exists()]
    if name in assignments.available() or taken:
        raise KitError(f"NAME={name}: {(taken or [assignments.HERE / name])[0].relative_to(REPO_ROOT)} "
                       f"already exists; choose another name")


def copy_template(name: str) -> list[Path]:
    written = []
    for source, target in targets(name).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix in (".py", ".json", ".ipynb", ".md", ".toml"):
            target.write_text(source.read_text(encoding="utf-8").replace(TOKEN, name),
                              encoding="utf-8")
        else:
            shutil.copy(source, target)
        written.append(target)
    return written


def draw_hidden_seed(name: str) -> int:
    """A hidden seed of the assignment's own: no student has seen its hidden data."""
    path = assignments.HERE / name / "config.json"
    config = json.loads(path.read_text())
    config["hidden_seed"] = 1000 + secrets.randbelow(9000)
    path.write_text(json.dumps(config, indent=2) + "\n")
    return config["hidden_seed"]


def add_readme_row(name: str) -> bool:
    """The assignment's row in the README's table of assignments (points from its tests)."""
    from autograder.build import check_assignment

    path = REPO_ROOT / README
    text = path.read_text(encoding="utf-8")
    if check_assignment.readme_points(text, name) is not None:
        return False
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("| assignment | points |")),
                  None)
    if header is None:
        return False
    end = header
    while end + 1 < len(lines) and lines[end + 1].startswith("|"):
        end += 1
    points = check_assignment.test_points(assignments.get(name))
    row = (f"| `{name}` | {sum(points.values()):g} | `standardize`, `build_classifier` (16-1) "
           f"| a training cell |")
    lines.insert(end + 1, row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True


def add_messages() -> list[str]:
    """The template's check-cell sentences, in the catalogue if the kit has one (shared/i18n.py)."""
    path = REPO_ROOT / "shared" / "i18n.py"
    marker = "    # --- what the hidden tests examine beyond each public check"
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    start = text.find(marker)
    if start < 0:
        return []
    end = text.index("\n", start) + 1
    added = [key for key in MESSAGES if f'"{key}"' not in text]
    entries = "".join(f'    "{key}": {{\n        "en": {json.dumps(MESSAGES[key][0])},\n'
                      f'        "zh": {json.dumps(MESSAGES[key][1], ensure_ascii=False)}}},\n'
                      for key in added)
    path.write_text(text[:end] + entries + text[end:], encoding="utf-8")
    return added


def add_deadline(name: str) -> str | None:
    """A section for the assignment in the course file (deadlines for make grade and the
    demo's week), two weeks after the last due date there; the instructor sets the real one."""
    import datetime
    import tomllib

    path = REPO_ROOT / COURSE_FILE
    if not path.exists():
        return None
    course = tomllib.loads(path.read_text(encoding="utf-8"))
    if name in course.get("assignments", {}):
        return None
    dues = [a["due"] for a in course.get("assignments", {}).values()
            if isinstance(a.get("due"), datetime.datetime)]
    due = (max(dues) if dues else datetime.datetime(2027, 6, 1, 23, 59, tzinfo=datetime.timezone(
        datetime.timedelta(hours=8)))) + datetime.timedelta(days=14)
    last = due + datetime.timedelta(days=7)
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\n[assignments.{name}]\n# written by make new-assignment: set the real dates\n"
                f"due = {due.isoformat()}\ngrace_minutes = 15\n"
                f'late_policy = {{ percent = 10, per = "day", cap = 50 }}\n'
                f"last_accepted = {last.isoformat()}\n")
    return due.isoformat()


def stamp_translations(name: str) -> bool:
    """Record the stamps of the template's Chinese against the English as named now."""
    if not (REPO_ROOT / "autograder" / "build" / "translations.py").exists():
        return False
    result = subprocess.run([sys.executable, "-m", "autograder.build.translations", "stamp", name],
                            cwd=REPO_ROOT, capture_output=True, text=True)
    return result.returncode == 0


def calibrate(name: str):
    """Measure the reference on the hidden data of the new seed; record it beside the threshold."""
    result = subprocess.run([sys.executable, "-m", "autograder.build.calibrate", name, "--write"],
                            cwd=REPO_ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise KitError(f"calibrating {name} failed:\n{result.stdout[-1500:]}{result.stderr[-1500:]}")
    return result.stdout


def scaffold(name: str) -> list[Path]:
    check_name(name)
    written = copy_template(name)
    seed = draw_hidden_seed(name)
    print(f"hidden seed {seed}; measuring the reference on its hidden data")
    print(calibrate(name).rstrip())
    if add_readme_row(name):
        print(f"added {name}'s row to the table in {README}")
    for key in add_messages():
        print(f"added {key} to shared/i18n.py (what the check cell says the grader examines)")
    due = add_deadline(name)
    if due:
        print(f"added [assignments.{name}] to {COURSE_FILE}, due {due}: set the real dates")
    if stamp_translations(name):
        print(f"stamped {name}.zh.md against the English as named now")
    return written


NEXT = """
Next, in this order (make check-assignment NAME={name} says what is still wrong):
  1. assignments/{name}/{name}.ipynb: write the exercises; keep metadata.kit.fill on each cell
     a student fills and metadata.kit.check on the check cell after it.
  2. solutions/{name}.py: the reference of every graded function (CELLS for other fill cells).
  3. shared/{name}_spec.py: the facts both the checks and the hidden tests read (layer tables).
  4. autograder/assignments/{name}/config.json: graded_functions, a probe per graded name
     (docs/instructors.md: the probes table), the training budget and threshold of each trained model; then
     python -m autograder.build.calibrate {name} --write records the reference's measure.
  5. autograder/assignments/{name}/tests/*.py: one otter test file per question; a function
     tested on several hidden cases uses gradelib.cases_of / assert_well_formed / gradable.
  6. autograder/assignments/{name}/samples.py: the sample class and the points each must get.
  7. README.md (its row's points), {name}.zh.md and shared/i18n.py's graded.* sentences,
     course.toml's dates, the Makefile's ASSIGNMENTS; then make mutants ASSIGNMENT={name}.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    args = parser.parse_args(argv)
    try:
        written = scaffold(args.name)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    for path in written:
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    print(NEXT.format(name=args.name))


if __name__ == "__main__":
    main()
