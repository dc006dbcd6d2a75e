# spreadgraph: the two commands a newcomer needs are `make run` and `make test`.
# Each installs what it needs: a virtualenv from requirements.lock (wheels kept in a
# per-machine wheelhouse, so a second clone installs offline) and, on first start, Neo4j
# 5.26 LTS from Maven Central.

PYTHON ?= python3
VENV ?= .venv
WHEELHOUSE ?= $(HOME)/.cache/spreadgraph/wheels
SG := $(VENV)/bin/spreadgraph
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test lint neo4j-stop bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	mkdir -p $(WHEELHOUSE)
	$(VENV)/bin/pip download --quiet --no-deps --dest $(WHEELHOUSE) --requirement requirements.lock
	$(VENV)/bin/pip install --quiet --no-index --find-links $(WHEELHOUSE) --requirement requirements.lock
	$(VENV)/bin/pip install --quiet --no-index --no-deps --no-build-isolation --editable .
	touch $@

## Local Neo4j + schema + demo data. (The web UI joins here when `spreadgraph serve` exists.)
run: install
	$(SG) neo4j start
	$(SG) init
	$(SG) ingest examples/cases
	@echo "Neo4j is up at bolt://127.0.0.1:7687 with the schema and the demo cases (pending review)."
	@echo "Try: $(SG) review list   or   $(SG) cypher 'MATCH (c:Case) RETURN c.title, c.status'"

## Lint, then the whole test suite against a real Neo4j the tests start (and stop) themselves.
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

neo4j-stop: install
	$(SG) neo4j stop

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
