"""Error text from libraries and student code, made fit for a student's feedback.

Why a module of its own, without Keras: the hidden tests (in the scorer) summarise the
errors they report, and the grader's own process (``runner``, which never imports
TensorFlow) cleans every sentence it renders; both use these same few lines.
"""
import re

#: Terminal escape sequences (Keras bolds the cause of a layer's error with them): in a
#: feedback page they are boxes. CSI, OSC (bounded) and two-character escapes.
ANSI = re.compile(r"\x1b(?:\[[0-?]{0,64}[ -/]{0,8}[@-~]|\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|[@-Z\\-_])")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: The lines Keras wraps around the cause of a layer's error ("Exception encountered when
#: calling Conv2D.call()." ... "Arguments received by ...", one "•" line per argument).
WRAPPER = re.compile(r"(Exception encountered when calling|Arguments received by|•)")
#: What TensorFlow wraps around an op's error (``{{function_node __wrapped__...}}`` before it,
#: ``[Op:IteratorGetNext] name:`` after it): the graph's names, not the student's mistake.
FUNCTION_NODE = re.compile(r"^\{\{function_node [^{}]{0,500}\}\}\s*")
OP_SUFFIX = re.compile(r"\s*\[Op:[^\[\]]{0,200}\](?:\s*name:\s*\S{0,200})?\s*$")
ERROR_SCAN = 20_000  # characters of an error read at most (a student controls its length)
ERROR_LINE = 300  # characters of the line kept


def error_summary(error, limit=ERROR_LINE) -> str:
    """The first meaningful line of an error a library raised, for feedback.

    Why: a Keras error is six lines (a header, the cause in bold escape codes, every
    argument of the call), repeated under each test that meets it; the student needs
    the cause alone, readable in a browser. Linear in the (bounded) text, whatever it holds.
    """
    text = plain(str(error)[:ERROR_SCAN])
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    meaningful = [line for line in lines if not WRAPPER.match(line)]
    line = (meaningful or lines or [""])[0]
    line = OP_SUFFIX.sub("", FUNCTION_NODE.sub("", line)) or line
    if len(line) <= limit:
        return line
    cut = line.rfind(" ", limit // 2, limit)  # at a word's end where there is one
    return line[:cut if cut > 0 else limit].rstrip() + " ..."


def plain(text: str) -> str:
    """``text`` without terminal escape codes or control characters (newlines and tabs kept)."""
    return CONTROL.sub("", ANSI.sub("", text))
