# One target per job. `make dev` runs the system locally, `make test` passes the tests; both set up from nothing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install dev test test-unit test-integration lint typecheck migrate schemas bench db-stop clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

dev: install
	$(BIN)/python -m infra.local.dev

test: install lint typecheck
	$(BIN)/python -m pytest

test-unit: install
	$(BIN)/python -m pytest tests/unit

test-integration: install
	$(BIN)/python -m pytest -m integration

lint: install
	$(BIN)/ruff check functions events infra tests
	$(BIN)/ruff format --check functions events infra tests

typecheck: install
	$(BIN)/mypy

migrate: install
	$(BIN)/python -m functions.shared.migrations

schemas: install
	$(BIN)/python -m events.export
	$(BIN)/python -m functions.shared.openapi

bench: install
	$(BIN)/python -m tests.bench.dataplane
	$(BIN)/python -m tests.bench.coldstart
	$(BIN)/python -m tests.bench.throughput
	$(BIN)/python -m tests.bench.search
	$(BIN)/python -m tests.bench.recurrence
	$(BIN)/python -m tests.bench.consumers
	$(BIN)/python -m tests.bench.reminders

db-stop: install
	$(BIN)/python -m infra.local.postgres stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
