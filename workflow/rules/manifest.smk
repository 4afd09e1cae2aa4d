"""The reproducibility manifest: versions, device, commit and config hash of this run."""


rule write_manifest:
    output:
        json="results/manifest/environment.json",
        csv="results/manifest/environment.csv",
        html=report(
            "results/manifest/environment.html",
            caption="../../report/manifest.rst",
            category="Reproducibility",
            labels={"table": "environment manifest"},
        ),
    log:
        "logs/manifest/environment.log",
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        config=config,
        repo=workflow.basedir,
        commit=git_commit(),
    script:
        "../scripts/write_manifest.py"
