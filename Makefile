# LSP Hub — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PY := $(BIN)/python
export LSPHUB_DATABASE_URL ?= sqlite:///./var/lsphub.db
# pytest-xdist workers for the test runs: each has its own database (tests/conftest.py), and
# modules sharing a live server stay on one worker (--dist loadgroup). PYTEST_WORKERS=0: serial.
PYTEST_WORKERS ?= 2
XDIST := -n $(PYTEST_WORKERS) --dist loadgroup
# Production behaviour is the default (api/settings.py): these targets opt into dev or test,
# whose secret key, unless LSPHUB_SECRET_KEY is set, is generated once into var/secret_key.
run: export LSPHUB_ENV := dev
bench: export LSPHUB_ENV := dev
test test-sqlite static-checks lint typecheck migrations-check openapi pytest pytest-pg e2e: \
  export LSPHUB_ENV := test

.PHONY: run test test-sqlite static-checks install frontend lint typecheck migrations-check \
        openapi pytest pytest-pg frontend-check e2e bench schema clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed frontend/vite.config.ts $(shell find frontend/src frontend/index.html -type f 2>/dev/null)
	cd frontend && npm run build

frontend: $(if $(wildcard frontend/package.json),frontend/dist/index.html,)

## make run: install, migrate the embedded SQLite database, load demo data, build the SPA, serve.
run: install frontend
	mkdir -p var
	$(BIN)/lsphub migrate
	$(BIN)/lsphub seed-demo
	$(BIN)/lsphub demo-credentials
	@echo "LSP Hub on http://127.0.0.1:8000  (API docs: http://127.0.0.1:8000/docs)"
	$(BIN)/lsphub serve --host 127.0.0.1 --port 8000

## make test: everything CI runs, in two rounds of two streams side by side: the SQLite run
## (CPU-bound on both cores) beside the short static checks, then the PostgreSQL run (which
## waits on the database part of the time) beside the browser tests. Each target's output is
## printed whole when it ends.
test: install
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite static-checks
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest-pg e2e

test-sqlite:
	$(MAKE) --no-print-directory migrations-check
	$(MAKE) --no-print-directory pytest

static-checks:
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory frontend-check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy api

migrations-check: install
	@tmp=$$(mktemp -d); \
	LSPHUB_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/alembic upgrade head && \
	LSPHUB_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/alembic check; \
	status=$$?; rm -rf $$tmp; exit $$status
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  $(PY) -m tests.pg_reset "$$TEST_DATABASE_URL" && \
	  LSPHUB_DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/alembic upgrade head && \
	  LSPHUB_DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/alembic check; \
	fi

openapi: install
	$(BIN)/lsphub openapi

pytest: install
	env -u TEST_DATABASE_URL $(BIN)/pytest -m "not e2e" $(XDIST)

pytest-pg: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  $(BIN)/pytest -m "not e2e" $(XDIST); \
	else echo "TEST_DATABASE_URL not set: skipping the PostgreSQL run"; fi

frontend-check:
	@if [ -f frontend/package.json ]; then \
	  $(MAKE) frontend/node_modules/.installed && \
	  cd frontend && npm run check:api && npm run typecheck && npm test; \
	else echo "no frontend yet"; fi

e2e: install frontend
	@if [ -d tests/e2e ]; then env -u TEST_DATABASE_URL $(BIN)/pytest -m e2e tests/e2e; \
	else echo "no e2e tests yet"; fi

bench: install
	$(PY) bench/run_all.py

## Development only: regenerate the single initial migration from the models.
schema: install
	rm -f var/schema-gen.db
	rm -f migrations/versions/*initial_schema.py
	LSPHUB_DATABASE_URL=sqlite:///var/schema-gen.db $(BIN)/alembic revision --autogenerate -m "initial schema" --rev-id 0001
	rm -f var/schema-gen.db
	$(BIN)/ruff format -q migrations

clean:
	rm -rf $(VENV) var frontend/node_modules frontend/dist
