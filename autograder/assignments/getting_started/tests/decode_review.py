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
    if not isinstance(got, str) or got != want:  # an array's != would not be one answer
        gradelib.fail(f"decode_review({sequence}, word_index) returned {got!r}, expected "
                      f"{want!r}. {advice}",
                      f"decode_review({sequence}, word_index) 返回了 `{got!r}`，应为 `{want!r}`。{advice}")


@test_case(name=gradelib.text("decode_review shifts every index by 3", "decode_review 把每个索引偏移 3"), points=1)
def offsets(decode_review):
    check(decode_review, "review", gradelib.text(
        "Look up index - 3: indices 0, 1 and 2 are reserved for padding, start of sequence and "
        "unknown words; join the words with single spaces.",
        "查找 `index - 3` 处的词：索引 0、1、2 保留给填充、序列开始和未知词；用单个空格连接各个词。"))


@test_case(name=gradelib.text("decode_review writes '?' for reserved and unknown indices",
                          "decode_review 对保留索引和未知索引写 '?'"), points=1)
def unknown_words(decode_review):
    check(decode_review, "unknown_words", gradelib.text(
        "Use reverse_word_index.get(i - 3, '?') so that indices without a word (the start and "
        "unknown markers, words outside the index) read as '?'.",
        "使用 reverse_word_index.get(i - 3, '?')，让没有对应词的索引（开始标记、未知词标记、词索引之外的词）"
        "显示为 '?'。"))
