# Quickstart: `make demo` builds the sample graph and writes its map; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STORE  ?= kg-store
MAP    ?= out/lianjian-map.html

.PHONY: demo test install venv bench clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=68,<80" wheel

venv: $(BIN)/python

# The stamp is rebuilt whenever setup.cfg changes, so new dependencies are picked up.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/kg build data/corpus --store $(STORE) --curation data/curation.yaml
	$(BIN)/kg analyze summary --store $(STORE)
	$(BIN)/kg viz --store $(STORE) -o $(MAP)
	@echo "Map written to $(abspath $(MAP))"

# Browser and Virtuoso tests install Debian packages themselves when they can
# (see tests/conftest.py); everything else comes from setup.cfg.
test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(STORE) out build *.egg-info
