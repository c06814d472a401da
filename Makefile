# Seatgraph: `make run` serves the demo, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CONTRACT := ../shared/api/check_contract.py

.PHONY: install run serve migrate demo test lint fmt schema schema-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Seatgraph needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

var/operator-token: | $(STAMP)
	mkdir -p var
	$(BIN)/python -c 'import secrets; print("op_" + secrets.token_urlsafe(24))' > $@
	chmod 600 $@

migrate: install
	$(BIN)/seatgraph migrate

demo: migrate
	$(BIN)/seatgraph demo

run: demo var/operator-token
	@echo "operator token (SEATGRAPH_OPERATOR_TOKEN): $${SEATGRAPH_OPERATOR_TOKEN:-$$(cat var/operator-token)}"
	@echo "GraphiQL: http://127.0.0.1:8000/graphql"
	SEATGRAPH_OPERATOR_TOKEN="$${SEATGRAPH_OPERATOR_TOKEN:-$$(cat var/operator-token)}" $(BIN)/seatgraph serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install
	$(BIN)/python -m server.export_schema schema.graphql

schema-check: install
	$(BIN)/python -m server.export_schema --check schema.graphql
	@if [ -f $(CONTRACT) ]; then $(BIN)/python $(CONTRACT) schema.graphql | tail -n 1; \
	  $(BIN)/python $(CONTRACT) schema.graphql > /dev/null; \
	else echo "contract checker $(CONTRACT) not found: skipped"; fi

test: lint schema-check
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

# Needs wrk (apt-get install wrk); the two-process figure needs PostgreSQL (skipped if absent).
bench: install
	SEATGRAPH_TEST_POSTGRES_URL="$${SEATGRAPH_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}" \
	  $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
