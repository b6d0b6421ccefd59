# Attunement: two commands for a fresh machine.
#   make run   install, migrate, load the demo (first time only), start the web server and the task worker
#   make test  install what the tests need, lint, check the app graph (lint-imports), and run every test (SQLite, then PostgreSQL if DATABASE_URL is set)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@scripts/ensure-system-libraries.sh
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	@scripts/ensure-test-tools.sh

run: install
	HOST=$(HOST) PORT=$(PORT) scripts/run.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	scripts/test.sh

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
