# The two commands of the README: `make demo` serves the suite, `make test` runs every check.
# `make spaces` builds a folder per Hugging Face Space into out/ (docs/deploy.md).
PYTHON ?= python3

.PHONY: demo test install install-dev chromium spaces

install:
	$(PYTHON) -m pip install -q -r requirements.txt

install-dev:
	$(PYTHON) -m pip install -q -r requirements-dev.txt

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

demo: install
	$(PYTHON) -m apps

test: install-dev chromium
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m pytest -q

spaces: install
	$(PYTHON) spaces/build.py all --out out
