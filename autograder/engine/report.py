"""What a grading run leaves for people: feedback per student, the TA's summary and report.

Everything here is rendered from the run folder alone, so that any step can render it
again later (``make manual`` after a TA's scores, ``make grade`` after new late rules):

- ``results/<id>.json``: one submission's grading outcome as the scorer returned it
  (points, every test case with its message, status, flags), written atomically;
- ``feedback/<id>.md`` and ``feedback/<id>.html``: the same content for the student,
  the page self-contained (inline CSS, no script, nothing fetched);
- ``summary.md`` and ``histogram.png``: the TA's overview in Markdown;
- ``report.html``: the TA's overview in a browser, self-contained and offline: histogram,
  statuses, pass rate and most common failure of each test, the submissions that need a
  look, and a sortable, filterable table linking every feedback page.
"""
import ast
import dataclasses
import functools
import html
import json
import os
import re
import statistics
from collections import Counter
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from autograder.assignments import KitError
from autograder.engine import csvcells
from autograder.review import store
from shared.i18n import has, msg_in

FEEDBACK_LIMIT = 6000  # characters of test output kept per question
PROBLEM_STATUSES = ("timeout", "crashed", "invalid", "error", "missing")
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                        autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                        lstrip_blocks=True)
#: Where the class's data goes in a catalogue sentence a page marks (see :func:`marked`).
DATA_SLOT = "\x00"


def marked(sentence: str, *values) -> Markup:
    """``sentence`` (a catalogue sentence given :data:`DATA_SLOT` for each field that is
    the class's data: a student's id, a name) with each value marked ``translate="no"``:
    the page says what is data, not words, so a browser's translator and zhcheck leave it
    alone (issue 24). Everything escaped."""
    parts = sentence.split(DATA_SLOT)
    page = Markup(escape(parts[0]))
    for value, part in zip(values, parts[1:]):
        page += Markup('<span translate="no">{}</span>').format(value) + part
    return page


CODE_SPAN = re.compile(r"`([^`\n]{1,300})`")


def code_spans(text) -> Markup:
    """A sentence of a test (its name, why it failed) escaped, with its backtick spans as
    ``<code>``: as its Markdown page shows them, and marked as code, not words (issue 24)."""
    return Markup(CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))


TEMPLATES.globals.update(marked=marked, slot=DATA_SLOT)
TEMPLATES.filters["code_spans"] = code_spans


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
    """Write ``rows`` to ``path`` atomically (a reader sees the old file or the new one, whole);
    a cell that a spreadsheet would run as a formula is written as text (:mod:`csvcells`)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csvcells.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_csv(path: Path) -> list[dict]:
    """A CSV :func:`write_csv` wrote, each cell as it was given (formula guards undone)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csvcells.DictReader(f))


def atomic_write(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _clip(text: str, limit=FEEDBACK_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit} more characters cut)"


# --- stored results --------------------------------------------------------------------

def results_path(out: Path, student: str) -> Path:
    return out / "results" / f"{student}.json"


def save_results(out: Path, outcome):
    """Keep one submission's outcome, so feedback and reports can be rendered again.

    Its messages quote what a submission recorded, and no text it controls may make this
    write fail (a lone surrogate in a layer name once stopped a class): what UTF-8 cannot
    hold becomes '?' here, so the feedback rendered from this file is writable too."""
    data = dataclasses.asdict(outcome)
    text = json.dumps(data, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8")
    atomic_write(results_path(out, outcome.student), text)


def load_results(out: Path, student: str) -> dict:
    path = results_path(out, student)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _row(out: Path, student: str) -> dict:
    path = out / "grades.csv"
    if not path.exists():
        return {}
    return next((r for r in read_csv(path) if r["id"] == student), {})


def run_info(out: Path) -> dict:
    """What ``make grade`` recorded of the download and the deadline (``collected/manifest.json``)."""
    path = out / "collected" / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run_language(out: Path, assignment, reader: str = "language") -> str:
    """The language of a run's pages: ``reader`` is ``"language"`` (the students') or
    ``"ta_language"`` (the TA's), as ``make grade`` recorded them from the course file;
    for a run folder without them, ``course.toml``'s."""
    from autograder import course
    recorded = run_info(out).get(reader)
    if recorded in course.LANGUAGES:
        return recorded
    try:
        settings = course.load(course.COURSE_FILE if course.COURSE_FILE.is_file() else None)
    except KitError:
        return course.DEFAULT_LANGUAGE
    name = assignment.name if assignment is not None else None  # None: the course's own
    return (settings.language_for(name) if reader == "language" and name
            else settings.ta_language_for(name))


def _rubric_keys(assignment) -> dict:
    """English rubric text -> its key in :func:`_translated` (a rubric the TA rewrote in the
    review app has none, and stays as written)."""
    return {assignment.manual_questions[q]["rubric"][i]["text"]: f"manual.{q}.rubric.{item['id']}"
            for q in assignment.manual_questions
            for i, item in enumerate(assignment.manual_questions[q].get("rubric", []))}


def _translated(assignment, language: str) -> dict:
    """The config's texts a feedback page shows (title, written questions), in ``language``.

    Read once per class, not once per student: they come from the release notebook and its
    translation (two thirds of the TA's own time per feedback page went to reading them
    again). The cache is keyed on the three files' sizes and times, so an edited one is read."""
    from autograder.build import translations
    stamps = tuple(_stat(path) for path in (assignment.notebook,
                                            assignment.folder / "config.json",
                                            translations.path_of(assignment, language)))
    return dict(_translated_cached(assignment, language, stamps))


def _stat(path: Path):
    try:
        found = path.stat()
    except OSError:
        return None
    return str(path), found.st_size, found.st_mtime_ns


@functools.lru_cache(maxsize=32)
def _translated_cached(assignment, language: str, stamps: tuple) -> tuple:
    from autograder.build import translations
    try:
        texts = translations.config_texts(assignment, language)
    except KitError:  # a translation missing: the English, never a stopped run
        texts = translations.config_texts(assignment, translations.SOURCE_LANGUAGE)
    return tuple(texts.items())


# --- feedback ------------------------------------------------------------------------------

def feedback_data(out: Path, assignment, student: str, row: dict | None = None) -> dict:
    """Everything a student's feedback shows, from the run folder."""
    from autograder.engine.runner import case_text

    results = load_results(out, student)
    row = row if row is not None else _row(out, student)
    status = row.get("status") or results.get("status", "")
    scores = results.get("scores") or {}
    outputs = results.get("outputs") or {}
    questions = []
    for name, result in (results.get("results") or {}).items():
        cases = [{"name": c.get("name", ""), "points": float(c.get("points", 0)),
                  "passed": bool(c.get("passed")),
                  "why": _clip(case_text(c), 2000)}  # worded once per submission (say_once)
                 for c in result.get("cases", [])]
        questions.append({"name": name, "score": float(result.get("score", 0)),
                          "max": float(result.get("max", sum(c["points"] for c in cases))),
                          "cases": cases, "text": outputs.get(name, "")})
    for name, text in outputs.items():  # outcomes stored without per-case results
        if name not in {q["name"] for q in questions}:
            questions.append({"name": name, "score": float(scores.get(name, 0)), "max": None,
                              "cases": [], "text": text})
    hand = store.hand_graded(out, assignment, student, row) if assignment.manual_questions else []
    language = run_language(out, assignment)
    texts = _translated(assignment, language)
    for item in hand:  # the written questions' titles and rubric items in the course's language
        item["title"] = texts.get(f"manual.{item['question']}.title", item["title"])
        for rubric in item["rubric"]:
            rubric["text"] = texts.get(_rubric_keys(assignment).get(rubric.get("text")),
                                       rubric.get("text", ""))
    from autograder.engine.collect import say_notes
    number = lambda key: float(row[key]) if row.get(key) not in (None, "") else None  # noqa: E731
    return {"title": texts.get("title", assignment.config["title"]), "language": language,
            "student": student, "name": row.get("name", ""),
            "status": status, "message": results.get("message", row.get("message", "")),
            "total": number("total") if row else sum(scores.values()),
            "max": number("max"), "penalty": number("penalty"), "final": number("final"),
            "late_by": row.get("late_by", ""), "submitted_at": row.get("submitted_at", ""),
            "time_source": row.get("time_source", ""),
            "notes": say_notes(language, row.get("notes", "")),  # stored English: the student's
            "questions": questions, "hand_graded": hand}


def write_feedback(out: Path, assignment, student, row: dict | None = None):
    """Render ``feedback/<id>.md`` and ``feedback/<id>.html`` from the run folder.

    ``student`` is an id, or a grading outcome (whose results are stored first);
    ``row``: the student's grades.csv row, when the caller holds it already.
    """
    if not isinstance(student, str):
        save_results(out, student)
        student = student.student
    data = feedback_data(out, assignment, student, row)
    folder = out / "feedback"
    atomic_write(folder / f"{student}.md", feedback_markdown(data))
    atomic_write(folder / f"{student}.html", TEMPLATES.get_template("feedback.html.j2").render(
        **data, points=_points, t=functools.partial(msg_in, data["language"]),
        status_word=_status_word(data)))


def _points(value) -> str:
    return "" if value is None else f"{value:g}"


def _status_word(data: dict) -> str:
    """A row's status (graded, timeout...) as the feedback's language says it."""
    key = f"fb.status.{data['status']}"
    return msg_in(data.get("language", "en"), key) if has(key) else data["status"]


def feedback_markdown(data: dict) -> str:
    say = functools.partial(msg_in, data.get("language", "en"))  # the course's language
    student = f"`{data['student']}`"  # an id: code in Markdown
    lines = [f"# {say('fb.heading', title=data['title'], student=student)}", ""]
    if data["status"] == "missing":
        lines += [say("fb.missing"), ""]
        return "\n".join(lines)
    score = data["total"] if data["total"] is not None else 0
    lines += [say("fb.status", status=_status_word(data), score=f"{score:g}"), ""]
    if data["penalty"]:
        lines += [say("fb.late", note=data["notes"].split("; ")[0], final=f"{data['final']:g}",
                      penalty=f"{data['penalty']:g}"), ""]
    if data["message"]:
        lines += ["```", _clip(data["message"], 2000), "```", ""]
    for question in data["questions"]:
        heading = say("fb.question", name=question["name"], score=f"{question['score']:g}")
        lines += [f"## {heading}", "", "```", _clip(question["text"].strip()), "```", ""]
    for item in data["hand_graded"]:
        points = (say("fb.not_graded") if item["points"] is None
                  else say("fb.points", points=f"{item['points']:g}"))
        heading = say("fb.hand", title=item["title"], points=points, max=f"{item['max']:g}")
        lines += [f"## {heading}", ""]
        lines += [f"- [{'x' if r['given'] else ' '}] {r['text']}" + say(
                      "rp.paren", text=f"{r['points']:+g}" + ("" if r["given"] else
                                       say("rp.comma") + say("fb.not_given")))
                  for r in item["rubric"]]
        if item.get("adjustment"):
            lines += [f"- {say('fb.free_points')}{say('rp.colon')}{item['adjustment']:+g}"]
        if item["comment"]:
            lines += ["", item["comment"]]
        lines.append("")
    return "\n".join(lines)


# --- summary and report ---------------------------------------------------------------------

def stats(values: list[float]) -> dict:
    if not values:
        return {}
    return {"n": len(values), "mean": statistics.fmean(values),
            "median": statistics.median(values), "min": min(values), "max": max(values),
            "stdev": statistics.pstdev(values)}


def needs_a_look(row: dict, language: str = "en") -> list[str]:
    """Why a row deserves the TA's attention (empty: it does not), in the TA's ``language``."""
    say = functools.partial(msg_in, language)
    reasons = []
    if row.get("status") in PROBLEM_STATUSES:
        reasons.append(_status_word({"language": language, "status": row["status"]}))
    if row.get("flags"):
        reasons.append(marked(say("look.flags", flags=DATA_SLOT), row["flags"]))  # codes
    if float(row.get("penalty") or 0) > 0 or row.get("late_by"):
        reasons.append(say("look.late"))
    notes = row.get("notes", "")  # collect's notes are English: matched, then said in language
    if "not on the roster" in notes:
        reasons.append(say("look.not_on_roster"))
    if "unidentified" in notes:
        reasons.append(say("look.unidentified"))
    if "identity: " in notes:  # whose file it is does not add up (collect.assign)
        reasons.append(say("look.identity"))
    return reasons


def write_summary(out: Path, assignment, book):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    rows = list(book.rows.values())
    totals = [float(r["total"] or 0) for r in rows if r.get("status") != "missing"]
    summary = stats(totals)
    statuses = Counter(r["status"] for r in rows)

    info = run_info(out)
    language = run_language(out, assignment, "ta_language")  # the TA's, not the students'
    say = functools.partial(msg_in, language)

    from shared import plots  # a CJK font behind the default one, as the release's plots
    plotted = say if language != "zh" or plots.use_cjk_font() else functools.partial(msg_in, "en")
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(totals, bins=range(0, int(book.max_points) + 2), align="left", rwidth=0.85)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel=plotted("sm.plot.x", max=f"{book.max_points:g}"), ylabel=plotted("sm.plot.y"),
           title=plotted("sm.plot.title", assignment=assignment.name, count=len(totals)))
    fig.tight_layout()
    fig.savefig(out / "histogram.png", dpi=100)
    plt.close(fig)

    title = _translated(assignment, language).get("title", assignment.config["title"])
    lines = [say("sm.heading", title=title), "",
             say("sm.counts", students=len(rows), submissions=len(totals),
                 max=f"{book.max_points:g}"), "",
             say("sm.stats_head"), "|---|---|"]
    lines += [f"| {say('sm.stat.' + key)} | {value if key == 'n' else f'{value:.2f}'} |"
              for key, value in summary.items()]  # n counts submissions: no decimals
    lines += ["", say("sm.status_head"), "|---|---|"]
    lines += [f"| {_status_word({'language': language, 'status': status})} | {count} |"
              for status, count in sorted(statuses.items())]
    lines += ["", say("sm.question_head"), "|---|---|"]
    graded = [r for r in rows if r.get("status") != "missing"]
    for question in [*book.questions, *book.manual_columns]:
        values = [float(r.get(question) or 0) for r in graded]
        if values:
            lines.append(f"| `{question}` | {statistics.fmean(values):.2f} |")  # a column: code
    blank = sum(1 for r in graded for c in book.manual_columns if not r.get(c))
    if book.manual_columns:
        lines += ["", say("sm.by_hand", blank=blank)]
    lines += late_lines(info, rows, language)
    lines += collect_lines(info, rows, language)
    lines += stage_lines(out / "stages.csv", language)
    problems = [r for r in rows if r["status"] not in ("graded", "missing") or r.get("flags")]
    if problems:
        lines += ["", say("sm.look_head"), "", say("sm.flags_note"), ""]
        lines += [say("sm.problem", id=f"`{r['id']}`", status=_status_word({"language": language,
                                                                    "status": r["status"]}),
                      flags=say("sm.problem_flags", flags=f"`{r['flags']}`") if r.get("flags") else "",
                      message=md_text(cut(r["message"], 200))) for r in problems]
    lines += ["", say("sm.histogram"), ""]
    atomic_write(out / "summary.md", "\n".join(lines))
    write_report(out, assignment, book)


def deadline_facts(deadline) -> dict:
    """What the manifest records of a ``course.Deadline`` (times, grace, policy): facts, which
    each page says in its reader's language (:func:`deadline_line`)."""
    last = deadline.last_accepted
    return {"due": deadline.due.isoformat(), "grace_minutes": deadline.grace.total_seconds() / 60,
            "policy": dataclasses.asdict(deadline.policy),
            "last_accepted": last.isoformat() if last else "", "extensions": len(deadline.extensions)}


def deadline_line(info: dict, language: str) -> str:
    """The run's deadline and late policy in ``language``, from :func:`deadline_facts`; a run
    recorded before them (or with facts that do not read) shows the line it stored."""
    from datetime import datetime, timedelta

    from autograder import course
    facts = info.get("deadline_facts")
    if not isinstance(facts, dict) or not facts:
        return info.get("deadline", "")
    try:
        last = facts.get("last_accepted")
        return course.Deadline(
            info.get("assignment", ""), datetime.fromisoformat(facts["due"]),
            grace=timedelta(minutes=float(facts.get("grace_minutes", 0))),
            policy=course.LatePolicy(**facts["policy"]),
            last_accepted=datetime.fromisoformat(last) if last else None,
            extensions=dict.fromkeys(range(int(facts.get("extensions", 0))))).describe(language)
    except (KeyError, TypeError, ValueError):
        return info.get("deadline", "")


def late_lines(info: dict, rows: list[dict], language: str = "en") -> list[str]:
    """The late policy and, for each late student, how the penalty was computed."""
    if not info.get("deadline"):
        return []
    from autograder.engine.collect import say_note
    say = functools.partial(msg_in, language)
    lines = ["", say("sm.late_head"), "", say("sm.late_policy", deadline=deadline_line(info, language)),
             ""]
    late = [r for r in rows if r.get("late_by") or float(r.get("penalty") or 0)]
    if not late:
        return lines + [say("sm.none_late")]
    lines += [say("sm.late_table"), "|---|---|---|---|---|---|---|---|"]
    for r in sorted(late, key=lambda r: r["id"]):
        how = say_note(language, r.get("notes", "").split("; ")[0])  # stored English
        source = r.get("time_source", "")  # "lms" or "file": a word of the TA's language
        source = say(f"sm.source.{source}") if has(f"sm.source.{source}") else source
        lines.append(f"| `{r['id']}` | {r.get('submitted_at', '')} | {source} "
                     f"| {late_by(r.get('late_by', ''), language)} | {r.get('penalty') or 0}% "
                     f"| {r['total']} | "
                     f"{r.get('final', '')} | {md_text(how)} |")
    return lines


def collect_lines(info: dict, rows: list[dict], language: str = "en") -> list[str]:
    """Where the files came from: the layout, who is missing, unidentified, not on the roster."""
    if not info:
        return []
    say = functools.partial(msg_in, language)
    roster = say("sm.roster", roster=info["roster"]) if info.get("roster") else ""
    lines = ["", say("sm.collected_head"), "",
             say("sm.collected", download=info.get("download", ""),
                 layout=_layout(language, info.get("layout", "")), roster=roster)]
    groups = {say("sm.group.missing"): [r["id"] for r in rows if r["status"] == "missing"],
              say("sm.group.not_on_roster"): [r["id"] for r in rows
                                              if "not on the roster" in r.get("notes", "")],
              say("sm.group.unidentified"): [r["id"] for r in rows
                                             if "unidentified" in r.get("notes", "")],
              say("sm.group.earlier"): [r["id"] for r in rows
                                        if "earlier attempt(s) not graded" in r.get("notes", "")]}
    for label, ids in groups.items():
        if ids:
            lines.append(f"- {label}: {', '.join(f'`{id_}`' for id_ in sorted(ids))}")
    skipped = info.get("skipped", [])
    if skipped:
        from autograder.engine.collect import say_note
        lines.append(say("sm.skipped", count=len(skipped))
                     + ", ".join(f"{md_code(s)} ({md_text(say_note(language, why, skipped=True))})"
                                 for s, why in skipped[:10]))
    return lines


def _layout(language: str, layout: str) -> str:
    """A download's layout as the TA's language names it (an LMS's name stays a name)."""
    return msg_in(language, f"layout.{layout}") if has(f"layout.{layout}") else layout


def stage_lines(path: Path, language: str = "en") -> list[str]:
    """A table of where grading time went, from the run's ``stages.csv``."""
    if not path.exists():
        return []
    rows = read_csv(path)
    if not rows:
        return []
    say = functools.partial(msg_in, language)
    lines = ["", say("sm.time_head"), "",
             say("sm.reused", count=sum(int(r['reused']) for r in rows)), "",
             say("sm.time_table"), "|---|---|---|"]
    labels = {stage: say(f"sm.stage.{stage}") for stage in ("sandbox", "scorer", "training", "total")}
    for stage, label in labels.items():
        values = [float(r[stage]) for r in rows]
        lines.append(f"| {label} | {sum(values):.1f} | {statistics.median(values):.1f} |")
    return lines


def test_rates(out: Path, students: list[str], statuses: dict[str, str] | None = None) -> list[dict]:
    """Per test case: how many submissions passed it and the most common failure message.

    The most common failure is counted over root causes only: a submission whose run
    timed out or crashed (``statuses``: id -> status) fails the tests it never reached
    with a knock-on sentence ("run its cell first", :func:`runner.knock_on`), which says
    nothing about the test; those are counted apart (``knock_on``) so that they never
    outnumber the mistakes the test exists to catch.
    """
    from autograder.engine.runner import knock_on, why

    statuses = statuses or {}
    tally: dict[tuple, dict] = {}
    for student in students:
        stopped = statuses.get(student) in ("timeout", "crashed")
        for question, result in (load_results(out, student).get("results") or {}).items():
            for case in result.get("cases", []):
                entry = tally.setdefault((question, case.get("name", "")), {
                    "question": question, "test": case.get("name", ""),
                    "points": float(case.get("points", 0)), "passed": 0, "failed": 0,
                    "knock_on": 0, "messages": Counter()})
                if case.get("passed"):
                    entry["passed"] += 1
                    continue
                entry["failed"] += 1
                text = why(str(case.get("message", ""))).strip()
                if stopped and knock_on(text):
                    entry["knock_on"] += 1
                else:
                    first = text.splitlines()[0] if text else "(no message)"
                    entry["messages"][cut(first, 300)] += 1
    rates = []
    for entry in tally.values():
        runs = entry["passed"] + entry["failed"]
        common = entry["messages"].most_common(1)
        rates.append({**entry, "runs": runs, "rate": entry["passed"] / runs if runs else 0.0,
                      "common": common[0][0] if common else "",
                      "common_count": common[0][1] if common else 0})
    return sorted(rates, key=lambda e: (e["rate"], e["question"], e["test"]))


def md_code(text) -> str:
    """``text`` (a file name a student chose) as one Markdown code span, whatever it holds:
    fenced with more backticks than any run inside it (CommonMark's rule), newlines as
    spaces. Inside a code span nothing is markup, so no link, image or HTML."""
    text = " ".join(str(text).splitlines()) or " "
    fence = "`" * (max(map(len, re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_text(text) -> str:
    """``text`` holding what a student chose (a sentence quoting their file name) as
    Markdown prose: no raw HTML (``<``), link or image (``[``, ``]``; a backslash first, so
    that it cannot undo an escape), table cell's end (``|``) or new block (newlines)."""
    text = " ".join(str(text).splitlines())
    for raw, escaped in (("\\", "\\\\"), ("[", "\\["), ("]", "\\]"), ("|", "\\|"),
                         ("<", "&lt;")):
        text = text.replace(raw, escaped)
    return text


def cut(text: str, limit: int) -> str:
    """``text`` whole if it fits in ``limit`` characters, else cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return head.rstrip(" ,;:.") + "…"


def look_text(row: dict, reasons: list[str], limit: int = 200) -> list[str]:
    """What "needs a look" says of one row: its reasons, then the notes and the message,
    each part only if no earlier part already says it ("missing", then "no submission"
    once, not three times), the message cut at a word."""
    parts = []
    for part in [*reasons, *row.get("notes", "").split("; "), cut(row.get("message", ""), limit)]:
        part = part.strip()
        said = " ".join(parts).lower()
        if part and part.lower() not in said:
            parts.append(part)
    return parts


def late_by(text: str, language: str = "en") -> str:
    """grades.csv's ``late_by`` (course.fmt_delta's English) in the reader's ``language``."""
    from autograder import course
    delta = course.english_delta(text or "") if language != "en" else None
    return course.fmt_delta(delta, language) if delta else text  # unread: as stored


def late_minutes(text: str) -> int:
    """``"1 d 2 h 5 min"`` (course.fmt_delta) as minutes, so "late by" sorts by value."""
    from autograder import course
    return int(course.english_delta(text or "").total_seconds() // 60)


def histogram_svg(values: list[float], maximum: float, width=640, height=260,
                  language: str = "en") -> str:
    """An inline SVG histogram of ``values`` in integer bins, with integer count ticks,
    its titles in the TA's ``language``."""
    say = functools.partial(msg_in, language)
    top = max(int(maximum), int(max(values, default=0)))
    bins = [0] * (top + 1)
    for value in values:
        bins[min(max(int(value), 0), top)] += 1
    highest = max(bins, default=0) or 1
    step = max(1, -(-highest // 5))  # at most about 6 ticks, all integers
    ticks = list(range(0, highest + step, step))
    scale_top = ticks[-1] or 1
    left, bottom, right, upper = 44, 36, 10, 12
    plot_w, plot_h = width - left - right, height - bottom - upper
    bar_w = plot_w / len(bins)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" class="histogram">',
             f'<title>{say("rp.histogram_title", count=len(values))}</title>']
    for tick in ticks:
        y = upper + plot_h * (1 - tick / scale_top)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'class="grid"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'class="tick y">{tick}</text>')
    for index, count in enumerate(bins):
        x = left + index * bar_w
        h = plot_h * count / scale_top
        parts.append(f'<rect x="{x + 1:.1f}" y="{upper + plot_h - h:.1f}" '
                     f'width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" data-count="{count}">'
                     f'<title>{say("rp.histogram_bar", index=index, count=count)}</title></rect>')
        if len(bins) <= 30 or index % max(1, len(bins) // 20) == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" '
                         f'text-anchor="middle" class="tick x">{index}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" '
                 f'class="label">{say("rp.histogram_axis", max=f"{maximum:g}")}</text></svg>')
    return "".join(parts)


def write_report(out: Path, assignment, book):
    """``report.html``: the TA's overview in one self-contained page.

    While a hand-graded answer is still unscored, its cell says "pending" and every total
    and mean on the page is labelled provisional: a TA must never read 6.78 of 16 as a
    class mean when a third of the points are not in yet.
    """
    rows = [book.rows[k] for k in sorted(book.rows)]
    submitted = [r for r in rows if r.get("status") != "missing"]
    finals = [float(r.get("final") or r.get("total") or 0) for r in submitted]
    questions = []
    for column in [*book.questions, *book.manual_columns]:
        values = [float(r[column]) for r in submitted if r.get(column) not in (None, "")]
        questions.append({"name": column, "mean": statistics.fmean(values) if values else 0.0,
                          "count": len(values), "hand": column in book.manual_columns})
    pending = sum(1 for r in submitted for c in book.manual_columns if not r.get(c))
    info = run_info(out)
    language = run_language(out, assignment, "ta_language")  # the TA's, not the students'
    from autograder.engine.collect import say_notes  # stored English, said in the TA's language
    look = [(r, look_text({**r, "notes": say_notes(language, r.get("notes", "")),  # a missing
                           "message": "" if r["status"] == "missing" else r.get("message", "")},
                          reasons))  # row's message says what its notes say: "no submission"
            for r in rows if (reasons := needs_a_look(r, language))]
    say = functools.partial(msg_in, language)
    page = TEMPLATES.get_template("report.html.j2").render(
        title=_translated(assignment, language).get("title", assignment.config["title"]),
        assignment=assignment.name, rows=rows,
        questions=questions, columns=[*book.questions, *book.manual_columns],
        hand_columns=book.manual_columns, pending=pending,
        statuses=sorted(Counter(r["status"] for r in rows).items()),
        stats=stats(finals), max_points=book.max_points,
        histogram=histogram_svg(finals, book.max_points, language=language),
        tests=test_rates(out, [r["id"] for r in submitted],
                         {r["id"]: r.get("status", "") for r in submitted}),
        look=look, look_ids={r["id"] for r, _ in look}, late_minutes=late_minutes,
        late_by=lambda text: late_by(text, language),
        similarity=similarity_block(out), language=language, t=say,
        word=lambda status: _status_word({"language": language, "status": status}),
        deadline=deadline_line(info, language), layout=_layout(language, info.get("layout", "")),
        feedback=lambda student: f"feedback/{student}.html", points=_points, escape=html.escape,
        notes=lambda text: say_notes(language, text))
    atomic_write(out / "report.html", page)


SIMILARITY_MARKS = ("<!-- similarity -->", "<!-- /similarity -->")


def similarity_block(out: Path) -> str:
    """The report's line on similar work: a link to ``similarity.html`` once it exists."""
    text = TEMPLATES.get_template("report_similarity.html.j2").render(
        exists=(out / "similarity.html").exists(),
        t=functools.partial(msg_in, run_language(out, None, "ta_language")))
    return SIMILARITY_MARKS[0] + text.strip() + SIMILARITY_MARKS[1]


def link_similarity(out: Path):
    """Put the link to ``similarity.html`` into an existing ``report.html``: the
    similarity step runs after the report is written (``make grade``) or alone
    (``make similarity``), and the report must not wait for it or be rebuilt by it."""
    path = out / "report.html"
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    start, end = text.find(SIMILARITY_MARKS[0]), text.find(SIMILARITY_MARKS[1])
    if start < 0 or end < start:
        return
    atomic_write(path, text[:start] + similarity_block(out)
                 + text[end + len(SIMILARITY_MARKS[1]):])
