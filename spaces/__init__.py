"""Deployment of the demos as Hugging Face Spaces: `python -m spaces.build`, then `python -m spaces.deploy`.

This package's name shadows the PyPI `spaces` package (ZeroGPU's `spaces.GPU`) inside this repository; that
is harmless here because `core.runtime.gpu` imports `spaces` only on ZeroGPU, and the builder never copies
this package into a Space.
"""
