"""Hidden tests for best_epoch(history)."""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "best_epoch"


def reference(history):
    return int(np.argmin(history.history["val_loss"])) + 1


def same_epoch(got, want):
    """Whether ``got`` is the epoch ``want`` in another type (4.0, '4', [4], np.array([4]))."""
    try:
        values = np.asarray(got, dtype="float64").ravel()
    except (TypeError, ValueError):
        return False
    return values.size == 1 and values[0] == want


def check(best_epoch, case, advice):
    got = gradelib.call_case(best_epoch, "best_epoch", case)
    want = gradelib.expected_case(reference, "best_epoch", case)
    val_loss = gradelib.probe_case("best_epoch", case)[0].history["val_loss"]
    if isinstance(got, bool) or not isinstance(got, (int, np.integer)) or int(got) != want:
        if same_epoch(got, want):  # the right epoch as 4.0, '4' or [4]: the type is the mistake
            advice = gradelib.text(f"That is the right epoch, as a {type(got).__name__}: return "
                                   f"it as a Python int (int(...)).",
                                   f"这是正确的轮次，但类型是 {type(got).__name__}：请把它作为 Python int "
                                   f"返回（int(...)）。")
        elif same_epoch(got, want - 1):  # np.argmin's index: the epoch before, counted from 0
            advice = gradelib.text("That is the epoch's index in val_loss: count epochs from 1, "
                                   "so return np.argmin(val_loss) + 1.",
                                   "这是该轮次在 val_loss 中的索引：轮次从 1 开始计数，所以请返回 "
                                   "np.argmin(val_loss) + 1。")
        elif same_epoch(got, float(np.min(val_loss))):  # the lowest loss, not its epoch
            advice = gradelib.text("That is the lowest val_loss itself: return the epoch it "
                                   "belongs to, np.argmin(val_loss) + 1.",
                                   "这是最低的 val_loss 本身：请返回它所在的轮次，即 "
                                   "np.argmin(val_loss) + 1。")
        gradelib.fail(f"for val_loss = {val_loss}, best_epoch returned {got!r}, expected {want}. "
                      f"{advice}",
                      f"val_loss = {val_loss} 时，best_epoch 返回了 {got!r}，应为 {want}。{advice}")


@test_case(name=gradelib.text("best_epoch picks the epoch with the lowest validation loss",
                          "best_epoch 选出验证损失最低的轮次"), points=2)
def lowest(best_epoch):
    for case in ("falls_then_rises", "best_is_first", "best_is_last", "noisy"):
        check(best_epoch, case, gradelib.text(
            "Use history.history['val_loss'] (not the training loss), and count epochs from 1: "
            "the first epoch is epoch 1. Return a Python int.",
            "使用 history.history['val_loss']（不是训练损失），轮次从 1 开始计数：第一个轮次是第 1 轮。"
            "返回 Python int。"))


@test_case(name=gradelib.text("best_epoch breaks ties towards the earlier epoch",
                          "best_epoch 在并列时取较早的轮次"), points=1)
def ties(best_epoch):
    check(best_epoch, "tie", gradelib.text(
        "When two epochs share the lowest validation loss, return the earlier one (np.argmin "
        "does).", "两个轮次的验证损失并列最低时，返回较早的那个（np.argmin 就是这样做的）。"))
