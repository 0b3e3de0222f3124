# The two commands of the README: `make demo` serves the suite (`make demo ARGS="--port 8000"` passes options to
# `python -m apps`), `make test` runs every check (what CI runs).
# `make test-quick` leaves out the tests marked slow, for iterating; `make spaces` builds a folder per Hugging Face
# Space into out/ (docs/deploy.md). Inside a virtual environment `python3` is its Python.
PYTHON ?= python3
PIP = $(PYTHON) -m pip install --progress-bar on --disable-pip-version-check
APT_LOCK_WAIT_S ?= 300
ARGS ?=

.PHONY: demo test test-quick install install-dev chromium spaces

install:
	@echo "installing requirements.txt (first time: several minutes; pip prints each package)"
	$(PIP) -r requirements.txt

install-dev:
	@echo "installing requirements-dev.txt (test tools on top of requirements.txt)"
	$(PIP) -r requirements-dev.txt

# Debian's chromium, unless a Chromium is on the PATH or at $CHROMIUM_PATH. apt waits up to APT_LOCK_WAIT_S for
# its lock (a fresh Ubuntu machine often runs unattended upgrades); without root, it says what to do instead.
chromium:
	@command -v chromium >/dev/null || test -x "$${CHROMIUM_PATH:-/nonexistent}" || { \
		if [ "$$(id -u)" != 0 ]; then \
			echo "the browser tests need Chromium, and installing Debian's needs root: run 'sudo make chromium'," \
				"or install a Chromium yourself and set CHROMIUM_PATH=/path/to/chromium (README: Troubleshooting)" >&2; \
			exit 1; \
		fi; \
		echo "installing Debian's chromium for the browser tests (waiting up to $(APT_LOCK_WAIT_S) s for apt's lock)" && \
		apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT_S) update -qq && \
		apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT_S) install -y -qq chromium; \
	}

demo: install
	$(PYTHON) -m apps $(ARGS)

test: install-dev chromium
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m pytest -q

test-quick: install-dev chromium
	$(PYTHON) -m pytest -q -m "not slow"

spaces: install
	$(PYTHON) spaces/build.py all --out out
