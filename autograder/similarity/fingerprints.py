"""Fingerprints: what of a cell's code or a written answer two students can share.

Code is parsed and normalised on its syntax tree (names it binds -> ``_``, literals ->
placeholders, docstrings dropped; comments and layout never reach the tree), and each
subtree of at least ``MIN_NODES`` nodes is one fingerprint: renaming, new comments,
reformatting and reordered independent statements leave a statement's fingerprints as
they were. Code that does not parse falls back to normalised token ``TOKEN_GRAM``-grams.
Written answers are their content words cut to ``STEM`` letters (a crude stemmer that
needs no language model), Chinese as character pairs.

The code is the student's, so nothing here recurses on it: the tree is normalised and
hashed with explicit stacks, each subtree's fingerprint built from its children's
(linear in the cell, where dumping every subtree was quadratic in its depth), code too
deep for CPython's parser is compared on tokens, and a :class:`Budget` caps what one
student's cells may cost in all.
"""
import ast
import io
import keyword
import re
import tokenize
import warnings
from collections import Counter
from dataclasses import dataclass, field

from autograder.engine.members import note

MIN_NODES = 3        # a fingerprint is a subtree of at least this many nodes
TOKEN_GRAM = 5       # tokens per fingerprint for code that does not parse
STEM = 5             # letters kept of each word of a written answer
#: Characters of code and written answers fingerprinted per student, all cells together.
#: The kit's reference cells are under 2 KB each and an assignment has at most 4 fill
#: cells and 3 answers; fingerprinting is linear in the characters, at worst about 8 us
#: each (deeply nested calls, measured), so one student costs the class at most about a
#: second. A cell or answer past what is left is not compared, and the report lists it.
STUDENT_BUDGET = 100_000
PLACEHOLDERS = ("# YOUR CODE HERE",)  # a written answer's, in every language: translations
KEYWORDS = set(keyword.kwlist)
STOP_WORDS = set("""a an the and or but if then than so as of to in on at by for with from into
that this these those it its is are was were be been being do does did has have had not no
i we you he she they my our your their me us them which what when where why how who whom
there here also very more most less can could would should will may might must just only
about after before because while over under up down out off again further once all any both
each few other some such own same too s t""".split())


@dataclass
class Document:
    """One student's text for one cell or question, and its fingerprints."""

    student: str
    text: str
    counts: Counter = field(default_factory=Counter)  # fingerprint -> occurrences
    #: fingerprint -> [(first line, last line)] of each occurrence (1-based): spans, since a
    #: deeply nested expression's subtrees each span most of its lines
    lines: dict = field(default_factory=dict)


class Skipped(Exception):
    """Why a cell or answer was left out of the comparison (listed in the report)."""


class Budget:
    """What fingerprinting may still spend on one student: ``STUDENT_BUDGET`` characters
    of code and answers in all (the work is linear in them), whatever the student sent."""

    def __init__(self, characters: int | None = None):
        self.left = STUDENT_BUDGET if characters is None else characters

    def spend(self, text: str):
        """Take ``text``'s share, or raise :class:`Skipped` (and take nothing)."""
        if len(text) > self.left:
            raise Skipped(note("note.sim_budget", size=f"{len(text):,}",
                               budget=f"{STUDENT_BUDGET:,}"))
        self.left -= len(text)


def _normalise(tree, bound: set[str]):
    """Bound names -> ``_``, literals -> placeholders, string statements (docstrings)
    dropped, in place so that nodes keep their line numbers. ``ast.walk`` is iterative
    and reaches a node before its children, so a docstring is seen before its string is."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id in bound:
                node.id = "_"
        elif isinstance(node, ast.arg):
            node.arg, node.annotation = "_", None
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                node.value = ""
            elif isinstance(node.value, (int, float, complex)) and not isinstance(node.value, bool):
                node.value = 0
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in bound:
                node.name = "_"
            if not isinstance(node, ast.ClassDef):
                node.returns = None
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and any(map(_is_docstring, value)):
                setattr(node, name, [item for item in value if not _is_docstring(item)])


def _is_docstring(node) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def _bound_names(tree, given_names: set[str]) -> set[str]:
    """Names the code binds itself, other than the graded functions the stub names."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound - given_names


def code_fingerprints(source: str, given_names: frozenset = frozenset()) -> tuple[Counter, dict]:
    """(fingerprint counts, fingerprint -> [(first line, last line)] of each occurrence) of
    Python ``source``, in time linear in its size. Code the parser refuses, for its syntax
    or for nesting deeper than CPython's parser goes (RecursionError, MemoryError), is
    compared on tokens."""
    try:
        with warnings.catch_warnings():  # the student's "\d" is not the TA's to read
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _token_fingerprints(source)
    _normalise(tree, _bound_names(tree, set(given_names)))
    counts, lines = Counter(), {}
    for node, key, size in _subtrees(tree):
        if size < MIN_NODES or not hasattr(node, "lineno"):
            continue
        counts[key] += 1
        lines.setdefault(key, []).append((node.lineno, getattr(node, "end_lineno", None)
                                          or node.lineno))
    return counts, lines


def _subtrees(tree):
    """(node, fingerprint, size in nodes) of every node, children first, without recursion.

    A node's fingerprint hashes its type, its own fields and its children's fingerprints
    (a Merkle hash), so equal subtrees, and only those (up to a 64-bit hash collision),
    get equal fingerprints: what ``hash(ast.dump(node))`` gave, without dumping every
    subtree again at every level above it (quadratic in the depth)."""
    digest, size = {}, {}
    stack = [(tree, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in ast.iter_child_nodes(node))
            continue
        parts, total = [type(node).__name__], 1
        for name, value in ast.iter_fields(node):
            if isinstance(value, ast.AST):
                parts.append((name, digest[id(value)]))
                total += size[id(value)]
            elif isinstance(value, list):
                parts.append((name, tuple(digest[id(item)] if isinstance(item, ast.AST)
                                          else repr(item) for item in value)))
                total += sum(size[id(item)] for item in value if isinstance(item, ast.AST))
            else:
                parts.append((name, repr(value)))
        digest[id(node)], size[id(node)] = hash(tuple(parts)), total
        yield node, digest[id(node)], total


def _token_fingerprints(source: str) -> tuple[Counter, dict]:
    """Normalised token 5-grams, for code the parser refuses."""
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                              tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if token.type == tokenize.NAME:
                text = token.string if token.string in KEYWORDS else "N"
            else:
                text = {tokenize.NUMBER: "0", tokenize.STRING: "''"}.get(token.type, token.string)
            tokens.append((text, token.start[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    counts, lines = Counter(), {}
    for start in range(len(tokens) - TOKEN_GRAM + 1):
        gram = tokens[start:start + TOKEN_GRAM]
        key = hash(tuple(text for text, _ in gram))
        counts[key] += 1
        lines.setdefault(key, []).append((gram[0][1], gram[-1][1]))
    return counts, lines


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def text_fingerprints(text: str) -> tuple[Counter, dict]:
    """Content words of a written answer, cut to ``STEM`` letters; Chinese (no spaces
    between words) as character pairs. Lines: where each occurs."""
    counts, lines = Counter(), {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        for word in re.findall(r"[^\W_]+(?:\.\d+)?", line.lower()):
            if CJK.search(word):
                keys = [word[i:i + 2] for i in range(len(word) - 1)] or [word]
            elif word in STOP_WORDS:
                continue
            else:
                keys = [word[:STEM]]
            for key in keys:
                counts[key] += 1
                lines.setdefault(key, []).append((line_number, line_number))
    return counts, lines




def covered(spans) -> list[int]:
    """The line numbers that ``spans`` ([(first, last)]) cover, in order: sorted and
    merged first, so the work is linear in the lines, not in the spans' lengths."""
    found, reached = [], 0
    for first, last in sorted(spans):
        found.extend(range(max(first, reached + 1), last + 1))
        reached = max(reached, last)
    return found


def strip_placeholders(text: str) -> str:
    """A cell without the stub's placeholder lines."""
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, "")
    return text.strip()
