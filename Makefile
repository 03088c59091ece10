# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export OVERSIGHT_DATABASE_URL ?= sqlite:///./oversight.db

.PHONY: setup run test lint typecheck pytest migrate demo openapi clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

LOCALE := src/oversight/locale
CATALOGS := $(LOCALE)/es/LC_MESSAGES/messages.mo

# The catalogs of the site and the e-mails, compiled at install (and when a .po changes).
$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile -d $(LOCALE) -D messages -l $*

setup: $(STAMP) $(CATALOGS)

# After changing the words people read: the template from the code, then the Spanish catalog
# (translate what it adds: tests/site/test_languages.py fails on an empty message).
messages: setup
	$(BIN)/pybabel -q extract -F $(LOCALE)/babel.cfg -k N_ -k C_:1c,2 --no-location \
		--sort-output --omit-header -o $(LOCALE)/messages.pot src/oversight
	$(BIN)/pybabel -q update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages \
		--ignore-obsolete --width 100

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
