"""``make demo``: build every bundle and grade the embedded sample class.

Prints each sample's score beside the score it should get. The run folder
(``runs/demo/<assignment>``) holds the usual grades.csv, feedback and summary.
One class (ConvNets when it is among them, else the first) is graded as a TA's week
(:mod:`autograder.tools.week`): from a generated Canvas download with a roster and the
course file, with a student missing, late, too late, twice and not on the roster, then
exported for every LMS, with screenshots of its report.html at 1366 and 390 px.

Every class is graded again as a Chinese course (issue 24): its zh release built, the sample
class graded under a course file with ``language = "zh"`` and ``ta_language = "zh"`` written
into its own run folder (``runs/demo/<name>-zh``; the repo's course.toml keeps its defaults),
reusing the English run's trained models, exported, every page checked for English
(autograder/tools/zhcheck.py) and every sample's points compared with the English run's; one
class's (:data:`CHINESE`) zh feedback page and report.html are photographed. Last, the filled
zh release notebooks CI does not run are run and their outputs checked for English
(autograder/tools/zhnotebooks.py).
"""
import argparse
import os
import sys
import time
from pathlib import Path

from autograder import assignments, grade
from autograder.build import bundle, release, wheel
from autograder.tools import samples, week, zhnotebooks
from autograder.assignments import REPO_ROOT

WEEK = "convnets"  # the class graded as a TA's week, when it is among those asked for
CHINESE = "getting_started"  # the Chinese class photographed: the cheapest sample class
ZH_COURSE = '[course]\ntimezone = "Asia/Shanghai"\nlanguage = "zh"\nta_language = "zh"\n'


def run(name: str, *, jobs: int, timeout: float | None = None, out=None, progress=True):
    """Build the bundles, write the sample class and grade it; return the grade book."""
    assignment = assignments.get(name)
    bundle.build(name)
    release.build(name)
    folder = samples.write_class(name)
    out = out or REPO_ROOT / "runs" / "demo" / name
    book = grade.grade_class(name, folder, out, jobs=jobs, timeout=timeout,
                             regrade=True, progress=progress)
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


def chinese(name: str, english: dict | None = None, *, jobs: int, timeout: float | None, out=None,
            progress=True, seed_from=None, leave_out=(), photograph=False):
    """Grade ``name``'s sample class as a Chinese course, end to end: the zh release, the
    grading under a zh course file, feedback, report, a Canvas export, every page checked
    for English (``zhcheck.run_pages``); with ``photograph``, a zh feedback page and
    report.html photographed.

    ``english`` is {sample id: total} of the English run: a sample with other points in
    Chinese is a MISMATCH (the same students get the same points in zh and in en). The
    English run's trained models are reused (``seed_from``: its run folder, whose
    ``training-cache`` holds results that do not depend on the language), so this costs
    the grading of the class's code, not its training. ``leave_out`` names samples not
    graded again (those that loop until the timeout: their feedback is one catalogue
    sentence, which the catalogue's check reads; a test, to grade a few).

    Returns (grade book, run folder, lines for the output, the English zhcheck found on the
    pages, the MISMATCH lines): a Chinese course has neither."""
    import shutil

    from autograder import export
    from autograder.tools import zhcheck

    assignments.get(name)
    bundle.build(name)
    zip_path = release.build(name, "zh")
    folder = samples.write_class(name, REPO_ROOT / "dist" / "demo_zh" / name)
    for sample in leave_out:
        (folder / f"{sample}.ipynb").unlink(missing_ok=True)
    out = out or REPO_ROOT / "runs" / "demo" / f"{name}-zh"
    out.mkdir(parents=True, exist_ok=True)
    if seed_from is not None and (Path(seed_from) / "training-cache").is_dir():
        shutil.copytree(Path(seed_from) / "training-cache", out / "training-cache",
                        dirs_exist_ok=True)
    course_file = out / "course.toml"  # the demo's own: the repo's course.toml is untouched
    course_file.write_text(ZH_COURSE, encoding="utf-8")
    book = grade.grade_class(name, folder, out, jobs=jobs, timeout=timeout,
                             regrade=True, progress=progress,
                             course_file=course_file)
    exported, _ = export.export(out, "canvas", column=f"{name} (zh)")
    pages = zhcheck.run_pages(out)
    found = [f for path in pages for f in zhcheck.page(path)]
    mismatched = []  # issue 24: the same students get the same points in zh and in en
    for sample, points in sorted((english or {}).items()):
        if sample in leave_out:
            continue
        zh = book.rows.get(sample, {}).get("total", "no row")
        if zh == "no row" or float(zh) != float(points):
            mismatched.append(f"MISMATCH: {sample} gets {zh} points in Chinese, {points} in English")
    lines = [f"Chinese course: release {zip_path}, run {out}, export {exported}",
             f"zhcheck: {len(found)} English run(s) on its {len(pages)} pages"
             + "".join(f"\n  {f}" for f in found[:20])]
    if leave_out:
        lines.append(f"not graded again in Chinese: {', '.join(leave_out)}")
    if photograph:
        first = sorted(book.rows)[0]
        lines += _screenshots([(out / "feedback" / f"{first}.html", out / "feedback-zh.png"),
                               (out / "report.html", out / "report-zh.png")])
    return book, out, lines, found, mismatched


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
    parser.add_argument("--timeout", type=float,
                        help="CPU seconds per sandbox (default: each assignment's budget; "
                             "each looping sample costs this much)")
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
        # the same class again, as a Chinese course (issue 24)
        english = {sample.id: book.rows[ids.get(sample.id, sample.id)]["total"]
                   for sample in samples.samples_of(assignment)}
        looping = [sample.id for sample in samples.samples_of(assignment)
                   if sample.status == "timeout"]
        started = time.perf_counter()
        _, _, zh_lines, _, mismatched = chinese(
            name, english, jobs=args.jobs, timeout=args.timeout, seed_from=out,
            leave_out=looping, photograph=name == CHINESE)
        print(f"\n{assignment.config['title']} in Chinese "
              f"({time.perf_counter() - started:.0f} s)")
        print("\n".join(zh_lines + (mismatched or ["same points as in English"])))
        mismatches += len(mismatched)
    mismatches += zh_notebooks([name for name in args.assignments
                                if name not in zhnotebooks.FILLED_IN_CI])
    sys.exit(1 if mismatches else 0)


def zh_notebooks(names) -> int:
    """Run the filled zh release notebooks CI does not run (autograder/tools/zhnotebooks.py)
    and print what zhcheck finds in their outputs; the count of English runs."""
    if not names:
        return 0
    print("\nThe Chinese release notebooks, filled with the reference (CI runs the stubbed ones "
          f"and {', '.join(zhnotebooks.FILLED_IN_CI)})")
    out = REPO_ROOT / "runs" / "demo" / "zh-notebooks"
    wheel_bytes = wheel.build(out / "wheel").read_bytes()
    total = 0
    for name in names:
        found, seconds = zhnotebooks.check(name, "filled", out, wheel_bytes)
        total += len(found)
        print(f"{name}: {len(found)} English run(s) in its outputs ({seconds:.0f} s), "
              f"{out / f'{name}-filled' / f'{name}.ipynb'}"
              + "".join(f"\n  {f}" for f in found[:20]))
    return total


if __name__ == "__main__":
    main()
