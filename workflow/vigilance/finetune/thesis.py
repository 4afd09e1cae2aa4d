"""The thesis' published fine-tuning results (thesis 000, Table 3.2), free of heavy imports."""

THESIS_FINETUNE_BEST = {
    "head_hidden": [16],
    "head_dropout": 0.16,
    "head_batch_norm": True,
    "accumulate": 32,
    "gradient_clip": 1.0,
}

# The thesis' best unfreezing strategy: the top block from epoch 3, the next from epoch 6.
THESIS_BEST_SCHEDULE = [[3, 1], [6, 2]]
