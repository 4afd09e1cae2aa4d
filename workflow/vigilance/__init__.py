"""vigilance: the Python package behind the vigilance Snakemake workflow.

Deep learning for driver monitoring and biosignal time series. The package holds the shared
plumbing (errors, configuration, device, seeding, logging, figures, tables, manifest) and, as
the parts of the workflow land, the data, model, training and evaluation code they need.
Workflow scripts in ``workflow/scripts`` are thin entry points that call into it.
"""

__version__ = "0.1.0"
