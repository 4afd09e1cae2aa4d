"""Evaluation shared by every part: measures (scikit-learn based), statistics and verdicts,
folds, classical baselines, comparison tables and hyper-parameter sweeps."""
