# The two commands: `make run` and `make test`. Both set themselves up on a fresh machine
# that has only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run demo test test-survival fuzz lint typecheck check bench-api clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install ## the whole stack on the embedded defaults
	$(BIN)/python scripts/stack.py

demo: install ## the whole story: activate, import, work order, archive → concept invoice
	$(BIN)/python scripts/demo.py

test: install ## the test suite against a throw-away embedded PostgreSQL
	$(BIN)/pytest

test-survival: install ## PostgreSQL restarted and stopped under load (minutes; .ci/run runs it)
	$(BIN)/pytest -m survival tests/e2e/test_database_outage.py

fuzz: install ## schemathesis --checks all over both services, on a throw-away stack (≤ 3 min)
	$(BIN)/python scripts/fuzz.py --max-time 60

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy services shared tests

check: lint typecheck test

bench-api: install
	$(BIN)/python bench/api_list.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
