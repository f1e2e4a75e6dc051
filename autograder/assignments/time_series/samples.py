"""The embedded sample class for "Time series": what ``make demo`` grades."""
from autograder.tools.samples import Sample, mistake

FULL = {"windowed_dataset": 6, "forecaster": 5, "forecast": 3}

ALTERNATIVE = {
    "windowed_dataset": '''
def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    """Keras's own helper: windows of window_size, each target the value after it."""
    return keras.utils.timeseries_dataset_from_array(
        series[:-1], targets=series[window_size:], sequence_length=window_size,
        batch_size=batch_size, shuffle=True).prefetch(1)
''',
    "build_forecaster": '''
def build_forecaster():
    """model.add(), keras.ops instead of tf, and a named scale."""
    scale = 100
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,)))
    model.add(layers.Lambda(lambda x: keras.ops.expand_dims(x, -1)))
    model.add(layers.Bidirectional(layers.LSTM(32, return_sequences=True)))
    model.add(layers.Bidirectional(layers.LSTM(32)))
    model.add(layers.Dense(1))
    model.add(layers.Lambda(lambda x: scale * x))
    return model
''',
    "forecast": '''
def forecast(model, series, window_size, start):
    """A tf.data pipeline without shuffling."""
    ds = tf.data.Dataset.from_tensor_slices(series[start - window_size:-1])
    ds = ds.window(window_size, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(window_size)).batch(128)
    return model.predict(ds, verbose=0)[:, 0]
''',
}

LABEL_IN_WINDOW = '''
def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    dataset = tf.data.Dataset.from_tensor_slices(series)
    dataset = dataset.window(window_size, shift=1, drop_remainder=True)
    dataset = dataset.flat_map(lambda window: window.batch(window_size))
    dataset = dataset.shuffle(shuffle_buffer).map(lambda window: (window, window[-1]))
    return dataset.batch(batch_size).prefetch(1)
'''

#: Shuffles the batches instead of the windows: every window once, right labels, right batch
#: sizes, and the public check (which sorts the windows) passes; but each batch holds
#: consecutive windows.
SHUFFLES_BATCHES = '''
def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    dataset = tf.data.Dataset.from_tensor_slices(series)
    dataset = dataset.window(window_size + 1, shift=1, drop_remainder=True)
    dataset = dataset.flat_map(lambda window: window.batch(window_size + 1))
    dataset = dataset.map(lambda window: (window[:-1], window[-1]))
    return dataset.batch(batch_size).shuffle(shuffle_buffer).prefetch(1)
'''

SAMPLES = [
    Sample("reference", "the reference solution", {}, FULL),
    Sample("alternative", "correct, written differently (timeseries_dataset_from_array, "
           "model.add, keras.ops, tf.data forecast)", ALTERNATIVE, FULL),
    Sample("label_in_window", "windows of window_size: the label is the window's own last value",
           {"windowed_dataset": LABEL_IN_WINDOW}, {**FULL, "windowed_dataset": 1}),
    Sample("no_shuffle", "the windows in the series' order",
           mistake("time_series", "windowed_dataset", ".shuffle(shuffle_buffer)", ""),
           {**FULL, "windowed_dataset": 5}),
    Sample("sees_the_future", "forecast's windows end on the step they predict",
           mistake("time_series", "forecast", "series[start - window_size:-1]",
                   "series[start - window_size + 1:]"),
           {**FULL, "forecast": 1}),
    Sample("no_scaling", "build_forecaster without the final x * 100 Lambda",
           mistake("time_series", "build_forecaster", "        layers.Lambda(lambda x: x * 100.0),\n", ""),
           {**FULL, "forecaster": 1}),
    Sample("shuffles_batches", "windowed_dataset shuffles after batching: each batch holds "
           "consecutive windows", {"windowed_dataset": SHUFFLES_BATCHES},
           {**FULL, "windowed_dataset": 5}),
    Sample("predict_as_is", "forecast returns model.predict's (steps, 1) array: the right "
           "values, which the public check accepts (it ravels), but the edge case of the "
           "documented form, a 1-D array, is wrong; only the form test's point is lost",
           mistake("time_series", "forecast", "verbose=0).ravel()", "verbose=0)"),
           {**FULL, "forecast": 2}),
    Sample("stub", "the untouched student notebook", None, {q: 0 for q in FULL}),
]

#: The sample correct except for one documented edge case (it passes every public check).
EDGE_CASE = "predict_as_is"

# A planted copy of "alternative" (issue 15): variables renamed, independent statements
# reordered, comments changed. make similarity must rank it above every pair of
# independently written solutions; it gets the points of what it copied.
COPIED = {
    "windowed_dataset": '''
def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    # keras cuts the windows; each target is the value after its window
    return keras.utils.timeseries_dataset_from_array(
        series[:-1], targets=series[window_size:], sequence_length=window_size,
        batch_size=batch_size, shuffle=True).prefetch(1)
''',
    "build_forecaster": '''
def build_forecaster():
    net = keras.Sequential()
    factor = 100
    net.add(keras.Input(shape=(None,)))
    net.add(layers.Lambda(lambda t: keras.ops.expand_dims(t, -1)))
    net.add(layers.Bidirectional(layers.LSTM(32, return_sequences=True)))
    net.add(layers.Bidirectional(layers.LSTM(32)))
    net.add(layers.Dense(1))
    net.add(layers.Lambda(lambda t: factor * t))  # back to the series' scale
    return net
''',
    "forecast": '''
def forecast(model, series, window_size, start):
    # every window from start on, batched, in order
    data = tf.data.Dataset.from_tensor_slices(series[start - window_size:-1])
    data = data.window(window_size, shift=1, drop_remainder=True)
    data = data.flat_map(lambda win: win.batch(window_size)).batch(128)
    return model.predict(data, verbose=0)[:, 0]
''',
}

SAMPLES += [
    Sample("copier", "a disguised copy of alternative (renamed, reordered, new comments)",
           COPIED, FULL),
]
#: Planted copies for make similarity: copy -> {"code" or "text": the sample it copies}.
PLANTED = {"copier": {"code": "alternative"}}
