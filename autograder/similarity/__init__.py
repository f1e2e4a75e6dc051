"""``make similarity RUN=<run>``: which students handed in the same code or the same paragraph.

Advisory only: it writes ``similarity.csv`` and ``similarity.html`` into the run folder
and changes no score. ``make grade`` runs it at the end of every class. The parts: :mod:`.fingerprints`,
:mod:`.scoring`, :mod:`.reports`, :mod:`.calibration`, :mod:`.cli`.

How two submissions are compared, and why:

- **Code** (each fill cell): the cell is parsed and normalised on its syntax tree:
  every name the cell binds (variables, arguments, loop and helper names) becomes
  ``_``, every literal becomes a placeholder, docstrings go and comments and
  layout never reach the tree. Each subtree of at least ``MIN_NODES`` nodes is one
  fingerprint, and a cell is the multiset of its fingerprints. Renaming variables,
  changing comments or literals, reformatting and reordering independent
  statements (each statement keeps its own subtrees; only the enclosing block's
  changes) leave the fingerprints as they were, so a disguised copy scores as the
  original. Code that does not parse falls back to normalised token 5-grams.
  This beat copydetect's winnowed token k-grams on the calibration set (see
  ``calibrate``): reordering cuts k-grams at every moved boundary, and the tree
  measure scores a copy with reordered lines as high as an exact copy.
- **Written answers**: lower-cased words cut to their first ``STEM`` letters (a
  crude, language-free stemmer), stop words dropped; a paraphrase keeps the
  content words (numbers, technical terms) while it changes the glue.
- **What everybody writes is no evidence.** Fingerprints of the stub and of the
  notebook's given code are removed; a fingerprint found in more than
  ``COMMON`` of the class (at least ``COMMON_MIN`` submissions) is removed too, and the
  rest are weighted by how rare they are (``log(N / df)``). A pair's score is the
  weighted Jaccard index of its two multisets with ``SMOOTHING`` added to the
  union, so two one-line cells that happen to agree cannot reach the top.

Pairs whose score reaches the assignment's threshold (``similarity`` in its
config, with the separation measured on the sample class and generated copies
beside it) are marked in the report; every pair above ``LISTED`` is listed.
"""
from autograder.similarity.fingerprints import (Document, code_fingerprints, strip_placeholders,
                                                text_fingerprints)
from autograder.similarity.scoring import (Pair, compare, extract, given_code, scores,
                                           thresholds, units_of)
from autograder.similarity.reports import link_from_summary, run, summary_lines
from autograder.similarity.calibration import (bench, calibrate, disguise_code, disguise_text,
                                               generated_class)
from autograder.similarity.cli import main

__all__ = ["Document", "Pair", "bench", "calibrate", "code_fingerprints", "compare",
           "disguise_code", "disguise_text", "extract", "generated_class", "given_code",
           "link_from_summary", "main", "run", "scores", "strip_placeholders", "summary_lines",
           "text_fingerprints", "thresholds", "units_of"]
