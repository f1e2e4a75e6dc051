"""Instructor and TA tooling: release and autograder bundles, class grading.

Per-assignment folders (``autograder/<name>/``) hold the hidden otter tests and
the grading configuration; nothing under ``autograder/`` ships to students.
"""
