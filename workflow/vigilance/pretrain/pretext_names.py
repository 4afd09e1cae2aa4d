"""The names of the pretext tasks, without importing them (or PyTorch).

The Snakefile reads these names to build the pre-training grid; importing the registry
(:mod:`vigilance.pretrain.pretexts`) there would import PyTorch into every Snakemake process,
2.3 s of every dry run and of every cluster job's own Snakemake. A test checks that the names
are the registry's.
"""

PRETEXT_NAMES = ("feature", "next_sequence", "row")
