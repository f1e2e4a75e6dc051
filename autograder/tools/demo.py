"""``make demo``: build every bundle and grade the embedded sample class.

Prints each sample's score beside the score it should get. The run folder
(``runs/demo/<assignment>``) holds the usual grades.csv, feedback and summary.
One class (ConvNets when it is among them, else the first) is graded as a TA's week
(:mod:`autograder.tools.week`): from a generated Canvas download with a roster and the
course file, with a student missing, late, too late, twice and not on the roster, then
exported for every LMS, with screenshots of its report.html at 1366 and 390 px.

One class (:data:`CHINESE`) is graded again as a Chinese course (issue 24): its zh release
built, the sample class graded under a course file with ``language = "zh"`` and
``ta_language = "zh"`` written into its own run folder (``runs/demo/<name>-zh``; the repo's
course.toml keeps its defaults), exported, its zh feedback page and report.html photographed,
and every page checked for English (autograder/tools/zhcheck.py).
"""
import argparse
import os
import sys

from autograder import assignments, grade
from autograder.build import bundle, release
from autograder.tools import samples, week
from autograder.assignments import REPO_ROOT
from autograder.engine.runner import DEFAULT_MEMORY_GB

DEMO_TIMEOUT = 60  # CPU seconds of sandbox per submission; each looping sample costs this much
WEEK = "convnets"  # the class graded as a TA's week, when it is among those asked for
CHINESE = "getting_started"  # the class graded in Chinese: the cheapest sample class
ZH_COURSE = '[course]\ntimezone = "Asia/Shanghai"\nlanguage = "zh"\nta_language = "zh"\n'


def run(name: str, *, jobs: int, timeout: float, out=None, progress=True):
    """Build the bundles, write the sample class and grade it; return the grade book."""
    assignment = assignments.get(name)
    bundle.build(name)
    release.build(name)
    folder = samples.write_class(name)
    out = out or REPO_ROOT / "runs" / "demo" / name
    book = grade.grade_class(name, folder, out, jobs=jobs, timeout=timeout,
                             memory_gb=DEFAULT_MEMORY_GB, regrade=True, progress=progress)
    return assignment, book, out


#: The widths report.html is photographed at: a laptop's and a phone's (WCAG 1.4.10 reflow).
SCREENSHOT_WIDTHS = (1366, 390)


def report_screenshots(out) -> list[str]:
    """Photograph ``report.html`` at each of ``SCREENSHOT_WIDTHS`` (``report-<width>.png``);
    lines for the demo's output. No browser: a line saying so, the demo stands."""
    try:
        from autograder.tools import browser
        lines = []
        for width in SCREENSHOT_WIDTHS:
            shot = out / f"report-{width}.png"
            errors = browser.screenshot(out / "report.html", shot, width=width)
            lines.append(f"screenshot at {width} px: {shot}"
                         + (f" (console errors: {errors})" if errors else ""))
        return lines
    except Exception as exc:  # noqa: BLE001 - a photograph is not worth stopping the demo
        return [f"no screenshots of report.html ({exc})"]


def chinese(name: str, *, jobs: int, timeout: float, out=None, progress=True):
    """Grade ``name``'s sample class as a Chinese course, end to end: the zh release, the
    grading under a zh course file, feedback, report, a Canvas export; photograph a zh
    feedback page and report.html. Returns (grade book, run folder, lines for the output,
    English runs zhcheck found on the pages: 0 for a Chinese course)."""
    from autograder import export
    from autograder.tools import zhcheck

    assignments.get(name)
    bundle.build(name)
    zip_path = release.build(name, "zh")
    folder = samples.write_class(name)
    out = out or REPO_ROOT / "runs" / "demo" / f"{name}-zh"
    out.mkdir(parents=True, exist_ok=True)
    course_file = out / "course.toml"  # the demo's own: the repo's course.toml is untouched
    course_file.write_text(ZH_COURSE, encoding="utf-8")
    book = grade.grade_class(name, folder, out, jobs=jobs, timeout=timeout,
                             memory_gb=DEFAULT_MEMORY_GB, regrade=True, progress=progress,
                             course_file=course_file)
    exported, _ = export.export(out, "canvas", column=f"{name} (zh)")
    first = sorted(book.rows)[0]
    pages = [out / "report.html", out / "summary.md", out / "feedback" / f"{first}.html",
             out / "feedback" / f"{first}.md"]
    found = [f for path in pages if path.exists() for f in zhcheck.page(path)]
    lines = [f"Chinese course: release {zip_path}, run {out}, export {exported}",
             f"zhcheck: {len(found)} English run(s) on its pages"
             + "".join(f"\n  {f}" for f in found[:20])]
    lines += _screenshots([(out / "feedback" / f"{first}.html", out / "feedback-zh.png"),
                           (out / "report.html", out / "report-zh.png")])
    return book, out, lines, len(found)


def _screenshots(pairs) -> list[str]:
    """Photograph each (page, png); no browser: a line saying so, the demo stands."""
    try:
        from autograder.tools import browser
        lines = []
        for html, png in pairs:
            errors = browser.screenshot(html, png)
            lines.append(f"screenshot: {png}" + (f" (console errors: {errors})" if errors else ""))
        return lines
    except Exception as exc:  # noqa: BLE001 - a photograph is not worth stopping the demo
        return [f"no screenshots ({exc})"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=DEMO_TIMEOUT)
    parser.add_argument("--week", help="the assignment graded as a TA's week (default: "
                                       f"{WEEK} if asked for, else the first)")
    args = parser.parse_args(argv)
    the_week = args.week or (WEEK if WEEK in args.assignments else args.assignments[0])
    mismatches = 0
    for name in args.assignments:
        ids, lines = {}, []
        if name == the_week:
            assignment, book, out, generated, exported, shot, note = week.run(
                name, jobs=args.jobs, timeout=args.timeout)
            ids = generated.ids
            lines = week.describe(generated, exported, shot, note)
            lines += report_screenshots(out)
            problems = week.check(book, generated)
            mismatches += len(problems)
            lines += [f"MISMATCH in the week: {p}" for p in problems]
        else:
            assignment, book, out = run(name, jobs=args.jobs, timeout=args.timeout)
        print(f"\n{assignment.config['title']} (max {book.max_points:g})")
        print(f"{'sample':<18} {'student' if ids else '':<9} {'status':<9} {'score':>6} "
              f"{'expected':>9} {'final' if ids else '':>6}  {'flags':<20} description")
        for sample in samples.samples_of(assignment):
            row = book.rows[ids.get(sample.id, sample.id)]
            want = sum(sample.expected.values())
            # Raw points never change with lateness; a flag is exactly what the code did.
            ok = (row["status"] == sample.status and float(row["total"]) == want
                  and set(sample.flags) == set(row["flags"].split()))
            mismatches += not ok
            print(f"{sample.id:<18} {row['id'] if ids else '':<9} {row['status']:<9} "
                  f"{row['total']:>6} {want:>9g} {row['final'] if ids else '':>6}  "
                  f"{row['flags']:<20} {'' if ok else 'MISMATCH '}{sample.description}")
        print("\n".join(lines))
        print(f"grades: {out / 'grades.csv'}\nsummary: {out / 'summary.md'}"
              f"\nreport: {out / 'report.html'}")
        if name == CHINESE:  # the same class again, as a Chinese course
            zh_book, _, zh_lines, _ = chinese(name, jobs=args.jobs, timeout=args.timeout)
            print(f"\n{assignment.config['title']} in Chinese")
            print("\n".join(zh_lines))
            # The same students get the same points in zh and in en (issue 24).
            differ = [sample.id for sample in samples.samples_of(assignment)
                      if book.rows[ids.get(sample.id, sample.id)]["total"]
                      != zh_book.rows[sample.id]["total"]]
            mismatches += len(differ)
            print("same points as in English" if not differ else
                  f"MISMATCH: other points in Chinese for {', '.join(sorted(differ))}")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
