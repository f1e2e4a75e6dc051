"""The embedded sample class for "Getting started": what ``make demo`` grades.

Each sample is the reference solution with the cells it names replaced, and
states the points it must get per question (``tests/test_sample_class.py``).
"""
from autograder.tools.samples import Sample, mistake

FULL = {"decode_review": 2, "vectorize_sequences": 3, "to_one_hot": 3,
        "imdb_model": 6, "reuters_model": 6}

ALTERNATIVE = {
    "decode_review": '''
def decode_review(sequence, word_index):
    """Same result with an explicit loop."""
    words_by_index = dict((value, key) for (key, value) in word_index.items())
    words = []
    for index in sequence:
        words.append(words_by_index.get(index - 3, "?"))
    return " ".join(words)
''',
    "vectorize_sequences": '''
def vectorize_sequences(sequences, dimension=10000):
    """Same result with np.put on each row."""
    results = np.zeros((len(sequences), dimension), dtype=np.float32)
    for row, sequence in zip(results, sequences):
        np.put(row, list(sequence), 1)
    return results
''',
    "to_one_hot": '''
def to_one_hot(labels, dimension=46):
    """Rows of the identity matrix."""
    return np.eye(dimension, dtype="float32")[np.asarray(labels)]
''',
    "build_imdb_model": '''
def build_imdb_model():
    """model.add() one layer at a time, with optimizer, loss and metric objects."""
    model = keras.models.Sequential()
    model.add(keras.Input(shape=(10000,)))
    for units, activation in ((16, "relu"), (16, "relu"), (1, "sigmoid")):
        model.add(keras.layers.Dense(units, activation=activation))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
                  loss=keras.losses.BinaryCrossentropy(),
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return model
''',
}

COUNTS_WORDS = '''
def vectorize_sequences(sequences, dimension=10000):
    """Counts occurrences instead of marking them."""
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        for index in sequence:
            results[i, index] += 1.0
    return results
'''

KERAS_FLOAT64 = '''
def to_one_hot(labels, dimension=46):
    """Right values, but Keras returns float64."""
    return keras.utils.to_categorical(labels, dimension)
'''

#: The course notes' one-hot encoding (keras.utils.to_categorical(train_labels)), made float32:
#: its width is max(labels) + 1, which is 46 in the public check but not for every input.
COURSE_ONE_HOT = '''
def to_one_hot(labels, dimension=46):
    return keras.utils.to_categorical(labels).astype("float32")
'''

SAMPLES = [
    Sample("reference", "the reference solution", {}, FULL),
    Sample("alternative", "correct, written differently (loops, np.put, np.eye, loss objects)",
           ALTERNATIVE, FULL),
    Sample("off_by_one", "decode_review subtracts 2 instead of 3",
           mistake("getting_started", "decode_review", "i - 3", "i - 2"),
           {**FULL, "decode_review": 0}),
    Sample("counts_words", "vectorize_sequences counts repeated words", {
        "vectorize_sequences": COUNTS_WORDS}, {**FULL, "vectorize_sequences": 1}),
    Sample("float64", "NumPy's default float64 arrays in vectorize_sequences, Keras's in to_one_hot",
           {**mistake("getting_started", "vectorize_sequences", ', dtype="float32")', ")"),
            "to_one_hot": KERAS_FLOAT64},
           {**FULL, "vectorize_sequences": 2, "to_one_hot": 2}),
    # Trained with binary_crossentropy, a linear output still separates the reviews, so only
    # the layer table catches it.
    Sample("no_sigmoid", "IMDB output layer without the sigmoid",
           mistake("getting_started", "build_imdb_model", 'layers.Dense(1, activation="sigmoid")',
                   "layers.Dense(1)"),
           {**FULL, "imdb_model": 4}),
    Sample("wrong_loss", "Reuters compiled with binary_crossentropy",
           mistake("getting_started", "build_reuters_model", 'loss="categorical_crossentropy"',
                   'loss="binary_crossentropy"'),
           {**FULL, "reuters_model": 5}),
    Sample("bottleneck", "Reuters with a 4-unit middle layer",
           mistake("getting_started", "build_reuters_model", 'layers.Dense(64, activation="relu"),\n'
                   '        layers.Dense(46', 'layers.Dense(4, activation="relu"),\n'
                   '        layers.Dense(46'),
           {**FULL, "reuters_model": 1}),
    Sample("stub", "the untouched student notebook", None,
           {question: 0 for question in FULL}),
    Sample("hard_codes", "returns the public check's answer whatever the input", {
        "vectorize_sequences": '''
def vectorize_sequences(sequences, dimension=10000):
    return np.array([[1, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1]], dtype="float32")
'''}, {**FULL, "vectorize_sequences": 0}),
    Sample("course_to_categorical", "to_one_hot as the course writes it, to_categorical(labels) "
           "without num_classes: the edge case of labels that never reach dimension - 1 gives "
           "too few columns; only the shape test's point is lost", {"to_one_hot": COURSE_ONE_HOT},
           {**FULL, "to_one_hot": 2}),
]

#: The sample correct except for one documented edge case (it passes every public check).
EDGE_CASE = "course_to_categorical"

# A planted copy of "alternative" (issue 15): variables renamed, independent statements
# reordered, comments changed. make similarity must rank it above every pair of
# independently written solutions; it gets the points of what it copied.
COPIED = {
    "decode_review": '''
def decode_review(sequence, word_index):
    # look each index up in the reversed dictionary
    out = []
    lookup = dict((v, k) for (k, v) in word_index.items())
    for idx in sequence:
        out.append(lookup.get(idx - 3, "?"))
    return " ".join(out)
''',
    "vectorize_sequences": '''
def vectorize_sequences(sequences, dimension=10000):
    # one row per review, a 1 where a word occurs
    matrix = np.zeros((len(sequences), dimension), dtype=np.float32)
    for line, seq in zip(matrix, sequences):
        np.put(line, list(seq), 1)
    return matrix
''',
    "to_one_hot": '''
def to_one_hot(labels, dimension=46):
    # pick rows of an identity matrix
    return np.eye(dimension, dtype="float32")[np.asarray(labels)]
''',
    "build_imdb_model": '''
def build_imdb_model():
    net = keras.models.Sequential()
    net.add(keras.Input(shape=(10000,)))
    # two hidden layers and the output
    for n, act in ((16, "relu"), (16, "relu"), (1, "sigmoid")):
        net.add(keras.layers.Dense(n, activation=act))
    net.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
                loss=keras.losses.BinaryCrossentropy(),
                metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return net
''',
}

SAMPLES += [
    Sample("copier", "a disguised copy of alternative (renamed, reordered, new comments)",
           COPIED, FULL),
]
#: Planted copies for make similarity: copy -> {"code" or "text": the sample it copies}.
PLANTED = {"copier": {"code": "alternative"}}
