# The two commands: `make run` (serve everything on SQLite) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
FRONTEND_PORT ?= 8001
# Two test processes by default (pytest-xdist; tests marked xdist_group share one process);
# PYTEST_ARGS="-n 0" runs them in one.
PYTEST_ARGS ?= -n auto --dist loadgroup

.PHONY: install node types types-check typecheck run test lint check bench clean varnish

$(VENV)/.installed: requirements.txt
	@echo "Installing requirements.txt into $(VENV) (once; takes a minute)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# -qq: errors only. A machine's pip configuration may warn once per package (a missing
	@# find-links folder: 140 lines here), which would bury make run's own output.
	@$(PY) -m pip install --quiet --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(VENV)/.installed

# The reference frontend's development tools (openapi-typescript, typescript), exactly as
# frontend/package-lock.json pins them. The site itself needs no Node.
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	@command -v npm >/dev/null || { echo "npm is not installed (apt-get install nodejs npm):" \
	  "the typed-client tests will be skipped" >&2; exit 1; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node: frontend/node_modules/.installed

# The typed client: regenerate frontend/types/api.d.ts from the API's OpenAPI schema (after any
# API change; commit the result). `types-check` fails when the committed file is out of date.
types: install node
	scripts/generate-types

types-check: install node
	scripts/generate-types --check

# Type-check the reference frontend's JavaScript against those types (tsc, nothing emitted).
typecheck: node
	cd frontend && node_modules/.bin/tsc --noEmit -p tsconfig.json

# Every URL the CMS hands out follows HOST, PORT and FRONTEND_PORT (cms/settings/dev.py).
RUN_ENV = HOST=$(HOST) PORT=$(PORT) FRONTEND_PORT=$(FRONTEND_PORT)

# One line per setup phase (migrate, content, demo users, documents), then `serve` prints the
# URLs and passwords once the admin answers.
run: install
	@$(RUN_ENV) $(PY) manage.py dev_setup
	@$(RUN_ENV) $(PY) manage.py serve --host $(HOST) --port $(PORT) --frontend-port $(FRONTEND_PORT)

# The browser tests drive Debian's Chromium; install it when missing (they skip, saying why,
# only if it cannot be installed). Likewise the frontend's Node tools (typed-client tests).
test: install
	-@scripts/ensure-chromium
	-@$(MAKE) --no-print-directory node
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Varnish (Debian's package) for the production-topology test and `bench/topology.py`.
varnish:
	@command -v varnishd >/dev/null || command -v /usr/sbin/varnishd >/dev/null \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish)

# Benchmarks (not a test; not in CI): see bench/README.md. Needs wrk (apt-get install -y wrk).
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache
