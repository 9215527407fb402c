# divert: `make run` serves the demo on SQLite; `make test` runs every test on SQLite and PostgreSQL.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
DEMO_REFERRALS ?= 3000
export FLASK_APP := wsgi

GOVUK := node_modules/govuk-frontend/dist/govuk

.PHONY: run install assets system-test-deps test lint migrate demo benchmark loadtest lock

# Every package at the version (and hash) in requirements.lock, the set CI tested; then divert.
$(BIN)/.installed: requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $@

# After changing the dependencies in pyproject.toml: pin them again, with hashes.
lock:
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --extra test --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

static/govuk/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/govuk && mkdir -p static/govuk
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.js static/govuk/
	cp -r $(GOVUK)/assets static/govuk/assets
	touch $@

assets: static/govuk/.installed

install: $(BIN)/.installed assets

migrate: install
	$(BIN)/flask db upgrade
	$(BIN)/flask tenants sync

# The demo region is built once; delete instance/ to start again.
instance/.demo-built:
	$(MAKE) migrate
	$(BIN)/flask demo build --referrals $(DEMO_REFERRALS)
	touch $@

demo: install instance/.demo-built

run: demo
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Debian packages the tests need: PostgreSQL's initdb/pg_ctl (and, for browser tests, Chromium).
system-test-deps:
	@if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "Installing PostgreSQL (Debian package postgresql)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Chromium (Debian package chromium)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r divert
	$(BIN)/lint-imports

test: install system-test-deps lint
	$(BIN)/pytest --db=sqlite -q
	$(BIN)/pytest --db=postgresql -q

# Benchmarks on large generated data (not part of `make test`): each prints its figures and a
# ratio against a baseline measured in the same run.
benchmark: install system-test-deps
	$(BIN)/python -m benchmarks.submit --referrals 100000 --backend postgresql
	$(BIN)/python -m benchmarks.dashboard --referrals 100000 1000000 --backend postgresql

# The load and fault test on PostgreSQL under gunicorn (not part of `make test`, where a short
# version runs in the PostgreSQL pass): prints its figures, exits non-zero when a check fails.
loadtest: install system-test-deps
	$(BIN)/python -m loadtest.run --users 50 --duration 60
