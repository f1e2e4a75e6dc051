"""Fingerprints: what of a cell's code or a written answer two students can share.

Code is parsed and normalised on its syntax tree (names it binds -> ``_``, literals ->
placeholders, docstrings dropped; comments and layout never reach the tree), and each
subtree of at least ``MIN_NODES`` nodes is one fingerprint: renaming, new comments,
reformatting and reordered independent statements leave a statement's fingerprints as
they were. Code that does not parse falls back to normalised token ``TOKEN_GRAM``-grams.
Written answers are their content words cut to ``STEM`` letters (a crude stemmer that
needs no language model), Chinese as character pairs.
"""
import ast
import io
import keyword
import re
import tokenize
from collections import Counter
from dataclasses import dataclass, field

MIN_NODES = 3        # a fingerprint is a subtree of at least this many nodes
TOKEN_GRAM = 5       # tokens per fingerprint for code that does not parse
STEM = 5             # letters kept of each word of a written answer
PLACEHOLDERS = ("# YOUR CODE HERE", "_Type your answer here, replacing this text._")
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
    lines: dict = field(default_factory=dict)  # fingerprint -> set of line numbers (1-based)


class _Normalise(ast.NodeTransformer):
    """Bound names -> ``_``, literals -> placeholders, docstrings dropped (in place,
    so nodes keep their line numbers)."""

    def __init__(self, bound: set[str]):
        self.bound = bound

    def visit_Name(self, node):
        if node.id in self.bound:
            node.id = "_"
        return node

    def visit_arg(self, node):
        node.arg, node.annotation = "_", None
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            node.value = ""
        elif isinstance(node.value, (int, float, complex)) and not isinstance(node.value, bool):
            node.value = 0
        return node

    def _body(self, node):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]
        return node

    def visit_FunctionDef(self, node):
        if node.name in self.bound:
            node.name = "_"
        node.returns = None
        return self._body(self.generic_visit(node))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        if node.name in self.bound:
            node.name = "_"
        return self._body(self.generic_visit(node))

    def visit_Expr(self, node):
        return None if _is_docstring(node) else self.generic_visit(node)


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
    """(fingerprint counts, fingerprint -> lines) of Python ``source``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return _token_fingerprints(source)
    tree = _Normalise(_bound_names(tree, set(given_names))).visit(tree)
    counts, lines, sizes = Counter(), {}, {}
    for node in _post_order(tree):
        children = list(ast.iter_child_nodes(node))
        sizes[node] = 1 + sum(sizes.get(child, 0) for child in children)
        if sizes[node] < MIN_NODES or not hasattr(node, "lineno"):
            continue
        key = hash(ast.dump(node, annotate_fields=False))
        counts[key] += 1
        end = getattr(node, "end_lineno", None) or node.lineno
        lines.setdefault(key, set()).update(range(node.lineno, end + 1))
    return counts, lines


def _post_order(node):
    for child in ast.iter_child_nodes(node):
        yield from _post_order(child)
    yield node


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
        lines.setdefault(key, set()).update(range(gram[0][1], gram[-1][1] + 1))
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
                lines.setdefault(key, set()).add(line_number)
    return counts, lines




def strip_placeholders(text: str) -> str:
    """A cell without the stub's placeholder lines."""
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, "")
    return text.strip()
