"""The embedded sample class for "Tuning experiments": what ``make demo`` grades.

Written answers are scored by a TA, not here: the samples fill them so that
``manual/<question>.html`` has something to show, and the tests check the
pages and the merge of a TA's scores.
"""
from autograder.tools.samples import Sample, mistake

FULL = {"build_model": 4, "best_epoch": 3, "results_table": 3}

ALTERNATIVE = {
    "build_model": '''
def build_model(n_layers, units, activation, loss, output, input_dim=10000):
    """A list comprehension and loss by name; softmax chosen with a conditional."""
    hidden = [keras.layers.Dense(units, activation=activation) for _ in range(n_layers)]
    last = keras.layers.Dense(output, activation="softmax" if output > 1 else "sigmoid")
    model = keras.Sequential([keras.Input(shape=(input_dim,)), *hidden, last])
    model.compile(optimizer=keras.optimizers.RMSprop(), loss=loss, metrics=["acc"])
    return model
''',
    "best_epoch": '''
def best_epoch(history):
    """A plain loop with a strict comparison keeps the earliest minimum."""
    losses = history.history["val_loss"]
    best = 0
    for epoch, value in enumerate(losses):
        if value < losses[best]:
            best = epoch
    return best + 1
''',
    "results_table": '''
def results_table(runs):
    """Built column by column."""
    epochs = [best_epoch(run["history"]) for run in runs]
    return pd.DataFrame({
        "name": [run["name"] for run in runs],
        "best_epoch": epochs,
        "val_loss": [run["history"].history["val_loss"][e - 1] for run, e in zip(runs, epochs)],
        "val_accuracy": [run["history"].history["val_accuracy"][e - 1] for run, e in zip(runs, epochs)],
        "test_accuracy": [run["test_accuracy"] for run in runs],
    })
''',
}

ANSWERS = {
    "overfitting": "Validation loss is lowest at epoch 4 on IMDB and rises after it while the "
                   "training loss keeps falling: the model starts to memorise. I retrained 4 epochs.",
    "mse_loss": "mse on a sigmoid gives small gradients when the prediction is confidently wrong; "
                "cross-entropy is the log-likelihood of the labels.",
    "small_layers": "With 4 units the 46 topics cannot be kept apart: accuracy fell from 0.79 to 0.71.",
}

SAMPLES = [
    Sample("reference", "the reference solution, with written answers", {}, FULL,
           answers=ANSWERS),
    Sample("alternative", "correct, written differently (comprehension, a loop, columns)",
           ALTERNATIVE, FULL, answers={"overfitting": "<script>alert('x')</script> curves cross"}),
    Sample("always_softmax", "build_model uses softmax even for one output unit",
           mistake("tuning", "build_model", '"sigmoid" if output == 1 else "softmax"', '"softmax"'),
           {**FULL, "build_model": 1}),
    Sample("zero_based", "best_epoch returns the 0-based index",
           mistake("tuning", "best_epoch", ")) + 1", "))"),
           {**FULL, "best_epoch": 0, "results_table": 1}),
    Sample("training_loss", "best_epoch reads the training loss",
           mistake("tuning", "best_epoch", 'history.history["val_loss"]', 'history.history["loss"]'),
           {**FULL, "best_epoch": 0, "results_table": 1}),
    Sample("last_tie", "best_epoch keeps the later epoch on a tie",
           {"best_epoch": '''
def best_epoch(history):
    losses = np.asarray(history.history["val_loss"])
    return int(len(losses) - np.argmin(losses[::-1]))
'''}, {**FULL, "best_epoch": 2, "results_table": 1}),
    Sample("final_scores", "results_table reports the last epoch's scores",
           mistake("tuning", "results_table", '"val_loss": logs["val_loss"][epoch - 1],\n'
                   '                     "val_accuracy": logs["val_accuracy"][epoch - 1]',
                   '"val_loss": logs["val_loss"][-1],\n'
                   '                     "val_accuracy": logs["val_accuracy"][-1]'),
           {**FULL, "results_table": 1}),
    Sample("loss_from_output", "build_model picks the loss from the output size and ignores its "
           "loss argument: right for the public check's variants, wrong for the edge case of the "
           "homework's mse variant; only the compile test's point is lost",
           mistake("tuning", "build_model", "loss=loss",
                   'loss="binary_crossentropy" if output == 1 else "categorical_crossentropy"'),
           {**FULL, "build_model": 3}),
    Sample("stub", "the untouched student notebook", None, {q: 0 for q in FULL}),
]

#: The sample correct except for one documented edge case (it passes every public check).
EDGE_CASE = "loss_from_output"

# Issue 15 (make similarity): "copier" is a planted copy: the code of "alternative" with
# variables renamed, independent statements reordered and comments changed, and the
# reference's written answers paraphrased. "own_words" answers the questions
# independently (same course, same curves, its own words). Planted copies must rank
# above every independent pair; both get full points for their code.
COPIED = {
    "build_model": '''
def build_model(n_layers, units, activation, loss, output, input_dim=10000):
    # the output layer first, then the hidden stack
    last_layer = keras.layers.Dense(output, activation="softmax" if output > 1 else "sigmoid")
    stack = [keras.layers.Dense(units, activation=activation) for _ in range(n_layers)]
    net = keras.Sequential([keras.Input(shape=(input_dim,)), *stack, last_layer])
    net.compile(optimizer=keras.optimizers.RMSprop(), loss=loss, metrics=["acc"])
    return net
''',
    "best_epoch": '''
def best_epoch(history):
    # keep the first epoch with the smallest validation loss
    idx = 0
    vals = history.history["val_loss"]
    for e, v in enumerate(vals):
        if v < vals[idx]:
            idx = e
    return idx + 1
''',
    "results_table": '''
def results_table(runs):
    # one column at a time
    best = [best_epoch(r["history"]) for r in runs]
    return pd.DataFrame({
        "name": [r["name"] for r in runs],
        "best_epoch": best,
        "val_loss": [r["history"].history["val_loss"][b - 1] for r, b in zip(runs, best)],
        "val_accuracy": [r["history"].history["val_accuracy"][b - 1] for r, b in zip(runs, best)],
        "test_accuracy": [r["test_accuracy"] for r in runs],
    })
''',
}

PARAPHRASED = {
    "overfitting": "On IMDB the training loss keeps going down, but the validation loss reaches "
                   "its minimum at epoch 4 and climbs afterwards, so the network begins to "
                   "memorise the training data. That is why I retrained it for 4 epochs.",
    "mse_loss": "Cross-entropy is the log-likelihood of the labels, whereas mse after a sigmoid "
                "produces tiny gradients whenever a prediction is wrong with high confidence.",
    "small_layers": "Accuracy dropped from 0.79 to 0.71: 4 units are too few to keep the 46 "
                    "topics apart.",
}

OWN_WORDS = {
    "overfitting": "The Reuters run overfits first: its validation loss bottoms out around the "
                   "third epoch while the training loss goes on shrinking, and the validation "
                   "accuracy stops improving. For IMDB the turn comes a little later. I picked "
                   "the epoch with the best validation loss and retrained from scratch with "
                   "that budget.",
    "mse_loss": "With mse the loss surface is flat once the sigmoid saturates, so a very wrong "
                "prediction hardly gets corrected. Binary cross-entropy punishes confident "
                "mistakes heavily, and it is what maximum likelihood gives for a Bernoulli "
                "output. In my runs the mse model trained more slowly and ended slightly lower.",
    "small_layers": "Shrinking the middle layer to a handful of units hurt Reuters badly: the "
                    "layer has to carry enough information to separate 46 topics, and a few "
                    "dimensions form a bottleneck. IMDB, with only two classes, barely noticed.",
}

SAMPLES += [
    Sample("copier", "a disguised copy: alternative's code, the reference's answers paraphrased",
           COPIED, FULL, answers=PARAPHRASED),
    Sample("own_words", "the reference's code, written answers in its own words", {}, FULL,
           answers=OWN_WORDS),
]
#: Planted copies for make similarity: copy -> {"code" or "text": the sample it copies}.
PLANTED = {"copier": {"code": "alternative", "text": "reference"}}
