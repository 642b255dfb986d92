# HTX Số — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DEBUG ?= 1
export PYTHONDONTWRITEBYTECODE = 1
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo registry: today's national counts (htxso/registry/generator/base.py); other counts
# with e.g. DEMO_COUNTS="--groups 70000 --memberships 1000000", a small one with DEMO_SCALE=demo.
DEMO_SCALE ?= national
DEMO_COUNTS ?=

.PHONY: demo test lint format install serve data lock vendor bench-search bench-api bench-dashboard clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

data: install
	$(PY) -m htxso.cli migrate --noinput -v 0
	$(PY) -m htxso.cli load_units
	$(PY) -m htxso.cli demo_data --scale $(DEMO_SCALE) --seed 1 --years 10 $(DEMO_COUNTS)

demo: data
	@echo "HTX Số: http://$(HOST):$(PORT)/"
	$(PY) -m htxso.cli runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy htxso bench
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the lock file from pyproject.toml (needs the registry; not part of demo/test).
lock:
	$(VENV)/bin/pip-compile --quiet --extra dev --generate-hashes --allow-unsafe \
	  --output-file requirements.lock pyproject.toml

vendor:
	bash scripts/vendor.sh

bench-search: install
	$(PY) bench/search.py

# Needs wrk (apt-get install wrk), a benchmark-only tool: demo and test never use it.
bench-api: install
	$(PY) bench/api.py

bench-dashboard: install
	$(PY) bench/dashboard.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
