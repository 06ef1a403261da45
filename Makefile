# The README's commands. Everything installs into .venv/ from the pinned requirements.lock and is
# reused while the lock is unchanged.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8000

.PHONY: install run test lint check translations makemessages bench bench-rush audit clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP) translations

# Compiles locale/*/LC_MESSAGES/*.po to .mo with polib (no system gettext needed).
translations: $(STAMP)
	$(BIN)/python manage.py compile_translations

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "KRS: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server, the worker and the scheduler)"
	KRS_PORT=$(PORT) PATH="$(abspath $(BIN)):$$PATH" exec $(BIN)/honcho start -f Procfile.dev

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Times the entry page and the save, the national results and the deadline sweep, each on a throwaway
# database (var/bench/ or bench_<name>), then the deadline rush (PostgreSQL only); docs/benchmarks.md.
bench: install
	$(BIN)/python -m bench.entry_page
	$(BIN)/python -m bench.national_results
	$(BIN)/python -m bench.deadlines
	$(BIN)/python -m tests.load.rush

# The deadline rush alone: 245 districts save while 15 bureaus certify, against gunicorn + Celery + Redis
# on a throwaway PostgreSQL database (DATABASE_URL=postgres://…); tests/load/rush.py, docs/benchmarks.md.
bench-rush: install
	$(BIN)/python -m tests.load.rush $(RUSH_ARGS)

# Known vulnerabilities in the pinned dependencies (pip-audit); .ci/audit.
audit: $(STAMP)
	$(BIN)/python .ci/audit

# Ruff, then the apps' import layers (import-linter, [tool.importlinter] in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

makemessages: $(STAMP)
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var --no-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
