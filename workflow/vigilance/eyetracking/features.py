"""Hand-made gaze features of a chunk: velocity, dispersion, path and fixation-like statistics.

The classical eye-movement descriptors a careful analyst would compute before reaching for a
deep network: speed statistics, the dispersion of the I-DT fixation filter (Salvucci &
Goldberg, "Identifying fixations and saccades in eye-tracking protocols", ETRA 2000), path
length and straightness, and statistics of "fixation-like" samples whose speed stays below a
threshold (an I-VT filter in the same paper). Units are screen pixels and samples (about 20 ms
each): the recordings give no screen geometry, so no degrees of visual angle.
"""

from __future__ import annotations

import numpy as np

FEATURES = (
    "speed_mean",
    "speed_sd",
    "speed_median",
    "speed_p90",
    "acceleration_mean",
    "dispersion",
    "x_sd",
    "y_sd",
    "path_length",
    "straightness",
    "horizontal_share",
    "turning_angle_mean",
    "fixation_share",
    "fixation_runs",
    "fixation_run_mean",
    "saccade_amplitude_mean",
)


def gaze_features(gaze: np.ndarray, fixation_speed: float) -> np.ndarray:
    """Compute :data:`FEATURES` for every chunk.

    Args:
        gaze: (N, L, 2) gaze positions in pixels, L >= 3.
        fixation_speed: Speed (pixels per sample) below which a sample counts as fixation-like.

    Returns:
        (N, F) float64 features, F = len(FEATURES), in that order.
    """
    gaze = np.asarray(gaze, dtype=np.float64)
    step = np.diff(gaze, axis=1)  # (N, L-1, 2)
    speed = np.hypot(step[..., 0], step[..., 1])  # (N, L-1)
    path = speed.sum(axis=1)
    net = np.hypot(*(gaze[:, -1] - gaze[:, 0]).T)
    span = gaze.max(axis=1) - gaze.min(axis=1)  # (N, 2)
    abs_step = np.abs(step).sum(axis=1)  # (N, 2)
    heading = np.arctan2(step[..., 1], step[..., 0])
    turn = np.abs(np.angle(np.exp(1j * np.diff(heading, axis=1))))  # wrapped to [0, pi]
    fixation = speed < fixation_speed  # (N, L-1)
    run_starts = fixation & ~np.pad(fixation, ((0, 0), (1, 0)))[:, :-1]
    runs = run_starts.sum(axis=1)
    saccade = ~fixation
    saccade_mean = np.divide(
        (speed * saccade).sum(axis=1),
        saccade.sum(axis=1),
        out=np.zeros(len(gaze)),
        where=saccade.any(axis=1),
    )
    columns = [
        speed.mean(axis=1),
        speed.std(axis=1),
        np.median(speed, axis=1),
        np.percentile(speed, 90, axis=1),
        np.abs(np.diff(speed, axis=1)).mean(axis=1),
        span.sum(axis=1),
        gaze[..., 0].std(axis=1),
        gaze[..., 1].std(axis=1),
        path,
        np.divide(net, path, out=np.zeros(len(gaze)), where=path > 0),
        np.divide(
            abs_step[:, 0],
            abs_step.sum(axis=1),
            out=np.full(len(gaze), 0.5),
            where=abs_step.sum(axis=1) > 0,
        ),
        turn.mean(axis=1),
        fixation.mean(axis=1),
        runs.astype(np.float64),
        np.divide(fixation.sum(axis=1), runs, out=np.zeros(len(gaze)), where=runs > 0),
        saccade_mean,
    ]
    return np.stack(columns, axis=1)
