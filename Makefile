# cchc — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.13*/bin/python3.13 /root/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v $$p; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make demo PORT=8080` serves elsewhere; the links in notices and receipts follow.
PORT ?= 8000
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: deploy-check messages demo test test-slow test-pg test-browser screenshots bench install assets lint format typecheck check serve clean

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Python >= 3.12 is required (python3.13 or python3.12 on PATH)"; exit 1; fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/.package-lock.json

install: $(STAMP) node_modules/.package-lock.json

assets: install

# Developers: refresh the translation catalogs after changing user-facing strings.
messages: install
	cd cchc && ../$(PY) ../manage.py makemessages -l en --ignore=node_modules -v 0
	cd cchc && ../$(PY) ../manage.py compilemessages -l en -l vi -v 0

demo: export CCHC_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
demo: assets
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py load_reference_data
	DEBUG=true $(PY) manage.py load_demo
	DEBUG=true $(PY) manage.py generate_workload --if-empty --from 2019-03-04 --to 2019-03-08 --scale 0.005
	DEBUG=true $(PY) manage.py generate_workload --if-empty --from 2025-06-23 --to 2025-06-27 --scale 0.01
	DEBUG=true $(PY) manage.py generate_workload --if-empty --days 21 --scale 0.02 --staffed-factor 10
	DEBUG=true $(PY) manage.py load_demo
	DEBUG=true $(PY) manage.py rebuild_rollups
	@# the worker (outbox deliveries to the national systems' simulators) runs beside the server
	DEBUG=true $(PY) manage.py db_worker --interval 1 --no-startup-delay -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suites run on every core (pytest-xdist; each worker its own test database), at most four.
XDIST := -n auto --maxprocesses 4

test: assets
	$(PY) -m pytest -q -p no:cacheprovider $(XDIST) -m "not slow"

# The same suite against PostgreSQL (DATABASE_URL must point at a server; .ci/run sets it).
test-pg: assets
	$(PY) -m pytest -q -p no:cacheprovider $(XDIST) -m "not browser and not slow"

test-browser: assets
	$(PY) -m pytest -q -p no:cacheprovider $(XDIST) -m browser

# The drills that bring up PostgreSQL clusters of their own (deploy/failover-drill, deploy/pitr-drill).
test-slow: assets
	$(PY) -m pytest -q -p no:cacheprovider -m slow

# The main screens of every persona at 1366 and 390 px, to look at during review (the browser
# walk of cchc/site/tests/test_walk.py, which also fails on what a person would notice).
screenshots: assets
	rm -rf var/screenshots
	CCHC_SCREENSHOTS=$(CURDIR)/var/screenshots $(PY) -m pytest -q -p no:cacheprovider cchc/site/tests/test_walk.py
	@echo "Screenshots: var/screenshots/<persona>/<page>-<width>.png"

# The province-scale benchmark on PostgreSQL (bench/README.md): loads BENCH_DOSSIERS dossiers
# into BENCH_DATABASE_URL once, then the live-versus-rollup report, every scenario through
# gunicorn beside its floors, and the profile. Needs wrk (apt-get install -y wrk).
BENCH_DOSSIERS ?= 1000000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cchc_bench
bench: assets
	BENCH_DOSSIERS=$(BENCH_DOSSIERS) DATABASE_URL=$(BENCH_DATABASE_URL) bash bench/load.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/rollups.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/where_time_goes.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install
	DEBUG=true $(VENV)/bin/mypy

check: lint typecheck
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=true $(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3*

# The production stack on loopback (nginx, gunicorn, the worker, PgBouncer), smoke-tested
# through nginx and torn down (deploy/deploy-check; needs nginx, pgbouncer from Debian).
deploy-check: install
	bash deploy/deploy-check
