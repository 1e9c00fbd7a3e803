# Two commands: `make run` (the bot in this terminal) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/bounceback console

test: $(STAMP)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy
	@$(BIN)/python -m pytest

lint: $(STAMP)
	@$(BIN)/ruff check --fix .
	@$(BIN)/ruff format .
	@$(BIN)/mypy

# The benchmarks (PostgreSQL too when TEST_DATABASE_URL is set); figures go in the README.
bench: $(STAMP)
	@$(BIN)/python bench/engine.py
	@$(BIN)/python bench/scheduler.py
	@$(BIN)/python bench/slack.py
	@$(BIN)/python bench/crisis.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
