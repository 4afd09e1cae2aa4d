"""``row``: masked-row modelling (thesis 000, section 3.2.1/3.3; BERT's masked LM on rows).

Inputs: the window with 15 % of its real rows chosen (80 % set to the mask index, 10 % noised,
10 % kept: :func:`vigilance.pretrain.masking.mask_rows`). Targets: the chosen rows' unmasked
values. Loss: the mean squared error over the chosen rows. Baselines on exactly the chosen
rows: the thesis' mean and next row from the unmasked sequence, and ``*_visible`` from what
the model sees; every measure also by row kind (``*_masked``, ``*_noised``, ``*_kept``).
"""

from __future__ import annotations

import torch

from vigilance.core.device import autocast
from vigilance.pretrain.masking import MaskingConfig, mask_rows, row_kind_sums, visible_baselines
from vigilance.pretrain.model import PretrainModel, baselines, squared_errors
from vigilance.pretrain.pretexts.base import Pretext


class RowMasking(Pretext):
    """Masked-row modelling, the thesis' pretext (its numbers are unchanged by the registry)."""

    name = "row"
    inputs = "window with chosen rows masked, noised or kept"
    targets = "the chosen rows' unmasked features"
    loss = "MSE over the chosen rows"
    measures = ("loss", "loss_original", "loss_masked", "loss_noised", "loss_kept")
    baselines = ("mean", "next", "mean_visible", "next_visible")
    model_class = PretrainModel

    def __init__(self, masking: MaskingConfig | None = None):
        self.masking = masking or MaskingConfig()

    def errors(self, model, windows, idx, generator, device, precision, original):
        x, real, _ = windows.gather(idx)
        x_masked, chosen, treatment = mask_rows(x, real, self.masking, generator)
        with autocast(device, precision):
            prediction = model(x_masked, real, treatment)
        target = x[chosen]
        errors = {"loss": squared_errors(prediction, target)}
        if x.shape[-1] > original:
            errors["loss_original"] = squared_errors(prediction[:, :original], target[:, :original])
        else:
            errors["loss_original"] = errors["loss"]
        # The baselines on exactly the same chosen rows, for the training split too.
        with torch.no_grad():
            guesses = {**baselines(x, real, chosen), **visible_baselines(x, real, treatment)}
            for name, guess in guesses.items():
                errors[f"baseline_{name}"] = squared_errors(guess, target)
        return errors, treatment[chosen]

    def sums(self, errors, groups):
        return row_kind_sums(errors, groups)

    def describe(self, train, val):
        return (
            f"train {train['loss']:.4f}, val {val['loss']:.4f} "
            f"(mean {val['baseline_mean']:.4f}, next {val['baseline_next']:.4f})"
        )
