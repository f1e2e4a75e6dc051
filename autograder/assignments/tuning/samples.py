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
    Sample("stub", "the untouched student notebook", None, {q: 0 for q in FULL}),
]
