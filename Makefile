# The README's commands. Everything installs into .venv/ from pinned locks and is reused while a lock is
# unchanged: requirements.lock holds what the app needs to run (`make run`), requirements-dev.lock adds the
# test, lint, load and audit tools (`make test` and the rest). Both are pip-compile's output of pyproject.toml
# (docs/operations.md, "Dependencies"), the second with --extra=dev and the same pins.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime-$(shell cksum < requirements.lock | cut -d' ' -f1)
DEV := $(VENV)/.installed-dev-$(shell cksum < requirements-dev.lock | cut -d' ' -f1)
PORT ?= 8000

.PHONY: install install-dev run test lint check translations makemessages bench bench-rush bench-first-run audit clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements.lock | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-runtime-*
	@touch $(RUNTIME)

# The development lock has every runtime pin too, so installing it also satisfies `make run`.
$(DEV): requirements-dev.lock | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-runtime-*
	@touch $(DEV) $(RUNTIME)

install: $(RUNTIME) translations

install-dev: $(DEV) translations

# Compiles locale/*/LC_MESSAGES/*.po to .mo with polib (no system gettext needed).
translations: $(RUNTIME)
	$(BIN)/python manage.py compile_translations

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "KRS: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server, the worker and the scheduler)"
	KRS_PORT=$(PORT) PATH="$(abspath $(BIN)):$$PATH" exec $(BIN)/honcho start -f Procfile.dev

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Times the entry page and the save, the national results and the deadline sweep, each on a throwaway
# database (var/bench/ or bench_<name>), then the deadline rush (PostgreSQL only); docs/benchmarks.md.
bench: install-dev
	$(BIN)/python -m bench.entry_page
	$(BIN)/python -m bench.national_results
	$(BIN)/python -m bench.deadlines
	$(BIN)/python -m tests.load.rush

# The deadline rush alone: 245 districts save while 15 bureaus certify, against gunicorn + Celery + Redis
# on a throwaway PostgreSQL database (DATABASE_URL=postgres://…); tests/load/rush.py, docs/benchmarks.md.
bench-rush: install-dev
	$(BIN)/python -m tests.load.rush $(RUSH_ARGS)

# A newcomer's first `make run`: a fresh clone timed until its first page answers (README.md).
bench-first-run:
	$(PYTHON) -m bench.first_run

# Known vulnerabilities in the pinned dependencies (pip-audit); .ci/audit.
audit: $(DEV)
	$(BIN)/python .ci/audit

# Ruff, then the apps' import layers (import-linter, [tool.importlinter] in pyproject.toml).
lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

makemessages: $(DEV)
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var --no-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
