# `make demo` and `make test` set up (or reuse) .venv themselves, so they work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@

demo: $(BIN)/.installed
	$(BIN)/newscorpus demo

test: $(BIN)/.installed
	$(BIN)/ruff check newscorpus tests benchmarks docs
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/nlp.py

clean:
	rm -rf $(VENV) newscorpus-data .pytest_cache
