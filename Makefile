# Gongjian: `make run` starts everything for a first look; `make test` runs the whole suite.
# The newest Python 3.11 or later on the PATH (3.13, 3.12, 3.11, else python3 if new enough).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; \
  then echo $$p; break; fi; done)
VENV   ?= .venv
BIN    := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-dev lint check messages bench-web bench-scan bench-rush venv lock

# The virtualenv, made again when it is missing or broken (a Python upgraded or removed under it).
venv:
	@if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	  if [ -z "$(PYTHON)" ]; then echo "Gongjian needs Python 3.11 or newer (python3.11, 3.12 or 3.13)" >&2; exit 1; fi; \
	  echo "Making $(VENV) with $(PYTHON)"; rm -rf $(VENV); \
	  $(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet --upgrade pip; \
	fi

# Exactly the versions of the lock files, each checked against its hash; then the app itself.
install: venv
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .

install-dev: venv
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .

# After changing the dependencies in pyproject.toml: pin them again (newest versions allowed).
lock: venv
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links \
	  --no-emit-index-url -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links \
	  --no-emit-index-url --extra dev -o requirements-dev.lock pyproject.toml

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
	$(BIN)/python manage.py create_database
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py seed_demo
	./scripts/run.sh

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff, the import contract (pyproject.toml: the layers, nothing imports supervision.tasks,
# no cycles inside an app), bandit (reviewed false positives carry `# nosec` and a reason) and
# shellcheck.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/bandit -r config web supervision projects campaign core -q
	@if command -v shellcheck >/dev/null; then shellcheck scripts/*.sh deploy/*.sh .ci/run .ci/pg16 .ci/pg17 .ci/pg-lib.sh .ci/sql-tests; \
	else echo "shellcheck not installed: shell scripts not checked (Debian: apt-get install shellcheck)"; fi

check: export DEBUG := 1
check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Load benchmark of the web tier (not a test): gunicorn + PostgreSQL + the demo data, with wrk.
bench-web: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/web.py

# Benchmark of the scan (not a test): 200,000 projects and 2,000,000 reports in PostgreSQL
# (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gongjian_bench). Three runs of a
# day and the next morning: the first scan, the next day with nothing new, a day when 10 % of the
# projects cross a threshold, the forced re-evaluation over 1 and 2 processes, the rescan; each
# with min/median/max, its ratio to the write floor of its run and issue 18's targets (MET or
# MISSED), the peak memory and queries per batch, and the differential (forced − hourly: 0).
# BENCH_ARGS=--quick: 500 towns in their own database, a couple of minutes.
bench-scan: install-dev
	$(BIN)/python bench/scan_bench.py $(BENCH_ARGS)

# The Friday rush (not a test): gunicorn + PostgreSQL + Redis broker + 2 Celery workers, reports
# submitted over HTTP at 20/s across 200 campaigns (BENCH_RUSH_SECONDS, default 300); prints the
# time from each report's commit to its project's light and its leader's message being stored.
bench-rush: install-dev
	$(BIN)/python bench/rush.py

# Extract, compile, then list what is still untranslated (exits 1 until the .po is complete).
# Translate what it lists in locale/zh_Hans/LC_MESSAGES/django.po and run it again; commit .po and .mo.
messages: export DEBUG := 1
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=test-artifacts --no-obsolete
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore=.venv
	$(BIN)/python scripts/check_translations.py
