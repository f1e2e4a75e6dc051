"""The embedded sample class for ConvNets: what ``make demo`` grades.

Each sample fills the student notebook's cells with the reference solution
except where it says otherwise, and states the points it must get per
question and the status. ``tests/test_sample_class.py`` asserts them.
"""
from autograder.samples import Sample

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

NO_BATCHNORM = '''
def happyModel():
    return keras.Sequential([
        keras.Input(shape=(64, 64, 3)),
        layers.ZeroPadding2D(padding=3),
        layers.Conv2D(32, 7),
        layers.ReLU(),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(1, activation="sigmoid"),
    ])
'''

VALID_PADDING = '''
def convolutional_model(input_shape):
    input_img = keras.Input(shape=input_shape)
    x = layers.Conv2D(8, 4, padding="valid")(input_img)
    x = layers.ReLU()(x)
    x = layers.MaxPooling2D(pool_size=8, strides=8, padding="same")(x)
    x = layers.Conv2D(16, 2, padding="same")(x)
    x = layers.ReLU()(x)
    x = layers.MaxPooling2D(pool_size=4, strides=4, padding="same")(x)
    x = layers.Flatten()(x)
    return keras.Model(input_img, layers.Dense(6, activation="softmax")(x))
'''

WRONG_ACTIVATION = '''
def convolutional_model(input_shape):
    input_img = keras.Input(shape=input_shape)
    x = layers.Conv2D(8, 4, padding="same")(input_img)
    x = layers.ReLU()(x)
    x = layers.MaxPooling2D(pool_size=8, strides=8, padding="same")(x)
    x = layers.Conv2D(16, 2, padding="same")(x)
    x = layers.ReLU()(x)
    x = layers.MaxPooling2D(pool_size=4, strides=4, padding="same")(x)
    x = layers.Flatten()(x)
    return keras.Model(input_img, layers.Dense(6, activation="relu")(x))
'''

# The course notes' own SIGNS code: Keras 3 rejects padding='SAME' with a ValueError.
RAISES = '''
def convolutional_model(input_shape):
    input_img = keras.Input(shape=input_shape)
    z1 = layers.Conv2D(filters=8, kernel_size=4, padding="same")(input_img)
    a1 = layers.ReLU()(z1)
    p1 = layers.MaxPool2D(pool_size=8, strides=8, padding="SAME")(a1)
    z2 = layers.Conv2D(filters=16, kernel_size=2, padding="same")(p1)
    a2 = layers.ReLU()(z2)
    p2 = layers.MaxPool2D(pool_size=4, strides=4, padding="SAME")(a2)
    outputs = layers.Dense(6, activation="softmax")(layers.Flatten()(p2))
    return keras.Model(inputs=input_img, outputs=outputs)
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
           {"happyModel": NO_BATCHNORM}, {"happy_model": 3, "signs_model": 7}),
    Sample("valid_padding", "first SIGNS Conv2D with 'valid' instead of 'same' padding",
           {"convolutional_model": VALID_PADDING}, {"happy_model": 7, "signs_model": 4}),
    Sample("wrong_activation", "SIGNS output layer with relu instead of softmax",
           {"convolutional_model": WRONG_ACTIVATION}, {"happy_model": 7, "signs_model": 2}),
    Sample("wrong_loss", "conv_model compiled with mse",
           {"signs_compile": "conv_model.compile(optimizer='adam', loss='mse', "
                             "metrics=['accuracy'])"},
           {"happy_model": 7, "signs_model": 6}),
    Sample("raises", "SIGNS copied from the TF 2.2 notes: padding='SAME' raises in Keras 3",
           {"convolutional_model": RAISES}, {"happy_model": 7, "signs_model": 0}),
    Sample("stub", "the untouched student notebook", None, {"happy_model": 0, "signs_model": 0}),
    Sample("kills_kernel", "a cell calls os._exit(1) (otter then writes no results)",
           {"happy_compile": "import os\nos._exit(1)"},
           {"happy_model": 0, "signs_model": 0}, status="crashed"),
    Sample("loops_forever", "happyModel never returns", {"happyModel": LOOPS_FOREVER},
           {"happy_model": 0, "signs_model": 0}, status="timeout"),
]
