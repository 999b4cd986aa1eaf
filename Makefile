# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0

# `make demo` and `make test` do all set-up themselves: a virtualenv in .venv with the package
# and its `dev` extra, rebuilt whenever pyproject.toml changes. `make test` also installs the
# built wheel into fresh virtualenvs at the newest and the lowest versions our ranges allow
# (scripts/install-matrix).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy fastramqpi
	$(BIN)/reuse lint --quiet
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $$(mktemp -d)

test: lint
	$(BIN)/pytest
	scripts/install-matrix
