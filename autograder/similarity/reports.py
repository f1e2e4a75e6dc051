"""Reports: ``similarity.csv``, ``similarity.html`` and the summary's section.

Every listed pair with the lines (code) or words (answers) it shares; the page shows
the most similar side by side with the matches marked, every student text escaped and
a Content-Security-Policy that allows no script. A cell or answer left out of the
comparison (over its student's budget, see :mod:`.fingerprints`) is a row of kind
``skipped`` with the reason in ``note``, and a list at the end of the page, so the TA
knows what was not compared.
"""
import functools
import html
import re
from pathlib import Path

from autograder.assignments import KitError
from autograder.engine import report
from autograder.engine.collect import say_note
from autograder.similarity.fingerprints import STEM, STOP_WORDS
from autograder.similarity.scoring import LISTED, Pair, compare, extract, thresholds, units_of
from shared.i18n import LANGUAGES, has, msg_in

SHOWN = 30           # pairs shown side by side in similarity.html
SKIPPED = "skipped"  # the kind of a similarity.csv row for a cell or answer not compared


def run(assignment, paths: list[Path] | None, out: Path) -> list[Pair]:
    """Compare the class and write the reports (``paths`` None: the notebooks that
    ``make grade`` collected into ``<run>/collected/``)."""
    if paths is None:
        paths = sorted((out / "collected").glob("*.ipynb"))
        if not paths:
            raise KitError(f"no notebooks in {out / 'collected'}: grade the class first "
                           f"(make grade), or pass SUBMISSIONS=<folder>")
    sources = extract(assignment, paths)
    skipped = []  # (student, cell, why): not compared, listed after the pairs
    pairs = compare(units_of(assignment, sources, skipped))
    limits = thresholds(assignment)
    report.write_csv(out / "similarity.csv",
                     ["a", "b", "cell", "kind", "score", "above_threshold", "lines_a", "lines_b",
                      "words", "note"],
                     [{"a": p.a, "b": p.b, "cell": p.cell, "kind": p.kind, "score": f"{p.score:.3f}",
                       "above_threshold": "yes" if p.score >= limits[p.kind] else "",
                       "lines_a": _ranges(p.lines_a), "lines_b": _ranges(p.lines_b),
                       "words": " ".join(p.words), "note": ""}
                      for p in pairs]
                     + [{"a": student, "b": "", "cell": cell, "kind": SKIPPED, "score": "",
                         "above_threshold": "", "lines_a": "", "lines_b": "", "words": "",
                         "note": why} for student, cell, why in skipped])
    write_html(out / "similarity.html", assignment, pairs, sources, limits, skipped)
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
<html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5rem; }}
section {{ border-top: 2px solid #25406b; margin-top: 1.2rem; }}
.sides {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }}
.sides > div {{ min-width: 0; }}
@media (max-width: 40rem) {{ .sides {{ grid-template-columns: 1fr; }} }}
h2, h3, li, pre {{ overflow-wrap: anywhere; }}
pre {{ background: #f7f7f7; padding: .5rem; overflow-x: auto; white-space: pre-wrap; margin: 0; }}
mark {{ background: #ffe08a; }}
.above {{ color: #a00; font-weight: bold; }}
</style></head><body>
<header><h1>{title}</h1></header>
<main>
<p>{intro}</p>
{sections}
</main>
</body></html>
"""


def write_html(path: Path, assignment, pairs: list[Pair], sources: dict, limits: dict,
               skipped: list = ()):
    language = report.run_language(path.parent, assignment, "ta_language")  # the TA's
    say = functools.partial(msg_in, language)
    sections = []
    for pair in pairs[:SHOWN]:
        texts = sources[pair.kind if pair.kind == "text" else "code"][pair.cell]
        sides = [_highlighted(texts.get(student, ""), set(lines), set(pair.words))
                 for student, lines in ((pair.a, pair.lines_a), (pair.b, pair.lines_b))]
        above = pair.score >= limits[pair.kind]
        kind = say(f"sim.kind.{pair.kind}") if has(f"sim.kind.{pair.kind}") else pair.kind
        what = say("sim.pair", cell=html.escape(pair.cell), kind=kind,
                   score=f"{pair.score:.2f}", above=say("sim.above") if above else "")
        sections.append(
            f'<section><h2{" class=above" if above else ""}>{_student(pair.a)} &amp; '
            f'{_student(pair.b)}{what}</h2>'
            f'<div class="sides"><div><h3>{_student(pair.a)}</h3>{sides[0]}</div>'
            f'<div><h3>{_student(pair.b)}</h3>{sides[1]}</div></div></section>')
    if skipped:  # what a student sent that was not compared, and why
        items = "".join(f"<li>{_student(student)}: <code>{html.escape(cell)}</code>: "
                        f"{html.escape(say_note(language, why))}</li>"
                        for student, cell, why in skipped)
        sections.append(f"<section><h2>{say('sim.not_compared', count=len(skipped))}</h2><ul>{items}</ul>"
                        f"</section>")
    title = report._translated(assignment, language).get("title", assignment.config["title"])
    intro = say("sim.intro", count=len(pairs), listed=LISTED, shown=min(SHOWN, len(pairs)),
                code=limits["code"], text=limits["text"], key="similarity", csv="similarity.csv")
    page = PAGE.format(title=html.escape(say("sim.title", title=title)), language=language,
                       intro=intro, sections="\n".join(sections))
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)


def _student(student: str) -> str:
    """A student's id on the page, escaped and marked as data (``translate="no"``)."""
    return f'<span translate="no">{html.escape(student)}</span>'


def _highlighted(text: str, lines: set[int], words: set[str]) -> str:
    """Code: the shared lines marked; a written answer: the shared words marked."""
    if words:
        parts = re.split(r"([^\W_]+(?:\.\d+)?)", text)
        return '<pre translate="no">' + "".join(
            f"<mark>{html.escape(part)}</mark>" if index % 2 and part.lower()[:STEM] in words
            and part.lower() not in STOP_WORDS else html.escape(part)
            for index, part in enumerate(parts)) + "</pre>"
    rows = [f"<mark>{html.escape(line)}</mark>" if number in lines else html.escape(line)
            for number, line in enumerate(text.splitlines(), start=1)]
    return "<pre><code>" + "\n".join(rows) + "</code></pre>"


SUMMARY_HEADING = "## Similar work"
#: The section's heading in every language: a run graded again in another language
#: replaces the section, never adds a second one.
SUMMARY_HEADINGS = tuple(msg_in(language, "sim.summary_head") for language in LANGUAGES)


def summary_lines(out: Path) -> list[str]:
    """The summary's section on similar work (empty before the similarity step ran)."""
    path = out / "similarity.csv"
    if not path.exists():
        return []
    rows = report.read_csv(path)
    above = [r for r in rows if r["above_threshold"]]
    skipped = sum(r["kind"] == SKIPPED for r in rows)
    say = functools.partial(msg_in, report.run_language(out, None, "ta_language"))
    lines = ["", say("sim.summary_head"), "",
             say("sim.summary", count=len(above))
             + (say("sim.summary_skipped", count=skipped) if skipped else ""), ""]
    kinds = {kind: say(f"sim.kind.{kind}") for kind in ("code", "text")}
    lines += [say("sim.summary_pair", a=f"`{r['a']}`", b=f"`{r['b']}`", cell=f"`{r['cell']}`",
                  kind=kinds.get(r["kind"], r["kind"]), score=r["score"]) for r in above[:10]]
    return lines


def link_from_summary(out: Path):
    """Append the section to ``summary.md`` unless it is there (the summary is rewritten
    by make grade and make manual; both call this after it), and link ``report.html``."""
    report.link_similarity(out)
    path = out / "summary.md"
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    for heading in SUMMARY_HEADINGS:
        if heading in text:
            text = text[:text.index(heading)].rstrip("\n") + "\n"
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(summary_lines(out)) + "\n",
                    encoding="utf-8")
