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

HOST ?= 127.0.0.1
BACKEND_PORT ?= 8000
DATA_DIR ?= $(ROOT)/data
export DATA_DIR

.PHONY: help install run serve migrate seed-demo openapi test test-backend lint fmt lock tox clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

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

install: $(VENV)/.installed ## install the backend's locked dependencies (idempotent)

lock: $(POETRY) ## re-resolve poetry.lock after editing pyproject.toml
	$(TOOLS)/poetry/bin/python $(BACKEND)/scripts/poetry_lock.py

# --- run -------------------------------------------------------------------------------

migrate: install ## apply migrations to DATABASE_URL (default: SQLite in DATA_DIR)
	$(BIN)/minor-illusion migrate

seed-demo: install ## create demo users user1..3 (password "pass") and notes
	$(BIN)/minor-illusion seed-demo

run: install ## migrate, seed demo data and serve the API on :$(BACKEND_PORT)
	DEV_MODE=$${DEV_MODE:-1} $(BIN)/minor-illusion migrate
	DEV_MODE=$${DEV_MODE:-1} $(BIN)/minor-illusion seed-demo
	@echo "backend:  http://$(HOST):$(BACKEND_PORT)  (API docs: http://$(HOST):$(BACKEND_PORT)/docs)"
	DEV_MODE=$${DEV_MODE:-1} $(BIN)/minor-illusion serve --host $(HOST) --port $(BACKEND_PORT)

openapi: install ## print the OpenAPI document
	@$(BIN)/minor-illusion openapi

# --- quality ---------------------------------------------------------------------------

lint: install ## ruff (lint + format check) and mypy
	cd $(BACKEND) && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

fmt: install ## apply ruff's fixes and formatting
	cd $(BACKEND) && $(BIN)/ruff check --fix . && $(BIN)/ruff format .

test: lint test-backend ## every check and test suite

test-backend: install ## backend tests: fake DAOs, SQLite, PostgreSQL, migrations
	cd $(BACKEND) && $(BIN)/pytest

tox: install ## the backend suite through tox (as the seed's README describes)
	cd $(BACKEND) && PATH=$(TOOLS)/poetry/bin:$$PATH $(BIN)/tox

clean: ## remove installed environments and caches (keeps data/)
	rm -rf $(TOOLS) $(VENV) $(BACKEND)/.pytest_cache $(BACKEND)/.mypy_cache $(BACKEND)/.ruff_cache $(BACKEND)/.tox
