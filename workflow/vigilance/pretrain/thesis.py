"""The thesis' published pre-training results (thesis 000, Table 3.1), free of heavy imports.

Also which sweep parameters are ranges ([low, high, step]) rather than sets of choices.
"""

RANGES = {"dropout", "head_dropout", "warmup_epochs", "learning_rate", "weight_decay"}

THESIS_BEST = {
    "upscaling": "attention_linear",
    "d_model": 512,
    "n_blocks": 4,
    "n_heads": 4,
    "dropout": 0.01,
    "head_hidden": [64],
    "head_dropout": 0.02,
    "head_batch_norm": True,
    "warmup_epochs": 4,
    "learning_rate": 0.00062,
    "accumulate": 1,
    "decay": 0.9,
    "weight_decay": 0.0095,
    "gradient_clip": 1.0,
}
