# Newsroom: `make run` for a local site with sample content, `make test` for the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet

# The locks pin the whole tree with hashes; `make lock` rewrites them from requirements*.txt.
COMPILE := $(abspath $(BIN))/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(COMPILE_FLAGS)
LOCK := $(COMPILE) -o requirements.lock requirements.txt && \
	$(COMPILE) -c requirements.lock -o requirements-dev.lock requirements-dev.txt

.PHONY: run test lint format lock lock-check migrate sample messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(PIP) install --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(PIP) install --require-hashes -r requirements-dev.lock
	touch $@

# After editing requirements.txt or requirements-dev.txt. Pins already locked are kept;
# `make lock COMPILE_FLAGS=--upgrade` moves every unpinned dependency to its newest release.
lock: $(VENV)/.installed-dev
	$(LOCK)

# CI: the locks are what `make lock` would write from the requirements as they stand.
lock-check: $(VENV)/.installed-dev
	@tmp=$$(mktemp -d) && cp requirements.txt requirements-dev.txt requirements.lock requirements-dev.lock $$tmp/ && \
	(cd $$tmp && $(LOCK)) && diff -u requirements.lock $$tmp/requirements.lock && \
	diff -u requirements-dev.lock $$tmp/requirements-dev.lock && rm -r $$tmp && \
	echo "requirements.lock and requirements-dev.lock match the requirements"

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

sample: migrate
	$(BIN)/python manage.py load_sample_content

run: sample
	@echo "Serving Newsroom on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# After changing interface text: update the Chinese catalogue, translate, then compile it.
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
