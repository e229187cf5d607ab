# Two commands for a fresh machine with Python 3.11+ and git: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test install messages check lint clean-db serve worker

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

# The production server (docs/production.md): DEBUG off, static files collected, gunicorn on BIND
# (default 127.0.0.1:$(PORT)), the database DATABASE_URL names. A SECRET_KEY in the environment wins; else
# a key generated on the first start is kept in the var dir. On loopback it speaks plain HTTP (HTTPS=false):
# in production an HTTPS proxy stands in front, run with HTTPS=true BEHIND_PROXY=true.
PARTNERHUB_VAR_DIR ?= $(CURDIR)/var
SECRET_KEY_FILE ?= $(PARTNERHUB_VAR_DIR)/secret_key
BIND ?= 127.0.0.1:$(PORT)
SERVE_ENV = DEBUG=false HTTPS=$${HTTPS:-false} PARTNERHUB_VAR_DIR=$(PARTNERHUB_VAR_DIR) \
	SECRET_KEY_FILE=$(SECRET_KEY_FILE) SITE_URL=$${SITE_URL:-http://$(BIND)}

define secret_key
	@mkdir -p $(PARTNERHUB_VAR_DIR)
	@test -n "$$SECRET_KEY" || test -s $(SECRET_KEY_FILE) || (umask 077 && \
		$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $(SECRET_KEY_FILE))
endef

serve: install
	$(secret_key)
	$(SERVE_ENV) $(BIN)/partnerhub migrate --noinput
	$(SERVE_ENV) $(BIN)/partnerhub createcachetable
	$(SERVE_ENV) $(BIN)/partnerhub collectstatic --noinput --verbosity 0
	$(SERVE_ENV) BIND=$(BIND) exec $(BIN)/gunicorn -c python:partnerhub.gunicorn_conf

# The background worker for `make serve` (start it once `make serve` has migrated the database): takes
# e-mail and other tasks from the database queue.
worker: install
	$(secret_key)
	$(SERVE_ENV) TASKS_BACKEND=database exec $(BIN)/partnerhub db_worker

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
