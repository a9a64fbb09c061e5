# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# twilio-node for the contract tests, pinned by its lock file (tests/contract/node_validator.py).
NODE_DEPS := tests/contract/node/node_modules/.package-lock.json

.PHONY: run test lint install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

$(NODE_DEPS): tests/contract/node/package-lock.json
	npm ci --prefix tests/contract/node --no-audit --no-fund --loglevel=error

install: $(STAMP)

run: $(STAMP)
	$(BIN)/callplane serve --sandbox

# The gates first (lint, format, types), then every test.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

test: lint $(NODE_DEPS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) callplane.db .pytest_cache
