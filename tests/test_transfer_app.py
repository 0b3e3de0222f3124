"""The transfer lab as a student and a script meet it: the /finetune API, clear errors for bad input, and a
browser run of one fine-tune that draws its learning curve."""

import pytest
from playwright.sync_api import expect

from apps.transfer import MODE_CHOICES, check_claims, demo
from core.runtime.limits import TooLong
from core.transfer import runs as transfer_runs
from core.transfer import seed_by_seed
from core.transfer.finetune import EpochResult
from tests.conftest import free_port
from tests.table_fit import CELL, assert_table_fits


def test_finetune_api_returns_accuracy_and_curve(gradio_client):
    client = gradio_client(demo)
    accuracy, plot, table = client.predict(
        mode="full", shots=5, epochs=8, seed=0, lr=3e-3, source="digits", api_name="/finetune"
    )
    assert 0.2 < accuracy <= 1.0
    assert table["headers"] == ["epoch", "test accuracy", "seconds"]
    assert [row[0] for row in table["data"]] == list(range(9))
    assert table["data"][-1][1] == pytest.approx(accuracy, abs=1e-4)
    assert plot["type"] == "plotly"

    for kwargs, message in (
        ({"shots": 0}, "at least 1 example of each target class"),
        ({"epochs": 10**9}, "greater than maximum value 200"),
        ({"lr": 0}, "learning rate must be a number above 0 to 1"),
    ):
        args = {"mode": "full", "shots": 5, "epochs": 8, "seed": 0, "lr": 3e-3, "source": "digits", **kwargs}
        with pytest.raises(Exception, match=message):
            client.predict(**args, api_name="/finetune")
    with pytest.raises(Exception, match="the sketch is empty"):
        client.predict(None, api_name="/add_drawing")
    with pytest.raises(Exception, match="draw 5 more"):
        client.predict(0, api_name="/teach")


LAST_POINT_JS = """el => {
    const line = (el._fullData || []).find(t => t.mode === 'lines+markers');
    return line ? {x: Array.from(line.x), y: Array.from(line.y)} : null;
}"""


def test_a_student_fine_tunes_and_sees_the_curve(page):
    """One fine-tune of 5 epochs: the curve has a point per epoch, 0 to 5, and the accuracy shown is the curve's last
    point, above chance (5 target classes)."""
    _, url, _ = demo.queue().launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url + "?epochs=5")
        expect(page.get_by_label("Epochs").first).to_have_value("5", timeout=30_000)  # the link has set it
        page.get_by_role("button", name="Fine-tune").click()
        plot = page.locator(".js-plotly-plot").first
        plot.wait_for(state="visible", timeout=60_000)
        page.wait_for_function(
            f"el => ({LAST_POINT_JS})(el)?.x.length === 6", arg=plot.element_handle(), timeout=120_000
        )
        curve = plot.evaluate(LAST_POINT_JS)
        assert curve["x"] == [0, 1, 2, 3, 4, 5]
        accuracy = page.get_by_label("Test accuracy on digits 5-9 (fraction)")
        page.wait_for_function("el => el.value !== ''", arg=accuracy.element_handle(), timeout=30_000)
        assert float(accuracy.input_value()) == pytest.approx(curve["y"][-1], abs=1e-4)
        assert 0.2 < curve["y"][-1] <= 1.0
        assert "Learning curve" in page.locator(".js-plotly-plot .gtitle").first.text_content()
        assert page.console_errors == []
    finally:
        demo.close()


def draw_x(page, pad_id: str, shift: float) -> None:
    """Pick the pad's brush and draw an X with the mouse, shifted right by `shift` pixels."""
    pad = page.locator(pad_id)
    pad.get_by_role("button", name="Brush", exact=True).first.click()
    canvas = pad.locator("canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for (x0, y0), (x1, y1) in (((0.25, 0.2), (0.75, 0.8)), ((0.75, 0.2), (0.25, 0.8))):
        page.mouse.move(box["x"] + box["width"] * x0 + shift, box["y"] + box["height"] * y0)
        page.mouse.down()
        for t in range(1, 11):
            x = x0 + (x1 - x0) * t / 10
            y = y0 + (y1 - y0) * t / 10
            page.mouse.move(box["x"] + box["width"] * x + shift, box["y"] + box["height"] * y)
        page.mouse.up()


@pytest.mark.slow
def test_a_student_teaches_a_new_symbol_by_drawing(page):
    _, url, _ = demo.queue().launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        page.get_by_role("tab", name="Teach it something new").click()
        for i in range(5):
            page.wait_for_timeout(800)  # the pad clears itself after each drawing is added
            draw_x(page, "#symbol-pad", shift=(i - 2) * 6)
            page.get_by_role("button", name="Add drawing").click()
            page.get_by_text(f"{i + 1} drawing(s)").wait_for(timeout=30_000)
        page.get_by_role("button", name="Teach it", exact=True).click()
        page.get_by_text("Fine-tuned the last layer on 5 drawings").wait_for(timeout=60_000)
        draw_x(page, "#test-pad", shift=3)
        page.get_by_role("button", name="Test it").click()
        top = page.locator("#prediction [data-testid='label-output-value']")
        top.wait_for(timeout=30_000)
        assert top.text_content().strip() == "your symbol"
        assert page.console_errors == []
    finally:
        demo.close()


def test_the_claim_check_verdicts_fit_a_1400_px_page(page):
    """The claim check's verdict for every mode is on screen at 1400 px, its headers whole words."""
    page.set_viewport_size({"width": 1400, "height": 900})
    page.set_default_timeout(180_000)  # a busy CPU answers slowly
    _, url, _ = demo.queue().launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url + "?seeds=2&epochs=2")  # every mode ticked; a short sweep
        page.get_by_role("tab", name="Claim check").click()
        page.get_by_role("button", name="Run the claim check").click()
        table = page.locator("#claims-table")
        table.locator(CELL, has_text="Less data").first.wait_for(timeout=600_000)
        fit = assert_table_fits(table)
        assert fit.headers == ["claim", "measured as", *(label for label, _ in MODE_CHOICES)]
        assert page.console_errors == []
    finally:
        demo.close()


def test_a_student_runs_the_claim_check_and_reads_its_verdicts(page):
    """The claim check at its defaults but 2 seeds (5 take about 80 s on a busy CPU): a status, then verdicts."""
    page.set_default_timeout(180_000)  # a busy CPU answers slowly
    _, url, _ = demo.queue().launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url + "?seeds=2")
        page.get_by_role("tab", name="Claim check").click()
        page.get_by_role("button", name="Run the claim check").click()
        page.get_by_text("All 2 seeds finished in").wait_for(timeout=300_000)
        table = page.locator("#claims-table")
        for claim in ("Faster", "More accurate", "Less data"):
            assert table.locator(CELL, has_text=claim).count() == 1
        assert table.locator(CELL, has_text="n = 2 seeds").count() >= 4
        assert "nan" not in table.inner_text()
        assert page.console_errors == []
    finally:
        demo.close()


def test_the_claim_check_shows_each_seed_and_keeps_them_past_the_time_limit(monkeypatch):
    """Results after every finished seed; when the limit stops the sweep, the finished seeds' table stays."""

    def fake_finetune(mode, shots, epochs, seed, lr, source):
        reached = 0.6 if mode != "scratch" or shots >= 10 else 0.3
        return iter([EpochResult(0, 0.2, 0.0), EpochResult(epochs, reached - 0.01 * seed, 1.0)])

    def stops_after(items, what, limit=15):  # 7 runs a seed: scratch at 1, 2, 5, 10 labels, full at 1, 2, 5
        for i, item in enumerate(items):
            if i == limit:
                raise TooLong(f"this job ran past the server's time limit of 180 s: {what}")
            yield item

    monkeypatch.setattr(transfer_runs, "finetune", fake_finetune)
    monkeypatch.setattr(seed_by_seed, "time_limited", stops_after)
    shown = list(check_claims(["full"], 5, 30, 3e-3, 0, 3, "digits", 0.5, progress=lambda *a, **k: None))
    statuses = [status for _, _, status in shown]
    assert statuses == [
        "1 of 3 seeds finished; the next one is training.",
        "2 of 3 seeds finished; the next one is training.",
        "this job ran past the server's time limit of 180 s: ask for fewer epochs, modes or seeds. "
        "The results shown are for the 2 seeds finished.",
    ]
    first, last = shown[0][1].value, shown[-1][1].value
    assert first["data"][1][-1] == "60.0% ± 0.0%; no interval from 1 seed: needs 2 or more seeds"
    assert last["data"][1][-1] == "≈ 59.5% ± 0.5%; +30.0 pp [+30.0, +30.0], n = 2 seeds, p = 0.500: not enough evidence"
