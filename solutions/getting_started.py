"""Reference solutions for "Getting started" (IMDB and Reuters; never shipped to students)."""
import keras
import numpy as np
from keras import layers


def decode_review(sequence, word_index):
    """Words of an encoded review; indices are offset by 3 (padding, start, unknown)."""
    reverse_word_index = {index: word for word, index in word_index.items()}
    return " ".join(reverse_word_index.get(i - 3, "?") for i in sequence)


def vectorize_sequences(sequences, dimension=10000):
    """Multi-hot encode: row i has 1.0 at every word index that occurs in sequence i."""
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


def to_one_hot(labels, dimension=46):
    """One row per label with a single 1.0 at the label's index."""
    results = np.zeros((len(labels), dimension), dtype="float32")
    for i, label in enumerate(labels):
        results[i, label] = 1.0
    return results


def build_imdb_model():
    """16-16-1: two relu layers and a sigmoid output, compiled for binary labels."""
    model = keras.Sequential([
        keras.Input(shape=(10000,)),
        layers.Dense(16, activation="relu"),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_reuters_model():
    """64-64-46: two relu layers and a softmax over the 46 topics."""
    model = keras.Sequential([
        keras.Input(shape=(10000,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(46, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
