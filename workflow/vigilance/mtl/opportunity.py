"""OPPORTUNITY (UCI) activity recordings: the validating reader, the preprocessing, a generator.

Format (Roggen et al., "Collecting complex activity datasets in highly rich networked sensor
environments", INSS 2010; UCI "OPPORTUNITY Activity Recognition"): one ``S<subject>-<run>.dat``
file per subject (1-4) and run (``Drill``, ``ADL1``..``ADL5``), whitespace-separated, 250
columns, ``NaN`` for missing values; column 0 is the time in ms, 1-242 sensors, 243-249 the
seven label tracks. Channels, label remappings and windows as in the thesis' code (Wiedekopf
2020, jpwiedekopf/TimeSeriesMTL; ../shared/reference/seed-facts.md part B).
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import numpy as np

from vigilance.core.errors import VigilanceError
from vigilance.mtl.windows import clip_spikes, cut_windows, fill_missing, majority_labels

N_COLUMNS = 250
CHANNELS = np.concatenate(
    [np.arange(a, b + 1) for a, b in [(1, 12), (16, 33), (37, 45), (50, 58), (63, 71)]]
    + [np.arange(a, b + 1) for a, b in [(76, 84), (89, 97), (102, 133)]]
)
TRACKS = (
    "Locomotion",
    "HL_Activity",
    "LL_Left_Arm",
    "LL_Left_Arm_Object",
    "LL_Right_Arm",
    "LL_Right_Arm_Object",
    "ML_Both_Arms",
)
LABEL_COLUMNS = np.arange(243, 250)
_ML = [406516, 406517, 404516, 404517, 406520, 404520, 406505, 404505, 406519]
_ML += [404519, 406511, 404511, 406508, 404508, 408512, 407521, 405506]
# Raw code -> class id per track; 0 (NULL) stays 0.
REMAP: dict[str, dict[int, int]] = {
    "Locomotion": {c: c for c in range(1, 6)},
    "HL_Activity": {100 + i: i for i in range(1, 6)},
    "LL_Left_Arm": {200 + i: i for i in range(1, 14)},
    "LL_Left_Arm_Object": {300 + i: i for i in range(1, 24)},
    "LL_Right_Arm": {400 + i: i for i in range(1, 14)},
    "LL_Right_Arm_Object": {500 + i: i for i in range(1, 24)},
    "ML_Both_Arms": {code: i + 1 for i, code in enumerate(_ML)},
}
for _track in REMAP.values():
    _track[0] = 0
N_CLASSES = {track: max(REMAP[track].values()) + 1 for track in TRACKS}
SUBJECTS = (1, 2, 3, 4)
RUNS = ("Drill", "ADL1", "ADL2", "ADL3", "ADL4", "ADL5")
FILE_PATTERN = re.compile(r"^S(?P<subject>\d+)-(?P<run>Drill|ADL\d)\.dat$")


def read_dat(path: str | Path) -> np.ndarray:
    """Read and validate one ``.dat`` file.

    Returns:
        (n, 250) float64 values.

    Raises:
        VigilanceError: A row with another number of columns, a value that is no number, or a
            label code outside the track's codes (naming file, column, row and value).
    """
    import pandas as pd

    path = Path(path)
    lines = path.read_text().splitlines()
    for row, line in enumerate(lines):
        width = len(line.split())
        if width != N_COLUMNS:
            raise VigilanceError(
                "wrong number of columns",
                file=path,
                field=f"row {row + 1}",
                value=width,
                expected=f"{N_COLUMNS} whitespace-separated columns",
            )
    if not lines:
        raise VigilanceError("empty file", file=path, expected="rows of 250 columns")
    try:  # fast path: every cell a number or NaN
        values = pd.read_csv(path, sep=r"\s+", header=None, dtype=np.float64).to_numpy()
    except ValueError:
        _raise_not_a_number(path)
    for track, col in zip(TRACKS, LABEL_COLUMNS, strict=True):
        codes = values[:, col]
        known = np.isin(codes, list(REMAP[track]))
        if not known.all():
            row = int(np.flatnonzero(~known)[0])
            raise VigilanceError(
                "unknown label code",
                file=path,
                field=f"column {col} {track} (row {row + 1})",
                value=codes[row],
                expected=f"0 or one of the {track} codes {sorted(REMAP[track])[1:4]}...",
            )
    return values


def _raise_not_a_number(path: Path) -> None:
    import pandas as pd

    table = pd.read_csv(path, sep=r"\s+", header=None, dtype=str, na_filter=False)
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(values) & ~table.isin(["NaN", "nan"]).to_numpy()
    row, col = map(int, np.argwhere(bad)[0])
    raise VigilanceError(
        "not a number",
        file=path,
        field=f"column {col} (row {row + 1})",
        value=table.iat[row, col],
        expected="a decimal number or NaN",
    )


def remap_labels(raw: np.ndarray) -> np.ndarray:
    """(n, 7) raw label codes -> (n, 7) class ids (0 = NULL), track by track."""
    out = np.zeros(raw.shape, dtype=np.int64)
    for k, track in enumerate(TRACKS):
        table = REMAP[track]
        out[:, k] = [table[int(c)] for c in raw[:, k]]
    return out


def trailing_nan_rows(signal: np.ndarray, share: float = 0.5) -> int:
    """Index where the run's final stretch of mostly-NaN rows (> ``share`` NaN) begins."""
    mostly = np.isnan(signal).mean(axis=1) > share
    end = len(signal)
    while end > 0 and mostly[end - 1]:
        end -= 1
    return end


def preprocess(values: np.ndarray, clip: bool, sigmas: float) -> tuple[np.ndarray, np.ndarray]:
    """One file's 107 channels and 7 tracks: trailing NaN rows cut, NaNs filled, spikes clipped.

    Args:
        values: (n, 250) from :func:`read_dat`.
        clip: Clip each channel to mean +- ``sigmas`` sigma (really applied, unlike the code).
        sigmas: Width of the clipping band.

    Returns:
        (n', 107) float64 signal and (n', 7) int64 class ids.
    """
    signal = values[:, CHANNELS]
    end = trailing_nan_rows(signal)
    signal = fill_missing(signal[:end])
    if clip:
        signal, _ = clip_spikes(signal, sigmas)
    return signal, remap_labels(values[:end][:, LABEL_COLUMNS])


def find_files(folder: str | Path) -> dict[tuple[int, str], Path]:
    """The ``S<subject>-<run>.dat`` files of a folder (searched recursively), by (subject, run).

    Raises:
        VigilanceError: When the folder holds none.
    """
    found = {}
    for path in sorted(Path(folder).rglob("S*-*.dat")):
        match = FILE_PATTERN.match(path.name)
        if match:
            found[(int(match["subject"]), match["run"])] = path
    if not found:
        raise VigilanceError(
            "no OPPORTUNITY files found",
            file=folder,
            expected="S<subject>-<run>.dat files, e.g. S1-ADL1.dat",
        )
    return found


def load_windows(folder, length: int, step: int, clip: bool, sigmas: float) -> dict:
    """Windows of every file of a folder, with their labels, subject and run.

    Returns:
        Arrays ``x`` (W, L, 107) float32, ``y`` (W, 7) int64, ``subject`` (W,), ``run`` (W,)
        run names, and the ``tasks`` and ``classes`` per task.
    """
    parts: dict[str, list] = {"x": [], "y": [], "subject": [], "run": []}
    for (subject, run), path in find_files(folder).items():
        signal, labels = preprocess(read_dat(path), clip, sigmas)
        x = cut_windows(signal, length, step)
        parts["x"].append(x)
        parts["y"].append(majority_labels(labels, length, step))
        parts["subject"].append(np.full(len(x), subject))
        parts["run"].append(np.full(len(x), run))
    return {
        **{k: np.concatenate(v) for k, v in parts.items()},
        "tasks": np.asarray(TRACKS),
        "classes": np.asarray([N_CLASSES[t] for t in TRACKS]),
    }


SITUATIONS = 6  # latent contexts of the generator (e.g. "at the coffee machine")
# Channel groups of the 107 kept channels: legs and back carry posture and gait, arms gestures.
BODY, ARMS = slice(0, 39), slice(39, 107)


def _world(rng: np.random.Generator) -> dict:
    """The generator's fixed structure, shared by every file: what each latent situation makes
    likely in each track, and each class's signal pattern."""
    n_ml = N_CLASSES["ML_Both_Arms"]
    n_ch = len(CHANNELS)
    world = {
        # Each situation favours one posture and a few gestures (not a function: a distribution).
        "posture": rng.dirichlet(np.full(4, 0.6), SITUATIONS),
        "gestures": np.stack([rng.dirichlet(np.full(n_ml - 1, 0.25)) for _ in range(SITUATIONS)]),
        "activity": rng.integers(1, N_CLASSES["HL_Activity"], SITUATIONS),
        "context": rng.normal(0, 0.4, (SITUATIONS, n_ch)),
        "posture_offset": rng.normal(0, 0.8, (4, n_ch)),
        "gesture_load": rng.normal(0, 1, (n_ml, n_ch)) * (rng.random((n_ml, n_ch)) < 0.3),
        "gesture_freq": rng.uniform(0.03, 0.12, n_ml),
    }
    # Gestures come in look-alike pairs (open / close of the same door): shared loadings.
    for g in range(2, n_ml, 2):
        world["gesture_load"][g] = (
            0.7 * world["gesture_load"][g - 1] + 0.3 * world["gesture_load"][g]
        )
    world["gesture_load"][:, BODY] *= 0.3
    for track in ("LL_Left_Arm", "LL_Left_Arm_Object", "LL_Right_Arm", "LL_Right_Arm_Object"):
        world[track] = rng.integers(1, N_CLASSES[track], n_ml)  # the usual action of a gesture
        world[f"{track}_load"] = rng.normal(0, 0.5, (N_CLASSES[track], n_ch))
    return world


def _segments(rng, rows: int, mean: float, low: int) -> np.ndarray:
    """Start indices of segments with lengths of at least ``low`` rows (exponential beyond)."""
    starts, pos = [], 0
    while pos < rows:
        starts.append(pos)
        pos += low + int(rng.exponential(mean - low))
    return np.asarray(starts)


def _label_file(rng, rows: int, world: dict) -> tuple[np.ndarray, np.ndarray]:
    """(rows, 7) class ids of one run and its (rows,) latent situations.

    The latent situation changes every few hundred rows. Locomotion follows the situation's
    postures at its own change points, with short NULL transitions; gestures (ML_Both_Arms)
    are bursts of 40-110 rows drawn from the situation's gestures, with NULL between them (about
    70 % of the rows, as in the real data); the arm tracks usually show the gesture's action,
    but not always, with their own onsets and lengths; HL_Activity is the situation's activity.
    """
    labels = np.zeros((rows, len(TRACKS)), dtype=np.int64)
    k = {t: TRACKS.index(t) for t in TRACKS}
    situation = np.zeros(rows, dtype=np.int64)
    starts = _segments(rng, rows, 400, 150)
    for a, b in zip(starts, [*starts[1:], rows], strict=True):
        s = rng.integers(SITUATIONS)
        situation[a:b] = s
        labels[a:b, k["HL_Activity"]] = world["activity"][s] if rng.random() < 0.85 else 0
    loco_starts = _segments(rng, rows, 180, 60)
    for a, b in zip(loco_starts, [*loco_starts[1:], rows], strict=True):
        posture = [1, 2, 4, 5][rng.choice(4, p=world["posture"][situation[a]])]
        labels[a:b, k["Locomotion"]] = posture
        labels[a : a + rng.integers(10, 50), k["Locomotion"]] = 0  # a transition
    pos = int(rng.integers(0, 60))
    while pos < rows:
        length = int(rng.integers(40, 110))
        g = 1 + rng.choice(N_CLASSES["ML_Both_Arms"] - 1, p=world["gestures"][situation[pos]])
        labels[pos : pos + length, k["ML_Both_Arms"]] = g
        for track in ("LL_Left_Arm", "LL_Left_Arm_Object", "LL_Right_Arm", "LL_Right_Arm_Object"):
            if rng.random() < 0.25:
                continue  # this arm does nothing labelled during the gesture
            usual = rng.random() < 0.75
            action = world[track][g] if usual else rng.integers(1, N_CLASSES[track])
            onset = pos + int(rng.integers(-12, 12))
            span = int(length * rng.uniform(0.6, 1.1))
            labels[max(onset, 0) : max(onset + span, 0), k[track]] = action
        pos += length + int(rng.integers(60, 330))
    return labels, situation


def generate(folder, rows: int, seed: int, spikes: int = 3) -> list[Path]:
    """Write 24 files in the exact OPPORTUNITY format whose tracks share latent structure.

    A latent situation drives every track (:func:`_label_file`): each track is drawn from the
    situation with its own noise and timing, so Locomotion and the arm tracks carry
    information about ML_Both_Arms without being functions of it (the question multi-task
    learning asks). The signals add, per channel: the situation's context offset, the
    posture's offset and a gait rhythm while walking (mostly legs and back), each gesture's
    windowed oscillation on its channels (look-alike pairs share most of their loadings), the
    arm actions' offsets, a subject's gain and offset, and autocorrelated noise as strong as
    the patterns, so that a classical model on window statistics stays well below perfect.
    Each file has NaN stretches, a trailing stretch of NaN rows and ``spikes`` spikes.

    Args:
        folder: Output folder (created).
        rows: Rows per file before the trailing NaN stretch.
        seed: Seed of the generator.
        spikes: Spikes injected per file.

    Returns:
        The written paths.
    """
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    world = _world(rng)
    n_ch = len(CHANNELS)
    inverse = {t: {v: k for k, v in REMAP[t].items()} for t in TRACKS}
    k_ml, k_loco = TRACKS.index("ML_Both_Arms"), TRACKS.index("Locomotion")
    paths = []
    for subject in SUBJECTS:
        gain = rng.uniform(0.8, 1.25, n_ch)
        offset = rng.normal(0, 0.5, n_ch)
        for run in RUNS:
            labels, situation = _label_file(rng, rows, world)
            t = np.arange(rows)
            signal = world["context"][situation]
            loco = labels[:, k_loco]
            posture = np.searchsorted([1, 2, 4, 5], np.where(loco == 0, 1, loco))
            signal = signal + world["posture_offset"][posture] * (loco != 0)[:, None]
            walking = (loco == 2)[:, None] * np.sin(2 * np.pi * t / 15)[:, None]
            signal[:, BODY] += 0.8 * walking
            ml = labels[:, k_ml]
            for start, stop, g in _runs(ml):
                envelope = np.hanning(stop - start + 2)[1:-1]
                wave = envelope * np.sin(2 * np.pi * world["gesture_freq"][g] * t[start:stop])
                signal[start:stop] += (0.6 + 0.6 * wave)[:, None] * world["gesture_load"][g]
            for track in ("LL_Left_Arm", "LL_Left_Arm_Object", "LL_Right_Arm"):
                ids = labels[:, TRACKS.index(track)]
                signal = signal + world[f"{track}_load"][ids] * (ids != 0)[:, None]
            noise = lfilter([1.0], [1.0, -0.8], rng.normal(0, 0.6, (rows, n_ch)), axis=0)
            signal = (signal + noise) * gain + offset
            values = np.full((rows + 12, N_COLUMNS), np.nan)
            values[:, 0] = np.arange(rows + 12) * 33
            values[:rows, 1:243] = rng.normal(0, 60, (rows, 242)).round()
            values[:rows, CHANNELS] = (signal * 100).round()
            for k, track in enumerate(TRACKS):
                values[:rows, 243 + k] = [inverse[track][int(i)] for i in labels[:, k]]
            values[rows:, 243:] = 0
            spiked = rng.choice(CHANNELS, spikes, replace=False)  # one spike per channel
            for ch in spiked:
                values[rng.integers(0, rows), ch] = 2e4 * np.sign(rng.normal()) or 2e4
            # NaN stretches (sensor drop-outs) elsewhere: filled forward, a spike would repeat.
            for ch in rng.choice(np.setdiff1d(CHANNELS, spiked), 4, replace=False):
                start = rng.integers(0, rows - 10)
                values[start : start + rng.integers(2, 10), ch] = np.nan
            path = folder / f"S{subject}-{run}.dat"
            _write_dat(path, values)
            paths.append(path)
    return paths


def _write_dat(path: Path, values: np.ndarray) -> None:
    """Whitespace-separated integers and NaN, as the UCI files (every value is whole here)."""
    sentinel = -(2**62)  # never a value: marks the NaNs through the integer formatting
    ints = np.where(np.isnan(values), sentinel, values).astype(np.int64)
    row = " ".join(["%d"] * ints.shape[1])
    text = "\n".join(row % tuple(r) for r in ints.tolist()) + "\n"
    path.write_text(text.replace(str(sentinel), "NaN"))


def _runs(ids: np.ndarray):
    """(start, stop, id) of each stretch of one non-zero id."""
    change = np.flatnonzero(np.diff(ids)) + 1
    bounds = [0, *change.tolist(), len(ids)]
    for a, b in pairwise(bounds):
        if ids[a] != 0:
            yield a, b, int(ids[a])
