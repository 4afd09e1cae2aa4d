# Two commands on a fresh machine: `make run` (the whole workflow on the embedded default) and
# `make test` (the whole test suite; `make test-fast` for the unit tests alone). Both create .venv when missing and install the pinned
# dependencies into it; nothing is installed outside the project folder.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= all
SNAKEMAKE := $(BIN)/snakemake

.PHONY: run test test-fast report lint format dryrun benchmark clean help

help:
	@echo "make run      run the workflow on the embedded default (config.yaml)"
	@echo "make test     run the whole test suite (the 15 slowest tests listed at the end)"
	@echo "make test-fast  the tests not marked slow: no end-to-end run, no SLURM"
	@echo "make report   build results/report.html from the last run"
	@echo "make lint     ruff, snakefmt and snakemake --lint"
	@echo "make format   format Python and Snakemake files"
	@echo "make dryrun   show what a run would do"
	@echo "make benchmark  time the default run (benchmarks/)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.deps-run: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.deps-dev: requirements-dev.txt $(VENV)/.deps-run
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.deps-run
	$(SNAKEMAKE) --cores $(CORES)

report: $(VENV)/.deps-run
	$(SNAKEMAKE) --report results/report.html

dryrun: $(VENV)/.deps-run
	$(SNAKEMAKE) --cores $(CORES) --dry-run

test: $(VENV)/.deps-dev
	$(BIN)/python -m pytest --durations=15

test-fast: $(VENV)/.deps-dev
	$(BIN)/python -m pytest -m "not slow" --durations=15

lint: $(VENV)/.deps-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check .
	$(SNAKEMAKE) --lint

format: $(VENV)/.deps-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt .

benchmark: $(VENV)/.deps-run
	$(BIN)/python benchmarks/time_default_run.py

clean:
	rm -rf results logs .snakemake
