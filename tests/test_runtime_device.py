"""Device policy and seeding: the same seed draws the same noise; a forced device is honoured or explained."""

import pytest
import torch

from core.runtime import make_generator, pick_device, pick_dtype
from core.runtime.seeding import randn


def test_forced_cpu_is_honoured(monkeypatch):
    monkeypatch.setenv("GENAI_DEVICE", "cpu")
    assert pick_device() == torch.device("cpu")


def test_unknown_forced_device_says_what_is_valid(monkeypatch):
    monkeypatch.setenv("GENAI_DEVICE", "tpu")
    with pytest.raises(ValueError, match="cpu, cuda, mps"):
        pick_device()


def test_forcing_cuda_without_a_gpu_explains(monkeypatch):
    monkeypatch.setenv("GENAI_DEVICE", "cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA GPU"):
        pick_device()


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(False, False, "cpu"), (False, True, "mps"), (True, True, "cuda"), (True, False, "cuda")],
)
def test_without_a_forced_device_cuda_beats_mps_beats_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.delenv("GENAI_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert pick_device() == torch.device(expected)


def test_half_precision_only_on_cuda_and_only_when_supported():
    assert pick_dtype(torch.device("cuda")) == torch.float16
    assert pick_dtype(torch.device("cuda"), supports_half=False) == torch.float32
    assert pick_dtype(torch.device("cpu")) == torch.float32
    assert pick_dtype(torch.device("mps")) == torch.float32


def test_same_seed_same_noise_different_seed_different_noise():
    a = randn((2, 3, 4), seed=7, device=torch.device("cpu"))
    b = randn((2, 3, 4), seed=7, device=torch.device("cpu"))
    c = randn((2, 3, 4), seed=8, device=torch.device("cpu"))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_generator_lives_on_the_cpu():
    assert make_generator(0).device.type == "cpu"


@pytest.mark.parametrize("seed", [-1, 2**31, 1.5, float("nan"), "abc", True])
def test_bad_seeds_are_refused_with_the_valid_range(seed):
    with pytest.raises(ValueError, match="seed"):
        make_generator(seed)
