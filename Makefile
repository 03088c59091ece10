# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export OVERSIGHT_DATABASE_URL ?= sqlite:///./oversight.db

.PHONY: setup run test lint typecheck pytest migrate demo openapi clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/oversight migrate

demo: migrate
	$(BIN)/oversight seed-demo --if-empty

PORT ?= 8000

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT) (API docs at http://127.0.0.1:$(PORT)/docs)"
	OVERSIGHT_WORKER_IN_PROCESS=true $(BIN)/oversight serve --host 127.0.0.1 --port $(PORT)

lint: setup
	$(BIN)/ruff check src tests migrations bench
	$(BIN)/ruff format --check src tests migrations bench
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest

test: lint pytest

openapi: setup
	$(BIN)/oversight openapi > openapi/openapi.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache oversight.db oversight.db-*
