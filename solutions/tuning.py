"""Reference solutions for "Tuning experiments" (never shipped to students)."""
import keras
import numpy as np
import pandas as pd
from keras import layers


def build_model(n_layers, units, activation, loss, output, input_dim=10000):
    """n_layers Dense(units, activation), then the output layer; compiled with rmsprop."""
    model = keras.Sequential([keras.Input(shape=(input_dim,))])
    for _ in range(n_layers):
        model.add(layers.Dense(units, activation=activation))
    model.add(layers.Dense(output, activation="sigmoid" if output == 1 else "softmax"))
    model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy"])
    return model


def best_epoch(history):
    """1-based epoch with the lowest validation loss; the earlier one on a tie."""
    return int(np.argmin(history.history["val_loss"])) + 1


def results_table(runs):
    """One row per run: its best epoch, the validation scores there, the test accuracy."""
    rows = []
    for run in runs:
        logs = run["history"].history
        epoch = best_epoch(run["history"])
        rows.append({"name": run["name"], "best_epoch": epoch,
                     "val_loss": logs["val_loss"][epoch - 1],
                     "val_accuracy": logs["val_accuracy"][epoch - 1],
                     "test_accuracy": run["test_accuracy"]})
    return pd.DataFrame(rows, columns=["name", "best_epoch", "val_loss", "val_accuracy",
                                       "test_accuracy"])
