"""The embedded sample class for ConvNets: what ``make demo`` grades.

Each sample fills the student notebook's cells with the reference solution
except where it says otherwise, and states the points it must get per
question and the status. ``tests/test_sample_class.py`` asserts them.
"""
from autograder.samples import Sample, mistake

FULL = {"happy_model": 7, "signs_model": 7}

ALTERNATIVE_HAPPY = '''
import tensorflow as tf
tfl = tf.keras.layers

def happyModel():
    """Same network, built with model.add() and the tf.keras aliases."""
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=(64, 64, 3)))
    model.add(tfl.ZeroPadding2D(padding=(3, 3)))
    model.add(tfl.Conv2D(32, (7, 7), strides=(1, 1)))
    model.add(tfl.BatchNormalization(axis=3))
    model.add(tfl.ReLU())
    model.add(tfl.MaxPool2D(pool_size=(2, 2)))
    model.add(tfl.Flatten())
    model.add(tfl.Dense(1, activation=tf.keras.activations.sigmoid))
    return model
'''

ALTERNATIVE_SIGNS = '''
def convolutional_model(input_shape):
    """Same network, written as a loop over the two conv blocks."""
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for filters, kernel, pool in ((8, 4, 8), (16, 2, 4)):
        x = keras.layers.Conv2D(filters, kernel, padding="same")(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPool2D(pool, strides=pool, padding="same")(x)
    x = keras.layers.Flatten()(x)
    return keras.Model(inputs, keras.layers.Dense(6, activation="softmax")(x))
'''

ALTERNATIVE_COMPILE = '''
happy_model.compile(optimizer=keras.optimizers.Adam(),
                    loss=keras.losses.BinaryCrossentropy(),
                    metrics=[keras.metrics.BinaryAccuracy()])
'''

LOOPS_FOREVER = '''
def happyModel():
    while True:
        pass
'''

SAMPLES = [
    Sample("reference", "the reference solution", {}, FULL),
    Sample("alternative", "correct, written differently (model.add, tf.keras aliases, "
           "a loop, loss and metric objects)",
           {"happyModel": ALTERNATIVE_HAPPY, "convolutional_model": ALTERNATIVE_SIGNS,
            "happy_compile": ALTERNATIVE_COMPILE}, FULL),
    Sample("no_batchnorm", "happyModel without BatchNormalization",
           mistake("convnets", "happyModel", "        layers.BatchNormalization(axis=3),\n", ""),
           {"happy_model": 3, "signs_model": 7}),
    Sample("valid_padding", "first SIGNS Conv2D with 'valid' instead of 'same' padding",
           mistake("convnets", "convolutional_model", 'strides=1, padding="same")(input_img)',
                   'strides=1, padding="valid")(input_img)'),
           {"happy_model": 7, "signs_model": 4}),
    Sample("wrong_activation", "SIGNS output layer with relu instead of softmax",
           mistake("convnets", "convolutional_model", 'activation="softmax"', 'activation="relu"'),
           {"happy_model": 7, "signs_model": 2}),
    Sample("wrong_loss", "conv_model compiled with mse",
           mistake("convnets", "signs_compile", "categorical_crossentropy", "mse"),
           {"happy_model": 7, "signs_model": 6}),
    # The course notes' own SIGNS code: Keras 3 rejects padding='SAME' with a ValueError.
    Sample("raises", "SIGNS copied from the TF 2.2 notes: padding='SAME' raises in Keras 3",
           mistake("convnets", "convolutional_model", 'strides=8, padding="same"',
                   'strides=8, padding="SAME"'),
           {"happy_model": 7, "signs_model": 0}),
    Sample("stub", "the untouched student notebook", None, {"happy_model": 0, "signs_model": 0}),
    Sample("kills_kernel", "a cell calls os._exit(1) (otter then writes no results)",
           {"happy_compile": "import os\nos._exit(1)"},
           {"happy_model": 0, "signs_model": 0}, status="crashed"),
    Sample("loops_forever", "happyModel never returns", {"happyModel": LOOPS_FOREVER},
           {"happy_model": 0, "signs_model": 0}, status="timeout"),
]
