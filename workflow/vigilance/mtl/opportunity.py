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
SEGMENT = 80  # rows per generated activity segment (longer than a window)


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


def generate(folder, rows: int, seed: int, spikes: int = 3) -> list[Path]:
    """Write 24 files in the exact OPPORTUNITY format with learnable class structure.

    Activities come in segments; each ML_Both_Arms class has its own channel pattern (offsets
    and a frequency), and the other tracks are fixed functions of it (related tasks). Each file
    has NaN stretches, a trailing stretch of NaN rows and ``spikes`` injected spikes.

    Args:
        folder: Output folder (created).
        rows: Rows per file before the trailing NaN stretch.
        seed: Seed of the generator.
        spikes: Spikes injected per file.

    Returns:
        The written paths.
    """
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n_ml = N_CLASSES["ML_Both_Arms"]
    pattern = rng.normal(0, 1, (n_ml, len(CHANNELS)))
    freq = rng.uniform(0.02, 0.2, n_ml)
    # Each other track's class is a fixed function of the ML class (0 -> NULL).
    derived = {t: rng.integers(1, N_CLASSES[t], n_ml) for t in TRACKS[:-1]}
    derived["Locomotion"] = rng.choice([1, 2, 4, 5], n_ml)
    inverse = {t: {v: k for k, v in REMAP[t].items()} for t in TRACKS}
    paths = []
    for subject in SUBJECTS:
        for run in RUNS:
            ml = np.repeat(rng.integers(0, n_ml, rows // SEGMENT + 1), SEGMENT)[:rows]
            t = np.arange(rows)
            values = np.full((rows + 12, N_COLUMNS), np.nan)
            values[:rows, 0] = t * 33
            noise = rng.normal(0, 0.6, (rows, 242))
            values[:rows, 1:243] = noise * 100
            signal = pattern[ml] + np.sin(2 * np.pi * freq[ml] * t)[:, None]
            values[:rows, CHANNELS] = (signal + noise[:, : len(CHANNELS)]) * 100
            for k, track in enumerate(TRACKS):
                ids = ml if track == "ML_Both_Arms" else np.where(ml == 0, 0, derived[track][ml])
                values[:rows, 243 + k] = [inverse[track][int(i)] for i in ids]
            values[rows:, 0] = (rows + np.arange(12)) * 33
            values[rows:, 243:] = 0
            spiked = rng.choice(CHANNELS, spikes, replace=False)  # one spike per channel
            for ch in spiked:
                values[rng.integers(0, rows), ch] = 2e4  # about 150 sigma of a channel
            # NaN stretches (sensor drop-outs) elsewhere: filled forward, a spike would repeat.
            for ch in rng.choice(np.setdiff1d(CHANNELS, spiked), 4, replace=False):
                start = rng.integers(0, rows - 10)
                values[start : start + rng.integers(2, 10), ch] = np.nan
            path = folder / f"S{subject}-{run}.dat"
            lines = [" ".join(_fmt(v) for v in row) for row in values]
            path.write_text("\n".join(lines) + "\n")
            paths.append(path)
    return paths


def _fmt(value: float) -> str:
    if np.isnan(value):
        return "NaN"
    return str(int(value)) if value == int(value) else f"{value:.6g}"
