"""Synthetic stand-ins for the course's Happy House and SIGNS datasets.

The course notebooks load ``train_happy.h5`` / ``test_happy.h5`` and
``train_signs.h5`` / ``test_signs.h5``. Those files cannot be downloaded here,
so this module draws look-alike pictures with numpy and returns them in
exactly the arrays the h5 files hold::

    train_set_x  (n_train, 64, 64, 3) uint8     train_set_y  (n_train,) int64
    test_set_x   (n_test, 64, 64, 3)  uint8     test_set_y   (n_test,)  int64
    list_classes int64, [0, 1] (happy) or [0, 1, 2, 3, 4, 5] (signs)

What the pictures look like:

* Happy House -- a cartoon face (skin-coloured oval, two eyes, a mouth)
  filling most of a plain coloured background. Label 1: the mouth curves up
  (a smile, nearly always open to show teeth). Label 0: the mouth is straight
  or curves down. Faces shift and change size; skin, background, lighting,
  eye placement and mouth width vary; some faces have hair, eyebrows or
  glasses; every picture gets pixel noise.
* SIGNS -- a hand (wrist, palm, fingers) holding up 0 to 5 fingers; the label
  is the number of raised fingers (index, middle, ring, little finger, then
  the thumb). Half the hands are dark on a light wall, half are lit on a dark
  cloth. Hands shift, tilt a little and change size; skin, background, finger
  length and spacing vary; every picture gets noise. Raised fingers are long
  and at least 8 pixels apart so that the count survives the coarse pooling
  of the course's small SIGNS network.

Everything comes from ``np.random.default_rng(seed)``: the same seed gives
bit-identical arrays, another seed gives other pictures. Train and test are
drawn from the same distribution but are different pictures.
"""
import numpy as np

__all__ = ["make_happy", "make_signs"]

SIZE = 64
# Pixel-centre coordinates of a 64x64 image: _Y is the row, _X the column.
_Y, _X = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64) + 0.5


# ---------------------------------------------------------------- drawing ---
def _ellipse(x, y, cx, cy, rx, ry):
    """Coverage (0..1) of an ellipse, with a one-pixel soft edge."""
    d = np.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2)
    return np.clip((1.0 - d) * min(rx, ry) + 0.5, 0.0, 1.0)


def _capsule(x, y, x0, y0, x1, y1, r):
    """Coverage of a thick line segment with round ends (a finger, a stroke)."""
    dx, dy = x1 - x0, y1 - y0
    t = np.clip(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0, 1)
    d = np.hypot(x - (x0 + t * dx), y - (y0 + t * dy))
    return np.clip(r - d + 0.5, 0.0, 1.0)


def _arc(x, y, cx, cy, half_width, bend, r):
    """Coverage of the curve y = cy + bend * ((x - cx) / half_width)**2.

    With image rows counting downwards, bend < 0 lifts the corners (a smile)
    and bend > 0 drops them (a frown).
    """
    u = (x - cx) / half_width
    curve = cy + bend * u ** 2
    slope = 2 * bend * u / half_width          # thickness along the normal
    d = np.abs(y - curve) / np.sqrt(1 + slope ** 2)
    return np.clip(r - d + 0.5, 0.0, 1.0) * np.clip((1 - np.abs(u)) * half_width + 0.5, 0, 1)


def _paint(img, mask, colour):
    """Blend `colour` into `img` wherever `mask` (0..1) covers it."""
    img += mask[..., None] * (np.asarray(colour, dtype=np.float64) - img)


def _finish(img, rng, noise):
    """Random lighting gradient plus Gaussian noise, then round to uint8."""
    angle = rng.uniform(0, 2 * np.pi)
    ramp = ((_X - 32) * np.cos(angle) + (_Y - 32) * np.sin(angle)) / 32
    img = img * (1 + rng.uniform(0.0, 0.2) * ramp)[..., None]
    img = img * rng.uniform(0.85, 1.1) + rng.normal(0, noise, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _skin(rng):
    """A skin tone between dark brown and pale pink."""
    t = rng.uniform()
    dark, light = np.array([105, 65, 45]), np.array([245, 205, 180])
    return dark + t * (light - dark) + rng.normal(0, 8, 3)


def _labels(rng, n, counts):
    """`n` labels in random order, class k appearing counts[k] times."""
    return rng.permutation(np.repeat(np.arange(len(counts)), counts)).astype(np.int64)


def _split(rng, n_train, n_test, class_counts, draw, n_classes):
    """Draw all pictures, then split them into the course's dictionary."""
    y = np.concatenate([_labels(rng, n_train, class_counts(n_train)),
                        _labels(rng, n_test, class_counts(n_test))])
    x = np.stack([draw(rng, label) for label in y])
    return {
        "train_set_x": x[:n_train], "train_set_y": y[:n_train],
        "test_set_x": x[n_train:], "test_set_y": y[n_train:],
        "list_classes": np.arange(n_classes, dtype=np.int64),
    }


# ---------------------------------------------------------------- happy -----
def _happy_face(rng, smiling):
    img = np.empty((SIZE, SIZE, 3))
    img[:] = rng.uniform(30, 235, 3)                     # background colour

    s = rng.uniform(1.2, 1.4)                            # face scale
    cx, cy = 32 + rng.uniform(-5, 5), 32 + rng.uniform(-4, 4)
    if rng.uniform() < 0.5:                              # hair
        _paint(img, _ellipse(_X, _Y, cx, cy - 6 * s, 21 * s, 22 * s),
               rng.uniform(10, 120) * np.array([1.0, 0.8, 0.6]))
    _paint(img, _ellipse(_X, _Y, cx, cy, 18 * s, 22 * s), _skin(rng))

    eye_y = cy - 6 * s + rng.uniform(-2, 2)
    eye_dx = (6 + rng.uniform(-1, 2)) * s
    eye = rng.uniform(0, 60, 3)
    for side in (-1, 1):
        ex = cx + side * eye_dx
        _paint(img, _ellipse(_X, _Y, ex, eye_y, 2.2 * s, 2.0 * s), eye)
        if rng.uniform() < 0.3:                          # eyebrow
            _paint(img, _capsule(_X, _Y, ex - 3 * s, eye_y - 5 * s,
                                 ex + 3 * s, eye_y - 5 * s + rng.uniform(-1.5, 1.5), 0.8),
                   eye)
    if rng.uniform() < 0.2:                              # glasses
        for side in (-1, 1):
            ring = _ellipse(_X, _Y, cx + side * eye_dx, eye_y, 5 * s, 4 * s)
            hole = _ellipse(_X, _Y, cx + side * eye_dx, eye_y, 4 * s, 3 * s)
            _paint(img, ring - np.minimum(ring, hole), (20, 20, 20))

    mx, my = cx + rng.uniform(-2, 2), cy + (10 + rng.uniform(-1, 2)) * s
    half_width = rng.uniform(7, 11) * s
    lips = np.array([120, 30, 35]) * rng.uniform(0.3, 1.0)
    if smiling:
        bend = -rng.uniform(3.5, 6.5) * s                # corners up
        if rng.uniform() < 0.95:                         # open smile: a "D" of teeth
            u = (_X - mx) / half_width
            teeth = (np.clip(_Y - (my + bend) + 0.5, 0, 1)
                     * np.clip(my + bend * u ** 2 - _Y + 0.5, 0, 1) * (np.abs(u) < 1))
            _paint(img, teeth, (235, 235, 225))
    elif rng.uniform() < 0.5:
        bend = rng.uniform(-0.6, 0.6) * s                # straight
    else:
        bend = rng.uniform(2.0, 5.0) * s                 # corners down
    _paint(img, _arc(_X, _Y, mx, my, half_width, bend, rng.uniform(1.2, 1.8) * s), lips)
    return _finish(img, rng, noise=rng.uniform(3, 10))


def _happy_counts(n):
    ones = round(0.56 * n)        # the real test split is 44 % / 56 %
    return [n - ones, ones]


def make_happy(seed: int, n_train: int = 600, n_test: int = 150) -> dict[str, np.ndarray]:
    """Happy House look-alike: faces labelled 1 (smiling) or 0 (not smiling)."""
    rng = np.random.default_rng(seed)
    return _split(rng, n_train, n_test, _happy_counts, _happy_face, 2)


# ---------------------------------------------------------------- signs -----
def _signs_hand(rng, fingers):
    img = np.empty((SIZE, SIZE, 3))
    if rng.uniform() < 0.5:                              # light wall, darker hand
        img[:] = rng.uniform(215, 250) + rng.normal(0, 8, 3)
        skin = _skin(rng) * 0.5
    else:                                                # dark cloth, lit hand
        img[:] = rng.uniform(0, 40) + rng.normal(0, 5, 3)
        skin = _skin(rng)

    # Draw in a slightly tilted frame whose origin is the middle of the palm.
    cx, cy = 32 + rng.uniform(-3, 3), 42 + rng.uniform(-2, 2)
    tilt = np.radians(rng.uniform(-5, 5))
    x = (_X - cx) * np.cos(tilt) + (_Y - cy) * np.sin(tilt)
    y = -(_X - cx) * np.sin(tilt) + (_Y - cy) * np.cos(tilt)

    s = rng.uniform(0.85, 1.05)                          # hand scale
    spacing = rng.uniform(10, 11.5) * s                  # between finger centres
    width = rng.uniform(2.6, 3.4) * s                    # finger half-width
    _paint(img, _capsule(x, y, 0, 16, 0, 40, 9 * s), skin)            # wrist
    _paint(img, _ellipse(x, y, 0, 4, 18 * s, 14 * s), skin)           # palm
    for k in range(4):                                   # index, middle, ring, little
        if k < min(fingers, 4):                          # raised: long
            top = -(rng.uniform(28, 34) - 4 * (k == 3)) * s
        else:                                            # folded: a knuckle
            top = -10 * s
        fx = (1.5 - k) * spacing
        _paint(img, _capsule(x, y, fx, -4 * s, fx + rng.uniform(-1.5, 1.5), top, width), skin)
    tip = (26, -12) if fingers == 5 else (10, 0)         # thumb out, or tucked in
    _paint(img, _capsule(x, y, 14 * s, 6 * s, tip[0] * s, tip[1] * s, 1.1 * width), skin)
    return _finish(img, rng, noise=rng.uniform(2, 7))


def _signs_counts(n):
    return np.bincount(np.arange(n) % 6, minlength=6)    # as even as n allows


def make_signs(seed: int, n_train: int = 1080, n_test: int = 120) -> dict[str, np.ndarray]:
    """SIGNS look-alike: hands holding up 0..5 fingers, label = finger count."""
    rng = np.random.default_rng(seed)
    return _split(rng, n_train, n_test, _signs_counts, _signs_hand, 6)
