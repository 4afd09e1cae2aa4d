"""The UTA-RLDD blink sequences: download (checksummed) and describe, when enabled."""


# Compute nodes often cannot reach the internet: downloads run where Snakemake runs.
localrules:
    download_rldd,


rule download_rldd:
    output:
        files=[f"results/blink/rldd/raw/{Path(f).name}" for f in rldd_inputs()],
        sums="results/blink/rldd/raw/SHA256SUMS",
    log:
        "logs/blink/rldd/raw/download.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        url=BLINK["rldd"]["url"],
        sha256=BLINK["rldd"]["sha256"],
    script:
        "../scripts/download_rldd.py"


rule describe_rldd:
    input:
        rldd_inputs(),
    output:
        csv="results/blink/rldd/describe/folds.csv",
        html=report(
            "results/blink/rldd/describe/folds.html",
            caption="../../report/rldd_folds.rst",
            category="Blink data",
            subcategory="rldd",
            labels={"dataset": "rldd", "table": "folds"},
        ),
    log:
        "logs/blink/rldd/describe/folds.log",
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        folder=lambda wildcards, input: str(Path(input[0]).parent),
        folds=BLINK["rldd"]["folds"],
    script:
        "../scripts/describe_rldd.py"
