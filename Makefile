# `make demo` and `make test` set up (or reuse) .venv themselves, so they work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench browser postgres clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@

demo: $(BIN)/.installed
	$(BIN)/newscorpus demo

# The browser tests drive Debian's headless Chromium: installed here when missing (as root, or with sudo). In CI a
# failed install fails the run; elsewhere those tests are skipped with the reason.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  echo "installing Debian's chromium and chromium-driver for the browser tests"; \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	      --no-install-recommends chromium chromium-driver >/dev/null; } \
	  || { echo "could not install chromium: the browser tests will be skipped"; [ -z "$$CI" ]; }; \
	fi

# The store's tests also run on PostgreSQL, in a throwaway cluster they start: Debian's server is installed here when
# missing, as chromium is above.
postgres:
	@if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "installing Debian's postgresql for the store's tests"; \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	      --no-install-recommends postgresql >/dev/null; } \
	  || { echo "could not install postgresql: its tests will be skipped"; [ -z "$$CI" ]; }; \
	fi

# The suites that crawl, index and search through the store run a second time with every data directory they make
# on a database of a throwaway PostgreSQL cluster (pytest --store postgresql; tests/conftest.py). Not the
# injected-faults crawl (over a minute, mostly the fetcher's retries and waits), to keep `make test` quick.
STORE_SUITES := tests/test_alerts.py tests/test_app_indexing.py tests/test_app_search.py tests/test_crawl_e2e.py \
	tests/test_crawler.py tests/test_open_web.py tests/test_search_language.py tests/web/test_api.py

test: $(BIN)/.installed browser postgres
	$(BIN)/ruff check newscorpus tests benchmarks docs
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q --store postgresql $(STORE_SUITES) \
	  --deselect tests/test_crawler.py::test_crawler_survives_injected_faults

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/nlp.py

clean:
	rm -rf $(VENV) newscorpus-data .pytest_cache
