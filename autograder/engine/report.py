"""What a grading run leaves for people: feedback per student, a TA summary."""
import ast
import csv
import os
import statistics
from collections import Counter
from pathlib import Path

FEEDBACK_LIMIT = 6000  # characters of test output kept per question


def question_points(assignment) -> tuple[list[str], float]:
    """Question names (one per otter test file) and the assignment's maximum score.

    Read from the test files' source (``name = ...`` and ``@test_case(points=...)``)
    so the grading driver never imports TensorFlow.
    """
    names, total = [], 0.0
    for path in sorted(assignment.tests_dir.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "name" for t in node.targets):
                names.append(ast.literal_eval(node.value))
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "test_case":
                        total += sum(ast.literal_eval(k.value) for k in deco.keywords
                                     if k.arg == "points")
    return names, float(total)


def write_csv(path: Path, columns: list[str], rows: list[dict]):
    """Write ``rows`` to ``path`` atomically (a reader sees the old file or the new one, whole)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _clip(text: str, limit=FEEDBACK_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit} more characters cut)"


def write_feedback(out: Path, assignment, outcome):
    folder = out / "feedback"
    folder.mkdir(exist_ok=True)
    total = sum(outcome.scores.values())
    lines = [f"# {assignment.config['title']}: feedback for {outcome.student}", "",
             f"Status: **{outcome.status}**. Score: **{total:g}** points.", ""]
    if outcome.message:
        lines += ["```", _clip(outcome.message, 2000), "```", ""]
    for question, text in outcome.outputs.items():
        lines += [f"## {question}: {outcome.scores.get(question, 0):g} points", "",
                  "```", _clip(text.strip()), "```", ""]
    tmp = folder / f".{outcome.student}.md.tmp"
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(folder / f"{outcome.student}.md")


def stats(values: list[float]) -> dict:
    if not values:
        return {}
    return {"n": len(values), "mean": statistics.fmean(values),
            "median": statistics.median(values), "min": min(values), "max": max(values),
            "stdev": statistics.pstdev(values)}


def write_summary(out: Path, assignment, book):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(book.rows.values())
    totals = [float(r["total"]) for r in rows]
    summary = stats(totals)
    statuses = Counter(r["status"] for r in rows)

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(totals, bins=range(0, int(book.max_points) + 2), align="left", rwidth=0.85)
    ax.set(xlabel=f"total score (max {book.max_points:g})", ylabel="submissions",
           title=f"{assignment.name}: {len(rows)} submissions")
    fig.tight_layout()
    fig.savefig(out / "histogram.png", dpi=100)
    plt.close(fig)

    lines = [f"# {assignment.config['title']}: grading summary", "",
             f"{len(rows)} submissions, maximum {book.max_points:g} points.", "",
             "| statistic | value |", "|---|---|"]
    lines += [f"| {key} | {value:.2f} |" for key, value in summary.items()]
    lines += ["", "| status | submissions |", "|---|---|"]
    lines += [f"| {status} | {count} |" for status, count in sorted(statuses.items())]
    lines += ["", "| question | mean points |", "|---|---|"]
    for question in [*book.questions, *book.manual_columns]:
        values = [float(r.get(question) or 0) for r in rows]
        lines.append(f"| {question} | {statistics.fmean(values):.2f} |" if values else "")
    blank = sum(1 for r in rows for c in book.manual_columns if not r.get(c))
    if book.manual_columns:
        lines += ["", f"Questions graded by hand: {blank} answer(s) still to score. Read "
                  f"`manual/<question>.html`, fill `manual/scores.csv`, then run `make manual`."]
    lines += stage_lines(out / "stages.csv")
    problems = [r for r in rows if r["status"] != "graded" or r.get("flags")]
    if problems:
        lines += ["", "## Submissions that need a look", "",
                  "Flags name what a submission's code tried in the sandbox (network, "
                  "process, signal, exit, reads_grader_files, imports_grader, output_capped, "
                  "...); none of it can change a score, but it may deserve a conversation.", ""]
        lines += [f"- **{r['id']}** ({r['status']}{'; flags: ' + r['flags'] if r.get('flags') else ''})"
                  f": {r['message'][:200]}" for r in problems]
    lines += ["", "![score histogram](histogram.png)", ""]
    (out / "summary.md").write_text("\n".join(lines), encoding="utf-8")


def stage_lines(path: Path) -> list[str]:
    """A table of where grading time went, from the run's ``stages.csv``."""
    if not path.exists():
        return []
    rows = read_csv(path)
    if not rows:
        return []
    lines = ["", "## Where the time went", "",
             f"{sum(int(r['reused']) for r in rows)} hidden training(s) reused the trusted "
             f"result of an identical model instead of training again.", "",
             "| stage | total s | median s per submission |", "|---|---|---|"]
    labels = {"sandbox": "sandbox (the notebook)", "scorer": "scorer (training included)",
              "training": "training in the hidden tests", "total": "total"}
    for stage, label in labels.items():
        values = [float(r[stage]) for r in rows]
        lines.append(f"| {label} | {sum(values):.1f} | {statistics.median(values):.1f} |")
    return lines
