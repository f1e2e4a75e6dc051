"""Hidden tests for decode_review(sequence, word_index)."""
from otter.test_files import test_case

import gradelib
from shared.getting_started_spec import INDEX_OFFSET

OK_FORMAT = False
name = "decode_review"


def reference(sequence, word_index):
    reverse = {index: word for word, index in word_index.items()}
    return " ".join(reverse.get(i - INDEX_OFFSET, "?") for i in sequence)


def check(decode_review, case, advice):
    got = gradelib.call_case(decode_review, "decode_review", case)
    want = gradelib.expected_case(reference, "decode_review", case)
    sequence = gradelib.probe_case("decode_review", case)[0]
    if got != want:
        gradelib.fail(f"decode_review({sequence}, word_index) returned {got!r}, expected "
                      f"{want!r}. {advice}")


@test_case(name="decode_review shifts every index by 3", points=1)
def offsets(decode_review):
    check(decode_review, "review", "Look up index - 3: indices 0, 1 and 2 are reserved for "
          "padding, start of sequence and unknown words; join the words with single spaces.")


@test_case(name="decode_review writes '?' for reserved and unknown indices", points=1)
def unknown_words(decode_review):
    check(decode_review, "unknown_words", "Use reverse_word_index.get(i - 3, '?') so that "
          "indices without a word (the start and unknown markers, words outside the index) "
          "read as '?'.")
