"""The "Weather RNN" assignment's public specification: generator settings and the GRU."""
LOOKBACK = 1440  # 10 days of 10-minute rows
STEP = 6  # one sample per hour
DELAY = 144  # the target is the temperature 24 hours later
BATCH_SIZE = 128
TRAIN = (0, 200_000)
VALIDATION = (200_001, 300_000)
TEST = (300_001, None)
N_FEATURES = 14

GRU_TABLE = [
    ["GRU", (None, 32), 4_608, 32, False, 0.0, 0.0],
    ["Dense", (None, 1), 33, "linear"],
]
GRU_PARAMS = 4_641
GRU_COMPILE = {"optimizer": "rmsprop", "loss": "mae", "metrics": []}
