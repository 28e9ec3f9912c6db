# liveblog: two commands on a fresh machine (see README.md).
#   make run   set up everything, load the seed, print an admin login, start the site
#   make test  run the whole test suite, with its line coverage
#   make test-fast  the suite without browser and server tests, on two processes

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Where `make run` listens: `make run PORT=8080`, `make run HOST=0.0.0.0` (other machines).
# The site answers to localhost, 127.0.0.1, [::1] and HOST; add the names or addresses other
# machines type to reach it with ALLOWED_HOSTS, e.g. ALLOWED_HOSTS=laptop.local,192.168.1.20.
HOST ?= 127.0.0.1
PORT ?= 8000
# The push tier, on when pushpin is installed (`make run PUSH=` for none): Pushpin on HOST:PORT
# in front of Django on 127.0.0.1:INNER_PORT, which publishes to 127.0.0.1:PUBLISH_PORT; a key
# for the two is made at each start.
PUSH ?= $(if $(shell command -v pushpin 2>/dev/null),1)
INNER_PORT ?= 8001
PUBLISH_PORT ?= 5561
comma := ,
RUN_HOSTS = localhost,127.0.0.1,[::1],$(HOST)$(if $(ALLOWED_HOSTS),$(comma)$(ALLOWED_HOSTS))
BROWSE_HOST = $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))
RUN_ENV = DEBUG=1 ALLOWED_HOSTS='$(RUN_HOSTS)'

# The share of the lines of coverage/ and liveblog/ (migrations aside) the suite must run.
COVERAGE_FLOOR = 90
TEST_ENV = SECRET_KEY=test-only-not-secret SECURE_SSL_REDIRECT=0

.PHONY: run test test-fast setup install lint test-tools clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

setup: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed
	DEBUG=1 $(BIN)/python manage.py ensure_admin

run: setup
	@echo "Site:  http://$(BROWSE_HOST):$(PORT)/    Admin: http://$(BROWSE_HOST):$(PORT)/admin/"
ifeq ($(PUSH),1)
	@echo "Push tier: Pushpin on $(HOST):$(PORT) in front of Django on 127.0.0.1:$(INNER_PORT) (make run PUSH= for none)"
	export LIVEBLOG_PUSH_SIG_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))'); \
	$(RUN_ENV) LIVEBLOG_PUSH_PUBLISH_URLS=http://127.0.0.1:$(PUBLISH_PORT)/publish/ \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(INNER_PORT) & django=$$!; \
	trap 'kill $$django 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python ops/pushpin/run --host $(HOST) --http-port $(PORT) --publish-port $(PUBLISH_PORT) \
	  --origin 127.0.0.1:$(INNER_PORT)
else
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)
endif

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint-only $(BIN)/python manage.py makemigrations --check --dry-run
	SECRET_KEY=lint-only $(BIN)/python manage.py check

# axe-core, injected into pages by the accessibility tests (skipped without npm, except under CI=true).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: accessibility tests will be skipped"; fi

test-tools: node_modules/axe-core/axe.min.js

# The message catalogues (locale/), after a change to the site's words: new and changed
# strings are added to each language's .po for its translators, and every .mo compiled (they are
# committed, so the site runs without gettext; tests/test_languages.py checks they are current).
# Needs gettext (apt-get install gettext).
MESSAGES_IGNORE = --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'tests/*' --ignore 'var/*' --ignore 'workdir/*'
messages: install
	SECRET_KEY=messages-only $(BIN)/python manage.py makemessages -l uk -l es -l ar --add-location file $(MESSAGES_IGNORE)
	SECRET_KEY=messages-only $(BIN)/python manage.py compilemessages --ignore '.venv/*'

# Line coverage by slipcover: the app is named `coverage`, which coverage.py cannot measure
# from here (its own module is shadowed). Below COVERAGE_FLOOR the run fails.
test: lint test-tools
	$(TEST_ENV) $(BIN)/python -m slipcover --source coverage,liveblog --omit '*/migrations/*' \
		--json --out .coverage.json -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m tests.coverage_report .coverage.json --floor $(COVERAGE_FLOOR)

# SQLite and the file cache whatever the environment says: the two processes must not
# empty each other's Redis (each has a cache folder of its own: tests/conftest.py).
test-fast: install
	env -u REDIS_URL -u DATABASE_URL $(TEST_ENV) $(BIN)/python -m pytest -m "not browser and not server" \
		-n 2 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles var .coverage.json
