# Katalog Lokal. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test test-postgres e2e lint check messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Everything the project needs: the pinned Python packages, the project itself, compiled
# translations, and Debian's chromium and poppler-utils for the tests (installed when missing and root).
install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/katalog compilemessages_po
	@scripts/ensure-system-packages

run: install
	$(BIN)/katalog migrate --noinput
	$(BIN)/katalog demo
	PORT=$(PORT) scripts/serve

test: install
	$(BIN)/pytest

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest

e2e: install
	$(BIN)/pytest -m e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/katalog makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/import_bench.py

clean:
	rm -rf $(VENV) var
