# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# twilio-node for the contract tests, pinned by its lock file (tests/contract/node_validator.py).
NODE_DEPS := tests/contract/node/node_modules/.package-lock.json
# The TypeScript client's tools and runtime (openapi-typescript, openapi-fetch, tsc), by its lock.
CLIENT_TS_DEPS := clients/typescript/node_modules/.package-lock.json
# The Python client's hand-written module (the rest is openapi-python-client's output).
CLIENT_PY_OWN := clients/python/callplane_client/webhooks.py clients/python/callplane_client/results.py

.PHONY: run test lint install bench clean openapi clients

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]' -e clients/python
	touch $(STAMP)

$(NODE_DEPS): tests/contract/node/package-lock.json
	npm ci --prefix tests/contract/node --no-audit --no-fund --loglevel=error

$(CLIENT_TS_DEPS): clients/typescript/package-lock.json
	npm ci --prefix clients/typescript --no-audit --no-fund --loglevel=error

install: $(STAMP)

run: $(STAMP)
	$(BIN)/callplane serve --sandbox

# The gates first (lint, format, types), then every test.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools $(CLIENT_PY_OWN)
	$(BIN)/ruff format --check src tests bench tools $(CLIENT_PY_OWN)
	$(BIN)/mypy

test: lint $(NODE_DEPS) $(CLIENT_TS_DEPS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# openapi.json from the app (a test fails when the committed one is stale).
openapi: $(STAMP)
	$(BIN)/python -m callplane.openapi

# openapi.json and both clients generated from it (tools/clients.py; a test fails when stale).
clients: $(STAMP) $(CLIENT_TS_DEPS)
	$(BIN)/python tools/clients.py

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) callplane.db .pytest_cache
