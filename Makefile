# Two commands for a fresh machine with Python 3.11+ and git: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test install messages check lint clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs only when pyproject.toml changed since the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# Compiles the scheduler's annealer once; numba caches it beside its source.
	$(BIN)/python -c 'from partnerhub.engines.scheduling.kempe import warm; warm()'
	touch $@

install: $(VENV)/.installed messages

# Compiles the .po catalogues with polib (no GNU gettext needed on the machine).
messages: $(VENV)/.installed
	$(BIN)/partnerhub compiletranslations

demo: install
	$(BIN)/partnerhub migrate --noinput
	$(BIN)/partnerhub createcachetable
	$(BIN)/partnerhub load_demo
	# Links in e-mails point at the address this server really runs on (SITE_URL overrides it).
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/partnerhub runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest

check: install
	$(BIN)/partnerhub check
	$(BIN)/partnerhub makemigrations --check --dry-run
	$(BIN)/partnerhub compiletranslations --check

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
