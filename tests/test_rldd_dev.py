"""The real UTA-RLDD development folds (../shared/data/rldd-dev, folds 1-3): the adapter reads
them as their README describes, and the RLDD rules run end to end on them. Skipped when the
folder is absent (the project never copies those files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CONFIGS, run_snakemake

from vigilance.blink.rldd import RLDD_FEATURES, RLDD_WINDOW, RLDDWindows, read_rldd

RLDD_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "rldd-dev"
pytestmark = pytest.mark.skipif(
    not RLDD_DEV.is_dir(), reason=f"the shared RLDD folds are absent ({RLDD_DEV})"
)

# The README's table: sequences, alert, low vigilant, drowsy per fold.
COUNTS = {1: (1269, 228, 494, 547), 2: (2043, 465, 835, 743), 3: (2196, 449, 771, 976)}


def test_the_adapter_reads_the_dev_folds_as_their_readme_says():
    x, score, fold = read_rldd(RLDD_DEV, (1, 2, 3))
    assert x.shape == (sum(c[0] for c in COUNTS.values()), RLDD_WINDOW, len(RLDD_FEATURES))
    assert x.dtype == np.float32 and np.isfinite(x).all()
    for k, (n, alert, low, drowsy) in COUNTS.items():
        labels = score[fold == k]
        assert len(labels) == n
        assert [(labels == v).sum() for v in (0, 5, 10)] == [alert, low, drowsy]


def test_front_padding_is_found_and_only_at_the_front():
    windows = RLDDWindows.from_folder(RLDD_DEV, (1, 2, 3))
    mask = windows.mask.numpy()
    padded = ~mask.all(axis=1)
    assert padded.any()  # short runs exist and are zero-padded
    # Once a window's real blinks start, none is padding: real rows form a suffix.
    first_real = mask.argmax(axis=1)
    suffix = np.arange(RLDD_WINDOW)[None, :] >= first_real[:, None]
    assert (mask == suffix).all()
    assert mask[:, -1].all()  # every window ends with a real blink


@pytest.mark.slow
def test_the_rldd_rules_run_end_to_end_on_the_dev_folds(workflow_copy, tmp_path):
    extra = tmp_path / "rldd.yaml"
    rldd = {"enabled": True, "path": str(RLDD_DEV), "folds": [1, 2, 3], "pretexts": ["row"]}
    extra.write_text(yaml.safe_dump({"seeds": [1], "blink": {"rldd": rldd}}))
    target = "results/finetune/rldd/tables/results.csv"
    args = [target, "--cores", "2", "--configfile", str(CONFIGS["ci"]), str(extra)]
    proc = run_snakemake(*args, cwd=workflow_copy, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    table = pd.read_csv(workflow_copy / target).set_index(["init", "measure"])
    for init in ("majority class (trivial)", "scratch", "pretrained-row"):
        assert table.loc[(init, "accuracy_3"), "runs (folds x seeds)"] == 3
    # The majority row predicts each test fold's training fold's most frequent level: with
    # fold k + 1 validating, the one training fold of 3 is the remaining one.
    expected = []
    for test, train in ((1, 3), (2, 1), (3, 2)):
        counts = COUNTS[train][1:]
        majority = int(np.argmax(counts))
        expected.append(COUNTS[test][1 + majority] / COUNTS[test][0])
    assert table.loc[("majority class (trivial)", "accuracy_3"), "mean"] == pytest.approx(
        np.mean(expected), abs=1e-3
    )
