"""The trivial and classical rows beside T-SCAF, scored on exactly the model's test items.

- trivial: fatigue = the training set's majority state (scikit-learn's ``DummyClassifier``,
  scored by its prior, so AUC 0.5); verification = one constant similarity for every pair (the
  LFW protocol then calls every pair 'same': accuracy = the share of matched pairs, 0.5).
- classical: fatigue = logistic regression on standardised 28 x 28 colour thumbnails, fitted on
  the same training images as the tree; verification = the cosine similarity of mean-centred
  28 x 28 thumbnails, thresholded by the same LFW protocol.

Neither uses anything the tree lacks (the training images of the replicate, the pairs' images).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.tree.images import resize
from vigilance.tree.lfw import verification_accuracy

THUMB = 28


def thumbnails(images: np.ndarray, size: int = THUMB) -> np.ndarray:
    """(N, 112, 112, 3) uint8 -> (N, size * size * 3) float in [0, 1] (antialiased)."""
    return np.stack([resize(img, size).reshape(-1) for img in images]).astype(np.float64) / 255


def _fatigue_models(seed: int) -> dict:
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "trivial": DummyClassifier(strategy="most_frequent"),
        "classical": make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed)
        ),
    }


def _pair_scores(name: str, pairs: dict) -> np.ndarray:
    if name == "trivial":
        return np.zeros(len(pairs["a"]))
    x = thumbnails(pairs["images"])
    x = x - x.mean(axis=1, keepdims=True)
    x /= np.linalg.norm(x, axis=1, keepdims=True).clip(1e-12)
    return np.sum(x[pairs["a"]] * x[pairs["b"]], axis=1)


def score_baselines(fatigue: dict, test: np.ndarray, pairs: dict, seed: int):
    """Test metrics and predictions of both baselines.

    Args:
        fatigue: the fatigue set (images, labels).
        test: (N,) True for this replicate's test images (as the tree's).
        pairs: the verification pairs (images, a, b, same, fold, tested).
        seed: the replicate's seed.

    Returns:
        (metrics: long table model, metric, value; predictions: model, task, item, label, score).
    """
    from sklearn.metrics import accuracy_score, roc_auc_score

    x, y = thumbnails(fatigue["images"]), fatigue["labels"]
    rows, preds = [], []
    for name, model in _fatigue_models(seed).items():
        model.fit(x[~test], y[~test])
        prob = model.predict_proba(x[test])[:, list(model.classes_).index(1)]
        pred = model.predict(x[test])
        scores = _pair_scores(name, pairs)
        lfw = verification_accuracy(scores, pairs["same"], pairs["fold"], pairs.get("tested"))
        fatigue_acc = float(accuracy_score(y[test], pred))
        both = len(np.unique(y[test])) == 2
        metrics = {
            "fatigue_accuracy": fatigue_acc,
            "verification_accuracy": lfw["accuracy"],
            "mean_accuracy": (fatigue_acc + lfw["accuracy"]) / 2,
            "fatigue_auc": float(roc_auc_score(y[test], prob)) if both else np.nan,
            "verification_auc": float(roc_auc_score(pairs["same"], scores)),
        }
        rows += [{"model": name, "metric": k, "value": v} for k, v in metrics.items()]
        preds.append(
            pd.DataFrame(
                {
                    "model": name,
                    "task": "fatigue",
                    "item": np.flatnonzero(test),
                    "label": y[test],
                    "score": prob,
                }
            )
        )
    return pd.DataFrame(rows), pd.concat(preds, ignore_index=True)
