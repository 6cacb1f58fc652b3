# The single entry point: `make demo`, `make test`, `make lint`, `make bench`.
# Every target sets up what it needs itself, starting from a machine with only python3.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
VALIDATORS := $(VENV)/.validators
PYTEST_WORKERS ?= auto

.PHONY: install demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# backendgen, its dev tools, and the generated stack's dependencies: the one shared
# environment in which the suite runs every generated project's tests.
$(INSTALLED): $(BIN)/python pyproject.toml templates/backend/requirements.txt templates/backend/requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e ".[dev]" -r templates/backend/requirements-dev.txt
	touch $@

install: $(INSTALLED)

$(VALIDATORS): $(INSTALLED) tests/install-validators.sh
	bash tests/install-validators.sh $(VENV)
	touch $@

demo: $(INSTALLED)
	rm -rf demo-backend
	$(BIN)/backendgen new demo-backend --defaults
	$(MAKE) -C demo-backend test

test: $(VALIDATORS)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

lint: $(INSTALLED)
	$(BIN)/ruff check backendgen tests bench
	$(BIN)/ruff format --check backendgen tests bench
	$(BIN)/mypy backendgen

bench: $(INSTALLED)
	$(BIN)/python bench/bench_new.py
	$(BIN)/python bench/bench_llm.py

clean:
	rm -rf $(VENV) demo-backend .pytest_cache .mypy_cache .ruff_cache
