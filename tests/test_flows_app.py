"""The flows demo as a student and an API client use it."""

import base64
import json

import numpy as np
import pytest
from gradio_client.exceptions import AppError
from PIL import Image

from core.flows.choices import MAX_STEPS
from tests.conftest import free_port
from tests.run_progress import stop_and_see_it_end
from tests.table_fit import CELL, assert_table_fits


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


def test_the_race_and_digit_tables_fit_a_1400_px_page(page, demo):
    """Every column of a result table a student must read is on screen at 1400 px, with no word broken."""
    page.set_viewport_size({"width": 1400, "height": 900})
    page.set_default_timeout(180_000)  # a page busy with plotly figures answers slowly on a loaded CPU
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_role("tab", name="Flow vs. diffusion").click()
        page.get_by_label(f"Steps to train the flow (1 to {MAX_STEPS})").fill("40")
        page.get_by_label(f"Steps to train the DDPM (1 to {MAX_STEPS})").fill("40")
        page.get_by_role("button", name="Train both on the same 2-D data").click()
        race_table = page.locator("#race-table")
        race_table.locator(CELL, has_text="no (bound only)").first.wait_for(timeout=300_000)
        fit = assert_table_fits(race_table)
        assert len(fit.headers) == 8 and "samples off the data" in fit.headers

        page.get_by_role("button", name="Compare the bundled digit models").click()
        digits_table = page.locator("#digits-table")
        digits_table.locator(CELL, has_text="no (bound only)").first.wait_for(timeout=300_000)
        assert len(assert_table_fits(digits_table).headers) == 6
        assert page.locator("#flow-digits img").count() == 1 and page.locator("#ddpm-digits img").count() == 1
        assert page.console_errors == []
    finally:
        demo.close()


def test_stop_ends_the_longest_training_run(page, demo):
    """A student asks for the most steps, watches the step count climb, presses Stop, and the run ends."""
    from apps.serving import prepare

    page.set_default_timeout(180_000)  # a busy CPU answers slowly
    _, url, _ = prepare(demo).launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_label(f"Training steps (1 to {MAX_STEPS})").fill(str(MAX_STEPS))
        run = page.get_by_role("button", name="Train the flow")
        stop_and_see_it_end(page, run, page.get_by_role("button", name="Stop"), MAX_STEPS, "train_2d", timeout_s=30)
        assert page.get_by_text("Held-out log-likelihood").count() == 0
        page.get_by_label(f"Training steps (1 to {MAX_STEPS})").fill("50")
        run.click()  # the page takes a new run after a stopped one
        page.get_by_text("Exact log p(x) of the trained flow (50 steps)").wait_for(timeout=120_000)
        assert page.console_errors == []
    finally:
        demo.close()
