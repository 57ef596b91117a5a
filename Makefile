# Everything a fresh machine with Python 3.11 and make needs: `make site`, `make test`, `make serve`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: site test serve lint format check browser clean bench golden

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

site: $(STAMP)
	$(PY) build.py build
	@echo "Sitet er bygget i output/. Åbn det med: make serve  (http://127.0.0.1:8000/)"

serve: $(STAMP)
	$(PY) build.py serve --port $(PORT)

check: $(STAMP)
	$(PY) build.py check

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# The browser tests drive Debian's chromium; install it when it is missing (CI runs as root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	  else echo "chromium is missing: sudo apt-get install chromium"; fi; }

test: $(STAMP) browser lint
	$(PY) -m pytest

# Rewrite the golden-output trees (tests/golden/) after an intended output change; commit them on their own.
golden: $(STAMP)
	$(PY) tests/golden_update.py

bench: $(STAMP)
	$(PY) bench/run.py --meetings 1000

clean:
	rm -rf output .cache
