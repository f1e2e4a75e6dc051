"""The "Time series" assignment's public specification: data settings and the forecaster."""
SPLIT_TIME = 1000
WINDOW_SIZE = 20
BATCH_SIZE = 32
SHUFFLE_BUFFER = 1000

FORECASTER_TABLE = [
    ["Lambda", (None, None, 1), 0],
    ["Bidirectional", (None, None, 64), 8_704, "LSTM", 32, True],
    ["Bidirectional", (None, 64), 24_832, "LSTM", 32, False],
    ["Dense", (None, 1), 65, "linear"],
    ["Lambda", (None, 1), 0],
]
FORECASTER_PARAMS = 33_601
