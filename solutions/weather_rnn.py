"""Reference solutions for "Weather RNN" (never shipped to students)."""
import keras
import numpy as np
from keras import layers


def generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6):
    """Yield (samples, targets) batches forever: past rows every `step`, temperature `delay` later."""
    if max_index is None:
        max_index = len(data) - delay - 1
    i = min_index + lookback
    while True:
        if shuffle:
            rows = np.random.randint(min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = np.zeros((len(rows), len(range(0, lookback, step)), data.shape[-1]))
        targets = np.zeros((len(rows),))
        for j, row in enumerate(rows):
            samples[j] = data[row - lookback:row:step]
            targets[j] = data[row + delay][1]
        yield samples, targets


def evaluate_naive_method(data, lookback, delay, min_index, max_index, batch_size=128, step=6):
    """MAE of "the temperature in `delay` steps equals the temperature now", batch by batch."""
    walk = generator(data, lookback, delay, min_index, max_index, batch_size=batch_size, step=step)
    steps = (max_index - min_index - lookback) // batch_size
    maes = []
    for _ in range(steps):
        samples, targets = next(walk)
        maes.append(np.mean(np.abs(samples[:, -1, 1] - targets)))
    return float(np.mean(maes))


def build_gru_model(n_features=14):
    """GRU(32) over the whole sequence, then one linear output; compiled with rmsprop and mae."""
    model = keras.Sequential([
        keras.Input(shape=(None, n_features)),
        layers.GRU(32),
        layers.Dense(1),
    ])
    model.compile(optimizer="rmsprop", loss="mae")
    return model
