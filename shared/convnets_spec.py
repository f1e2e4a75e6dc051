"""The ConvNets assignment's public specification: expected layer tables.

These are the tables the course prints under each model. Public checks in the
notebook and the hidden tests both read them from here, so a change to the
specification is made once.
"""
HAPPY_INPUT_SHAPE = (64, 64, 3)
SIGNS_INPUT_SHAPE = (64, 64, 3)

HAPPY_TABLE = [
    ["ZeroPadding2D", (None, 70, 70, 3), 0, ((3, 3), (3, 3))],
    ["Conv2D", (None, 64, 64, 32), 4736, "valid", "linear", "GlorotUniform"],
    ["BatchNormalization", (None, 64, 64, 32), 128],
    ["ReLU", (None, 64, 64, 32), 0],
    ["MaxPooling2D", (None, 32, 32, 32), 0, (2, 2), (2, 2), "valid"],
    ["Flatten", (None, 32768), 0],
    ["Dense", (None, 1), 32769, "sigmoid"],
]
HAPPY_PARAMS = 37_633

SIGNS_TABLE = [
    ["InputLayer", [(None, 64, 64, 3)], 0],
    ["Conv2D", (None, 64, 64, 8), 392, "same", "linear", "GlorotUniform"],
    ["ReLU", (None, 64, 64, 8), 0],
    ["MaxPooling2D", (None, 8, 8, 8), 0, (8, 8), (8, 8), "same"],
    ["Conv2D", (None, 8, 8, 16), 528, "same", "linear", "GlorotUniform"],
    ["ReLU", (None, 8, 8, 16), 0],
    ["MaxPooling2D", (None, 2, 2, 16), 0, (4, 4), (4, 4), "same"],
    ["Flatten", (None, 64), 0],
    ["Dense", (None, 6), 390, "softmax"],
]
SIGNS_PARAMS = 1_310

#: What the notebook asks students to compile each model with.
HAPPY_COMPILE = {"optimizer": "adam", "loss": "binary_crossentropy", "metrics": ["accuracy"]}
SIGNS_COMPILE = {"optimizer": "adam", "loss": "categorical_crossentropy", "metrics": ["accuracy"]}
