"""vigilance: the Python package behind the vigilance Snakemake workflow.

Deep learning for driver monitoring and biosignal time series. Rooms, each importing only
from rooms below it: ``core`` (plumbing), ``evaluation`` (measures, statistics and verdicts,
folds, classical baselines, comparisons, sweeps), ``plots``/``tables`` (the one style), then one
subpackage per part: ``blink``, ``models``, ``pretrain``, ``finetune``, ``mtl``, ``tree``,
``eyetracking``.
Workflow scripts in ``workflow/scripts`` are thin entry points that call into it.
"""

__version__ = "0.1.0"
