"""How much the pre-training task has to learn: is a masked row predictable from its window?

The companion of the KSS signal check (:func:`vigilance.blink.describe.signal_check`) for the
pretext task of thesis 000. In every ``stride``-th full window of the pre-training pool one
row at a random inner position plays the masked row; its (normalised) features are predicted
from the rest of the window by

- the **training mean** (no information from the window: the floor any model must beat),
- the **window mean** of the other rows (the thesis' mean baseline),
- the **next row** (the thesis' next-row baseline),
- a **ridge** regression (regularisation chosen by cross-validation) on the other rows' mean,
  the previous and the next row,

fitted on the pre-training training drivers and scored on its validation drivers. The share of
variance explained (1 - MSE / MSE of the training mean) says how much structure a masked-row
model can find in a window; a value near 0 would leave pre-training nothing to learn, a value
near 1 nothing hard.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _masked_rows(windows, stride: int, seed: int):
    """(target (W, N), others' mean (W, N), previous (W, N), next (W, N)) of full windows."""
    import torch

    full = torch.nonzero(windows.sizes == windows.sizes.max()).flatten()[::stride]
    x = windows.gather(full)[0].numpy().astype(np.float64)
    length = x.shape[1]
    if length < 3:
        raise ValueError(f"windows of {length} rows have no inner row to mask")
    pick = np.random.default_rng(seed).integers(1, length - 1, len(x))
    rows = np.arange(len(x))
    target = x[rows, pick]
    others = (x.sum(axis=1) - target) / (length - 1)
    return target, others, x[rows, pick - 1], x[rows, pick + 1]


def pretext_check(train, test, stride: int, seed: int = 0) -> pd.DataFrame:
    """MSE and variance explained of four predictors of a masked row (module docstring).

    Args:
        train, test: :class:`vigilance.blink.windows.BlinkWindows` of the pre-training pool's
            training and validation drivers.
        stride: Every how many full windows one is used.
        seed: Seed of the masked positions.
    """
    from sklearn.linear_model import RidgeCV

    fit, score = _masked_rows(train, stride, seed), _masked_rows(test, stride, seed + 1)
    target = score[0]
    mean = fit[0].mean(axis=0)
    ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(np.hstack(fit[1:]), fit[0])
    predictions = {
        "training mean": np.broadcast_to(mean, target.shape),
        "window mean of the other rows (mean baseline)": score[1],
        "next row (next-row baseline)": score[3],
        "ridge on the other rows' mean, previous and next row": ridge.predict(np.hstack(score[1:])),
    }
    floor = float(((target - mean) ** 2).mean())
    rows = []
    for name, guess in predictions.items():
        mse = float(((target - guess) ** 2).mean())
        rows.append({"predictor": name, "MSE": mse, "variance explained": 1.0 - mse / floor})
    table = pd.DataFrame(rows)
    table["train windows"], table["test windows"] = len(fit[0]), len(target)
    return table
