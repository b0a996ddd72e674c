"""librosa.display: specshow and waveshow on matplotlib, with librosa's axis conventions.

Needs matplotlib (Debian: ``apt-get install python3-matplotlib``; or ``pip install matplotlib``); without it,
importing this module raises ImportError saying so.

Axis types: ``None``/``"none"``, ``"time"``/``"s"``/``"ms"`` (frames at ``sr``/``hop_length``), ``"frames"``,
``"linear"``/``"fft"``/``"hz"`` (FFT bins), ``"log"`` (FFT bins, symlog base 2 from C2), ``"mel"`` (mel band
centres, symlog base 2 from 1 kHz). Coordinates are cell centres (``shading="auto"``), as librosa 0.10+.
"""
try:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import Formatter, MaxNLocator, ScalarFormatter
except ImportError as e:  # pragma: no cover - exercised in a subprocess without matplotlib
    raise ImportError("melnorm.compat.librosa.display needs matplotlib: install Debian's python3-matplotlib "
                      "(apt-get install python3-matplotlib) or pip install matplotlib") from e

import numpy as np

from ..._librosa import ParameterError
from . import _missing
from .core import fft_frequencies, frames_to_time, mel_frequencies

__all__ = ["specshow", "waveshow", "cmap", "TimeFormatter", "LogHzFormatter"]

_TIME = ("time", "s", "ms")
_FREQ = ("linear", "fft", "hz", "log", "mel")
_AXES = (None, "none", "frames") + _TIME + _FREQ
_C2_HZ = 65.40639132514966  # librosa.note_to_hz("C2")


class TimeFormatter(Formatter):
    """librosa's time ticks: ``m:ss`` (``h:mm:ss``) past a minute, seconds below; ``unit="ms"``/``"s"`` fixed."""

    def __init__(self, lag=False, unit=None):
        if unit not in ("s", "ms", None):
            raise ParameterError(f"Unknown time unit: {unit}")
        self.unit = unit
        self.lag = lag

    def __call__(self, x, pos=None):
        _, dmax = self.axis.get_data_interval()
        vmin, vmax = self.axis.get_view_interval()
        value = np.abs(x)
        sign = "-" if x < 0 else ""
        if self.unit == "s":
            s = f"{value:.3g}"
        elif self.unit == "ms":
            s = f"{value * 1000:.3g}"
        elif vmax - vmin > 3600:
            s = "{:d}:{:02d}:{:02d}".format(int(value / 3600.0), int(np.mod(value / 60.0, 60)), int(np.mod(value, 60)))
        elif vmax - vmin > 60:
            s = "{:d}:{:02d}".format(int(value / 60.0), int(np.mod(value, 60)))
        elif vmax - vmin >= 1:
            s = f"{value:.2g}" if value < 10 else f"{value:.3g}"
        else:
            s = f"{value:.3g}"
        return sign + s


class LogHzFormatter(Formatter):
    """Hz ticks on a log scale: ``{:g}`` of the value, major ticks only."""

    def __init__(self, major=True):
        self.major = major

    def __call__(self, x, pos=None):
        if x <= 0:
            return ""
        return f"{x:g}"


def cmap(data, *, robust=True, cmap_seq="magma", cmap_bool="gray_r", cmap_div="coolwarm"):
    """librosa.display.cmap: ``gray_r`` for booleans, ``magma`` when the (2nd-98th percentile) range has one
    sign, ``coolwarm`` when it spans 0."""
    data = np.atleast_1d(data)
    if data.dtype == bool:
        return plt.get_cmap(cmap_bool)
    data = data[np.isfinite(data)]
    if data.size == 0:
        return plt.get_cmap(cmap_seq)
    lo, hi = (2, 98) if robust else (0, 100)
    min_val, max_val = np.percentile(data, [lo, hi])
    if min_val >= 0 or max_val <= 0:
        return plt.get_cmap(cmap_seq)
    return plt.get_cmap(cmap_div)


def _coords(ax_type, n, sr, hop_length, n_fft, fmin, fmax, htk):
    if ax_type in (None, "none", "frames"):
        return np.arange(n)
    if ax_type in _TIME:
        return frames_to_time(np.arange(n), sr=sr, hop_length=hop_length)
    if ax_type in ("linear", "fft", "hz", "log"):
        return fft_frequencies(sr=sr, n_fft=2 * (n - 1) if n_fft is None else n_fft)[:n]
    if ax_type == "mel":
        return mel_frequencies(n, fmin=0.0 if fmin is None else fmin, fmax=0.5 * sr if fmax is None else fmax, htk=htk)
    raise ParameterError(f"Unknown axis type: {ax_type!r}; melnorm.compat.librosa.display offers "
                         f"{', '.join(str(a) for a in _AXES)} (for chroma, cqt, tonnetz, ... use librosa itself)")


def _scale(axes, ax_type, which):
    set_scale = axes.set_xscale if which == "x" else axes.set_yscale
    if ax_type == "mel":
        set_scale("symlog", base=2, linthresh=1000.0)
    elif ax_type == "log":
        set_scale("symlog", base=2, linthresh=_C2_HZ, linscale=0.5)


def _decorate(axis, ax_type, unicode=True):
    if ax_type in _TIME:
        axis.set_major_formatter(TimeFormatter(unit=None if ax_type == "time" else ax_type))
        axis.set_major_locator(MaxNLocator(prune=None, steps=[1, 1.5, 5, 6, 10]))
        axis.set_label_text({"time": "Time", "s": "Time (s)", "ms": "Time (ms)"}[ax_type])
    elif ax_type == "frames":
        axis.set_label_text("Frames")
    elif ax_type in ("linear", "fft", "hz"):
        axis.set_major_formatter(ScalarFormatter())
        axis.set_label_text("Hz")
    elif ax_type in ("log", "mel"):
        axis.set_major_formatter(LogHzFormatter())
        axis.set_label_text("Hz")
    elif ax_type in (None, "none"):
        axis.set_label_text("")
        axis.set_ticks([])


def specshow(data, *, x_coords=None, y_coords=None, x_axis=None, y_axis=None, sr=22050, hop_length=512, n_fft=None,
             win_length=None, fmin=None, fmax=None, tuning=0.0, bins_per_octave=12, key="C:maj", Sa=None, mela=None,
             thaat=None, auto_aspect=True, htk=False, unicode=True, ax=None, **kwargs):
    """librosa.display.specshow: ``data`` ``[rows, frames]`` as a ``pcolormesh`` on ``ax`` (default: the current
    axes), rows up ``y_axis`` and frames along ``x_axis`` with librosa's coordinates, scales, labels and default
    colormap (:func:`cmap`). Returns the QuadMesh (``plt.colorbar(img)`` works)."""
    data = np.asarray(data)
    if data.ndim != 2:
        raise ParameterError(f"data must be 2-dimensional [rows, frames], got shape {data.shape}")
    for name, t in (("x_axis", x_axis), ("y_axis", y_axis)):
        if t not in _AXES:
            raise ParameterError(f"Unknown axis type: {name}={t!r}; melnorm.compat.librosa.display offers "
                                 f"{', '.join(str(a) for a in _AXES)} (for chroma, cqt, tonnetz, ... use librosa "
                                 f"itself)")
    if np.issubdtype(data.dtype, np.complexfloating):
        import warnings
        warnings.warn("Trying to display complex-valued input. Showing magnitude instead.", stacklevel=2)
        data = np.abs(data)
    kwargs.setdefault("cmap", cmap(data))
    kwargs.setdefault("rasterized", True)
    kwargs.setdefault("edgecolors", "None")
    kwargs.setdefault("shading", "auto")
    if x_coords is None:
        x_coords = _coords(x_axis, data.shape[1], sr, hop_length, n_fft, fmin, fmax, htk)
    if y_coords is None:
        y_coords = _coords(y_axis, data.shape[0], sr, hop_length, n_fft, fmin, fmax, htk)
    axes = plt.gca() if ax is None else ax
    out = axes.pcolormesh(x_coords, y_coords, data, **kwargs)
    if ax is None:
        plt.sci(out)
    _scale(axes, x_axis, "x")
    _scale(axes, y_axis, "y")
    _decorate(axes.xaxis, x_axis, unicode)
    _decorate(axes.yaxis, y_axis, unicode)
    if auto_aspect and x_axis == y_axis and x_axis in _FREQ:
        axes.set_aspect("equal")
    return out


def waveshow(y, *, sr=22050, max_points=11025, axis="time", offset=0.0, marker="", where="post", label=None,
             transpose=False, ax=None, x_axis=None, **kwargs):
    """librosa.display.waveshow: ``y`` (mono ``[n]`` or stereo ``[2, n]``: the second channel drawn below) over
    time from ``offset`` seconds; signals longer than ``max_points`` are drawn as their envelope (max/min per
    span), shorter ones as steps (``where``, ``marker``). ``axis``: ``"time"``, ``"s"``, ``"ms"``, ``None``;
    ``transpose`` draws time vertically. Returns the artist drawn (a PolyCollection or a Line2D)."""
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.floating):
        raise ParameterError("Audio data must be floating-point")
    if y.ndim == 2 and y.shape[0] == 2:
        top, bottom = y[0], y[1]
    elif y.ndim == 1:
        top, bottom = y, y
    else:
        raise ParameterError(f"waveshow takes mono [n] or stereo [2, n] audio, got shape {y.shape}")
    if not (isinstance(max_points, (int, np.integer)) and max_points > 0):
        raise ParameterError(f"max_points={max_points!r} must be a positive integer")
    if x_axis is not None:
        axis = x_axis
    if axis not in (None, "none") + _TIME:
        raise ParameterError(f"axis={axis!r}; waveshow takes 'time', 's', 'ms' or None")
    axes = plt.gca() if ax is None else ax
    kwargs.setdefault("color", next(axes._get_lines.prop_cycler)["color"])
    n = y.shape[-1]
    times = offset + np.arange(n) / float(sr)
    if n > max_points:
        hop = int(np.ceil(n / max_points))
        m = -(-n // hop) * hop
        env_top = np.abs(np.pad(top, (0, m - n), mode="edge")).reshape(-1, hop).max(axis=1)
        env_bottom = np.abs(np.pad(bottom, (0, m - n), mode="edge")).reshape(-1, hop).max(axis=1)
        hi, lo = env_top, -env_bottom
        t = times[::hop]
        fill = axes.fill_betweenx if transpose else axes.fill_between
        out = fill(t, lo, hi, step=where, label=label, **kwargs)
    else:
        if transpose:
            out, = axes.step(top, times, marker=marker, where=where, label=label, **kwargs)
        else:
            out, = axes.step(times, top, marker=marker, where=where, label=label, **kwargs)
        if y.ndim == 2:
            axes.step(times, -np.abs(bottom), marker=marker, where=where, **kwargs)
    _decorate(axes.yaxis if transpose else axes.xaxis, axis)
    (axes.set_ylim if transpose else axes.set_xlim)(times[0] if n else offset, times[-1] if n else offset + 1)
    return out


__getattr__ = _missing.module_getattr(__name__, __all__)
