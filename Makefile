# Two commands: `make run` (the bot in this terminal) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Exits 0 on a Python new enough for Bounceback (its own check, so any python works here).
NEW_ENOUGH := -c 'import sys; sys.exit(sys.version_info < (3, 11))'

.PHONY: run test lint bench clean

# A .venv left by a Python older than 3.11 (or whose Python is gone) can never install
# Bounceback: say so and build it again, instead of failing the same way on every run.
ifneq ($(wildcard $(BIN)/python),)
ifneq ($(shell $(BIN)/python $(NEW_ENOUGH) 2>/dev/null && echo ok),ok)
$(info $(VENV) was made by $(shell $(BIN)/python -V 2>&1 || echo a Python that is gone); \
Bounceback needs Python 3.11 or newer, so $(VENV) is built again.)
$(shell rm -rf $(VENV))
endif
endif

$(BIN)/python:
	@$(PYTHON) $(NEW_ENOUGH) 2>/dev/null || { \
		echo "Bounceback needs Python 3.11 or newer, and $(PYTHON) is $$($(PYTHON) -V 2>&1)."; \
		echo "Name a newer one, e.g.: make PYTHON=python3.12 $(or $(MAKECMDGOALS),run)"; \
		exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) -V 2>&1)..."
	@$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing Bounceback and its tools into $(VENV) (the first time takes a minute or two)..."
	@$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)
	@echo "Installed. Later runs start at once."

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
	@$(BIN)/python bench/chaos.py
	@$(BIN)/python bench/crisis.py
	@$(BIN)/python bench/chart.py
	@$(BIN)/python bench/delivery.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
