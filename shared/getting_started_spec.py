"""The "Getting started" assignment's public specification (IMDB and Reuters).

Public checks in the notebook and the hidden tests both read these, so a
change to the specification is made once. Parameter counts follow from the
layer sizes: 10,000 x 16 + 16, 16 x 16 + 16 and 16 + 1 make 160,305 for IMDB;
10,000 x 64 + 64, 64 x 64 + 64 and 64 x 46 + 46 make 647,214 for Reuters.
"""
NUM_WORDS = 10_000  # keep the 10,000 most frequent words
INDEX_OFFSET = 3  # indices 0, 1, 2 are padding, start of sequence and unknown
N_TOPICS = 46  # Reuters newswire topics

IMDB_TABLE = [
    ["Dense", (None, 16), 160_016, "relu"],
    ["Dense", (None, 16), 272, "relu"],
    ["Dense", (None, 1), 17, "sigmoid"],
]
IMDB_PARAMS = 160_305
IMDB_COMPILE = {"optimizer": "rmsprop", "loss": "binary_crossentropy", "metrics": ["accuracy"]}

REUTERS_TABLE = [
    ["Dense", (None, 64), 640_064, "relu"],
    ["Dense", (None, 64), 4_160, "relu"],
    ["Dense", (None, N_TOPICS), 2_990, "softmax"],
]
REUTERS_PARAMS = 647_214
REUTERS_COMPILE = {"optimizer": "rmsprop", "loss": "categorical_crossentropy",
                   "metrics": ["accuracy"]}
