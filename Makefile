# Gongjian: `make run` starts everything for a first look; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-dev lint check messages bench-web bench-scan

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

# A secret for the local run, kept out of git; production passes SECRET_KEY or SECRET_KEY_FILE.
var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

run: export SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key
# A local demo over plain HTTP: the HTTPS-only protections are for production (README).
run: export SECURE_SSL_REDIRECT ?= 0
run: export SECURE_COOKIES ?= 0
run: export SECURE_HSTS_SECONDS ?= 0
run: install var/secret_key
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py seed_demo
	./scripts/run.sh

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff, and the import contract (pyproject.toml: the layers, nothing imports supervision.tasks,
# no cycles inside an app).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

check: export DEBUG := 1
check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Load benchmark of the web tier (not a test): gunicorn + PostgreSQL + the demo data, with wrk.
bench-web: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/web.py

# Benchmark of the scan (not a test): 200,000 projects and 2,000,000 reports in PostgreSQL
# (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gongjian_bench); prints the
# full-scan and rescan times, their query counts and the peak memory.
bench-scan: install-dev
	$(BIN)/python bench/scan_bench.py $(BENCH_ARGS)

# Extract, compile, then list what is still untranslated (exits 1 until the .po is complete).
# Translate what it lists in locale/zh_Hans/LC_MESSAGES/django.po and run it again; commit .po and .mo.
messages: export DEBUG := 1
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=test-artifacts --no-obsolete
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore=.venv
	$(BIN)/python scripts/check_translations.py
