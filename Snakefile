"""vigilance: deep learning for driver monitoring and biosignal time series, end to end.

Thin entry point: minimum version, the embedded default config, validation, the report, the
rule files, and the target of a plain `snakemake --cores all`.
"""

from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/manifest.smk"
include: "workflow/rules/blink_common.smk"
include: "workflow/rules/blink.smk"
include: "workflow/rules/rldd.smk"
include: "workflow/rules/pretrain_common.smk"
include: "workflow/rules/pretrain.smk"
include: "workflow/rules/finetune_common.smk"
include: "workflow/rules/finetune.smk"
include: "workflow/rules/finetune_tables.smk"
include: "workflow/rules/finetune_rldd.smk"
include: "workflow/rules/eyetracking_common.smk"
include: "workflow/rules/eyetracking.smk"
include: "workflow/rules/tree_common.smk"
include: "workflow/rules/tree.smk"
include: "workflow/rules/tree_report.smk"
include: "workflow/rules/mtl_common.smk"
include: "workflow/rules/mtl.smk"


report: "report/workflow.rst"


rule all:
    default_target: True
    input:
        all_outputs(),
