"""Multi-task learning on sensor time series (thesis 004): data adapters, models, training.

The thesis compared single-task CNNs (STL) with hard parameter sharing (HPS), soft parameter
sharing under a tensor trace norm (SPS) and cross-stitch networks (CSN) on OPPORTUNITY and
DEAP. Modules: :mod:`.windows` (windows, majority labels, clipping, splits),
:mod:`.opportunity`, :mod:`.deap`, :mod:`.gaze` (the adapters and generators), :mod:`.metrics`
(per-task scores), :mod:`.models` and :mod:`.recurrent` (the registry), :mod:`.train`,
:mod:`.report` and :mod:`.figures`. Only :mod:`.models`, :mod:`.recurrent` and :mod:`.train`
import torch, so that analysis jobs can use the rest.
"""
