"""The embedded sample class for ConvNets: what ``make demo`` grades.

Each sample fills the student notebook's cells with the reference solution
except where it says otherwise, and states the points it must get per
question and the status. ``tests/test_sample_class.py`` asserts them.
"""
import nbformat

from autograder.tools.samples import Sample, mistake

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

#: The sample correct except for one documented edge case (it passes every public check).
EDGE_CASE = "fixed_input"

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
           {"happy_model": 7, "signs_model": 5}),
    Sample("wrong_activation", "SIGNS output layer with relu instead of softmax",
           mistake("convnets", "convolutional_model", 'activation="softmax"', 'activation="relu"'),
           {"happy_model": 7, "signs_model": 3}),
    Sample("wrong_loss", "conv_model compiled with mse",
           mistake("convnets", "signs_compile", "categorical_crossentropy", "mse"),
           {"happy_model": 7, "signs_model": 6}),
    # The course notes' own SIGNS code: Keras 3 rejects padding='SAME' with a ValueError.
    Sample("raises", "SIGNS copied from the TF 2.2 notes: padding='SAME' raises in Keras 3",
           mistake("convnets", "convolutional_model", 'strides=8, padding="same"',
                   'strides=8, padding="SAME"'),
           {"happy_model": 7, "signs_model": 0}),
    Sample("fixed_input", "convolutional_model ignores input_shape (keras.Input(shape=(64, 64, "
           "3))): right for the SIGNS images of the public check, wrong for the edge case of "
           "another image size; only the input-shape test's point is lost",
           mistake("convnets", "convolutional_model", "keras.Input(shape=input_shape)",
                   "keras.Input(shape=(64, 64, 3))"),
           {"happy_model": 7, "signs_model": 6}),
    Sample("stub", "the untouched student notebook", None, {"happy_model": 0, "signs_model": 0}),
    Sample("kills_kernel", "the happy compile cell calls os._exit(1)",
           {"happy_compile": "import os\nos._exit(1)"},
           {"happy_model": 6, "signs_model": 0}, status="crashed"),
    Sample("loops_forever", "happyModel never returns", {"happyModel": LOOPS_FOREVER},
           {"happy_model": 0, "signs_model": 0}, status="timeout"),
]

# --- Adversarial submissions: a correct solution plus one attack each. -------------
# Each must get what its honest content deserves, a status that names what
# happened and, where its code tried something, a flag; the rest of the run
# must not notice. The sandbox and scorer are in autograder/engine/runner.py.

READ_HIDDEN = r'''
import glob, pathlib, shared
repo = pathlib.Path(shared.__file__).resolve().parent.parent
stolen = []
for path in [repo / "autograder/assignments/convnets/tests/happy_model.py",
             repo / "autograder/assignments/convnets/config.json",
             *glob.glob("/tmp/kit-trusted-*/**/*", recursive=True), *glob.glob(str(repo / "dist/**/*.zip"))]:
    try:
        stolen.append(open(path).read())
    except OSError:
        pass
assert not stolen, "the sandbox leaked hidden files"
'''

MONKEYPATCH = r'''
import builtins, otter, shared.checks, shared.summary
shared.checks.compile_problems = lambda *a, **k: []
shared.summary.differences = lambda *a, **k: []
otter.test_files.exception_test.ExceptionTestFile.run = lambda *a, **k: None
builtins.AssertionError = Exception
'''

FAKE_RESULTS = r'''
import json, os
for path in ["results.json", "grades.csv", "artifacts/progress.json", "../results.json"]:
    try:
        with open(path, "w") as f:
            f.write(json.dumps({"tests": [{"name": "happy_model", "score": 1000, "max_score": 7}]}))
    except OSError:
        pass
print('{"tests": [{"name": "happy_model", "score": 1000}]}  Total Score: 1000 / 14')
'''

NETWORK = r'''
import socket
try:
    socket.create_connection(("1.1.1.1", 80), timeout=3)
except OSError as exc:
    print("no network:", exc)
'''

DELETE_FILES = r'''
import os, shutil, shared.data
shutil.rmtree(os.getcwd(), ignore_errors=True)
shutil.rmtree(shared.data.data_dir(), ignore_errors=True)
for path in [shared.__file__, "/work", os.path.expanduser("~")]:
    shutil.rmtree(path, ignore_errors=True)
'''

FORK_BOMB = r'''
import os
children = 0
try:
    while True:
        if os.fork() == 0:
            import time
            time.sleep(600)
            os._exit(0)
        children += 1
except OSError:
    print("fork refused after", children, "children")
'''

EQ_ALWAYS_TRUE = '''
class Anything:
    """Compares equal to everything, counts as any number of parameters."""
    def __eq__(self, other):
        return True
    def count_params(self):
        return 37633
    def __getattr__(self, name):
        return self

def happyModel():
    return Anything()
'''


def _not_json():
    return b"this is not a notebook {"


def _too_big():
    return b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, "pad": "' \
        + b"x" * (200 * 2**20) + b'"}'


def _empty():
    return nbformat.writes(nbformat.v4.new_notebook()).encode()


def _nbformat3():
    from autograder import assignments
    from autograder.tools.samples import notebook_for
    nb = notebook_for(assignments.get("convnets"), Sample("v3", "", {}))
    return nbformat.writes(nbformat.convert(nb, 3)).encode()


def _other_kernel():
    from autograder import assignments
    from autograder.tools.samples import notebook_for
    nb = notebook_for(assignments.get("convnets"), Sample("k", "", {}))
    nb.metadata["kernelspec"] = {"name": "conda-env-dl-py", "display_name": "DL", "language": "python"}
    return nbformat.writes(nb).encode()


ZERO = {"happy_model": 0, "signs_model": 0}

SAMPLES += [
    Sample("loop_at_end", "correct, then a cell that loops forever", {}, FULL, status="timeout",
           attack="while True:\n    pass", after="end"),
    Sample("loop_at_start", "a cell that loops forever before anything is defined", {}, ZERO,
           status="timeout", attack="while True:\n    pass"),
    Sample("memory_hog", "correct, plus a cell that allocates until refused", {}, FULL,
           attack="hog = []\nwhile True:\n    hog.append(bytearray(10**8))", flags=("memory",)),
    Sample("fork_bomb", "correct, plus a cell that forks until refused", {}, FULL,
           attack=FORK_BOMB, flags=("process",)),
    Sample("print_50mb", "correct, plus a cell printing 50 MB", {}, FULL,
           attack="print('x' * 50_000_000)", flags=("output_capped",)),
    Sample("read_hidden", "correct, plus a cell reading hidden tests, config and data", {},
           FULL, attack=READ_HIDDEN, flags=("reads_grader_files",)),
    Sample("monkeypatch", "correct, plus a cell patching otter, the checks and builtins", {},
           FULL, attack=MONKEYPATCH, flags=("imports_grader",)),
    Sample("fake_results", "correct, plus a cell writing and printing fake results", {},
           FULL, attack=FAKE_RESULTS, flags=("writes_grader_files",)),
    Sample("sys_exit", "correct, plus sys.exit(0) in the middle", {}, FULL,
           attack="import sys\nsys.exit(0)", flags=("exit",)),
    Sample("os_exit", "happy part correct, then os._exit(0) before SIGNS", {},
           {"happy_model": 7, "signs_model": 0}, status="crashed",
           attack="import os\nos._exit(0)", after="happy_compile"),
    Sample("eq_always_true", "happyModel returns an object equal to anything",
           {"happyModel": EQ_ALWAYS_TRUE}, {"happy_model": 0, "signs_model": 7}),
    Sample("network", "correct, plus a cell opening a connection", {}, FULL,
           attack=NETWORK, flags=("network",)),
    Sample("delete_files", "correct, plus a cell deleting its folder, the data and the repo",
           {}, FULL, attack=DELETE_FILES, flags=("delete",)),
    Sample("not_json", "not JSON at all", None, ZERO, status="invalid", raw=_not_json),
    Sample("too_big", "a 200 MB file", None, ZERO, status="invalid", raw=_too_big),
    Sample("empty", "a valid notebook without cells", None, ZERO, raw=_empty),
    Sample("nbformat3", "the reference saved as nbformat 3", None, FULL, raw=_nbformat3),
    Sample("other_kernel", "the reference with another kernel name", None, FULL,
           raw=_other_kernel),
]

# A planted copy of "alternative" (issue 15): variables renamed, independent statements
# reordered, comments changed. make similarity must rank it above every pair of
# independently written solutions; it gets the points of what it copied.
COPIED_HAPPY = '''
import tensorflow as tf
kl = tf.keras.layers

def happyModel():
    # the happy-house network, one layer at a time
    net = tf.keras.Sequential()
    net.add(tf.keras.Input(shape=(64, 64, 3)))
    net.add(kl.ZeroPadding2D(padding=(3, 3)))
    net.add(kl.Conv2D(32, (7, 7), strides=(1, 1)))
    net.add(kl.BatchNormalization(axis=3))
    net.add(kl.ReLU())
    net.add(kl.MaxPool2D(pool_size=(2, 2)))
    net.add(kl.Flatten())
    net.add(kl.Dense(1, activation=tf.keras.activations.sigmoid))
    return net
'''

COPIED_SIGNS = '''
def convolutional_model(input_shape):
    # two conv blocks in a loop, then the classifier
    inp = keras.Input(shape=input_shape)
    h = inp
    for f, k, p in ((8, 4, 8), (16, 2, 4)):
        h = keras.layers.Conv2D(f, k, padding="same")(h)
        h = keras.layers.ReLU()(h)
        h = keras.layers.MaxPool2D(p, strides=p, padding="same")(h)
    h = keras.layers.Flatten()(h)
    return keras.Model(inp, keras.layers.Dense(6, activation="softmax")(h))
'''

COPIED_COMPILE = '''
# adam with the binary losses
happy_model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy(),
                    metrics=[keras.metrics.BinaryAccuracy()])
'''

SAMPLES += [
    Sample("copier", "a disguised copy of alternative (renamed, reordered, new comments)",
           {"happyModel": COPIED_HAPPY, "convolutional_model": COPIED_SIGNS,
            "happy_compile": COPIED_COMPILE}, FULL),
]
#: Planted copies for make similarity: copy -> {"code" or "text": the sample it copies}.
PLANTED = {"copier": {"code": "alternative"}}
