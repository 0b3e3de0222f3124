"""What keeps one visitor from spoiling a shared server: checked inputs, a time limit, refused huge images and
uploads, clean-up of temporary files, and seeds that give the same result whatever else the server is doing."""

import math
import threading
import time
from types import SimpleNamespace

import httpx
import numpy as np
import psutil
import pytest
import torch
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from core.runtime.limits import TooLong, time_limited
from core.runtime.validate import number, text, whole_number


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, True, "abc", None, [], 10**400, 1e308])
def test_a_number_out_of_range_or_of_the_wrong_kind_is_refused_with_the_range(bad):
    with pytest.raises(ValueError, match=r"^steps must be a number from 1 to 50, got "):
        number(bad, "steps", 1, 50)


def test_numbers_in_range_pass_and_whole_numbers_must_be_whole():
    assert number("12", "steps", 1, 50) == 12.0 and whole_number(7.0, "n", 1, 9) == 7
    with pytest.raises(ValueError, match="n must be a whole number from 1 to 9, got 2.5"):
        whole_number(2.5, "n", 1, 9)
    with pytest.raises(ValueError, match="above 0 to 1"):
        number(0, "learning rate", 0, 1, above_low=True)


def test_text_must_be_valid_unicode_not_empty_and_not_too_long():
    assert text("  hi  ", "prompt", max_chars=5, example="hi") == "hi"
    for bad, message in [
        ("\ud800", "not valid text"),
        ("   ", "prompt is empty"),
        ("x" * 6, "keep it to at most 5"),
        (123, "prompt must be text"),
    ]:
        with pytest.raises(ValueError, match=message):
            text(bad, "prompt", max_chars=5, example="hi")


def test_a_long_job_stops_at_the_time_limit_with_a_hint():
    assert list(time_limited(range(3), "ask for less", seconds=60)) == [0, 1, 2]
    with pytest.raises(TooLong, match="time limit of -1 s: ask for fewer questions"):
        list(time_limited(range(3), "ask for fewer questions", seconds=-1))


def test_an_evaluation_past_the_time_limit_gets_a_message(gradio_client, monkeypatch, one_torch_thread):
    from apps.prompting import demo

    monkeypatch.setenv("GENAI_TIME_LIMIT_S", "0.001")
    client = gradio_client(demo)
    with pytest.raises(AppError, match="time limit of 0.001 s: ask for fewer questions"):
        client.predict("coin_flip", "zero-shot", 40, api_name="/evaluate")


def test_a_huge_image_is_refused_before_it_is_decoded(gradio_client, tmp_path, one_torch_thread):
    """A 10000x10000 PNG is small on disk and 400 MB once decoded: the header alone says no."""
    from apps.transfer import demo

    path = tmp_path / "huge.png"
    Image.new("L", (10_000, 10_000)).save(path, optimize=True)
    assert path.stat().st_size < 1_000_000
    client = gradio_client(demo)
    before = psutil.Process().memory_info().rss
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    with pytest.raises(AppError, match="the image is too large: send at most 9 megapixels"):
        client.predict(sketch, api_name="/add_drawing")
    assert psutil.Process().memory_info().rss - before < 200e6


def test_uploads_above_the_limit_are_refused_and_old_ones_deleted(gradio_client, monkeypatch):
    from apps import serving
    from apps.flows import demo  # its drawing box takes a file

    monkeypatch.setattr(serving, "TEMP_SWEEP_S", 1)
    monkeypatch.setattr(serving, "TEMP_MAX_AGE_S", 1)
    client = gradio_client(demo)
    upload = client.src.rstrip("/") + "/gradio_api/upload"
    big = httpx.post(upload, files={"files": ("big.bin", b"0" * 11_000_000)}, timeout=60)
    assert big.status_code == 413
    small = httpx.post(upload, files={"files": ("small.txt", b"a note")}, timeout=60)
    (stored,) = small.json()
    deadline = time.monotonic() + 60
    while httpx.get(client.src.rstrip("/") + f"/gradio_api/file={stored}", timeout=10).status_code == 200:
        assert time.monotonic() < deadline, "the upload was never deleted"
        time.sleep(0.5)


def test_fresh_models_depend_on_their_seed_only_not_on_the_global_rng():
    from core.flows import compare, train2d
    from core.flows.datasets2d import train_and_heldout

    torch.manual_seed(1)
    first = compare.new_ddpm_2d(5).state_dict()
    torch.manual_seed(2)
    torch.randn(100)
    again = compare.new_ddpm_2d(5).state_dict()
    assert all(torch.equal(first[k], again[k]) for k in first)

    data, _ = train_and_heldout("two moons", 0)
    config = train2d.flow_config("RealNVP", 2)
    stop = threading.Event()

    def disturb():  # another request meanwhile, seeding and drawing from the global RNG
        while not stop.is_set():
            torch.manual_seed(int(time.monotonic_ns() % 1000))
            torch.randn(64)

    alone = [p.loss for p in train2d.train(data, config, 50, seed=3)]
    other = threading.Thread(target=disturb)
    other.start()
    try:
        crowded = [p.loss for p in train2d.train(data, config, 50, seed=3)]
    finally:
        stop.set()
        other.join()
    assert crowded == alone


def test_batched_generation_returns_what_single_generation_returns_and_is_safety_checked(monkeypatch):
    """DDPM adds fresh noise at every step: each request keeps its own generator, so a batch changes nothing
    (with one generator shared by the batch, each image differed from its own by 4-5 levels of 255 on average)."""
    from core.diffusion import models as _registered  # noqa: F401 - registers "text-to-image"
    from core.diffusion.choices import NAME
    from core.diffusion.generate import check_request, final, generate_many
    from core.runtime import get_model

    model = get_model(NAME)
    prompts = ["a small red circle on the left", "a large blue square in the centre", "a green triangle at the top"]
    requests = [check_request(model, p, seed, 6, 3.0, "DDPM", 1) for p, seed in zip(prompts, (11, 12, 11), strict=True)]
    together = generate_many(model, requests)
    alone = [final(model, r).images[0] for r in requests]
    for a, b in zip(together, alone, strict=True):  # equal up to the rounding of a batched convolution
        difference = np.abs(a.astype(int) - b.astype(int))
        assert difference.max() <= 1 and (difference > 0).mean() < 0.005
    assert np.abs(together[0].astype(int) - together[2].astype(int)).mean() > 1  # other prompt, same seed

    def blank(images):
        return np.zeros_like(images), [True] * len(images)

    monkeypatch.setattr(model, "safe", blank)
    assert all((image == 0).all() for image in generate_many(model, requests))


def test_an_evaluation_stops_when_its_visitor_leaves(gradio_client, monkeypatch):
    """An abandoned job must not hold a worker: a sync handler cannot be killed, so it asks between steps."""
    from apps.prompting import demo
    from core.prompting import evaluate

    monkeypatch.setenv("GENAI_TIME_LIMIT_S", "1000")
    steps, ended = [], threading.Event()

    def endless(lm, problems, strategy, k, chat):  # an evaluation that never finishes on its own
        try:
            while True:
                steps.append(1)
                yield SimpleNamespace(items=[None] * len(steps))  # the report so far
                time.sleep(0.05)
        finally:
            ended.set()

    monkeypatch.setattr(evaluate, "evaluate_in_batches", endless)
    client = gradio_client(demo)
    base = client.src.rstrip("/")
    event = httpx.post(base + "/gradio_api/call/evaluate", json={"data": ["coin_flip", "zero-shot", 5]}).json()
    with httpx.stream("GET", base + f"/gradio_api/call/evaluate/{event['event_id']}", timeout=60):
        started = time.monotonic()
        while not steps and time.monotonic() - started < 120:
            time.sleep(0.1)
    # the connection is closed: the visitor left
    assert ended.wait(120), "the job kept running after its visitor left"
    assert steps
