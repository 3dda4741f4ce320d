# Uslugi: the one entry point. `make run` to start, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
RUN := $(UV) run --frozen
TEST_ENV := USLUGI_ENV=test
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
ASSETS := build/static/uslugi/css/uslugi.css

.PHONY: help install run web worker demo test lint typecheck imports pytest test-postgres e2e bench assets messages clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(ASSETS): node_modules/.installed frontend/build.mjs $(wildcard frontend/scss/*.scss frontend/js/*.mjs frontend/images/*)
	npm run --silent build

assets: $(ASSETS) ## Build front-end assets (GOV.UK Frontend, Sass, htmx)

install: .venv/.synced $(ASSETS) .env ## Install Python and front-end dependencies

.env:
	$(RUN) python scripts/make_env.py

run: install ## Install, migrate, load demo data, start web (http://127.0.0.1:8000) and worker
	$(RUN) uslugi migrate --no-input
	$(RUN) uslugi demo
	@echo "Web on http://127.0.0.1:8000 and a task worker; Ctrl-C stops both."
	@trap 'kill 0' INT TERM EXIT; \
	  $(RUN) uslugi worker & \
	  $(RUN) uslugi exchange deliver --loop & \
	  $(RUN) uslugi periodic --loop & \
	  $(RUN) uslugi runserver 127.0.0.1:8000 & \
	  wait

demo: install ## Load demo data (idempotent)
	$(RUN) uslugi migrate --no-input
	$(RUN) uslugi demo

test: lint typecheck imports pytest ## Lint, import contracts, types and the whole test suite (SQLite)

lint: .venv/.synced ## ruff check + format check
	$(RUN) ruff check src tests bench examples scripts
	$(RUN) ruff format --check src tests bench examples scripts

typecheck: .venv/.synced ## mypy on src/
	$(TEST_ENV) $(RUN) mypy

imports: .venv/.synced ## import-linter contracts
	$(TEST_ENV) $(RUN) lint-imports

pytest: .venv/.synced $(ASSETS) ## The test suite (SQLite unless DATABASE_URL is set)
	$(TEST_ENV) $(RUN) uslugi makemigrations --check --dry-run
	$(TEST_ENV) $(RUN) pytest $(PYTEST_ARGS)

test-postgres: .venv/.synced $(ASSETS) ## The test suite on PostgreSQL (DATABASE_URL, default $(POSTGRES_URL))
	$(TEST_ENV) DATABASE_URL=$(or $(DATABASE_URL),$(POSTGRES_URL)) $(RUN) pytest $(PYTEST_ARGS)

e2e: .venv/.synced $(ASSETS) ## Browser journeys only (headless Chromium)
	$(TEST_ENV) $(RUN) pytest -m e2e $(PYTEST_ARGS)

bench: .venv/.synced $(ASSETS) ## Benchmarks; figures go to docs/benchmarks.md
	$(RUN) python -m bench

messages: .venv/.synced ## Extract and compile translations (needs gettext)
	cd src/uslugi && $(TEST_ENV) $(RUN) uslugi makemessages -l ru -l en --no-obsolete && $(TEST_ENV) $(RUN) uslugi compilemessages

clean: ## Remove local database, built assets and caches
	rm -rf var build .mypy_cache .ruff_cache .pytest_cache
