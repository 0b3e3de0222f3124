"""The flows demo as a student and an API client use it."""

import base64
import json

import numpy as np
import pytest
from gradio_client.exceptions import AppError
from PIL import Image

from tests.conftest import free_port


def plotly_array(value) -> np.ndarray:
    """A figure's array as plotly's JSON holds it: a list, or base64 bytes with a dtype and a shape."""
    if not isinstance(value, dict):
        return np.array(value, dtype=float)
    flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).astype(float)
    shape = value.get("shape")
    return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat


@pytest.fixture(scope="module")
def demo():
    from apps.flows import demo

    return demo


def test_api_trains_a_2d_flow_and_samples_digits(gradio_client, demo):
    client = gradio_client(demo)
    report, density, chain = client.predict(dataset="two moons", steps="120", seed=0, api_name="/train2d")
    assert "Held-out log-likelihood" in report and "single Gaussian" in report
    (heatmap,) = [t for t in json.loads(density["plot"])["data"] if t["type"] == "heatmap"]
    log_p = plotly_array(heatmap["z"])  # (grid, grid) exact log p(x) over the plane
    assert np.isfinite(log_p).all() and log_p.max() - log_p.min() > 3  # peaks on the moons, low elsewhere
    panels = json.loads(chain["plot"])["layout"]["annotations"]  # one titled panel per stage, z to x
    assert len(panels) >= 3 and panels[0]["text"] != panels[-1]["text"]

    picture, message = client.predict(model="digits: neural spline flow", n=6, seed=1, api_name="/sample")
    assert "6 samples" in message and "8 network evaluations" in message
    pixels = np.asarray(Image.open(picture).convert("L"), dtype=float)
    assert pixels.std() > 10  # digits drawn, not a blank picture


@pytest.mark.parametrize("steps", ["ten", "1000000000"])
def test_api_refuses_bad_step_counts_with_a_message(gradio_client, demo, steps):
    client = gradio_client(demo)
    with pytest.raises(AppError, match="whole number from 1 to 5000"):
        client.predict(dataset="two moons", steps=steps, seed=0, api_name="/train2d")


def test_student_trains_a_flow_and_sees_the_density(page, demo):
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_label("rings").check()
        steps = page.get_by_label("Training steps (1 to 5000)")
        steps.fill("150")
        page.get_by_role("button", name="Train the flow").click()
        page.get_by_text("Held-out log-likelihood").wait_for(timeout=90_000)
        page.get_by_text("Exact log p(x) of the trained flow (150 steps)").wait_for(timeout=10_000)
        page.locator(".js-plotly-plot .heatmaplayer").first.wait_for(state="attached", timeout=30_000)
        page.get_by_text("The chain of transformations").wait_for(timeout=10_000)
        assert page.console_errors == []
    finally:
        demo.close()
