"""Hidden tests for best_epoch(history)."""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "best_epoch"


def reference(history):
    return int(np.argmin(history.history["val_loss"])) + 1


def check(best_epoch, case, advice):
    got = gradelib.call_case(best_epoch, "best_epoch", case)
    want = gradelib.expected_case(reference, "best_epoch", case)
    val_loss = gradelib.probe_case("best_epoch", case)[0].history["val_loss"]
    if isinstance(got, bool) or not isinstance(got, (int, np.integer)) or int(got) != want:
        gradelib.fail(f"for val_loss = {val_loss}, best_epoch returned {got!r}, expected {want}. "
                      f"{advice}")


@test_case(name="best_epoch picks the epoch with the lowest validation loss", points=2)
def lowest(best_epoch):
    for case in ("falls_then_rises", "best_is_first", "best_is_last", "noisy"):
        check(best_epoch, case, "Use history.history['val_loss'] (not the training loss), "
              "and count epochs from 1: the first epoch is epoch 1. Return a Python int.")


@test_case(name="best_epoch breaks ties towards the earlier epoch", points=1)
def ties(best_epoch):
    check(best_epoch, "tie", "When two epochs share the lowest validation loss, return the "
          "earlier one (np.argmin does).")
