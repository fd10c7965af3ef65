# Guichet — two commands do all set-up on a fresh machine:
#   make run    virtual environment, install, migrate, compile messages, demo data, then web + worker + beat
#   make test   check the import contracts (.importlinter), make sure PostgreSQL and Redis answer
#               and Chromium is installed, then run the whole test suite against them
#               (with CI set, a browser test that cannot run fails instead of being skipped)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install messages lint bench vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

messages: install
	@command -v msgfmt >/dev/null || bash scripts/ensure-system-packages.sh gettext
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v0

run: messages
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} bash scripts/run.sh

test: messages
	$(BIN)/lint-imports
	bash scripts/ensure-services.sh
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

vendor:
	bash scripts/vendor-static.sh

clean:
	rm -rf var/ $(VENV)
