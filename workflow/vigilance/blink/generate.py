"""A seeded generator of realistic blink recordings in the open format (the embedded default).

The model follows what the drowsiness literature reports about blinks (Schleicher et al. 2008,
"Blinks and saccades as indicators of fatigue in sleepiness warnings: looking tired?",
Ergonomics 51(7); Caffier et al. 2003, "Experimental evaluation of eye-blink parameters as a
drowsiness measure", Eur J Appl Physiol 89; Akerstedt & Gillberg 1990 for the KSS; Ingre et al.
2006 for KSS vs time on task and circadian phase):

1. **Drivers and pools.** Each driver has baseline blink features drawn from a correlated
   log-normal distribution: the log-medians of closing, closed and reopening duration,
   amplitude, peak closing and reopening velocity and inter-blink interval are multivariate
   normal around population values (durations correlated with each other, velocities with
   amplitude), plus a drowsiness susceptibility ``s`` (log-normal) and a label quality: ``high``
   (trained in the scale: the labelled, fine-tuning pool), ``low`` (untrained) or ``none`` (no
   reports); ``low`` and ``none`` form the pre-training pool. The counts are exact, not drawn:
   ``round(drivers / (1 + pretrain_ratio))`` drivers are ``high`` (so the unlabelled pool is
   ``pretrain_ratio`` times the labelled one, 4:1 by default, thesis 000's premise of "an
   extensive collection of unlabeled data"), ``round(no_label_share * pool)`` of the rest
   ``none``, and a seeded permutation says who is who.
   **Each driver shows drowsiness in their own way**: the effect of drowsiness on the driver's
   blinks is the population effect (step 3) scaled by a driver gain ``g ~ LogNormal(0,
   effect_spread)`` and, feature by feature (the six blink phases and the blink rate), by
   ``1 + pattern_sd * z`` with ``z ~ N(0, 1)``: one driver's closed phase lengthens most,
   another's velocity drops most, a few barely change. So what links blinks to the KSS differs
   between drivers around a shared pattern, and a model fitted on few labelled drivers may or
   may not transfer; whether blink dynamics learnt from many unlabelled drivers help is the
   open question the data pose, not one they answer by construction.
2. **Latent drowsiness** ``d(t) >= 0`` per recording: an Ornstein-Uhlenbeck process on a 10 s
   grid that mean-reverts (time constant 20 min) towards ``s * (a * hours on task + b *
   night(clock))``, where ``night`` peaks at 04:00 (a cosine over 24 h); the recording starts at
   a uniformly drawn clock time.
3. **Blinks.** Blink onsets come from a renewal process (gamma gaps, shape 3) whose rate rises
   with ``d`` (population effect: the interval shrinks by ``exp(-0.25 d)``). Per blink the
   log-features shift with ``d`` (population effects, each scaled per driver as in step 1):
   closing +0.25 d, closed +0.6 d, reopening +0.35 d, amplitude -0.1 d, closing velocity
   -0.3 d, reopening velocity -0.35 d. Micro-sleeps (closed phase lengthened by 0.3 s plus an
   exponential of mean 0.7 s) appear with probability ``0.3 * sigmoid(6 (d - 1.3))``. The blink
   duration is the sum of its phases; the amplitude-velocity ratio is amplitude over closing
   velocity. Within a recording each log-feature carries AR(1) noise (phi 0.7) plus white noise,
   so neighbouring blinks resemble each other.
4. **KSS.** Every 5 minutes the driver reports ``round(2 + 3.5 * mean d over the last 5 min +
   bias + noise)`` clipped to 1..9; a report is assigned to the following 5-minute slot (so the
   first 5 minutes of a recording carry no label). High-quality drivers have small bias and
   noise (SD 0.3 and 0.5), low-quality drivers large (SD 1.0 and 1.2); ``none`` drivers and a
   share of the other recordings have no reports.
5. **Detector artefacts**, for the validation and cleaning to deal with: missed blinks (dropped,
   so the next interval spans the gap), outliers (one feature multiplied by 4-10) and a few
   missing feature values (NaN).

Calibration features are not generated: the workflow derives them from each recording's first
minutes, as it does for any data set that lacks them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from vigilance.blink.format import FEATURES

# Population log-medians of the generated primitives (units of FEATURES).
_PRIMITIVES = ["closing", "closed", "reopening", "amplitude", "pcv", "prv", "ibi"]
_MEDIANS = np.array([90.0, 40.0, 140.0, 9.0, 150.0, 70.0, 3.5])
_LOG_SD = np.array([0.20, 0.30, 0.22, 0.15, 0.20, 0.22, 0.30])
_CORR = np.array(
    [
        [1.0, 0.5, 0.5, 0.0, -0.3, -0.2, 0.0],
        [0.5, 1.0, 0.4, 0.0, -0.2, -0.2, 0.0],
        [0.5, 0.4, 1.0, 0.0, -0.2, -0.4, 0.0],
        [0.0, 0.0, 0.0, 1.0, 0.6, 0.5, 0.0],
        [-0.3, -0.2, -0.2, 0.6, 1.0, 0.5, 0.0],
        [-0.2, -0.2, -0.4, 0.5, 0.5, 1.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    ]
)
# Population effect of drowsiness d on each log-primitive and, last, on the log blink rate (ibi
# follows from the rate).
_EFFECT = np.array([0.25, 0.6, 0.35, -0.1, -0.3, -0.35, 0.25])
_GRID_S = 10.0
_SLOT_S = 300.0


@dataclass(frozen=True)
class GeneratorConfig:
    """Sizes and rates of the generated data set (``blink.generator`` in config)."""

    drivers: int = 200
    recordings_per_driver: int = 3
    recording_minutes: float = 60.0
    pretrain_ratio: float = 4.0
    no_label_share: float = 0.5
    unlabelled_recording_share: float = 0.1
    effect_spread: float = 0.25
    pattern_sd: float = 0.3
    missed_blink_rate: float = 0.02
    outlier_rate: float = 0.001
    missing_value_rate: float = 0.0005
    seed: int = 0


def _latent(rng, n_steps: int, start_h: float, susceptibility: float) -> np.ndarray:
    """Latent drowsiness on the 10 s grid: mean-reverting towards time-on-task and night."""
    t_h = np.arange(n_steps) * _GRID_S / 3600.0
    clock = (start_h + t_h) % 24.0
    night = 0.5 * (1.0 + np.cos(2 * np.pi * (clock - 4.0) / 24.0))
    target = susceptibility * (0.45 * t_h + 0.7 * night)
    theta = _GRID_S / 1200.0
    sigma = 0.25 * np.sqrt(2 * theta)
    d = np.empty(n_steps)
    d[0] = max(0.0, target[0] + rng.normal(0, 0.2))
    shocks = rng.normal(0, sigma, n_steps)
    for i in range(1, n_steps):
        d[i] = d[i - 1] + theta * (target[i] - d[i - 1]) + shocks[i]
    return np.clip(d, 0.0, None)


def _ar1(rng, n: int, k: int, phi: float = 0.7, sd: float = 0.12) -> np.ndarray:
    """(n, k) AR(1) noise with stationary standard deviation ``sd``."""
    white = rng.normal(0, sd * np.sqrt(1 - phi**2), (n, k))
    return lfilter([1.0], [1.0, -phi], white, axis=0)


def _recording(
    rng, cfg: GeneratorConfig, base: np.ndarray, effect: np.ndarray, susceptibility: float, quality
):
    """One recording's blinks (features, onset, kss) as a DataFrame without ids; ``effect``
    (7,) is the driver's effect of drowsiness on the six log-phases and the log blink rate."""
    duration_s = cfg.recording_minutes * 60.0
    n_steps = int(np.ceil(duration_s / _GRID_S)) + 1
    d_grid = _latent(rng, n_steps, rng.uniform(0, 24), susceptibility)
    grid_t = np.arange(n_steps) * _GRID_S
    # Renewal process by time rescaling: unit-mean gamma gaps in "blink time", mapped back.
    rate = np.exp(effect[6] * d_grid) / np.exp(base[6])
    cumulative = np.concatenate([[0.0], np.cumsum(rate[1:] * _GRID_S)])
    n_max = int(cumulative[-1] * 1.5) + 10
    blink_time = np.cumsum(rng.gamma(3.0, 1.0 / 3.0, n_max))
    blink_time = blink_time[blink_time < cumulative[-1]]
    t = np.interp(blink_time, cumulative, grid_t)
    d = np.interp(t, grid_t, d_grid)
    n = len(t)
    logs = base[:6] + np.outer(d, effect[:6]) + _ar1(rng, n, 6) + rng.normal(0, 0.08, (n, 6))
    closing, closed, reopening, amplitude, pcv, prv = np.exp(logs).T
    microsleep = rng.random(n) < 0.3 / (1.0 + np.exp(-6.0 * (d - 1.3)))
    closed = closed + microsleep * (300.0 + rng.exponential(700.0, n))
    reopening = reopening * np.where(microsleep, 1.5, 1.0)
    features = np.column_stack(
        [
            closing + closed + reopening,
            closing,
            closed,
            reopening,
            amplitude,
            pcv,
            prv,
            amplitude / pcv * 1000.0,
        ]
    )
    kss = _kss(rng, t, grid_t, d_grid, duration_s, quality)
    keep = rng.random(n) >= cfg.missed_blink_rate
    t, features, kss = t[keep], features[keep], kss[keep]
    ibi = np.diff(t, prepend=0.0)
    features = np.column_stack([features, ibi])
    n = len(t)
    outliers = rng.random(n) < cfg.outlier_rate
    columns = rng.integers(0, features.shape[1], n)
    features[outliers, columns[outliers]] *= rng.uniform(4, 10, outliers.sum())
    missing = rng.random(n) < cfg.missing_value_rate
    features[missing, columns[missing]] = np.nan
    frame = pd.DataFrame(features, columns=list(FEATURES))
    frame.insert(0, "t_s", t)
    frame["kss"] = pd.array(kss, dtype="Int8")
    return frame


def _kss(rng, t, grid_t, d_grid, duration_s, quality) -> np.ndarray:
    """Reported KSS per blink: a noisy reading every 5 min, assigned to the next slot."""
    kss = np.full(len(t), np.nan)
    if quality["label_quality"] == "none" or quality["unlabelled"]:
        return kss
    for report_s in np.arange(_SLOT_S, duration_s, _SLOT_S):
        recent = (grid_t > report_s - _SLOT_S) & (grid_t <= report_s)
        value = 2.0 + 3.5 * d_grid[recent].mean() + quality["bias"]
        value += rng.normal(0, quality["noise"])
        slot = (t >= report_s) & (t < report_s + _SLOT_S)
        kss[slot] = np.clip(np.round(value), 1, 9)
    return kss


def driver_effects(rng, cfg: GeneratorConfig) -> np.ndarray:
    """(drivers, 7) each driver's effect of drowsiness on the six log-phases and the log blink
    rate: the population effect times a log-normal gain times ``1 + pattern_sd * N(0, 1)``."""
    gain = rng.lognormal(0.0, cfg.effect_spread, cfg.drivers)
    pattern = 1.0 + cfg.pattern_sd * rng.standard_normal((cfg.drivers, len(_EFFECT)))
    return _EFFECT * gain[:, None] * pattern


def pool_sizes(cfg: GeneratorConfig) -> dict[str, int]:
    """Drivers per label quality: ``high`` (the labelled pool), ``low`` and ``none``."""
    high = round(cfg.drivers / (1.0 + cfg.pretrain_ratio))
    none = round(cfg.no_label_share * (cfg.drivers - high))
    return {"high": high, "low": cfg.drivers - high - none, "none": none}


def label_qualities(rng, cfg: GeneratorConfig) -> np.ndarray:
    """(drivers,) label qualities with the exact counts of :func:`pool_sizes`, seeded order."""
    sizes = pool_sizes(cfg)
    qualities = np.repeat(list(sizes), list(sizes.values()))
    return qualities[rng.permutation(cfg.drivers)]


def generate(cfg: GeneratorConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a data set.

    Args:
        cfg: Sizes, rates and the seed.

    Returns:
        ``(blinks, drivers)`` in the open format (blinks stacked with ids, ``kss`` nullable).
    """
    rng = np.random.default_rng(cfg.seed)
    cov = _CORR * np.outer(_LOG_SD, _LOG_SD)
    bases = np.log(_MEDIANS) + rng.multivariate_normal(np.zeros(7), cov, cfg.drivers)
    susceptibility = rng.lognormal(0.0, 0.5, cfg.drivers)
    effects = driver_effects(rng, cfg)
    qualities = label_qualities(rng, cfg)
    frames = []
    for i in range(cfg.drivers):
        driver_id = f"D{i + 1:03d}"
        high = qualities[i] == "high"
        bias = rng.normal(0, 0.3 if high else 1.0)
        for r in range(cfg.recordings_per_driver):
            quality = {
                "label_quality": qualities[i],
                "unlabelled": rng.random() < cfg.unlabelled_recording_share,
                "bias": bias,
                "noise": 0.5 if high else 1.2,
            }
            frame = _recording(rng, cfg, bases[i], effects[i], susceptibility[i], quality)
            frame.insert(0, "recording_id", f"{driver_id}_R{r + 1}")
            frame.insert(0, "driver_id", driver_id)
            frames.append(frame)
    blinks = pd.concat(frames, ignore_index=True)
    drivers = pd.DataFrame(
        {"driver_id": [f"D{i + 1:03d}" for i in range(cfg.drivers)], "label_quality": qualities}
    )
    return blinks, drivers
