# The two commands of the README: `make demo` serves the suite, `make test` runs every check (what CI runs).
# `make test-quick` leaves out the tests marked slow, for iterating; `make spaces` builds a folder per Hugging Face
# Space into out/ (docs/deploy.md). Inside a virtual environment `python3` is its Python.
PYTHON ?= python3
PIP = $(PYTHON) -m pip install --progress-bar on --disable-pip-version-check

.PHONY: demo test test-quick install install-dev chromium spaces

install:
	@echo "installing requirements.txt (first time: several minutes; pip prints each package)"
	$(PIP) -r requirements.txt

install-dev:
	@echo "installing requirements-dev.txt (test tools on top of requirements.txt)"
	$(PIP) -r requirements-dev.txt

chromium:
	@command -v chromium >/dev/null || test -x "$${CHROMIUM_PATH:-/nonexistent}" || \
		(echo "installing Debian's chromium for the browser tests (needs root)" && \
		apt-get update -qq && apt-get install -y -qq chromium)

demo: install
	$(PYTHON) -m apps

test: install-dev chromium
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m pytest -q

test-quick: install-dev chromium
	$(PYTHON) -m pytest -q -m "not slow"

spaces: install
	$(PYTHON) spaces/build.py all --out out
