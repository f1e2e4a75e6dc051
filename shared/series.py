"""The synthetic time series of the "Time series" assignment (given code, not graded).

Trend + yearly seasonality + Gaussian noise, one value per day, as in the
course. The hidden tests draw other series from the same functions with
other parameters.
"""
import matplotlib.pyplot as plt
import numpy as np


def plot_series(time, series, format="-", start=0, end=None, label=None):
    """Plot ``series`` against ``time``; ``label`` names it in a legend (a ``shared.plots``
    label key such as ``"forecast"`` is shown in the student's language)."""
    from shared import plots  # not at import: the hidden tests use this module without plots
    plt.plot(time[start:end], series[start:end], format,
             label=plots.label(label) if label else None)
    plt.xlabel(plots.label("time"))
    plt.ylabel(plots.label("value"))
    plt.grid(True)


def trend(time, slope=0):
    return slope * time


def seasonal_pattern(season_time):
    """An arbitrary yearly shape: a cosine bump, then an exponential decay."""
    return np.where(season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time))


def seasonality(time, period, amplitude=1, phase=0):
    """Repeat the same pattern every ``period`` steps."""
    season_time = ((time + phase) % period) / period
    return amplitude * seasonal_pattern(season_time)


def noise(time, noise_level=1, seed=None):
    return np.random.RandomState(seed).randn(len(time)) * noise_level


def make_series(n=4 * 365 + 1, baseline=10, slope=0.05, amplitude=40, noise_level=5, seed=42,
                period=365):
    """(time, series) as float32 arrays: the course's series with its default parameters."""
    time = np.arange(n, dtype="float32")
    series = baseline + trend(time, slope) + seasonality(time, period=period, amplitude=amplitude)
    series = series + noise(time, noise_level, seed=seed)
    return time, series.astype("float32")


def naive_forecast(series, start):
    """Yesterday's value as today's forecast, for steps ``start`` .. the end: the floor to beat."""
    return np.asarray(series[start - 1:-1])


def mae(actual, predicted):
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(predicted))))
