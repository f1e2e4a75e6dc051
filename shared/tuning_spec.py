"""The "Tuning experiments" assignment's public specification.

The variants of the homework, the columns of the results table, and the
layer table any ``build_model(...)`` call must produce. Public checks in the
notebook and the hidden tests read them from here.
"""
OPTIMIZER = "rmsprop"
INPUT_DIM = 10_000
RESULT_COLUMNS = ["name", "best_epoch", "val_loss", "val_accuracy", "test_accuracy"]

#: build_model arguments of every experiment: (n_layers, units, activation, loss, output)
VARIANTS = {
    "reuters: 32 units": ("reuters", (2, 32, "relu", "categorical_crossentropy", 46)),
    "reuters: 64 units": ("reuters", (2, 64, "relu", "categorical_crossentropy", 46)),
    "reuters: 128 units": ("reuters", (2, 128, "relu", "categorical_crossentropy", 46)),
    "reuters: 1 layer": ("reuters", (1, 64, "relu", "categorical_crossentropy", 46)),
    "reuters: 3 layers": ("reuters", (3, 64, "relu", "categorical_crossentropy", 46)),
    "imdb: 1 layer": ("imdb", (1, 16, "relu", "binary_crossentropy", 1)),
    "imdb: 3 layers": ("imdb", (3, 16, "relu", "binary_crossentropy", 1)),
    "imdb: 32 units": ("imdb", (2, 32, "relu", "binary_crossentropy", 1)),
    "imdb: 64 units": ("imdb", (2, 64, "relu", "binary_crossentropy", 1)),
    "imdb: mse loss": ("imdb", (2, 16, "relu", "mse", 1)),
    "imdb: tanh": ("imdb", (2, 16, "tanh", "binary_crossentropy", 1)),
}


def output_activation(output):
    """A single unit means binary labels (sigmoid); more units, one class each (softmax)."""
    return "sigmoid" if output == 1 else "softmax"


def expected_table(n_layers, units, activation, output, input_dim=INPUT_DIM):
    """The summary rows ``build_model(n_layers, units, activation, loss, output)`` must give."""
    rows, width = [], input_dim
    for hidden in range(n_layers):  # noqa: B007
        rows.append(["Dense", (None, units), width * units + units, activation])
        width = units
    rows.append(["Dense", (None, output), width * output + output, output_activation(output)])
    return rows


def expected_compile(loss):
    return {"optimizer": OPTIMIZER, "loss": loss, "metrics": ["accuracy"]}
