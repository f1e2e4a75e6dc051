"""The embedded sample class for "Weather RNN": what ``make demo`` grades."""
from autograder.tools.samples import Sample, mistake

FULL = {"generator": 6, "naive_method": 2, "gru_model": 5}

ALTERNATIVE = {
    "generator": '''
def generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6):
    """Fancy indexing instead of a loop over rows."""
    if max_index is None:
        max_index = len(data) - delay - 1
    offsets = np.arange(-lookback, 0, step)
    i = min_index + lookback
    while True:
        if shuffle:
            rows = np.random.randint(min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = data[rows[:, None] + offsets[None, :]].astype(np.float64)
        yield samples, data[rows + delay, 1].astype(np.float64)
''',
    "build_gru_model": '''
def build_gru_model(n_features=14):
    """model.add(), an optimizer object and the loss's long name."""
    model = keras.Sequential()
    model.add(keras.Input(shape=(None, n_features)))
    model.add(keras.layers.GRU(units=32))
    model.add(keras.layers.Dense(units=1))
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="mean_absolute_error")
    return model
''',
}

#: The course notes' generator as printed (jena-weather-rnn.md): it allocates lookback // step
#: rows per sample, so it raises when step does not divide lookback. Everything else is right,
#: and it passes every public check (lookback=6, step=2 there).
COURSE_GENERATOR = '''
def generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6):
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

        samples = np.zeros((len(rows), lookback // step, data.shape[-1]))
        targets = np.zeros((len(rows), ))

        for j, row in enumerate(rows):
            indices = range(rows[j] - lookback, rows[j], step)
            samples[j] = data[indices]
            targets[j] = data[rows[j] + delay][1]

        yield samples, targets
'''

#: The sample correct except for one documented edge case (it passes every public check).
EDGE_CASE = "course_generator"

SAMPLES = [
    Sample("reference", "the reference solution", {}, FULL),
    Sample("alternative", "correct, written differently (fancy indexing, model.add)",
           ALTERNATIVE, FULL),
    Sample("wrong_column", "targets from column 0 (pressure) instead of the temperature",
           mistake("weather_rnn", "generator", "targets[j] = data[row + delay][1]",
                   "targets[j] = data[row + delay][0]"),
           {**FULL, "generator": 4, "naive_method": 0}),
    Sample("delay_ignored", "targets at the row itself",
           mistake("weather_rnn", "generator", "targets[j] = data[row + delay][1]",
                   "targets[j] = data[row][1]"),
           {**FULL, "generator": 4, "naive_method": 0}),
    Sample("wrong_step", "samples take every row, ignoring step",
           mistake("weather_rnn", "generator", "data[row - lookback:row:step]",
                   "data[row - lookback:row][:len(range(0, lookback, step))]"),
           {**FULL, "generator": 4, "naive_method": 0}),
    Sample("no_wrap", "sequential mode never starts again at min_index + lookback",
           mistake("weather_rnn", "generator", "            if i + batch_size >= max_index:\n"
                   "                i = min_index + lookback\n", ""),
           {**FULL, "generator": 1, "naive_method": 0}),
    Sample("course_generator", "the course notes' generator verbatim: lookback // step rows "
           "per sample, so the edge case step=7, lookback=10 raises; only the shape test's "
           "point is lost", {"generator": COURSE_GENERATOR}, {**FULL, "generator": 5}),
    Sample("stub", "the untouched student notebook", None, {q: 0 for q in FULL}),
]

# A planted copy of "alternative" (issue 15): variables renamed, independent statements
# reordered, comments changed. make similarity must rank it above every pair of
# independently written solutions; it gets the points of what it copied.
COPIED = {
    "generator": '''
def generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6):
    # whole batches by fancy indexing
    if max_index is None:
        max_index = len(data) - delay - 1
    pos = min_index + lookback
    shifts = np.arange(-lookback, 0, step)
    while True:
        if shuffle:
            idx = np.random.randint(min_index + lookback, max_index, size=batch_size)
        else:
            if pos + batch_size >= max_index:
                pos = min_index + lookback
            idx = np.arange(pos, min(pos + batch_size, max_index))
            pos += len(idx)
        batch = data[idx[:, None] + shifts[None, :]].astype(np.float64)
        yield batch, data[idx + delay, 1].astype(np.float64)
''',
    "build_gru_model": '''
def build_gru_model(n_features=14):
    # one GRU layer, then the regression output
    net = keras.Sequential()
    net.add(keras.Input(shape=(None, n_features)))
    net.add(keras.layers.GRU(units=32))
    net.add(keras.layers.Dense(units=1))
    net.compile(optimizer=keras.optimizers.RMSprop(), loss="mean_absolute_error")
    return net
''',
}

SAMPLES += [
    Sample("copier", "a disguised copy of alternative (renamed, reordered, new comments)",
           COPIED, FULL),
]
#: Planted copies for make similarity: copy -> {"code" or "text": the sample it copies}.
PLANTED = {"copier": {"code": "alternative"}}
