# minor-illusion — every developer command. `make help` lists them.
#
# Two commands matter to a newcomer: `make run` (the app on the embedded SQLite
# default) and `make test` (every suite). Both install what they need first.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BACKEND := $(ROOT)/backend/src
VENV := $(BACKEND)/.venv
BIN := $(VENV)/bin
PYTHON ?= python3

# Poetry lives in its own tool venv, pinned, with the export plugin: installs
# are reproducible whatever Poetry (if any) the machine has.
POETRY_VERSION := 2.5.1
POETRY_EXPORT_VERSION := 1.10.1
TOOLS := $(ROOT)/.tools
POETRY := $(TOOLS)/poetry/bin/poetry

FRONTEND := $(ROOT)/frontend
NPM := npm --prefix $(FRONTEND)

HOST ?= 127.0.0.1
BACKEND_PORT ?= 8000
FRONTEND_PORT ?= 3000
DATA_DIR ?= $(ROOT)/data
export DATA_DIR HOST BACKEND_PORT FRONTEND_PORT

.PHONY: help install install-backend install-frontend run migrate seed-demo openapi client \
	test test-backend test-frontend test-e2e lint lint-backend lint-frontend fmt lock tox clean

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

# --- install ---------------------------------------------------------------------------

$(POETRY):
	$(PYTHON) -m venv $(TOOLS)/poetry
	$(TOOLS)/poetry/bin/pip install --quiet "poetry==$(POETRY_VERSION)" "poetry-plugin-export==$(POETRY_EXPORT_VERSION)"

# pip installs exactly what poetry.lock pins (hash-checked). Poetry's own installer
# needs the registry's JSON API, which some mirrors do not serve; pip needs only the
# simple index, so this works behind any of them.
$(VENV)/.installed: $(BACKEND)/poetry.lock $(BACKEND)/pyproject.toml | $(POETRY)
	cd $(BACKEND) && $(POETRY) check --lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	cd $(BACKEND) && $(POETRY) export --with dev --format requirements.txt --output $(VENV)/requirements.txt
	$(BIN)/pip install --quiet --require-hashes -r $(VENV)/requirements.txt
	$(BIN)/pip install --quiet --no-deps -e $(BACKEND)
	touch $@

install-backend: $(VENV)/.installed

$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	touch $@

install-frontend: $(FRONTEND)/node_modules/.installed

install: install-backend install-frontend ## install the locked backend and frontend dependencies (idempotent)

lock: $(POETRY) ## re-resolve poetry.lock after editing pyproject.toml
	$(TOOLS)/poetry/bin/python $(BACKEND)/scripts/poetry_lock.py

# --- run -------------------------------------------------------------------------------

migrate: install-backend ## apply migrations to DATABASE_URL (default: SQLite in DATA_DIR)
	$(BIN)/minor-illusion migrate

seed-demo: install-backend ## create demo users user1..3 (password "pass") and notes
	$(BIN)/minor-illusion seed-demo

run: install ## migrate, seed demo data, serve backend :$(BACKEND_PORT) + frontend :$(FRONTEND_PORT)
	$(ROOT)/scripts/run.sh

openapi: install-backend ## print the OpenAPI document
	@$(BIN)/minor-illusion openapi

client: install ## regenerate the frontend's typed API client from the backend's OpenAPI
	$(NPM) run client:generate

# --- quality ---------------------------------------------------------------------------

lint: lint-backend lint-frontend ## every linter and type checker

lint-backend: install-backend
	cd $(BACKEND) && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

lint-frontend: install-frontend
	$(NPM) run lint
	$(NPM) run typecheck

fmt: install-backend ## apply ruff's fixes and formatting
	cd $(BACKEND) && $(BIN)/ruff check --fix . && $(BIN)/ruff format .

test: lint test-backend test-frontend test-e2e ## every check and test suite

test-backend: install-backend ## backend tests: fake DAOs, SQLite, PostgreSQL, migrations
	cd $(BACKEND) && $(BIN)/pytest

test-frontend: install ## frontend unit tests, and the typed client is current
	$(NPM) run test
	$(NPM) run client:check

test-e2e: install ## browser tests: real backend + production frontend in Chromium
	$(NPM) run e2e

tox: install-backend ## the backend suite through tox (as the seed's README describes)
	cd $(BACKEND) && PATH=$(TOOLS)/poetry/bin:$$PATH $(BIN)/tox

clean: ## remove installed environments, builds and caches (keeps data/)
	rm -rf $(TOOLS) $(VENV) $(BACKEND)/.pytest_cache $(BACKEND)/.mypy_cache $(BACKEND)/.ruff_cache $(BACKEND)/.tox
	rm -rf $(FRONTEND)/node_modules $(FRONTEND)/.next $(FRONTEND)/test-results
