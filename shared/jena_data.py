"""The Jena climate dataset of the "Weather RNN" assignment, real or synthetic.

Deep Learning with Python (ch. 6.3) predicts the air temperature 24 hours ahead
from the last 10 days of 14 weather measurements, taken every 10 minutes at the
Max Planck Institute for Biogeochemistry in Jena, 2009-2016.

File format (``jena_climate_2009_2016.csv``, the file inside the Keras zip)::

    "Date Time","p (mbar)","T (degC)","Tpot (K)",...,"wd (deg)"
    01.01.2009 00:10:00,996.52,-8.02,265.40,-8.90,93.30,3.33,3.11,0.22,...,152.30
    ...
    01.01.2017 00:00:00,...

One header line (the 15 names of :data:`COLUMNS`; the original quotes them, a
pandas re-save does not: both are read), then 420,551 rows, one every
10 minutes, ``dd.mm.yyyy HH:MM:SS`` and 14 numbers. The original prints every
number with two decimals. It can have no newline after the last row: the
book's parsing (``data.split('\\n')``, then ``float()`` of every field of every
line) would fail on the empty last line; the stand-in has none either. It has
gaps: 420,551 rows where 8 full years of 10-minute steps would be 420,768.

Where the file is looked up, in order: the ``folder`` argument if given,
otherwise the data folder (:func:`shared.data.data_dir`: ``$COURSE_DATA_DIR``
or ``<repo>/data``); then the Keras cache (``$KERAS_HOME/datasets``, by default
``~/.keras/datasets``), directly or where ``keras.utils.get_file(...,
extract=True)`` extracts the zip (:data:`CACHE_LOCATIONS`). A real file found
anywhere wins. Otherwise the synthetic stand-in is used: read from disk if
``make data`` wrote it (:func:`write_synthetic_jena`), else generated in memory
(:func:`make_jena` with :data:`PUBLIC_SEED`; the same numbers either way).
:func:`load_jena` prints one line naming the source and path (``verbose=False``
silences it).

How a kit-written CSV is told apart from the real one: a sidecar file
``jena_climate_2009_2016.csv.source`` next to it, whose first line is
``synthetic`` and which records the CSV's size in bytes. The CSV itself stays
byte-for-byte in the original format, so students' own parsing code works
unchanged, and no fingerprint of the numbers is needed. A CSV without a sidecar
is real. A sidecar whose size disagrees with the CSV is stale (someone copied
the real file over the synthetic one) and is ignored, so that file counts as
real.

The synthetic weather (:func:`make_jena`) simulates the station's raw
measurements (temperature, pressure, relative humidity, wind) and derives the
other columns from them with the formulas the real file obeys (Magnus/DWD
vapour pressure, potential temperature, moist-air density; checked against the
real rows in tests/test_jena_data.py). Temperature = yearly cycle (coldest in
mid-January) + slow anomalies + weather fronts (a driver process with a
1.2-day memory, smoothed over 1.5 days: persistence that makes the naive
"same as now" forecast hard to beat) + a daily cycle that is larger in summer
and under clear skies. Pressure mirrors the front driver, so its history helps
predict where the temperature goes; clouds follow low pressure; the dew point
follows the weather but only a third of the daily cycle, so the relative
humidity drops in the afternoon. The default length is the real
file's: 420,551 rows from 01.01.2009 00:10:00 to 01.01.2017 00:00:00, with
one invented 217-row (36 h) station outage in October 2016 to make up the difference, so the
course's split (train rows 0-200,000, validation 200,001-300,000, test the
rest) works. The real file's -9999 wind speed errors are not imitated.
"""
from __future__ import annotations

import csv
import functools
import itertools
import operator
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shared.data import bad_file, data_dir, keras_cache_dir, show_path, write_hint
from shared.i18n import msg

__all__ = [
    "COLUMNS", "FEATURES", "TEMPERATURE", "ROWS_PER_DAY", "TRAIN_ROWS", "VAL_ROWS",
    "FILENAME", "PUBLIC_SEED", "JenaData", "load_jena", "make_jena", "write_synthetic_jena",
    "read_jena_csv", "find_jena", "normalise", "naive_mae", "celsius",
    "saturation_vapour_pressure", "dew_point", "potential_temperature", "air_density",
]

#: The header of the real file, in order.
COLUMNS = ("Date Time", "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)",
           "VPmax (mbar)", "VPact (mbar)", "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)",
           "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)")
#: The 14 measurements, the columns of ``float_data``.
FEATURES = COLUMNS[1:]
#: Column of the temperature in ``float_data`` (the course's ``float_data[:, 1]``).
TEMPERATURE = 1
ROWS_PER_DAY = 144
#: The course's split: train on rows 0-200,000, validate on 200,001-300,000, test on the rest.
TRAIN_ROWS = 200_000
VAL_ROWS = (200_001, 300_000)
FILENAME = "jena_climate_2009_2016.csv"
#: Where the file may sit inside the Keras cache: Keras 2 extracts the zip next to
#: itself; Keras 3 into ``<name>_extracted/`` (or into a folder named like the zip).
CACHE_LOCATIONS = (FILENAME, f"jena_climate_2009_2016_extracted/{FILENAME}",
                   f"{FILENAME}.zip/{FILENAME}")
SIDECAR_SUFFIX = ".source"
SYNTHETIC_TAG = "synthetic"
#: Seed of the synthetic stand-in students see (``make data``, in-memory fallback).
PUBLIC_SEED = 0
DATE_FORMAT = "%d.%m.%Y %H:%M:%S"

_START = np.datetime64("2009-01-01T00:10", "m")
_REAL_DAYS = 2922            # 01.01.2009 00:10 .. 01.01.2017 00:00 in full 10-minute steps
_REAL_ROWS = 420_551
_OUTAGE_START = np.datetime64("2016-10-25T09:00", "m")   # invented; in the test years
_DATE_PATTERN = r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d"


# ---------------------------------------------------------------- physics ---
# The real file's derived columns follow these formulas to within rounding.
_ZERO_C = 273.16             # the station's 0 degC in kelvin (fits Tpot and rho best)
_R_DRY, _R_VAPOUR = 287.058, 461.495     # J/(kg K)


def saturation_vapour_pressure(t_c):
    """VPmax (mbar) at ``t_c`` degC: the Magnus formula with the DWD's constants."""
    t_c = np.asarray(t_c, dtype=float)
    return 6.1078 * np.exp(17.08085 * t_c / (234.175 + t_c))


def dew_point(e_mbar):
    """Tdew (degC) at vapour pressure ``e_mbar``: inverts :func:`saturation_vapour_pressure`."""
    x = np.log(np.asarray(e_mbar, dtype=float) / 6.1078)
    return 234.175 * x / (17.08085 - x)


def potential_temperature(t_c, p_mbar):
    """Tpot (K): the temperature the air would have if brought to 1000 mbar."""
    return (np.asarray(t_c, dtype=float) + _ZERO_C) * (1000.0 / np.asarray(p_mbar)) ** 0.286


def air_density(t_c, p_mbar, e_mbar):
    """rho (g/m**3) of moist air: dry air's and water vapour's partial densities."""
    t_k = np.asarray(t_c, dtype=float) + _ZERO_C
    p_pa, e_pa = 100.0 * np.asarray(p_mbar), 100.0 * np.asarray(e_mbar)
    return 1000.0 * ((p_pa - e_pa) / (_R_DRY * t_k) + e_pa / (_R_VAPOUR * t_k))


# --------------------------------------------------------- synthetic data ---
def _timestamps(days: int | None) -> np.ndarray:
    """The row times (datetime64[m]): the real file's layout, or ``days`` full days."""
    n = (_REAL_DAYS if days is None else days) * ROWS_PER_DAY
    times = _START + np.arange(n) * np.timedelta64(10, "m")
    if days is None:   # drop the outage so that first row, last row and count are the real ones
        first = int((_OUTAGE_START - _START) // np.timedelta64(10, "m"))
        times = np.delete(times, np.s_[first:first + n - _REAL_ROWS])
    return times


def _format_dates(times: np.ndarray) -> np.ndarray:
    """``dd.mm.yyyy HH:MM:SS`` strings, formatting each distinct day and time of day once."""
    days = times.astype("datetime64[D]")
    unique_days, day_of_row = np.unique(days, return_inverse=True)
    day_text = pd.DatetimeIndex(unique_days).strftime("%d.%m.%Y ").to_numpy(dtype=str)
    minutes = (times - days).astype(int)
    clock = np.array([f"{m // 60:02d}:{m % 60:02d}:00" for m in range(1440)])
    return np.strings.add(day_text[day_of_row], clock[minutes])


def _red_noise(rng: np.random.Generator, n: int, *taus_rows: float) -> np.ndarray:
    """``len(taus_rows)`` unit-variance series sharing one white noise, filtered in turn.

    Series k is the white noise passed through first-order low-passes with time
    constants ``taus_rows[0..k]`` (in rows): a chain of exponential memories,
    e.g. a weather driver and the temperature that integrates it. Filtering is
    done in the frequency domain (fast for 420,000 rows); the first rows are a
    burn-in, long enough to hide the filter's wrap-around, and are discarded.
    """
    pad = int(8 * sum(taus_rows)) + 1
    size = 1 << (n + pad - 1).bit_length()
    white = np.fft.rfft(rng.standard_normal(size))
    freq = np.fft.rfftfreq(size)
    gain, out = np.ones_like(white), []
    for tau in taus_rows:
        gain = gain / (1 + 2j * np.pi * freq * tau)
        std = np.sqrt(np.sum(np.fft.irfft(gain, size) ** 2))   # of the filtered unit noise
        out.append(np.fft.irfft(white * gain, size)[pad:pad + n] / std)
    return np.array(out)


#: Memory (days) of the weather driver and of the temperature fronts it drives, and the
#: fronts' size (degC): together they set how far 24 h ahead is from now (the naive MAE).
_FRONT_DAYS = (1.2, 1.5)
_FRONT_DEGREES = 4.7
#: Memories (days) of the independent noises, in the order :func:`_weather` unpacks them.
_NOISE_DAYS = dict(highs=1.5, slow=25.0, clouds=0.5, damp=0.3, gusts=0.15, turn=1.0,
                   jitter=1 / 24)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _saturate(x, top):
    """``x`` for small values, never above ``top``: tames the tails of log-normal wind."""
    return top * np.tanh(x / top)


def _clock(full: np.ndarray) -> tuple:
    """(hour of day, winter, summer, sun) at each time: the cycles the weather rides on.

    ``winter`` is +1 in mid-January and -1 in mid-July; ``summer`` the same
    rescaled to 0..1; ``sun`` the daily cycle, warmest at 14:30.
    """
    days = (full - np.datetime64("2009-01-01T00:00", "m")).astype(float) / 1440
    hour = days % 1 * 24
    winter = np.cos(2 * np.pi * (days - 15) / 365.2425)
    return hour, winter, (1 - winter) / 2, np.cos(2 * np.pi * (hour - 14.5) / 24)


def _weather(rng: np.random.Generator, times: np.ndarray) -> dict:
    """The station's raw measurements (unrounded): T, p, rh, wind speed, gusts, direction.

    Times are simulated on the full 10-minute grid, then the rows of ``times``
    are picked, so an outage is a true gap in otherwise continuous weather.
    """
    full = np.arange(times[0], times[-1] + np.timedelta64(1, "m"), np.timedelta64(10, "m"))
    n, day = len(full), ROWS_PER_DAY
    hour, winter, summer, sun = _clock(full)
    driver, front = _red_noise(rng, n, _FRONT_DAYS[0] * day, _FRONT_DAYS[1] * day)
    noise = {k: _red_noise(rng, n, tau * day)[0] for k, tau in _NOISE_DAYS.items()}

    pressure_n = -0.6 * driver + 0.8 * noise["highs"]   # fronts come with falling pressure
    clouds = _sigmoid(0.5 + 1.3 * noise["clouds"] - 1.0 * pressure_n)
    seasonal = 9.4 - 10.0 * winter
    anomaly = 1.5 * noise["slow"] + _FRONT_DEGREES * (1 + 0.25 * winter) * front
    daily = (2.0 + 4.5 * summer) * (1.15 - 0.8 * clouds)  # clear summer days swing most
    t = (seasonal + anomaly + 0.25 * noise["jitter"]
         + daily * (sun + 0.25 * np.cos(4 * np.pi * (hour - 12) / 24)))  # cold dawn
    dew = (seasonal - 1.5 - 2.5 * summer + 0.75 * anomaly + 0.3 * daily * sun
           - (1 - clouds) * (2.0 + 3.0 * summer) - 1.0 * noise["damp"])
    rh = np.minimum(100.0, 100 * saturation_vapour_pressure(dew) / saturation_vapour_pressure(t))
    p = (989.2 + (8.5 + 2.0 * winter) * (pressure_n - 0.12 * (pressure_n ** 2 - 1))
         + 0.4 * np.cos(4 * np.pi * (hour - 10) / 24))  # deep lows; the semidiurnal tide
    wind = _saturate(1.7 * np.exp(0.45 * noise["gusts"] - 0.25 * pressure_n)
                     * (1 + 0.3 * np.maximum(sun, 0)), 12.0)   # storms, not hurricanes
    gust = _saturate(wind * (1.3 + 0.35 * np.abs(rng.standard_normal(n))) + 0.2, 25.0)
    heading = (200 + 50 * driver + 60 * noise["turn"]           # calm air turns at random
               + rng.standard_normal(n) * (20 + 30 / (wind + 0.3)))
    keep = np.searchsorted(full, times)
    return {k: v[keep] for k, v in
            dict(t=t, p=p, rh=rh, wv=wind, max_wv=gust, wd=heading % 360).items()}


def _hundredths(x) -> np.ndarray:
    """``x`` rounded half up to two decimals, as integer hundredths (exact in the CSV)."""
    return np.floor(np.asarray(x) * 100 + 0.5).astype(np.int64)


def _columns_from_measurements(raw: dict) -> np.ndarray:
    """The 14 columns in integer hundredths, derived from the rounded measurements.

    Like the station: T, p and rh are measured (rh to 0.1 %), the other
    columns computed from them, gusts quantised to 1/8 m/s, direction to 0.1 deg.
    Rounding is monotone, so VPact <= VPmax and Tdew <= T survive it.
    """
    t, p = _hundredths(raw["t"]) / 100, _hundredths(raw["p"]) / 100
    rh = np.round(raw["rh"], 1)
    vp_max = saturation_vapour_pressure(t)
    vp_act = vp_max * rh / 100
    wv = _hundredths(raw["wv"])
    max_wv = np.maximum(_hundredths(np.ceil(raw["max_wv"] * 8) / 8), wv)
    wd = _hundredths(np.round(raw["wd"], 1)) % 36000
    derived = [p, t, potential_temperature(t, p), dew_point(vp_act), rh, vp_max, vp_act,
               vp_max - vp_act, 622 * vp_act / (p - 0.378 * vp_act), 1000 * vp_act / p,
               air_density(t, p, vp_act)]
    return np.column_stack([_hundredths(c) for c in derived] + [wv, max_wv, wd])


@functools.lru_cache(maxsize=4)
def _make(seed: int, days: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(dates, values in integer hundredths), cached read-only: the default takes seconds."""
    times = _timestamps(days)
    values = _columns_from_measurements(_weather(np.random.default_rng(seed), times))
    dates = _format_dates(times)
    for a in (dates, values):
        a.setflags(write=False)
    return dates, values


def make_jena(seed: int = PUBLIC_SEED, days: int | None = None) -> pd.DataFrame:
    """The synthetic stand-in drawn with ``seed``: a DataFrame with the :data:`COLUMNS`.

    ``days=None`` gives the real file's layout (420,551 rows, 01.01.2009 00:10:00
    to 01.01.2017 00:00:00, one 36-hour gap); ``days=n`` gives ``n`` full days
    of regular 10-minute rows from 01.01.2009 00:10:00 (e.g. small held-back
    sets). Deterministic: the same seed and days give the same numbers.
    """
    if days is not None and (operator.index(days) < 1):
        raise ValueError(msg("jena.days", days=days))
    dates, values = _make(seed, days)
    frame = pd.DataFrame(values / 100, columns=list(FEATURES))
    frame.insert(0, COLUMNS[0], dates)
    return frame


def _csv_text(dates: np.ndarray, values: np.ndarray) -> str:
    """The original file's text: quoted header, two decimals, no newline after the last row.

    %-formatting the rows is about three times faster than ``DataFrame.to_csv``
    here, with the same output.
    """
    row = "%s," + ",".join(["%.2f"] * len(FEATURES))
    header = ",".join(f'"{name}"' for name in COLUMNS)
    rows = [row % (d, *v) for d, v in zip(dates.tolist(), (values / 100).tolist())]
    return "\n".join([header] + rows)


# ------------------------------------------------------------------ files ---
@dataclass(frozen=True)
class Source:
    """Which file (or none: generated in memory) holds the data, and its kind."""

    kind: str               # "real" or "synthetic"
    path: Path | None
    note: str = ""          # e.g. that a stale sidecar was ignored



def _candidates(folder) -> list[Path]:
    cache = keras_cache_dir()
    return [data_dir(folder) / FILENAME] + [cache / loc for loc in CACHE_LOCATIONS]


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _sidecar_verdict(path: Path) -> tuple[bool, str]:
    """(kit-written?, note) for the CSV at ``path``, from its sidecar."""
    try:
        lines = _sidecar(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):    # no sidecar (or no readable one): not ours
        return False, ""
    if not lines or lines[0].strip() != SYNTHETIC_TAG:
        return False, ""
    fields = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    size = fields.get("bytes", "").strip()
    if size.isdigit() and int(size) != path.stat().st_size:
        return False, msg("data.jena_stale_sidecar", sidecar=_sidecar(path).name, size=int(size))
    return True, ""


def find_jena(folder=None) -> Source:
    """The file :func:`load_jena` reads: the first real one, else the first kit-written one."""
    synthetic = None
    for path in _candidates(folder):
        if not path.is_file():
            continue
        kit_written, note = _sidecar_verdict(path)
        if not kit_written:
            return Source("real", path, note)
        synthetic = synthetic or Source(SYNTHETIC_TAG, path)
    return synthetic or Source(SYNTHETIC_TAG, None)


def _bad(path: Path, line: int | None, problem: str):
    return bad_file(msg("data.at_line", path=path, line=line) if line else path, problem, FILENAME)


def _line(path: Path, number: int) -> str:
    """Line ``number`` (1-based) of ``path``; only used to explain an error."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        return next(itertools.islice(fh, number - 1, None), "").rstrip("\r\n")


def _row_problem(path: Path, number: int) -> str:
    """Why data line ``number`` did not parse: its field count, or its first bad field."""
    fields = next(csv.reader([_line(path, number)]), [])
    if len(fields) != len(COLUMNS):
        return msg("jena.fields", expected=len(COLUMNS), found=len(fields))
    if not re.fullmatch(_DATE_PATTERN, fields[0]):
        return msg("jena.not_a_date", column=COLUMNS[0], text=repr(fields[0]))
    for name, text in zip(FEATURES, fields[1:]):
        try:
            if np.isfinite(float(text)):
                continue
        except ValueError:
            pass
        return msg("jena.not_a_number", column=name, text=repr(text))
    return msg("jena.unreadable_row")


def _check_header(path: Path) -> None:
    try:
        first = _line(path, 1)
    except OSError as exc:
        raise _bad(path, None, msg("jena.not_readable", error=exc)) from exc
    names = next(csv.reader([first]), [])
    if tuple(names) != COLUMNS:
        raise _bad(path, 1, msg("jena.header", expected=repr(",".join(COLUMNS)),
                                found=repr(first[:300])))


def read_jena_csv(path) -> tuple[np.ndarray, np.ndarray]:
    """(dates as strings, float64 values of shape (rows, 14)) from a Jena CSV, checked.

    Raises DataFileError naming the file, the line and the problem: a wrong
    header, a row with the wrong number of fields, a bad date, a value that is
    not a finite number.
    """
    path = Path(path)
    _check_header(path)
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype={COLUMNS[0]: str},
                            keep_default_na=False, na_values=[], skip_blank_lines=False)
    except pd.errors.ParserError as exc:    # a row with too many fields
        found = re.search(r"in line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise _bad(path, line, _row_problem(path, line) if line else str(exc)) from exc
    except (UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise _bad(path, None, msg("jena.not_text", error=exc)) from exc
    if frame.empty:
        raise _bad(path, None, msg("jena.no_rows"))
    values = frame[list(FEATURES)].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    dates = frame[COLUMNS[0]].to_numpy(dtype=str)
    ok = np.isfinite(values).all(axis=1) & pd.Series(dates).str.fullmatch(_DATE_PATTERN).to_numpy()
    if not ok.all():
        line = int(np.argmin(ok)) + 2    # header is line 1
        raise _bad(path, line, _row_problem(path, line))
    return dates, values


def write_synthetic_jena(folder=None) -> list[Path]:
    """``make data``: write the public synthetic CSV and its sidecar, unless a CSV is there.

    An existing CSV is never overwritten: it may be the real one. The sidecar
    goes first, so a crash leaves no unlabelled synthetic CSV; each file is
    written to ``.tmp`` and renamed, so none is ever half written.
    """
    path = data_dir(folder) / FILENAME
    if path.exists():
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    dates, values = _make(PUBLIC_SEED, None)
    data = _csv_text(dates, values).encode("ascii")
    label = f"{SYNTHETIC_TAG}\nseed={PUBLIC_SEED}\nrows={len(dates)}\nbytes={len(data)}\n"
    for target, content in ((_sidecar(path), label.encode()), (path, data)):
        _write_atomic(target, content)
    return [path, _sidecar(path)]


def _write_atomic(path: Path, content: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# ----------------------------------------------------------------- loader ---
@dataclass
class JenaData:
    """The dataset as the course uses it: ``float_data`` is the book's array."""

    header: list[str]           # the 14 FEATURES names (without Date Time)
    float_data: np.ndarray      # float64, (rows, 14); writable, yours to normalise in place
    dates: np.ndarray           # "dd.mm.yyyy HH:MM:SS" strings, one per row
    source: str                 # "real" or "synthetic"
    path: Path | None           # None when generated in memory

    @property
    def temperature(self) -> np.ndarray:
        return self.float_data[:, TEMPERATURE]

    def times(self) -> np.ndarray:
        """The dates as datetime64 (parsed on demand: it takes a moment for 420,000 rows)."""
        return pd.to_datetime(self.dates, format=DATE_FORMAT).to_numpy()

    def describe(self) -> str:
        span = dict(rows=len(self.dates), first=self.dates[0], last=self.dates[-1])
        if self.source == "real":
            return msg("data.jena_real", **span, path=show_path(self.path))
        if self.path is not None:
            return msg("data.jena_synthetic_file", **span, path=show_path(self.path))
        return msg("data.jena_synthetic_memory", **span, path=show_path(data_dir() / FILENAME),
                   how=write_hint())



def load_jena(folder=None, verbose: bool = True) -> JenaData:
    """The Jena climate data from the first real file found, else the synthetic stand-in."""
    source = find_jena(folder)
    if source.path is None:
        dates, hundredths = _make(PUBLIC_SEED, None)
        dates, values = dates.copy(), hundredths / 100
    else:
        dates, values = read_jena_csv(source.path)
    data = JenaData(list(FEATURES), values, dates, source.kind, source.path)
    if verbose:
        print(msg("data.with_note", text=data.describe(), note=source.note) if source.note
              else data.describe())
    return data


# ------------------------------------------------------- course's helpers ---
def normalise(float_data: np.ndarray, train_rows: int = TRAIN_ROWS):
    """(normalised copy, mean, std): the course's scaling, fitted on the training rows only.

    Statistics come from the first ``train_rows`` rows so that nothing about the
    validation and test years leaks into training.
    """
    float_data = np.asarray(float_data, dtype=np.float64)
    if len(float_data) < train_rows:
        raise ValueError(msg("jena.normalise_rows", train_rows=train_rows, rows=len(float_data)))
    mean = float_data[:train_rows].mean(axis=0)
    std = float_data[:train_rows].std(axis=0)
    return (float_data - mean) / std, mean, std


def naive_mae(normalised_data: np.ndarray, lookback: int = 1440, delay: int = 144,
              min_index: int = VAL_ROWS[0], max_index: int = VAL_ROWS[1], step: int = 6) -> float:
    """MAE of the course's common-sense baseline: "the temperature in 24 h is the one now".

    Vectorised equivalent of the book's ``evaluate_naive_method``: for every row
    the generator can serve (``min_index + lookback`` to ``max_index - 1``), the
    prediction is the temperature at the last step of the lookback window
    (``samples[:, -1, 1]``, i.e. ``step`` rows before the row) and the target
    the temperature ``delay`` rows after the row. Same units as the data.
    """
    data = np.asarray(normalised_data)
    rows = np.arange(min_index + lookback, max_index)
    if len(rows) == 0 or max_index - 1 + delay >= len(data):
        raise ValueError(msg("jena.no_rows_to_evaluate", rows=len(data), min_index=min_index,
                             max_index=max_index, lookback=lookback, delay=delay))
    last = rows - lookback + (lookback - 1) // step * step
    return float(np.mean(np.abs(data[rows + delay, TEMPERATURE] - data[last, TEMPERATURE])))


def celsius(mae: float, std: np.ndarray) -> float:
    """A temperature MAE on normalised data, in degrees C (the book's ``0.29 * std[1]``)."""
    return float(mae * std[TEMPERATURE])


if __name__ == "__main__":
    for written in write_synthetic_jena():
        print(msg("data.wrote", path=show_path(written)))
    load_jena()
