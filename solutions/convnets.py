"""Reference solutions for the ConvNets assignment (never shipped to students)."""
import keras
from keras import layers


def happyModel():
    """ZEROPAD2D -> CONV2D -> BATCHNORM -> RELU -> MAXPOOL -> FLATTEN -> DENSE."""
    model = keras.Sequential([
        keras.Input(shape=(64, 64, 3)),
        layers.ZeroPadding2D(padding=3),
        layers.Conv2D(filters=32, kernel_size=7, strides=1),
        layers.BatchNormalization(axis=3),
        layers.ReLU(),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(1, activation="sigmoid"),
    ])
    return model


def convolutional_model(input_shape):
    """CONV2D -> RELU -> MAXPOOL -> CONV2D -> RELU -> MAXPOOL -> FLATTEN -> DENSE."""
    input_img = keras.Input(shape=input_shape)
    z1 = layers.Conv2D(filters=8, kernel_size=4, strides=1, padding="same")(input_img)
    a1 = layers.ReLU()(z1)
    p1 = layers.MaxPooling2D(pool_size=8, strides=8, padding="same")(a1)
    z2 = layers.Conv2D(filters=16, kernel_size=2, strides=1, padding="same")(p1)
    a2 = layers.ReLU()(z2)
    p2 = layers.MaxPooling2D(pool_size=4, strides=4, padding="same")(a2)
    flat = layers.Flatten()(p2)
    outputs = layers.Dense(units=6, activation="softmax")(flat)
    return keras.Model(inputs=input_img, outputs=outputs)


#: Cells the notebook asks students to write that are not functions.
CELLS = {
    "happy_compile": (
        "happy_model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])"
    ),
    "signs_compile": (
        "conv_model.compile(optimizer='adam', loss='categorical_crossentropy',\n"
        "                   metrics=['accuracy'])"
    ),
}
