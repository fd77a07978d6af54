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

.PHONY: install run test lint check bench clean varnish

$(VENV)/.installed: requirements.txt
	@echo "Installing requirements.txt into $(VENV) (once; takes a minute)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(VENV)/.installed

# Every URL the CMS hands out follows HOST, PORT and FRONTEND_PORT (cms/settings/dev.py).
RUN_ENV = HOST=$(HOST) PORT=$(PORT) FRONTEND_PORT=$(FRONTEND_PORT)

# One line per setup phase (migrate, content, demo users, documents), then `serve` prints the
# URLs and passwords once the admin answers.
run: install
	@$(RUN_ENV) $(PY) manage.py dev_setup
	@$(RUN_ENV) $(PY) manage.py serve --host $(HOST) --port $(PORT) --frontend-port $(FRONTEND_PORT)

# The browser tests drive Debian's Chromium; install it when missing (they skip, saying why,
# only if it cannot be installed).
test: install
	-@scripts/ensure-chromium
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
