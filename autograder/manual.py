"""``make manual RUN=<run folder> ASSIGNMENT=<name>``: merge the hand-graded points into grades.csv.

The TA grades the written questions in ``manual/<question>.html`` + ``manual/scores.csv``
or in ``make review``; this command checks every score and saved review, merges them
into ``grades.csv`` as ``manual:<key>`` columns, rewrites the feedback of the students
whose hand-graded results changed, and renders the summary and report again.

Only the command lives here. What it works with sits below it, in
:mod:`autograder.review`: the store of the run's ``manual/`` files (``store``), the
answers read from the notebooks (``answers``) and the merge itself (``merge``), which
``make grade`` calls too; so this module imports ``grade`` (for the grade book) and
nothing imports this module.
"""
import argparse
import sys
from pathlib import Path

from autograder import assignments, grade, similarity
from autograder.assignments import KitError
from autograder.engine import report
from autograder.review import answers, merge, store


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--out", required=True, type=Path, help="the run folder of make grade")
    parser.add_argument("--submissions", type=Path,
                        help="collect the answers again from this folder first")
    args = parser.parse_args(argv)
    try:
        assignment = assignments.get(args.assignment)
        if not assignment.manual_questions:
            raise KitError(f"{args.assignment} has no questions graded by hand")
        if not (args.out / "grades.csv").exists():
            raise KitError(f"{args.out / 'grades.csv'} does not exist: run make grade first")
        questions, max_points = report.question_points(assignment)
        book = grade.GradeBook(args.out / "grades.csv", questions, max_points,
                               {k: q["points"] for k, q in assignment.manual_questions.items()})
        if args.submissions:
            answers.collect(assignment, grade.find_submissions(args.submissions), args.out)
        counts = merge.merge(assignment, args.out, book)
        report.write_summary(args.out, assignment, book)
        similarity.link_from_summary(args.out)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    print(f"merged {counts['scored']} score(s) into {book.path}; {counts['blank']} answer(s) "
          f"still to score in {store.scores_path(args.out)}; feedback of {counts['feedback']} "
          f"student(s) rewritten")


if __name__ == "__main__":
    main()
