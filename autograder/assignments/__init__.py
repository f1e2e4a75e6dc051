"""Where each assignment's pieces live; read from ``autograder/assignments/<name>/config.json``.

Each folder beside this file is one assignment's hidden side: its grading config,
its otter test files and its sample class. This module finds them.
"""
import ast
import json
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
DIST = REPO_ROOT / "dist"


class KitError(Exception):
    """A problem the user can fix; the message says which file and what to do."""


@dataclass(frozen=True)
class Assignment:
    name: str

    @property
    def folder(self) -> Path:
        return HERE / self.name

    @cached_property
    def config(self) -> dict:
        path = self.folder / "config.json"
        if not path.exists():
            known = ", ".join(available()) or "none"
            raise KitError(f"unknown assignment '{self.name}': {path} does not exist "
                           f"(known: {known})")
        config = json.loads(path.read_text())
        for dataset, entry in config.get("training", {}).items():
            if "extends" in entry:
                config["training"][dataset] = self._extended(path, entry)
        return config

    @staticmethod
    def _extended(path, entry) -> dict:
        """A training entry that reuses another assignment's budget and thresholds.

        ``"extends": "getting_started/imdb"`` takes that entry and overrides
        only the keys given here, so a threshold lives in one config.
        """
        other, _, dataset = entry["extends"].partition("/")
        try:
            base = get(other).config["training"][dataset]
        except (KitError, KeyError):
            raise KitError(f"{path}: 'extends': '{entry['extends']}' names no training entry "
                           f"(use '<assignment>/<dataset>')") from None
        return {**base, **{k: v for k, v in entry.items() if k != "extends"}}

    @property
    def notebook(self) -> Path:
        return REPO_ROOT / self.config["notebook"]

    @property
    def manual_questions(self) -> dict:
        """Questions graded by hand: key -> {"points", "title"}."""
        return self.config.get("manual", {})

    @property
    def tests_dir(self) -> Path:
        return self.folder / "tests"

    @property
    def question_names(self) -> list[str]:
        return sorted(p.stem for p in self.tests_dir.glob("*.py"))

    @property
    def autograder_zip(self) -> Path:
        return DIST / "autograder" / f"{self.name}.zip"

    @property
    def release_zip(self) -> Path:
        return DIST / "release" / f"{self.name}.zip"

    @property
    def solutions_path(self) -> Path:
        return REPO_ROOT / self.config["solutions"]

    def solution_sources(self) -> dict[str, str]:
        """Source for every cell a student fills: graded functions and ``CELLS``.

        Read from the solutions file's syntax tree, so that building sample
        notebooks does not import TensorFlow.
        """
        text = self.solutions_path.read_text()
        tree = ast.parse(text, str(self.solutions_path))
        sources = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in self.config["graded_functions"]:
                sources[node.name] = ast.get_source_segment(text, node)
            elif isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CELLS":
                sources.update(ast.literal_eval(node.value))
        missing = set(self.config["graded_functions"]) - set(sources)
        if missing:
            raise KitError(f"{self.solutions_path}: no reference for {sorted(missing)}")
        return sources


def build_all(build, names, **options):
    """``build(name, **options)`` for each assignment, printing what it made.

    A :class:`KitError` ends the command with its message rather than a traceback.
    """
    try:
        for name in names:
            print(f"built {build(name, **options).relative_to(REPO_ROOT)}")
    except KitError as exc:
        sys.exit(f"error: {exc}")


def available() -> list[str]:
    return sorted(p.parent.name for p in HERE.glob("*/config.json"))


def get(name: str) -> Assignment:
    assignment = Assignment(name)
    assignment.config  # fail early with a clear message
    return assignment
