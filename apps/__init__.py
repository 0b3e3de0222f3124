"""The suite's demos, one module each (UI only), and the launcher that serves them all: `python -m apps`."""
