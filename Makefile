# spreadgraph: the two commands a newcomer needs are `make run` and `make test`.
# Each installs what it needs: a virtualenv from requirements.lock (wheels kept in a
# per-machine wheelhouse, so a second clone installs offline) and, on first start, Neo4j
# 5.26 LTS from Maven Central.

PYTHON ?= python3
VENV ?= .venv
WHEELHOUSE ?= $(HOME)/.cache/spreadgraph/wheels
SG := $(VENV)/bin/spreadgraph
DEMO_CASES := $(basename $(notdir $(wildcard examples/cases/*.yaml)))
export HF_HUB_OFFLINE := 1
# The Neo4j release the local server is built from: `make test NEO4J_VERSION=2026.08.1`.
# Unset: 5.26.30 LTS on Java 17 (spreadgraph/config.py); 2025.x and later need Java 21+.
ifdef NEO4J_VERSION
export NEO4J_VERSION
endif
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test browser lint neo4j-stop clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	mkdir -p $(WHEELHOUSE)
	$(VENV)/bin/pip download --quiet --no-deps --dest $(WHEELHOUSE) --requirement requirements.lock
	$(VENV)/bin/pip install --quiet --no-index --find-links $(WHEELHOUSE) --requirement requirements.lock
	$(VENV)/bin/pip install --quiet --no-index --no-deps --no-build-isolation --editable .
	touch $@

## Local Neo4j + schema + demo cases (+ the shared corpus when ../shared is beside the clone),
## the demo cases published (only those: other pending submissions stay pending), the search
## model fitted to the documents (`spreadgraph adapt`: minutes on the first run, then a check),
## then the web UI on http://127.0.0.1:8000.
run: install
	$(SG) neo4j start
	$(SG) init
	$(SG) ingest examples/cases
	@if [ -d ../shared/corpus ]; then $(SG) ingest ../shared/corpus; fi
	$(SG) review publish $(DEMO_CASES) --reviewer "make run (demo data)"
	$(SG) adapt
	$(SG) serve --host 127.0.0.1 --port 8000

## Lint, then the whole test suite against a real Neo4j the tests start (and stop) themselves.
test: install browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

## Debian's Chromium for the browser tests (they skip with a reason when it is missing).
browser:
	@command -v chromium >/dev/null 2>&1 || apt-get install -y -q chromium >/dev/null 2>&1 \
	  || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) \
	  || echo "warning: could not install chromium; browser tests will be skipped"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

neo4j-stop: install
	$(SG) neo4j stop

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
