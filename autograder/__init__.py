"""Instructor and TA tooling; nothing under ``autograder/`` ships to students.

The layout follows who reads it:

- ``assignments/<name>/``: everything hidden about one assignment (grading
  config, otter test files, sample class), for the instructor who writes it.
- ``engine/``: the grading engine, one module per stage, for the maintainer
  (its docstring lists the stages in the order a submission meets them).
- ``build/``: what an instructor builds before a course week (autograder
  zips and the reference results, student releases, calibration).
- ``tools/``: the maintainer's runs (demo, samples, bench, scale, reliability).
- ``grade.py``, ``manual.py``: the TA's commands, ``make grade`` and ``make manual``.
"""
