"""The GPU helper: spaces.GPU with a duration on ZeroGPU, the function itself everywhere else."""

import sys
import types

import pytest

from core.runtime import gpu


def double(x):
    return 2 * x


def test_does_nothing_off_zerogpu(monkeypatch):
    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)
    assert gpu(duration=30)(double) is double


def test_applies_spaces_gpu_with_the_duration_on_zerogpu(monkeypatch):
    calls = []

    def fake_gpu(duration):
        def wrap(fn):
            calls.append((fn, duration))
            return lambda *a: ("on-gpu", fn(*a))

        return wrap

    monkeypatch.setitem(sys.modules, "spaces", types.SimpleNamespace(GPU=fake_gpu))
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    wrapped = gpu(duration=45)(double)
    assert calls == [(double, 45)]
    assert wrapped(3) == ("on-gpu", 6)


def test_says_which_spaces_was_found_when_it_is_not_zerogpus(monkeypatch):
    monkeypatch.setitem(sys.modules, "spaces", types.ModuleType("spaces"))  # spaces/ found where the package is missing
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    with pytest.raises(ImportError, match="not ZeroGPU's package: install it"):
        gpu(duration=45)(double)
