# OpenRecovery: `make demo` to try it, `make test` to check it, `make bench` to measure it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint browser bench venv clean

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

venv: $(BIN)/.installed

demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py demo_data
	@echo "Serving OpenRecovery on http://$(HOST):$(PORT)/ (Ctrl-C to stop), with the"
	@echo "every-minute escalation checks (manage.py periodic) running beside it"
	$(BIN)/python manage.py periodic & checks=$$!; trap 'kill $$checks' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy
	PYTHONPATH=src $(BIN)/lint-imports

# Before any test: find Chromium for the browser tests, install it, or stop with what to run.
browser: venv
	$(BIN)/python -m tests.support.chromium

test: browser lint
	$(BIN)/pytest

bench: venv
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data test-artifacts
