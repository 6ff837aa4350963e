# Katalog Lokal. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install install-dev run test test-postgres e2e lint bench load lock audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# What the system needs to run: the production packages pinned with their hashes, the project
# itself (console script `katalog`) and the compiled translations. Nothing from Debian, no root.
install: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/katalog compilemessages_po

# Plus the tests and tools (pytest, Playwright, ruff, locust, pip-tools, pip-audit), same versions, and
# Debian's chromium, poppler-utils and wrk (scripts/ensure-system-packages).
install-dev: install
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	@scripts/ensure-system-packages || true  # `make test` and `make e2e` insist on the browser

# The demo served by gunicorn (scripts/gunicorn.conf.py sizes it for the machine) with the task worker.
run: install
	$(BIN)/katalog migrate --noinput
	$(BIN)/katalog demo
	PORT=$(PORT) scripts/serve

# The browser journeys need Debian's chromium (and the PDF tests poppler-utils' pdftoppm):
# installed here when missing, as root; otherwise the script says what to run.
test: install-dev
	@scripts/ensure-system-packages
	$(BIN)/pytest

test-postgres: install-dev
	@scripts/ensure-system-packages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest

e2e: install-dev
	@scripts/ensure-system-packages
	$(BIN)/pytest -m e2e

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/katalog makemigrations --check --dry-run

bench: install-dev
	$(BIN)/python bench/import_bench.py

# Ten minutes of locust at a fixed rate against gunicorn on the demo (docs/performance.md).
load: install-dev
	$(BIN)/python bench/load_run.py --minutes $${MINUTES:-10}

# Regenerate both lock files from pyproject.toml (keeps the pinned versions; see scripts/lock).
lock: install-dev
	scripts/lock

# Known vulnerabilities in the production lock (needs the vulnerability database on the network).
audit: install-dev
	scripts/audit

clean:
	rm -rf $(VENV) var
